//! `stsenv explain`: the plan, step by step, with what the cache holds.

use std::process::ExitCode;

use jiff::Timestamp;
use stsenv_core::plan::resolve::cache_keys;
use stsenv_core::plan::RegionOrigin;
use stsenv_core::store::cache::Cache;

use crate::cli::ExplainArgs;
use crate::error::CliResult;
use crate::obtain;
use crate::output::{self, human_duration};

/// Run `stsenv explain`.
pub fn run(args: ExplainArgs) -> CliResult {
    let plan = obtain::plan(&args.profile)?;
    let cache = Cache::from_env();
    let keys = cache_keys(&plan);
    let now = Timestamp::now();
    let cached = |level: usize| {
        cache
            .get(&keys[level])
            .and_then(|e| e.credentials.seconds_left(now))
            .filter(|left| *left > 0)
            .map(|left| format!("  [cached, {} left]", human_duration(left)))
            .unwrap_or_default()
    };
    let mut text = format!(
        "profile `{}` ({}), {}\n",
        plan.profile,
        plan.file.display(),
        plan.kind().as_str()
    );
    text += &format!("  1. {}{}\n", plan.source.describe(), cached(0));
    for (i, step) in plan.steps.iter().enumerate() {
        text += &format!("  {}. {}{}\n", i + 2, step.describe(), cached(i + 1));
    }
    text += &match (&plan.region, plan.region_origin) {
        (Some(region), RegionOrigin::Override) => format!("region: {region} (--region)\n"),
        (Some(region), RegionOrigin::Environment) => {
            format!("region: {region} (from AWS_REGION / AWS_DEFAULT_REGION, kept as set)\n")
        }
        (Some(region), _) => format!("region: {region}\n"),
        (None, _) => {
            "region: none set (STS calls use us-east-1; AWS_REGION is left alone)\n".to_string()
        }
    };
    for warning in &plan.warnings {
        text += &format!("warning: {warning}\n");
    }
    // Names and values come from the files or the config index: escaped.
    output::print(&stsenv_core::store::untrusted::printable_lines(&text))?;
    Ok(ExitCode::SUCCESS)
}

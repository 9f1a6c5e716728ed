//! `stsenv explain`: the plan, step by step, with what the cache holds.

use std::process::ExitCode;

use jiff::Timestamp;
use stsenv_core::cache::Cache;
use stsenv_core::resolve::cache_keys;
use stsenv_core::Result;

use super::{human_duration, plan};
use crate::cli::ExplainArgs;

/// Run `stsenv explain`.
pub fn run(args: ExplainArgs) -> Result<ExitCode> {
    let plan = plan(&args.profile)?;
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
    println!(
        "profile `{}` ({}), {}",
        plan.profile,
        plan.file.display(),
        plan.kind().as_str()
    );
    println!("  1. {}{}", plan.source.describe(), cached(0));
    for (i, step) in plan.steps.iter().enumerate() {
        println!("  {}. {}{}", i + 2, step.describe(), cached(i + 1));
    }
    match &plan.region {
        Some(region) => println!("region: {region}"),
        None => println!("region: none set (STS calls use us-east-1; AWS_REGION is left alone)"),
    }
    // The first thing to check when calls go somewhere unexpected.
    for var in [
        "AWS_ENDPOINT_URL_STS",
        "AWS_ENDPOINT_URL_SSO",
        "AWS_ENDPOINT_URL",
    ] {
        if let Some(url) = std::env::var(var).ok().filter(|u| !u.is_empty()) {
            println!("endpoint: {url} ({var})");
        }
    }
    for warning in &plan.warnings {
        println!("warning: {warning}");
    }
    Ok(ExitCode::SUCCESS)
}

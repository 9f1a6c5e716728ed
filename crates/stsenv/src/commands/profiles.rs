//! `stsenv profiles`: every profile with its kind and cache state.

use std::collections::HashSet;
use std::process::ExitCode;

use jiff::Timestamp;
use serde_json::json;
use stsenv_core::plan::resolve::cached_seconds_left;
use stsenv_core::plan::{Overrides, Plan};
use stsenv_core::profile::config::AwsConfig;
use stsenv_core::store::cache::Cache;
use stsenv_core::store::untrusted::{printable, printable_lines};

use crate::cli::ProfilesArgs;
use crate::error::CliResult;
use crate::output::{self, human_duration};

/// Run `stsenv profiles`.
pub fn run(args: ProfilesArgs) -> CliResult {
    let config = AwsConfig::load()?;
    if args.names {
        let names: String = config
            .profile_names()
            .into_iter()
            .map(|name| format!("{}\n", printable(name, usize::MAX)))
            .collect();
        output::print(&names)?;
        return Ok(ExitCode::SUCCESS);
    }
    let cache = Cache::from_env();
    let now = Timestamp::now();
    // Kinds and regions from plans made together (a chain shared by many
    // profiles, or thousands deep, is worked out once); a whole plan, for
    // the cache state and the error, only where it is needed.
    let names = config.profile_names();
    let cached: HashSet<String> = cache.list().into_iter().map(|(_, e)| e.profile).collect();
    let rows: Vec<serde_json::Value> = names
        .iter()
        .zip(Plan::briefs(&config, &names))
        .map(|(name, brief)| {
            let whole = || Plan::build(&config, Some(name), &Overrides::default());
            match brief {
                Some(brief) => {
                    let left = cached
                        .contains(*name)
                        .then(whole)
                        .and_then(|plan| cached_seconds_left(&cache, &plan.ok()?, now));
                    json!({"name": name, "kind": brief.kind.as_str(), "region": brief.region, "cached_seconds_left": left, "keyring": brief.own_keyring})
                }
                None => {
                    let err = whole().err().map(|e| e.to_string()).unwrap_or_default();
                    json!({"name": name, "kind": "invalid", "error": err})
                }
            }
        })
        .collect();
    if args.json {
        output::print(&format!("{:#}\n", serde_json::Value::Array(rows)))?;
        return Ok(ExitCode::SUCCESS);
    }
    let width = rows
        .iter()
        .map(|r| r["name"].as_str().unwrap_or_default().len())
        .max()
        .unwrap_or(0);
    let kind_width = rows
        .iter()
        .map(|r| r["kind"].as_str().unwrap_or_default().len())
        .max()
        .unwrap_or(0)
        .max(8);
    let mut text = String::new();
    for row in &rows {
        let mut state = match (&row["cached_seconds_left"], &row["error"]) {
            (serde_json::Value::Number(n), _) => {
                format!("cached, {} left", human_duration(n.as_i64().unwrap_or(0)))
            }
            (_, serde_json::Value::String(err)) => err.clone(),
            _ => String::new(),
        };
        if row["keyring"] == true {
            state = [state.as_str(), "keys in keyring"]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
        }
        text += &format!(
            "{:width$}  {:kind_width$} {}\n",
            row["name"].as_str().unwrap_or_default(),
            row["kind"].as_str().unwrap_or_default(),
            state
        );
    }
    // Names and errors come from the files or the config index: escaped.
    output::print(&printable_lines(&text))?;
    Ok(ExitCode::SUCCESS)
}

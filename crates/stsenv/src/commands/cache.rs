//! `stsenv cache list|clear`.

use std::process::ExitCode;

use jiff::Timestamp;
use serde_json::json;
use stsenv_core::store::cache::Cache;

use crate::cli::CacheCommand;
use crate::error::CliResult;
use crate::output::{self, human_duration, note};

/// Run `stsenv cache …`.
pub fn run(command: CacheCommand) -> CliResult {
    let cache = Cache::from_env();
    match command {
        CacheCommand::List { json } => list(&cache, json),
        CacheCommand::Clear { profile } => {
            let removed = cache.clear(profile.as_deref())?;
            note(&format!(
                "removed {removed} cached session(s) from {}",
                cache.dir().display()
            ));
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn list(cache: &Cache, as_json: bool) -> CliResult {
    let now = Timestamp::now();
    let entries = cache.list();
    if as_json {
        let rows: Vec<_> = entries
            .iter()
            .map(|(_, e)| {
                json!({
                    "profile": e.profile,
                    "kind": e.kind,
                    "label": e.label,
                    "expiration": e.credentials.expiration_rfc3339(),
                    "seconds_left": e.credentials.seconds_left(now),
                })
            })
            .collect();
        output::print(&format!("{:#}\n", serde_json::Value::Array(rows)))?;
        return Ok(ExitCode::SUCCESS);
    }
    if entries.is_empty() {
        // On stderr: stdout stays a list (empty) for scripts.
        note(&format!("no cached sessions in {}", cache.dir().display()));
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = String::new();
    for (_, entry) in &entries {
        let left = match entry.credentials.seconds_left(now) {
            Some(left) if left > 0 => format!("expires in {}", human_duration(left)),
            Some(_) => "expired".to_string(),
            None => "no expiry".to_string(),
        };
        text += &format!(
            "{:20} {:16} {:16} {}\n",
            entry.profile, entry.kind, left, entry.label
        );
    }
    output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

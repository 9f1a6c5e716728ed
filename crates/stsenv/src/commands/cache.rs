//! `stsenv cache list|clear`.

use std::process::ExitCode;

use jiff::Timestamp;
use serde_json::json;
use stsenv_core::profile::credentials_export;
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

/// The kind `cache list` gives sections written by `--write-credentials`.
const WRITTEN_KIND: &str = "credentials-file";

fn list(cache: &Cache, as_json: bool) -> CliResult {
    let now = Timestamp::now();
    let entries = cache.list();
    let path = stsenv_core::profile::config::credentials_file_path();
    // The cache is what `cache list` is about: an unreadable credentials file only loses these rows.
    let written = credentials_export::list(&path).unwrap_or_default();
    let written_label = |name: &str| format!("[{name}] in {}", path.display());
    let seconds_left = |at: Option<Timestamp>| at.map(|at| at.as_second() - now.as_second());
    if as_json {
        let mut rows: Vec<_> = entries
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
        rows.extend(written.iter().map(|w| {
            json!({
                "profile": w.source_profile,
                "kind": WRITTEN_KIND,
                "label": written_label(&w.name),
                "section": w.name,
                "expiration": w.expiration.map(|e| e.to_string()),
                "seconds_left": seconds_left(w.expiration),
            })
        }));
        output::print(&format!("{:#}\n", serde_json::Value::Array(rows)))?;
        return Ok(ExitCode::SUCCESS);
    }
    let left = |seconds: Option<i64>| match seconds {
        Some(left) if left > 0 => format!("expires in {}", human_duration(left)),
        Some(_) => "expired".to_string(),
        None => "no expiry".to_string(),
    };
    if entries.is_empty() && written.is_empty() {
        // On stderr: stdout stays a list (empty) for scripts.
        note(&format!("no cached sessions in {}", cache.dir().display()));
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = String::new();
    for (_, entry) in &entries {
        text += &format!(
            "{:20} {:16} {:16} {}\n",
            entry.profile,
            entry.kind,
            left(entry.credentials.seconds_left(now)),
            entry.label
        );
    }
    for w in &written {
        text += &format!(
            "{:20} {:16} {:16} {}\n",
            w.source_profile.as_deref().unwrap_or("-"),
            WRITTEN_KIND,
            left(seconds_left(w.expiration)),
            written_label(&w.name)
        );
    }
    output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

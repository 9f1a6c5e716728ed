//! `stsenv status`: the session active in this shell, read from the
//! environment only (no config file, no cache, no network), so it is cheap
//! enough for a prompt.
//!
//! Exit status: 0 when a session is active (even an expired one: the
//! output says so), 1 when there is none. With no session, text and prompt
//! formats print nothing (a prompt segment simply disappears); `--json`
//! prints `{"active": false}`.

use std::process::ExitCode;

use jiff::Timestamp;
use serde_json::json;

use crate::cli::{StatusArgs, StatusFormat};
use crate::error::CliResult;
use crate::output::{self, human_duration};
use crate::session::Status;

/// Run `stsenv status`.
pub fn run(args: StatusArgs) -> CliResult {
    let now = Timestamp::now();
    let Some(status) = Status::from_env() else {
        if args.json {
            output::print(&format!("{}\n", json!({"active": false})))?;
        }
        return Ok(ExitCode::FAILURE);
    };
    let text = if args.json {
        format!("{:#}", as_json(&status, now))
    } else {
        match args.format {
            StatusFormat::Prompt => prompt(&status, now),
            StatusFormat::Text => sentence(&status, now) + &written(&status),
        }
    };
    output::print(&format!("{text}\n"))?;
    Ok(ExitCode::SUCCESS)
}

/// Seconds until the credentials expire, if they say when.
fn seconds_left(status: &Status, now: Timestamp) -> Option<i64> {
    status
        .expiration
        .map(|expiration| expiration.as_second() - now.as_second())
}

/// The prompt segment: `dev 42m`, `dev expired`, or `dev` for keys without an expiry.
fn prompt(status: &Status, now: Timestamp) -> String {
    match seconds_left(status, now) {
        Some(left) if left <= 0 => format!("{} expired", status.name()),
        Some(left) => format!("{} {}", status.name(), human_duration(left)),
        None => status.name(),
    }
}

/// A sentence for humans.
fn sentence(status: &Status, now: Timestamp) -> String {
    let who = status.description();
    match (seconds_left(status, now), status.expiration) {
        (Some(left), Some(at)) if left <= 0 => {
            format!("{who}: credentials expired at {at}")
        }
        (Some(left), Some(at)) => format!(
            "{who}: credentials expire in {} (at {at})",
            human_duration(left)
        ),
        _ => format!("{who}: credentials without an expiry"),
    }
}

/// Where else the credentials are: the credentials-file section the
/// session writes (`env --write-credentials NAME`).
fn written(status: &Status) -> String {
    match &status.write_credentials {
        Some(name) => format!(
            "; also written to [{name}] of {}",
            stsenv_core::profile::config::credentials_file_path().display()
        ),
        None => String::new(),
    }
}

/// The JSON form.
fn as_json(status: &Status, now: Timestamp) -> serde_json::Value {
    json!({
        "active": true,
        "profile": status.profile,
        "name": status.name(),
        "assumed": status.assumed,
        "expiration": status.expiration.map(|e| e.to_string()),
        "seconds_left": seconds_left(status, now),
        "refresh_at": status.refresh_at,
        "write_credentials": status.write_credentials,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(expiration: Option<&str>) -> Status {
        Status {
            profile: "dev".into(),
            assumed: None,
            expiration: expiration.map(|e| e.parse().unwrap()),
            refresh_at: None,
            write_credentials: None,
        }
    }

    #[test]
    fn prompt_segment_shows_time_left() {
        let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        assert_eq!(
            prompt(&status(Some("2026-01-01T00:42:10Z")), now),
            "dev 42m"
        );
        assert_eq!(
            prompt(&status(Some("2025-12-31T23:00:00Z")), now),
            "dev expired"
        );
        assert_eq!(prompt(&status(None), now), "dev");
        assert!(sentence(&status(Some("2026-01-01T01:05:00Z")), now).contains("expire in 1h05m"));
    }

    #[test]
    fn a_role_of_role_arn_is_named_not_its_source_profile() {
        let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let status = Status {
            profile: "alice".into(),
            assumed: Some("role arn:aws:iam::123456789012:role/team/dev".into()),
            ..status(Some("2026-01-01T00:42:10Z"))
        };
        assert_eq!(prompt(&status, now), "dev 42m");
        let sentence = sentence(&status, now);
        assert!(
            sentence
                .starts_with("role arn:aws:iam::123456789012:role/team/dev (from profile alice): "),
            "{sentence}"
        );
    }
}

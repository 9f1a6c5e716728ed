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
use stsenv_core::Result;

use super::human_duration;
use crate::cli::{StatusArgs, StatusFormat};

/// What the environment says about the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// STSENV_PROFILE.
    pub profile: String,
    /// AWS_CREDENTIAL_EXPIRATION, when set and valid.
    pub expiration: Option<Timestamp>,
    /// STSENV_REFRESH_AT, when set and valid.
    pub refresh_at: Option<i64>,
}

impl Status {
    /// Read the session from the environment; `None` when STSENV_PROFILE is unset or empty.
    pub fn from_env() -> Option<Status> {
        let profile = std::env::var("STSENV_PROFILE")
            .ok()
            .filter(|p| !p.is_empty())?;
        let expiration = std::env::var("AWS_CREDENTIAL_EXPIRATION")
            .ok()
            .and_then(|e| e.parse::<Timestamp>().ok());
        let refresh_at = std::env::var("STSENV_REFRESH_AT")
            .ok()
            .and_then(|r| r.parse::<i64>().ok());
        Some(Status {
            profile,
            expiration,
            refresh_at,
        })
    }

    /// Seconds until the credentials expire, if they say when.
    pub fn seconds_left(&self, now: Timestamp) -> Option<i64> {
        self.expiration
            .map(|expiration| expiration.as_second() - now.as_second())
    }

    /// The prompt segment: `dev 42m`, `dev expired`, or `dev` for keys without an expiry.
    pub fn prompt(&self, now: Timestamp) -> String {
        match self.seconds_left(now) {
            Some(left) if left <= 0 => format!("{} expired", self.profile),
            Some(left) => format!("{} {}", self.profile, human_duration(left)),
            None => self.profile.clone(),
        }
    }

    /// A sentence for humans.
    pub fn text(&self, now: Timestamp) -> String {
        match (self.seconds_left(now), self.expiration) {
            (Some(left), Some(at)) if left <= 0 => {
                format!("{}: credentials expired at {at}", self.profile)
            }
            (Some(left), Some(at)) => format!(
                "{}: credentials expire in {} (at {at})",
                self.profile,
                human_duration(left)
            ),
            _ => format!("{}: credentials without an expiry", self.profile),
        }
    }

    /// The JSON form.
    pub fn json(&self, now: Timestamp) -> serde_json::Value {
        json!({
            "active": true,
            "profile": self.profile,
            "expiration": self.expiration.map(|e| e.to_string()),
            "seconds_left": self.seconds_left(now),
            "refresh_at": self.refresh_at,
        })
    }
}

/// Run `stsenv status`.
pub fn run(args: StatusArgs) -> Result<ExitCode> {
    let now = Timestamp::now();
    let Some(status) = Status::from_env() else {
        if args.json {
            println!("{}", json!({"active": false}));
        }
        return Ok(ExitCode::FAILURE);
    };
    if args.json {
        println!("{:#}", status.json(now));
    } else {
        match args.format {
            StatusFormat::Prompt => println!("{}", status.prompt(now)),
            StatusFormat::Text => println!("{}", status.text(now)),
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(expiration: Option<&str>) -> Status {
        Status {
            profile: "dev".into(),
            expiration: expiration.map(|e| e.parse().unwrap()),
            refresh_at: None,
        }
    }

    #[test]
    fn prompt_segment_shows_time_left() {
        let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        assert_eq!(status(Some("2026-01-01T00:42:10Z")).prompt(now), "dev 42m");
        assert_eq!(
            status(Some("2025-12-31T23:00:00Z")).prompt(now),
            "dev expired"
        );
        assert_eq!(status(None).prompt(now), "dev");
        assert!(status(Some("2026-01-01T01:05:00Z"))
            .text(now)
            .contains("expire in 1h05m"));
    }
}

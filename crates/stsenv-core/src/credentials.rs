//! Temporary (or static) AWS credentials, with secrets kept out of `Debug`.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// A set of AWS credentials as returned by STS, SSO or a static profile.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    /// `AWS_ACCESS_KEY_ID`.
    pub access_key_id: String,
    /// `AWS_SECRET_ACCESS_KEY`.
    pub secret_access_key: String,
    /// `AWS_SESSION_TOKEN`; absent for long-term IAM user keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_token: Option<String>,
    /// When the credentials stop working; absent for long-term keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<Timestamp>,
}

impl Credentials {
    /// Seconds of validity left at `now`, `None` for credentials that do not expire.
    pub fn seconds_left(&self, now: Timestamp) -> Option<i64> {
        self.expiration.map(|exp| exp.as_second() - now.as_second())
    }

    /// Whether these credentials remain valid for more than `margin_secs` at `now`.
    pub fn fresh_for(&self, margin_secs: i64, now: Timestamp) -> bool {
        self.seconds_left(now).is_none_or(|left| left > margin_secs)
    }

    /// Why these credentials must not be used at `now`, if anything: an
    /// empty key, a character that no AWS key has (they come from servers
    /// and processes, and end up in shell code and HTTP headers), or an
    /// expiry already past — the AWS SDKs refuse those too.
    pub fn check_usable(&self, now: Timestamp) -> Result<(), String> {
        let plain = |value: &str| !value.is_empty() && value.chars().all(|c| c.is_ascii_graphic());
        if !plain(&self.access_key_id) {
            return Err("the access key id is empty or has characters no AWS key has".into());
        }
        if !plain(&self.secret_access_key) {
            return Err("the secret access key is empty or has characters no AWS key has".into());
        }
        if self.session_token.as_deref().is_some_and(|t| !plain(t)) {
            return Err("the session token is empty or has characters no AWS token has".into());
        }
        match self.seconds_left(now) {
            Some(left) if left <= 0 => Err(format!(
                "the credentials expired at {}",
                self.expiration_rfc3339().unwrap_or_default()
            )),
            _ => Ok(()),
        }
    }

    /// The expiration as RFC 3339 in UTC with a `Z` suffix and no fraction,
    /// the format of `AWS_CREDENTIAL_EXPIRATION` and credential_process.
    pub fn expiration_rfc3339(&self) -> Option<String> {
        self.expiration.map(format_rfc3339)
    }
}

impl Credentials {
    /// The credentials exported in this process's environment (see
    /// [`Credentials::from_variables`]).
    pub fn from_environment() -> Option<Credentials> {
        Self::from_variables(|name| std::env::var(name).ok())
    }

    /// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// optional `AWS_SESSION_TOKEN` (else its legacy name
    /// `AWS_SECURITY_TOKEN`) and `AWS_CREDENTIAL_EXPIRATION`, as `var`
    /// looks them up; `None` unless both keys are set. A blank value counts
    /// as unset, as in the Rust and Java SDKs: `AWS_ACCESS_KEY_ID=" "` is
    /// no key, and sending it only earns an unreadable error from STS.
    pub fn from_variables(var: impl Fn(&str) -> Option<String>) -> Option<Credentials> {
        let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        Some(Credentials {
            access_key_id: var("AWS_ACCESS_KEY_ID")?,
            secret_access_key: var("AWS_SECRET_ACCESS_KEY")?,
            session_token: var("AWS_SESSION_TOKEN").or_else(|| var("AWS_SECURITY_TOKEN")),
            expiration: var("AWS_CREDENTIAL_EXPIRATION").and_then(|e| e.trim().parse().ok()),
        })
    }
}

/// Format a timestamp as `2026-11-23T12:00:00Z`.
pub fn format_rfc3339(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "** redacted **"),
            )
            .field("expiration", &self.expiration)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(vars: &[(&str, &str)]) -> Option<Credentials> {
        Credentials::from_variables(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn blank_keys_are_missing_and_the_legacy_token_counts() {
        assert!(from(&[("AWS_ACCESS_KEY_ID", " "), ("AWS_SECRET_ACCESS_KEY", " ")]).is_none());
        assert!(from(&[
            ("AWS_ACCESS_KEY_ID", "AKIA1"),
            ("AWS_SECRET_ACCESS_KEY", "")
        ])
        .is_none());
        let keys = [
            ("AWS_ACCESS_KEY_ID", "AKIA1"),
            ("AWS_SECRET_ACCESS_KEY", "s"),
        ];
        let legacy = [&keys[..], &[("AWS_SECURITY_TOKEN", "old")]].concat();
        assert_eq!(from(&legacy).unwrap().session_token.as_deref(), Some("old"));
        let both = [&legacy[..], &[("AWS_SESSION_TOKEN", "new")]].concat();
        assert_eq!(from(&both).unwrap().session_token.as_deref(), Some("new"));
        let blank_token = [&keys[..], &[("AWS_SESSION_TOKEN", "  ")]].concat();
        assert_eq!(from(&blank_token).unwrap().session_token, None);
    }

    #[test]
    fn expired_environment_credentials_are_unusable() {
        let expired = from(&[
            ("AWS_ACCESS_KEY_ID", "AKIA1"),
            ("AWS_SECRET_ACCESS_KEY", "s"),
            ("AWS_CREDENTIAL_EXPIRATION", "2020-01-01T00:00:00Z"),
        ])
        .unwrap();
        let err = expired.check_usable(Timestamp::now()).unwrap_err();
        assert!(err.contains("expired at 2020-01-01T00:00:00Z"), "{err}");
    }
}

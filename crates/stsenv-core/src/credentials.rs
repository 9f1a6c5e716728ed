//! Temporary (or static) AWS credentials, with secrets kept out of `Debug`.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, Unusable};

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

    /// Whether these credentials can be used at `now`: key id and secret
    /// present, every field made only of characters AWS credentials have,
    /// and not expired. Everything that enters stsenv from outside (STS,
    /// the SSO portal, a `credential_process`, a cache file, the
    /// environment) goes through this before it is cached or emitted: a
    /// newline or a quote in a key is tampering, never a credential.
    pub fn check(&self, now: Timestamp) -> std::result::Result<(), Unusable> {
        let fields = [
            (
                "access key id",
                Some(&self.access_key_id),
                MAX_ACCESS_KEY_ID_LEN,
            ),
            (
                "secret access key",
                Some(&self.secret_access_key),
                MAX_SECRET_KEY_LEN,
            ),
            (
                "session token",
                self.session_token.as_ref(),
                MAX_SESSION_TOKEN_LEN,
            ),
        ];
        for (field, value, max) in fields {
            let Some(value) = value else { continue };
            if value.is_empty() {
                return Err(Unusable::Empty(field));
            }
            if value.len() > max {
                return Err(Unusable::TooLong(field, max));
            }
            if !value.bytes().all(is_credential_byte) {
                return Err(Unusable::Character(field));
            }
        }
        match self.expiration {
            Some(expiration) if expiration <= now => Err(Unusable::Expired(expiration)),
            _ => Ok(()),
        }
    }

    /// [`Credentials::check`] now, as an [`Error::InvalidCredentials`]
    /// naming `profile` and where they came from (`origin`, e.g.
    /// `sts:AssumeRole`).
    pub fn checked(self, profile: &str, origin: &str) -> Result<Credentials> {
        match self.check(Timestamp::now()) {
            Ok(()) => Ok(self),
            Err(problem) => Err(Error::InvalidCredentials {
                profile: profile.to_string(),
                origin: origin.to_string(),
                problem,
            }),
        }
    }

    /// The secret parts (secret key, session token), as the list of what
    /// must be redacted from a server's answer to a call made with them.
    pub fn secrets(&self) -> Vec<&str> {
        let mut secrets = vec![self.secret_access_key.as_str()];
        secrets.extend(self.session_token.as_deref());
        secrets
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

/// The longest access key id accepted: 128 characters, IAM's documented
/// maximum for `AccessKeyId` (real ones are 20).
pub const MAX_ACCESS_KEY_ID_LEN: usize = 128;
/// The longest secret access key accepted: 256 characters (real ones are
/// 40; IAM documents no maximum, so this leaves room).
pub const MAX_SECRET_KEY_LEN: usize = 256;
/// The longest session token accepted: 16 KiB. Real STS and SSO tokens
/// are ≈ 400–1,300 characters, up to a few KiB with session tags and
/// policies (STS bounds their packed size); 16 KiB leaves four times that,
/// stays far below the 128 KiB a single environment variable may hold
/// (Linux's `MAX_ARG_STRLEN`), and keeps a cache entry small.
pub const MAX_SESSION_TOKEN_LEN: usize = 16 * 1024;

/// Printable ASCII except space, quotes, backslash and `$`: AWS issues key
/// ids in `[A-Z0-9]` and secrets and tokens in base64, so anything else (a
/// control character, a quote, shell syntax, non-ASCII) means the value was
/// tampered with.
fn is_credential_byte(b: u8) -> bool {
    b.is_ascii_graphic() && !matches!(b, b'\'' | b'"' | b'`' | b'\\' | b'$')
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

    fn creds() -> Credentials {
        Credentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCY=".into(),
            session_token: Some("FwoGZXIvYXdzE/+=".into()),
            expiration: Some(Timestamp::from_second(2_000_000_000).unwrap()),
        }
    }

    #[test]
    fn check_accepts_aws_shaped_credentials() {
        let now = Timestamp::from_second(1_900_000_000).unwrap();
        assert_eq!(creds().check(now), Ok(()));
        let long_term = Credentials {
            session_token: None,
            expiration: None,
            ..creds()
        };
        assert_eq!(long_term.check(now), Ok(()));
    }

    #[test]
    fn check_refuses_tampering_and_expiry() {
        let now = Timestamp::from_second(1_900_000_000).unwrap();
        let with = |f: fn(&mut Credentials)| {
            let mut c = creds();
            f(&mut c);
            c.check(now)
        };
        assert_eq!(
            with(|c| c.access_key_id.clear()),
            Err(Unusable::Empty("access key id"))
        );
        assert_eq!(
            with(|c| c.session_token = Some(String::new())),
            Err(Unusable::Empty("session token"))
        );
        for bad in [
            "a\nb", "a'b", "a\"b", "a b", "a`b", "a\\b", "é", "a\u{1b}", "$(x)",
        ] {
            let mut c = creds();
            c.secret_access_key = bad.to_string();
            assert_eq!(
                c.check(now),
                Err(Unusable::Character("secret access key")),
                "{bad:?}"
            );
        }
        let expired = Timestamp::from_second(1_800_000_000).unwrap();
        assert_eq!(
            with(|c| c.expiration = Some(Timestamp::from_second(1_800_000_000).unwrap())),
            Err(Unusable::Expired(expired))
        );
        let message = Unusable::Character("secret access key").to_string();
        assert!(!message.contains("wJalr"));
    }

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
        let err = expired.check(Timestamp::now()).unwrap_err().to_string();
        assert!(err.contains("expired at 2020-01-01T00:00:00Z"), "{err}");
    }
}

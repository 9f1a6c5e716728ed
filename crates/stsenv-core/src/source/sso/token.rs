//! The SSO token cache shared with the AWS CLI v2 and botocore:
//! `~/.aws/sso/cache/<sha1 hex>.json`, the SHA-1 of the sso-session name (or
//! of the start URL for the legacy form), camelCase JSON with timestamps as
//! `%Y-%m-%dT%H:%M:%SZ`. Written 0600 in a 0700 directory, atomically, so
//! `aws sso login` and `stsenv login` serve each other.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};

use crate::error::{Error, Result};
use crate::store::fsutil::{read_json, write_json};

/// One token file. Unknown fields written by other tools are kept as they
/// are when stsenv rewrites the file.
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CachedToken {
    /// The portal's start URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_url: Option<String>,
    /// The Identity Center region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The bearer token for the portal API (secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    /// When the access token expires, `%Y-%m-%dT%H:%M:%SZ`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// OIDC client registration id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// OIDC client secret (secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// When the client registration expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_expires_at: Option<String>,
    /// Refresh token (secret), present for sso-session logins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Fields stsenv does not use, preserved on rewrite.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl fmt::Debug for CachedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Tokens and client secrets never reach a log line.
        f.debug_struct("CachedToken")
            .field("start_url", &self.start_url)
            .field("region", &self.region)
            .field("expires_at", &self.expires_at)
            .field("client_id", &self.client_id)
            .field("registration_expires_at", &self.registration_expires_at)
            .field("has_refresh_token", &self.refresh_token.is_some())
            .finish_non_exhaustive()
    }
}

impl CachedToken {
    /// When the access token expires; `None` when absent or unreadable.
    pub fn expires(&self) -> Option<Timestamp> {
        self.expires_at.as_deref().and_then(parse_time)
    }

    /// When the client registration expires.
    pub fn registration_expires(&self) -> Option<Timestamp> {
        self.registration_expires_at.as_deref().and_then(parse_time)
    }

    /// Whether the access token is usable for more than `margin_secs` at `now`.
    pub fn fresh_for(&self, margin_secs: i64, now: Timestamp) -> bool {
        self.access_token.is_some()
            && self
                .expires()
                .is_some_and(|exp| exp.as_second() - now.as_second() > margin_secs)
    }

    /// The client registration (id, secret) when it stays valid for more
    /// than `margin_secs` at `now`.
    pub fn registration(&self, margin_secs: i64, now: Timestamp) -> Option<(&str, &str)> {
        let valid = self
            .registration_expires()
            .is_some_and(|exp| exp.as_second() - now.as_second() > margin_secs);
        match (&self.client_id, &self.client_secret) {
            (Some(id), Some(secret)) if valid => Some((id, secret)),
            _ => None,
        }
    }

    /// The `scopes` another tool recorded in the file, when they lack
    /// `sso:account:access`: IDE extensions (AWS Toolkit, Amazon Q) write
    /// tokens for the same start URL with only their own scopes, and the
    /// portal answers 401 to such a token. `None`: no scopes recorded (the
    /// AWS CLI records none), or the right one is among them.
    pub fn foreign_scopes(&self) -> Option<Vec<String>> {
        let scopes = self.extra.get("scopes")?.as_array()?;
        let scopes: Vec<String> = scopes
            .iter()
            .map(|s| s.as_str().unwrap_or_default().to_string())
            .collect();
        (!scopes.iter().any(|s| s == super::DEFAULT_SCOPE)).then_some(scopes)
    }

    /// Whether a refresh without a browser is possible at `now`.
    pub fn can_refresh(&self, now: Timestamp) -> bool {
        self.refresh_token.is_some() && self.registration(0, now).is_some()
    }
}

/// The file name the AWS CLI uses: SHA-1 hex of the session name or start URL.
pub fn cache_file_name(session_or_start_url: &str) -> String {
    format!(
        "{}.json",
        hex::encode(Sha1::digest(session_or_start_url.as_bytes()))
    )
}

/// `~/.aws/sso/cache`.
pub fn cache_dir() -> PathBuf {
    crate::store::fsutil::home()
        .join(".aws")
        .join("sso")
        .join("cache")
}

/// Read a token file; a missing file is `None`, an unreadable one is `None`
/// with a warning (the user logs in again, nothing crashes).
pub fn load(path: &Path) -> Option<CachedToken> {
    read_json(path, "SSO token file")
}

/// Write a token file: 0600, through a temporary file renamed over the old
/// one, in a directory created 0700.
pub fn store(path: &Path, token: &CachedToken) -> Result<()> {
    write_json(path, token, "cannot write SSO token file")
}

/// Delete a token file; `false` when there was none.
pub fn remove(path: &Path) -> Result<bool> {
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::io("cannot remove SSO token file", path, e)),
    }
}

/// Parse the formats found in the wild: RFC 3339 (`Z`, offsets, fractions)
/// and the older `2026-11-23T12:00:00UTC` of early AWS CLI versions.
pub fn parse_time(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Some(ts);
    }
    let stripped = text.strip_suffix("UTC")?;
    format!("{stripped}Z").parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::format_rfc3339;

    #[test]
    fn file_name_is_sha1_of_the_name() {
        // sha1("my-sso") as the AWS CLI computes it.
        assert_eq!(
            cache_file_name("my-sso"),
            format!("{}.json", hex::encode(Sha1::digest(b"my-sso")))
        );
        assert_eq!(
            cache_file_name("abc"),
            "a9993e364706816aba3e25717850c26c9cd0d89d.json"
        );
    }

    #[test]
    fn times_round_trip_in_cli_format() {
        let ts: Timestamp = "2026-11-23T12:00:00Z".parse().unwrap();
        assert_eq!(format_rfc3339(ts), "2026-11-23T12:00:00Z");
        assert_eq!(parse_time("2026-11-23T12:00:00UTC"), Some(ts));
        assert_eq!(parse_time("2026-11-23T13:00:00+01:00"), Some(ts));
        assert_eq!(parse_time("2026-11-23T12:00:00.000Z"), Some(ts));
        assert_eq!(parse_time("garbage"), None);
    }

    #[test]
    fn unknown_fields_survive_and_secrets_stay_out_of_debug() {
        let text = r#"{"startUrl":"https://x/start","region":"eu-west-1","accessToken":"SECRET1",
            "expiresAt":"2099-01-01T00:00:00Z","clientSecret":"SECRET2","refreshToken":"SECRET3","other":7}"#;
        let token: CachedToken = serde_json::from_str(text).unwrap();
        assert!(token.fresh_for(300, Timestamp::now()));
        let debug = format!("{token:?}");
        assert!(!debug.contains("SECRET"), "{debug}");
        let back = serde_json::to_value(&token).unwrap();
        assert_eq!(back["other"], 7);
        assert_eq!(back["accessToken"], "SECRET1");
    }

    #[test]
    fn tokens_of_other_tools_are_told_apart_by_their_scopes() {
        let token = |extra: &str| -> CachedToken {
            serde_json::from_str(&format!(r#"{{"accessToken":"t"{extra}}}"#)).unwrap()
        };
        assert_eq!(token("").foreign_scopes(), None);
        assert_eq!(
            token(r#","scopes":["sso:account:access","x"]"#).foreign_scopes(),
            None
        );
        assert_eq!(
            token(r#","scopes":["codewhisperer:completions"]"#).foreign_scopes(),
            Some(vec!["codewhisperer:completions".to_string()])
        );
        assert_eq!(token(r#","scopes":[]"#).foreign_scopes(), Some(vec![]));
    }

    #[test]
    fn store_is_private() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("sso/cache/x.json");
        store(&path, &CachedToken::default()).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(path.parent().unwrap()), 0o700);
        }
        assert!(load(&path).is_some());
        assert!(remove(&path).unwrap());
        assert!(!remove(&path).unwrap());
    }
}

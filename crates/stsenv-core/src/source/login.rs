//! `login_session` profiles, written by `aws login` (AWS CLI 2.32+) or
//! `stsenv login`: 15-minute credentials and a refresh token (up to 12 h)
//! in the AWS CLI's own cache, `AWS_LOGIN_CACHE_DIRECTORY` or
//! `~/.aws/login/cache`, one `<sha256 hex of the session ARN>.json` per
//! session, the JSON botocore's `LoginTokenLoader` reads and writes.
//!
//! The file is shared both ways: credentials `aws login` or botocore wrote
//! are used as they are, and a refresh by stsenv writes what botocore reads
//! without refreshing again. A refresh happens when less than
//! [`REFRESH_MARGIN_SECS`] is left (both references use 5 minutes), under
//! stsenv's lock for the session and after reading the file again, so
//! twenty shells renewing at once make one `CreateOAuth2Token` call. Unknown
//! fields another tool wrote are kept when the file is rewritten.

use std::fmt;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::aws::client::LazyRuntime;
use crate::aws::signin::{self, DpopKey, Refusal, TokenInput, TokenOutput};
use crate::credentials::{format_rfc3339, Credentials};
use crate::error::{Error, Result};
use crate::store::cache::{self, Cache, LockWait};
use crate::store::fsutil::{read_json, write_json};

/// Credentials are refreshed when less than this is left (5 min), as
/// botocore and the Rust SDK do.
pub const REFRESH_MARGIN_SECS: i64 = 300;
/// Where the AWS CLI keeps login sessions when set.
pub const CACHE_DIR_VAR: &str = "AWS_LOGIN_CACHE_DIRECTORY";

/// A profile's `login_session`: the source of its credentials. Serialized
/// as its cache identity (see [`crate::plan::step`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoginSession {
    /// The profile holding `login_session`. Not in the identity.
    #[serde(skip)]
    pub profile: String,
    /// The session: the ARN of the console identity.
    pub session_arn: String,
    /// The Sign-In endpoint override (`None`: AWS's, from the region).
    pub endpoint: Option<String>,
}

/// The credentials part of a cache file.
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessToken {
    /// Access key ID.
    pub access_key_id: String,
    /// Secret access key (secret).
    pub secret_access_key: String,
    /// Session token (secret).
    pub session_token: String,
    /// The account of the session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// Expiry, `%Y-%m-%dT%H:%M:%SZ`.
    pub expires_at: String,
    /// Fields stsenv does not use, preserved on rewrite.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// One cache file, as botocore's `LoginTokenLoader` keeps it.
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginToken {
    /// The current credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<AccessToken>,
    /// `aws_sigv4`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// The Sign-In client the session belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The refresh token (secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// The ID token of the login (secret enough: it names the user).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    /// The DPoP key, a SEC1 PEM (secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_key: Option<String>,
    /// Fields stsenv does not use, preserved on rewrite.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl fmt::Debug for LoginToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Keys, tokens and the DPoP key never reach a log line.
        f.debug_struct("LoginToken")
            .field(
                "expires_at",
                &self.access_token.as_ref().map(|a| &a.expires_at),
            )
            .field("client_id", &self.client_id)
            .field("has_refresh_token", &self.refresh_token.is_some())
            .finish_non_exhaustive()
    }
}

impl LoginToken {
    /// The credentials in the file, checked; `None` when there are none or
    /// they are not usable as credentials (expiry aside).
    pub fn credentials(&self) -> Option<Credentials> {
        let access = self.access_token.as_ref()?;
        let credentials = Credentials {
            access_key_id: access.access_key_id.clone(),
            secret_access_key: access.secret_access_key.clone(),
            session_token: Some(access.session_token.clone()),
            expiration: Some(crate::source::sso::token::parse_time(&access.expires_at)?),
        };
        // Expired is fine here (a refresh follows); anything else is not.
        match credentials.check(Timestamp::MIN) {
            Ok(()) => Some(credentials),
            Err(_) => None,
        }
    }

    /// Replace the credentials and refresh token with a refresh's answer,
    /// keeping everything else (the account, the key, unknown fields).
    pub fn apply(&mut self, output: &TokenOutput) {
        let mut access = self.access_token.clone().unwrap_or_default();
        access.access_key_id = output.credentials.access_key_id.clone();
        access.secret_access_key = output.credentials.secret_access_key.clone();
        access.session_token = output.credentials.session_token.clone().unwrap_or_default();
        access.expires_at = output
            .credentials
            .expiration
            .map(format_rfc3339)
            .unwrap_or_default();
        self.access_token = Some(access);
        self.refresh_token = Some(output.refresh_token.clone());
    }
}

/// `AWS_LOGIN_CACHE_DIRECTORY` (with `~` expanded), else `~/.aws/login/cache`.
pub fn cache_dir() -> PathBuf {
    match std::env::var_os(CACHE_DIR_VAR).filter(|v| !v.is_empty()) {
        Some(dir) => crate::store::fsutil::expand_home(Path::new(&dir)),
        None => crate::store::fsutil::home()
            .join(".aws")
            .join("login")
            .join("cache"),
    }
}

/// The file name botocore uses: SHA-256 hex of the session ARN.
pub fn cache_file_name(session_arn: &str) -> String {
    format!(
        "{}.json",
        hex::encode(Sha256::digest(session_arn.as_bytes()))
    )
}

/// Read a cache file: `None` when it is missing or unreadable (with a
/// warning for the latter: the user logs in again, nothing crashes).
pub fn load(path: &Path) -> Option<LoginToken> {
    read_json(path, "login cache file")
}

/// Write a cache file: 0600, renamed over the old one, in a 0700 directory.
pub fn store(path: &Path, token: &LoginToken) -> Result<()> {
    write_json(path, token, "cannot write login cache file")
}

impl LoginSession {
    /// `<cache dir>/<sha256>.json`.
    pub fn token_path(&self) -> PathBuf {
        cache_dir().join(cache_file_name(&self.session_arn))
    }

    /// The stsenv lock serialising refreshes and logins of this session.
    pub fn lock_key(&self) -> String {
        cache::key(&["login-session", &self.session_arn])
    }

    /// Whether the session is a role's (a console session of an assumed
    /// role): AssumeRole with it is role chaining.
    pub fn is_role(&self) -> bool {
        self.session_arn.contains(":assumed-role/")
    }

    /// One line for `stsenv explain`.
    pub fn describe(&self) -> String {
        format!(
            "aws login session {} (profile `{}`, {}){}",
            crate::store::untrusted::shown(&self.session_arn),
            self.profile,
            self.token_path().display(),
            self.endpoint
                .as_deref()
                .map(|e| format!(" refreshed at {e}"))
                .unwrap_or_default()
        )
    }

    /// The error telling the user to log in again, and why.
    pub fn login_needed(&self, reason: &str) -> Error {
        Error::SignInNeeded {
            profile: self.profile.clone(),
            reason: reason.to_string(),
        }
    }

    /// The Sign-In endpoint for `region`.
    pub fn endpoint_for(&self, region: &str) -> String {
        self.endpoint
            .clone()
            .unwrap_or_else(|| signin::default_endpoint(region))
    }

    /// The session's credentials: the cached ones while more than
    /// [`REFRESH_MARGIN_SECS`] are left, else refreshed under the session's
    /// lock (as `wait` says), unless another process did it meanwhile.
    /// `region` picks the Sign-In endpoint when none is configured.
    pub fn credentials(
        &self,
        region: &str,
        cache: &Cache,
        runtime: &LazyRuntime,
        wait: LockWait<'_>,
    ) -> Result<Credentials> {
        if let Some(credentials) = self.fresh_cached()? {
            return Ok(credentials);
        }
        let _lock = cache.lock_with(&self.lock_key(), wait)?;
        // Another process may have refreshed while this one waited.
        if let Some(credentials) = self.fresh_cached()? {
            return Ok(credentials);
        }
        let token = load(&self.token_path())
            .ok_or_else(|| self.login_needed("there is no cached login for it"))?;
        self.refresh(token, region, runtime.get()?)
    }

    /// The cached credentials when fresh for the margin; `None` when a
    /// refresh is due; an error when there is nothing to refresh.
    fn fresh_cached(&self) -> Result<Option<Credentials>> {
        let path = self.token_path();
        let token = load(&path).ok_or_else(|| {
            self.login_needed(&format!("there is no cached login ({})", path.display()))
        })?;
        let credentials = token.credentials().ok_or_else(|| {
            self.login_needed(&format!("{} holds no usable credentials", path.display()))
        })?;
        Ok(credentials
            .fresh_for(REFRESH_MARGIN_SECS, Timestamp::now())
            .then_some(credentials))
    }

    /// `CreateOAuth2Token` with the refresh token; the new credentials are
    /// written back before they are returned. The caller holds the lock.
    fn refresh(
        &self,
        mut token: LoginToken,
        region: &str,
        runtime: &tokio::runtime::Runtime,
    ) -> Result<Credentials> {
        let path = self.token_path();
        let missing = |what: &str| {
            self.login_needed(&format!(
                "{} has no {what} to renew it with",
                path.display()
            ))
        };
        let key = token
            .dpop_key
            .as_deref()
            .and_then(DpopKey::from_pem)
            .ok_or_else(|| missing("usable dpopKey"))?;
        let client_id = token.client_id.clone().ok_or_else(|| missing("clientId"))?;
        let refresh_token = token
            .refresh_token
            .clone()
            .ok_or_else(|| missing("refreshToken"))?;
        let input = TokenInput {
            client_id: &client_id,
            grant_type: "refresh_token",
            refresh_token: Some(&refresh_token),
            code: None,
            code_verifier: None,
            redirect_uri: None,
        };
        let endpoint = self.endpoint_for(region);
        let output = signin::create_token(runtime, &endpoint, &self.profile, &key, &input)
            .map_err(|refusal| match refusal {
                Refusal::LoginAgain(why) => self.login_needed(&why),
                Refusal::Failed(err) => err,
            })?;
        token.apply(&output);
        store(&path, &token)?;
        Ok(output.credentials)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_name_is_botocores() {
        // hashlib.sha256(b"abc").hexdigest(), as generate_login_cache_key hashes.
        assert_eq!(
            cache_file_name("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad.json"
        );
    }

    #[test]
    fn unknown_fields_survive_and_secrets_stay_out_of_debug() {
        let text = r#"{"accessToken":{"accessKeyId":"ASIAX","secretAccessKey":"SECRET1",
            "sessionToken":"SECRET2","accountId":"123456789012","expiresAt":"2099-01-01T00:00:00Z","k":1},
            "tokenType":"aws_sigv4","clientId":"arn:aws:signin:::devtools/same-device",
            "refreshToken":"SECRET3","idToken":"SECRET4","dpopKey":"SECRET5","other":7}"#;
        let token: LoginToken = serde_json::from_str(text).unwrap();
        let creds = token.credentials().unwrap();
        assert_eq!(creds.access_key_id, "ASIAX");
        assert_eq!(creds.session_token.as_deref(), Some("SECRET2"));
        let debug = format!("{token:?}");
        assert!(!debug.contains("SECRET"), "{debug}");
        let back = serde_json::to_value(&token).unwrap();
        assert_eq!(back["other"], 7);
        assert_eq!(back["accessToken"]["k"], 1);
        assert_eq!(back["accessToken"]["accountId"], "123456789012");
    }

    #[test]
    fn credentials_with_control_characters_are_refused() {
        let text = r#"{"accessToken":{"accessKeyId":"AS\nIA","secretAccessKey":"s",
            "sessionToken":"t","expiresAt":"2099-01-01T00:00:00Z"}}"#;
        let token: LoginToken = serde_json::from_str(text).unwrap();
        assert!(token.credentials().is_none());
    }
}

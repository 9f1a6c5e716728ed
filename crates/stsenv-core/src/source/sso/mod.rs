//! IAM Identity Center (SSO): the device-authorization login, the token
//! cache shared with the AWS CLI ([`token`]), role credentials from the
//! portal, and the account/role listing behind `stsenv sso populate`.
//!
//! A role's credentials need a valid access token. A token close to expiry
//! is refreshed with its refresh token (no browser); without one, the user
//! must run `stsenv login` ([`Error::LoginNeeded`], exit 3).

pub mod login;
pub mod oidc;
pub mod populate;
pub mod token;

use std::path::PathBuf;

use aws_sdk_sso::error::{ProvideErrorMetadata, SdkError};
use jiff::Timestamp;

use serde::Serialize;

use crate::aws::client::{invalid_response, sdk_config, service_error, CallContext};
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::profile::config::{AwsConfig, Service};
use crate::store::cache::{self, Cache, LockWait};
use crate::store::untrusted;
use token::CachedToken;

/// A token is refreshed when less than this is left (5 min): role
/// credentials obtained with it must not fail halfway.
pub const TOKEN_REFRESH_MARGIN_SECS: i64 = 300;
/// The scope the AWS CLI asks for when `sso_registration_scopes` is absent.
pub const DEFAULT_SCOPE: &str = "sso:account:access";

/// An IAM Identity Center (SSO) role in an account: the source of an SSO
/// profile. Serialized as its cache identity (see [`crate::plan::step`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SsoRole {
    /// The profile holding the sso_* keys. Not in the identity.
    #[serde(skip)]
    pub profile: String,
    /// `sso_session` name; `None` for the legacy form.
    pub session: Option<String>,
    /// The portal's start URL.
    pub start_url: String,
    /// Region of the Identity Center instance.
    pub sso_region: String,
    /// `sso_registration_scopes` of the session, if any.
    pub registration_scopes: Option<String>,
    /// The account to get credentials for.
    pub account_id: String,
    /// The permission set (role) name.
    pub role_name: String,
    /// The portal API endpoint override (`None`: AWS).
    pub portal_endpoint: Option<String>,
    /// The OIDC API endpoint override (`None`: AWS).
    pub oidc_endpoint: Option<String>,
}

/// The sign-in an SSO profile uses: an `[sso-session NAME]` section, or the
/// legacy `sso_start_url` keys of a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoSession {
    /// The `[sso-session]` name; `None` for the legacy form.
    pub name: Option<String>,
    /// The portal's start URL.
    pub start_url: String,
    /// The Identity Center region.
    pub region: String,
    /// Scopes to register the client with.
    pub scopes: Vec<String>,
    /// The profile the user named (error messages, endpoint_url); `None`
    /// when the session was named by its `[sso-session]` name.
    pub profile: Option<String>,
    /// The portal API endpoint override (`None`: AWS).
    pub portal_endpoint: Option<String>,
    /// The OIDC API endpoint override (`None`: AWS).
    pub oidc_endpoint: Option<String>,
}

impl SsoSession {
    /// The session of an SSO role.
    pub fn of_role(role: &SsoRole) -> SsoSession {
        SsoSession {
            name: role.session.clone(),
            start_url: role.start_url.clone(),
            region: role.sso_region.clone(),
            scopes: parse_scopes(role.registration_scopes.as_deref()),
            profile: Some(role.profile.clone()),
            portal_endpoint: role.portal_endpoint.clone(),
            oidc_endpoint: role.oidc_endpoint.clone(),
        }
    }

    /// The `[sso-session NAME]` section.
    pub fn named(config: &AwsConfig, name: &str) -> Result<SsoSession> {
        if !config.has_sso_session(name) {
            return Err(Error::UnknownSsoSession {
                name: name.to_string(),
                file: config.config_file().to_path_buf(),
                known: config
                    .sso_session_names()
                    .into_iter()
                    .map(str::to_string)
                    .collect(),
            });
        }
        let key = |k: &str| {
            config
                .sso_session_key(name, k)
                .map(str::to_string)
                .ok_or_else(|| Error::InvalidSsoSession {
                    name: name.to_string(),
                    file: config.config_file().to_path_buf(),
                    problem: format!("has no {k}"),
                })
        };
        Ok(SsoSession {
            name: Some(name.to_string()),
            start_url: key("sso_start_url")?,
            region: key("sso_region")?,
            scopes: parse_scopes(config.sso_session_key(name, "sso_registration_scopes")),
            profile: None,
            portal_endpoint: config.endpoint_url(None, Service::Sso),
            oidc_endpoint: config.endpoint_url(None, Service::SsoOidc),
        })
    }

    /// What the token file is named after: the session name, else the start URL.
    pub fn cache_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.start_url)
    }

    /// `~/.aws/sso/cache/<sha1>.json`.
    pub fn token_path(&self) -> PathBuf {
        token::cache_dir().join(token::cache_file_name(self.cache_name()))
    }

    /// The stsenv cache lock serialising logins and refreshes of this session.
    pub fn lock_key(&self) -> String {
        cache::key(&["sso-token", self.cache_name(), &self.start_url])
    }

    /// How the user names this session on the command line.
    pub fn display(&self) -> String {
        match (&self.profile, &self.name) {
            (Some(profile), _) => format!("profile `{profile}`"),
            (None, Some(name)) => format!("sso-session `{name}`"),
            (None, None) => self.start_url.clone(),
        }
    }

    /// The error telling the user to log in.
    pub fn login_needed(&self) -> Error {
        match (&self.profile, &self.name) {
            (Some(profile), _) => Error::LoginNeeded {
                profile: profile.clone(),
            },
            (None, Some(name)) => Error::SessionLoginNeeded {
                session: name.clone(),
            },
            (None, None) => Error::LoginNeeded {
                profile: self.start_url.clone(),
            },
        }
    }

    /// The call context for the portal API (role credentials, listings).
    pub fn portal_ctx(&self) -> CallContext<'_> {
        CallContext {
            profile: self.profile.as_deref().unwrap_or("default"),
            region: &self.region,
            endpoint: self.portal_endpoint.as_deref(),
            secrets: &[],
        }
    }

    /// The call context for the OIDC API (login, token refresh).
    pub fn oidc_ctx(&self) -> CallContext<'_> {
        CallContext {
            profile: self.profile.as_deref().unwrap_or("default"),
            region: &self.region,
            endpoint: self.oidc_endpoint.as_deref(),
            secrets: &[],
        }
    }

    /// The cached token, when it belongs to this start URL.
    pub fn cached_token(&self) -> Option<CachedToken> {
        let token = token::load(&self.token_path())?;
        // A file left by another start URL under the same session name
        // would give a token for the wrong portal.
        match &token.start_url {
            Some(url) if url.trim_end_matches('/') != self.start_url.trim_end_matches('/') => None,
            _ => match token.foreign_scopes() {
                None => Some(token),
                Some(scopes) => {
                    warn_foreign_scopes(&self.token_path(), &scopes);
                    None
                }
            },
        }
    }
}

/// Say once per process why a token file is treated as absent: another
/// tool's token would only earn 401s from the portal.
fn warn_foreign_scopes(path: &std::path::Path, scopes: &[String]) {
    static SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if SAID.swap(true, std::sync::atomic::Ordering::Relaxed) {
        return;
    }
    let shown: Vec<String> = scopes.iter().take(5).map(|s| untrusted::shown(s)).collect();
    crate::warn(&format!(
        "ignoring the SSO token in {}: its scopes [{}] lack {DEFAULT_SCOPE} (another tool, such as an IDE extension, wrote it), so the portal would refuse it; a new login replaces it",
        path.display(),
        shown.join(", ")
    ));
}

/// `sso_registration_scopes = a, b` → `[a, b]`; the AWS CLI's default when absent.
pub fn parse_scopes(value: Option<&str>) -> Vec<String> {
    let scopes: Vec<String> = value
        .unwrap_or(DEFAULT_SCOPE)
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if scopes.is_empty() {
        vec![DEFAULT_SCOPE.to_string()]
    } else {
        scopes
    }
}

/// An access token usable now: the cached one, refreshed first (under the
/// session's lock) when it is within [`TOKEN_REFRESH_MARGIN_SECS`] of expiry
/// and a refresh token and a valid registration exist.
pub fn usable_token(
    session: &SsoSession,
    cache: &Cache,
    runtime: &tokio::runtime::Runtime,
    wait: LockWait<'_>,
) -> Result<String> {
    let now = Timestamp::now();
    let token = session.cached_token();
    if let Some(token) = &token {
        if token.fresh_for(TOKEN_REFRESH_MARGIN_SECS, now) {
            return Ok(token.access_token.clone().expect("fresh implies present"));
        }
    }
    let Some(token) = token.filter(|t| t.can_refresh(now) || t.fresh_for(0, now)) else {
        return Err(session.login_needed());
    };
    if !token.can_refresh(now) {
        // Still valid, just not refreshable: use what is left.
        return Ok(token.access_token.expect("valid implies present"));
    }
    // A `stsenv login` holding the lock waits for a human in the browser:
    // a caller that cannot prompt does not queue behind it (`wait`).
    let _lock = cache.lock_with(&session.lock_key(), wait)?;
    // Another process may have refreshed (or logged in) while we waited.
    let token = session.cached_token().unwrap_or(token);
    if token.fresh_for(TOKEN_REFRESH_MARGIN_SECS, Timestamp::now()) {
        return Ok(token.access_token.expect("fresh implies present"));
    }
    match login::refresh(session, &token, runtime)? {
        Some(access_token) => Ok(access_token),
        None if token.fresh_for(0, Timestamp::now()) => {
            Ok(token.access_token.expect("valid implies present"))
        }
        None => Err(session.login_needed()),
    }
}

/// sso:GetRoleCredentials for `role` with the cached token.
pub fn role_credentials(
    role: &SsoRole,
    cache: &Cache,
    runtime: &tokio::runtime::Runtime,
    wait: LockWait<'_>,
) -> Result<Credentials> {
    let session = SsoSession::of_role(role);
    let access_token = usable_token(&session, cache, runtime, wait)?;
    let ctx = session.portal_ctx();
    runtime.block_on(async {
        let client = aws_sdk_sso::Client::new(&sdk_config(ctx, None));
        let output = client
            .get_role_credentials()
            .account_id(&role.account_id)
            .role_name(&role.role_name)
            .access_token(&access_token)
            .send()
            .await
            .map_err(|e| portal_error(e, &session, "sso:GetRoleCredentials", &access_token))?;
        const OPERATION: &str = "sso:GetRoleCredentials";
        let creds = output
            .role_credentials
            .ok_or_else(|| invalid_response(ctx, OPERATION, "the response has no credentials"))?;
        let (Some(access_key_id), Some(secret_access_key)) =
            (creds.access_key_id, creds.secret_access_key)
        else {
            return Err(invalid_response(
                ctx,
                OPERATION,
                "the response has no access key",
            ));
        };
        let credentials = Credentials {
            access_key_id,
            secret_access_key,
            session_token: creds.session_token,
            // The portal gives milliseconds since the epoch.
            expiration: Timestamp::from_millisecond(creds.expiration).ok(),
        };
        credentials
            .check(Timestamp::now())
            .map_err(|problem| invalid_response(ctx, OPERATION, &problem.to_string()))?;
        Ok(credentials)
    })
}

/// One account/role pair the signed-in user can reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The 12-digit account id.
    pub account_id: String,
    /// The account's display name.
    pub account_name: String,
    /// The permission set (role) name.
    pub role_name: String,
}

/// sso:ListAccounts + sso:ListAccountRoles, every page, sorted by account
/// name then role.
pub fn assignments(
    session: &SsoSession,
    cache: &Cache,
    runtime: &tokio::runtime::Runtime,
) -> Result<Vec<Assignment>> {
    let access_token = usable_token(session, cache, runtime, LockWait::Patient)?;
    runtime.block_on(async {
        let client = aws_sdk_sso::Client::new(&sdk_config(session.portal_ctx(), None));
        let mut accounts = Vec::new();
        let mut next = None;
        loop {
            let page = client
                .list_accounts()
                .access_token(&access_token)
                .set_next_token(next)
                .send()
                .await
                .map_err(|e| portal_error(e, session, "sso:ListAccounts", &access_token))?;
            accounts.extend(page.account_list.unwrap_or_default());
            next = page.next_token.filter(|t| !t.is_empty());
            if next.is_none() {
                break;
            }
        }
        let mut out = Vec::new();
        for account in accounts {
            let Some(account_id) = account.account_id else {
                continue;
            };
            let account_name = account.account_name.unwrap_or_else(|| account_id.clone());
            let mut next = None;
            loop {
                let page = client
                    .list_account_roles()
                    .access_token(&access_token)
                    .account_id(&account_id)
                    .set_next_token(next)
                    .send()
                    .await
                    .map_err(|e| portal_error(e, session, "sso:ListAccountRoles", &access_token))?;
                for role in page.role_list.unwrap_or_default() {
                    if let Some(role_name) = role.role_name {
                        out.push(Assignment {
                            account_id: account_id.clone(),
                            account_name: account_name.clone(),
                            role_name,
                        });
                    }
                }
                next = page.next_token.filter(|t| !t.is_empty());
                if next.is_none() {
                    break;
                }
            }
        }
        out.sort_by(|a, b| {
            (&a.account_name, &a.account_id, &a.role_name).cmp(&(
                &b.account_name,
                &b.account_id,
                &b.role_name,
            ))
        });
        Ok(out)
    })
}

/// Forget the session's token: sso:Logout on the portal (best effort, so
/// the token is revoked server-side too) and delete the token file.
/// Returns whether a token file existed.
pub fn logout(session: &SsoSession, runtime: Option<&tokio::runtime::Runtime>) -> Result<bool> {
    let path = session.token_path();
    if let (Some(runtime), Some(access_token)) =
        (runtime, session.cached_token().and_then(|t| t.access_token))
    {
        let secrets = [access_token.as_str()];
        let ctx = session.portal_ctx().with_secrets(&secrets);
        let result = runtime.block_on(async {
            let client = aws_sdk_sso::Client::new(&sdk_config(ctx, None));
            client.logout().access_token(&access_token).send().await
        });
        if let Err(err) = result {
            // An expired or revoked token cannot log out; the file goes anyway.
            if !matches!(&err, SdkError::ServiceError(_)) {
                crate::warn(&format!(
                    "sso:Logout failed ({}); the local token is deleted anyway",
                    service_error(err, ctx, "sso:Logout")
                ));
            }
        }
    }
    token::remove(&path)
}

/// Portal errors: an unauthorized token means "log in again". The access
/// token the call carried is redacted from what the portal said.
fn portal_error<E, R>(
    err: SdkError<E, R>,
    session: &SsoSession,
    operation: &str,
    access_token: &str,
) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    if err.as_service_error().and_then(|e| e.code()) == Some("UnauthorizedException") {
        return session.login_needed();
    }
    service_error(
        err,
        session.portal_ctx().with_secrets(&[access_token]),
        operation,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_default_and_split() {
        assert_eq!(parse_scopes(None), [DEFAULT_SCOPE]);
        assert_eq!(parse_scopes(Some(" a , b,")), ["a", "b"]);
        assert_eq!(parse_scopes(Some(" ")), [DEFAULT_SCOPE]);
    }
}

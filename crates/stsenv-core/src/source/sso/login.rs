//! `stsenv login`: the OIDC device authorization flow, and token refresh.
//! The terminal side (printing the code, the browser, the spinner, Ctrl-C)
//! is the CLI's, behind [`LoginUi`].

use std::time::{Duration, Instant};

use jiff::Timestamp;

use super::oidc::{self, Poll, Registration};
use super::token::{self, CachedToken};
use super::{SsoSession, TOKEN_REFRESH_MARGIN_SECS};
use crate::credentials::format_rfc3339;
use crate::error::{Error, Result};
use crate::store::cache::Cache;

/// A registration is renewed when it has less than this left (1 h): a
/// device login takes minutes, and refreshes must keep working after it.
const REGISTRATION_MARGIN_SECS: i64 = 3600;
/// How often [`LoginUi::waiting`] is called while waiting between polls.
const TICK: Duration = Duration::from_millis(100);

/// The human side of a login.
pub trait LoginUi {
    /// Show the user where to go and the code to check.
    fn show_code(&self, verification_uri: &str, complete_uri: Option<&str>, user_code: &str);
    /// Called every ~100 ms while waiting for the approval; `false` cancels.
    fn waiting(&self, elapsed: Duration) -> bool;
    /// The wait is over (approved or not).
    fn finished(&self);
}

/// How a login ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginOutcome {
    /// Another process logged in while this one waited for the lock.
    AlreadyValid {
        /// When it expires.
        expires: Timestamp,
    },
    /// The token was renewed with its refresh token, no browser needed.
    Refreshed {
        /// When the new one expires.
        expires: Timestamp,
    },
    /// A new token from the device authorization flow.
    LoggedIn {
        /// When it expires.
        expires: Timestamp,
    },
}

/// The unit of the OIDC polling interval: one second, or in debug builds
/// `STSENV_SSO_POLL_MS` milliseconds (test-only: a stub portal answering
/// `interval: 1` would otherwise make every test wait seconds; a release
/// binary cannot be made to poll the portal faster than it asks).
fn poll_unit() -> Duration {
    #[cfg(debug_assertions)]
    if let Some(ms) = std::env::var("STSENV_SSO_POLL_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        return Duration::from_millis(ms);
    }
    Duration::from_secs(1)
}

/// Log in to `session`, like `aws sso login`: a new token even when the
/// cached one looks valid (it may have been revoked), renewed without a
/// browser when it is close to expiry and a refresh token works. One login
/// at a time per session: the session's lock is held throughout, and a
/// token that changed while this process waited for the lock (another
/// terminal just logged in) is used as is, so twenty terminals asking at
/// once open one browser tab.
pub fn login(
    session: &SsoSession,
    cache: &Cache,
    runtime: &tokio::runtime::Runtime,
    ui: &dyn LoginUi,
) -> Result<LoginOutcome> {
    let before = session.cached_token().and_then(|t| t.access_token);
    let _lock = cache.lock(&session.lock_key())?;
    let cached = session.cached_token();
    let now = Timestamp::now();
    if let Some(token) = &cached {
        let fresh = token.fresh_for(TOKEN_REFRESH_MARGIN_SECS, now);
        if fresh && token.access_token != before {
            return Ok(LoginOutcome::AlreadyValid {
                expires: token.expires().expect("fresh implies an expiry"),
            });
        }
        if !fresh && token.can_refresh(now) && refresh(session, token, runtime)?.is_some() {
            let expires = session
                .cached_token()
                .and_then(|t| t.expires())
                .unwrap_or(now);
            return Ok(LoginOutcome::Refreshed { expires });
        }
    }
    let ctx = session.oidc_ctx();
    // Reuse a registration that stays valid; an expired one is replaced.
    let registration = match cached
        .as_ref()
        .and_then(|t| Some((t, t.registration(REGISTRATION_MARGIN_SECS, now)?)))
    {
        Some((t, (id, secret))) => Registration {
            client_id: id.to_string(),
            client_secret: secret.to_string(),
            expires: t.registration_expires().expect("checked by registration()"),
        },
        None => runtime.block_on(oidc::register(ctx, &session.scopes))?,
    };
    let device = runtime.block_on(oidc::start_device_authorization(
        ctx,
        &registration,
        &session.start_url,
    ))?;
    ui.show_code(
        &device.verification_uri,
        device.verification_uri_complete.as_deref(),
        &device.user_code,
    );
    // Waiting for a human: callers that cannot prompt must not queue behind us.
    let prompting = cache.mark_prompting();
    let result = wait_for_approval(session, runtime, ui, &registration, &device);
    drop(prompting);
    ui.finished();
    let approved = result?;
    let expires = Timestamp::now() + jiff::SignedDuration::from_secs(approved.expires_in);
    let token = CachedToken {
        start_url: Some(session.start_url.clone()),
        region: Some(session.region.clone()),
        access_token: Some(approved.access_token),
        expires_at: Some(format_rfc3339(expires)),
        client_id: Some(registration.client_id.clone()),
        client_secret: Some(registration.client_secret.clone()),
        registration_expires_at: Some(format_rfc3339(registration.expires)),
        refresh_token: approved.refresh_token,
        extra: Default::default(),
    };
    token::store(&session.token_path(), &token)?;
    Ok(LoginOutcome::LoggedIn { expires })
}

fn wait_for_approval(
    session: &SsoSession,
    runtime: &tokio::runtime::Runtime,
    ui: &dyn LoginUi,
    registration: &Registration,
    device: &oidc::DeviceAuthorization,
) -> Result<oidc::Token> {
    let unit = poll_unit();
    let started = Instant::now();
    // The device code's own lifetime bounds the wait (real seconds).
    let deadline = started + Duration::from_secs(device.expires_in.max(1) as u64);
    let mut interval = unit * device.interval.max(1) as u32;
    let failed = |reason: &str| Error::Login {
        target: session.display(),
        reason: reason.to_string(),
    };
    loop {
        let next_poll = Instant::now() + interval;
        while Instant::now() < next_poll {
            if !ui.waiting(started.elapsed()) {
                return Err(Error::Cancelled);
            }
            std::thread::sleep(TICK.min(next_poll.saturating_duration_since(Instant::now())));
        }
        if Instant::now() >= deadline {
            return Err(failed(
                "the code expired before the login was approved; run the login again",
            ));
        }
        match runtime.block_on(oidc::poll_device_token(
            session.oidc_ctx(),
            registration,
            &device.device_code,
        ))? {
            Poll::Token(token) => return Ok(token),
            Poll::Pending => {}
            // RFC 8628 §3.5: add 5 seconds to the interval on slow_down.
            Poll::SlowDown => interval += unit * 5,
            Poll::Expired => {
                return Err(failed(
                    "the code expired before the login was approved; run the login again",
                ))
            }
            Poll::Denied => return Err(failed("the request was denied in the browser")),
        }
    }
}

/// Renew the access token with the refresh token and store it. `Ok(None)`
/// when the server refuses the refresh token (a new login is needed).
/// The caller holds the session's lock.
pub fn refresh(
    session: &SsoSession,
    cached: &CachedToken,
    runtime: &tokio::runtime::Runtime,
) -> Result<Option<String>> {
    let (Some(refresh_token), Some((client_id, client_secret))) = (
        cached.refresh_token.as_deref(),
        cached.registration(0, Timestamp::now()),
    ) else {
        return Ok(None);
    };
    let Some(new) = runtime.block_on(oidc::refresh(
        session.oidc_ctx(),
        client_id,
        client_secret,
        refresh_token,
    ))?
    else {
        return Ok(None);
    };
    let mut token = cached.clone();
    let expires = Timestamp::now() + jiff::SignedDuration::from_secs(new.expires_in);
    token.access_token = Some(new.access_token.clone());
    token.expires_at = Some(format_rfc3339(expires));
    // Servers may rotate the refresh token; keep the old one otherwise.
    if let Some(rotated) = new.refresh_token {
        token.refresh_token = Some(rotated);
    }
    token
        .start_url
        .get_or_insert_with(|| session.start_url.clone());
    token.region.get_or_insert_with(|| session.region.clone());
    token::store(&session.token_path(), &token)?;
    Ok(Some(new.access_token))
}

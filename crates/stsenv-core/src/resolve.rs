//! Execute a [`Plan`]: walk back from the last step to the first one the
//! cache cannot serve, then call forward, caching each step. A cache hit on
//! the last step reads one file and never builds a runtime or SDK client.

use std::cell::OnceCell;

use jiff::Timestamp;

use crate::cache::{self, Cache, Entry, CACHE_VERSION};
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::plan::{Plan, Source, Step};
use crate::sts::{self, CallContext};

/// Role credentials are renewed when less than this is left (10 min),
/// unless `STSENV_REFRESH_MARGIN` says otherwise.
pub const ROLE_REFRESH_MARGIN_SECS: i64 = 600;
/// Overrides [`ROLE_REFRESH_MARGIN_SECS`], in seconds.
pub const REFRESH_MARGIN_VAR: &str = "STSENV_REFRESH_MARGIN";
/// MFA sessions are renewed when less than this is left (15 min), so a role
/// assumed from one always gets a useful lifetime.
pub const MFA_SESSION_REFRESH_MARGIN_SECS: i64 = 900;

/// Asks the human for an MFA code.
pub trait Prompter {
    /// A validated six-digit code for `serial`, or [`Error::MfaNeeded`] when
    /// there is no one to ask.
    fn mfa_code(&self, profile: &str, serial: &str) -> Result<String>;
}

/// How the cache is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheMode {
    /// Read and write (the default).
    Use,
    /// Ignore the cached last step, get new credentials, store them.
    Refresh,
    /// Neither read nor write.
    Bypass,
}

/// The outcome of [`resolve`].
#[derive(Debug, Clone)]
pub struct Resolution {
    /// The credentials.
    pub credentials: Credentials,
    /// Whether they came from the cache without any call.
    pub from_cache: bool,
}

/// Resolve `plan` to credentials.
pub fn resolve(
    plan: &Plan,
    cache: &Cache,
    mode: CacheMode,
    prompter: &dyn Prompter,
) -> Result<Resolution> {
    let resolver = Resolver::new(plan, cache, mode, prompter);
    let credentials = resolver.run()?;
    Ok(Resolution {
        credentials,
        from_cache: resolver.runtime.get().is_none(),
    })
}

/// When the prompt hook should renew credentials that expire at `expiration`.
pub fn refresh_at(plan: &Plan, expiration: Timestamp) -> i64 {
    expiration.as_second() - margin_of(plan.steps.last())
}

/// A current-thread tokio runtime for network calls; built only on a miss.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("cannot start the async runtime", "tokio", e))
}

/// The cache keys of a plan: `keys[0]` for the source, `keys[i]` for step `i`.
pub fn cache_keys(plan: &Plan) -> Vec<String> {
    let mut keys = vec![cache::key(&[&source_identity(&plan.source)])];
    for step in &plan.steps {
        let previous = keys.last().expect("the source key is first").clone();
        keys.push(cache::key(&[&previous, &step_identity(step)]));
    }
    keys
}

/// The cache key of the plan's final credentials.
pub fn final_key(plan: &Plan) -> String {
    cache_keys(plan).pop().expect("at least the source key")
}

fn margin_of(step: Option<&Step>) -> i64 {
    match step {
        Some(Step::SessionToken { .. }) => MFA_SESSION_REFRESH_MARGIN_SECS,
        _ => role_refresh_margin(),
    }
}

/// The role margin: `STSENV_REFRESH_MARGIN` when it is a number of seconds
/// (an unusable value is warned about, not fatal), else 10 minutes.
pub fn role_refresh_margin() -> i64 {
    let Ok(value) = std::env::var(REFRESH_MARGIN_VAR) else {
        return ROLE_REFRESH_MARGIN_SECS;
    };
    match value.trim().parse::<u32>() {
        Ok(secs) => i64::from(secs),
        Err(_) => {
            crate::warn(&format!(
                "{REFRESH_MARGIN_VAR}={value} is not a number of seconds; using {ROLE_REFRESH_MARGIN_SECS}"
            ));
            ROLE_REFRESH_MARGIN_SECS
        }
    }
}

/// Everything about the source that changes the result, and no secret.
fn source_identity(source: &Source) -> String {
    // The endpoints decide who answers (a local emulator or AWS).
    let endpoint = [
        "AWS_ENDPOINT_URL_STS",
        "AWS_ENDPOINT_URL_SSO",
        "AWS_ENDPOINT_URL",
    ]
    .iter()
    .filter_map(|v| std::env::var(v).ok())
    .collect::<Vec<_>>()
    .join(",");
    let source = match source {
        Source::Static { keys, .. } => format!("static\0{}", keys.access_key_id),
        Source::Environment { .. } => format!(
            "env\0{}",
            std::env::var("AWS_ACCESS_KEY_ID").unwrap_or_default()
        ),
        Source::Process { profile, command } => format!("process\0{profile}\0{command}"),
        Source::Sso(role) => format!(
            "sso\0{}\0{}\0{}",
            role.start_url, role.account_id, role.role_name
        ),
        // The profile, not the key: a cache hit must not open the keystore,
        // and sessions made with a rotated key stay valid until they expire.
        Source::Keyring { profile } => format!("keyring\0{profile}"),
    };
    format!("{source}\0{endpoint}")
}

fn step_identity(step: &Step) -> String {
    match step {
        Step::SessionToken {
            mfa_serial,
            duration,
            ..
        } => format!("GetSessionToken\0{mfa_serial}\0{duration}"),
        Step::AssumeRole(r) => format!(
            "AssumeRole\0{}\0{}\0{:?}\0{:?}\0{:?}\0{:?}\0{:?}",
            r.role_arn,
            r.session_name,
            r.external_id,
            r.duration,
            r.mfa_serial,
            r.source_identity,
            r.policy
        ),
        Step::FederationToken {
            name,
            policy,
            duration,
            ..
        } => format!("GetFederationToken\0{name}\0{policy:?}\0{duration:?}"),
    }
}

fn step_kind(step: &Step) -> &'static str {
    match step {
        Step::SessionToken { .. } => "MfaSession",
        Step::AssumeRole(_) => "AssumeRole",
        Step::FederationToken { .. } => "FederationToken",
    }
}

fn step_label(step: &Step) -> String {
    match step {
        Step::SessionToken { mfa_serial, .. } => mfa_serial.clone(),
        Step::AssumeRole(r) => r.role_arn.clone(),
        Step::FederationToken { name, .. } => name.clone(),
    }
}

struct Resolver<'a> {
    plan: &'a Plan,
    cache: &'a Cache,
    mode: CacheMode,
    prompter: &'a dyn Prompter,
    keys: Vec<String>,
    runtime: OnceCell<tokio::runtime::Runtime>,
}

impl<'a> Resolver<'a> {
    fn new(plan: &'a Plan, cache: &'a Cache, mode: CacheMode, prompter: &'a dyn Prompter) -> Self {
        Resolver {
            plan,
            cache,
            mode,
            prompter,
            keys: cache_keys(plan),
            runtime: OnceCell::new(),
        }
    }

    fn run(&self) -> Result<Credentials> {
        self.obtain(self.plan.steps.len())
    }

    /// Credentials after `level` steps (0 = the source).
    fn obtain(&self, level: usize) -> Result<Credentials> {
        if level == 0 && !matches!(self.plan.source, Source::Sso(_)) {
            return self.uncached_source();
        }
        let step = level.checked_sub(1).map(|i| &self.plan.steps[i]);
        let key = &self.keys[level];
        let margin = margin_of(step);
        let may_read = match self.mode {
            CacheMode::Use => true,
            CacheMode::Refresh => level < self.plan.steps.len(),
            CacheMode::Bypass => false,
        };
        if may_read {
            if let Some(hit) = self.cache.get_fresh(key, margin) {
                return Ok(hit);
            }
        }
        // A cache that cannot be locked or written costs speed, never the
        // session: the credentials are still obtained and returned.
        let _lock = match self.mode {
            CacheMode::Bypass => None,
            _ => self
                .cache
                .lock(key)
                .inspect_err(|err| {
                    crate::warn(&format!("{err}; continuing without the cache lock"))
                })
                .ok(),
        };
        // Another process may have refreshed while we waited for the lock.
        if may_read {
            if let Some(hit) = self.cache.get_fresh(key, margin) {
                return Ok(hit);
            }
        }
        let credentials = match step {
            Some(step) => {
                let input = self.obtain(level - 1)?;
                self.call(step, &input)?
            }
            None => self.sso_source()?,
        };
        if self.mode != CacheMode::Bypass {
            if let Err(err) = self.store(key, step, &credentials) {
                crate::warn(&format!("{err}; the session is not cached"));
            }
        }
        Ok(credentials)
    }

    fn store(&self, key: &str, step: Option<&Step>, credentials: &Credentials) -> Result<()> {
        let (profile, kind, label) = match (step, &self.plan.source) {
            (Some(step), _) => (
                step.profile().to_string(),
                step_kind(step),
                step_label(step),
            ),
            (None, Source::Sso(role)) => (
                role.profile.clone(),
                "SsoRole",
                format!("{}/{}", role.account_id, role.role_name),
            ),
            (None, _) => return Ok(()),
        };
        let entry = Entry {
            version: CACHE_VERSION,
            profile,
            kind: kind.to_string(),
            label,
            created: Timestamp::now(),
            credentials: credentials.clone(),
        };
        self.cache.put(key, &entry)
    }

    fn uncached_source(&self) -> Result<Credentials> {
        match &self.plan.source {
            Source::Static { keys, .. } => Ok(Credentials {
                access_key_id: keys.access_key_id.clone(),
                secret_access_key: keys.secret_access_key.clone(),
                session_token: keys.session_token.clone(),
                expiration: None,
            }),
            Source::Environment { profile } => from_environment(profile),
            Source::Process { profile, command } => crate::process::run(profile, command),
            Source::Keyring { profile } => crate::keystore::credentials(profile),
            Source::Sso(_) => unreachable!("SSO sources are cached like steps"),
        }
    }

    fn sso_source(&self) -> Result<Credentials> {
        let Source::Sso(role) = &self.plan.source else {
            unreachable!("only SSO sources are cached")
        };
        crate::sso::role_credentials(role, self.runtime()?)
    }

    fn call(&self, step: &Step, input: &Credentials) -> Result<Credentials> {
        let ctx = CallContext {
            profile: step.profile(),
            region: self.plan.sts_region(),
        };
        // Ask for the code before the runtime exists: nothing waits on the network while a human types.
        let code = match step {
            Step::SessionToken { mfa_serial, .. } => {
                Some(self.prompter.mfa_code(&self.plan.profile, mfa_serial)?)
            }
            Step::AssumeRole(role) => match &role.mfa_serial {
                Some(serial) => Some(self.prompter.mfa_code(&self.plan.profile, serial)?),
                None => None,
            },
            Step::FederationToken { .. } => None,
        };
        let runtime = self.runtime()?;
        match step {
            Step::SessionToken {
                mfa_serial,
                duration,
                ..
            } => runtime.block_on(sts::session_token(
                ctx,
                input,
                mfa_serial,
                code.expect("asked above"),
                *duration,
            )),
            Step::AssumeRole(role) => runtime.block_on(sts::assume_role(ctx, input, role, code)),
            Step::FederationToken {
                name,
                policy,
                duration,
                ..
            } => runtime.block_on(sts::federation_token(
                ctx,
                input,
                name,
                policy.clone(),
                *duration,
            )),
        }
    }

    fn runtime(&self) -> Result<&tokio::runtime::Runtime> {
        if let Some(rt) = self.runtime.get() {
            return Ok(rt);
        }
        let rt = runtime()?;
        Ok(self.runtime.get_or_init(|| rt))
    }
}

/// `credential_source = Environment`.
fn from_environment(profile: &str) -> Result<Credentials> {
    Credentials::from_environment().ok_or_else(|| {
        Error::InvalidInput(format!(
            "profile `{profile}` has credential_source = Environment, but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"
        ))
    })
}

//! Execute a [`Plan`]: walk back from the last step to the first one the
//! cache cannot serve, then call forward, caching each step. A cache hit on
//! the last step reads one file and never builds a runtime or SDK client.

use jiff::Timestamp;

use crate::aws::client::LazyRuntime;
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::plan::Plan;
use crate::store::cache::{self, Cache, Entry, LockWait, CACHE_VERSION};

/// Asks the human (or the profile's `mfa_process`) for an MFA code.
pub trait Prompter {
    /// A validated six-digit code for `serial`, or [`crate::Error::MfaNeeded`]
    /// when there is no one to ask. `mfa_process` is the command the profile
    /// names to print the code, tried before any human.
    fn mfa_code(&self, profile: &str, serial: &str, mfa_process: Option<&str>) -> Result<String>;

    /// Whether this caller may wait for another process that is waiting
    /// for a human (an MFA prompt). A caller that cannot prompt itself
    /// answers `false` and fails at once instead ([`Error::PeerPrompting`]).
    fn may_wait_for_human(&self) -> bool {
        true
    }
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
    /// Whether they came from the cache without any network call.
    pub from_cache: bool,
}

/// Resolve `plan` to credentials.
pub fn resolve(
    plan: &Plan,
    cache: &Cache,
    mode: CacheMode,
    prompter: &dyn Prompter,
) -> Result<Resolution> {
    let resolver = Resolver {
        plan,
        cache,
        mode,
        prompter,
        keys: cache_keys(plan),
        runtime: LazyRuntime::default(),
    };
    let credentials = resolver.obtain(plan.steps.len())?;
    Ok(Resolution {
        credentials,
        from_cache: !resolver.runtime.was_used(),
    })
}

/// When the prompt hook should renew credentials that expire at `expiration`.
pub fn refresh_at(plan: &Plan, expiration: Timestamp) -> i64 {
    let margin = match plan.final_step() {
        Some(step) => step.refresh_margin(),
        None => crate::plan::step::role_refresh_margin(),
    };
    expiration.as_second() - margin
}

/// The cache keys of a plan: `keys[0]` for the source, `keys[i]` for step
/// `i`, each chained to the one before, so a step's key covers everything
/// that led to it. Keys are derived from the plan, never from run-time
/// credentials, so a hit on the last step runs nothing before it.
pub fn cache_keys(plan: &Plan) -> Vec<String> {
    let mut keys = vec![cache::key(&[&plan.source.identity()])];
    for step in &plan.steps {
        let previous = keys.last().cloned().unwrap_or_default();
        keys.push(cache::key(&[&previous, &step.identity()]));
    }
    keys
}

/// The cache key of the plan's final credentials.
pub fn final_key(plan: &Plan) -> String {
    cache_keys(plan).pop().unwrap_or_default()
}

/// How many seconds the cached final credentials of `plan` have left at
/// `now`: `None` when the plan ends in long-term keys, or its credentials
/// are not cached or have expired.
pub fn cached_seconds_left(cache: &Cache, plan: &Plan, now: Timestamp) -> Option<i64> {
    plan.is_temporary()
        .then(|| cache.get(&final_key(plan)))
        .flatten()
        .and_then(|entry| entry.credentials.seconds_left(now))
        .filter(|left| *left > 0)
}

struct Resolver<'a> {
    plan: &'a Plan,
    cache: &'a Cache,
    mode: CacheMode,
    prompter: &'a dyn Prompter,
    keys: Vec<String>,
    runtime: LazyRuntime,
}

impl Resolver<'_> {
    /// How this caller waits for a lock another process holds: a caller
    /// that cannot prompt does not queue behind one that is prompting.
    fn lock_wait(&self) -> LockWait<'_> {
        match self.prompter.may_wait_for_human() {
            true => LockWait::Patient,
            false => LockWait::NotBehindPrompt {
                profile: &self.plan.profile,
            },
        }
    }

    /// Credentials after `level` steps (0 = the source).
    fn obtain(&self, level: usize) -> Result<Credentials> {
        let step = level.checked_sub(1).map(|i| &self.plan.steps[i]);
        if step.is_none() && !self.plan.source.is_cached() {
            // What a source gives is checked like any outside value.
            return self
                .plan
                .source
                .obtain(
                    self.plan.sts_region(),
                    self.cache,
                    &self.runtime,
                    self.lock_wait(),
                )?
                .checked(&self.plan.profile, &self.plan.source.origin());
        }
        let key = &self.keys[level];
        let margin = match step {
            Some(step) => step.refresh_margin(),
            None => crate::plan::step::role_refresh_margin(),
        };
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
        // session: the credentials are still obtained and returned. A caller
        // that cannot prompt does not queue behind one that does.
        let _lock = match self.mode {
            CacheMode::Bypass => None,
            _ => match self.cache.lock_with(key, self.lock_wait()) {
                Ok(lock) => Some(lock),
                Err(err @ Error::PeerPrompting { .. }) => return Err(err),
                Err(err) => {
                    crate::warn(&format!("{err}; continuing without the cache lock"));
                    None
                }
            },
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
                // Ask for the code before the runtime exists: nothing waits
                // on the network while a human types. The locks held say so
                // meanwhile, for callers that cannot wait.
                let prompting = self.cache.mark_prompting();
                let code = step
                    .mfa_serial()
                    .map(|serial| {
                        self.prompter.mfa_code(
                            &self.plan.profile,
                            serial,
                            step.mfa_process.as_deref(),
                        )
                    })
                    .transpose()?;
                drop(prompting);
                let runtime = self.runtime.get()?;
                runtime.block_on(step.execute(self.plan.sts_region(), &input, code))?
            }
            None => self.plan.source.obtain(
                self.plan.sts_region(),
                self.cache,
                &self.runtime,
                self.lock_wait(),
            )?,
        };
        // Never cache or emit what STS or the portal should not have said.
        let origin = match step {
            Some(step) => step.origin(),
            None => self.plan.source.origin(),
        };
        let credentials = credentials.checked(&self.plan.profile, &origin)?;
        if self.mode != CacheMode::Bypass {
            let (profile, kind, label) = match step {
                Some(step) => (step.profile.clone(), step.kind(), step.label()),
                None => {
                    let (kind, label) = self.plan.source.cache_label();
                    (self.plan.source.profile().to_string(), kind, label)
                }
            };
            let entry = Entry {
                version: CACHE_VERSION,
                profile,
                kind: kind.to_string(),
                label,
                created: Timestamp::now(),
                credentials: credentials.clone(),
            };
            if let Err(err) = self.cache.put(key, &entry) {
                crate::warn(&format!("{err}; the session is not cached"));
            }
        }
        Ok(credentials)
    }
}

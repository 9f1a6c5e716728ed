//! Renewal in the background: the thread sleeps until the refresh point of
//! the credentials being served (their expiry minus the refresh margin,
//! `STSENV_REFRESH_MARGIN`), resolves the profile again through the session
//! cache, and replaces what the server answers. Requests never wait for it:
//! until new credentials are in, they get the still-valid ones.
//!
//! When renewing needs a new MFA code (the MFA session ended), it asks once
//! on the terminal, ahead of expiry, saying which command is waiting. When
//! no code can be had (no terminal, `--non-interactive`, STS unreachable,
//! an SSO login needed), it keeps serving the current credentials while
//! they last, retries, and then answers 503 with what to do; the same
//! message is printed once.

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use stsenv_core::credentials::format_rfc3339;
use stsenv_core::plan::resolve::refresh_at;
use stsenv_core::plan::Plan;
use stsenv_core::{Credentials, Error, Result};

use super::{fix_command, resolve, Current, Shared};
use crate::cli::ProfileArgs;
use crate::obtain::Resolved as Session;
use crate::output::human_duration;
use crate::platform::terminal;

/// After the credentials expired, how often renewal is tried again (so a
/// new MFA session or SSO login made in another terminal is picked up).
const RETRY_AFTER_EXPIRY_SECS: i64 = 10;
/// Before expiry, retries come at most this far apart.
const MAX_RETRY_SECS: i64 = 30;
/// The thread re-reads the wall clock at least this often: a monotonic
/// sleep does not count a suspended laptop's time.
const MAX_SLEEP: Duration = Duration::from_secs(30);

/// The renewal thread's state.
pub(super) struct Renewer {
    shared: Arc<Shared>,
    /// The arguments the first resolution used (after `effective`).
    args: ProfileArgs,
    plan: Plan,
    credentials: Credentials,
    expires: Timestamp,
    waiting: String,
    may_prompt: bool,
}

/// An episode of failed renewals.
struct Failure {
    /// Printed on stderr and answered with 503 once the credentials expire.
    message: String,
    /// Whether `message` was printed.
    reported: bool,
}

impl Renewer {
    /// `session` is what the server answers now; `may_prompt` is false
    /// under `--non-interactive`.
    pub(super) fn new(
        shared: Arc<Shared>,
        session: Session,
        waiting: String,
        may_prompt: bool,
    ) -> Renewer {
        let expires = session
            .credentials
            .expiration
            .expect("the server only starts with expiring credentials");
        Renewer {
            shared,
            args: session.args,
            plan: session.plan,
            credentials: session.credentials,
            expires,
            waiting,
            may_prompt,
        }
    }

    /// Renew until the server stops.
    pub(super) fn run(mut self) {
        let mut next = next_renewal(&self.plan, self.expires, Timestamp::now());
        let mut failure: Option<Failure> = None;
        let mut asked = false;
        loop {
            let wake = match &failure {
                Some(f) if !f.reported => next.min(self.expires),
                _ => next,
            };
            if self.sleep_until(wake) {
                return;
            }
            let now = Timestamp::now();
            if let Some(f) = failure.as_mut() {
                if !f.reported && now >= self.expires {
                    crate::output::note(&format!("stsenv: error: {}", f.message));
                    f.reported = true;
                }
            }
            if now < next {
                continue;
            }
            match self.attempt(&mut asked) {
                Ok(session) => {
                    if failure.take().is_some() {
                        crate::output::note(&format!(
                            "stsenv: renewed the credentials for `{}`; serving again",
                            self.plan.profile
                        ));
                    }
                    asked = false;
                    next = self.publish(session);
                }
                Err(err) => {
                    let message = self.unavailable_message(&err);
                    let answer = format!("stsenv: {message}");
                    self.shared.publish(self.shared.current().failed(&answer));
                    if failure.is_none() {
                        self.warn(&err);
                    }
                    failure = Some(Failure {
                        message,
                        reported: failure.is_some_and(|f| f.reported),
                    });
                    next = now + SignedDuration::from_secs(retry_delay(now, self.expires));
                }
            }
        }
    }

    /// One renewal: quietly through the cache; if that needs an MFA code,
    /// once per episode on the terminal, saying who is waiting.
    fn attempt(&self, asked: &mut bool) -> Result<Session> {
        let quiet = ProfileArgs {
            // A code given on the command line was for the first session only.
            token_code: None,
            refresh: false,
            non_interactive: true,
            ..self.args.clone()
        };
        match resolve(&quiet) {
            Err(Error::MfaNeeded { .. }) if self.may_prompt && !*asked && terminal_available() => {
                *asked = true;
                crate::output::note(&format!(
                    "\nstsenv: {} is waiting: the MFA session of `{}` ended; its credentials expire at {} (in {}). Enter a code to keep it running.",
                    self.waiting,
                    self.plan.profile,
                    format_rfc3339(self.expires),
                    human_duration(self.expires.as_second() - Timestamp::now().as_second()),
                ));
                // If the credentials expire while the prompt waits, say so.
                let waiting = format!(
                    "stsenv: the credentials for profile `{}` expired at {}: renewing them waits for an MFA code on the terminal of {}",
                    self.plan.profile,
                    format_rfc3339(self.expires),
                    self.waiting
                );
                self.shared.publish(self.shared.current().failed(&waiting));
                let loud = ProfileArgs {
                    non_interactive: false,
                    ..quiet
                };
                save_terminal(&self.shared);
                let result = resolve(&loud);
                forget_terminal(&self.shared);
                result
            }
            other => other,
        }
    }

    /// Serve `session`'s credentials; returns when to renew next.
    fn publish(&mut self, session: Session) -> Timestamp {
        let now = Timestamp::now();
        let Some(expires) = session.credentials.expiration else {
            // The profile changed under us to long-term keys: keep serving
            // what we have and try again later.
            return now + SignedDuration::from_secs(retry_delay(now, self.expires));
        };
        if session.credentials != self.credentials {
            self.shared
                .publish(Current::new(&session.credentials, expires));
        } else {
            // Same credentials: clear a failure message, if any.
            self.shared
                .publish(Current::new(&self.credentials, self.expires));
        }
        self.args = session.args;
        self.plan = session.plan;
        self.credentials = session.credentials;
        self.expires = expires;
        next_renewal(&self.plan, expires, now)
    }

    /// Sleep until `wake` or until the server stops; true when stopped.
    fn sleep_until(&self, wake: Timestamp) -> bool {
        let mut stopped = self
            .shared
            .stopped
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        loop {
            if *stopped {
                return true;
            }
            let left = wake.duration_since(Timestamp::now());
            if left <= SignedDuration::ZERO {
                return false;
            }
            let slice = Duration::try_from(left).unwrap_or(MAX_SLEEP).min(MAX_SLEEP);
            stopped = self
                .shared
                .wake
                .wait_timeout(stopped, slice)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    fn warn(&self, err: &Error) {
        let cause = match err {
            Error::MfaNeeded { .. } => format!(
                "renewing needs a new MFA code: run `{}` in a terminal",
                fix_command(&self.args, &self.plan.profile)
            ),
            other => other.to_string(),
        };
        crate::output::warn(&format!(
            "cannot renew the credentials for `{}`: {cause}; serving the current ones until {} (in {}) and retrying",
            self.plan.profile,
            format_rfc3339(self.expires),
            human_duration(self.expires.as_second() - Timestamp::now().as_second()),
        ));
    }

    /// What is printed once the credentials expired, and what requests get
    /// then (with a `stsenv: ` prefix, as it shows up in the SDK's error).
    fn unavailable_message(&self, err: &Error) -> String {
        let head = format!(
            "the credentials for profile `{}` expired at {}",
            self.plan.profile,
            format_rfc3339(self.expires)
        );
        match err {
            Error::MfaNeeded { .. } => format!(
                "{head}: renewing them needs a new MFA code; run `{}` in a terminal to enter one, and this server picks up the new session within {RETRY_AFTER_EXPIRY_SECS} s",
                fix_command(&self.args, &self.plan.profile)
            ),
            Error::LoginNeeded { .. }
            | Error::SessionLoginNeeded { .. }
            | Error::SignInNeeded { .. } => format!(
                "{head}: {err}; this server picks up the new login within {RETRY_AFTER_EXPIRY_SECS} s"
            ),
            other => format!(
                "{head} and could not be renewed: {other}; this server retries every {RETRY_AFTER_EXPIRY_SECS} s"
            ),
        }
    }
}

/// When to renew credentials of `plan` expiring at `expires`: at the
/// refresh point; for credentials that live less than the margin, half
/// way to their expiry (never sooner than a second from now).
fn next_renewal(plan: &Plan, expires: Timestamp, now: Timestamp) -> Timestamp {
    let at = refresh_at(plan, expires);
    if at > now.as_second() {
        return Timestamp::from_second(at).unwrap_or(expires);
    }
    let half = (expires.as_second() - now.as_second()) / 2;
    now + SignedDuration::from_secs(half.max(1))
}

/// Seconds until the next try after a failure.
fn retry_delay(now: Timestamp, expires: Timestamp) -> i64 {
    let left = expires.as_second() - now.as_second();
    if left > 0 {
        (left / 4).clamp(1, MAX_RETRY_SECS)
    } else {
        RETRY_AFTER_EXPIRY_SECS
    }
}

/// Whether there is a terminal to ask on.
fn terminal_available() -> bool {
    terminal::available()
}

/// The terminal's settings while an MFA prompt is open.
pub(super) type SavedTerminal = terminal::Saved;

/// Remember the terminal's settings before a prompt turns echo off.
fn save_terminal(shared: &Shared) {
    if let Some(saved) = terminal::save() {
        *shared.tty.lock().unwrap_or_else(|e| e.into_inner()) = Some(saved);
    }
}

/// The prompt ended by itself: nothing to restore.
fn forget_terminal(shared: &Shared) {
    shared.tty.lock().unwrap_or_else(|e| e.into_inner()).take();
}

/// The server stops while a prompt is open (the command ended): give the
/// terminal its echo back, as the prompt will never restore it.
pub(super) fn restore_terminal(shared: &Shared) {
    let saved = shared.tty.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(saved) = saved {
        saved.restore();
        crate::output::note("");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stsenv_core::plan::Overrides;
    use stsenv_core::profile::config::AwsConfig;

    /// A plan ending in an MFA session (its margin is fixed: 900 s).
    fn mfa_plan() -> Plan {
        let config = AwsConfig::from_texts(
            "[profile p]\nmfa_serial = arn:aws:iam::1:mfa/p\nstsenv_mfa_duration = 3600\n",
            "[p]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = s\n",
        )
        .expect("parses");
        let plan = Plan::build(&config, Some("p"), &Overrides::default()).expect("plans");
        assert!(plan.final_step().is_some_and(|s| s.is_mfa_session()));
        plan
    }

    #[test]
    fn renewal_is_at_the_refresh_point_or_half_way_for_short_lives() {
        let now = Timestamp::from_second(1_000_000).unwrap();
        let at = |secs: i64| now + SignedDuration::from_secs(secs);
        let plan = mfa_plan();
        assert_eq!(next_renewal(&plan, at(3600), now), at(3600 - 900));
        // Shorter than the margin: half way, never sooner than a second.
        assert_eq!(next_renewal(&plan, at(600), now), at(300));
        assert_eq!(next_renewal(&plan, at(1), now), at(1));
        assert_eq!(next_renewal(&plan, at(-5), now), at(1));
    }

    #[test]
    fn retries_come_sooner_as_expiry_nears_then_every_ten_seconds() {
        let now = Timestamp::now();
        let at = |secs: i64| now + SignedDuration::from_secs(secs);
        assert_eq!(retry_delay(now, at(600)), 30);
        assert_eq!(retry_delay(now, at(40)), 10);
        assert_eq!(retry_delay(now, at(2)), 1);
        assert_eq!(retry_delay(now, at(0)), 10);
        assert_eq!(retry_delay(now, at(-100)), 10);
    }
}

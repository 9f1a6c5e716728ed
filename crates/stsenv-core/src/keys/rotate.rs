//! `stsenv keys rotate`: replace an IAM user's access key held in the
//! keystore with a new one, so that an interruption at any point (Ctrl-C,
//! a crash, `kill -9`, a lost network) leaves a working key stored.
//!
//! The keystore entry carries the rotation's state ([`Stored`]), written
//! before each step that could lose something:
//!
//! 1. `rotation_started` is stored, then iam:CreateAccessKey is called.
//!    Killed before the new secret is stored, the old key is still the
//!    stored one; the next rotation deletes the orphaned new key (created
//!    right after `rotation_started`: its secret is lost for good).
//! 2. The new key is stored as `pending` next to the old one, which stays
//!    the key in use while the new one is verified (sts:GetCallerIdentity,
//!    retried while IAM propagates the key).
//! 3. The new key becomes the key in use, the old id is kept as `retired`.
//! 4. iam:DeleteAccessKey deletes the old key; `retired` is cleared.
//!
//! Run again after an interruption, `rotate` finishes what was started.
//! With `mfa_serial`, the IAM calls use the profile's MFA session.

use std::time::Duration;

use jiff::Timestamp;

use crate::aws::client::CallContext;
use crate::aws::iam;
use crate::aws::sts;
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::keys::import::kill_point;
use crate::plan::resolve::{self, CacheMode, Prompter};
use crate::plan::source::Source;
use crate::plan::step::mask_key;
use crate::plan::{Overrides, Plan};
use crate::profile::config::AwsConfig;
use crate::profile::config::Service;
use crate::store::cache::Cache;
use crate::store::keystore::{Backend, KeyPair, Stored};

/// Pauses between verification attempts of a new key while IAM propagates
/// it (about a minute in all).
pub const PROPAGATION_DELAYS_SECS: [u64; 7] = [1, 2, 4, 8, 15, 15, 15];

/// A key created more than this long after `rotation_started` is not the
/// interrupted rotation's.
const ORPHAN_WINDOW_SECS: i64 = 600;

/// What a rotation reports as it goes, so an interrupted one has said
/// which key is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// An earlier rotation was interrupted; this one finishes it.
    Resuming {
        /// What is left to do.
        what: String,
    },
    /// A key an interrupted rotation created, whose secret was never stored, was deleted.
    OrphanDeleted {
        /// Its id.
        id: String,
    },
    /// The new key exists in IAM and is stored as pending; the old one is still in use.
    Created {
        /// New key id.
        new: String,
        /// The key still in use.
        old: String,
    },
    /// The new key is not accepted yet; waiting for IAM to propagate it.
    Waiting {
        /// The attempt that failed (1-based).
        attempt: usize,
        /// Seconds until the next one.
        delay_secs: u64,
    },
    /// The new key is verified and is now the stored key in use.
    Stored {
        /// New key id, now in use.
        new: String,
        /// Old key id, still in IAM.
        old: String,
    },
    /// The old key is deleted in IAM.
    Deleted {
        /// Its id.
        old: String,
    },
}

/// How a rotation ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotated {
    /// The IAM user.
    pub user: String,
    /// The key replaced.
    pub old: String,
    /// The key stored now.
    pub new: String,
    /// Whether this run finished an interrupted rotation.
    pub resumed: bool,
}

/// Rotate the access key of `profile`, which must keep its keys in the
/// keystore. `prompter` is asked for an MFA code when the profile has
/// `mfa_serial` and its MFA session is not cached.
pub fn rotate(
    config: &AwsConfig,
    profile: &str,
    cache: &Cache,
    prompter: &dyn Prompter,
    events: &mut dyn FnMut(Event),
) -> Result<Rotated> {
    let plan = Plan::build(config, Some(profile), &Overrides::default())?;
    let only_mfa_session = match plan.steps.as_slice() {
        [] => true,
        [step] => step.is_mfa_session(),
        _ => false,
    };
    let assumes_role = plan.steps.first().is_some_and(|s| s.is_role());
    let role_problem =
        "assumes a role; rotate the keys of the profile that holds them (its source_profile)";
    let problem = match &plan.source {
        Source::Keyring { profile: p, backend } if p == profile && only_mfa_session => {
            Ok(*backend)
        }
        Source::Keyring { .. } => Err(role_problem.to_string()),
        _ if assumes_role => Err(role_problem.to_string()),
        _ => Err(format!(
            "keeps no keys in {}; move them there first with `stsenv keys import {profile}` (or `stsenv keys add {profile}`)",
            Backend::default_choice().name()
        )),
    };
    let backend = problem.map_err(|problem| Error::InvalidProfile {
        profile: profile.to_string(),
        file: plan.file.clone(),
        problem,
    })?;
    let stored = backend
        .load(profile)?
        .ok_or_else(|| backend.no_keys(profile))?;
    let rotation = Rotation {
        profile,
        backend,
        region: plan.sts_region().to_string(),
        iam_endpoint: config.endpoint_url(Some(profile), Service::Iam),
        sts_endpoint: config.endpoint_url(Some(profile), Service::Sts),
        runtime: crate::aws::client::runtime()?,
    };
    // The MFA session (cached, or one code now) for the IAM calls; long-term keys otherwise.
    let mfa_session = match plan.steps.is_empty() {
        true => None,
        false => Some(resolve::resolve(&plan, cache, CacheMode::Use, prompter)?.credentials),
    };
    rotation.run(stored, mfa_session, events)
}

struct Rotation<'a> {
    profile: &'a str,
    backend: Backend,
    region: String,
    /// Where IAM calls go (`None`: AWS).
    iam_endpoint: Option<String>,
    /// Where STS calls go (`None`: AWS).
    sts_endpoint: Option<String>,
    runtime: tokio::runtime::Runtime,
}

impl Rotation<'_> {
    fn ctx(&self) -> CallContext<'_> {
        CallContext {
            profile: self.profile,
            region: &self.region,
            endpoint: self.iam_endpoint.as_deref(),
            secrets: &[],
        }
    }

    fn sts_ctx(&self) -> CallContext<'_> {
        CallContext {
            profile: self.profile,
            region: &self.region,
            endpoint: self.sts_endpoint.as_deref(),
            secrets: &[],
        }
    }

    fn store(&self, stored: &Stored) -> Result<()> {
        self.backend.store(self.profile, stored)
    }

    /// The credentials for IAM calls: the MFA session, else `keys`.
    fn iam_credentials(&self, mfa_session: &Option<Credentials>, keys: &KeyPair) -> Credentials {
        mfa_session.clone().unwrap_or_else(|| keys.credentials())
    }

    fn run(
        &self,
        mut stored: Stored,
        mfa_session: Option<Credentials>,
        events: &mut dyn FnMut(Event),
    ) -> Result<Rotated> {
        let rt = &self.runtime;
        let ctx = self.ctx();
        let identity = rt.block_on(sts::caller_identity(
            self.sts_ctx(),
            &stored.keys.credentials(),
        ))?;
        let user = iam::user_name_of(&identity.arn)
            .ok_or_else(|| self.refuse(format!(
                "its key belongs to {}, not to an IAM user; stsenv rotates IAM users' keys (rotate root keys in the console)",
                identity.arn
            )))?
            .to_string();

        // Finish an interrupted rotation first.
        if let Some(old) = stored.retired.clone() {
            events(Event::Resuming {
                what: format!("delete the replaced key {}", mask_key(&old)),
            });
            let creds = self.iam_credentials(&mfa_session, &stored.keys);
            rt.block_on(iam::delete_access_key(ctx, &creds, &user, &old))?;
            kill_point("deleted");
            events(Event::Deleted { old: old.clone() });
            stored.retired = None;
            self.store(&stored)?;
            return Ok(Rotated {
                user,
                old,
                new: stored.keys.access_key_id,
                resumed: true,
            });
        }
        // A pending key deleted in IAM meanwhile (by hand) is forgotten, and the rotation starts over.
        if let Some(pending) = stored.pending.clone() {
            let creds = self.iam_credentials(&mfa_session, &stored.keys);
            let keys = rt.block_on(iam::list_access_keys(ctx, &creds, &user))?;
            if !keys.iter().any(|k| k.id == pending.access_key_id) {
                stored.pending = None;
                self.store(&stored)?;
            }
        }
        let resumed = stored.pending.is_some();
        let new = match stored.pending.clone() {
            Some(pending) => {
                events(Event::Resuming {
                    what: format!(
                        "verify and use the new key {}, then delete {}",
                        mask_key(&pending.access_key_id),
                        mask_key(&stored.keys.access_key_id)
                    ),
                });
                pending
            }
            None => self.create(&mut stored, &mfa_session, &user, events)?,
        };
        self.verify(&new, &identity.arn, events)?;
        kill_point("verified");

        let old = stored.keys.access_key_id.clone();
        let mut promoted = Stored::new(new.clone());
        promoted.retired = Some(old.clone());
        self.store(&promoted)?;
        events(Event::Stored {
            new: new.access_key_id.clone(),
            old: old.clone(),
        });
        kill_point("stored");

        // Without MFA, the new (verified) key deletes the old one.
        let creds = self.iam_credentials(&mfa_session, &new);
        rt.block_on(iam::delete_access_key(ctx, &creds, &user, &old))?;
        kill_point("deleted");
        events(Event::Deleted { old: old.clone() });
        self.store(&Stored::new(new.clone()))?;
        Ok(Rotated {
            user,
            old,
            new: new.access_key_id,
            resumed,
        })
    }

    /// Make room (delete a key an interrupted rotation orphaned), record
    /// the start, create the new key and store it as pending.
    fn create(
        &self,
        stored: &mut Stored,
        mfa_session: &Option<Credentials>,
        user: &str,
        events: &mut dyn FnMut(Event),
    ) -> Result<KeyPair> {
        let rt = &self.runtime;
        let ctx = self.ctx();
        let creds = self.iam_credentials(mfa_session, &stored.keys);
        let current = stored.keys.access_key_id.clone();
        let keys = rt.block_on(iam::list_access_keys(ctx, &creds, user))?;
        if !keys.iter().any(|k| k.id == current) {
            return Err(self.refuse(format!(
                "the stored key {} is not one of IAM user {user}'s keys",
                mask_key(&current)
            )));
        }
        for other in keys.iter().filter(|k| k.id != current) {
            if is_orphan(stored.rotation_started, other.created) {
                rt.block_on(iam::delete_access_key(ctx, &creds, user, &other.id))?;
                events(Event::OrphanDeleted {
                    id: other.id.clone(),
                });
            } else if keys.len() >= 2 {
                return Err(self.refuse(format!(
                    "IAM user {user} already has two access keys, the stored {} and {}, and IAM allows two. If nothing uses {1} any more, delete it (`aws iam delete-access-key --user-name {user} --access-key-id {}`) and run this again",
                    mask_key(&current),
                    mask_key(&other.id),
                    other.id
                )));
            }
        }
        stored.rotation_started = Some(Timestamp::now().as_second());
        self.store(stored)?;
        kill_point("started");
        let new = rt.block_on(iam::create_access_key(ctx, &creds, user))?;
        kill_point("created");
        stored.pending = Some(new.clone());
        self.store(stored)?;
        events(Event::Created {
            new: new.access_key_id.clone(),
            old: current,
        });
        kill_point("pending");
        Ok(new)
    }

    /// sts:GetCallerIdentity with the new key until it works (IAM takes a
    /// few seconds to accept a new key everywhere); it must be the same user.
    fn verify(&self, new: &KeyPair, arn: &str, events: &mut dyn FnMut(Event)) -> Result<()> {
        let ctx = self.sts_ctx();
        let mut delays = PROPAGATION_DELAYS_SECS.iter().copied().enumerate();
        loop {
            let err = match self
                .runtime
                .block_on(sts::caller_identity(ctx, &new.credentials()))
            {
                Ok(identity) if identity.arn == arn => return Ok(()),
                Ok(identity) => {
                    return Err(self.refuse(format!(
                        "the new key {} belongs to {}, not {arn}; the stored key is unchanged",
                        mask_key(&new.access_key_id),
                        identity.arn
                    )))
                }
                Err(err) => err,
            };
            match delays.next() {
                Some((attempt, delay_secs)) if is_propagation_error(&err) => {
                    events(Event::Waiting {
                        attempt: attempt + 1,
                        delay_secs,
                    });
                    std::thread::sleep(Duration::from_secs(delay_secs));
                }
                _ => {
                    return Err(self.refuse(format!(
                        "the new key {} does not work ({err}); the stored key in use is still the old one. Run `stsenv keys rotate {}` again to retry: the new key is kept",
                        mask_key(&new.access_key_id),
                        self.profile
                    )))
                }
            }
        }
    }

    fn refuse(&self, problem: String) -> Error {
        Error::Keystore {
            profile: Some(self.profile.to_string()),
            problem,
        }
    }
}

/// Whether a key created at `created` is the one an interrupted rotation
/// that started at `started` made.
fn is_orphan(started: Option<i64>, created: Option<Timestamp>) -> bool {
    match (started, created) {
        (Some(started), Some(created)) => {
            let created = created.as_second();
            // Clocks differ a little between this machine and IAM.
            (started - 60..=started + ORPHAN_WINDOW_SECS).contains(&created)
        }
        _ => false,
    }
}

/// The errors a key IAM has not propagated yet produces.
fn is_propagation_error(err: &Error) -> bool {
    matches!(err, Error::Service { code, .. }
        if matches!(code.as_str(), "InvalidClientTokenId" | "SignatureDoesNotMatch" | "AuthFailure" | "InvalidAccessKeyId"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_keys_created_right_after_the_start_are_orphans() {
        let at = |s| Some(Timestamp::from_second(s).unwrap());
        assert!(is_orphan(Some(1_000_000), at(1_000_001)));
        assert!(is_orphan(Some(1_000_000), at(999_950)));
        assert!(!is_orphan(Some(1_000_000), at(1_000_000 + 3600)));
        assert!(!is_orphan(Some(1_000_000), at(900_000)));
        assert!(!is_orphan(None, at(1_000_001)));
        assert!(!is_orphan(Some(1_000_000), None));
    }

    #[test]
    fn propagation_errors_are_retried_others_are_not() {
        let service = |code: &str| Error::Service {
            profile: "p".into(),
            operation: "sts:GetCallerIdentity".into(),
            code: code.into(),
            message: String::new(),
        };
        assert!(is_propagation_error(&service("InvalidClientTokenId")));
        assert!(!is_propagation_error(&service("AccessDenied")));
        assert!(!is_propagation_error(&Error::Unusable("x".into())));
        assert!(PROPAGATION_DELAYS_SECS.iter().sum::<u64>() >= 30);
    }
}

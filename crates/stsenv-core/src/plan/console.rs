//! What a plan means to the console's federation endpoint: where its final
//! credentials come from ([`Origin`]), which partition it lives in, and the
//! session length to ask for. The exchange itself is
//! [`crate::aws::federation`]; this half needs the plan, so it lives here.

use jiff::Timestamp;

use crate::aws::federation::{MAX_SESSION_SECS, MIN_SESSION_SECS};
use crate::aws::partition::Partition;
use crate::credentials::Credentials;
use crate::error::Error;
use crate::plan::source::Source;
use crate::plan::step::Call;
use crate::plan::values::default_session_name;
use crate::plan::Plan;

/// Where a plan's final credentials come from, as the federation endpoint
/// sees them: it decides whether the console accepts them and whether a
/// `SessionDuration` may be asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// sts:AssumeRole with an IAM user's keys (or MFA session), or IAM
    /// Identity Center role credentials: `SessionDuration` applies.
    Role,
    /// sts:AssumeRole with another role's credentials (role chaining): the
    /// endpoint takes no `SessionDuration`; the console session ends with
    /// the credentials (at most 1 h).
    ChainedRole,
    /// sts:GetFederationToken: the console session lasts as long as the
    /// credentials; the endpoint takes no `SessionDuration`.
    FederatedUser,
    /// An IAM user's long-term keys: they cannot sign in to the console as
    /// they are; sts:GetFederationToken must come first.
    LongTermKeys,
    /// sts:GetSessionToken (an MFA session): the endpoint refuses these.
    MfaSession,
    /// credential_process, the environment or temporary keys in a file:
    /// nothing says what they are, so they are passed as they are.
    Unknown,
}

/// The origin of `plan`'s final credentials.
pub fn origin(plan: &Plan) -> Origin {
    match plan.steps.split_last() {
        Some((last, before)) if last.is_role() => match before.last() {
            Some(previous) if previous.is_role() => Origin::ChainedRole,
            Some(_) => Origin::Role,
            None if plan.source.is_role() => Origin::ChainedRole,
            None => Origin::Role,
        },
        Some((last, _)) if last.is_mfa_session() => Origin::MfaSession,
        Some(_) => Origin::FederatedUser,
        None => match &plan.source {
            Source::Sso(_) => Origin::Role,
            Source::Static { keys, .. } if keys.session_token.is_none() => Origin::LongTermKeys,
            _ => Origin::Unknown,
        },
    }
}

/// The error for an MFA-session profile: what the endpoint does with such
/// credentials, and what works instead.
pub fn mfa_session_refused(plan: &Plan) -> Error {
    Error::InvalidProfile {
        profile: plan.profile.clone(),
        file: plan.file.clone(),
        problem: format!(
            "its credentials come from sts:GetSessionToken (an MFA session), and the AWS console's \
             federation endpoint refuses those; sign in as a role instead: add a profile with \
             `role_arn = arn:aws:iam::ACCOUNT:role/NAME` and `source_profile = {}` (the MFA session \
             assumes the role, and the console accepts role credentials), or sign in with the IAM \
             user's password",
            plan.profile
        ),
    }
}

/// The federated user name for a console session of an IAM user:
/// `stsenv-<local user>`, within GetFederationToken's 32 characters.
pub fn federated_user_name() -> String {
    let mut name = default_session_name();
    name.truncate(32);
    name
}

/// The `SessionDuration` to send for credentials of `origin`, and a note
/// when a requested length cannot be honoured. For role credentials it is
/// `requested`, else what is left of the credentials, within 15 min–12 h.
pub fn session_duration(
    origin: Origin,
    requested: Option<u32>,
    credentials: &Credentials,
    now: Timestamp,
) -> (Option<u32>, Option<String>) {
    match origin {
        Origin::Role => {
            let secs = requested.unwrap_or_else(|| {
                let left = credentials.seconds_left(now).unwrap_or(3600);
                left.clamp(i64::from(MIN_SESSION_SECS), i64::from(MAX_SESSION_SECS)) as u32
            });
            (Some(secs), None)
        }
        Origin::ChainedRole => (
            None,
            requested.map(|_| {
                "the federation endpoint takes no session duration for a role assumed with \
                 another role's credentials; the console session ends with them (at most 1 h)"
                    .to_string()
            }),
        ),
        Origin::Unknown => (requested, None),
        // GetFederationToken's own lifetime is the console session's.
        Origin::FederatedUser | Origin::LongTermKeys | Origin::MfaSession => (None, None),
    }
}

/// The partition a plan lives in: its region's, else the one its ARNs name.
pub fn partition(plan: &Plan) -> Partition {
    if let Some(region) = &plan.region {
        return Partition::of_region(region);
    }
    plan.steps
        .iter()
        .find_map(|step| match &step.call {
            Call::AssumeRole(role) => Partition::of_arn(&role.role_arn),
            Call::SessionToken { mfa_serial, .. } => Partition::of_arn(mfa_serial),
            Call::FederationToken(_) => None,
        })
        .unwrap_or(Partition::Aws)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::aws::federation::validate_duration;
    use crate::aws::sts::AssumeRole;
    use crate::plan::source::StaticKeys;
    use crate::plan::step::Step;
    use crate::source::sso::SsoRole;

    fn plan(source: Source, steps: Vec<Step>) -> Plan {
        Plan {
            profile: "p".into(),
            file: PathBuf::from("/config"),
            region: None,
            region_origin: crate::plan::RegionOrigin::Nowhere,
            source,
            steps,
            warnings: Vec::new(),
        }
    }

    fn keys(token: Option<&str>) -> Source {
        Source::Static {
            profile: "base".into(),
            keys: StaticKeys {
                access_key_id: "AKIA".into(),
                secret_access_key: "s".into(),
                session_token: token.map(str::to_string),
            },
        }
    }

    fn role(arn: &str) -> Step {
        let call = Call::AssumeRole(AssumeRole {
            role_arn: arn.into(),
            session_name: "s".into(),
            external_id: None,
            duration: None,
            mfa_serial: None,
            source_identity: None,
            policy: None,
            tags: Default::default(),
        });
        Step {
            profile: "p".into(),
            endpoint: None,
            mfa_process: None,
            call,
        }
    }

    fn mfa() -> Step {
        Step {
            profile: "base".into(),
            endpoint: None,
            mfa_process: None,
            call: Call::SessionToken {
                mfa_serial: "arn:aws-us-gov:iam::1:mfa/a".into(),
                duration: 3600,
            },
        }
    }

    fn sso() -> Source {
        Source::Sso(SsoRole {
            profile: "sso".into(),
            session: None,
            start_url: "https://x".into(),
            sso_region: "eu-west-1".into(),
            registration_scopes: None,
            account_id: "1".into(),
            role_name: "r".into(),
            portal_endpoint: None,
            oidc_endpoint: None,
        })
    }

    #[test]
    fn origins_follow_the_last_step() {
        let arn = "arn:aws:iam::1:role/r";
        assert_eq!(origin(&plan(keys(None), vec![role(arn)])), Origin::Role);
        assert_eq!(
            origin(&plan(keys(None), vec![mfa(), role(arn)])),
            Origin::Role
        );
        assert_eq!(
            origin(&plan(keys(None), vec![role(arn), role(arn)])),
            Origin::ChainedRole
        );
        assert_eq!(origin(&plan(sso(), vec![role(arn)])), Origin::ChainedRole);
        assert_eq!(origin(&plan(sso(), vec![])), Origin::Role);
        assert_eq!(origin(&plan(keys(None), vec![mfa()])), Origin::MfaSession);
        assert_eq!(origin(&plan(keys(None), vec![])), Origin::LongTermKeys);
        assert_eq!(origin(&plan(keys(Some("t")), vec![])), Origin::Unknown);
    }

    #[test]
    fn the_session_duration_defaults_to_what_is_left() {
        let now = Timestamp::from_second(1_000_000).unwrap();
        let creds = |left: i64| Credentials {
            access_key_id: "A".into(),
            secret_access_key: "s".into(),
            session_token: Some("t".into()),
            expiration: Timestamp::from_second(1_000_000 + left).ok(),
        };
        assert_eq!(
            session_duration(Origin::Role, None, &creds(3000), now),
            (Some(3000), None)
        );
        assert_eq!(
            session_duration(Origin::Role, None, &creds(60), now).0,
            Some(MIN_SESSION_SECS)
        );
        assert_eq!(
            session_duration(Origin::Role, None, &creds(100_000), now).0,
            Some(MAX_SESSION_SECS)
        );
        assert_eq!(
            session_duration(Origin::Role, Some(7200), &creds(100), now).0,
            Some(7200)
        );
        let (none, note) = session_duration(Origin::ChainedRole, Some(7200), &creds(100), now);
        assert_eq!(none, None);
        assert!(note.is_some());
        assert_eq!(
            session_duration(Origin::FederatedUser, Some(7200), &creds(100), now),
            (None, None)
        );
        assert!(validate_duration(899).is_err());
        assert!(validate_duration(43_201).is_err());
        assert_eq!(validate_duration(900).unwrap(), 900);
    }

    #[test]
    fn the_partition_comes_from_the_region_or_the_arns() {
        let mut p = plan(keys(None), vec![role("arn:aws-cn:iam::1:role/r")]);
        assert_eq!(partition(&p), Partition::China);
        p.region = Some("us-gov-west-1".into());
        assert_eq!(partition(&p), Partition::GovCloud);
        assert_eq!(
            partition(&plan(keys(None), vec![mfa()])),
            Partition::GovCloud
        );
        assert_eq!(partition(&plan(keys(None), vec![])), Partition::Aws);
    }
}

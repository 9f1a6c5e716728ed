//! What a plan is made of: a [`Source`](crate::plan::source::Source) of first credentials and the
//! [`Step`]s (STS calls) made with them. Each knows everything about itself
//! in one place: how it reads in `explain`, its kind and label in the cache,
//! its cache identity, and how it is carried out.
//!
//! **Cache identity.** A source's or step's identity is its serialized value:
//! every field that can change the result is serialized, so a field added
//! later is part of the key without anyone remembering to add it. Only three
//! kinds of field are left out, each marked `#[serde(skip)]` with the reason:
//! secrets (never written anywhere, not even hashed into a file name), the
//! profile a step is made for (two profiles asking STS for the same thing get
//! the same answer, which lets every role share one MFA session), and what
//! decides whether or how patiently a source is asked but not what it answers
//! (IMDS being disabled, its timeouts, an environment key's expiry).

use serde::Serialize;

use crate::aws::client::CallContext;
use crate::aws::sts::{self, AssumeRole, FederationToken};
use crate::credentials::Credentials;
use crate::error::{Error, Result};

/// STS's limit for a role assumed with another role's credentials.
pub const CHAINED_ROLE_MAX_SECS: u32 = 3600;
/// Default lifetime of an MFA session (GetSessionToken), 12 h.
pub const DEFAULT_MFA_SESSION_SECS: u32 = 43_200;
/// Role credentials are renewed when less than this is left (10 min),
/// unless `STSENV_REFRESH_MARGIN` says otherwise.
pub const ROLE_REFRESH_MARGIN_SECS: i64 = 600;
/// Overrides [`ROLE_REFRESH_MARGIN_SECS`], in seconds.
pub const REFRESH_MARGIN_VAR: &str = "STSENV_REFRESH_MARGIN";
/// MFA sessions are renewed when less than this is left (15 min), so a role
/// assumed from one always gets a useful lifetime.
pub const MFA_SESSION_REFRESH_MARGIN_SECS: i64 = 900;

/// One STS call: the profile it is made for, where it goes, and what it asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// The profile whose settings made this step (named in messages and in
    /// `cache list`). Not in the identity: see the module docs.
    #[serde(skip)]
    pub profile: String,
    /// The STS endpoint (`None`: AWS). In the identity: an emulator's
    /// credentials are not AWS's.
    pub endpoint: Option<String>,
    /// The call and its parameters.
    pub call: Call,
    /// The command that prints the MFA code for this step's device
    /// (`mfa_process`), when the profile names one. Not in the identity: it
    /// only changes how the code is obtained, never what STS answers.
    #[serde(skip)]
    pub mfa_process: Option<String>,
}

/// The STS operations a step can make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Call {
    /// sts:GetSessionToken with MFA: the once-per-session MFA step.
    SessionToken {
        /// The MFA device.
        mfa_serial: String,
        /// Session lifetime.
        duration: u32,
    },
    /// sts:AssumeRole.
    AssumeRole(AssumeRole),
    /// sts:GetFederationToken.
    FederationToken(FederationToken),
}

impl Step {
    /// One line for `stsenv explain`.
    pub fn describe(&self) -> String {
        let mut line = match &self.call {
            Call::SessionToken {
                mfa_serial,
                duration,
            } => format!(
                "sts:GetSessionToken with MFA device {mfa_serial} for {duration} s (one MFA code per session)"
            ),
            Call::AssumeRole(role) => {
                let mut line = format!(
                    "sts:AssumeRole {} as session `{}`",
                    role.role_arn, role.session_name
                );
                match role.duration {
                    Some(d) => line.push_str(&format!(" for {d} s")),
                    None => line.push_str(" for 3600 s (STS default)"),
                }
                if let Some(id) = &role.external_id {
                    line.push_str(&format!(", external id `{id}`"));
                }
                if let Some(serial) = &role.mfa_serial {
                    line.push_str(&format!(", MFA device {serial}"));
                }
                if let Some(si) = &role.source_identity {
                    line.push_str(&format!(", source identity `{si}`"));
                }
                if role.policy.is_some() {
                    line.push_str(", session policy");
                }
                line.push_str(&describe_tags(&role.tags.tags, &role.tags.transitive));
                line
            }
            Call::FederationToken(federation) => {
                let mut line = format!("sts:GetFederationToken as `{}`", federation.name);
                if let Some(d) = federation.duration {
                    line.push_str(&format!(" for {d} s"));
                }
                if federation.policy.is_some() {
                    line.push_str(", session policy");
                }
                for arn in &federation.policy_arns {
                    line.push_str(&format!(", session policy {arn}"));
                }
                line.push_str(&describe_tags(&federation.tags, &[]));
                line
            }
        };
        if let Some(endpoint) = &self.endpoint {
            line.push_str(&format!(" at {endpoint}"));
        }
        if let (Some(process), Some(_)) = (&self.mfa_process, self.mfa_serial()) {
            line.push_str(&format!(", code from mfa_process `{process}`"));
        }
        line
    }

    /// The cache entry kind.
    pub fn kind(&self) -> &'static str {
        match self.call {
            Call::SessionToken { .. } => "MfaSession",
            Call::AssumeRole(_) => "AssumeRole",
            Call::FederationToken(_) => "FederationToken",
        }
    }

    /// The STS operation, for error messages.
    pub fn origin(&self) -> String {
        match self.call {
            Call::SessionToken { .. } => "sts:GetSessionToken",
            Call::AssumeRole(_) => "sts:AssumeRole",
            Call::FederationToken(_) => "sts:GetFederationToken",
        }
        .to_string()
    }

    /// What the step is, without secrets (for `cache list`).
    pub fn label(&self) -> String {
        match &self.call {
            Call::SessionToken { mfa_serial, .. } => mfa_serial.clone(),
            Call::AssumeRole(role) => role.role_arn.clone(),
            Call::FederationToken(federation) => federation.name.clone(),
        }
    }

    /// The MFA device this step asks a code for, if any.
    pub fn mfa_serial(&self) -> Option<&str> {
        match &self.call {
            Call::SessionToken { mfa_serial, .. } => Some(mfa_serial),
            Call::AssumeRole(role) => role.mfa_serial.as_deref(),
            Call::FederationToken(_) => None,
        }
    }

    /// Whether this step gives role credentials (so an AssumeRole on top
    /// is role chaining).
    pub fn is_role(&self) -> bool {
        matches!(self.call, Call::AssumeRole(_))
    }

    /// Whether this is the MFA session step.
    pub fn is_mfa_session(&self) -> bool {
        matches!(self.call, Call::SessionToken { .. })
    }

    /// How long before expiry the step's cached credentials are renewed.
    pub fn refresh_margin(&self) -> i64 {
        match self.call {
            Call::SessionToken { .. } => MFA_SESSION_REFRESH_MARGIN_SECS,
            _ => role_refresh_margin(),
        }
    }

    /// The step's cache identity (see the module docs).
    pub fn identity(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Make the call with `input` credentials, in `region`, with the MFA
    /// `code` when [`Step::mfa_serial`] asked for one.
    pub async fn execute(
        &self,
        region: &str,
        input: &Credentials,
        code: Option<String>,
    ) -> Result<Credentials> {
        // The global endpoint accepts only signatures for us-east-1.
        let region = match self.endpoint.as_deref() {
            Some(sts::GLOBAL_STS_ENDPOINT) => "us-east-1",
            _ => region,
        };
        let ctx = CallContext {
            profile: &self.profile,
            region,
            endpoint: self.endpoint.as_deref(),
            secrets: &[],
        };
        match &self.call {
            Call::SessionToken {
                mfa_serial,
                duration,
            } => {
                let code = code.ok_or_else(|| Error::MfaNeeded {
                    profile: self.profile.clone(),
                    serial: mfa_serial.clone(),
                })?;
                sts::session_token(ctx, input, mfa_serial, code, *duration).await
            }
            Call::AssumeRole(role) => sts::assume_role(ctx, input, role, code).await,
            Call::FederationToken(federation) => {
                sts::federation_token(ctx, input, federation).await
            }
        }
    }
}

/// `, session tags K=V, K2=V2 (transitive: K)` for `explain`; empty
/// without tags. Tags come from the user's files or command line and were
/// checked against STS's alphabet, which has no terminal controls.
fn describe_tags(tags: &[(String, String)], transitive: &[String]) -> String {
    if tags.is_empty() {
        return String::new();
    }
    let pairs: Vec<String> = tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut text = format!(", session tags {}", pairs.join(", "));
    if !transitive.is_empty() {
        text.push_str(&format!(" (transitive: {})", transitive.join(", ")));
    }
    text
}

/// The role margin: `STSENV_REFRESH_MARGIN` when it is a number of seconds
/// (an unusable value is warned about once per process, not fatal), else
/// 10 minutes.
pub fn role_refresh_margin() -> i64 {
    static MARGIN: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    *MARGIN.get_or_init(|| {
        let Ok(value) = std::env::var(REFRESH_MARGIN_VAR) else {
            return ROLE_REFRESH_MARGIN_SECS;
        };
        match value.trim().parse::<u32>() {
            Ok(secs) => i64::from(secs),
            Err(_) => {
                crate::warn(&format!(
                    "{REFRESH_MARGIN_VAR}={} is not a number of seconds; using {ROLE_REFRESH_MARGIN_SECS}",
                    crate::aws::client::printable(&value, 40)
                ));
                ROLE_REFRESH_MARGIN_SECS
            }
        }
    })
}

/// `AKIA…WXYZ`: enough to recognise a key, not enough to use it. A key that
/// is not the usual ASCII shape is never shown, not even in part.
pub fn mask_key(key: &str) -> String {
    let plain = key.chars().all(|c| c.is_ascii_alphanumeric());
    if !plain || key.len() <= 8 {
        return "…".to_string();
    }
    format!("{}…{}", &key[..4], &key[key.len() - 4..])
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;

    use super::*;
    use crate::plan::source::{Source, StaticKeys};
    use crate::profile::session_tags::SessionTags;
    use crate::source::login::LoginSession;
    use crate::source::metadata::{ContainerEndpoint, InstanceMetadata};
    use crate::source::sso::SsoRole;
    use crate::source::web_identity::WebIdentity;
    use crate::store::keystore::Backend;

    #[test]
    fn masked_keys_never_panic_or_leak() {
        assert_eq!(mask_key("AKIAIOSFODNN7EXAMPLE"), "AKIA…MPLE");
        assert_eq!(mask_key("short"), "…");
        assert_eq!(mask_key("ÄKIAIOSFODNN7EXAMPLÉ"), "…");
        assert_eq!(mask_key("AKIA\nIOSFODNN7EXAMPLE"), "…");
    }

    #[test]
    fn secrets_stay_out_of_identity_and_debug() {
        let keys = StaticKeys {
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: "SECRET-s3cr3t".into(),
            session_token: Some("TOKEN-t0k3n".into()),
        };
        let source = Source::Static {
            profile: "p".into(),
            keys,
        };
        for text in [source.identity(), format!("{source:?}")] {
            assert!(
                !text.contains("SECRET") && !text.contains("TOKEN-"),
                "{text}"
            );
        }
        assert!(source.identity().contains("AKIAIOSFODNN7EXAMPLE"));
    }

    /// Cache keys hash these texts: the federation call's, as written
    /// before it had its own struct, must not change (a changed text
    /// silently misses every cached federated session).
    #[test]
    fn federation_identity_is_stable() {
        let step = Step {
            profile: "p".into(),
            endpoint: None,
            call: Call::FederationToken(FederationToken {
                name: "bob".into(),
                policy: None,
                policy_arns: vec!["arn:aws:iam::aws:policy/AdministratorAccess".into()],
                duration: Some(3600),
                tags: Vec::new(),
            }),
            mfa_process: None,
        };
        assert_eq!(
            step.identity(),
            r#"{"endpoint":null,"call":{"FederationToken":{"name":"bob","policy":null,"policy_arns":["arn:aws:iam::aws:policy/AdministratorAccess"],"duration":3600}}}"#
        );
    }

    mod identity {
        //! A step's or source's identity is injective on everything but the
        //! profile: two values that differ in any other field never share a
        //! cache entry, and equal ones always do. The strategies build every
        //! field with a struct literal, so a field added later must be given
        //! a strategy here before this compiles.
        use super::*;
        use proptest::prelude::*;

        fn small() -> impl Strategy<Value = String> {
            prop_oneof![
                Just("a".to_string()),
                Just("b".to_string()),
                Just("a\0b".to_string())
            ]
        }

        fn maybe<T: std::fmt::Debug + Clone>(
            s: impl Strategy<Value = T>,
        ) -> impl Strategy<Value = Option<T>> {
            proptest::option::of(s)
        }

        fn secs() -> impl Strategy<Value = u32> {
            prop_oneof![Just(900u32), Just(3600u32)]
        }

        fn call() -> impl Strategy<Value = Call> {
            prop_oneof![
                (small(), secs()).prop_map(|(mfa_serial, duration)| Call::SessionToken {
                    mfa_serial,
                    duration
                }),
                assume_role().prop_map(Call::AssumeRole),
                federation_token().prop_map(Call::FederationToken),
            ]
        }

        prop_compose! {
            fn assume_role()(
                role_arn in small(),
                session_name in small(),
                external_id in maybe(small()),
                duration in maybe(secs()),
                mfa_serial in maybe(small()),
                source_identity in maybe(small()),
                policy in maybe(small()),
                tags in session_tags()
            ) -> AssumeRole {
                AssumeRole {
                    role_arn,
                    session_name,
                    external_id,
                    duration,
                    mfa_serial,
                    source_identity,
                    policy,
                    tags,
                }
            }
        }

        prop_compose! {
            fn federation_token()(
                name in small(),
                policy in maybe(small()),
                policy_arns in proptest::collection::vec(small(), 0..2),
                duration in maybe(secs()),
                tags in tag_pairs()
            ) -> FederationToken {
                FederationToken {
                    name,
                    policy,
                    policy_arns,
                    duration,
                    tags,
                }
            }
        }

        fn tag_pairs() -> BoxedStrategy<Vec<(String, String)>> {
            proptest::collection::vec((small(), small()), 0..3).boxed()
        }

        fn session_tags() -> BoxedStrategy<SessionTags> {
            (tag_pairs(), proptest::collection::vec(small(), 0..2))
                .prop_map(|(tags, transitive)| SessionTags { tags, transitive })
                .boxed()
        }

        fn step() -> impl Strategy<Value = Step> {
            (small(), maybe(small()), call(), maybe(small())).prop_map(
                |(profile, endpoint, call, mfa_process)| Step {
                    profile,
                    endpoint,
                    call,
                    mfa_process,
                },
            )
        }

        fn keys() -> impl Strategy<Value = StaticKeys> {
            (small(), small(), maybe(small())).prop_map(
                |(access_key_id, secret_access_key, session_token)| StaticKeys {
                    access_key_id,
                    secret_access_key,
                    session_token,
                },
            )
        }

        fn sso_role() -> impl Strategy<Value = SsoRole> {
            (
                small(),
                maybe(small()),
                (small(), small(), maybe(small())),
                (small(), small(), maybe(small()), maybe(small())),
            )
                .prop_map(
                    |(
                        profile,
                        session,
                        (start_url, sso_region, registration_scopes),
                        (account_id, role_name, portal_endpoint, oidc_endpoint),
                    )| SsoRole {
                        profile,
                        session,
                        start_url,
                        sso_region,
                        registration_scopes,
                        account_id,
                        role_name,
                        portal_endpoint,
                        oidc_endpoint,
                    },
                )
        }

        fn web_identity() -> impl Strategy<Value = WebIdentity> {
            (
                small(),
                small(),
                small(),
                small(),
                maybe(secs()),
                maybe(small()),
            )
                .prop_map(
                    |(profile, role_arn, session_name, token_file, duration, endpoint)| {
                        WebIdentity {
                            profile,
                            role_arn,
                            session_name,
                            token_file: token_file.into(),
                            duration,
                            endpoint,
                        }
                    },
                )
        }

        fn imds() -> impl Strategy<Value = InstanceMetadata> {
            (small(), small(), any::<bool>(), 1..3u64, 1..3u32).prop_map(
                |(profile, endpoint, disabled, timeout_secs, attempts)| InstanceMetadata {
                    profile,
                    endpoint,
                    disabled,
                    timeout_secs,
                    attempts,
                },
            )
        }

        fn expiration() -> impl Strategy<Value = Option<Timestamp>> {
            maybe(prop_oneof![
                Just(Timestamp::UNIX_EPOCH),
                Just(Timestamp::MAX)
            ])
        }

        fn source() -> impl Strategy<Value = Source> {
            // Two boxed halves: one flat union of every variant overflows
            // the test thread's stack in debug builds.
            let keyed = prop_oneof![
                (small(), keys()).prop_map(|(profile, keys)| Source::Static { profile, keys }),
                (small(), maybe(keys()), expiration()).prop_map(|(profile, keys, expiration)| {
                    Source::Environment {
                        profile,
                        keys,
                        expiration,
                    }
                }),
                (small(), small())
                    .prop_map(|(profile, command)| Source::Process { profile, command }),
                (small(), any::<bool>()).prop_map(|(profile, file)| Source::Keyring {
                    profile,
                    backend: if file { Backend::File } else { Backend::Os },
                }),
            ]
            .boxed();
            let remote = prop_oneof![
                sso_role().prop_map(Source::Sso),
                (small(), small(), maybe(small())).prop_map(|(profile, session_arn, endpoint)| {
                    Source::Login(LoginSession {
                        profile,
                        session_arn,
                        endpoint,
                    })
                }),
                web_identity().prop_map(Source::WebIdentity),
                imds().prop_map(Source::Imds),
                (small(), maybe(small())).prop_map(|(profile, uri)| Source::Container(
                    ContainerEndpoint { profile, uri }
                )),
            ]
            .boxed();
            prop_oneof![keyed, remote]
        }

        /// The value with what is deliberately not in the identity blanked.
        fn step_essence(step: &Step) -> Step {
            Step {
                profile: String::new(),
                mfa_process: None,
                ..step.clone()
            }
        }

        fn source_essence(source: &Source) -> Source {
            let blank_keys = |k: &StaticKeys| StaticKeys {
                secret_access_key: String::new(),
                session_token: None,
                ..k.clone()
            };
            match source {
                Source::Static { keys, .. } => Source::Static {
                    profile: String::new(),
                    keys: blank_keys(keys),
                },
                Source::Environment { keys, .. } => Source::Environment {
                    profile: String::new(),
                    keys: keys.as_ref().map(blank_keys),
                    expiration: None,
                },
                Source::Process { .. } => source.clone(),
                Source::Sso(role) => Source::Sso(SsoRole {
                    profile: String::new(),
                    ..role.clone()
                }),
                Source::Login(login) => Source::Login(LoginSession {
                    profile: String::new(),
                    ..login.clone()
                }),
                Source::WebIdentity(web) => Source::WebIdentity(WebIdentity {
                    profile: String::new(),
                    ..web.clone()
                }),
                Source::Imds(imds) => Source::Imds(InstanceMetadata {
                    profile: String::new(),
                    disabled: false,
                    timeout_secs: 0,
                    attempts: 0,
                    ..imds.clone()
                }),
                Source::Container(container) => Source::Container(ContainerEndpoint {
                    profile: String::new(),
                    ..container.clone()
                }),
                // The profile is the identity (see the variant).
                Source::Keyring { .. } => source.clone(),
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

            #[test]
            fn every_step_field_but_the_profile_changes_the_identity(a in step(), b in step()) {
                let same = step_essence(&a) == step_essence(&b);
                prop_assert_eq!(same, a.identity() == b.identity(), "{:?} vs {:?}", a, b);
            }

            #[test]
            fn every_source_field_but_profile_and_secrets_changes_the_identity(a in source(), b in source()) {
                let same = source_essence(&a) == source_essence(&b);
                prop_assert_eq!(same, a.identity() == b.identity(), "{:?} vs {:?}", a, b);
            }
        }
    }
}

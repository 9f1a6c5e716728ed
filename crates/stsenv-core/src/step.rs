//! What a plan is made of: a [`Source`] of first credentials and the
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

use std::fmt;

use jiff::Timestamp;
use serde::{Serialize, Serializer};

use crate::aws::{CallContext, LazyRuntime};
use crate::cache::{Cache, LockWait};
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::login_session::LoginSession;
use crate::metadata::{ContainerEndpoint, InstanceMetadata};
use crate::sso::SsoRole;
use crate::sts::{self, AssumeRole};
use crate::web_identity::WebIdentity;

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

/// Long-term (or otherwise fixed) keys. Only the key id is part of the
/// identity and of `Debug`; the secret and token are never serialized.
#[derive(Clone, PartialEq, Eq)]
pub struct StaticKeys {
    /// Access key ID (not secret).
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Session token, when the "static" keys are in fact temporary.
    pub session_token: Option<String>,
}

impl StaticKeys {
    /// The keys as credentials without an expiry.
    pub fn credentials(&self) -> Credentials {
        Credentials {
            access_key_id: self.access_key_id.clone(),
            secret_access_key: self.secret_access_key.clone(),
            session_token: self.session_token.clone(),
            expiration: None,
        }
    }
}

impl Serialize for StaticKeys {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.access_key_id)
    }
}

impl fmt::Debug for StaticKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticKeys")
            .field("access_key_id", &mask_key(&self.access_key_id))
            .finish_non_exhaustive()
    }
}

/// Where the first credentials of a plan come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "source")]
pub enum Source {
    /// `aws_access_key_id` / `aws_secret_access_key` in a profile.
    Static {
        /// The profile holding the keys. Not in the identity: the key id is.
        #[serde(skip)]
        profile: String,
        /// The keys.
        keys: StaticKeys,
    },
    /// `credential_source = Environment`: AWS_ACCESS_KEY_ID etc., read when
    /// the plan is built (`None`: they are not set).
    Environment {
        /// The profile naming the source. Not in the identity: the key id is.
        #[serde(skip)]
        profile: String,
        /// The keys found in the environment.
        keys: Option<StaticKeys>,
        /// `AWS_CREDENTIAL_EXPIRATION`, when set: expired keys are refused,
        /// as the SDKs refuse them. Not in the identity: the key id is.
        #[serde(skip)]
        expiration: Option<Timestamp>,
    },
    /// `credential_process = COMMAND`.
    Process {
        /// The profile.
        profile: String,
        /// The command line, split like a shell would.
        command: String,
    },
    /// IAM Identity Center role credentials.
    Sso(SsoRole),
    /// `login_session`: an `aws login` session in the AWS CLI's login cache.
    Login(LoginSession),
    /// `web_identity_token_file` + `role_arn`: sts:AssumeRoleWithWebIdentity.
    WebIdentity(WebIdentity),
    /// `credential_source = Ec2InstanceMetadata`: the instance role, via IMDSv2.
    Imds(InstanceMetadata),
    /// `credential_source = EcsContainer`: the task or pod role.
    Container(ContainerEndpoint),
    /// Long-term keys in the OS keystore (`stsenv_keyring = true`), read
    /// when used. The identity is the profile, not the key: a cache hit
    /// never opens the keystore, and sessions made before a key rotation
    /// stay valid until they expire.
    Keyring {
        /// The profile whose keys they are.
        profile: String,
    },
}

impl Source {
    /// The profile the source belongs to.
    pub fn profile(&self) -> &str {
        match self {
            Source::Static { profile, .. }
            | Source::Environment { profile, .. }
            | Source::Process { profile, .. }
            | Source::Keyring { profile } => profile,
            Source::Sso(role) => &role.profile,
            Source::Login(login) => &login.profile,
            Source::WebIdentity(web) => &web.profile,
            Source::Imds(imds) => &imds.profile,
            Source::Container(container) => &container.profile,
        }
    }

    /// One line for `stsenv explain`.
    pub fn describe(&self) -> String {
        match self {
            Source::Static { profile, keys } => format!(
                "static keys {} of profile `{profile}`",
                mask_key(&keys.access_key_id)
            ),
            Source::Environment { profile, keys, .. } => format!(
                "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the environment (credential_source of `{profile}`){}",
                match keys {
                    Some(keys) => format!(": {}", mask_key(&keys.access_key_id)),
                    None => ": not set now".to_string(),
                }
            ),
            Source::Process { profile, command } => {
                format!("credential_process of `{profile}`: {command}")
            }
            Source::Sso(role) => format!(
                "sso:GetRoleCredentials {} / {} via {} ({}, token of {}){}",
                role.account_id,
                role.role_name,
                role.start_url,
                role.sso_region,
                role.session
                    .as_deref()
                    .map(|s| format!("sso-session `{s}`"))
                    .unwrap_or_else(|| format!("profile `{}`", role.profile)),
                role.portal_endpoint
                    .as_deref()
                    .map(|e| format!(" at {e}"))
                    .unwrap_or_default(),
            ),
            Source::Login(login) => login.describe(),
            Source::WebIdentity(web) => web.describe(),
            Source::Imds(imds) => imds.describe(),
            Source::Container(container) => container.describe(),
            Source::Keyring { profile } => format!(
                "keys in keyring: profile `{profile}`, read from {} when used",
                crate::keystore::name()
            ),
        }
    }

    /// Where the source's credentials come from, for error messages.
    pub fn origin(&self) -> String {
        match self {
            Source::Static { profile, .. } => format!("the keys of profile `{profile}`"),
            Source::Environment { profile, .. } => {
                format!("the environment (credential_source of profile `{profile}`)")
            }
            Source::Process { profile, .. } => {
                format!("the credential_process of profile `{profile}`")
            }
            Source::Sso(_) => "sso:GetRoleCredentials".to_string(),
            Source::Login(_) => "the aws login session".to_string(),
            Source::WebIdentity(_) => "sts:AssumeRoleWithWebIdentity".to_string(),
            Source::Imds(_) => "the instance metadata service (IMDSv2)".to_string(),
            Source::Container(_) => "the container credentials endpoint".to_string(),
            Source::Keyring { profile } => format!("the keystore entry of profile `{profile}`"),
        }
    }

    /// Whether the source's credentials are cached like a step's: those
    /// that cost an STS or SSO call (SSO, web identity). Keys, the
    /// environment and a credential_process are read afresh every time, and
    /// so are the instance's and container's credentials (a role is always
    /// assumed with them, and that step is cached).
    pub fn is_cached(&self) -> bool {
        matches!(self, Source::Sso(_) | Source::WebIdentity(_))
    }

    /// The cache entry kind and label of a cached source.
    pub fn cache_label(&self) -> (&'static str, String) {
        match self {
            Source::Sso(role) => ("SsoRole", format!("{}/{}", role.account_id, role.role_name)),
            Source::WebIdentity(web) => ("WebIdentity", web.role_arn.clone()),
            Source::Login(login) => ("Login", login.session_arn.clone()),
            Source::Static { keys, .. } => ("Static", mask_key(&keys.access_key_id)),
            Source::Environment { .. } => ("Environment", String::new()),
            Source::Process { command, .. } => ("Process", command.clone()),
            Source::Imds(imds) => ("InstanceMetadata", imds.endpoint.clone()),
            Source::Container(container) => (
                "Container",
                crate::aws::printable(container.uri.as_deref().unwrap_or_default(), 200),
            ),
            Source::Keyring { profile } => ("Keyring", profile.clone()),
        }
    }

    /// The profile holding an IAM user's long-term keys (static keys without
    /// a session token, or keys in the keystore): what GetSessionToken and
    /// GetFederationToken accept.
    pub fn long_term_profile(&self) -> Option<&str> {
        match self {
            Source::Static { profile, keys } if keys.session_token.is_none() => Some(profile),
            Source::Keyring { profile } => Some(profile),
            _ => None,
        }
    }

    /// Whether credentials obtained from this source are role credentials
    /// whose use for AssumeRole is role chaining (STS's 1 h limit): SSO and
    /// web identity roles. An instance profile's credentials are not: AWS
    /// does not count roles of applications on EC2 as role chaining.
    pub fn is_role(&self) -> bool {
        match self {
            Source::Sso(_) | Source::WebIdentity(_) => true,
            Source::Login(login) => login.is_role(),
            _ => false,
        }
    }

    /// The source's cache identity.
    pub fn identity(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Get the source's credentials. `region` is the plan's STS region (web
    /// identity); `cache`, `runtime` and `wait` serve SSO, which takes the
    /// session's lock (as `wait` says) and may refresh its token. Whatever comes from outside stsenv
    /// (a process, the environment) is refused when it cannot be used.
    pub fn obtain(
        &self,
        region: &str,
        cache: &Cache,
        runtime: &LazyRuntime,
        wait: LockWait<'_>,
    ) -> Result<Credentials> {
        match self {
            Source::Static { keys, .. } => Ok(keys.credentials()),
            Source::Environment {
                profile,
                keys,
                expiration,
            } => {
                let keys = keys
                    .as_ref()
                    .ok_or_else(|| Error::MissingEnvironmentCredentials {
                        profile: profile.clone(),
                    })?;
                let credentials = Credentials {
                    expiration: *expiration,
                    ..keys.credentials()
                };
                credentials
                    .check(Timestamp::now())
                    .map_err(|problem| Error::CredentialSource {
                        profile: profile.clone(),
                        origin: "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the environment (credential_source = Environment)".to_string(),
                        problem: format!("{problem} (AWS_CREDENTIAL_EXPIRATION); export fresh credentials"),
                    })?;
                Ok(credentials)
            }
            Source::Process { profile, command } => {
                let credentials = crate::process::run(profile, command)?;
                // The SDKs refuse a credential_process answer that has already expired.
                credentials.check(Timestamp::now()).map_err(|problem| {
                    Error::CredentialProcess {
                        profile: profile.clone(),
                        reason: format!("it printed credentials that cannot be used: {problem}"),
                    }
                })?;
                Ok(credentials)
            }
            Source::Sso(role) => crate::sso::role_credentials(role, cache, runtime.get()?, wait),
            Source::Login(login) => login.credentials(region, cache, runtime, wait),
            Source::WebIdentity(web) => web.obtain(region, runtime.get()?),
            Source::Imds(imds) => imds.obtain(runtime.get()?),
            Source::Container(container) => container.obtain(runtime.get()?),
            Source::Keyring { profile } => crate::keystore::credentials(profile),
        }
    }
}

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
    FederationToken {
        /// Federated user name.
        name: String,
        /// Session policy JSON.
        policy: Option<String>,
        /// Managed session policies (PolicyArns).
        policy_arns: Vec<String>,
        /// Lifetime, when given.
        duration: Option<u32>,
    },
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
                line
            }
            Call::FederationToken {
                name,
                duration,
                policy,
                policy_arns,
            } => {
                let mut line = format!("sts:GetFederationToken as `{name}`");
                if let Some(d) = duration {
                    line.push_str(&format!(" for {d} s"));
                }
                if policy.is_some() {
                    line.push_str(", session policy");
                }
                for arn in policy_arns {
                    line.push_str(&format!(", session policy {arn}"));
                }
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
            Call::FederationToken { .. } => "FederationToken",
        }
    }

    /// The STS operation, for error messages.
    pub fn origin(&self) -> String {
        match self.call {
            Call::SessionToken { .. } => "sts:GetSessionToken",
            Call::AssumeRole(_) => "sts:AssumeRole",
            Call::FederationToken { .. } => "sts:GetFederationToken",
        }
        .to_string()
    }

    /// What the step is, without secrets (for `cache list`).
    pub fn label(&self) -> String {
        match &self.call {
            Call::SessionToken { mfa_serial, .. } => mfa_serial.clone(),
            Call::AssumeRole(role) => role.role_arn.clone(),
            Call::FederationToken { name, .. } => name.clone(),
        }
    }

    /// The MFA device this step asks a code for, if any.
    pub fn mfa_serial(&self) -> Option<&str> {
        match &self.call {
            Call::SessionToken { mfa_serial, .. } => Some(mfa_serial),
            Call::AssumeRole(role) => role.mfa_serial.as_deref(),
            Call::FederationToken { .. } => None,
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
        let ctx = CallContext {
            profile: &self.profile,
            region,
            endpoint: self.endpoint.as_deref(),
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
            Call::FederationToken {
                name,
                policy,
                policy_arns,
                duration,
            } => {
                sts::federation_token(ctx, input, name, policy.clone(), policy_arns, *duration)
                    .await
            }
        }
    }
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
                    crate::aws::printable(&value, 40)
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
    use super::*;

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

    mod identity {
        //! A step's or source's identity is injective on everything but the
        //! profile: two values that differ in any other field never share a
        //! cache entry, and equal ones always do. The strategies build every
        //! field with a struct literal, so a field added later must be given
        //! a strategy here before this compiles.
        use super::super::*;
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
                (
                    small(),
                    small(),
                    maybe(small()),
                    maybe(secs()),
                    maybe(small()),
                    maybe(small()),
                    maybe(small())
                )
                    .prop_map(
                        |(
                            role_arn,
                            session_name,
                            external_id,
                            duration,
                            mfa_serial,
                            source_identity,
                            policy,
                        )| {
                            Call::AssumeRole(AssumeRole {
                                role_arn,
                                session_name,
                                external_id,
                                duration,
                                mfa_serial,
                                source_identity,
                                policy,
                            })
                        }
                    ),
                (
                    small(),
                    maybe(small()),
                    proptest::collection::vec(small(), 0..2),
                    maybe(secs())
                )
                    .prop_map(|(name, policy, policy_arns, duration)| {
                        Call::FederationToken {
                            name,
                            policy,
                            policy_arns,
                            duration,
                        }
                    }),
            ]
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
            prop_oneof![
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
                sso_role().prop_map(Source::Sso),
                web_identity().prop_map(Source::WebIdentity),
                imds().prop_map(Source::Imds),
                (small(), maybe(small())).prop_map(|(profile, uri)| Source::Container(
                    ContainerEndpoint { profile, uri }
                )),
                small().prop_map(|profile| Source::Keyring { profile }),
            ]
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

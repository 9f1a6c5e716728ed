//! The [`Source`] of a plan's first credentials: which of the places in
//! [`crate::source`] (or keys in a file) they come from, how that reads in
//! `explain` and the cache, and its cache identity (see [`crate::plan::step`]
//! for the rule: the serialized value, secrets and profile left out).

use std::fmt;

use jiff::Timestamp;
use serde::{Serialize, Serializer};

use crate::aws::client::LazyRuntime;
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::plan::step::mask_key;
use crate::source::login::LoginSession;
use crate::source::metadata::{ContainerEndpoint, InstanceMetadata};
use crate::source::sso::SsoRole;
use crate::source::web_identity::WebIdentity;
use crate::store::cache::{Cache, LockWait};
use crate::store::keystore::Backend;

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
    /// Long-term keys in a keystore (`stsenv_keyring = true` or `file`), read
    /// when used. The identity is the profile, not the key: a cache hit
    /// never opens the keystore, and sessions made before a key rotation
    /// stay valid until they expire.
    Keyring {
        /// The profile whose keys they are.
        profile: String,
        /// Which keystore (`stsenv_keyring = true` or `file`). Left out of
        /// the identity for the OS keystore, as before the file keystore.
        #[serde(skip_serializing_if = "Backend::is_os")]
        backend: Backend,
    },
}

impl Source {
    /// The profile the source belongs to.
    pub fn profile(&self) -> &str {
        match self {
            Source::Static { profile, .. }
            | Source::Environment { profile, .. }
            | Source::Process { profile, .. }
            | Source::Keyring { profile, .. } => profile,
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
            Source::Keyring { profile, backend } => format!(
                "keys in keyring: profile `{profile}`, read from {} when used",
                backend.name()
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
            Source::Keyring { profile, .. } => format!("the keystore entry of profile `{profile}`"),
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
                crate::aws::client::printable(container.uri.as_deref().unwrap_or_default(), 200),
            ),
            Source::Keyring { profile, .. } => ("Keyring", profile.clone()),
        }
    }

    /// The profile holding an IAM user's long-term keys (static keys without
    /// a session token, or keys in the keystore): what GetSessionToken and
    /// GetFederationToken accept.
    pub fn long_term_profile(&self) -> Option<&str> {
        match self {
            Source::Static { profile, keys } if keys.session_token.is_none() => Some(profile),
            Source::Keyring { profile, .. } => Some(profile),
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
    /// identity, the Sign-In endpoint of an `aws login` session); `cache`,
    /// `runtime` and `wait` serve SSO and `aws login` sessions, which take
    /// the session's lock (as `wait` says) and may refresh their token. Whatever comes from outside stsenv
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
                let credentials = crate::source::process::run(profile, command)?;
                // The SDKs refuse a credential_process answer that has already expired.
                credentials.check(Timestamp::now()).map_err(|problem| {
                    Error::CredentialProcess {
                        profile: profile.clone(),
                        reason: format!("it printed credentials that cannot be used: {problem}"),
                    }
                })?;
                Ok(credentials)
            }
            Source::Sso(role) => {
                crate::source::sso::role_credentials(role, cache, runtime.get()?, wait)
            }
            Source::Login(login) => login.credentials(region, cache, runtime, wait),
            Source::WebIdentity(web) => web.obtain(region, runtime.get()?),
            Source::Imds(imds) => imds.obtain(runtime.get()?),
            Source::Container(container) => container.obtain(runtime.get()?),
            Source::Keyring { profile, backend } => backend.credentials(profile),
        }
    }
}

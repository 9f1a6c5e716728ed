//! A profile becomes a [`Plan`]: where the first credentials come from
//! ([`Source`]) and the STS calls made with them, in order ([`Step`]). Plans
//! are built before any network call, so every configuration error surfaces
//! at once with the profile and file named.

use std::fmt;
use std::path::PathBuf;

use aws_config::profile::Profile;

use crate::config::{default_profile_name, AwsConfig};
use crate::error::{Error, Result};

/// STS's limit for a role assumed with another role's credentials.
pub const CHAINED_ROLE_MAX_SECS: u32 = 3600;
/// Default lifetime of an MFA session (GetSessionToken), 12 h.
pub const DEFAULT_MFA_SESSION_SECS: u32 = 43_200;

/// What the user asked for on the command line, on top of the profile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// Assume this role; the profile becomes its source.
    pub role_arn: Option<String>,
    /// The profile whose credentials assume `role_arn`.
    pub source_profile: Option<String>,
    /// MFA device for the target.
    pub mfa_serial: Option<String>,
    /// Session duration of the final step.
    pub duration: Option<u32>,
    /// Role session name.
    pub session_name: Option<String>,
    /// External ID for the role.
    pub external_id: Option<String>,
    /// Region for the STS calls and AWS_REGION.
    pub region: Option<String>,
    /// GetFederationToken with this federated user name.
    pub federation: Option<String>,
    /// Session policy JSON (the file's contents).
    pub policy: Option<String>,
    /// Source identity for AssumeRole.
    pub source_identity: Option<String>,
}

/// Ordered credential steps for one profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The profile asked for (for ad-hoc roles: the source profile).
    pub profile: String,
    /// The file that defines it.
    pub file: PathBuf,
    /// The region to export, when the profile or the options name one.
    pub region: Option<String>,
    /// Where the first credentials come from.
    pub source: Source,
    /// STS calls made with them, in order.
    pub steps: Vec<Step>,
    /// Things the user should know (clamped durations, …).
    pub warnings: Vec<String>,
}

/// Long-term static keys, kept out of `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct StaticKeys {
    /// Access key ID (not secret).
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Session token, when the "static" keys are in fact temporary.
    pub session_token: Option<String>,
}

impl fmt::Debug for StaticKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticKeys")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// An IAM Identity Center (SSO) role in an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoRole {
    /// The profile holding the sso_* keys.
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
}

/// Where the first credentials of a plan come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `aws_access_key_id` / `aws_secret_access_key` in a profile.
    Static {
        /// The profile holding the keys.
        profile: String,
        /// The keys.
        keys: StaticKeys,
    },
    /// `credential_source = Environment`: AWS_ACCESS_KEY_ID etc. at run time.
    Environment {
        /// The profile naming the source.
        profile: String,
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
    /// Long-term keys in the OS keystore (`stsenv_keyring = true`), read when used.
    Keyring {
        /// The profile whose keys they are.
        profile: String,
    },
}

/// One STS call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// sts:GetSessionToken with MFA: the once-per-session MFA step.
    SessionToken {
        /// The profile whose `mfa_serial` asked for it.
        profile: String,
        /// The MFA device.
        mfa_serial: String,
        /// Session lifetime.
        duration: u32,
    },
    /// sts:AssumeRole.
    AssumeRole(AssumeRole),
    /// sts:GetFederationToken.
    FederationToken {
        /// The profile whose keys call it.
        profile: String,
        /// Federated user name.
        name: String,
        /// Session policy JSON.
        policy: Option<String>,
        /// Lifetime, when given.
        duration: Option<u32>,
    },
}

/// The parameters of one sts:AssumeRole call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumeRole {
    /// The profile holding `role_arn`.
    pub profile: String,
    /// The role.
    pub role_arn: String,
    /// RoleSessionName.
    pub session_name: String,
    /// ExternalId.
    pub external_id: Option<String>,
    /// DurationSeconds (STS's default, 1 h, when `None`).
    pub duration: Option<u32>,
    /// MFA device passed to AssumeRole itself (when no MFA session step precedes).
    pub mfa_serial: Option<String>,
    /// SourceIdentity.
    pub source_identity: Option<String>,
    /// Session policy JSON.
    pub policy: Option<String>,
}

/// Kinds shown by `stsenv profiles`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileKind {
    /// Long-term keys.
    Static,
    /// Keys + MFA session.
    Mfa,
    /// A role (any source).
    Role,
    /// IAM Identity Center.
    Sso,
    /// credential_process.
    Process,
    /// Environment variables.
    Environment,
}

impl ProfileKind {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProfileKind::Static => "static",
            ProfileKind::Mfa => "mfa",
            ProfileKind::Role => "role",
            ProfileKind::Sso => "sso",
            ProfileKind::Process => "process",
            ProfileKind::Environment => "env",
        }
    }
}

impl Plan {
    /// Build the plan for `profile` (default: `AWS_PROFILE`, then `default`).
    pub fn build(config: &AwsConfig, profile: Option<&str>, overrides: &Overrides) -> Result<Plan> {
        Planner { config, overrides }.build(profile)
    }

    /// The region for STS calls: the plan's, else `us-east-1` (STS's global endpoint).
    pub fn sts_region(&self) -> &str {
        self.region.as_deref().unwrap_or("us-east-1")
    }

    /// What kind of profile this is, for listings.
    pub fn kind(&self) -> ProfileKind {
        let has_role = self.steps.iter().any(|s| matches!(s, Step::AssumeRole(_)));
        let has_mfa = self
            .steps
            .iter()
            .any(|s| matches!(s, Step::SessionToken { .. }));
        match (&self.source, has_role, has_mfa) {
            (_, true, _) => ProfileKind::Role,
            (Source::Static { .. } | Source::Keyring { .. }, false, true) => ProfileKind::Mfa,
            (Source::Static { .. } | Source::Keyring { .. }, ..) => ProfileKind::Static,
            (Source::Sso(_), ..) => ProfileKind::Sso,
            (Source::Process { .. }, ..) => ProfileKind::Process,
            (Source::Environment { .. }, ..) => ProfileKind::Environment,
        }
    }

    /// Whether using this plan yields temporary credentials (something to renew).
    pub fn is_temporary(&self) -> bool {
        !self.steps.is_empty()
            || !matches!(self.source, Source::Static { .. } | Source::Keyring { .. })
    }
}

impl Source {
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

    /// One line for `stsenv explain`.
    pub fn describe(&self) -> String {
        match self {
            Source::Static { profile, keys } => format!(
                "static keys {} of profile `{profile}`",
                mask_key(&keys.access_key_id)
            ),
            Source::Environment { profile } => format!(
                "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the environment (credential_source of `{profile}`)"
            ),
            Source::Process { profile, command } => {
                format!("credential_process of `{profile}`: {command}")
            }
            Source::Sso(role) => format!(
                "sso:GetRoleCredentials {} / {} via {} ({}, token of {})",
                role.account_id,
                role.role_name,
                role.start_url,
                role.sso_region,
                role.session
                    .as_deref()
                    .map(|s| format!("sso-session `{s}`"))
                    .unwrap_or_else(|| format!("profile `{}`", role.profile)),
            ),
            Source::Keyring { profile } => format!(
                "keys in keyring: profile `{profile}`, read from {} when used",
                crate::keystore::name()
            ),
        }
    }
}

impl Step {
    /// One line for `stsenv explain`.
    pub fn describe(&self) -> String {
        match self {
            Step::SessionToken {
                mfa_serial,
                duration,
                ..
            } => format!(
                "sts:GetSessionToken with MFA device {mfa_serial} for {duration} s (one MFA code per session)"
            ),
            Step::AssumeRole(role) => {
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
            Step::FederationToken {
                name,
                duration,
                policy,
                ..
            } => {
                let mut line = format!("sts:GetFederationToken as `{name}`");
                if let Some(d) = duration {
                    line.push_str(&format!(" for {d} s"));
                }
                if policy.is_some() {
                    line.push_str(", session policy");
                }
                line
            }
        }
    }

    /// The profile whose settings (endpoint_url, …) apply to this call.
    pub fn profile(&self) -> &str {
        match self {
            Step::SessionToken { profile, .. } | Step::FederationToken { profile, .. } => profile,
            Step::AssumeRole(role) => &role.profile,
        }
    }
}

/// `AKIA…WXYZ`: enough to recognise a key, not enough to use it.
pub fn mask_key(key: &str) -> String {
    if key.len() <= 8 {
        return "…".to_string();
    }
    format!("{}…{}", &key[..4], &key[key.len() - 4..])
}

struct Planner<'a> {
    config: &'a AwsConfig,
    overrides: &'a Overrides,
}

/// A source and the steps on top of it, while a chain is being walked.
struct Chain {
    source: Source,
    steps: Vec<Step>,
    warnings: Vec<String>,
}

impl Chain {
    /// Whether the credentials at the end are a role's (so AssumeRole on top is role chaining).
    fn ends_in_role(&self) -> bool {
        match self.steps.last() {
            Some(step) => matches!(step, Step::AssumeRole(_)),
            None => matches!(self.source, Source::Sso(_)),
        }
    }
}

impl Planner<'_> {
    fn build(&self, profile: Option<&str>) -> Result<Plan> {
        let ov = self.overrides;
        let name = match (&ov.role_arn, &ov.source_profile, profile) {
            (Some(_), Some(source), _) => source.clone(),
            (_, _, Some(name)) => name.to_string(),
            _ => default_profile_name(),
        };
        let mut chain = if let Some(role_arn) = &ov.role_arn {
            let mut chain = self.walk(&name, &mut Vec::new(), false)?;
            self.push_role(&mut chain, &name, role_arn, None, true)?;
            chain
        } else {
            self.walk(&name, &mut Vec::new(), true)?
        };
        if let Some(federated) = &ov.federation {
            self.push_federation(&mut chain, &name, federated)?;
        }
        let region = match &ov.region {
            Some(region) => Some(validate_region(region, &name, self.config)?),
            None => self.region_of(&name),
        };
        Ok(Plan {
            profile: name.clone(),
            file: self.config.file_of(&name).to_path_buf(),
            region,
            source: chain.source,
            steps: chain.steps,
            warnings: chain.warnings,
        })
    }

    fn region_of(&self, name: &str) -> Option<String> {
        let profile = self.config.profile(name).ok()?;
        profile.get("region").map(str::to_string)
    }

    /// Walk `name` down its source_profile chain. `is_target` applies the
    /// command-line overrides to this profile.
    fn walk(&self, name: &str, visited: &mut Vec<String>, is_target: bool) -> Result<Chain> {
        if let Some(pos) = visited.iter().position(|seen| seen == name) {
            let mut cycle = visited[pos..].to_vec();
            cycle.push(name.to_string());
            return Err(Error::SourceCycle {
                chain: cycle,
                file: self.config.file_of(name).to_path_buf(),
            });
        }
        let profile = match (self.config.profile(name), visited.last()) {
            (Ok(profile), _) => profile,
            (Err(_), Some(parent)) => {
                return Err(Error::DanglingSource {
                    profile: parent.clone(),
                    source_name: name.to_string(),
                    file: self.config.file_of(parent).to_path_buf(),
                })
            }
            (Err(err), None) => return Err(err),
        };
        visited.push(name.to_string());
        let overrides = is_target.then_some(self.overrides);
        if let Some(role_arn) = profile.get("role_arn") {
            let mut chain = self.role_source(name, profile, visited)?;
            self.push_role(&mut chain, name, role_arn, Some(profile), is_target)?;
            return Ok(chain);
        }
        let mut chain = self.base_source(name, profile)?;
        let mfa_serial = overrides
            .and_then(|o| o.mfa_serial.as_deref())
            .or(profile.get("mfa_serial"));
        if let (Some(serial), Some(_)) = (mfa_serial, chain.source.long_term_profile()) {
            let duration = self.mfa_duration(name, profile, is_target)?;
            chain.steps.push(Step::SessionToken {
                profile: name.to_string(),
                mfa_serial: serial.to_string(),
                duration,
            });
        }
        Ok(chain)
    }

    /// The credentials a role profile starts from.
    fn role_source(
        &self,
        name: &str,
        profile: &Profile,
        visited: &mut Vec<String>,
    ) -> Result<Chain> {
        match (profile.get("source_profile"), profile.get("credential_source")) {
            (Some(_), Some(_)) => Err(self.invalid(
                name,
                "has both source_profile and credential_source; keep one",
            )),
            // A role may name itself as source: its own static keys start the chain.
            (Some(source), None) if source == name => self.base_source(name, profile),
            (Some(source), None) => self.walk(source, visited, false),
            (None, Some("Environment")) => Ok(Chain {
                source: Source::Environment {
                    profile: name.to_string(),
                },
                steps: Vec::new(),
                warnings: Vec::new(),
            }),
            (None, Some(other)) => Err(self.invalid(
                name,
                &format!(
                    "credential_source = {other} is not supported by stsenv; use Environment or a source_profile"
                ),
            )),
            (None, None) => Err(self.invalid(
                name,
                "has role_arn but no source_profile or credential_source; add `source_profile = <profile with keys>`",
            )),
        }
    }

    /// A profile without role_arn: SSO, credential_process or static keys.
    fn base_source(&self, name: &str, profile: &Profile) -> Result<Chain> {
        let source = if profile.get("sso_session").is_some()
            || profile.get("sso_start_url").is_some()
        {
            Source::Sso(self.sso_role(name, profile)?)
        } else if profile.get("aws_access_key_id").is_none() && crate::keystore::is_marked(profile)
        {
            // Before credential_process: the AWS CLI's line for this very
            // profile is `credential_process = stsenv credential-process NAME`.
            Source::Keyring {
                profile: name.to_string(),
            }
        } else if let Some(command) = profile.get("credential_process") {
            Source::Process {
                profile: name.to_string(),
                command: command.to_string(),
            }
        } else if let Some(access_key_id) = profile.get("aws_access_key_id") {
            let secret = profile.get("aws_secret_access_key").ok_or_else(|| {
                self.invalid(name, "has aws_access_key_id but no aws_secret_access_key")
            })?;
            Source::Static {
                profile: name.to_string(),
                keys: StaticKeys {
                    access_key_id: access_key_id.to_string(),
                    secret_access_key: secret.to_string(),
                    session_token: profile.get("aws_session_token").map(str::to_string),
                },
            }
        } else {
            return Err(self.invalid(
                name,
                "has no credentials: add aws_access_key_id/aws_secret_access_key, role_arn + source_profile, sso_session, or credential_process",
            ));
        };
        Ok(Chain {
            source,
            steps: Vec::new(),
            warnings: Vec::new(),
        })
    }

    fn sso_role(&self, name: &str, profile: &Profile) -> Result<SsoRole> {
        let session = profile.get("sso_session").map(str::to_string);
        let from_session = |key: &str| {
            session
                .as_deref()
                .and_then(|s| self.config.sso_session_key(s, key))
        };
        if let Some(s) = &session {
            if !self.config.has_sso_session(s) {
                return Err(self.invalid(
                    name,
                    &format!("has sso_session = {s}, but there is no [sso-session {s}] section"),
                ));
            }
        }
        let required = |key: &str, value: Option<&str>| {
            value.map(str::to_string).ok_or_else(|| {
                self.invalid(name, &format!("is an SSO profile but {key} is missing"))
            })
        };
        Ok(SsoRole {
            profile: name.to_string(),
            start_url: required(
                "sso_start_url",
                from_session("sso_start_url").or(profile.get("sso_start_url")),
            )?,
            sso_region: required(
                "sso_region",
                from_session("sso_region").or(profile.get("sso_region")),
            )?,
            registration_scopes: from_session("sso_registration_scopes").map(str::to_string),
            account_id: required("sso_account_id", profile.get("sso_account_id"))?,
            role_name: required("sso_role_name", profile.get("sso_role_name"))?,
            session,
        })
    }

    /// Add the AssumeRole step of `name` (or of the ad-hoc `--role-arn`).
    fn push_role(
        &self,
        chain: &mut Chain,
        name: &str,
        role_arn: &str,
        profile: Option<&Profile>,
        is_target: bool,
    ) -> Result<()> {
        let ov = is_target.then_some(self.overrides);
        let key = |k: &str| profile.and_then(|p| p.get(k));
        if !role_arn.starts_with("arn:") {
            return Err(self.invalid(
                name,
                &format!("role_arn `{role_arn}` is not an ARN (arn:aws:iam::ACCOUNT:role/NAME)"),
            ));
        }
        let mut duration = match ov.and_then(|o| o.duration) {
            Some(d) => Some(d),
            None => parse_secs(key("duration_seconds"), "duration_seconds")
                .map_err(|p| self.invalid(name, &p))?,
        };
        if let Some(d) = duration {
            if !(900..=43_200).contains(&d) {
                return Err(self.invalid(
                    name,
                    &format!("duration {d} s is outside STS's 900–43200 s for roles"),
                ));
            }
        }
        if chain.ends_in_role() && duration.is_some_and(|d| d > CHAINED_ROLE_MAX_SECS) {
            chain.warnings.push(format!(
                "profile `{name}`: {} s exceeds STS's 1 h limit for a role assumed with another role's credentials; using 3600 s",
                duration.unwrap_or_default()
            ));
            duration = Some(CHAINED_ROLE_MAX_SECS);
        }
        let session_name = ov
            .and_then(|o| o.session_name.clone())
            .or_else(|| key("role_session_name").map(str::to_string))
            .unwrap_or_else(default_session_name);
        validate_session_name(&session_name).map_err(|p| self.invalid(name, &p))?;
        let external_id = ov
            .and_then(|o| o.external_id.clone())
            .or_else(|| key("external_id").map(str::to_string));
        let mfa_serial = ov
            .and_then(|o| o.mfa_serial.clone())
            .or_else(|| key("mfa_serial").map(str::to_string));
        // The aws-vault model: long-term keys + MFA become an MFA session once,
        // and roles are assumed from it without asking for a code again.
        let long_term = chain.source.long_term_profile().map(str::to_string);
        let mfa_serial = match (&mfa_serial, long_term, chain.steps.is_empty()) {
            (Some(serial), Some(source_profile), true) => {
                let source = self.config.profile(&source_profile)?;
                let duration = self.mfa_duration(&source_profile, source, false)?;
                chain.steps.push(Step::SessionToken {
                    profile: source_profile,
                    mfa_serial: serial.clone(),
                    duration,
                });
                None
            }
            // The source already is an MFA session for this device.
            (Some(serial), _, false) if matches!(chain.steps.last(), Some(Step::SessionToken { mfa_serial, .. }) if mfa_serial == serial) => {
                None
            }
            _ => mfa_serial,
        };
        chain.steps.push(Step::AssumeRole(AssumeRole {
            profile: name.to_string(),
            role_arn: role_arn.to_string(),
            session_name,
            external_id,
            duration,
            mfa_serial,
            source_identity: ov
                .and_then(|o| o.source_identity.clone())
                .or_else(|| key("source_identity").map(str::to_string)),
            policy: ov.and_then(|o| o.policy.clone()),
        }));
        Ok(())
    }

    fn push_federation(&self, chain: &mut Chain, name: &str, federated: &str) -> Result<()> {
        match (chain.source.long_term_profile(), chain.steps.as_slice()) {
            (Some(_), []) => {
                chain.steps.push(Step::FederationToken {
                    profile: name.to_string(),
                    name: federated.to_string(),
                    policy: self.overrides.policy.clone(),
                    duration: self.overrides.duration,
                });
                Ok(())
            }
            _ => Err(self.invalid(
                name,
                "--federation needs a profile with an IAM user's long-term keys (STS refuses GetFederationToken with temporary credentials or MFA sessions)",
            )),
        }
    }

    fn mfa_duration(&self, name: &str, profile: &Profile, is_target: bool) -> Result<u32> {
        let from_cli = if is_target {
            self.overrides.duration
        } else {
            None
        };
        let secs = match from_cli {
            Some(d) => Some(d),
            None => parse_secs(profile.get("stsenv_mfa_duration"), "stsenv_mfa_duration")
                .map_err(|p| self.invalid(name, &p))?,
        }
        .unwrap_or(DEFAULT_MFA_SESSION_SECS);
        if !(900..=129_600).contains(&secs) {
            return Err(self.invalid(
                name,
                &format!("MFA session duration {secs} s is outside STS's 900–129600 s"),
            ));
        }
        Ok(secs)
    }

    fn invalid(&self, name: &str, problem: &str) -> Error {
        Error::InvalidProfile {
            profile: name.to_string(),
            file: self.config.file_of(name).to_path_buf(),
            problem: problem.to_string(),
        }
    }
}

fn parse_secs(value: Option<&str>, key: &str) -> std::result::Result<Option<u32>, String> {
    value
        .map(|v| {
            v.trim()
                .parse::<u32>()
                .map_err(|_| format!("{key} = {v} is not a whole number of seconds"))
        })
        .transpose()
}

fn validate_region(region: &str, name: &str, config: &AwsConfig) -> Result<String> {
    let ok = !region.is_empty()
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(region.to_string())
    } else {
        Err(Error::InvalidProfile {
            profile: name.to_string(),
            file: config.file_of(name).to_path_buf(),
            problem: format!("region `{region}` is not a region name like eu-west-1"),
        })
    }
}

/// STS allows `[\w+=,.@-]{2,64}` in a role session name.
fn validate_session_name(name: &str) -> std::result::Result<(), String> {
    let ok = (2..=64).contains(&name.len()) && name.chars().all(is_session_name_char);
    if ok {
        Ok(())
    } else {
        Err(format!(
            "role session name `{name}` must be 2–64 characters of letters, digits and + = , . @ _ -"
        ))
    }
}

fn is_session_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)
}

/// `stsenv-<local user>`, sanitised to STS's session-name alphabet.
pub fn default_session_name() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "user".to_string());
    let clean: String = user
        .chars()
        .map(|c| if is_session_name_char(c) { c } else { '-' })
        .collect();
    let mut name = format!("stsenv-{clean}");
    name.truncate(64);
    name
}

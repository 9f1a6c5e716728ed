//! A profile becomes a [`Plan`]: where the first credentials come from
//! ([`Source`]) and the STS calls made with them, in order ([`Step`]). Plans
//! are built before any network call, so every configuration error surfaces
//! at once with the profile and file named.
//!
//! Which credentials a profile means follows botocore (the AWS CLI), which
//! the differential tests compare against; where stsenv differs on purpose,
//! README's table says so. For one profile, first match wins:
//!
//! 1. `web_identity_token_file` (with `role_arn`): web identity, whatever
//!    else the profile holds.
//! 2. `role_arn`: the role, assumed with its `source_profile` or
//!    `credential_source`. A *source* profile that also holds static keys
//!    stops there instead and gives its keys (the SDKs' "recursive assume
//!    role stops at static credentials"); the profile the user names always
//!    prefers its role.
//! 3. For a profile nobody named (the default one), web identity from
//!    `AWS_WEB_IDENTITY_TOKEN_FILE` / `AWS_ROLE_ARN` /
//!    `AWS_ROLE_SESSION_NAME`; these override the profile's own keys one by
//!    one in step 1 too.
//! 4. SSO, then keys in the credentials file, then `credential_process`,
//!    then keys in the config file.
//!
//! The region: the `region` override, then the environment's region (which
//! the caller passes, having left out one it exported itself), then the
//! profile's `region`; none of them means STS's us-east-1 and nothing exported.

use std::path::PathBuf;

use aws_config::profile::Profile;

use crate::config::{AwsConfig, Service};
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::login_session::LoginSession;
use crate::metadata::{ContainerEndpoint, InstanceMetadata};
use crate::partition::Partition;
use crate::sso::{SsoRole, SsoSession};
use crate::step::{
    Call, Source, StaticKeys, Step, CHAINED_ROLE_MAX_SECS, DEFAULT_MFA_SESSION_SECS,
};
use crate::sts::AssumeRole;
use crate::web_identity::WebIdentity;

/// What the user asked for on top of the profile (from the command line,
/// or recorded for renewal), and the one environment value whose meaning
/// only the caller knows.
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
    /// Region for the STS calls and AWS_REGION; beats everything.
    pub region: Option<String>,
    /// The region the environment sets (`AWS_REGION`, else
    /// `AWS_DEFAULT_REGION`), beating the profile's `region` as in the
    /// SDKs. The caller leaves out a value it exported itself for an
    /// earlier session, so switching profiles moves regions.
    pub environment_region: Option<String>,
    /// GetFederationToken with this federated user name.
    pub federation: Option<String>,
    /// Session policy JSON (the file's contents).
    pub policy: Option<String>,
    /// Source identity for AssumeRole.
    pub source_identity: Option<String>,
}

/// Where a plan's region came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionOrigin {
    /// No region anywhere: STS calls use us-east-1, none is exported.
    Nowhere,
    /// [`Overrides::region`].
    Override,
    /// [`Overrides::environment_region`]: the user's own; exporting it
    /// again would change nothing.
    Environment,
    /// The profile's `region` key.
    Profile,
}

/// Ordered credential steps for one profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The profile asked for (for ad-hoc roles: the source profile).
    pub profile: String,
    /// The file that defines it.
    pub file: PathBuf,
    /// The region for STS calls and to export, when anything names one.
    pub region: Option<String>,
    /// Where `region` came from.
    pub region_origin: RegionOrigin,
    /// Where the first credentials come from.
    pub source: Source,
    /// STS calls made with them, in order.
    pub steps: Vec<Step>,
    /// Things the user should know (clamped durations, …).
    pub warnings: Vec<String>,
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
    /// An `aws login` session (`login_session`).
    Login,
    /// credential_process.
    Process,
    /// Environment variables.
    Environment,
    /// A role assumed with a web identity token.
    WebIdentity,
    /// The EC2 instance's role.
    Instance,
    /// The ECS task's or EKS pod's role.
    Container,
}

impl ProfileKind {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProfileKind::Static => "static",
            ProfileKind::Mfa => "mfa",
            ProfileKind::Role => "role",
            ProfileKind::Sso => "sso",
            ProfileKind::Login => "login",
            ProfileKind::Process => "process",
            ProfileKind::Environment => "env",
            ProfileKind::WebIdentity => "web-identity",
            ProfileKind::Instance => "instance",
            ProfileKind::Container => "container",
        }
    }
}

impl Plan {
    /// Build the plan for `profile` (default: `AWS_PROFILE`, then `default`).
    pub fn build(config: &AwsConfig, profile: Option<&str>, overrides: &Overrides) -> Result<Plan> {
        let ov = overrides;
        let default_name = || {
            config
                .env_var("AWS_PROFILE")
                .unwrap_or_else(|| "default".to_string())
        };
        let name = match (&ov.role_arn, &ov.source_profile, profile) {
            (Some(_), Some(source), _) => source.clone(),
            (_, _, Some(name)) => name.to_string(),
            _ => default_name(),
        };
        // The SDKs read the web identity variables only for a profile
        // nobody named. Naming the profile that would be used anyway counts
        // as not naming it: a renewal names the session's profile, and must
        // resolve it as the first `env` did.
        let use_env = ov.role_arn.is_none() && profile.is_none_or(|p| p == default_name());
        Planner {
            config,
            overrides,
            target: name.clone(),
            use_env,
        }
        .build(name)
    }

    /// The region for STS calls: the plan's, else `us-east-1` (STS's global endpoint).
    pub fn sts_region(&self) -> &str {
        self.region.as_deref().unwrap_or("us-east-1")
    }

    /// What kind of profile this is, for listings.
    pub fn kind(&self) -> ProfileKind {
        let has_role = self.steps.iter().any(Step::is_role);
        let has_mfa = self.steps.iter().any(Step::is_mfa_session);
        match (&self.source, has_role, has_mfa) {
            (_, true, _) => ProfileKind::Role,
            (Source::Static { .. } | Source::Keyring { .. }, false, true) => ProfileKind::Mfa,
            (Source::Static { .. } | Source::Keyring { .. }, ..) => ProfileKind::Static,
            (Source::Sso(_), ..) => ProfileKind::Sso,
            (Source::Login(_), ..) => ProfileKind::Login,
            (Source::Process { .. }, ..) => ProfileKind::Process,
            (Source::Environment { .. }, ..) => ProfileKind::Environment,
            (Source::WebIdentity(_), ..) => ProfileKind::WebIdentity,
            (Source::Imds(_), ..) => ProfileKind::Instance,
            (Source::Container(_), ..) => ProfileKind::Container,
        }
    }

    /// Whether using this plan yields temporary credentials (something to renew).
    pub fn is_temporary(&self) -> bool {
        !self.steps.is_empty()
            || !matches!(self.source, Source::Static { .. } | Source::Keyring { .. })
    }

    /// The last step, whose credentials the plan delivers (`None`: the source's).
    pub fn final_step(&self) -> Option<&Step> {
        self.steps.last()
    }
}

struct Planner<'a> {
    config: &'a AwsConfig,
    overrides: &'a Overrides,
    /// The profile the plan is for (the SDKs read IMDS settings from it).
    target: String,
    /// Whether the target may take web identity settings from the environment.
    use_env: bool,
}

/// A source and the steps on top of it, while a chain is being walked.
struct Chain {
    source: Source,
    steps: Vec<Step>,
    warnings: Vec<String>,
}

impl Chain {
    fn of(source: Source) -> Chain {
        Chain {
            source,
            steps: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Whether the credentials at the end are a role's (so AssumeRole on top is role chaining).
    fn ends_in_role(&self) -> bool {
        match self.steps.last() {
            Some(step) => step.is_role(),
            None => self.source.is_role(),
        }
    }
}

/// Whether a profile holds static keys (either of the two is enough, as in
/// botocore: a half pair is an error later, not a reason to look elsewhere).
fn has_static_keys(profile: &Profile) -> bool {
    profile.get("aws_access_key_id").is_some() || profile.get("aws_secret_access_key").is_some()
}

impl Planner<'_> {
    fn build(&self, name: String) -> Result<Plan> {
        let ov = self.overrides;
        let mut chain = if let Some(role_arn) = &ov.role_arn {
            let mut chain = self.walk(&name, &mut Vec::new(), false)?;
            self.push_role(&mut chain, &name, role_arn, None, true)?;
            chain
        } else {
            self.walk(&name, &mut Vec::new(), true)?
        };
        let (region, region_origin) = if let Some(region) = &ov.region {
            let region = validate_region(region, "", &name, self.config)?;
            (Some(region), RegionOrigin::Override)
        } else if let Some(region) = &ov.environment_region {
            let region = validate_region(
                region,
                " (from AWS_REGION / AWS_DEFAULT_REGION)",
                &name,
                self.config,
            )?;
            (Some(region), RegionOrigin::Environment)
        } else if let Some(region) = self.region_of(&name) {
            (Some(region), RegionOrigin::Profile)
        } else {
            (None, RegionOrigin::Nowhere)
        };
        if let Some(federated) = &ov.federation {
            self.push_federation(&mut chain, &name, federated, region.as_deref())?;
        }
        Ok(Plan {
            profile: name.clone(),
            file: self.config.file_of(&name).to_path_buf(),
            region,
            region_origin,
            source: chain.source,
            steps: chain.steps,
            warnings: chain.warnings,
        })
    }

    fn region_of(&self, name: &str) -> Option<String> {
        let profile = self.config.profile(name).ok()?;
        profile
            .get("region")
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty())
    }

    /// Walk `name` down its source_profile chain. `is_target` marks the
    /// profile the user asked for: the command-line overrides apply to it,
    /// and its role_arn wins over its own keys.
    fn walk(&self, name: &str, visited: &mut Vec<String>, is_target: bool) -> Result<Chain> {
        if let Some(pos) = visited.iter().position(|seen| seen == name) {
            let mut cycle = visited[pos..].to_vec();
            cycle.push(name.to_string());
            return Err(Error::SourceCycle {
                chain: cycle,
                file: self.config.file_of(name).to_path_buf(),
            });
        }
        let use_env = is_target && self.use_env;
        let profile = match (self.config.profile(name), visited.last()) {
            (Ok(profile), _) => profile,
            (Err(_), Some(parent)) => {
                return Err(Error::DanglingSource {
                    profile: parent.clone(),
                    source_name: name.to_string(),
                    file: self.config.file_of(parent).to_path_buf(),
                })
            }
            // The SDKs take web identity from the environment even when the
            // default profile does not exist (a CI runner has no config).
            (Err(err), None) => {
                return match use_env {
                    true => self.web_identity(name, None, true, is_target)?.ok_or(err),
                    false => Err(err),
                }
            }
        };
        visited.push(name.to_string());
        // 1. A token file in the profile: web identity, before anything else
        // (botocore's assume-role provider leaves such profiles alone).
        if profile.get("web_identity_token_file").is_some() {
            if let Some(chain) = self.web_identity(name, Some(profile), use_env, is_target)? {
                return Ok(chain);
            }
        }
        // 2. The role, unless this is a source profile with static keys:
        // those end the chain.
        if let Some(role_arn) = profile.get("role_arn") {
            if is_target || !has_static_keys(profile) {
                let mut chain = self.role_source(name, profile, visited)?;
                self.push_role(&mut chain, name, role_arn, Some(profile), is_target)?;
                return Ok(chain);
            }
        }
        // 3. Web identity from the environment, for a profile nobody named.
        if use_env {
            if let Some(chain) = self.web_identity(name, Some(profile), true, is_target)? {
                return Ok(chain);
            }
        }
        // 4. SSO, keys, credential_process; an MFA device makes keys an MFA session.
        let mut chain = self.base_source(name, profile)?;
        let overrides = is_target.then_some(self.overrides);
        let mfa_serial = overrides
            .and_then(|o| o.mfa_serial.as_deref())
            .or(profile.get("mfa_serial"));
        if let (Some(serial), Some(_)) = (mfa_serial, chain.source.long_term_profile()) {
            {
                let duration = self.mfa_duration(name, profile, is_target)?;
                let mut step = self.step(
                    name,
                    Call::SessionToken {
                        mfa_serial: serial.to_string(),
                        duration,
                    },
                );
                step.mfa_process = profile.get("mfa_process").map(str::to_string);
                chain.steps.push(step);
            }
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
            (Some(source), None) if source == name => {
                if !has_static_keys(profile) {
                    return Err(self.invalid(
                        name,
                        "names itself as source_profile but has no aws_access_key_id / aws_secret_access_key to start from; add keys or point source_profile at a profile with credentials",
                    ));
                }
                self.base_source(name, profile)
            }
            (Some(source), None) => self.walk(source, visited, false),
            (None, Some(source)) => self.credential_source(name, source),
            (None, None) => Err(self.invalid(
                name,
                "has role_arn but no source_profile or credential_source; add `source_profile = <profile with keys>`",
            )),
        }
    }

    /// `credential_source`: the three names the SDKs know, spelled as they
    /// spell them (botocore compares them case-sensitively).
    fn credential_source(&self, name: &str, source: &str) -> Result<Chain> {
        let source = match source {
            "Environment" => {
                let found = Credentials::from_variables(|var| self.config.env_raw(var));
                Source::Environment {
                    profile: name.to_string(),
                    expiration: found.as_ref().and_then(|c| c.expiration),
                    keys: found.map(|c| StaticKeys {
                        access_key_id: c.access_key_id,
                        secret_access_key: c.secret_access_key,
                        session_token: c.session_token,
                    }),
                }
            }
            "Ec2InstanceMetadata" => Source::Imds(
                InstanceMetadata::from_config(self.config, name, &self.target)
                    .map_err(|problem| self.invalid(name, &problem))?,
            ),
            "EcsContainer" => Source::Container(ContainerEndpoint::from_config(self.config, name)),
            other => {
                return Err(self.invalid(
                    name,
                    &format!(
                        "credential_source = {other} is not a source the AWS SDKs know; use Environment, Ec2InstanceMetadata or EcsContainer (spelled exactly so), or a source_profile"
                    ),
                ))
            }
        };
        Ok(Chain::of(source))
    }

    /// Web identity for `name`, when a token file is configured: each
    /// setting from the environment first when `use_env`, then from the
    /// profile. `None`: no token file anywhere.
    fn web_identity(
        &self,
        name: &str,
        profile: Option<&Profile>,
        use_env: bool,
        is_target: bool,
    ) -> Result<Option<Chain>> {
        let setting = |key: &str, var: &str| {
            use_env
                .then(|| self.config.env_var(var))
                .flatten()
                .or_else(|| {
                    profile?
                        .get(key)
                        .map(|v| v.trim().to_string())
                        .filter(|v| !v.is_empty())
                })
        };
        let Some(token_file) = setting("web_identity_token_file", "AWS_WEB_IDENTITY_TOKEN_FILE")
        else {
            return Ok(None);
        };
        let role_arn = setting("role_arn", "AWS_ROLE_ARN").ok_or_else(|| {
            self.invalid(
                name,
                "has a web identity token file (web_identity_token_file or AWS_WEB_IDENTITY_TOKEN_FILE) but no role_arn; add `role_arn = arn:aws:iam::ACCOUNT:role/NAME` (or set AWS_ROLE_ARN)",
            )
        })?;
        self.check_arn(name, &role_arn)?;
        let session_name = is_target
            .then(|| self.overrides.session_name.clone())
            .flatten()
            .or_else(|| setting("role_session_name", "AWS_ROLE_SESSION_NAME"))
            .unwrap_or_else(default_session_name);
        validate_session_name(&session_name).map_err(|p| self.invalid(name, &p))?;
        let duration = self.role_duration(name, profile, is_target)?;
        Ok(Some(Chain::of(Source::WebIdentity(WebIdentity {
            profile: name.to_string(),
            role_arn,
            session_name,
            token_file: PathBuf::from(token_file),
            duration,
            endpoint: self.config.endpoint_url(Some(name), Service::Sts),
        }))))
    }

    /// A profile without a role: SSO, or static keys, or credential_process,
    /// in botocore's order: SSO, keys in the credentials file, the process,
    /// keys in the config file.
    fn base_source(&self, name: &str, profile: &Profile) -> Result<Chain> {
        let process = profile.get("credential_process");
        let login = profile.get("login_session").map(str::trim);
        let access_key_id = profile.get("aws_access_key_id");
        // botocore: keys in the credentials file, then login_session, then
        // credential_process, then keys in the config file.
        let keys_win = access_key_id.is_some()
            && ((process.is_none() && login.is_none())
                || self.config.in_credentials_file(name, "aws_access_key_id"));
        let source = if profile.get("sso_session").is_some()
            || profile.get("sso_start_url").is_some()
        {
            Source::Sso(self.sso_role(name, profile)?)
        } else if access_key_id.is_none() && crate::keystore::is_marked(profile) {
            // Before credential_process: the AWS CLI's line for this very
            // profile is `credential_process = stsenv credential-process NAME`.
            Source::Keyring {
                profile: name.to_string(),
            }
        } else if let (Some(access_key_id), true) = (access_key_id, keys_win) {
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
        } else if let Some(session_arn) = login {
            Source::Login(self.login_session(name, session_arn)?)
        } else if let Some(command) = process {
            Source::Process {
                profile: name.to_string(),
                command: command.to_string(),
            }
        } else if profile.get("aws_secret_access_key").is_some() {
            return Err(self.invalid(name, "has aws_secret_access_key but no aws_access_key_id"));
        } else {
            return Err(self.invalid(
                name,
                "has no credentials: add aws_access_key_id/aws_secret_access_key, role_arn + source_profile, sso_session, login_session (aws login), credential_process or web_identity_token_file",
            ));
        };
        Ok(Chain::of(source))
    }

    /// `login_session = ARN`: the session must look like an IAM ARN (it
    /// names the cache file and is shown in messages).
    fn login_session(&self, name: &str, session_arn: &str) -> Result<LoginSession> {
        let plausible = session_arn.starts_with("arn:")
            && session_arn.split(':').count() >= 6
            && session_arn.len() <= 2048
            && session_arn.bytes().all(|b| b.is_ascii_graphic());
        if !plausible {
            return Err(self.invalid(
                name,
                "has a login_session that is not an ARN; run `aws login` (or stsenv login) to set it",
            ));
        }
        Ok(LoginSession {
            profile: name.to_string(),
            session_arn: session_arn.to_string(),
            endpoint: self.config.endpoint_url(Some(name), Service::Signin),
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
            // botocore and the Rust SDK refuse a profile whose own value
            // disagrees with its session's: which one was meant is a guess.
            for key in ["sso_start_url", "sso_region"] {
                if let (Some(own), Some(theirs)) = (profile.get(key), from_session(key)) {
                    if own.trim() != theirs.trim() {
                        return Err(self.invalid(
                            name,
                            &format!(
                                "{key} is inconsistent: the profile has `{own}`, its [sso-session {s}] has `{theirs}`; remove the profile's {key} (the session's is used) or make them equal"
                            ),
                        ));
                    }
                }
            }
        }
        let required = |key: &str, value: Option<&str>| {
            value.map(str::to_string).ok_or_else(|| {
                self.invalid(name, &format!("is an SSO profile but {key} is missing"))
            })
        };
        Ok(SsoRole {
            portal_endpoint: self.config.endpoint_url(Some(name), Service::Sso),
            oidc_endpoint: self.config.endpoint_url(Some(name), Service::SsoOidc),
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

    fn check_arn(&self, name: &str, role_arn: &str) -> Result<()> {
        if role_arn.starts_with("arn:") {
            Ok(())
        } else {
            Err(self.invalid(
                name,
                &format!("role_arn `{role_arn}` is not an ARN (arn:aws:iam::ACCOUNT:role/NAME)"),
            ))
        }
    }

    /// The session duration of a role: the override for the target, else
    /// the profile's `duration_seconds`; refused outside STS's range (the
    /// AWS CLI silently drops a value it cannot parse).
    fn role_duration(
        &self,
        name: &str,
        profile: Option<&Profile>,
        is_target: bool,
    ) -> Result<Option<u32>> {
        let duration = match is_target.then_some(self.overrides.duration).flatten() {
            Some(d) => Some(d),
            None => parse_secs(
                profile.and_then(|p| p.get("duration_seconds")),
                "duration_seconds",
            )
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
        Ok(duration)
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
        self.check_arn(name, role_arn)?;
        let mut duration = self.role_duration(name, profile, is_target)?;
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
                let mut step = self.step(
                    &source_profile,
                    Call::SessionToken {
                        mfa_serial: serial.clone(),
                        duration,
                    },
                );
                // The role names the device, so its mfa_process comes first.
                step.mfa_process = key("mfa_process")
                    .or(source.get("mfa_process"))
                    .map(str::to_string);
                chain.steps.push(step);
                None
            }
            // The source already is an MFA session for this device.
            (Some(serial), _, false)
                if chain.steps.last().and_then(|s| s.mfa_serial()) == Some(serial.as_str())
                    && chain.steps.last().is_some_and(Step::is_mfa_session) =>
            {
                None
            }
            _ => mfa_serial,
        };
        let call = Call::AssumeRole(AssumeRole {
            role_arn: role_arn.to_string(),
            session_name,
            external_id,
            duration,
            mfa_serial,
            source_identity: ov
                .and_then(|o| o.source_identity.clone())
                .or_else(|| key("source_identity").map(str::to_string)),
            policy: ov.and_then(|o| o.policy.clone()),
        });
        let mut step = self.step(name, call);
        if step.mfa_serial().is_some() {
            step.mfa_process = key("mfa_process").map(str::to_string);
        }
        chain.steps.push(step);
        Ok(())
    }

    fn push_federation(
        &self,
        chain: &mut Chain,
        name: &str,
        federated: &str,
        region: Option<&str>,
    ) -> Result<()> {
        match (chain.source.long_term_profile(), chain.steps.as_slice()) {
            (Some(_), []) => {
                let policy = self.overrides.policy.clone();
                // Without any session policy a federated user can do nothing;
                // AdministratorAccess as the session policy leaves exactly the
                // IAM user's own permissions (the intersection of the two).
                let policy_arns = match policy {
                    Some(_) => Vec::new(),
                    None => vec![region
                        .map(Partition::of_region)
                        .unwrap_or(Partition::Aws)
                        .administrator_access_arn()],
                };
                let call = Call::FederationToken {
                    name: federated.to_string(),
                    policy,
                    policy_arns,
                    duration: self.overrides.duration,
                };
                chain.steps.push(self.step(name, call));
                Ok(())
            }
            _ => Err(self.invalid(
                name,
                "federated-user credentials (sts:GetFederationToken) need a profile with an IAM user's long-term keys; STS refuses them with temporary credentials or MFA sessions",
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

    /// A step made for profile `name`, sent to that profile's STS endpoint.
    fn step(&self, name: &str, call: Call) -> Step {
        Step {
            profile: name.to_string(),
            endpoint: self.config.endpoint_url(Some(name), Service::Sts),
            call,
            mfa_process: None,
        }
    }

    fn invalid(&self, name: &str, problem: &str) -> Error {
        Error::InvalidProfile {
            profile: name.to_string(),
            file: self.config.file_of(name).to_path_buf(),
            problem: problem.to_string(),
        }
    }
}

/// The IAM Identity Center session of `profile`: an SSO profile's, or that
/// of the SSO profile a role's chain starts at.
pub fn sso_session_of(config: &AwsConfig, profile: &str) -> Result<SsoSession> {
    let plan = Plan::build(config, Some(profile), &Overrides::default())?;
    match &plan.source {
        Source::Sso(role) => Ok(SsoSession::of_role(role)),
        _ => Err(Error::InvalidProfile {
            profile: profile.to_string(),
            file: plan.file.clone(),
            problem: "does not use IAM Identity Center: add sso_session (or sso_start_url), sso_account_id and sso_role_name".to_string(),
        }),
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

/// A region name, checked before it reaches a signature or an endpoint;
/// `from` says where it came from, for the message.
fn validate_region(region: &str, from: &str, name: &str, config: &AwsConfig) -> Result<String> {
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
            problem: format!(
                "region `{}`{from} is not a region name like eu-west-1",
                crate::aws::printable(region, 60)
            ),
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

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: &str = "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = secret\n";

    fn plan(config: &str, credentials: &str, profile: &str) -> Result<Plan> {
        let config = AwsConfig::from_texts(config, credentials).expect("parses");
        Plan::build(&config, Some(profile), &Overrides::default())
    }

    fn plan_with(config: &str, profile: &str, overrides: Overrides) -> Result<Plan> {
        let config = AwsConfig::from_texts(config, "").expect("parses");
        Plan::build(&config, Some(profile), &overrides)
    }

    fn calls(plan: &Plan) -> Vec<&Call> {
        plan.steps.iter().map(|s| &s.call).collect()
    }

    fn role(plan: &Plan, i: usize) -> &AssumeRole {
        match &plan.steps[i].call {
            Call::AssumeRole(role) => role,
            other => panic!("step {i} is {other:?}"),
        }
    }

    #[test]
    fn static_keys_alone() {
        let p = plan("", &format!("[base]\n{KEYS}"), "base").unwrap();
        assert!(matches!(&p.source, Source::Static { profile, .. } if profile == "base"));
        assert!(p.steps.is_empty());
        assert_eq!(p.kind(), ProfileKind::Static);
        assert!(!p.is_temporary());
    }

    #[test]
    fn mfa_on_keys_is_an_mfa_session() {
        let config =
            "[profile base]\nmfa_serial = arn:aws:iam::1:mfa/a\nstsenv_mfa_duration = 3600\n";
        let p = plan(config, &format!("[base]\n{KEYS}"), "base").unwrap();
        assert_eq!(
            calls(&p),
            [&Call::SessionToken {
                mfa_serial: "arn:aws:iam::1:mfa/a".into(),
                duration: 3600
            }]
        );
        assert_eq!(p.kind(), ProfileKind::Mfa);
    }

    #[test]
    fn role_with_mfa_becomes_mfa_session_then_role() {
        let config = "[profile dev]\nrole_arn = arn:aws:iam::2:role/dev\nsource_profile = base\nmfa_serial = arn:aws:iam::1:mfa/a\nexternal_id = x-1\nrole_session_name = me\nduration_seconds = 1800\nregion = eu-west-1\n";
        let p = plan(config, &format!("[base]\n{KEYS}"), "dev").unwrap();
        assert_eq!(p.steps.len(), 2);
        assert!(p.steps[0].is_mfa_session());
        assert_eq!(p.steps[0].profile, "base");
        let r = role(&p, 1);
        assert_eq!(r.role_arn, "arn:aws:iam::2:role/dev");
        assert_eq!(r.mfa_serial, None, "the MFA session carries the MFA");
        assert_eq!(r.external_id.as_deref(), Some("x-1"));
        assert_eq!(r.session_name, "me");
        assert_eq!(r.duration, Some(1800));
        assert_eq!(p.region.as_deref(), Some("eu-west-1"));
        assert_eq!(p.kind(), ProfileKind::Role);
        assert!(p.warnings.is_empty());
    }

    #[test]
    fn mfa_process_rides_on_the_step_that_asks_for_the_code() {
        let creds = format!("[base]\n{KEYS}");
        let config = "[profile base]\nmfa_process = base-otp\n[profile dev]\nrole_arn = arn:aws:iam::2:role/dev\nsource_profile = base\nmfa_serial = arn:aws:iam::1:mfa/a\nmfa_process = ykman oath accounts code\n[profile ops]\nrole_arn = arn:aws:iam::2:role/ops\nsource_profile = base\nmfa_serial = arn:aws:iam::1:mfa/a\n";
        let dev = plan(config, &creds, "dev").unwrap();
        assert_eq!(
            dev.steps[0].mfa_process.as_deref(),
            Some("ykman oath accounts code"),
            "the role names the device, its mfa_process wins"
        );
        assert_eq!(dev.steps[1].mfa_process, None, "no code is asked there");
        assert!(dev.steps[0]
            .describe()
            .contains("mfa_process `ykman oath accounts code`"));
        let ops = plan(config, &creds, "ops").unwrap();
        assert_eq!(ops.steps[0].mfa_process.as_deref(), Some("base-otp"));
        // Not part of the cache identity: both share one MFA session.
        assert_eq!(dev.steps[0].identity(), ops.steps[0].identity());
    }

    #[test]
    fn two_roles_share_one_mfa_session_step() {
        let config = "[profile a]\nrole_arn = arn:aws:iam::2:role/a\nsource_profile = base\nmfa_serial = arn:aws:iam::1:mfa/m\n[profile b]\nrole_arn = arn:aws:iam::2:role/b\nsource_profile = base\nmfa_serial = arn:aws:iam::1:mfa/m\n";
        let creds = format!("[base]\n{KEYS}");
        let a = plan(config, &creds, "a").unwrap();
        let b = plan(config, &creds, "b").unwrap();
        assert_eq!(a.steps[0].identity(), b.steps[0].identity());
        assert_ne!(a.steps[1].identity(), b.steps[1].identity());
    }

    #[test]
    fn chained_roles_are_clamped_with_a_warning() {
        let config = "[profile r1]\nrole_arn = arn:aws:iam::2:role/one\nsource_profile = base\n[profile r2]\nrole_arn = arn:aws:iam::3:role/two\nsource_profile = r1\nduration_seconds = 7200\n";
        let p = plan(config, &format!("[base]\n{KEYS}"), "r2").unwrap();
        assert_eq!(p.steps.len(), 2);
        assert_eq!(role(&p, 1).duration, Some(CHAINED_ROLE_MAX_SECS));
        assert_eq!(p.warnings.len(), 1);
        assert!(p.warnings[0].contains("r2"), "{:?}", p.warnings);
    }

    #[test]
    fn a_role_may_use_its_own_keys() {
        let config = "[profile self]\nrole_arn = arn:aws:iam::2:role/s\nsource_profile = self\n";
        let p = plan(config, &format!("[self]\n{KEYS}"), "self").unwrap();
        assert!(matches!(&p.source, Source::Static { profile, .. } if profile == "self"));
        assert_eq!(p.steps.len(), 1);
    }

    #[test]
    fn environment_and_process_sources() {
        let config = "[profile e]\nrole_arn = arn:aws:iam::2:role/e\ncredential_source = Environment\n[profile p]\ncredential_process = /bin/creds --x 'a b'\n";
        let e = plan(config, "", "e").unwrap();
        assert!(matches!(e.source, Source::Environment { .. }));
        let p = plan(config, "", "p").unwrap();
        assert!(
            matches!(&p.source, Source::Process { command, .. } if command == "/bin/creds --x 'a b'")
        );
        assert_eq!(p.kind(), ProfileKind::Process);
    }

    #[test]
    fn sso_profiles_read_their_session() {
        let config = "[sso-session corp]\nsso_start_url = https://corp/start\nsso_region = eu-west-1\n[profile s]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Dev\n[profile r]\nrole_arn = arn:aws:iam::2:role/r\nsource_profile = s\nduration_seconds = 7200\n";
        let s = plan(config, "", "s").unwrap();
        let Source::Sso(role) = &s.source else {
            panic!("{:?}", s.source)
        };
        assert_eq!(role.start_url, "https://corp/start");
        assert_eq!(role.sso_region, "eu-west-1");
        assert_eq!(role.session.as_deref(), Some("corp"));
        assert!(s.source.is_cached());
        // A role on top of SSO role credentials is role chaining.
        let r = plan(config, "", "r").unwrap();
        assert_eq!(r.warnings.len(), 1);
    }

    #[test]
    fn ad_hoc_role_from_the_command_line() {
        let config = "[profile base]\nregion = us-west-2\n";
        let config = AwsConfig::from_texts(config, &format!("[base]\n{KEYS}")).unwrap();
        let overrides = Overrides {
            role_arn: Some("arn:aws:iam::2:role/x".into()),
            source_profile: Some("base".into()),
            mfa_serial: Some("arn:aws:iam::1:mfa/m".into()),
            session_name: Some("cli".into()),
            ..Overrides::default()
        };
        let p = Plan::build(&config, None, &overrides).unwrap();
        assert_eq!(p.profile, "base");
        assert_eq!(p.steps.len(), 2);
        assert!(p.steps[0].is_mfa_session());
        assert_eq!(role(&p, 1).session_name, "cli");
        assert_eq!(p.region.as_deref(), Some("us-west-2"));
    }

    #[test]
    fn federation_needs_long_term_keys() {
        let config = "[profile base]\n";
        let overrides = Overrides {
            federation: Some("fed".into()),
            duration: Some(3600),
            ..Overrides::default()
        };
        let config_set = AwsConfig::from_texts(config, &format!("[base]\n{KEYS}")).unwrap();
        let p = Plan::build(&config_set, Some("base"), &overrides).unwrap();
        assert!(
            matches!(&p.steps[0].call, Call::FederationToken { name, duration: Some(3600), .. } if name == "fed")
        );
        let role = "[profile r]\nrole_arn = arn:aws:iam::2:role/r\nsource_profile = base\n";
        let config_set = AwsConfig::from_texts(role, &format!("[base]\n{KEYS}")).unwrap();
        let err = Plan::build(&config_set, Some("r"), &overrides).unwrap_err();
        assert!(err.to_string().contains("GetFederationToken"), "{err}");
        assert!(
            !err.to_string().contains("--"),
            "no CLI flags in core: {err}"
        );
    }

    #[test]
    fn every_plan_error_names_profile_and_file() {
        let creds = format!("[base]\n{KEYS}");
        let cases: [(&str, &str, &str); 12] = [
            ("", "missing", "not found"),
            ("[profile a]\nrole_arn = arn:aws:iam::2:role/a\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::2:role/b\nsource_profile = a\n", "a", "cycle"),
            ("[profile a]\nrole_arn = arn:aws:iam::2:role/a\nsource_profile = nobody\n", "a", "no such profile"),
            ("[profile a]\nrole_arn = arn:aws:iam::2:role/a\n", "a", "no source_profile"),
            ("[profile a]\nrole_arn = arn:aws:iam::2:role/a\nsource_profile = base\ncredential_source = Environment\n", "a", "both"),
            ("[profile a]\nrole_arn = not-an-arn\nsource_profile = base\n", "a", "not an ARN"),
            ("[profile a]\nrole_arn = arn:aws:iam::2:role/a\nsource_profile = base\nduration_seconds = 60\n", "a", "900"),
            ("[profile a]\nrole_arn = arn:aws:iam::2:role/a\nsource_profile = base\nduration_seconds = soon\n", "a", "whole number"),
            ("[profile a]\nrole_arn = arn:aws:iam::2:role/a\nsource_profile = base\nrole_session_name = has space\n", "a", "session name"),
            ("[profile a]\nregion = x\n", "a", "no credentials"),
            ("[profile a]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = r\n", "a", "no [sso-session nope]"),
            ("[profile a]\nrole_arn = arn:aws:iam::2:role/a\ncredential_source = Ec2Magic\n", "a", "Ec2Magic"),
        ];
        for (config, profile, needle) in cases {
            let err = plan(config, &creds, profile).unwrap_err().to_string();
            assert!(err.contains(needle), "{profile}: `{needle}` not in: {err}");
            assert!(err.contains("/stsenv-in-memory/"), "no file named: {err}");
            assert!(
                err.contains(&format!("`{profile}`")) || err.contains(profile),
                "{err}"
            );
        }
    }

    #[test]
    fn suggestions_for_typos() {
        let err = plan("[profile dev]\nregion = x\n", "", "dve").unwrap_err();
        assert!(err.to_string().contains("did you mean `dev`"), "{err}");
    }

    #[test]
    fn a_bad_region_override_is_refused() {
        let overrides = Overrides {
            region: Some("eu west".into()),
            ..Overrides::default()
        };
        let err = plan_with(&format!("[profile base]\n{KEYS}"), "base", overrides).unwrap_err();
        assert!(err.to_string().contains("region"), "{err}");
    }

    #[test]
    fn endpoints_are_part_of_the_step() {
        let config = "[profile a]\nrole_arn = arn:aws:iam::2:role/r\nsource_profile = base\nendpoint_url = http://127.0.0.1:1\n[profile b]\nrole_arn = arn:aws:iam::2:role/r\nsource_profile = base\n";
        if std::env::var_os("AWS_ENDPOINT_URL").is_some()
            || std::env::var_os("AWS_ENDPOINT_URL_STS").is_some()
        {
            return; // the environment would override both profiles' endpoints
        }
        let creds = format!("[base]\n{KEYS}");
        let a = plan(config, &creds, "a").unwrap();
        let b = plan(config, &creds, "b").unwrap();
        assert_eq!(a.steps[0].endpoint.as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(b.steps[0].endpoint, None);
        assert_ne!(
            crate::resolve::final_key(&a),
            crate::resolve::final_key(&b),
            "different endpoints must never share a cache entry"
        );
    }

    fn plan_env(
        config: &str,
        credentials: &str,
        vars: &[(&str, &str)],
        profile: Option<&str>,
        overrides: Overrides,
    ) -> Result<Plan> {
        let config = AwsConfig::from_texts_with_env(config, credentials, vars).expect("parses");
        Plan::build(&config, profile, &overrides)
    }

    #[test]
    fn whether_a_profile_plans_never_depends_on_credentials_in_the_environment() {
        // `init` keys its cache of the profiles that plan without these
        // variables (they change with every session and renewal).
        let config = "[default]\nregion = eu-west-1\n\
            [profile regiononly]\nregion = eu-west-1\n\
            [profile empty]\n\
            [profile keys]\naws_access_key_id = AKIAKEYSKEYSKEYSKEY1\naws_secret_access_key = s\n\
            [profile role]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = keys\n\
            [profile env]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Environment\n\
            [profile badsource]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Nope\n\
            [profile cycle]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = cycle\n\
            [profile process]\ncredential_process = /bin/true\n\
            [profile web]\nrole_arn = arn:aws:iam::1:role/r\nweb_identity_token_file = /t\n\
            [profile sso]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\nsso_account_id = 123456789012\nsso_role_name = R\n\
            [profile mfa]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = keys\nmfa_serial = arn:aws:iam::1:mfa/a\n";
        let session = [
            ("AWS_ACCESS_KEY_ID", "ASIAENVENVENVENVENV1"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_SESSION_TOKEN", "token"),
            ("AWS_SECURITY_TOKEN", "token"),
            ("AWS_CREDENTIAL_EXPIRATION", "2000-01-01T00:00:00Z"),
        ];
        let broken = [("AWS_ACCESS_KEY_ID", " "), ("AWS_SECRET_ACCESS_KEY", "a b")];
        let plans = |vars: &[(&str, &str)]| -> Vec<(String, bool)> {
            let config = AwsConfig::from_texts_with_env(config, "", vars).expect("parses");
            config
                .profile_names()
                .into_iter()
                .map(|name| {
                    let ok = Plan::build(&config, Some(name), &Overrides::default()).is_ok();
                    (name.to_string(), ok)
                })
                .collect()
        };
        let without = plans(&[]);
        assert!(without.iter().any(|(_, ok)| *ok) && without.iter().any(|(_, ok)| !*ok));
        assert_eq!(plans(&session), without);
        assert_eq!(plans(&broken), without);
    }

    const MID_KEYS: &str =
        "aws_access_key_id = AKIAMIDMIDMIDMIDMID1\naws_secret_access_key = mid\n";

    #[test]
    fn a_source_profile_with_keys_ends_the_chain() {
        // mid has keys AND its own role whose source does not even exist:
        // the SDKs sign one AssumeRole(RoleA) with mid's keys.
        let config = "[profile app]\nrole_arn = arn:aws:iam::1:role/RoleA\nsource_profile = mid\nduration_seconds = 7200\n[profile mid]\nrole_arn = arn:aws:iam::2:role/RoleB\nsource_profile = nowhere\n";
        let p = plan(config, &format!("[mid]\n{MID_KEYS}"), "app").unwrap();
        assert!(
            matches!(&p.source, Source::Static { profile, keys } if profile == "mid" && keys.access_key_id == "AKIAMIDMIDMIDMIDMID1")
        );
        assert_eq!(p.steps.len(), 1);
        assert_eq!(role(&p, 0).role_arn, "arn:aws:iam::1:role/RoleA");
        assert_eq!(role(&p, 0).duration, Some(7200), "not chained: no clamp");
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        // Keys in the config file stop it too, and so does a source naming itself.
        let in_config = "[profile app]\nrole_arn = arn:aws:iam::1:role/RoleA\nsource_profile = mid\n[profile mid]\naws_access_key_id = AKIAMIDMIDMIDMIDMID1\naws_secret_access_key = mid\nrole_arn = arn:aws:iam::2:role/RoleB\nsource_profile = mid\n";
        let p = plan(in_config, "", "app").unwrap();
        assert_eq!(p.steps.len(), 1);
        assert!(matches!(&p.source, Source::Static { profile, .. } if profile == "mid"));
    }

    #[test]
    fn the_named_profile_prefers_its_role_over_its_keys() {
        let config = "[profile mid]\nrole_arn = arn:aws:iam::2:role/RoleB\nsource_profile = base\n";
        let creds = format!("[mid]\n{MID_KEYS}\n[base]\n{KEYS}");
        let p = plan(config, &creds, "mid").unwrap();
        assert!(matches!(&p.source, Source::Static { profile, .. } if profile == "base"));
        assert_eq!(role(&p, 0).role_arn, "arn:aws:iam::2:role/RoleB");
        // ... and an ad-hoc role treats it as a source: its keys.
        let overrides = Overrides {
            role_arn: Some("arn:aws:iam::3:role/x".into()),
            ..Overrides::default()
        };
        let config_set = AwsConfig::from_texts(config, &creds).unwrap();
        let p = Plan::build(&config_set, Some("mid"), &overrides).unwrap();
        assert!(matches!(&p.source, Source::Static { profile, .. } if profile == "mid"));
        assert_eq!(p.steps.len(), 1);
    }

    #[test]
    fn a_role_naming_itself_needs_keys() {
        let config = "[profile loopy]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = loopy\ncredential_process = /bin/true\n";
        let err = plan(config, "", "loopy").unwrap_err().to_string();
        assert!(err.contains("loopy") && err.contains("itself"), "{err}");
    }

    #[test]
    fn credentials_file_keys_beat_credential_process_and_config_keys_do_not() {
        let process = "[profile kp]\ncredential_process = /bin/creds\n";
        let p = plan(process, &format!("[kp]\n{KEYS}"), "kp").unwrap();
        assert!(matches!(p.source, Source::Static { .. }), "{:?}", p.source);
        let both_in_config = format!("[profile kp]\ncredential_process = /bin/creds\n{KEYS}");
        let p = plan(&both_in_config, "", "kp").unwrap();
        assert!(matches!(p.source, Source::Process { .. }), "{:?}", p.source);
        // The same rules for a source profile.
        let role = "[profile app]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = kp\n";
        let p = plan(&format!("{role}{process}"), &format!("[kp]\n{KEYS}"), "app").unwrap();
        assert!(matches!(p.source, Source::Static { .. }), "{:?}", p.source);
        let p = plan(&format!("{role}{both_in_config}"), "", "app").unwrap();
        assert!(matches!(p.source, Source::Process { .. }), "{:?}", p.source);
    }

    #[test]
    fn region_precedence() {
        let config = format!("[profile base]\nregion = eu-west-1\n{KEYS}");
        let with = |region: Option<&str>, environment_region: Option<&str>| {
            let overrides = Overrides {
                region: region.map(str::to_string),
                environment_region: environment_region.map(str::to_string),
                ..Overrides::default()
            };
            let p = plan_with(&config, "base", overrides).unwrap();
            (p.region, p.region_origin)
        };
        assert_eq!(
            with(Some("ca-central-1"), Some("us-west-2")),
            (Some("ca-central-1".into()), RegionOrigin::Override)
        );
        assert_eq!(
            with(None, Some("us-west-2")),
            (Some("us-west-2".into()), RegionOrigin::Environment)
        );
        assert_eq!(
            with(None, None),
            (Some("eu-west-1".into()), RegionOrigin::Profile)
        );
        let p = plan_with(
            &format!("[profile base]\n{KEYS}"),
            "base",
            Overrides::default(),
        )
        .unwrap();
        assert_eq!((p.region, p.region_origin), (None, RegionOrigin::Nowhere));
        assert_eq!(
            plan_with(
                &format!("[profile base]\n{KEYS}"),
                "base",
                Overrides::default()
            )
            .unwrap()
            .sts_region(),
            "us-east-1"
        );
        let bad = Overrides {
            environment_region: Some("eu west $(x)".into()),
            ..Overrides::default()
        };
        let err = plan_with(&config, "base", bad).unwrap_err().to_string();
        assert!(err.contains("AWS_REGION") && err.contains("base"), "{err}");
    }

    #[test]
    fn sso_values_inconsistent_with_the_session_are_refused() {
        let session = "[sso-session corp]\nsso_start_url = https://corp/start\nsso_region = eu-west-1\n[profile s]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Dev\n";
        for (extra, key) in [
            ("sso_start_url = https://other/start\n", "sso_start_url"),
            ("sso_region = us-east-2\n", "sso_region"),
        ] {
            let err = plan(&format!("{session}{extra}"), "", "s")
                .unwrap_err()
                .to_string();
            for needle in [
                "`s`",
                "corp",
                key,
                "inconsistent",
                "/stsenv-in-memory/config",
            ] {
                assert!(err.contains(needle), "`{needle}` not in: {err}");
            }
        }
        let same = format!("{session}sso_start_url = https://corp/start\nsso_region = eu-west-1\n");
        assert!(plan(&same, "", "s").is_ok());
    }

    #[test]
    fn environment_source_reads_the_configs_environment() {
        let config =
            "[profile e]\nrole_arn = arn:aws:iam::2:role/e\ncredential_source = Environment\n";
        let keys_of = |vars: &[(&str, &str)]| {
            let p = plan_env(config, "", vars, Some("e"), Overrides::default()).unwrap();
            match p.source {
                Source::Environment {
                    keys, expiration, ..
                } => (keys, expiration),
                other => panic!("{other:?}"),
            }
        };
        let blank = keys_of(&[("AWS_ACCESS_KEY_ID", " "), ("AWS_SECRET_ACCESS_KEY", " ")]);
        assert!(blank.0.is_none(), "blank keys are missing");
        let (keys, expiration) = keys_of(&[
            ("AWS_ACCESS_KEY_ID", "AKIAENV"),
            ("AWS_SECRET_ACCESS_KEY", "s"),
            ("AWS_SECURITY_TOKEN", "legacy"),
            ("AWS_CREDENTIAL_EXPIRATION", "2020-01-01T00:00:00Z"),
        ]);
        assert_eq!(keys.unwrap().session_token.as_deref(), Some("legacy"));
        assert!(expiration.is_some());
        // The names are botocore's, case and all.
        let lower =
            "[profile e]\nrole_arn = arn:aws:iam::2:role/e\ncredential_source = environment\n";
        let err = plan(lower, "", "e").unwrap_err().to_string();
        assert!(
            err.contains("Ec2InstanceMetadata") && err.contains("environment"),
            "{err}"
        );
    }

    #[test]
    fn machine_sources_are_planned_without_asking() {
        let config = "[profile ec2]\nrole_arn = arn:aws:iam::2:role/r\ncredential_source = Ec2InstanceMetadata\n[profile task]\nrole_arn = arn:aws:iam::2:role/r\ncredential_source = EcsContainer\nduration_seconds = 7200\n";
        let vars = [
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9/"),
            (
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "http://127.0.0.1:8/creds",
            ),
        ];
        let ec2 = plan_env(config, "", &vars, Some("ec2"), Overrides::default()).unwrap();
        assert!(
            matches!(&ec2.source, Source::Imds(imds) if imds.endpoint == "http://127.0.0.1:9" && imds.profile == "ec2")
        );
        assert!(!ec2.source.is_cached());
        assert_eq!(ec2.kind(), ProfileKind::Role);
        let task = plan_env(config, "", &vars, Some("task"), Overrides::default()).unwrap();
        assert!(
            matches!(&task.source, Source::Container(c) if c.uri.as_deref() == Some("http://127.0.0.1:8/creds"))
        );
        // An instance or task role assuming a role is not role chaining.
        assert_eq!(role(&task, 0).duration, Some(7200));
        assert!(task.warnings.is_empty());
        // Different endpoints, different cache entries.
        let other = plan_env(
            config,
            "",
            &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:10")],
            Some("ec2"),
            Overrides::default(),
        )
        .unwrap();
        assert_ne!(
            crate::resolve::final_key(&ec2),
            crate::resolve::final_key(&other)
        );
    }

    const WEB: &str = "[profile web]\nrole_arn = arn:aws:iam::4:role/Web\nweb_identity_token_file = /run/token\nrole_session_name = ci-run\nduration_seconds = 1800\n";

    fn web(plan: &Plan) -> &WebIdentity {
        match &plan.source {
            Source::WebIdentity(web) => web,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn web_identity_profiles() {
        let p = plan(WEB, "", "web").unwrap();
        let w = web(&p);
        assert_eq!(
            (w.role_arn.as_str(), w.session_name.as_str(), w.duration),
            ("arn:aws:iam::4:role/Web", "ci-run", Some(1800))
        );
        assert_eq!(w.token_file, PathBuf::from("/run/token"));
        assert!(p.steps.is_empty());
        assert_eq!(p.kind(), ProfileKind::WebIdentity);
        assert!(p.source.is_cached() && p.is_temporary());
        // The token file wins over a source_profile in the same profile.
        let with_source = format!("{WEB}source_profile = base\n");
        let p = plan(&with_source, &format!("[base]\n{KEYS}"), "web").unwrap();
        assert!(matches!(p.source, Source::WebIdentity(_)));
        // As a source profile: the role on top is role chaining.
        let chained = format!(
            "{WEB}[profile app]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = web\nduration_seconds = 7200\n"
        );
        let p = plan(&chained, "", "app").unwrap();
        assert_eq!(web(&p).session_name, "ci-run");
        assert_eq!(role(&p, 0).duration, Some(CHAINED_ROLE_MAX_SECS));
        assert_eq!(p.warnings.len(), 1);
        // Without a role there is nothing to assume.
        let err = plan(
            "[profile web]\nweb_identity_token_file = /run/token\n",
            "",
            "web",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("`web`") && err.contains("role_arn"), "{err}");
    }

    #[test]
    fn web_identity_from_the_environment_only_for_the_default_profile() {
        let vars = [
            ("AWS_WEB_IDENTITY_TOKEN_FILE", "/env/token"),
            ("AWS_ROLE_ARN", "arn:aws:iam::4:role/FromEnv"),
            ("AWS_ROLE_SESSION_NAME", "ci-env"),
        ];
        // No config at all: a CI runner.
        let p = plan_env("", "", &vars, None, Overrides::default()).unwrap();
        assert_eq!(p.profile, "default");
        let w = web(&p);
        assert_eq!(
            (w.role_arn.as_str(), w.session_name.as_str()),
            ("arn:aws:iam::4:role/FromEnv", "ci-env")
        );
        // Naming the default profile (a renewal does) changes nothing.
        let p = plan_env("", "", &vars, Some("default"), Overrides::default()).unwrap();
        assert!(matches!(p.source, Source::WebIdentity(_)));
        // Each variable beats the profile's key; the profile fills the rest.
        let config = "[default]\nweb_identity_token_file = /profile/token\nrole_arn = arn:aws:iam::4:role/FromProfile\nregion = eu-west-1\n";
        let p = plan_env(config, "", &vars[..1], None, Overrides::default()).unwrap();
        let w = web(&p);
        assert_eq!(w.token_file, PathBuf::from("/env/token"));
        assert_eq!(w.role_arn, "arn:aws:iam::4:role/FromProfile");
        // The environment beats the default profile's keys, not its role.
        let keys = format!("[default]\n{KEYS}");
        let p = plan_env("", &keys, &vars, None, Overrides::default()).unwrap();
        assert!(matches!(p.source, Source::WebIdentity(_)));
        let role = "[default]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = base\n";
        let p = plan_env(
            role,
            &format!("[base]\n{KEYS}"),
            &vars,
            None,
            Overrides::default(),
        )
        .unwrap();
        assert!(matches!(p.source, Source::Static { .. }));
        // A profile the user names ignores the variables, and so does a source profile.
        let named = format!("[kp]\n{KEYS}");
        let p = plan_env("", &named, &vars, Some("kp"), Overrides::default()).unwrap();
        assert!(matches!(p.source, Source::Static { .. }));
        let err = plan_env("", "", &vars, Some("kp"), Overrides::default()).unwrap_err();
        assert!(err.to_string().contains("not found"), "{err}");
        // AWS_ROLE_ARN alone is nothing.
        let err = plan_env("", "", &vars[1..], None, Overrides::default()).unwrap_err();
        assert!(err.to_string().contains("not found"), "{err}");
    }

    #[test]
    fn web_identity_identity_holds_no_token_and_follows_the_file() {
        let a = plan(WEB, "", "web").unwrap();
        let b = plan(&WEB.replace("/run/token", "/run/other"), "", "web").unwrap();
        assert_ne!(a.source.identity(), b.source.identity());
        assert!(a.source.identity().contains("/run/token"));
        let overrides = Overrides {
            session_name: Some("cli".into()),
            duration: Some(900),
            ..Overrides::default()
        };
        let c = plan_with(WEB, "web", overrides).unwrap();
        assert_eq!(
            (web(&c).session_name.as_str(), web(&c).duration),
            ("cli", Some(900))
        );
    }
}

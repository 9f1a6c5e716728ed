//! A profile becomes a [`Plan`]: where the first credentials come from
//! ([`Source`]) and the STS calls made with them, in order ([`Step`]). Plans
//! are built before any network call, so every configuration error surfaces
//! at once with the profile and file named.

use std::path::PathBuf;

use aws_config::profile::Profile;

use crate::config::{default_profile_name, AwsConfig, Service};
use crate::error::{Error, Result};
use crate::partition::Partition;
use crate::sso::{SsoRole, SsoSession};
use crate::step::{
    Call, Source, StaticKeys, Step, CHAINED_ROLE_MAX_SECS, DEFAULT_MFA_SESSION_SECS,
};
use crate::sts::AssumeRole;

/// What the user asked for on top of the profile (from the command line,
/// or recorded for renewal).
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
        let has_role = self.steps.iter().any(Step::is_role);
        let has_mfa = self.steps.iter().any(Step::is_mfa_session);
        match (&self.source, has_role, has_mfa) {
            (_, true, _) => ProfileKind::Role,
            (Source::Static { .. }, false, true) => ProfileKind::Mfa,
            (Source::Static { .. }, ..) => ProfileKind::Static,
            (Source::Sso(_), ..) => ProfileKind::Sso,
            (Source::Process { .. }, ..) => ProfileKind::Process,
            (Source::Environment { .. }, ..) => ProfileKind::Environment,
        }
    }

    /// Whether using this plan yields temporary credentials (something to renew).
    pub fn is_temporary(&self) -> bool {
        !self.steps.is_empty() || !matches!(self.source, Source::Static { .. })
    }

    /// The last step, whose credentials the plan delivers (`None`: the source's).
    pub fn final_step(&self) -> Option<&Step> {
        self.steps.last()
    }
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
            Some(step) => step.is_role(),
            None => self.source.is_role(),
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
        let region = match &ov.region {
            Some(region) => Some(validate_region(region, &name, self.config)?),
            None => self.region_of(&name),
        };
        if let Some(federated) = &ov.federation {
            self.push_federation(&mut chain, &name, federated, region.as_deref())?;
        }
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
        if let (Some(serial), Source::Static { keys, .. }) = (mfa_serial, &chain.source) {
            if keys.session_token.is_none() {
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
            (Some(source), None) if source == name => self.base_source(name, profile),
            (Some(source), None) => self.walk(source, visited, false),
            (None, Some("Environment")) => Ok(Chain {
                source: Source::Environment {
                    profile: name.to_string(),
                    keys: environment_keys(),
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
        let mfa_serial = match (&mfa_serial, &chain.source, chain.steps.is_empty()) {
            (Some(serial), Source::Static { keys, profile }, true)
                if keys.session_token.is_none() =>
            {
                let source_profile = profile.clone();
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
        match (&chain.source, chain.steps.as_slice()) {
            (Source::Static { keys, .. }, []) if keys.session_token.is_none() => {
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

/// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN` of
/// this process, when both keys are set.
fn environment_keys() -> Option<StaticKeys> {
    let credentials = crate::credentials::Credentials::from_environment()?;
    Some(StaticKeys {
        access_key_id: credentials.access_key_id,
        secret_access_key: credentials.secret_access_key,
        session_token: credentials.session_token,
    })
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
}

//! The planner: walks a profile's `source_profile` chain down to its
//! source, then stacks the STS steps on top, applying the overrides.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use aws_config::profile::Profile;

use crate::aws::partition::Partition;
use crate::aws::sts::{
    AssumeRole, FederationToken, GLOBAL_STS_ENDPOINT, LEGACY_GLOBAL_STS_REGIONS,
};
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::plan::source::{Source, StaticKeys};
use crate::plan::step::{Call, Step, CHAINED_ROLE_MAX_SECS, DEFAULT_MFA_SESSION_SECS};
use crate::profile::config::{AwsConfig, Service};
use crate::profile::session_tags::{self, SessionTags};
use crate::source::login::LoginSession;
use crate::source::metadata::{ContainerEndpoint, InstanceMetadata};
use crate::source::sso::SsoRole;
use crate::source::web_identity::WebIdentity;
use crate::store::keystore::Backend;

/// What the user asked for on top of the profile (from the command line,
use super::values::{default_session_name, parse_secs, validate_region, validate_session_name};
use super::{Overrides, Plan, RegionOrigin};

pub(super) struct Planner<'a> {
    pub(super) config: &'a AwsConfig,
    pub(super) overrides: &'a Overrides,
    /// The profile the plan is for (the SDKs read IMDS settings from it).
    pub(super) target: String,
    /// Whether the target may take web identity settings from the environment.
    pub(super) use_env: bool,
    /// Set when many profiles are planned only to learn which plan
    /// ([`super::Plan::which_build`]): each profile's chain as a source
    /// (its outcome, in brief), so that a chain is walked once, not once
    /// per profile that ends in it.
    pub(super) shared: Option<&'a RefCell<HashMap<String, Option<Chain>>>>,
}

/// A source and the steps on top of it, while a chain is being walked.
#[derive(Clone)]
pub(super) struct Chain {
    source: Source,
    steps: Vec<Step>,
    warnings: Vec<String>,
    /// In brief (see [`Planner::shared`]): only the last step is kept, and
    /// how many came before it.
    brief: Option<usize>,
}

impl Chain {
    fn of(source: Source) -> Chain {
        Chain {
            source,
            steps: Vec::new(),
            warnings: Vec::new(),
            brief: None,
        }
    }

    /// Add a step on top (in brief: it replaces the last one).
    fn push(&mut self, step: Step) {
        if let Some(before) = &mut self.brief {
            *before += self.steps.len();
            self.steps.clear();
        }
        self.steps.push(step);
    }

    /// Whether no step is on the source.
    fn is_bare(&self) -> bool {
        self.steps.is_empty() && self.brief.is_none_or(|before| before == 0)
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

/// One profile on the walk down a chain.
enum Down<'p> {
    /// It ends the chain.
    Ends(Box<Chain>),
    /// It is a role, with its section and ARN.
    Role {
        profile: &'p Profile,
        role_arn: &'p str,
        source: RoleSource<'p>,
    },
}

/// Where a role's credentials come from.
enum RoleSource<'p> {
    /// The profile it names as `source_profile`.
    Profile(&'p str),
    /// Its own keys or a `credential_source`.
    Chain(Box<Chain>),
}

impl Planner<'_> {
    pub(super) fn build(&self, name: String) -> Result<Plan> {
        let ov = self.overrides;
        let mut chain = if let Some(role_arn) = &ov.role_arn {
            let mut chain = self.walk(&name, false)?;
            self.push_role(&mut chain, &name, role_arn, None, true)?;
            chain
        } else {
            self.walk(&name, true)?
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
        if self.sts_global_endpoint(&name)?
            && LEGACY_GLOBAL_STS_REGIONS.contains(&region.as_deref().unwrap_or("us-east-1"))
        {
            let global = || Some(GLOBAL_STS_ENDPOINT.to_string());
            for step in &mut chain.steps {
                step.endpoint = step.endpoint.take().or_else(global);
            }
            if let Source::WebIdentity(web) = &mut chain.source {
                web.endpoint = web.endpoint.take().or_else(global);
            }
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

    /// `AWS_STS_REGIONAL_ENDPOINTS`, else the profile's
    /// `sts_regional_endpoints`: `legacy` sends the calls of the regions
    /// STS once served globally to `sts.amazonaws.com`, as botocore does
    /// (when no endpoint is configured); `regional` (the default) does not.
    fn sts_global_endpoint(&self, name: &str) -> Result<bool> {
        let value = self
            .config
            .env_var("AWS_STS_REGIONAL_ENDPOINTS")
            .or_else(|| {
                let profile = self.config.profile(name).ok()?;
                profile
                    .get("sts_regional_endpoints")
                    .map(|v| v.trim().to_string())
            });
        match value.as_deref().map(str::to_ascii_lowercase).as_deref() {
            None | Some("") | Some("regional") => Ok(false),
            Some("legacy") => Ok(true),
            Some(_) => Err(self.invalid(
                name,
                "has sts_regional_endpoints (or AWS_STS_REGIONAL_ENDPOINTS) that is neither `legacy` nor `regional`",
            )),
        }
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
    ///
    /// A loop, not a recursion: first down the chain to the profile that
    /// ends it (or to one whose chain is known, see [`Planner::shared`]),
    /// remembering the roles met, then back up, stacking their steps. A
    /// chain of any depth costs time in proportion to its depth and no
    /// stack.
    fn walk(&self, name: &str, is_target: bool) -> Result<Chain> {
        // The roles met on the way down: (profile, its section, role_arn,
        // whether it is the target).
        let mut roles: Vec<(&str, &Profile, &str, bool)> = Vec::new();
        let mut visited: Vec<&str> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        let (mut current, mut target) = (name, is_target);
        let base = loop {
            if !target {
                if let Some(known) = self.known(current) {
                    break known;
                }
            }
            match self.step_down(current, target, &visited, &seen) {
                Err(err) => break Err(err),
                Ok(Down::Ends(chain)) => break Ok(*chain),
                Ok(Down::Role {
                    profile,
                    role_arn,
                    source,
                }) => {
                    roles.push((current, profile, role_arn, target));
                    visited.push(current);
                    seen.insert(current);
                    match source {
                        RoleSource::Profile(next) => {
                            (current, target) = (next, false);
                        }
                        RoleSource::Chain(chain) => break Ok(*chain),
                    }
                }
            }
        };
        // Instance metadata takes its settings from the target: such a
        // chain is the target's own, never shared.
        let own = self
            .config
            .profile(current)
            .is_ok_and(|p| p.get("credential_source") == Some("Ec2InstanceMetadata"));
        self.climb(base, roles, !own)
    }

    /// Stack the roles met on the way down (the last met first) on `base`,
    /// sharing each role's chain as a source when planning many.
    fn climb(
        &self,
        base: Result<Chain>,
        roles: Vec<(&str, &Profile, &str, bool)>,
        share: bool,
    ) -> Result<Chain> {
        let mut chain = base;
        for (name, profile, role_arn, is_target) in roles.into_iter().rev() {
            chain = chain.and_then(|mut chain| {
                self.push_role(&mut chain, name, role_arn, Some(profile), is_target)?;
                Ok(chain)
            });
            if share && !is_target {
                self.remember(name, &chain);
            }
        }
        chain
    }

    /// The chain of `name` as a source, when another profile's plan walked
    /// it already.
    fn known(&self, name: &str) -> Option<Result<Chain>> {
        let shared = self.shared?.borrow();
        shared.get(name).map(|known| match known {
            Some(chain) => Ok(chain.clone()),
            // Only whether a plan builds is asked when chains are shared.
            None => Err(self.invalid(name, "its chain does not plan")),
        })
    }

    /// Keep the chain of `name` as a source for the plans that follow
    /// (whether it plans, and the chain in brief).
    fn remember(&self, name: &str, chain: &Result<Chain>) {
        let Some(shared) = self.shared else {
            return;
        };
        let kept = chain.as_ref().ok().map(|chain| Chain {
            brief: Some(chain.brief.unwrap_or(0)),
            ..chain.clone()
        });
        shared.borrow_mut().insert(name.to_string(), kept);
    }

    /// One profile of the walk down: the chain it ends, or its role and
    /// where that role's credentials come from.
    fn step_down<'p>(
        &'p self,
        name: &'p str,
        is_target: bool,
        visited: &[&str],
        seen: &HashSet<&str>,
    ) -> Result<Down<'p>> {
        if seen.contains(name) {
            let from = visited.iter().position(|v| *v == name).unwrap_or(0);
            let mut cycle: Vec<String> = visited[from..].iter().map(|v| v.to_string()).collect();
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
                    profile: parent.to_string(),
                    source_name: name.to_string(),
                    file: self.config.file_of(parent).to_path_buf(),
                })
            }
            // The SDKs take web identity from the environment even when the
            // default profile does not exist (a CI runner has no config).
            (Err(err), None) => {
                return match use_env {
                    true => Ok(Down::Ends(Box::new(
                        self.web_identity(name, None, true, is_target)?.ok_or(err)?,
                    ))),
                    false => Err(err),
                }
            }
        };
        // 1. A token file in the profile: web identity, before anything else
        // (botocore's assume-role provider leaves such profiles alone).
        if profile.get("web_identity_token_file").is_some() {
            if let Some(chain) = self.web_identity(name, Some(profile), use_env, is_target)? {
                return Ok(Down::Ends(Box::new(chain)));
            }
        }
        // 2. The role, unless this is a source profile with static keys:
        // those end the chain.
        if let Some(role_arn) = profile.get("role_arn") {
            if is_target || !has_static_keys(profile) {
                let source = self.role_source(name, profile)?;
                return Ok(Down::Role {
                    profile,
                    role_arn,
                    source,
                });
            }
        }
        // 3. Web identity from the environment, for a profile nobody named.
        if use_env {
            if let Some(chain) = self.web_identity(name, Some(profile), true, is_target)? {
                return Ok(Down::Ends(Box::new(chain)));
            }
        }
        // 4. SSO, keys, credential_process; an MFA device makes keys an MFA session.
        let mut chain = self.base_source(name, profile)?;
        let overrides = is_target.then_some(self.overrides);
        let mfa_serial = overrides
            .and_then(|o| o.mfa_serial.as_deref())
            .or(profile.get("mfa_serial"));
        if let (Some(serial), Some(_)) = (mfa_serial, chain.source.long_term_profile()) {
            let duration = self.mfa_duration(name, profile, is_target)?;
            let mut step = self.step(
                name,
                Call::SessionToken {
                    mfa_serial: serial.to_string(),
                    duration,
                },
            );
            step.mfa_process = profile.get("mfa_process").map(str::to_string);
            chain.push(step);
        }
        Ok(Down::Ends(Box::new(chain)))
    }

    /// Where a role profile's credentials come from: another profile (the
    /// walk goes on there), or a chain of its own.
    fn role_source<'p>(&'p self, name: &str, profile: &'p Profile) -> Result<RoleSource<'p>> {
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
                Ok(RoleSource::Chain(Box::new(self.base_source(name, profile)?)))
            }
            (Some(source), None) => Ok(RoleSource::Profile(source)),
            (None, Some(source)) => Ok(RoleSource::Chain(Box::new(
                self.credential_source(name, source)?,
            ))),
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
            endpoint: self.config.endpoint_url(Some(&self.target), Service::Sts),
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
        } else if let (None, Some(backend)) = (access_key_id, Backend::of(profile)) {
            // Before credential_process: the AWS CLI's line for this very
            // profile is `credential_process = stsenv credential-process NAME`.
            Source::Keyring {
                profile: name.to_string(),
                backend,
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
                    // botocore reads the old name first; an empty value
                    // means no token (the SDKs sign without one).
                    session_token: ["aws_security_token", "aws_session_token"]
                        .iter()
                        .find_map(|key| profile.get(key))
                        .map(str::trim)
                        .filter(|token| !token.is_empty())
                        .map(str::to_string),
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
        let mfa_serial = match (&mfa_serial, long_term, chain.is_bare()) {
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
                chain.push(step);
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
            tags: self.session_tags(name, profile, is_target)?,
        });
        let mut step = self.step(name, call);
        if step.mfa_serial().is_some() {
            step.mfa_process = key("mfa_process").map(str::to_string);
        }
        chain.push(step);
        Ok(())
    }

    fn push_federation(
        &self,
        chain: &mut Chain,
        name: &str,
        federated: &str,
        region: Option<&str>,
    ) -> Result<()> {
        match (chain.source.long_term_profile(), chain.is_bare()) {
            (Some(_), true) => {
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
                let profile = self.config.profile(name).ok();
                let call = Call::FederationToken(FederationToken {
                    name: federated.to_string(),
                    policy,
                    policy_arns,
                    duration: self.overrides.duration,
                    // STS has no transitive tags for federated users.
                    tags: self.session_tags(name, profile, true)?.tags,
                });
                chain.push(self.step(name, call));
                Ok(())
            }
            _ => Err(self.invalid(
                name,
                "federated-user credentials (sts:GetFederationToken) need a profile with an IAM user's long-term keys; STS refuses them with temporary credentials or MFA sessions",
            )),
        }
    }

    /// The session tags of `name`'s call: the profile's `session_tags` and
    /// `transitive_session_tags`, and for the target the overrides' on top;
    /// checked against STS's rules here, before any call.
    fn session_tags(
        &self,
        name: &str,
        profile: Option<&Profile>,
        is_target: bool,
    ) -> Result<SessionTags> {
        let key = |k: &str| profile.and_then(|p| p.get(k));
        let own = SessionTags::parse(
            key(session_tags::TAGS_KEY),
            key(session_tags::TRANSITIVE_KEY),
        )
        .map_err(|p| self.invalid(name, &p))?;
        let tags = match is_target {
            true => own.overridden_by(&self.overrides.session_tags),
            false => own,
        };
        tags.validate().map_err(|p| self.invalid(name, &p))?;
        Ok(tags)
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
            endpoint: self.config.endpoint_url(Some(&self.target), Service::Sts),
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

//! A profile becomes a [`Plan`]: where the first credentials come from
//! ([`Source`]) and the STS calls made with them, in order ([`Step`]). Plans
//! are built before any network call, so every configuration error surfaces
//! at once with the profile and file named.
//!
//! Which credentials a profile means follows botocore (the AWS CLI), which
//! the differential tests compare against; where stsenv differs on purpose,
//! the table in docs/profiles.md says so. For one profile, first match wins:
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
pub mod console;
mod planner;
pub mod resolve;
pub mod source;
pub mod step;
mod values;

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::plan::source::Source;
use crate::plan::step::{Call, Step};
use crate::profile::config::AwsConfig;
use crate::profile::session_tags::SessionTags;
use crate::source::sso::SsoSession;

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
    /// Session tags for the final AssumeRole or GetFederationToken; a key
    /// here replaces the same key of the profile's `session_tags`.
    pub session_tags: SessionTags,
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
            shared: None,
        }
        .build(name)
    }

    /// For each of `profiles` (no overrides), what a listing shows of its
    /// plan: its kind and the account its credentials belong to; `None`
    /// where it does not plan. Planned together as [`Plan::which_build`]
    /// plans (each chain worked out once, kept in brief), so a picker of
    /// thousands of profiles draws at once.
    pub fn briefs(config: &AwsConfig, profiles: &[&str]) -> Vec<Option<Brief>> {
        Self::together(config, profiles, |plan| {
            plan.ok().map(|plan| Brief::of(&plan))
        })
    }

    /// Which of `profiles` plan with no overrides (what `stsenv init` makes
    /// functions for): the answer [`Plan::build`] gives for each, found in
    /// time proportional to the profiles and their chains together. Each
    /// profile's chain as a source is worked out once and shared by every
    /// profile whose chain goes through it, and kept in brief (its last
    /// step), so a chain thousands deep is neither walked nor copied once
    /// per profile on it.
    pub fn which_build(config: &AwsConfig, profiles: &[&str]) -> Vec<bool> {
        Self::together(config, profiles, |plan| plan.is_ok())
    }

    /// Plan `profiles` with their chains shared and kept in brief (each
    /// plan's steps are only its last one), and `keep` what is asked of
    /// each: never a whole plan.
    fn together<T>(
        config: &AwsConfig,
        profiles: &[&str],
        keep: impl Fn(Result<Plan>) -> T,
    ) -> Vec<T> {
        let planner = SharedPlanner::new(config);
        profiles
            .iter()
            .map(|name| keep(planner.plan(name)))
            .collect()
    }

    /// The region for STS calls: the plan's, else `us-east-1` (STS's global endpoint).
    pub fn sts_region(&self) -> &str {
        self.region.as_deref().unwrap_or("us-east-1")
    }

    /// What kind of profile this is, for listings.
    pub fn kind(&self) -> ProfileKind {
        let has_role = self.steps.iter().any(Step::is_role);
        let has_mfa = self.steps.iter().any(Step::is_mfa_session);
        kind_of(&self.source, has_role, has_mfa)
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

/// Plans of many profiles (no overrides) made one at a time, each chain
/// worked out once and kept in brief for the plans that follow (see
/// [`Plan::which_build`]): a listing that draws a screenful of thousands
/// of profiles plans only those, and scrolling on costs no more in all
/// than planning them together.
pub struct Briefs<'a> {
    planner: SharedPlanner<'a>,
}

impl<'a> Briefs<'a> {
    /// Nothing planned yet.
    pub fn new(config: &'a AwsConfig) -> Self {
        Briefs {
            planner: SharedPlanner::new(config),
        }
    }

    /// What a listing shows of the plan of `profile` (`None` where it does
    /// not plan): the same answer as [`Plan::briefs`].
    pub fn of(&self, profile: &str) -> Option<Brief> {
        self.planner.plan(profile).ok().map(|plan| Brief::of(&plan))
    }
}

/// The state plans made together share: each chain's outcome as a source.
struct SharedPlanner<'a> {
    config: &'a AwsConfig,
    shared: std::cell::RefCell<std::collections::HashMap<String, Option<planner::Chain>>>,
    overrides: Overrides,
    /// The profile nobody names (`AWS_PROFILE`, else `default`).
    default_name: String,
}

impl<'a> SharedPlanner<'a> {
    fn new(config: &'a AwsConfig) -> Self {
        SharedPlanner {
            config,
            shared: Default::default(),
            overrides: Overrides::default(),
            default_name: config
                .env_var("AWS_PROFILE")
                .unwrap_or_else(|| "default".to_string()),
        }
    }

    /// The plan of `name` in brief (its steps are only its last one).
    fn plan(&self, name: &str) -> Result<Plan> {
        Planner {
            config: self.config,
            overrides: &self.overrides,
            target: name.to_string(),
            use_env: name == self.default_name,
            shared: Some(&self.shared),
        }
        .build(name.to_string())
    }
}

/// The kind of a plan from its source and whether a role or an MFA
/// session is among its steps.
fn kind_of(source: &Source, has_role: bool, has_mfa: bool) -> ProfileKind {
    match (source, has_role, has_mfa) {
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

/// What a listing shows of a plan (see [`Plan::briefs`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Brief {
    /// The profile's kind.
    pub kind: ProfileKind,
    /// The account its credentials belong to, when the config says: the
    /// last role's, else the SSO role's; digits only.
    pub account: Option<String>,
    /// The plan's region.
    pub region: Option<String>,
    /// Whether the plan starts from this very profile's keys in the keystore.
    pub own_keyring: bool,
}

impl Brief {
    /// The brief of `plan`. Only its last step is looked at: in a plan the
    /// roles come last, so that is the last role when there is one.
    pub fn of(plan: &Plan) -> Brief {
        // As [`Plan::kind`] decides: a role anywhere makes it a role, and
        // roles are the last steps; an MFA session alone is the last step.
        let last = plan.steps.last();
        let has_role = last.is_some_and(Step::is_role);
        let has_mfa = last.is_some_and(Step::is_mfa_session);
        let kind = kind_of(&plan.source, has_role, has_mfa);
        let from_arn = plan.steps.iter().rev().find_map(|step| match &step.call {
            Call::AssumeRole(role) => role.role_arn.split(':').nth(4).map(str::to_string),
            _ => None,
        });
        let account = from_arn
            .or_else(|| match &plan.source {
                Source::Sso(role) => Some(role.account_id.clone()),
                Source::Login(login) => login.session_arn.split(':').nth(4).map(str::to_string),
                _ => None,
            })
            .filter(|a| a.len() <= 12 && a.bytes().all(|b| b.is_ascii_digit()));
        let own_keyring =
            matches!(&plan.source, Source::Keyring { profile, .. } if *profile == plan.profile);
        Brief {
            kind,
            account,
            region: plan.region.clone(),
            own_keyring,
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

use planner::Planner;
pub use values::{default_session_name, is_region_name};

#[cfg(test)]
mod tests;

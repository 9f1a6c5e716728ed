//! The shell session contract: the `STSENV_*` variables (and the AWS ones
//! beside them) that `stsenv env` writes, and everything that reads them
//! back — renewal, a bare `stsenv exec`, `unset`, `status`. No other module
//! reads or writes these variables.
//!
//! - `STSENV_PROFILE`: the profile of the session.
//! - `STSENV_OPTIONS`: the session-shaping options, as `--name=value` shell
//!   words (never the MFA code), so renewal asks for the same session.
//! - `STSENV_REFRESH_AT`: epoch seconds when the prompt hook renews.
//! - `STSENV_WRITE_CREDENTIALS`: the `[NAME]` of `~/.aws/credentials` that
//!   `env --write-credentials NAME` writes, so renewal rewrites it.
//! - `STSENV_VARS`: the names the last `env` set, so `unset` removes
//!   exactly those, and so a region variable it lists is known to be
//!   stsenv's own (replaced by the next profile's), not the user's.

use jiff::Timestamp;
use stsenv_core::plan::resolve::refresh_at;
use stsenv_core::plan::{Plan, RegionOrigin};
use stsenv_core::Credentials;

use crate::cli::{ProfileArgs, SessionOptions};
use crate::error::{CliError, CliResult};
use crate::shell::EnvChange;

const PROFILE: &str = "STSENV_PROFILE";
const OPTIONS: &str = "STSENV_OPTIONS";
const REFRESH_AT: &str = "STSENV_REFRESH_AT";
const VARS: &str = "STSENV_VARS";
const WRITE_CREDENTIALS: &str = "STSENV_WRITE_CREDENTIALS";
const EXPIRATION: &str = "AWS_CREDENTIAL_EXPIRATION";

/// Removed by `env` because a stale profile or token would win over the fresh keys.
const SHADOWING: [&str; 3] = ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"];
/// Names `env` may set; `STSENV_VARS` lists the ones it did.
const MANAGED: [&str; 10] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    EXPIRATION,
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    PROFILE,
    REFRESH_AT,
    OPTIONS,
    WRITE_CREDENTIALS,
];

/// What a session puts in the environment that changes with each assume or
/// renewal and that never decides whether a profile plans (its
/// credentials and its own bookkeeping): caches of "which profiles plan"
/// leave these out of their key, so a shell started after an assume finds
/// what one started before it computed.
pub const PER_SESSION: [&str; 9] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    EXPIRATION,
    PROFILE,
    REFRESH_AT,
    VARS,
    WRITE_CREDENTIALS,
];

/// The change that activates `credentials` of `plan`, recording `options`
/// for renewal (`None` for a process that will not renew, like `exec`'s
/// child), and the credentials-file section renewal rewrites, if any.
pub fn activate(
    plan: &Plan,
    credentials: &Credentials,
    options: Option<&SessionOptions>,
    write_credentials: Option<&str>,
) -> EnvChange {
    let mut set: Vec<(&'static str, String)> = vec![
        ("AWS_ACCESS_KEY_ID", credentials.access_key_id.clone()),
        (
            "AWS_SECRET_ACCESS_KEY",
            credentials.secret_access_key.clone(),
        ),
    ];
    if let Some(token) = &credentials.session_token {
        set.push(("AWS_SESSION_TOKEN", token.clone()));
    }
    if let Some(expiration) = credentials.expiration_rfc3339() {
        set.push((EXPIRATION, expiration));
    }
    // A region from the profile or --region is exported; one from the
    // user's own environment is already there, and is left as it is.
    if let (Some(region), RegionOrigin::Override | RegionOrigin::Profile) =
        (&plan.region, plan.region_origin)
    {
        set.push(("AWS_REGION", region.clone()));
        set.push(("AWS_DEFAULT_REGION", region.clone()));
    }
    set.push((PROFILE, plan.profile.clone()));
    if let Some(expiration) = credentials.expiration {
        set.push((REFRESH_AT, refresh_at(plan, expiration).to_string()));
    }
    let words = options.map(SessionOptions::to_words).unwrap_or_default();
    if !words.is_empty() {
        set.push((OPTIONS, join_words(&words)));
    }
    if let Some(name) = write_credentials {
        set.push((WRITE_CREDENTIALS, name.to_string()));
    }
    let names: Vec<&str> = set.iter().map(|(name, _)| *name).collect();
    let vars = names.join(" ");
    let ours = exported_names();
    let unset = MANAGED
        .iter()
        .chain(SHADOWING.iter())
        // A region variable is removed only when an earlier session of
        // stsenv exported it: one the user set is theirs.
        .filter(|name| {
            !names.contains(name)
                && (!name.ends_with("_REGION") || ours.contains(&name.to_string()))
        })
        .copied()
        .collect();
    set.push((VARS, vars));
    EnvChange { set, unset }
}

/// The names the last `env` in this shell exported (`STSENV_VARS`).
fn exported_names() -> Vec<String> {
    std::env::var(VARS)
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// The region the user set in the environment, as the SDKs read it:
/// `AWS_REGION`, else `AWS_DEFAULT_REGION`. A variable the last `env`
/// exported itself (listed in `STSENV_VARS`) is not the user's: it belongs
/// to the previous session, and the new profile's region replaces it, so
/// `dev_assume` then `prod_assume` moves regions.
pub fn user_region() -> Option<String> {
    let ours = exported_names();
    ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .into_iter()
        .filter(|name| !ours.iter().any(|o| o == name))
        .find_map(|name| {
            std::env::var(name)
                .ok()
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty())
        })
}

/// Shell words joined with spaces, each quoted only when it needs to be:
/// `--role-arn=arn:aws:iam::1:role/x` stays readable in `env` output.
fn join_words(words: &[String]) -> String {
    let plain = |word: &str| {
        !word.is_empty()
            && word
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_=.:/@,+%".contains(c))
    };
    let quoted: Vec<String> = words
        .iter()
        .map(|word| match plain(word) {
            true => word.clone(),
            false => shell_words::quote(word).into_owned(),
        })
        .collect();
    quoted.join(" ")
}

/// The change that removes what the last `env` set, read from `STSENV_VARS`
/// (all credential variables when it is missing).
pub fn deactivate() -> EnvChange {
    let recorded = std::env::var(VARS).unwrap_or_default();
    let mut unset: Vec<&'static str> = MANAGED
        .iter()
        .filter(|name| {
            recorded.split_whitespace().any(|r| r == **name)
                || (recorded.is_empty() && !name.ends_with("_REGION"))
        })
        .copied()
        .collect();
    unset.push(VARS);
    EnvChange {
        set: Vec::new(),
        unset,
    }
}

/// The session recorded in this shell by the last `env`, as the arguments
/// that make it again; `None` when there is none.
pub fn recorded() -> CliResult<Option<ProfileArgs>> {
    let Some(profile) = std::env::var(PROFILE).ok().filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let options = std::env::var(OPTIONS).unwrap_or_default();
    let words = shell_words::split(&options)
        .map_err(|e| CliError::Usage(format!("{OPTIONS} is not valid shell words: {e}")))?;
    let session = SessionOptions::from_words(&words).map_err(|e| {
        CliError::Usage(format!(
            "{OPTIONS} does not hold stsenv options ({}); run `stsenv_unassume` and assume the profile again",
            e.kind()
        ))
    })?;
    // The profile is taken as it is, never parsed: a name like `-h` stays a name.
    Ok(Some(ProfileArgs {
        profile_option: Some(profile),
        session,
        ..ProfileArgs::default()
    }))
}

/// The `[NAME]` of `~/.aws/credentials` the session in this shell writes
/// (`STSENV_WRITE_CREDENTIALS`), when it writes one.
pub fn recorded_write_credentials() -> Option<String> {
    std::env::var(WRITE_CREDENTIALS)
        .ok()
        .filter(|name| !name.is_empty())
}

/// What the environment says about the active session (for `status`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// `STSENV_PROFILE`.
    pub profile: String,
    /// The role of `--role-arn` or the user of `--federation` recorded in
    /// `STSENV_OPTIONS`: then the credentials are that role's (or user's),
    /// and the profile only their source.
    pub assumed: Option<String>,
    /// `AWS_CREDENTIAL_EXPIRATION`, when set and valid.
    pub expiration: Option<Timestamp>,
    /// `STSENV_REFRESH_AT`, when set and valid.
    pub refresh_at: Option<i64>,
    /// `STSENV_WRITE_CREDENTIALS`: the credentials-file section it writes.
    pub write_credentials: Option<String>,
}

impl Status {
    /// Read the session from the environment; `None` when `STSENV_PROFILE`
    /// is unset or empty.
    pub fn from_env() -> Option<Status> {
        let profile = std::env::var(PROFILE).ok().filter(|p| !p.is_empty())?;
        let expiration = std::env::var(EXPIRATION)
            .ok()
            .and_then(|e| e.parse::<Timestamp>().ok());
        let refresh_at = std::env::var(REFRESH_AT)
            .ok()
            .and_then(|r| r.parse::<i64>().ok());
        let options = std::env::var(OPTIONS).unwrap_or_default();
        let recorded = shell_words::split(&options)
            .ok()
            .and_then(|words| SessionOptions::from_words(&words).ok())
            .unwrap_or_default();
        let assumed = recorded
            .role_arn
            .map(|arn| format!("role {arn}"))
            .or_else(|| {
                recorded
                    .federation
                    .map(|name| format!("federated user {name}"))
            });
        Some(Status {
            profile,
            assumed,
            expiration,
            refresh_at,
            write_credentials: recorded_write_credentials(),
        })
    }

    /// The short name of whose credentials these are: the role's name
    /// (the last part of its ARN) or federated user's, else the profile.
    /// Without control characters: it comes from the environment and goes
    /// to a prompt.
    pub fn name(&self) -> String {
        let name = match &self.assumed {
            Some(assumed) => assumed.rsplit(['/', ' ']).next().unwrap_or(assumed),
            None => &self.profile,
        };
        name.chars().filter(|c| !c.is_control()).collect()
    }

    /// Whose credentials these are, in full, for a sentence:
    /// `dev`, or `role arn:aws:iam::1:role/dev (from profile alice)`.
    pub fn description(&self) -> String {
        let text = match &self.assumed {
            Some(assumed) => format!("{assumed} (from profile {})", self.profile),
            None => self.profile.clone(),
        };
        text.chars().filter(|c| !c.is_control()).collect()
    }

    /// The profile, as the environment has it (for whoami's answer).
    pub fn profile_or(default: &str) -> String {
        std::env::var(PROFILE)
            .ok()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| default.to_string())
    }
}

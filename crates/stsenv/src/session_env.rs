//! The environment a session lives in: what `stsenv env` sets and removes,
//! and what `stsenv unset` takes away again (DESIGN §5).

use stsenv_core::plan::Plan;
use stsenv_core::resolve::refresh_at;
use stsenv_core::Credentials;

use crate::emit::EnvChange;

/// Removed by `env` because a stale profile or token would win over the fresh keys.
const SHADOWING: [&str; 3] = ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"];
/// Names `env` may set; `STSENV_VARS` lists the ones it did.
const MANAGED: [&str; 9] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "STSENV_PROFILE",
    "STSENV_REFRESH_AT",
    "STSENV_OPTIONS",
];
/// The bookkeeping variable: the names the last `env` set, space-separated.
const VARS: &str = "STSENV_VARS";

/// The change that activates `credentials` of `plan`. `options` are the
/// command-line options to repeat on renewal (`STSENV_OPTIONS`), if any.
pub fn activate(plan: &Plan, credentials: &Credentials, options: Option<String>) -> EnvChange {
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
        set.push(("AWS_CREDENTIAL_EXPIRATION", expiration));
    }
    if let Some(region) = &plan.region {
        set.push(("AWS_REGION", region.clone()));
        set.push(("AWS_DEFAULT_REGION", region.clone()));
    }
    set.push(("STSENV_PROFILE", plan.profile.clone()));
    if let Some(expiration) = credentials.expiration {
        set.push((
            "STSENV_REFRESH_AT",
            refresh_at(plan, expiration).to_string(),
        ));
    }
    if let Some(options) = options {
        set.push(("STSENV_OPTIONS", options));
    }
    let names: Vec<&str> = set.iter().map(|(name, _)| *name).collect();
    let vars = names.join(" ");
    let unset = MANAGED
        .iter()
        .chain(SHADOWING.iter())
        // A region the profile does not name is the user's own: left alone.
        .filter(|name| !names.contains(name) && !name.ends_with("_REGION"))
        .copied()
        .collect();
    set.push((VARS, vars));
    EnvChange { set, unset }
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

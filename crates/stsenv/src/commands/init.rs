//! `stsenv init SHELL`: print the shell plugin: the shell's template with
//! the binary's absolute path, one `<alias>_assume` function per profile
//! whose plan builds, and the hook registration (see `crate::shell`).

use std::process::ExitCode;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use stsenv_core::cache::Cache;
use stsenv_core::config::AwsConfig;
use stsenv_core::plan::{Overrides, Plan};

use crate::cli::InitArgs;
use crate::error::{CliError, CliResult};
use crate::output;
use crate::shell::{self, AssumeFunction, InitOptions};

/// The environment variable that turns a run of stsenv into a completion
/// request. Not clap's default `COMPLETE`: a name that generic may be set
/// for other reasons, and stsenv would then print completions instead of
/// running.
pub const COMPLETE_VAR: &str = "_STSENV_COMPLETE";

/// Run `stsenv init`.
pub fn run(args: InitArgs) -> CliResult {
    let exe = std::env::current_exe().map_err(|e| {
        CliError::Refused(format!("cannot find the path of the stsenv binary: {e}"))
    })?;
    let bin = exe
        .to_str()
        .ok_or_else(|| {
            CliError::Refused(format!(
                "the path of stsenv is not UTF-8: {}",
                exe.display()
            ))
        })?
        .to_string();
    let functions = (!args.no_aliases).then(|| {
        // A broken config must not break the user's shell start-up: the
        // plugin still loads, without per-profile functions.
        match AwsConfig::load() {
            Ok(config) => assume_functions(&config),
            Err(err) => {
                stsenv_core::warn(&format!("no <profile>_assume functions: {err}"));
                Vec::new()
            }
        }
    });
    let options = InitOptions {
        bin,
        epoch: jiff::Timestamp::now().as_second(),
        functions,
        hook: !args.no_hook,
    };
    output::print(&shell::render_init(args.shell, &options))?;
    Ok(ExitCode::SUCCESS)
}

/// The `<alias>_assume` functions for every profile whose plan builds.
///
/// Planning 5,000 profiles takes longer than the rest of `init`, so the
/// list of profiles that plan (and their aliases) is kept in the cache,
/// keyed by everything planning reads: the files' identity, every `AWS_*`,
/// `STSENV_*`, `USER`, `USERNAME` and `HOME` variable, and the version.
fn assume_functions(config: &AwsConfig) -> Vec<AssumeFunction> {
    let cache = Cache::from_env();
    let key = memo_key(config);
    if let Some(profiles) = key
        .as_deref()
        .and_then(|key| read_memo(&cache, key, config))
    {
        return shell::assume_functions(profiles.iter().map(|(p, a)| (p.as_str(), a.as_deref())));
    }
    let profiles: Vec<(String, Option<String>)> = config
        .profile_names()
        .into_iter()
        .filter_map(|name| {
            Plan::build(config, Some(name), &Overrides::default()).ok()?;
            let alias = config
                .profile(name)
                .ok()
                .and_then(|profile| profile.get("stsenv_alias"));
            Some((name.to_string(), alias.map(str::to_string)))
        })
        .collect();
    if let Some(key) = key {
        let memo = Memo {
            key,
            profiles: profiles.clone(),
        };
        if let Ok(bytes) = serde_json::to_vec(&memo) {
            let _ = cache.write_note(MEMO_NOTE, &bytes);
        }
    }
    shell::assume_functions(profiles.iter().map(|(p, a)| (p.as_str(), a.as_deref())))
}

/// The note holding the last list of profiles that plan.
const MEMO_NOTE: &str = "init-profiles";

/// Which profiles planned, for which inputs.
#[derive(Serialize, Deserialize)]
struct Memo {
    key: String,
    profiles: Vec<(String, Option<String>)>,
}

/// The digest of everything planning reads; `None` when the config is not
/// from settled files (see `AwsConfig::fingerprint`).
fn memo_key(config: &AwsConfig) -> Option<String> {
    let mut vars: Vec<(String, String)> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .filter(|(k, _)| {
            k.starts_with("AWS_")
                || k.starts_with("STSENV_")
                || ["USER", "USERNAME", "HOME"].contains(&k.as_str())
        })
        .collect();
    vars.sort();
    // Hashed: the variables may hold credentials, which never reach a file.
    let input =
        serde_json::to_vec(&(env!("CARGO_PKG_VERSION"), config.fingerprint()?, vars)).ok()?;
    Some(hex::encode(Sha256::digest(&input)))
}

/// The memo for `key`, if the cache holds one whose profiles all exist
/// (it is a cache file: anything else means planning again).
fn read_memo(
    cache: &Cache,
    key: &str,
    config: &AwsConfig,
) -> Option<Vec<(String, Option<String>)>> {
    let bytes = cache.read_note(MEMO_NOTE, 64 << 20)?;
    let memo: Memo = serde_json::from_slice(&bytes).ok()?;
    (memo.key == key && memo.profiles.iter().all(|(p, _)| config.has_profile(p)))
        .then_some(memo.profiles)
}

//! `stsenv init SHELL`: print the shell plugin: the shell's template with
//! the binary's absolute path, one `<alias>_assume` function per profile
//! whose plan builds, and the hook registration (see `crate::shell`).

use std::process::ExitCode;

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
fn assume_functions(config: &AwsConfig) -> Vec<AssumeFunction> {
    let profiles = config.profile_names().into_iter().filter_map(|name| {
        Plan::build(config, Some(name), &Overrides::default()).ok()?;
        let alias = config
            .profile(name)
            .ok()
            .and_then(|profile| profile.get("stsenv_alias"));
        Some((name, alias))
    });
    shell::assume_functions(profiles)
}

//! `stsenv`: AWS temporary credentials for your shell.
//!
//! `main` parses the command line and hands it to `commands`, which only
//! dispatches. What the commands share: `obtain` (arguments → plan →
//! credentials), `session` (the `STSENV_*` contract), `shell` (all shell
//! code), `prompt` (MFA codes), `output` (stdout without panics).

mod cli;
mod clipboard;
mod commands;
mod error;
mod mfa_code;
mod mfa_process;
mod obtain;
mod output;
mod picker;
mod platform;
mod prompt;
mod server;
mod session;
mod shell;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

/// Set by the shell plugin when stsenv's stdout is evaluated.
const EVAL_VAR: &str = "_STSENV_EVAL";

fn main() -> ExitCode {
    // Answers TAB requests from the completion the plugin registers
    // (`_STSENV_COMPLETE=bash stsenv -- …`) and exits; otherwise returns at
    // once after one environment lookup.
    clap_complete::CompleteEnv::with_factory(cli::Cli::command)
        .var(commands::init::COMPLETE_VAR)
        .complete();
    if let Some(code) = commands::man::intercept() {
        return code;
    }
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage_error(&err),
    };
    match commands::run(cli.command) {
        Ok(code) => code,
        Err(err) => {
            if let Some(message) = err.report() {
                output::note(&format!("stsenv: error: {message}"));
            }
            ExitCode::from(err.exit_code())
        }
    }
}

/// clap's help, version and usage errors. Help and version normally go to
/// stdout; when the plugin evaluates stdout (`stsenv_assume -h`) they go to
/// stderr, so that nothing but env code is ever evaluated.
fn usage_error(err: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    let informational = matches!(
        err.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    );
    let evaluated = std::env::var_os(EVAL_VAR).is_some();
    if informational && !evaluated {
        return match output::print(&err.render().to_string()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(write) => ExitCode::from(write.exit_code()),
        };
    }
    output::note(err.render().to_string().trim_end());
    ExitCode::from(if informational { 0 } else { 2 })
}

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

use clap::{CommandFactory, FromArgMatches, Parser};

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
    let cli = match parse() {
        Ok(cli) => cli,
        Err(mut err) => {
            suggest_separator(&mut err);
            return usage_error(&err);
        }
    };
    match commands::run(cli.command) {
        Ok(code) => code,
        Err(err) => {
            if let Some(message) = err.report() {
                // Errors carry outside values (server answers, names from
                // the files or the index): nothing in them drives the terminal.
                let message = stsenv_core::store::untrusted::printable_lines(&message);
                output::note(&format!("stsenv: error: {message}"));
            }
            ExitCode::from(err.exit_code())
        }
    }
}

/// The command line, parsed as `Cli::try_parse` parses it, but the
/// command tree clap builds for it (thousands of small allocations) is
/// never freed: the process ends soon after, and freeing it cost more
/// than a cache hit's own work (about 0.1 M instructions, and the heap
/// then had to be put back in order for the next large allocation).
fn parse() -> Result<cli::Cli, clap::Error> {
    let mut command = cli::Cli::command();
    let parsed = match command.try_get_matches_from_mut(std::env::args_os()) {
        // As clap's derive does: an error here is formatted with the command.
        Ok(mut matches) => {
            cli::Cli::from_arg_matches_mut(&mut matches).map_err(|e| e.format(&mut command))
        }
        Err(err) => Err(err),
    };
    std::mem::forget(command);
    parsed
}

/// `stsenv exec dev aws s3 ls` (no `--`): clap only sees an unexpected
/// argument `aws`. Say what the fix is, with the user's own words.
fn suggest_separator(err: &mut clap::Error) {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let args: Vec<String> = std::env::args().skip(1).collect();
    if err.kind() != ErrorKind::UnknownArgument || args.first().map(String::as_str) != Some("exec")
    {
        return;
    }
    let Some(ContextValue::String(unexpected)) = err.get(ContextKind::InvalidArg) else {
        return;
    };
    if unexpected.starts_with('-') {
        return;
    }
    // Where clap stopped: the first occurrence of the word that cannot be
    // read as stsenv's own (the word may also be the profile's name, as
    // in `exec aws aws s3 ls`).
    let parses = |words: &[String]| {
        let line = ["stsenv"]
            .into_iter()
            .chain(words.iter().map(String::as_str))
            .chain(["--", "true"]);
        cli::Cli::try_parse_from(line).is_ok()
    };
    let Some(at) = (1..args.len())
        .find(|&at| args[at] == *unexpected && parses(&args[..at]) && !parses(&args[..=at]))
    else {
        return;
    };
    let mut fixed = vec!["stsenv".to_string()];
    fixed.extend(args[..at].iter().cloned());
    fixed.push("--".to_string());
    fixed.extend(args[at..].iter().cloned());
    let fixed = shell_words::join(fixed);
    // The user's own words, but still made harmless for the terminal.
    let tip = format!(
        "put `--` before the command: {}",
        stsenv_core::store::untrusted::shown_up_to(&fixed, 200)
    );
    err.insert(
        ContextKind::Suggested,
        ContextValue::StyledStrs(vec![tip.into()]),
    );
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

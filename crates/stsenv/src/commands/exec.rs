//! `stsenv exec PROFILE -- CMD`: run a command with the credentials. On
//! Unix the command replaces stsenv (exec), so signals and the exit status
//! are its own; Windows has no exec, so stsenv waits for it through Ctrl-C
//! and exits with its code (see `platform::process`).

use std::process::Command;

use crate::cli::ExecArgs;
use crate::error::{CliError, CliResult};
use crate::output::cannot_run;
use crate::platform::process::replace_process;
use crate::{obtain, session};

/// Set in the command's environment so a nested `stsenv exec` can refuse.
const NESTING_VAR: &str = "STSENV_EXEC";

/// Run `stsenv exec`.
pub fn run(args: ExecArgs) -> CliResult {
    if let Some(outer) = std::env::var_os(NESTING_VAR) {
        if !args.force {
            return Err(CliError::Refused(format!(
                "already inside `stsenv exec` for profile `{}`; exit that shell first or pass --force",
                outer.to_string_lossy()
            )));
        }
    }
    if args.server {
        return Ok(crate::server::run_exec(args)?);
    }
    let resolved = obtain::resolve(&args.profile)?;
    let change = session::activate(&resolved.plan, &resolved.credentials, None);
    let Some((program, rest)) = args.command.split_first() else {
        return Err(CliError::Usage("no command given after `--`".to_string()));
    };
    let mut command = Command::new(program);
    command.args(rest);
    for (name, value) in &change.set {
        command.env(name, value);
    }
    for name in &change.unset {
        command.env_remove(name);
    }
    command.env(NESTING_VAR, &resolved.plan.profile);
    let error = replace_process(&mut command);
    Ok(cannot_run(program, &error))
}

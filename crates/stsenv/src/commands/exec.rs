//! `stsenv exec PROFILE -- CMD`: run a command with the credentials. On
//! Unix the command replaces stsenv (exec), so signals and the exit status
//! are its own; Windows has no exec, so stsenv waits for it through Ctrl-C
//! and exits with its code (see `platform::process`).

use std::process::Command;

use stsenv_core::Credentials;

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
    let Some((program, rest)) = args.command.split_first() else {
        return Err(CliError::Usage("no command given after `--`".to_string()));
    };
    let mut command = Command::new(program);
    command.args(rest);
    // A section to write names a session to resolve, not the shell's keys.
    if args.write_credentials.is_none() && uses_exported_keys(&args)? {
        // The command gets this environment as it is: the SDKs (and
        // `stsenv whoami`) use exported keys before any profile.
        command.env(NESTING_VAR, ENVIRONMENT);
        let error = replace_process(&mut command);
        return Ok(cannot_run(program, &error));
    }
    let resolved = obtain::resolve(&args.profile)?;
    if let Some(name) = &args.write_credentials {
        super::env::write_credentials_file(name, &resolved, true)?;
    }
    let change = session::activate(&resolved.plan, &resolved.credentials, None, None);
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

/// How [`NESTING_VAR`] names keys that were exported, not a profile.
const ENVIRONMENT: &str = "(environment)";

/// Whether the command should run with the keys exported in this shell:
/// nothing named (no profile, no session option), no stsenv session in
/// this shell (whose keys stsenv renews itself), and a key pair exported,
/// which must be usable (not blank, not past `AWS_CREDENTIAL_EXPIRATION`).
fn uses_exported_keys(args: &ExecArgs) -> CliResult<bool> {
    if !args.profile.names_nothing() || session::recorded()?.is_some() {
        return Ok(false);
    }
    match Credentials::from_environment() {
        Some(credentials) => {
            credentials.checked(ENVIRONMENT, "AWS_* variables of this shell")?;
            Ok(true)
        }
        None => Ok(false),
    }
}

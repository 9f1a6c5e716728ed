//! `stsenv exec --server PROFILE -- CMD`: CMD runs as a child with the
//! server's URL and token instead of keys, for as long as it likes.
//!
//! Unlike `exec`, stsenv cannot replace itself with the command: it stays
//! to serve and renew. So it forwards signals (see `signals`), exits with
//! the child's status (128+N when the child died of signal N on Unix; the
//! whole 32-bit exit code on Windows), and the server ends with the child.

use std::ffi::OsString;
use std::process::{Command, ExitCode};

use stsenv_core::Result;

use super::{signals, PrivateAwsFiles, Server, SHADOWING};
use crate::cli::ExecArgs;
use crate::platform::process;

/// Set in the command's environment so a nested `stsenv exec` can refuse
/// (the same variable `exec` sets).
const NESTING_VAR: &str = "STSENV_EXEC";

/// Run `stsenv exec --server`.
pub fn run_exec(args: ExecArgs) -> Result<ExitCode> {
    let (program, rest) = args.command.split_first().expect("clap requires a command");
    let server = Server::start(&args.profile, 0, describe(&args.command))?;
    let files = PrivateAwsFiles::if_needed()?;
    let mut command = Command::new(program);
    command.args(rest);
    for name in SHADOWING {
        command.env_remove(name);
    }
    for (name, value) in server.env() {
        command.env(name, value);
    }
    for (name, value) in files.iter().flat_map(PrivateAwsFiles::env) {
        command.env(name, value);
    }
    command.env(NESTING_VAR, server.profile());
    super::limits::restore_for_child(&mut command);
    signals::install_forwarding()?;
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(error) => return Ok(crate::output::cannot_run(program, &error)),
    };
    signals::forward_to(&child);
    let status = signals::wait(&mut child);
    server.stop();
    drop(files);
    // Last: on Windows a code that does not fit a byte exits right here.
    Ok(match status {
        Ok(status) => process::exit_code(status),
        Err(_) => ExitCode::FAILURE,
    })
}

/// The command, quoted and shortened, for "… is waiting" lines.
fn describe(command: &[OsString]) -> String {
    let words: Vec<String> = command
        .iter()
        .map(|w| w.to_string_lossy().into_owned())
        .collect();
    let line = shell_words::join(&words);
    let short: String = line.chars().take(60).collect();
    if short.len() < line.len() {
        format!("`{short}…`")
    } else {
        format!("`{line}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_described_quoted_and_short() {
        let words = |w: &[&str]| w.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            describe(&words(&["terraform", "apply", "a b"])),
            "`terraform apply 'a b'`"
        );
        let long = describe(&words(&["x"; 100]));
        assert!(long.ends_with("…`") && long.chars().count() == 63, "{long}");
    }
}

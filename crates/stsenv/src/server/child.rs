//! `stsenv exec --server PROFILE -- CMD`: CMD runs as a child with the
//! server's URL and token instead of keys, for as long as it likes.
//!
//! Unlike `exec`, stsenv cannot replace itself with the command: it stays
//! to serve and renew. So it forwards signals (see `signals`), exits with
//! the child's status (128+N when the child died of signal N), and the
//! server ends with the child.

use std::ffi::OsString;
use std::process::{Command, ExitCode};

use stsenv_core::Result;

use super::{signals, PrivateAwsFiles, Server, SHADOWING};
use crate::cli::ExecArgs;

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
    signals::forward_to(child.id());
    signals::wait_for_exit(child.id());
    signals::stop_forwarding();
    let status = child.wait();
    server.stop();
    drop(files);
    Ok(ExitCode::from(match status {
        Ok(status) => exit_code(status),
        Err(_) => 1,
    }))
}

/// The child's status as ours: its code, or 128+N after signal N.
fn exit_code(status: std::process::ExitStatus) -> u8 {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return u8::try_from(128 + signal).unwrap_or(255);
        }
    }
    status
        .code()
        .and_then(|code| u8::try_from(code).ok())
        .unwrap_or(1)
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

    #[cfg(unix)]
    #[test]
    fn signals_become_128_plus_n() {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(exit_code(std::process::ExitStatus::from_raw(42 << 8)), 42);
        assert_eq!(exit_code(std::process::ExitStatus::from_raw(15)), 143);
        assert_eq!(exit_code(std::process::ExitStatus::from_raw(2)), 130);
    }
}

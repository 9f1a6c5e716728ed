//! `mfa_process`: a command from the profile whose stdout is the current
//! MFA code (aws-vault's key), e.g. `ykman oath accounts code --single …`.
//!
//! It runs as argv (shell-words, no shell), with stdin closed, its stdout
//! read up to a small bound, and a deadline after which its whole process
//! group is killed. Its output is hostile: only six digits are accepted, and
//! no part of it is ever repeated in a message (it may be a code).

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::prompt::validate_token_code;

/// How long the command may run, in seconds (default 30).
pub const TIMEOUT_VAR: &str = "STSENV_MFA_PROCESS_TIMEOUT";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// A code is six digits; anything much longer is not one.
const MAX_OUTPUT: u64 = 4096;

/// The timeout from [`TIMEOUT_VAR`] (positive seconds, fractions allowed).
fn timeout() -> Duration {
    std::env::var(TIMEOUT_VAR)
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|secs| secs.is_finite() && *secs > 0.0 && *secs <= 3600.0)
        .map(Duration::from_secs_f64)
        .unwrap_or(DEFAULT_TIMEOUT)
}

/// Run `command` and return the code it printed, or why it gave none (a
/// reason that never contains the command's output).
pub fn run(command: &str) -> Result<String, String> {
    let argv = shell_words::split(command).map_err(|e| format!("cannot parse it: {e}"))?;
    let (program, args) = argv
        .split_first()
        .ok_or_else(|| "the command is empty".to_string())?;
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        // Its stderr is the user's: "touch your key" must be seen.
        .stderr(Stdio::inherit());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Its own group, so a timeout kills what it started too.
        cmd.process_group(0);
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run `{program}`: {e}"))?;
    let stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(stdout) = stdout {
            // A read error leaves what was read; validation decides.
            let _ = stdout.take(MAX_OUTPUT).read_to_end(&mut out);
        }
        out
    });
    let deadline = Instant::now() + timeout();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                kill_group(&mut child);
                // The reader ends once the group's pipe ends are closed.
                let _ = reader.join();
                return Err(format!(
                    "`{program}` did not finish within {} s",
                    timeout().as_secs_f64()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => {
                kill_group(&mut child);
                return Err(format!("cannot wait for `{program}`: {e}"));
            }
        }
    };
    // The command is done, but something it started may hold stdout open:
    // end the group so the reader cannot hang.
    kill_group(&mut child);
    let out = reader.join().unwrap_or_default();
    if !status.success() {
        return Err(format!("`{program}` exited with {status}"));
    }
    let text = String::from_utf8(out).map_err(|_| format!("`{program}` printed no code"))?;
    validate_token_code(&text).map_err(|_| format!("`{program}` did not print six digits"))
}

/// Kill the child's process group (unix) or the child.
fn kill_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        if let Ok(pid) = libc::pid_t::try_from(child.id()) {
            // SAFETY: kill(2) with a negative pid signals the group we created
            // with process_group(0); it touches no memory.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_printed_code_is_taken_and_garbage_is_not_repeated() {
        assert_eq!(run("printf '123456\\n'").unwrap(), "123456");
        let err = run("echo 98765x").unwrap_err();
        assert!(!err.contains("98765"), "{err}");
        assert!(run("false").unwrap_err().contains("exited"));
        assert!(run("").is_err());
        assert!(run("/nonexistent/otp").unwrap_err().contains("cannot run"));
    }
}

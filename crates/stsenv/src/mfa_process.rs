//! `mfa_process`: a command from the profile whose stdout is the current
//! MFA code (aws-vault's key), e.g. `ykman oath accounts code --single …`.
//!
//! It runs as argv (shell-words, no shell), with stdin closed, its stdout
//! read up to a small bound, and a deadline after which its whole process
//! group is killed. Its output is hostile: only six digits are accepted, and
//! no part of it is ever repeated in a message (it may be a code).

use std::time::Duration;

use stsenv_core::source::process::{run_bounded, Limits, Stopped};

use crate::mfa_code::validate_token_code;

/// How long the command may run, in seconds (default 30).
pub const TIMEOUT_VAR: &str = "STSENV_MFA_PROCESS_TIMEOUT";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// A code is six digits; anything much longer is not one.
const MAX_OUTPUT: usize = 4096;

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
/// reason that never contains the command's output). Its stderr is the
/// user's: "touch your key" must be seen.
pub fn run(command: &str) -> Result<String, String> {
    let limits = Limits {
        timeout: timeout(),
        max_stdout: MAX_OUTPUT,
        capture_stderr: false,
    };
    let (program, finished) = run_bounded(command, &limits).map_err(|stopped| match stopped {
        Stopped::TimedOut(program) => format!(
            "`{program}` did not finish within {} s",
            limits.timeout.as_secs_f64()
        ),
        Stopped::TooMuchOutput(program) => format!("`{program}` printed no code"),
        Stopped::Unrunnable(reason) => reason,
    })?;
    if !finished.status.success() {
        return Err(format!("`{program}` exited with {}", finished.status));
    }
    let text =
        String::from_utf8(finished.stdout).map_err(|_| format!("`{program}` printed no code"))?;
    validate_token_code(&text).map_err(|_| format!("`{program}` did not print six digits"))
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

//! `credential_process`: run the command (argv, no shell) and read the
//! version-1 JSON it prints. The command is outside code: it runs in its
//! own process group under a time limit (the whole group is killed when it
//! runs out), its output is read up to a size limit, and what it prints is
//! checked like any credentials from outside before anything uses it.

use std::io::Read;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use serde::Deserialize;

use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::platform::ProcessTree;
use crate::store::untrusted::shown;

/// Overrides [`DEFAULT_TIMEOUT_SECS`], in whole seconds.
pub const TIMEOUT_VAR: &str = "STSENV_PROCESS_TIMEOUT";
/// How long a `credential_process` may run (the AWS SDKs have no limit;
/// a hung helper would hang every shell prompt that renews).
pub const DEFAULT_TIMEOUT_SECS: u64 = 60;
/// The most stdout read: real output is a few kilobytes.
pub const MAX_OUTPUT_BYTES: usize = 1 << 20;
/// The most stderr kept for the error message (the rest is read and dropped
/// so the command never blocks on a full pipe).
const MAX_STDERR_BYTES: usize = 16 << 10;
/// How much of the command's stderr an error message shows.
const STDERR_SHOWN_CHARS: usize = 400;

/// The credential_process v1 output shape. Unknown fields (`AccountId`)
/// are ignored, as the SDKs do.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProcessOutput {
    version: u32,
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    /// Kept as text so a bad value gets its own message.
    expiration: Option<String>,
}

/// The time limit: `STSENV_PROCESS_TIMEOUT` when it is a positive number
/// of seconds (anything else is warned about and ignored), else 60 s.
pub fn timeout() -> Duration {
    let Ok(value) = std::env::var(TIMEOUT_VAR) else {
        return Duration::from_secs(DEFAULT_TIMEOUT_SECS);
    };
    match value.trim().parse::<u32>() {
        Ok(secs) if secs > 0 => Duration::from_secs(u64::from(secs)),
        _ => {
            crate::warn(&format!(
                "{TIMEOUT_VAR}={} is not a positive number of seconds; using {DEFAULT_TIMEOUT_SECS}",
                shown(&value)
            ));
            Duration::from_secs(DEFAULT_TIMEOUT_SECS)
        }
    }
}

/// Run `command` for `profile` and parse its credentials.
pub fn run(profile: &str, command: &str) -> Result<Credentials> {
    let fail = |reason: String| Error::CredentialProcess {
        profile: profile.to_string(),
        reason,
    };
    let limit = timeout();
    let limits = Limits {
        timeout: limit,
        max_stdout: MAX_OUTPUT_BYTES,
        capture_stderr: true,
    };
    let (program, finished) = match run_bounded(command, &limits) {
        Ok(done) => done,
        Err(Stopped::TimedOut(program)) => {
            return Err(fail(format!(
                "`{program}` did not finish within {} s, so it and its process group were killed; fix the command or raise {TIMEOUT_VAR}",
                limit.as_secs()
            )))
        }
        Err(Stopped::TooMuchOutput(program)) => {
            return Err(fail(format!(
                "`{program}` printed more than {} MiB, so it and its process group were killed; it must print one credential_process JSON object",
                MAX_OUTPUT_BYTES >> 20
            )))
        }
        Err(Stopped::Unrunnable(reason)) => return Err(fail(reason)),
    };
    if !finished.status.success() {
        let stderr = String::from_utf8_lossy(&finished.stderr);
        return Err(fail(format!(
            "`{program}` exited with {}: {}",
            finished.status,
            crate::store::untrusted::shown_up_to(stderr.trim(), STDERR_SHOWN_CHARS)
        )));
    }
    parse(&finished.stdout, Timestamp::now())
        .map_err(|reason| fail(format!("`{program}` {reason}")))
}

/// Bounds for a command a profile names (`credential_process`,
/// `mfa_process`): outside code, run as argv without a shell.
#[derive(Debug, Clone)]
pub struct Limits {
    /// After this the command and its whole process group are killed.
    pub timeout: Duration,
    /// The most stdout read; more is [`Stopped::TooMuchOutput`].
    pub max_stdout: usize,
    /// Keep (some of) its stderr for a message; otherwise it goes to the
    /// user's terminal (an `mfa_process` saying "touch your key").
    pub capture_stderr: bool,
}

/// What a finished command left.
#[derive(Debug)]
pub struct Finished {
    /// Its exit status.
    pub status: ExitStatus,
    /// Its stdout, at most [`Limits::max_stdout`] bytes.
    pub stdout: Vec<u8>,
    /// The start of its stderr, when captured.
    pub stderr: Vec<u8>,
}

/// Why a command gave no result; each names the program (never its output).
#[derive(Debug)]
pub enum Stopped {
    /// It outlived [`Limits::timeout`] and was killed with its group.
    TimedOut(String),
    /// It printed more than [`Limits::max_stdout`] and was killed.
    TooMuchOutput(String),
    /// It could not be parsed, started or read; the reason says which.
    Unrunnable(String),
}

/// Run `command` (split like a shell would, run without one) with stdin
/// closed, in its own process group, within `limits`. Returns the program
/// name and what it left.
pub fn run_bounded(
    command: &str,
    limits: &Limits,
) -> std::result::Result<(String, Finished), Stopped> {
    // Split as the SDKs split it on this platform (POSIX rules on Unix, the
    // C runtime's on Windows, where `C:\tools\x.exe` keeps its backslashes).
    let argv = crate::platform::split_command(command)
        .map_err(|e| Stopped::Unrunnable(format!("cannot parse `{}`: {e}", shown(command))))?;
    let (program, args) = argv
        .split_first()
        .ok_or_else(|| Stopped::Unrunnable("the command is empty".to_string()))?;
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(match limits.capture_stderr {
            true => Stdio::piped(),
            false => Stdio::inherit(),
        });
    // Its own process tree, so that a timeout kills whatever it started too.
    ProcessTree::prepare(&mut cmd);
    let child = cmd
        .spawn()
        .map_err(|e| Stopped::Unrunnable(format!("cannot run `{program}`: {e}")))?;
    let program = program.clone();
    match collect(child, limits) {
        Ok(finished) => Ok((program, finished)),
        Err(Collect::TimedOut) => Err(Stopped::TimedOut(program)),
        Err(Collect::TooMuchOutput) => Err(Stopped::TooMuchOutput(program)),
        Err(Collect::Io(e)) => Err(Stopped::Unrunnable(format!(
            "cannot read from `{program}`: {e}"
        ))),
    }
}

/// Check and convert what a credential_process printed; the error says
/// what is wrong with it (never a secret), to follow the program's name.
fn parse(stdout: &[u8], now: Timestamp) -> std::result::Result<Credentials, String> {
    // serde_json's messages give a position, never the input.
    let parsed: ProcessOutput = serde_json::from_slice(stdout)
        .map_err(|e| format!("printed invalid credential_process JSON: {e}"))?;
    if parsed.version != 1 {
        return Err(format!(
            "printed Version {} (only 1 exists)",
            parsed.version
        ));
    }
    let expiration = parsed
        .expiration
        .map(|text| {
            text.parse::<Timestamp>().map_err(|_| {
                format!(
                    "printed an Expiration that is not an RFC 3339 time: {}",
                    shown(&text)
                )
            })
        })
        .transpose()?;
    let credentials = Credentials {
        access_key_id: parsed.access_key_id,
        secret_access_key: parsed.secret_access_key,
        session_token: parsed.session_token,
        expiration,
    };
    credentials
        .check(now)
        .map_err(|problem| format!("printed unusable credentials: {problem}"))?;
    Ok(credentials)
}

/// Why [`collect`] stopped a command.
enum Collect {
    TimedOut,
    TooMuchOutput,
    Io(std::io::Error),
}

enum Stream {
    Out(std::io::Result<Vec<u8>>),
    Err(Vec<u8>),
}

/// Read the command's output and wait for it, all within `limit`; on
/// expiry or too much output the whole process group is killed.
fn collect(mut child: Child, limits: &Limits) -> std::result::Result<Finished, Collect> {
    let tree = ProcessTree::track(&child);
    let deadline = Instant::now() + limits.timeout;
    let max_stdout = limits.max_stdout;
    let (tx, rx) = mpsc::channel();
    if let Some(stdout) = child.stdout.take() {
        let tx = tx.clone();
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let read = stdout
                .take(max_stdout as u64 + 1)
                .read_to_end(&mut bytes)
                .map(|_| bytes);
            let _ = tx.send(Stream::Out(read));
        });
    }
    if let Some(mut stderr) = child.stderr.take() {
        let tx = tx.clone();
        std::thread::spawn(move || {
            let mut kept = Vec::new();
            let _ = (&mut stderr)
                .take(MAX_STDERR_BYTES as u64)
                .read_to_end(&mut kept);
            let _ = std::io::copy(&mut stderr, &mut std::io::sink());
            let _ = tx.send(Stream::Err(kept));
        });
    }
    drop(tx);
    let mut stdout = None;
    let mut stderr = Vec::new();
    // Until both pipes are closed (the channel disconnects).
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(Stream::Out(Ok(bytes))) if bytes.len() > max_stdout => {
                kill_group(&mut child, &tree);
                return Err(Collect::TooMuchOutput);
            }
            Ok(Stream::Out(read)) => stdout = Some(read),
            Ok(Stream::Err(bytes)) => stderr = bytes,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                kill_group(&mut child, &tree);
                return Err(Collect::TimedOut);
            }
        }
    }
    let stdout = stdout
        .unwrap_or_else(|| Ok(Vec::new()))
        .map_err(Collect::Io)?;
    // Both pipes are closed; the process may still be running.
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            Ok(None) => {
                kill_group(&mut child, &tree);
                return Err(Collect::TimedOut);
            }
            Err(e) => return Err(Collect::Io(e)),
        }
    };
    Ok(Finished {
        status,
        stdout,
        stderr,
    })
}

/// Kill the command's whole process tree, then reap it.
fn kill_group(child: &mut Child, tree: &ProcessTree) {
    tree.kill();
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2030-01-01T00:00:00Z".parse().unwrap()
    }

    #[test]
    fn parses_version_1() {
        let out = br#"{"Version":1,"AccessKeyId":"AKIA","SecretAccessKey":"s/+=","SessionToken":"t","Expiration":"2030-01-01T01:00:00Z","AccountId":"123456789012"}"#;
        let creds = parse(out, now()).unwrap();
        assert_eq!(creds.access_key_id, "AKIA");
        assert_eq!(creds.seconds_left(now()), Some(3600));
        let long_term = br#"{"Version":1,"AccessKeyId":"AKIA","SecretAccessKey":"s"}"#;
        assert!(parse(long_term, now()).unwrap().expiration.is_none());
    }

    #[test]
    fn refuses_what_the_sdks_refuse_and_tampering() {
        for (out, expect) in [
            (&br#"{"Version":2,"AccessKeyId":"A","SecretAccessKey":"s"}"#[..], "Version 2"),
            (br#"{"Version":1,"AccessKeyId":"","SecretAccessKey":"s"}"#, "empty"),
            (br#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"a\nb"}"#, "character"),
            (br#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"s","SessionToken":"x'y"}"#, "character"),
            (br#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"s","Expiration":"soon"}"#, "\"soon\""),
            (br#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"s","Expiration":"2029-12-31T23:59:59Z"}"#, "expired at 2029-12-31T23:59:59Z"),
            (b"not json", "invalid"),
            (b"", "invalid"),
        ] {
            let err = parse(out, now()).unwrap_err();
            assert!(err.contains(expect), "{err} should mention {expect}");
            assert!(!err.contains("a\nb"));
        }
    }
}

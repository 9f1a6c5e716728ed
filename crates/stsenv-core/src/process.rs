//! `credential_process`: run the command (argv, no shell) and read the
//! version-1 JSON it prints.

use std::process::{Command, Stdio};

use jiff::Timestamp;
use serde::Deserialize;

use crate::credentials::Credentials;
use crate::error::{Error, Result};

/// The credential_process v1 output shape.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProcessOutput {
    version: u32,
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    expiration: Option<Timestamp>,
}

/// Run `command` for `profile` and parse its credentials.
pub fn run(profile: &str, command: &str) -> Result<Credentials> {
    let fail = |reason: String| Error::CredentialProcess {
        profile: profile.to_string(),
        reason,
    };
    let argv =
        shell_words::split(command).map_err(|e| fail(format!("cannot parse `{command}`: {e}")))?;
    let (program, args) = argv
        .split_first()
        .ok_or_else(|| fail("the command is empty".to_string()))?;
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| fail(format!("cannot run `{program}`: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(fail(format!(
            "`{program}` exited with {}: {}",
            output.status,
            stderr.trim()
        )));
    }
    let parsed: ProcessOutput = serde_json::from_slice(&output.stdout)
        .map_err(|e| fail(format!("`{program}` printed invalid JSON: {e}")))?;
    if parsed.version != 1 {
        return Err(fail(format!(
            "unsupported Version {} (expected 1)",
            parsed.version
        )));
    }
    Ok(Credentials {
        access_key_id: parsed.access_key_id,
        secret_access_key: parsed.secret_access_key,
        session_token: parsed.session_token,
        expiration: parsed.expiration,
    })
}

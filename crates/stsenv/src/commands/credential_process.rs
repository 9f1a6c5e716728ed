//! `stsenv credential-process`: credentials as credential_process v1 JSON,
//! so the AWS CLI and SDKs can use stsenv's cache and MFA sessions.

use std::process::ExitCode;

use serde_json::json;
use stsenv_core::Credentials;

use crate::cli::CredentialProcessArgs;
use crate::error::CliResult;
use crate::{obtain, output};

/// Run `stsenv credential-process`.
pub fn run(args: CredentialProcessArgs) -> CliResult {
    let resolved = obtain::resolve(&args.profile)?;
    output::print(&json(&resolved.credentials))?;
    Ok(ExitCode::SUCCESS)
}

/// The credential_process v1 document, pretty-printed, with a final newline.
pub fn json(credentials: &Credentials) -> String {
    let mut doc = json!({
        "Version": 1,
        "AccessKeyId": credentials.access_key_id,
        "SecretAccessKey": credentials.secret_access_key,
    });
    if let Some(token) = &credentials.session_token {
        doc["SessionToken"] = json!(token);
    }
    if let Some(expiration) = credentials.expiration_rfc3339() {
        doc["Expiration"] = json!(expiration);
    }
    format!("{doc:#}\n")
}

//! `stsenv login`, `logout` and `sso populate` (IAM Identity Center).

use std::process::ExitCode;

use stsenv_core::{Error, Result};

use crate::cli::{LoginArgs, SsoCommand};

fn unavailable() -> Result<ExitCode> {
    Err(Error::InvalidInput(
        "SSO commands are not available yet".to_string(),
    ))
}

/// Run `stsenv login`.
pub fn login(_args: LoginArgs) -> Result<ExitCode> {
    unavailable()
}

/// Run `stsenv logout`.
pub fn logout(_args: LoginArgs) -> Result<ExitCode> {
    unavailable()
}

/// Run `stsenv sso …`.
pub fn sso(_command: SsoCommand) -> Result<ExitCode> {
    unavailable()
}

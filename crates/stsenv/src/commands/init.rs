//! `stsenv init` (shell integration; see the shell-plugins issue).

use std::process::ExitCode;

use stsenv_core::{Error, Result};

/// Run `stsenv init`.
pub fn run<T>(_args: T) -> Result<ExitCode> {
    Err(Error::InvalidInput(
        "`stsenv init` is not available yet".to_string(),
    ))
}

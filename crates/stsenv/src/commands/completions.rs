//! `stsenv completions` (shell integration; see the shell-plugins issue).

use std::process::ExitCode;

use stsenv_core::{Error, Result};

/// Run `stsenv completions`.
pub fn run<T>(_args: T) -> Result<ExitCode> {
    Err(Error::InvalidInput(
        "`stsenv completions` is not available yet".to_string(),
    ))
}

//! `stsenv unset`: print code removing what `stsenv env` set.

use std::process::ExitCode;

use stsenv_core::{Error, Result};

use crate::cli::UnsetArgs;
use crate::{emit, session_env};

/// Run `stsenv unset`.
pub fn run(args: UnsetArgs) -> Result<ExitCode> {
    let format = args.shell.unwrap_or_else(emit::format_from_env);
    let emitter = emit::emitter(format).ok_or_else(|| {
        Error::InvalidInput(
            "`unset` prints shell code; choose bash, zsh, fish or powershell".to_string(),
        )
    })?;
    print!("{}", session_env::deactivate().render(emitter));
    Ok(ExitCode::SUCCESS)
}

//! `stsenv unset`: print code removing what `stsenv env` set.

use std::process::ExitCode;

use crate::cli::UnsetArgs;
use crate::error::{CliError, CliResult};
use crate::shell::OutputFormat;
use crate::{output, session};

/// Run `stsenv unset`.
pub fn run(args: UnsetArgs) -> CliResult {
    let format = args.shell.unwrap_or_else(OutputFormat::from_env);
    let syntax = format.syntax().ok_or_else(|| {
        CliError::Usage(
            "`unset` prints shell code; choose bash, zsh, fish, powershell or dotenv".to_string(),
        )
    })?;
    output::print(&session::deactivate().render(syntax))?;
    Ok(ExitCode::SUCCESS)
}

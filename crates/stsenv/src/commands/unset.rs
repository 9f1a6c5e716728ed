//! `stsenv unset`: print code removing what `stsenv env` set.

use std::process::ExitCode;

use crate::cli::UnsetArgs;
use crate::error::{CliError, CliResult};
use crate::shell::OutputFormat;
use crate::{output, session};

/// Run `stsenv unset`.
pub fn run(args: UnsetArgs) -> CliResult {
    let format = args
        .shell
        .map_or_else(OutputFormat::from_env, OutputFormat::from);
    // Every format `--shell` offers (and $SHELL's) is code.
    let syntax = format
        .syntax()
        .ok_or_else(|| CliError::Usage(format!("`unset` cannot print {}", format.name())))?;
    output::print(&session::deactivate().render(syntax))?;
    Ok(ExitCode::SUCCESS)
}

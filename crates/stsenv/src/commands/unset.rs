//! `stsenv unset`: print code removing what `stsenv env` set.

use std::process::ExitCode;

use crate::cli::UnsetArgs;
use crate::error::{CliError, CliResult};
use crate::output::note;
use crate::shell::OutputFormat;
use crate::{output, session};
use stsenv_core::profile::credentials_export;

/// Run `stsenv unset`.
pub fn run(args: UnsetArgs) -> CliResult {
    if let Some(name) = &args.write_credentials {
        let path = stsenv_core::profile::config::credentials_file_path();
        let removed = credentials_export::remove(&path, name)?;
        note(&match removed {
            true => format!("stsenv: removed [{name}] from {}", path.display()),
            false => format!(
                "stsenv: {} has no [{name}]; nothing to remove",
                path.display()
            ),
        });
    }
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

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
    let format = args.shell.unwrap_or_else(OutputFormat::from_env);
    let syntax = format.syntax().ok_or_else(|| {
        CliError::Usage(
            "`unset` prints shell code; choose a shell, dotenv, env-no-export or windows-cmd"
                .to_string(),
        )
    })?;
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
    output::print(&session::deactivate().render(syntax))?;
    Ok(ExitCode::SUCCESS)
}

//! `stsenv env`: print code that exports a profile's credentials.

use std::process::ExitCode;

use stsenv_core::profile::credentials_export;
use stsenv_core::Error;

use crate::cli::{EnvArgs, ProfileArgs};
use crate::error::{CliError, CliResult};
use crate::output::{self, note};
use crate::shell::OutputFormat;
use crate::{clipboard, obtain, session};

/// Run `stsenv env`.
pub fn run(args: EnvArgs) -> CliResult {
    let renew = args.renew;
    emit(args).map_err(|err| match err {
        CliError::Core(err @ Error::PassphraseNeeded { .. }) if renew => {
            CliError::RenewalPassphrase(err)
        }
        other => other,
    })
}

fn emit(args: EnvArgs) -> CliResult {
    let profile_args = if args.renew {
        let mut recorded = session::recorded()?.ok_or_else(|| {
            CliError::Refused(
                "no stsenv session in this shell to renew (STSENV_PROFILE is not set)".to_string(),
            )
        })?;
        recorded.non_interactive = true;
        recorded
    } else if args.pick {
        match crate::picker::pick()? {
            Some(name) => ProfileArgs {
                profile: Some(name),
                ..args.profile
            },
            // Cancelled: nothing printed, nothing changed.
            None => return Ok(ExitCode::from(130)),
        }
    } else {
        args.profile
    };
    let write_credentials = match args.renew {
        true => session::recorded_write_credentials(),
        false => args.write_credentials,
    };
    let format = args.shell.unwrap_or_else(OutputFormat::from_env);
    let resolved = obtain::resolve(&profile_args)?;
    if !args.renew {
        crate::picker::record_use(&resolved.cache, &resolved.plan.profile);
    }
    if let Some(name) = &write_credentials {
        write_credentials_file(name, &resolved, !args.renew)?;
    }
    let text = match format.syntax() {
        None => super::credential_process::json(&resolved.credentials),
        Some(syntax) => {
            let change = session::activate(
                &resolved.plan,
                &resolved.credentials,
                Some(&resolved.args.session),
                write_credentials.as_deref(),
            );
            change.check(syntax).map_err(|why| {
                CliError::Refused(format!("profile `{}`: {why}", resolved.plan.profile))
            })?;
            if args.clipboard {
                change.render_one_line(syntax)
            } else {
                change.render(syntax)
            }
        }
    };
    if args.clipboard {
        let tool = clipboard::copy(&text)?;
        // Confirmation only: the secret is never written to stdout or stderr.
        note(&format!(
            "stsenv: copied {} code for {} to the clipboard ({tool})",
            format.name(),
            resolved.plan.profile
        ));
        return Ok(ExitCode::SUCCESS);
    }
    output::print(&text)?;
    resolved.leave();
    Ok(ExitCode::SUCCESS)
}

/// `--write-credentials NAME`: the session into `[NAME]` of the shared
/// credentials file, said on stderr when `tell` (stdout may be evaluated).
pub fn write_credentials_file(
    name: &str,
    resolved: &obtain::Resolved,
    tell: bool,
) -> CliResult<()> {
    let path = stsenv_core::profile::config::credentials_file_path();
    credentials_export::write(&path, name, &resolved.plan.profile, &resolved.credentials)?;
    if tell {
        note(&format!(
            "stsenv: wrote the credentials of `{}` into [{name}] of {}",
            resolved.plan.profile,
            path.display()
        ));
    }
    Ok(())
}

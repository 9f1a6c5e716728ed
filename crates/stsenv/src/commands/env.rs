//! `stsenv env`: print code that exports a profile's credentials.

use std::process::ExitCode;

use clap::ValueEnum;
use stsenv_core::{Error, Result};

use super::{credential_process, recorded_session, renewal_options, session};
use crate::cli::{EnvArgs, OutputFormat};
use crate::{clipboard, emit, session_env};

/// Run `stsenv env`.
pub fn run(args: EnvArgs) -> Result<ExitCode> {
    let profile_args = if args.renew {
        let mut recorded = recorded_session()?.ok_or_else(|| {
            Error::InvalidInput(
                "no stsenv session in this shell to renew (STSENV_PROFILE is not set)".to_string(),
            )
        })?;
        recorded.non_interactive = true;
        recorded
    } else {
        args.profile
    };
    let format = args.shell.unwrap_or_else(emit::format_from_env);
    let session = session(&profile_args)?;
    let change = emit::emitter(format).map(|emitter| {
        (
            emitter,
            session_env::activate(
                &session.plan,
                &session.credentials,
                renewal_options(&session.args),
            ),
        )
    });
    if args.clipboard {
        let text = match &change {
            None => credential_process::json(&session.credentials),
            Some((emitter, change)) => change.render_one_line(*emitter),
        };
        let tool = clipboard::copy(&text)?;
        // Confirmation only: the secret is never written to stdout or stderr.
        eprintln!(
            "stsenv: copied {} code for {} to the clipboard ({tool})",
            format_name(format),
            session.plan.profile
        );
        return Ok(ExitCode::SUCCESS);
    }
    let output = match &change {
        None => credential_process::json(&session.credentials),
        Some((emitter, change)) => change.render(*emitter),
    };
    print!("{output}");
    Ok(ExitCode::SUCCESS)
}

fn format_name(format: OutputFormat) -> String {
    format
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

//! `stsenv env`: print code that exports a profile's credentials.

use std::process::ExitCode;

use clap::Parser;
use clap::ValueEnum;
use stsenv_core::{Error, Result};

use super::{credential_process, renewal_options, session};
use crate::cli::{EnvArgs, OutputFormat, ProfileArgs};
use crate::{clipboard, emit, session_env};

/// Run `stsenv env`.
pub fn run(args: EnvArgs) -> Result<ExitCode> {
    let profile_args = if args.renew {
        renewal_args()?
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
                renewal_options(&profile_args),
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

/// The options recorded in this shell by the last `env` (for the prompt hook).
#[derive(Parser)]
#[command(no_binary_name = true)]
struct Renewal {
    #[command(flatten)]
    profile: ProfileArgs,
}

fn renewal_args() -> Result<ProfileArgs> {
    let profile = std::env::var("STSENV_PROFILE")
        .ok()
        .filter(|p| !p.is_empty())
        .ok_or_else(|| {
            Error::InvalidInput(
                "no stsenv session in this shell to renew (STSENV_PROFILE is not set)".to_string(),
            )
        })?;
    let options = std::env::var("STSENV_OPTIONS").unwrap_or_default();
    let mut words = vec![profile];
    words.extend(shell_words::split(&options).map_err(|e| {
        Error::InvalidInput(format!("STSENV_OPTIONS is not valid shell words: {e}"))
    })?);
    let mut renewal = Renewal::try_parse_from(words)
        .map_err(|e| Error::InvalidInput(format!("STSENV_OPTIONS: {e}")))?;
    renewal.profile.non_interactive = true;
    Ok(renewal.profile)
}

fn format_name(format: OutputFormat) -> String {
    format
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

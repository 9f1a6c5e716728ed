//! The CLI's errors: the engine's, with the hint only a command line can
//! give (which flag or command fixes it), and the CLI's own.

use std::process::ExitCode;

use stsenv_core::Error;

/// Everything a command can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The engine failed.
    #[error("{0}")]
    Core(#[from] Error),
    /// `env --renew` needs the file keystore's passphrase: exit
    /// [`RENEW_PASSPHRASE_EXIT`], so that the prompt hook, which shows no
    /// stderr, can say what is needed.
    #[error("{0}")]
    RenewalPassphrase(Error),
    /// The command line (or what the shell recorded) is unusable: exit 2.
    #[error("{0}")]
    Usage(String),
    /// Anything else the CLI itself refuses: exit 1.
    #[error("{0}")]
    Refused(String),
    /// stdout is gone (`stsenv profiles | head -1`): exit quietly.
    #[error("broken pipe")]
    BrokenPipe,
    /// stdout cannot be written (`stsenv env >/dev/full`).
    #[error("cannot write to stdout: {0}")]
    Write(std::io::Error),
}

/// Shorthand for the CLI's results.
pub type CliResult<T = ExitCode> = Result<T, CliError>;

/// The exit status of `env --renew` when the file keystore's passphrase
/// is needed and cannot be asked for (every other command exits 3 then,
/// like for an MFA code or a login).
pub const RENEW_PASSPHRASE_EXIT: u8 = 4;

impl CliError {
    /// The process exit status.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Core(err) => u8::try_from(err.exit_code()).unwrap_or(1),
            CliError::RenewalPassphrase(_) => RENEW_PASSPHRASE_EXIT,
            CliError::Usage(_) => 2,
            // What a process killed by SIGPIPE reports, like `ls | head`.
            CliError::BrokenPipe => 141,
            CliError::Refused(_) | CliError::Write(_) => 1,
        }
    }

    /// The message and what to do, as printed after `stsenv: error: `;
    /// `None` when nothing should be printed.
    pub fn report(&self) -> Option<String> {
        match self {
            CliError::BrokenPipe => None,
            CliError::Core(err) | CliError::RenewalPassphrase(err) => Some(core_report(err)),
            other => Some(other.to_string()),
        }
    }
}

/// A core error's message and the hint the command line adds, as
/// [`CliError::report`] prints it (for a report that goes on, like
/// `doctor`'s).
pub fn core_report(err: &Error) -> String {
    match hint(err) {
        Some(hint) => format!("{err}; {hint}"),
        None => err.to_string(),
    }
}

/// A profile as `stsenv login`'s argument (an option for names that look like one).
fn login_arg(profile: &str) -> String {
    if profile.starts_with('-') {
        format!("--profile={}", shell_words::quote(profile))
    } else {
        shell_words::quote(profile).into_owned()
    }
}

/// What the user can type to get past `err`, where the command line can help.
fn hint(err: &Error) -> Option<String> {
    match err {
        Error::MfaNeeded { .. } => Some("pass --token-code CODE, or run it in a terminal".into()),
        Error::PeerPrompting { .. } => Some("finish it there or pass --token-code".into()),
        Error::LoginNeeded { profile } => {
            Some(format!("run `stsenv login {}`", login_arg(profile)))
        }
        Error::SignInNeeded { profile, .. } => Some(format!(
            "run `stsenv login {}` (or `aws login --profile {}`)",
            login_arg(profile),
            shell_words::quote(profile)
        )),
        Error::SessionLoginNeeded { session } => Some(format!(
            "run `stsenv login --sso-session {}`",
            shell_words::quote(session)
        )),
        Error::UnknownProfile { suggestions, .. } if suggestions.is_empty() => {
            Some("run `stsenv profiles` to list them".into())
        }
        Error::Service { code, .. } if code == "ExpiredToken" || code == "InvalidClientTokenId" => {
            Some("`stsenv cache clear` and try again".into())
        }
        _ => None,
    }
}

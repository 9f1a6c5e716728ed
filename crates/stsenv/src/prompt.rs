//! Asking for an MFA code: the code given with `--token-code`, else the
//! profile's `mfa_process`, else the human on the terminal (`/dev/tty`, the
//! console on Windows; never stdout, which may be `eval`ed).

use std::io::IsTerminal;

use stsenv_core::plan::resolve::Prompter;
use stsenv_core::store::file_keystore::{self, Question, SecretString};
use stsenv_core::{Error, Result};

use crate::error::CliError;
use crate::mfa_code::validate_token_code;
use crate::output::note;

/// Asks for MFA codes on the terminal, or hands out `--token-code`.
pub struct TerminalPrompter {
    token_code: Option<String>,
    interactive: bool,
}

impl TerminalPrompter {
    /// A prompter for these options; a malformed `--token-code` is refused
    /// before any call is made.
    pub fn new(
        token_code: Option<&str>,
        non_interactive: bool,
    ) -> std::result::Result<Self, CliError> {
        let token_code = token_code
            .map(validate_token_code)
            .transpose()
            .map_err(|problem| CliError::Refused(format!("--token-code: {problem}")))?;
        if !non_interactive {
            ask_keystore_passphrases();
        }
        Ok(TerminalPrompter {
            token_code,
            interactive: !non_interactive,
        })
    }
}

/// Let the file keystore ask for its passphrase on the terminal, without
/// echo; never called for a command that must not prompt (`env --renew`,
/// `--non-interactive`), which then fails with exit 3 instead.
pub fn ask_keystore_passphrases() {
    file_keystore::set_prompt(Box::new(ask_passphrase));
}

fn ask_passphrase(question: Question<'_>) -> Result<SecretString> {
    let (profile, path, new) = match question {
        Question::Unlock { profile, path } => (profile, path, false),
        Question::New { profile, path } => (profile, path, true),
    };
    let needed = || Error::PassphraseNeeded {
        profile: profile.to_string(),
        path: path.to_path_buf(),
    };
    if !has_terminal() {
        return Err(needed());
    }
    let ask = |prompt: String| rpassword::prompt_password(prompt).map_err(|_| needed());
    if !new {
        return ask(format!("Passphrase of the stsenv keystore for {profile}: "))
            .map(SecretString::from);
    }
    note(&format!(
        "stsenv: the keys of `{profile}` go into {}, encrypted with a passphrase you choose now; it cannot be recovered",
        path.display()
    ));
    let first = ask(format!("New keystore passphrase for {profile}: "))?;
    let again = ask("The same passphrase again: ".to_string())?;
    if first != again {
        return Err(Error::Keystore {
            profile: Some(profile.to_string()),
            problem: "the two passphrases differ; nothing was stored".to_string(),
        });
    }
    Ok(SecretString::from(first))
}

impl Prompter for TerminalPrompter {
    /// Only a caller that can end a wait itself (a code in hand, or a
    /// terminal to ask on) queues behind another process's prompt.
    fn may_wait_for_human(&self) -> bool {
        self.token_code.is_some() || (self.interactive && has_terminal())
    }

    fn mfa_code(&self, profile: &str, serial: &str, mfa_process: Option<&str>) -> Result<String> {
        if let Some(code) = &self.token_code {
            return Ok(code.clone());
        }
        let needed = || Error::MfaNeeded {
            profile: profile.to_string(),
            serial: serial.to_string(),
        };
        // No human is needed for it, so it runs even for `env --renew`.
        if let Some(command) = mfa_process {
            match crate::mfa_process::run(command) {
                Ok(code) => return Ok(code),
                Err(why) => note(&format!(
                    "stsenv: mfa_process of profile `{profile}` gave no code: {why}; asking instead"
                )),
            }
        }
        if !self.interactive || !has_terminal() {
            return Err(needed());
        }
        for _ in 0..3 {
            let prompt = format!("MFA code for {profile} ({serial}): ");
            let answer = rpassword::prompt_password(prompt).map_err(|_| needed())?;
            match validate_token_code(&answer) {
                Ok(code) => return Ok(code),
                Err(problem) => note(&format!("stsenv: {problem}")),
            }
        }
        Err(Error::MfaNotEntered {
            profile: profile.to_string(),
        })
    }
}

/// Whether a controlling terminal can be opened (stdin may be a pipe even so).
pub fn has_terminal() -> bool {
    if std::io::stdin().is_terminal() {
        return true;
    }
    crate::platform::terminal::available()
}

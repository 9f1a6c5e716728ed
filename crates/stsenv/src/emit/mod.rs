//! Env code for each output format: one escaper per shell (DESIGN §7), each
//! in its own module behind the [`Emitter`] trait.

pub mod dotenv;
pub mod fish;
pub mod posix;
pub mod powershell;
#[cfg(test)]
mod roundtrip;

use crate::cli::OutputFormat;

/// Writes code that sets or removes one environment variable.
pub trait Emitter {
    /// Code setting `name` to `value`, ending with a newline.
    fn set(&self, name: &str, value: &str) -> String;
    /// Code removing `name`, ending with a newline (empty where the format cannot remove).
    fn unset(&self, name: &str) -> String;
    /// What joins two statements on one line.
    fn separator(&self) -> &'static str {
        "; "
    }
}

/// The emitter for a format; `None` for JSON, which is not env code.
pub fn emitter(format: OutputFormat) -> Option<&'static dyn Emitter> {
    match format {
        OutputFormat::Bash | OutputFormat::Zsh => Some(&posix::Posix),
        OutputFormat::Fish => Some(&fish::Fish),
        OutputFormat::Powershell => Some(&powershell::PowerShell),
        OutputFormat::Dotenv => Some(&dotenv::Dotenv),
        OutputFormat::Json => None,
    }
}

/// A change to the environment: variables to set, then variables to remove.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct EnvChange {
    /// Names and values to set, in order.
    pub set: Vec<(&'static str, String)>,
    /// Names to remove.
    pub unset: Vec<&'static str>,
}

impl EnvChange {
    /// Render the change as code for `emitter`.
    pub fn render(&self, emitter: &dyn Emitter) -> String {
        let sets = self.set.iter().map(|(name, value)| {
            debug_assert!(is_valid_name(name), "invalid env name {name}");
            emitter.set(name, value)
        });
        let unsets = self.unset.iter().map(|name| emitter.unset(name));
        sets.chain(unsets).collect()
    }

    /// The same code on one line, statements joined with `; ` (for the
    /// clipboard: one paste, one history entry). dotenv keeps its lines,
    /// as the format has no statement separator.
    pub fn render_one_line(&self, emitter: &dyn Emitter) -> String {
        let sets = self
            .set
            .iter()
            .map(|(name, value)| emitter.set(name, value));
        let unsets = self.unset.iter().map(|name| emitter.unset(name));
        let statements: Vec<String> = sets
            .chain(unsets)
            .map(|s| s.trim_end_matches('\n').to_string())
            .filter(|s| !s.is_empty())
            .collect();
        statements.join(emitter.separator()) + "\n"
    }
}

/// Whether `name` is a portable identifier: `[A-Za-z_][A-Za-z0-9_]*`.
/// Names are validated, never escaped.
pub fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The format matching the user's login shell (`$SHELL`), bash when unknown.
pub fn format_from_env() -> OutputFormat {
    let shell = std::env::var("SHELL").unwrap_or_default();
    match shell.rsplit('/').next().unwrap_or_default() {
        "zsh" => OutputFormat::Zsh,
        "fish" => OutputFormat::Fish,
        "pwsh" | "powershell" => OutputFormat::Powershell,
        _ => OutputFormat::Bash,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_validated() {
        assert!(is_valid_name("AWS_REGION"));
        assert!(is_valid_name("_x1"));
        assert!(!is_valid_name("1x"));
        assert!(!is_valid_name("A-B"));
        assert!(!is_valid_name(""));
    }
}

//! `--shell windows-cmd`: `set "NAME=value"` lines for cmd.exe, the AWS
//! CLI's `export-credentials --format windows-cmd` with the quotes that
//! keep `&`, `|`, `<`, `>`, `^` and parentheses literal and that end the
//! value before a trailing space or a `&` joining two statements.
//!
//! cmd.exe has no quoting that stops `%NAME%` expansion (in a batch file
//! or typed), nor `!NAME!` when delayed expansion is on, and a value's `"`
//! would end the quotes early; how it reads bytes outside ASCII depends on
//! the console's code page. A value with any of those, or with a control
//! character, cannot be carried literally: [`refusal`] says why and the
//! command prints nothing. AWS keys, tokens, times and regions never have
//! one.

use super::EnvSyntax;

/// The cmd.exe emitter.
pub struct WindowsCmd;

/// Why cmd.exe cannot be given `value` literally, or `None` when it can.
pub fn refusal(value: &str) -> Option<&'static str> {
    for c in value.chars() {
        let why = match c {
            '%' => "`%`, which cmd.exe expands as a variable reference",
            '!' => "`!`, which cmd.exe expands when delayed expansion is on",
            '"' => "`\"`, which would end cmd.exe's quotes",
            c if c.is_ascii_control() => "a control character (such as a newline)",
            c if !c.is_ascii() => {
                "a character outside ASCII, which cmd.exe reads through the console's code page"
            }
            _ => continue,
        };
        return Some(why);
    }
    None
}

impl EnvSyntax for WindowsCmd {
    fn set(&self, name: &str, value: &str) -> String {
        debug_assert!(refusal(value).is_none(), "checked by EnvChange::check");
        format!("set \"{name}={value}\"\n")
    }

    /// `set "NAME="` removes the variable.
    fn unset(&self, name: &str) -> String {
        format!("set \"{name}=\"\n")
    }

    fn refuse(&self, value: &str) -> Option<String> {
        refusal(value).map(|why| format!("its value holds {why}; use --shell powershell"))
    }

    /// cmd.exe chains statements with `&`.
    fn separator(&self) -> &'static str {
        " & "
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_values_are_set_in_quotes() {
        assert_eq!(
            WindowsCmd.set("AWS_SESSION_TOKEN", "IQo+/abc=="),
            "set \"AWS_SESSION_TOKEN=IQo+/abc==\"\n"
        );
        // Metacharacters are literal inside the quotes; a trailing space stays.
        assert_eq!(
            WindowsCmd.set("X", "a&b|c<d>e^f(g) "),
            "set \"X=a&b|c<d>e^f(g) \"\n"
        );
        assert_eq!(WindowsCmd.unset("AWS_PROFILE"), "set \"AWS_PROFILE=\"\n");
    }

    #[test]
    fn values_cmd_would_change_are_refused() {
        for value in [
            "%PATH%",
            "50%",
            "a!b!",
            "say \"hi\"",
            "a\nb",
            "a\rb",
            "tab\t",
            "\0",
            "é",
            "日本",
            "🦀",
            "\u{7f}",
        ] {
            assert!(refusal(value).is_some(), "{value:?} must be refused");
        }
        for value in [
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "2026-12-03T10:00:00Z",
            "a b & c",
            "^",
            "'single'",
            "`tick`",
            "$HOME",
            "~",
        ] {
            assert_eq!(refusal(value), None, "{value:?} is literal in quotes");
        }
        let why = WindowsCmd.refuse("x%y").unwrap();
        assert!(why.contains('%') && why.contains("powershell"), "{why}");
        assert!(
            !why.contains("x%y"),
            "the value itself (maybe a secret) is never quoted"
        );
    }
}

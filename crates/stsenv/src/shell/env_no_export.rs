//! `--shell env-no-export`: `NAME=value` lines, the AWS CLI's
//! `export-credentials --format env-no-export`. A value made only of
//! characters a POSIX shell takes literally goes bare, exactly as the AWS
//! CLI prints it, so the readers that take the text after `=` literally
//! (`$GITHUB_ENV`, `docker run --env-file`, `set -a; . file`) all agree:
//! AWS keys, session tokens, times and regions always are such values.
//! Any other value is single-quoted as for bash, which a shell reads back
//! byte for byte but a literal reader would not; nothing is removed (the
//! format has no statement for it).

use super::{posix, EnvSyntax};

/// The env-no-export emitter.
pub struct EnvNoExport;

/// Whether a POSIX shell reads `value` unquoted, after `NAME=`, as itself.
/// `~` is left out (bash expands it after `=` and `:` in assignments), and
/// so is an `=` that starts the value or follows a `:` (zsh's `=cmd`
/// expansion: `X==ls` sets `/usr/bin/ls`).
fn is_bare(value: &str) -> bool {
    !value.is_empty()
        && !value.starts_with('=')
        && !value.contains(":=")
        && value.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'_' | b'@' | b'%' | b'+' | b'=' | b':' | b',' | b'.' | b'/' | b'-'
                )
        })
}

impl EnvSyntax for EnvNoExport {
    fn set(&self, name: &str, value: &str) -> String {
        if is_bare(value) {
            format!("{name}={value}\n")
        } else {
            format!("{name}={}\n", posix::quote(value))
        }
    }

    /// `NAME=value` lines cannot remove a variable.
    fn unset(&self, _name: &str) -> String {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_values_go_bare_others_quoted() {
        let token = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+abc=";
        assert_eq!(
            EnvNoExport.set("AWS_SESSION_TOKEN", token),
            format!("AWS_SESSION_TOKEN={token}\n")
        );
        assert_eq!(
            EnvNoExport.set("AWS_CREDENTIAL_EXPIRATION", "2026-12-03T10:00:00Z"),
            "AWS_CREDENTIAL_EXPIRATION=2026-12-03T10:00:00Z\n"
        );
        assert_eq!(EnvNoExport.set("X", "a b"), "X='a b'\n");
        assert_eq!(EnvNoExport.set("X", "~/x"), "X='~/x'\n");
        assert_eq!(EnvNoExport.set("X", ""), "X=''\n");
        // zsh expands `=cmd` at the start and after `:` in assignments.
        assert_eq!(EnvNoExport.set("X", "=ls"), "X='=ls'\n");
        assert_eq!(EnvNoExport.set("X", "a:=ls"), "X='a:=ls'\n");
        assert_eq!(EnvNoExport.set("X", "a=b=="), "X=a=b==\n");
        assert_eq!(EnvNoExport.set("X", "it's"), "X='it'\\''s'\n");
        assert_eq!(EnvNoExport.unset("AWS_PROFILE"), "");
    }
}

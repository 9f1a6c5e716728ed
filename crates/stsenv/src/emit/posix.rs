//! bash and zsh: single quotes, each `'` written as `'\''`.

use super::Emitter;

/// The POSIX-shell emitter shared by bash and zsh.
pub struct Posix;

/// Quote `value` for bash/zsh so that it reads back byte for byte.
pub fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

impl Emitter for Posix {
    fn set(&self, name: &str, value: &str) -> String {
        format!("export {name}={}\n", quote(value))
    }

    fn unset(&self, name: &str) -> String {
        format!("unset {name}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_single_quotes() {
        assert_eq!(quote("a'b"), r"'a'\''b'");
        assert_eq!(quote("$x `y` \\"), r"'$x `y` \'");
    }
}

//! fish: single quotes where `\` and `'` are escaped with a backslash
//! (POSIX `'\''` quoting is wrong in fish).

use super::Emitter;

/// The fish emitter.
pub struct Fish;

/// Quote `value` for fish so that it reads back byte for byte.
pub fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', r"\\").replace('\'', r"\'"))
}

impl Emitter for Fish {
    fn set(&self, name: &str, value: &str) -> String {
        format!("set -gx {name} {}\n", quote(value))
    }

    /// `set -e` of a variable that is not set returns 4; `or true` keeps
    /// `stsenv env … | source` (and the plugin) at status 0.
    fn unset(&self, name: &str) -> String {
        format!("set -e {name}; or true\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_backslash_before_quote() {
        assert_eq!(quote(r"a\'b\"), r"'a\\\'b\\'");
    }
}

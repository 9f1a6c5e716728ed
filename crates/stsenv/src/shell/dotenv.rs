//! `.env` files: double quotes with `\`, `"`, `$` and newline escaped.

use super::EnvSyntax;

/// The dotenv emitter.
pub struct Dotenv;

/// Quote `value` for a .env file.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str(r"\\"),
            '"' => out.push_str("\\\""),
            '$' => out.push_str("\\$"),
            '\n' => out.push_str(r"\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl EnvSyntax for Dotenv {
    fn quote(&self, value: &str) -> String {
        quote(value)
    }

    fn set(&self, name: &str, value: &str) -> String {
        format!("{name}={}\n", quote(value))
    }

    /// A .env file cannot remove a variable; absence is the removal.
    fn unset(&self, _name: &str) -> String {
        String::new()
    }

    /// A .env file has no statement separator but the newline.
    fn separator(&self) -> &'static str {
        "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_specials() {
        assert_eq!(quote("a\"$b\\\nc"), r#""a\"\$b\\\nc""#);
    }
}

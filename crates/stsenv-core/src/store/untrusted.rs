//! Checks for values stsenv did not produce itself: what a portal, STS, a
//! `credential_process` or a cache file says. Such a value is checked
//! against what it can legitimately be before it reaches a config file, a
//! shell or a terminal; anything else is refused, never repaired.

/// The longest stretch of a foreign value shown in a message: enough to
/// recognise it, not enough to flood the terminal.
const SHOWN_CHARS: usize = 80;

/// `text` quoted for a terminal message: control characters (newlines,
/// escape sequences, C1 codes) and invisible formatting characters written
/// as Rust escapes (`\n`, `\u{1b}`), cut after a few dozen characters.
/// A hostile value can neither move the cursor nor fake another line.
pub fn shown(text: &str) -> String {
    shown_up_to(text, SHOWN_CHARS)
}

/// [`shown`], cut after `max` characters instead (for longer texts such as
/// a command's stderr).
pub fn shown_up_to(text: &str, max: usize) -> String {
    let mut out = String::from("\"");
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push_str("\"…");
            return out;
        }
        // escape_debug keeps printable non-ASCII (é) readable and escapes
        // controls and bidi/format characters.
        out.extend(c.escape_debug());
    }
    out.push('"');
    out
}

/// Whether `id` is an AWS account id: exactly twelve ASCII digits.
pub fn is_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `name` is an IAM role (permission set) name: 1 to 64 of
/// `[A-Za-z0-9_+=,.@-]`. A leading `=` is refused too, although IAM
/// allows it: written as `key = =x` it is one parser quirk away from a
/// second assignment, and no real permission set starts with one.
pub fn is_role_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && !name.starts_with('=')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_escapes_what_a_terminal_would_obey() {
        assert_eq!(shown("a\nb"), r#""a\nb""#);
        assert_eq!(shown("\u{1b}[31mx"), r#""\u{1b}[31mx""#);
        assert_eq!(shown("\u{202e}x"), r#""\u{202e}x""#);
        assert_eq!(shown("Rôle"), "\"Rôle\"");
        assert_eq!(shown(&"a".repeat(100)), format!("\"{}\"…", "a".repeat(80)));
    }

    #[test]
    fn account_ids_and_role_names() {
        assert!(is_account_id("012345678901"));
        for bad in [
            "01234567890",
            "0123456789012",
            "12345678901a",
            "１２３４５６７８９０１２",
            "",
        ] {
            assert!(!is_account_id(bad), "{bad}");
        }
        assert!(is_role_name("AdministratorAccess"));
        assert!(is_role_name("Ops+=,.@-_1"));
        assert!(is_role_name(&"a".repeat(64)));
        for bad in [
            "",
            "a b",
            "Rôle",
            "[x]",
            "=x",
            "a\nb",
            "x#y",
            "x;y",
            &"a".repeat(65),
        ] {
            assert!(!is_role_name(bad), "{bad}");
        }
    }
}

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
    let (body, cut) = escape(text, max, true);
    format!("\"{body}\"{}", if cut { "…" } else { "" })
}

/// The one escaping function for text stsenv did not write (a server's
/// answer, a file's value, a command's output) on its way to a terminal:
/// printable ASCII and printable non-ASCII (é) as they are; every control
/// character (ESC, BEL, newline, C1 codes) and every invisible formatting
/// character (bidi overrides, zero-width) written as a Rust escape
/// (`\n`, `\u{1b}`); cut after `max_chars` characters with `…`. A hostile
/// value can neither drive the terminal nor fake another line.
pub fn printable(text: &str, max_chars: usize) -> String {
    let (mut out, cut) = escape(text, max_chars, false);
    if cut {
        out.push('…');
    }
    out
}

/// [`printable`] line by line, unbounded: for a message stsenv composed
/// that may carry outside values (an error, a warning, `explain`). Its
/// own line breaks stay; anything else that would drive a terminal in
/// any value is escaped, whichever path it took to get there.
pub fn printable_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&printable(line, usize::MAX));
    }
    out
}

/// The escaping behind [`printable`] and [`shown`] (which also escapes
/// `"` and `\\`, so the quotes around the value are the only ones); says
/// whether the text was cut.
fn escape(text: &str, max_chars: usize, quoted: bool) -> (String, bool) {
    let mut out = String::with_capacity(text.len().min(max_chars.saturating_mul(2)));
    for (i, c) in text.chars().enumerate() {
        if i == max_chars {
            return (out, true);
        }
        match c {
            '"' | '\\' if quoted => out.extend(c.escape_debug()),
            ' ' => out.push(c),
            c if c.is_ascii_graphic() => out.push(c),
            // escape_debug leaves printable non-ASCII alone and escapes
            // controls and format characters (bidi, zero-width).
            c => out.extend(c.escape_debug()),
        }
    }
    (out, false)
}

/// What replaces a secret in text shown to the user.
pub const REDACTED: &str = "<redacted>";

/// `text` with every secret of `secrets` replaced by [`REDACTED`]: as
/// sent, percent-encoded (a query string or form body echoed back) and
/// JSON-escaped (a JSON body echoed back). Secrets shorter than 8
/// characters are not searched for (they would match ordinary words; no
/// credential stsenv sends is that short). Run it before [`printable`], so
/// a secret cut in half by the length bound is still whole when it is
/// looked for.
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for secret in secrets.iter().filter(|s| s.len() >= 8) {
        let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        let percent = encoded.replace('+', "%20");
        let json = serde_json::to_string(secret).unwrap_or_default();
        let json = json.trim_matches('"');
        for form in [*secret, encoded.as_str(), percent.as_str(), json] {
            if !form.is_empty() && out.contains(form) {
                out = out.replace(form, REDACTED);
            }
            // Percent-encoding's hex digits may come back in either case.
            if form.contains('%') {
                out = replace_ignoring_ascii_case(&out, form);
            }
        }
    }
    out
}

/// `text` with every ASCII-case-insensitive occurrence of `needle` replaced
/// by [`REDACTED`].
fn replace_ignoring_ascii_case(text: &str, needle: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let needle = needle.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (at, _) in lower.match_indices(&needle) {
        out.push_str(&text[last..at]);
        out.push_str(REDACTED);
        last = at + needle.len();
    }
    out.push_str(&text[last..]);
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

/// Whether `code` is an OAuth device-flow user code as a person reads it:
/// 4 to 32 ASCII letters and digits, in groups joined by single `-`
/// (`WDJB-MJHT`). Anything else (escape sequences, spaces, a paragraph of
/// instructions) did not come from a real authorization server.
pub fn is_user_code(code: &str) -> bool {
    (4..=32).contains(&code.len())
        && code
            .split('-')
            .all(|group| !group.is_empty() && group.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Check a verification URI from the device flow before it is shown or
/// given to a browser opener: an absolute `https://` URL with a host
/// (`http://` only to a loopback host, so tests can use a local stand-in),
/// at most 2,048 characters, no control character, space or other
/// character a URL never holds raw, and so never starting with `-` (no
/// opener can take it for an option). `Err` says what is wrong.
pub fn check_verification_uri(uri: &str) -> Result<(), String> {
    if uri.len() > 2048 {
        return Err("it is longer than 2048 characters".to_string());
    }
    if !uri.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("it holds a space, a control character or non-ASCII".to_string());
    }
    let url = url::Url::parse(uri).map_err(|e| format!("it is not a URL ({e})"))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err("it has no host".to_string()),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        other => return Err(format!("its scheme is {}, not https", printable(other, 20))),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("it carries a user name or password".to_string());
    }
    Ok(())
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
        assert_eq!(shown("it's \"x\""), r#""it's \"x\"""#);
    }

    #[test]
    fn printable_escapes_controls_and_keeps_the_rest() {
        assert_eq!(printable("a\nb\x1b[31m", 100), r"a\nb\u{1b}[31m");
        assert_eq!(
            printable("\u{7}\u{9b}\u{200b}é", 100),
            r"\u{7}\u{9b}\u{200b}é"
        );
        assert_eq!(printable("abcdef", 3), "abc…");
        assert_eq!(printable("abc", 3), "abc");
    }

    #[test]
    fn messages_keep_their_lines_and_lose_escapes() {
        assert_eq!(
            printable_lines("a\nb \u{1b}]0;x\u{7}\n"),
            "a\nb \\u{1b}]0;x\\u{7}\n"
        );
    }

    #[test]
    fn redaction_finds_every_encoding_of_a_secret() {
        let secret = "wJalr/XUtnFEMI+K7MDENG=bPxRfiCY";
        let forms = [
            secret.to_string(),
            url::form_urlencoded::byte_serialize(secret.as_bytes()).collect::<String>(),
            "wJalr%2fXUtnFEMI%2bK7MDENG%3dbPxRfiCY".to_string(),
            serde_json::to_string("wJalr/XUtnFEMI+K7MDENG=bPxRfiCY").unwrap(),
        ];
        for form in forms {
            let text = format!("echo: {form} end");
            let out = redact(&text, &[secret, "short"]);
            assert!(!out.contains("XUtnFEMI"), "{out}");
            assert!(out.contains(REDACTED), "{out}");
        }
        assert_eq!(redact("a short word", &["short"]), "a short word");
    }

    #[test]
    fn device_flow_answers() {
        for good in ["WDJB-MJHT", "ABCD", "wxyz-0001", "A1B2C3D4E5"] {
            assert!(is_user_code(good), "{good}");
        }
        for bad in [
            "",
            "ABC",
            "AB CD",
            "AB--CD",
            "-ABCD",
            "ABCD-",
            "\u{1b}]0;x\u{7}",
            &"A".repeat(33),
        ] {
            assert!(!is_user_code(bad), "{bad}");
        }
        for good in [
            "https://device.sso.us-east-1.amazonaws.com/?user_code=WDJB-MJHT",
            "http://127.0.0.1:8080/device",
            "http://localhost/x",
            "http://[::1]:9/",
        ] {
            assert_eq!(check_verification_uri(good), Ok(()), "{good}");
        }
        for bad in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "--remote-debugging-port=9222",
            "-https://x",
            "http://example.com/",
            "https://x/\u{1b}]0;t\u{7}",
            "https://x/ a",
            "https://user:pw@x/",
            "data:text/html,x",
            "https://",
        ] {
            assert!(check_verification_uri(bad).is_err(), "{bad}");
        }
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

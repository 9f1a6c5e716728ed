//! Splitting a `credential_process` / `mfa_process` command line into
//! words the way the AWS SDKs do on each platform: POSIX shell rules on
//! Unix (Python's `shlex.split`, here `shell_words`), the Microsoft C
//! runtime's rules on Windows (botocore's `_windows_shell_split`), so that
//! `C:\tools\creds.exe` keeps its backslashes. Both are compiled (and the
//! Windows one unit-tested) everywhere.

/// Split `command` by POSIX shell rules (quotes, backslash escapes).
pub fn posix_split(command: &str) -> Result<Vec<String>, String> {
    shell_words::split(command).map_err(|e| e.to_string())
}

/// Split `command` as the Microsoft C runtime splits a command line: only
/// space and tab separate words, only `"` quotes, and backslashes are
/// literal unless a run of them leads up to a `"` (then each pair is one
/// backslash, and an odd one out escapes the quote).
pub fn windows_split(command: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    // Whether `word` is a word even if empty (it had quotes).
    let mut started = false;
    let mut quoted = false;
    let mut backslashes = 0usize;
    for c in command.chars() {
        match c {
            '\\' => backslashes += 1,
            '"' => {
                word.extend(std::iter::repeat_n('\\', backslashes / 2));
                let escaped = backslashes % 2 == 1;
                backslashes = 0;
                started = true;
                if escaped {
                    word.push('"');
                } else {
                    quoted = !quoted;
                }
            }
            ' ' | '\t' if !quoted => {
                word.extend(std::iter::repeat_n('\\', backslashes));
                backslashes = 0;
                if started || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                started = false;
            }
            _ => {
                word.extend(std::iter::repeat_n('\\', backslashes));
                backslashes = 0;
                word.push(c);
                started = true;
            }
        }
    }
    if quoted {
        return Err("missing closing quotation".to_string());
    }
    word.extend(std::iter::repeat_n('\\', backslashes));
    if started || !word.is_empty() {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::windows_split;

    /// Cases checked against botocore's `_windows_shell_split`.
    #[test]
    fn windows_rules_match_botocore() {
        let cases: [(&str, &[&str]); 10] = [
            (
                r"C:\tools\creds.exe --profile dev",
                &[r"C:\tools\creds.exe", "--profile", "dev"],
            ),
            (
                r#""C:\Program Files\creds.exe" a"#,
                &[r"C:\Program Files\creds.exe", "a"],
            ),
            (r#"a\\\"b"#, &[r#"a\"b"#]),
            (r#"a\\"b c""#, &[r"a\b c"]),
            (r#""" x"#, &["", "x"]),
            ("a\t b  ", &["a", "b"]),
            (r"trailing\\", &[r"trailing\\"]),
            (r#"x"y z"w"#, &["xy zw"]),
            ("it's", &["it's"]),
            ("", &[]),
        ];
        for (line, words) in cases {
            assert_eq!(windows_split(line).unwrap(), words, "{line}");
        }
        assert!(windows_split(r#"a "b"#).is_err());
    }
}

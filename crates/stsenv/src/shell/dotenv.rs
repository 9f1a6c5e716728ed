//! `.env` files, written so that the two common ways of reading them agree
//! byte for byte and neither runs anything:
//!
//! - a POSIX shell sourcing the file (`set -a; . ./file`), and
//! - python-dotenv (`dotenv_values`, `load_dotenv`, with its default
//!   `${NAME}` interpolation).
//!
//! A value goes in single quotes when that is literal for both (no `'`, no
//! `\\` pair), else in double quotes with `\` and `"` escaped when it has
//! no `$` or backtick (which a shell would expand). A value neither form
//! keeps intact (one mixing a quote or backslash pair with `$` or a
//! backtick, or holding `${`, a trailing backslash, CR or NUL) is
//! left out with a comment and a warning rather than written in a form one
//! reader would misread. AWS keys, tokens, times and regions never need it.
//!
//! `docker run --env-file` is different: it takes everything after `=`
//! literally, quotes included, so it would see `'AKIA…'`. For docker, export
//! the variables and pass their names instead (`stsenv exec dev -- docker
//! run -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e AWS_SESSION_TOKEN …`).

use super::EnvSyntax;

/// The dotenv emitter.
pub struct Dotenv;

/// `value` quoted for a .env file, or `None` when no quoting reads back
/// the same in a POSIX shell and in python-dotenv (see the module docs).
pub fn quote(value: &str) -> Option<String> {
    // python-dotenv reads files with universal newlines (a lone CR becomes
    // LF), expands `${NAME}` even inside single quotes, and its scanner
    // takes a backslash before the closing quote for an escaped quote.
    if value.contains(['\r', '\0']) || value.contains("${") || value.ends_with('\\') {
        return None;
    }
    // Single quotes: literal in sh; python-dotenv only unescapes `\\` and `\'`.
    if !value.contains('\'') && !value.contains("\\\\") {
        return Some(format!("'{value}'"));
    }
    // Double quotes: sh and python-dotenv both unescape `\\` and `\"`; sh
    // would also expand `$` and backticks, so those cannot be in it.
    if !value.contains(['$', '`']) {
        let mut out = String::with_capacity(value.len() + 8);
        out.push('"');
        for c in value.chars() {
            if matches!(c, '\\' | '"') {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
        return Some(out);
    }
    None
}

impl EnvSyntax for Dotenv {
    fn set(&self, name: &str, value: &str) -> String {
        match quote(value) {
            Some(quoted) => format!("{name}={quoted}\n"),
            None => {
                crate::output::warn(&format!(
                    "{name} is left out of the dotenv output: its value mixes quotes or backslashes with `$` or backticks (or holds `${{`, a trailing backslash, CR or NUL), which no .env quoting keeps intact for both sh and python-dotenv; use --shell bash or json"
                ));
                format!("# {name} left out: no .env quoting keeps its value intact\n")
            }
        }
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
    use std::path::Path;
    use std::process::Command;

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn picks_the_form_both_readers_agree_on() {
        assert_eq!(quote("wJalr/K7+=").as_deref(), Some("'wJalr/K7+='"));
        assert_eq!(quote("$(touch x)`y`").as_deref(), Some("'$(touch x)`y`'"));
        assert_eq!(quote("it's").as_deref(), Some("\"it's\""));
        assert_eq!(quote(r"a\\b").as_deref(), Some(r#""a\\\\b""#));
        assert_eq!(quote("mid\\dle").as_deref(), Some("'mid\\dle'"));
        assert_eq!(quote("a\nb").as_deref(), Some("'a\nb'"));
        for unkept in ["it's $HOME", "'`x`", "\\\\$", "${HOME}", "a\rb", "end\\"] {
            assert_eq!(quote(unkept), None, "{unkept:?}");
        }
        assert!(Dotenv.set("X", "'$").starts_with("# X left out"));
        let warnings = stsenv_core::captured::take();
        assert!(
            matches!(warnings.as_slice(), [w] if w.starts_with("X is left out of the dotenv output: ")),
            "{warnings:?}"
        );
    }

    /// Fragments that break naive quoting, and code that must stay inert.
    const NASTY: [&str; 20] = [
        "'",
        "\"",
        "\\",
        "\\\\",
        "$",
        "`",
        "\n",
        "\t",
        " ",
        "#",
        "=",
        "$(touch pwned)",
        "`touch pwned`",
        "$HOME",
        "${HOME}",
        "\\'",
        "é",
        "🦀",
        "\u{2028}",
        "!",
    ];

    fn value() -> impl Strategy<Value = String> {
        let fragment = prop_oneof![
            3 => proptest::sample::select(&NASTY[..]).prop_map(str::to_string),
            1 => any::<char>().prop_filter("no NUL", |c| *c != '\0').prop_map(String::from),
            1 => "[a-zA-Z0-9_/+=]{1,4}",
        ];
        proptest::collection::vec(fragment, 0..10).prop_map(|parts| parts.concat())
    }

    /// A fresh directory, removed on drop (this crate has no tempfile dependency).
    struct TempDir(std::path::PathBuf);

    impl TempDir {
        fn new() -> TempDir {
            use std::sync::atomic::{AtomicU32, Ordering};
            static N: AtomicU32 = AtomicU32::new(0);
            let dir = std::env::temp_dir().join(format!(
                "stsenv-dotenv-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }

        fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Source `file` in sh and print each of `count` variables NUL-terminated.
    fn through_sh(file: &Path, count: usize, dir: &Path) -> Vec<u8> {
        let prints: String = (0..count)
            .map(|i| format!("printf '%s\\0' \"$V{i}\"; "))
            .collect();
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("set -a; . '{}'; {prints}", file.display()))
            .current_dir(dir)
            .output()
            .expect("sh runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// The interpreter behind `python3` (skipping pyenv's shim, which costs
    /// a third of a second per start).
    fn python() -> &'static str {
        static PYTHON: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        PYTHON.get_or_init(|| {
            Command::new("python3")
                .args(["-c", "import sys; print(sys.executable)"])
                .output()
                .ok()
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| "python3".to_string())
        })
    }

    /// Read `file` with python-dotenv and print each variable NUL-terminated.
    fn through_python(file: &Path, count: usize, dir: &Path) -> Option<Vec<u8>> {
        let script = format!(
            "import sys, dotenv\nv = dotenv.dotenv_values(sys.argv[1])\nsys.stdout.buffer.write(b''.join(v['V%d' % i].encode() + b'\\0' for i in range({count})))\n"
        );
        let out = Command::new(python())
            .args(["-c", &script])
            .arg(file)
            .current_dir(dir)
            .output()
            .ok()?;
        if !out.status.success() && String::from_utf8_lossy(&out.stderr).contains("No module named")
        {
            eprintln!("note: python-dotenv is not installed (`cargo xtask test` installs it); only sh was checked");
            return None;
        }
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(out.stdout)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

        /// Everything written reads back identically in sh and python-dotenv
        /// and runs nothing; what is left out is exactly what no form keeps.
        #[test]
        fn sh_and_python_dotenv_read_the_same_bytes(values in proptest::collection::vec(value(), 1..24)) {
            let dir = TempDir::new();
            let kept: Vec<&String> = values.iter().filter(|v| quote(v).is_some()).collect();
            for v in values.iter().filter(|v| quote(v).is_none()) {
                let both_dangerous = (v.contains('\'') || v.contains("\\\\") || v.ends_with('\\'))
                    && v.contains(['$', '`']);
                let python_only = v.contains("${") || v.contains('\r') || v.ends_with('\\');
                prop_assert!(both_dangerous || python_only, "{:?} left out", v);
            }
            let file = dir.path().join("f.env");
            let text: String = kept
                .iter()
                .enumerate()
                .map(|(i, v)| Dotenv.set(&format!("V{i}"), v))
                .collect();
            std::fs::write(&file, &text).unwrap();
            let expected: Vec<u8> = kept.iter().flat_map(|v| [v.as_bytes(), b"\0"].concat()).collect();
            prop_assert_eq!(through_sh(&file, kept.len(), dir.path()), expected.clone(), "sh, file:\n{}", text);
            if let Some(python) = through_python(&file, kept.len(), dir.path()) {
                prop_assert_eq!(python, expected, "python-dotenv, file:\n{}", text);
            }
            prop_assert!(!dir.path().join("pwned").exists(), "code ran, file:\n{}", text);
        }
    }
}

//! Property test of the escapers in the real shells: random
//! strings full of quotes, backslashes (trailing ones too), `$`, backticks,
//! newlines, UTF-8 and smart quotes go through an emitter, the real shell
//! evaluates the code and writes each value back to a file with
//! `printf %s`, and the bytes must be identical. Planted `$(touch pwned)`
//! and friends must never run. One shell process per case checks a batch of
//! values, so 64 cases stay fast. PowerShell and cmd.exe are not installable
//! here; their escapers (and cmd.exe's refusals) have unit tests only.

use std::path::Path;
use std::process::Command;

use proptest::prelude::*;

use super::{env_no_export, fish, posix, EnvSyntax};

/// Fragments that break naive quoting, and code that must stay inert.
const NASTY: [&str; 24] = [
    "'",
    "\"",
    "\\",
    "$",
    "`",
    "\n",
    "\r",
    "\t",
    " ",
    "\u{2018}",
    "\u{2019}",
    "\u{201A}",
    "\u{201B}",
    "$(touch pwned)",
    "`touch pwned`",
    "${HOME}",
    "$HOME",
    "\\'",
    "'\\''",
    "%s",
    "é",
    "日本",
    "🦀",
    "!",
];

fn value() -> impl Strategy<Value = String> {
    let fragment = prop_oneof![
        3 => proptest::sample::select(&NASTY[..]).prop_map(str::to_string),
        1 => any::<char>().prop_filter("no NUL", |c| *c != '\0').prop_map(String::from),
        1 => "[a-zA-Z0-9_]{1,4}",
    ];
    proptest::collection::vec(fragment, 0..12).prop_map(|parts| parts.concat())
}

/// Evaluate `values` in `shell` through `emitter`; return what read back.
fn round_trip(shell: &str, emitter: &dyn EnvSyntax, values: &[String], dir: &Path) -> Vec<Vec<u8>> {
    let mut script = String::new();
    for (i, value) in values.iter().enumerate() {
        script += &emitter.set(&format!("STSENV_RT_{i}"), value);
        script += &format!("printf %s \"$STSENV_RT_{i}\" > out{i}\n");
    }
    let file = dir.join("roundtrip");
    std::fs::write(&file, &script).unwrap();
    let mut cmd = Command::new(shell);
    match shell {
        "bash" => cmd.args(["--norc", "--noprofile"]),
        "zsh" => cmd.arg("-f"),
        _ => cmd.arg("--no-config"),
    };
    let out = cmd
        .arg(&file)
        .current_dir(dir)
        .env("HOME", dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{shell} failed on {values:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (0..values.len())
        .map(|i| std::fs::read(dir.join(format!("out{i}"))).unwrap_or_default())
        .collect()
}

fn check(shell: &str, emitter: &dyn EnvSyntax, values: &[String]) -> Result<(), TestCaseError> {
    let dir = tempfile_dir();
    let back = round_trip(shell, emitter, values, &dir);
    let pwned = dir.join("pwned").exists();
    let _ = std::fs::remove_dir_all(&dir);
    prop_assert!(!pwned, "{} executed planted code", shell);
    for (value, read) in values.iter().zip(back) {
        prop_assert_eq!(value.as_bytes(), &read[..], "{}", shell);
    }
    Ok(())
}

/// A fresh directory (no tempfile dependency in this crate).
fn tempfile_dir() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "stsenv-rt-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn posix_quoting_round_trips_in_bash(values in proptest::collection::vec(value(), 8)) {
        check("bash", &posix::PosixShell { template: "", lazy_functions: false, autoload: false }, &values)?;
    }

    #[test]
    fn posix_quoting_round_trips_in_zsh(values in proptest::collection::vec(value(), 8)) {
        check("zsh", &posix::PosixShell { template: "", lazy_functions: false, autoload: false }, &values)?;
    }

    #[test]
    fn env_no_export_round_trips_in_bash(values in proptest::collection::vec(value(), 8)) {
        check("bash", &env_no_export::EnvNoExport, &values)?;
    }

    #[test]
    fn env_no_export_round_trips_in_zsh(values in proptest::collection::vec(value(), 8)) {
        check("zsh", &env_no_export::EnvNoExport, &values)?;
    }

    #[test]
    fn fish_quoting_round_trips_in_fish(values in proptest::collection::vec(value(), 8)) {
        check("fish", &fish::Fish, &values)?;
    }
}

#[test]
fn planted_code_is_detected_when_unquoted() {
    // The check itself works: unquoted, the plant runs.
    let dir = tempfile_dir();
    std::fs::write(dir.join("s"), "X=$(touch pwned)\n").unwrap();
    Command::new("bash")
        .arg("s")
        .current_dir(&dir)
        .status()
        .unwrap();
    assert!(dir.join("pwned").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

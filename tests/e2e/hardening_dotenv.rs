//! `env --shell dotenv` output, read by a POSIX shell (`set -a; . ./file`)
//! and by python-dotenv: both see the same bytes, and nothing in a value
//! ever runs. The hostile value travels the way a user's own input does:
//! the path of a `--policy` file, recorded in `STSENV_OPTIONS`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use proptest::prelude::*;
use stsenv_tests::Sandbox;

/// Every name `env` may write.
const NAMES: [&str; 10] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "STSENV_PROFILE",
    "STSENV_REFRESH_AT",
    "STSENV_OPTIONS",
    "STSENV_VARS",
];

const POLICY: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// Pairs NUL-separated (`name\0value\0…`) into a map.
fn pairs(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut parts = bytes.split(|b| *b == 0);
    let mut map = BTreeMap::new();
    while let (Some(name), Some(value)) = (parts.next(), parts.next()) {
        if !name.is_empty() {
            map.insert(String::from_utf8_lossy(name).into_owned(), value.to_vec());
        }
    }
    map
}

fn through_sh(file: &Path, dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let prints: String = NAMES
        .iter()
        .map(|n| format!("if [ \"${{{n}+set}}\" ]; then printf '%s\\0%s\\0' {n} \"${n}\"; fi; "))
        .collect();
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("set -a; . '{}'; {prints}", file.display()))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .current_dir(dir)
        .output()
        .expect("sh runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    pairs(&out.stdout)
}

/// The interpreter behind `python3` (pyenv's shim costs 0.3 s per start).
fn python() -> &'static str {
    static PYTHON: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PYTHON.get_or_init(|| {
        let out = Command::new("python3")
            .args(["-c", "import sys; print(sys.executable)"])
            .output()
            .expect("python3 runs");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    })
}

fn through_python(python: &str, file: &Path, dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let script = "import sys, dotenv\nfor k, v in dotenv.dotenv_values(sys.argv[1]).items():\n    sys.stdout.buffer.write(k.encode() + b'\\0' + (v or '').encode() + b'\\0')\n";
    let out = Command::new(python)
        .args(["-c", script])
        .arg(file)
        .current_dir(dir)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "python-dotenv is needed (`cargo xtask test` installs it): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    pairs(&out.stdout)
}

/// Fragments of a file name that break naive quoting, and code that must stay inert.
const NASTY: [&str; 17] = [
    "'",
    "\"",
    "\\",
    "\\\\",
    "$",
    "`",
    "\n",
    " ",
    "#",
    "=",
    "$(touch pwned)",
    "`touch pwned`",
    "$HOME",
    "${HOME}",
    "\\'",
    "é",
    "!",
];

fn name() -> impl Strategy<Value = String> {
    let fragment = prop_oneof![
        3 => proptest::sample::select(&NASTY[..]).prop_map(str::to_string),
        1 => "[a-zA-Z0-9_.+=-]{1,4}",
    ];
    proptest::collection::vec(fragment, 1..6).prop_map(|parts| parts.concat())
}

fn check(sandbox: &Sandbox, python: &str, file_name: &str) -> Result<(), TestCaseError> {
    let dir = sandbox.path().join("work");
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join(format!("{file_name}.json"));
    std::fs::write(&policy, POLICY).unwrap();
    let out = sandbox
        .stsenv()
        .args([
            "env",
            "base",
            "--federation",
            "fed",
            "--shell",
            "dotenv",
            "--policy",
        ])
        .arg(&policy)
        .current_dir(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    prop_assert!(out.status.success(), "{}", stderr);
    let env_file = dir.join("out.env");
    std::fs::write(&env_file, &out.stdout).unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let sh = through_sh(&env_file, &dir);
    let py = through_python(python, &env_file, &dir);
    prop_assert_eq!(&sh, &py, "file:\n{}", text);
    prop_assert!(sh.contains_key("AWS_SECRET_ACCESS_KEY"), "file:\n{}", text);
    // A value no quoting keeps intact for both readers is left out, loudly.
    if !sh.contains_key("STSENV_OPTIONS") {
        prop_assert!(stderr.contains("STSENV_OPTIONS is left out"), "{}", stderr);
    }
    prop_assert!(!dir.join("pwned").exists(), "code ran, file:\n{}", text);
    std::fs::remove_dir_all(&dir).unwrap();
    Ok(())
}

#[test]
fn planted_code_in_a_value_never_runs() {
    let sandbox = Sandbox::switch_role();
    let python = python();
    for file_name in [
        "$(touch pwned)",
        "`touch pwned`",
        "a\nb",
        "it's",
        "x\\\\y",
        "it's $(touch pwned)",
    ] {
        check(&sandbox, python, file_name).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    #[test]
    fn sh_and_python_dotenv_read_the_same_bytes(file_name in name()) {
        check(&Sandbox::switch_role(), python(), &file_name)?;
    }
}

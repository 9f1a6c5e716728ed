//! Helpers shared by the end-to-end modules: reading outputs, asking moto
//! what it was sent, and checking expirations.

use std::time::{SystemTime, UNIX_EPOCH};

use stsenv_tests::{Moto, Sandbox};

/// Run `stsenv ARGS` in `sandbox`; assert success and return stdout.
pub fn ok(sandbox: &Sandbox, args: &[&str]) -> String {
    let out = sandbox.stsenv().args(args).assert().success();
    String::from_utf8(out.get_output().stdout.clone()).expect("utf-8 stdout")
}

/// Run `stsenv ARGS`; assert it fails with `code`, prints NOTHING on stdout
/// (so `eval "$(stsenv env …)"` never evaluates half an answer), and return stderr.
pub fn fails(sandbox: &Sandbox, args: &[&str], code: i32) -> String {
    let out = sandbox.stsenv().args(args).assert().code(code);
    let output = out.get_output();
    assert!(
        output.stdout.is_empty(),
        "stdout must be empty on error, got {:?}",
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8(output.stderr.clone()).expect("utf-8 stderr")
}

/// `stsenv whoami ARGS --json`, parsed.
pub fn whoami(sandbox: &Sandbox, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["whoami", "--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(sandbox, &all)).expect("whoami --json prints JSON")
}

/// The ARN `whoami` reports for `args`.
pub fn arn(sandbox: &Sandbox, args: &[&str]) -> String {
    whoami(sandbox, args)["Arn"]
        .as_str()
        .expect("Arn is a string")
        .to_string()
}

/// Seconds since the epoch.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

/// Parse `2026-11-23T13:29:12Z` (the only shape stsenv prints) to epoch seconds.
pub fn epoch_of(rfc3339: &str) -> i64 {
    let b = rfc3339.as_bytes();
    assert!(
        b.len() == 20 && b[10] == b'T' && b[19] == b'Z',
        "not RFC 3339 UTC with Z: {rfc3339}"
    );
    let num = |r: std::ops::Range<usize>| rfc3339[r].parse::<i64>().expect("digits");
    let (y, m, d) = (num(0..4), num(5..7), num(8..10));
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + num(11..13) * 3600 + num(14..16) * 60 + num(17..19)
}

/// Assert `expiration` is `secs` from now, give or take two minutes (the
/// call itself and a slow machine; not a timing assertion on stsenv).
pub fn assert_expires_in(expiration: &str, secs: i64) {
    let left = epoch_of(expiration) - now();
    assert!(
        (secs - 120..=secs + 5).contains(&left),
        "expected expiry in ~{secs} s, got {left} s ({expiration})"
    );
}

/// moto's record of the AssumeRole call that created `access_key_id`.
pub fn assumed_role(moto: &Moto, access_key_id: &str) -> serde_json::Value {
    moto.state()["sts"]["AssumedRole"]
        .as_array()
        .expect("AssumedRole list")
        .iter()
        .find(|r| r["access_key_id"] == access_key_id)
        .cloned()
        .unwrap_or_else(|| panic!("moto has no AssumeRole for {access_key_id}"))
}

/// Whether `program` is on PATH (shells the tests evaluate code in).
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
        .unwrap_or(false)
}

/// Whether strace can trace here: installed, and ptrace permitted (some
/// containers forbid it).
pub fn strace_works() -> bool {
    std::process::Command::new("strace")
        .args(["-f", "-o", "/dev/null", "true"])
        .status()
        .is_ok_and(|s| s.success())
}

/// The subcommands `stsenv PATH --help` lists under "Commands:", without
/// clap's `help`.
pub fn subcommands(sandbox: &Sandbox, path: &[&str]) -> Vec<String> {
    let mut args = path.to_vec();
    args.push("--help");
    let help = ok(sandbox, &args);
    let Some(start) = help.find("\nCommands:\n") else {
        return Vec::new();
    };
    help[start + "\nCommands:\n".len()..]
        .lines()
        .take_while(|line| line.starts_with("  "))
        // Wrapped descriptions continue on deeper-indented lines.
        .filter(|line| !line.starts_with("   "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}

/// Every command path below `stsenv` (`["env"]`, `["cache", "list"]`, …),
/// found by walking `--help`, so a new subcommand is covered without
/// being listed anywhere.
pub fn command_paths(sandbox: &Sandbox) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut pending: Vec<Vec<String>> = vec![Vec::new()];
    while let Some(path) = pending.pop() {
        let words: Vec<&str> = path.iter().map(String::as_str).collect();
        for sub in subcommands(sandbox, &words) {
            let mut deeper = path.clone();
            deeper.push(sub);
            found.push(deeper.clone());
            pending.push(deeper);
        }
    }
    found.sort();
    found
}

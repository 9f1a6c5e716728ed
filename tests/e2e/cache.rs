//! The session cache (issue 3): reuse, refresh, bypass, private modes,
//! healing, one STS call for many concurrent shells, MFA-session sharing,
//! crash safety, and credential_process consumed by the real AWS CLI.

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

use stsenv_tests::{exported_value, stsenv_bin, Moto, Sandbox, SWITCH_ROLE_CONFIG};

const DEV_ROLE: &str = "arn:aws:iam::123456789012:role/dev";

/// `dev` (role with MFA from `base`) plus `ops`, another role behind the same
/// source and MFA device, plus `plain`, a role without MFA.
fn switch_role(moto: &Moto) -> Sandbox {
    let config = format!(
        "{SWITCH_ROLE_CONFIG}
[profile ops]
role_arn = arn:aws:iam::123456789012:role/ops
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/alice

[profile plain]
role_arn = arn:aws:iam::123456789012:role/plain
source_profile = base
"
    );
    Sandbox::with_base_keys(moto, &config)
}

fn access_key(sandbox: &Sandbox, args: &[&str]) -> String {
    let output = sandbox
        .stsenv()
        .args(["env", "--shell", "bash"])
        .args(args)
        .assert()
        .success();
    exported_value(&output.get_output().stdout, "AWS_ACCESS_KEY_ID").expect("key exported")
}

/// `stsenv env plain` succeeds: the key it exported, and what it said on
/// stderr.
fn plain_key_and_stderr(sandbox: &Sandbox) -> (String, String) {
    let output = sandbox
        .stsenv()
        .args(["env", "plain", "--shell", "bash"])
        .assert()
        .success();
    let out = output.get_output();
    let key = exported_value(&out.stdout, "AWS_ACCESS_KEY_ID").expect("key exported");
    (key, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn hits_reuse_refresh_renews_no_cache_bypasses() {
    let sandbox = switch_role(Moto::shared());
    let first = access_key(&sandbox, &["plain"]);
    assert_eq!(
        access_key(&sandbox, &["plain"]),
        first,
        "a hit returns the same keys"
    );
    let refreshed = access_key(&sandbox, &["plain", "--refresh"]);
    assert_ne!(refreshed, first, "--refresh gets a new session");
    assert_eq!(access_key(&sandbox, &["plain"]), refreshed, "and caches it");
    let bypassed = access_key(&sandbox, &["plain", "--no-cache"]);
    assert_ne!(bypassed, refreshed, "--no-cache does not read");
    assert_eq!(
        access_key(&sandbox, &["plain"]),
        refreshed,
        "--no-cache does not write"
    );
}

#[test]
fn refresh_margin_is_configurable() {
    let sandbox = switch_role(Moto::shared());
    let first = access_key(&sandbox, &["plain"]);
    let with_margin = |margin: &str| {
        let output = sandbox
            .stsenv()
            .env("STSENV_REFRESH_MARGIN", margin)
            .args(["env", "plain", "--shell", "bash"])
            .assert()
            .success();
        let stdout = &output.get_output().stdout;
        let key = exported_value(stdout, "AWS_ACCESS_KEY_ID").unwrap();
        let expiration = exported_value(stdout, "AWS_CREDENTIAL_EXPIRATION").unwrap();
        let refresh_at: i64 = exported_value(stdout, "STSENV_REFRESH_AT")
            .unwrap()
            .parse()
            .unwrap();
        let expires: i64 = expiration.parse::<jiff::Timestamp>().unwrap().as_second();
        (key, expires - refresh_at)
    };
    // One hour sessions: a 30 min margin still reuses, and the hook is told so.
    assert_eq!(with_margin("1800"), (first.clone(), 1800));
    // A margin longer than the session: never fresh enough, always renewed.
    let (renewed, _) = with_margin("3700");
    assert_ne!(renewed, first);
}

#[test]
fn an_unwritable_cache_costs_speed_not_the_session() {
    let sandbox = switch_role(Moto::shared());
    // A file where the cache directory should be: nothing can be created in it.
    std::fs::write(sandbox.cache_dir(), b"not a directory").unwrap();
    let (_, stderr) = plain_key_and_stderr(&sandbox);
    assert!(stderr.contains("not cached"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn cache_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = switch_role(Moto::shared());
    access_key(&sandbox, &["dev", "--token-code", "123456"]);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&sandbox.cache_dir()), 0o700);
    let files: Vec<_> = std::fs::read_dir(sandbox.cache_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(files.len() >= 2, "MFA session and role entries: {files:?}");
    for file in files {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            !name.contains("AKIA") && !name.contains("ASIA"),
            "no key in a file name"
        );
    }
}

#[test]
fn corrupt_truncated_and_foreign_entries_heal() {
    let sandbox = switch_role(Moto::shared());
    let first = access_key(&sandbox, &["plain"]);
    let entries: Vec<_> = std::fs::read_dir(sandbox.cache_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    for damage in [
        &b"{\"version\":1,\"profile\":"[..],
        b"\0\0garbage",
        br#"{"version":7}"#,
    ] {
        for entry in &entries {
            std::fs::write(entry, damage).unwrap();
        }
        let (key, stderr) = plain_key_and_stderr(&sandbox);
        assert!(
            stderr.contains("warning") && stderr.contains("cache"),
            "{stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "one warning line: {stderr}");
        assert_ne!(key, first, "a damaged entry is a miss");
    }
    // Healed: the next call is a silent hit.
    assert_silent_hit(&sandbox, "plain");
}

/// `env PROFILE` succeeds without a word on stderr (no warning, no STS call notice).
fn assert_silent_hit(sandbox: &Sandbox, profile: &str) {
    sandbox
        .stsenv()
        .args(["env", profile, "--shell", "bash", "--non-interactive"])
        .assert()
        .success()
        .stderr("");
}

fn spawn_env(sandbox: &Sandbox, args: &[&str]) -> Child {
    sandbox
        .command(stsenv_bin())
        .args(["env", "--shell", "bash"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("stsenv starts")
}

#[test]
fn twenty_shells_renewing_at_once_make_one_sts_call_each() {
    let moto = Moto::start();
    let sandbox = switch_role(&moto);
    let children: Vec<Child> = (0..20)
        .map(|_| spawn_env(&sandbox, &["dev", "--token-code", "123456"]))
        .collect();
    let keys: Vec<String> = children
        .into_iter()
        .map(|child| {
            let output = child.wait_with_output().unwrap();
            stsenv_tests::succeeded(&output);
            exported_value(&output.stdout, "AWS_ACCESS_KEY_ID").unwrap()
        })
        .collect();
    assert!(
        keys.iter().all(|k| *k == keys[0]),
        "identical credentials: {keys:?}"
    );
    assert_eq!(moto.assume_role_calls(DEV_ROLE), 1, "one AssumeRole");
    assert_eq!(moto.session_token_calls(), 1, "one MFA session");
}

#[test]
fn two_roles_share_one_mfa_session_without_asking_again() {
    let moto = Moto::start();
    let sandbox = switch_role(&moto);
    access_key(&sandbox, &["dev", "--token-code", "123456"]);
    // No code and no terminal: only possible through the cached MFA session.
    access_key(&sandbox, &["ops", "--non-interactive"]);
    assert_eq!(moto.session_token_calls(), 1);
    assert_eq!(
        moto.assume_role_calls("arn:aws:iam::123456789012:role/ops"),
        1
    );
    // --refresh renews the role, not the MFA session.
    access_key(&sandbox, &["ops", "--refresh", "--non-interactive"]);
    assert_eq!(moto.session_token_calls(), 1);
}

#[test]
fn mfa_needed_without_terminal_exits_3() {
    let sandbox = switch_role(Moto::shared());
    sandbox
        .stsenv()
        .args(["env", "dev", "--non-interactive"])
        .assert()
        .code(3)
        .stdout("")
        .stderr(predicates::str::contains("MFA code needed for dev"));
}

#[cfg(unix)]
#[test]
fn kill_9_mid_refresh_never_leaves_a_broken_entry() {
    let sandbox = switch_role(Moto::shared());
    access_key(&sandbox, &["plain"]);
    for round in 0..25u64 {
        let mut child = spawn_env(&sandbox, &["plain", "--refresh"]);
        // Spread the kills over the whole life of the process.
        std::thread::sleep(Duration::from_millis(round * 3 % 60));
        unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
        let _ = child.wait();
    }
    for entry in std::fs::read_dir(sandbox.cache_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read(&path).unwrap();
            let doc: serde_json::Value = serde_json::from_slice(&text)
                .unwrap_or_else(|e| panic!("{} is broken: {e}", path.display()));
            assert_eq!(doc["version"], 1);
        }
    }
    // And the cache still serves without a warning.
    assert_silent_hit(&sandbox, "plain");
}

#[test]
fn cache_list_and_clear() {
    let sandbox = switch_role(Moto::shared());
    access_key(&sandbox, &["dev", "--token-code", "123456"]);
    access_key(&sandbox, &["plain"]);
    let list = sandbox
        .stsenv()
        .args(["cache", "list", "--json"])
        .assert()
        .success();
    let rows: serde_json::Value = serde_json::from_slice(&list.get_output().stdout).unwrap();
    let kinds: Vec<(String, String)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["profile"].as_str().unwrap().into(),
                r["kind"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        kinds.contains(&("base".into(), "MfaSession".into())),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("dev".into(), "AssumeRole".into())),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("plain".into(), "AssumeRole".into())),
        "{kinds:?}"
    );
    let text = String::from_utf8_lossy(&list.get_output().stdout).to_string();
    assert!(
        !text.contains("SecretAccessKey") && !text.contains("ASIA"),
        "no secrets listed"
    );

    sandbox
        .stsenv()
        .args(["cache", "clear", "plain"])
        .assert()
        .success();
    let profiles = sandbox
        .stsenv()
        .args(["profiles", "--json"])
        .assert()
        .success();
    let profiles: serde_json::Value =
        serde_json::from_slice(&profiles.get_output().stdout).unwrap();
    let state = |name: &str| {
        profiles
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()["cached_seconds_left"]
            .clone()
    };
    assert!(state("dev").as_i64().unwrap() > 3000, "dev still cached");
    assert!(state("plain").is_null(), "plain cleared");
    sandbox.stsenv().args(["cache", "clear"]).assert().success();
    let list = sandbox
        .stsenv()
        .args(["cache", "list", "--json"])
        .assert()
        .success();
    assert_eq!(list.get_output().stdout, b"[]\n");
}

#[test]
fn aws_cli_uses_stsenv_as_credential_process() {
    assert!(
        crate::util::on_path("aws"),
        "the AWS CLI is needed (cargo xtask test installs it)"
    );
    let sandbox = switch_role(Moto::shared());
    let config = format!(
        "{}\n[profile via-stsenv]\nregion = eu-west-1\ncredential_process = {} credential-process dev --non-interactive\n",
        std::fs::read_to_string(sandbox.config_path()).unwrap(),
        stsenv_bin().display()
    );
    sandbox.config(&config);
    // The MFA session is opened once, interactively in real life.
    access_key(&sandbox, &["dev", "--token-code", "123456"]);
    let output = sandbox
        .command("aws")
        .args([
            "sts",
            "get-caller-identity",
            "--profile",
            "via-stsenv",
            "--output",
            "json",
        ])
        .output()
        .unwrap();
    stsenv_tests::succeeded(&output);
    let identity: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        identity["Arn"],
        "arn:aws:sts::123456789012:assumed-role/dev/stsenv-tester"
    );
}

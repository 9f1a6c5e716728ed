//! A hostile IAM Identity Center portal: `sso populate` writes nothing it
//! says into `~/.aws/config` unchecked, and role credentials it hands out
//! are checked before they are emitted.

use serde_json::{json, Value};
use stsenv_tests::hostile_portal::{Answers, HostilePortal};
use stsenv_tests::Sandbox;

use crate::sso_login::{cli_time, write_cli_token, SSO_CONFIG};

const CONFIG: &str =
    "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n";

fn sandbox(config: &str) -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.config(config);
    write_cli_token(
        &sandbox,
        &json!({"startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1",
                "accessToken": "tok", "expiresAt": cli_time(3600)}),
    );
    sandbox
}

fn run(sandbox: &Sandbox, portal: &HostilePortal, args: &[&str]) -> std::process::Output {
    sandbox
        .stsenv()
        .envs(portal.env())
        .args(args)
        .timeout(stsenv_tests::PATIENCE)
        .output()
        .expect("stsenv runs")
}

#[test]
fn populate_writes_only_checked_values() {
    let pwned = tempfile::tempdir().unwrap();
    let marker = pwned.path().join("pwned");
    let plant = format!("credential_process = touch {}", marker.display());
    let mut roles = std::collections::HashMap::new();
    roles.insert(
        "111111111111".to_string(),
        json!([
            {"roleName": format!("Admin\n[default]\n{plant}"), "accountId": "111111111111"},
            {"roleName": "ReadOnly", "accountId": "111111111111"},
            {"roleName": "[evil]", "accountId": "111111111111"},
            {"roleName": "=x", "accountId": "111111111111"},
            {"roleName": "a".repeat(65), "accountId": "111111111111"},
            {"roleName": "Rôle", "accountId": "111111111111"},
            {"roleName": "Red\u{1b}[31mAlert", "accountId": "111111111111"},
            {"roleName": "Ops+=,.@-_1", "accountId": "111111111111"},
        ]),
    );
    let bad_ids = [
        format!("1111\n[default]\n{plant}"),
        "22222222222".to_string(),
        "１２３４５６７８９０１２".to_string(),
        "12345678901a".to_string(),
    ];
    for id in &bad_ids {
        roles.insert(
            id.clone(),
            json!([{"roleName": "Developer", "accountId": id}]),
        );
    }
    roles.insert(
        "333333333333".to_string(),
        json!([{"roleName": "Dev", "accountId": "333333333333"}]),
    );
    let mut accounts = vec![json!({"accountId": "111111111111", "accountName": "Good"})];
    accounts.extend(
        bad_ids
            .iter()
            .map(|id| json!({"accountId": id, "accountName": "bad id"})),
    );
    accounts.push(json!({"accountId": "333333333333",
                         "accountName": format!("Evil\n[default]\n{plant}")}));
    let portal = HostilePortal::start(Answers {
        accounts: Value::Array(accounts),
        roles,
        role_credentials: Value::Null,
        ..Answers::default()
    });
    let sandbox = sandbox(CONFIG);

    let out = run(&sandbox, &portal, &["sso", "populate", "corp"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let config = std::fs::read_to_string(sandbox.config_path()).unwrap();
    let expected = format!(
        "{CONFIG}
[profile evil-default-credential_process--touch-{path}/dev]
sso_session = corp
sso_account_id = 333333333333
sso_role_name = Dev
region = eu-west-1

[profile good/ops.-_1]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Ops+=,.@-_1
region = eu-west-1

[profile good/readonly]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = ReadOnly
region = eu-west-1
",
        path = marker.display().to_string().to_lowercase()
    );
    assert_eq!(config, expected, "stderr: {stderr}");

    // Every skipped value is named, escaped for the terminal.
    assert!(
        stderr.contains(r#"role "Admin\n[default]\ncredential_process"#),
        "{stderr}"
    );
    assert!(
        stderr.contains(r#"account id "1111\n[default]"#),
        "{stderr}"
    );
    assert!(stderr.contains(r#""22222222222""#), "{stderr}");
    assert!(stderr.contains(r#""[evil]""#), "{stderr}");
    assert!(stderr.contains(r#""Red\u{1b}[31mAlert""#), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "raw escape on the terminal");

    // The planted command never runs, whatever profile is asked for.
    for args in [
        &["env", "--shell", "bash"][..],
        &["env", "default", "--shell", "bash"],
        &["profiles"],
        &["explain", "default"],
    ] {
        let _ = run(&sandbox, &portal, args);
    }
    assert!(!marker.exists(), "the portal's command ran");
}

#[test]
fn populate_dry_run_shows_only_checked_values() {
    let mut roles = std::collections::HashMap::new();
    roles.insert(
        "111111111111".to_string(),
        json!([{"roleName": "X\n[default]\nregion = evil", "accountId": "111111111111"}]),
    );
    let portal = HostilePortal::start(Answers {
        accounts: json!([{"accountId": "111111111111", "accountName": "Good"}]),
        roles,
        role_credentials: Value::Null,
        ..Answers::default()
    });
    let sandbox = sandbox(CONFIG);
    let out = run(&sandbox, &portal, &["sso", "populate", "--dry-run"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("[default]"), "{stdout}");
    assert!(!stdout.contains("region = evil"), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(sandbox.config_path()).unwrap(),
        CONFIG
    );
}

fn role_credentials_sandbox(credentials: Value) -> (HostilePortal, Sandbox) {
    let portal = HostilePortal::start(Answers {
        role_credentials: credentials,
        ..Answers::default()
    });
    (portal, sandbox(SSO_CONFIG))
}

#[test]
fn portal_credentials_with_control_characters_are_refused() {
    let future = (jiff::Timestamp::now().as_second() + 3600) * 1000;
    for (key, secret, token) in [
        ("ASIA\nX=1", "secret", "token"),
        ("ASIAOK", "sec'ret", "token"),
        ("ASIAOK", "secret", "tok\"en$(touch x)"),
        ("ASIAOK", "", "token"),
    ] {
        let (portal, sandbox) = role_credentials_sandbox(json!({
            "accessKeyId": key, "secretAccessKey": secret,
            "sessionToken": token, "expiration": future,
        }));
        let out = run(&sandbox, &portal, &["env", "ssodev", "--shell", "bash"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{key:?} {secret:?}: {stderr}");
        assert!(
            out.stdout.is_empty(),
            "{:?}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(stderr.contains("ssodev"), "{stderr}");
        assert!(!stderr.contains(secret) || secret.is_empty(), "{stderr}");
        // Nothing unusable is cached either.
        let cached = std::fs::read_dir(sandbox.cache_dir())
            .map(|d| {
                d.flatten()
                    .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
                    .count()
            })
            .unwrap_or(0);
        assert_eq!(cached, 0);
    }
}

#[test]
fn expired_portal_credentials_are_refused() {
    let past = (jiff::Timestamp::now().as_second() - 60) * 1000;
    let (portal, sandbox) = role_credentials_sandbox(json!({
        "accessKeyId": "ASIAEXPIRED", "secretAccessKey": "secret",
        "sessionToken": "token", "expiration": past,
    }));
    let out = run(&sandbox, &portal, &["env", "ssodev", "--shell", "bash"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(stderr.contains("expired"), "{stderr}");
}

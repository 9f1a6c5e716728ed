//! `stsenv sso populate`: one profile per account/role, appended without
//! touching a byte of the existing config, idempotent, and `--dry-run`
//! writes nothing.

use serde_json::json;
use stsenv_tests::sso_stub::SsoStub;
use stsenv_tests::Sandbox;

use crate::sso_login::{cli_time, stsenv, write_cli_token};

/// Odd but valid bytes: comments, CRLF, spacing, no final newline.
const ORIGINAL: &str = "# my config, hand-written\r\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n\n[profile existing-dev]   ; covers 222222222222/Developer\nsso_session=corp\nsso_account_id = 222222222222\nsso_role_name = Developer\n\n[profile prod-account/readonly]\nregion = us-west-2";

fn setup() -> (SsoStub, Sandbox) {
    let stub = SsoStub::start();
    {
        let mut state = stub.state();
        state.accounts = vec![
            (
                "111111111111".into(),
                "Prod Account".into(),
                vec!["AdministratorAccess".into(), "ReadOnly".into()],
            ),
            (
                "222222222222".into(),
                "Dev".into(),
                vec!["Developer".into(), "Power.User".into()],
            ),
        ];
        state.access_tokens.insert("tok".into());
    }
    let sandbox = Sandbox::new();
    sandbox.config(ORIGINAL);
    write_cli_token(
        &sandbox,
        &json!({"startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1",
                "accessToken": "tok", "expiresAt": cli_time(3600)}),
    );
    (stub, sandbox)
}

const EXPECTED_ADDITION: &str = "
[profile dev/power.user]
sso_session = corp
sso_account_id = 222222222222
sso_role_name = Power.User
region = eu-west-1

[profile prod-account/administratoraccess]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = AdministratorAccess
region = eu-west-1

[profile prod-account/readonly-111111111111]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = ReadOnly
region = eu-west-1
";

#[test]
fn dry_run_writes_nothing() {
    let (stub, sandbox) = setup();
    let out = stsenv(&sandbox, &stub, &["sso", "populate", "--dry-run"]).success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let plus: String = stdout
        .lines()
        .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
        .map(|l| format!("{}\n", &l[1..]))
        .collect();
    assert_eq!(plus, EXPECTED_ADDITION, "{stdout}");
    assert_eq!(
        std::fs::read(sandbox.config_path()).unwrap(),
        ORIGINAL.as_bytes()
    );
    assert!(!sandbox.home().join(".aws/config.bak").exists());
    // Every page was read: 2 ListAccounts pages, 2 role pages per account.
    assert_eq!(stub.calls_of("ListAccounts").len(), 2);
    assert_eq!(stub.calls_of("ListAccountRoles").len(), 4);
    assert_eq!(
        stub.calls_of("ListAccounts")[1].query["next_token"],
        "1",
        "the SDK sends nextToken back as next_token"
    );
}

#[test]
fn populate_appends_once_and_keeps_every_byte() {
    let (stub, sandbox) = setup();
    let out = stsenv(&sandbox, &stub, &["sso", "populate", "corp"]).success();
    let after = std::fs::read_to_string(sandbox.config_path()).unwrap();
    assert_eq!(after, format!("{ORIGINAL}\n{EXPECTED_ADDITION}"));
    assert_eq!(
        std::fs::read(sandbox.home().join(".aws/config.bak")).unwrap(),
        ORIGINAL.as_bytes()
    );
    let names = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert_eq!(names.lines().count(), 3, "{names}");

    // Twice: nothing changes.
    let again = stsenv(&sandbox, &stub, &["sso", "populate"]).success();
    assert!(String::from_utf8_lossy(&again.get_output().stderr).contains("Nothing to add"));
    assert_eq!(
        std::fs::read_to_string(sandbox.config_path()).unwrap(),
        after
    );

    // The new profiles work.
    stsenv(
        &sandbox,
        &stub,
        &["env", "prod-account/administratoraccess", "--shell", "bash"],
    )
    .success();
    let get = stub.calls_of("GetRoleCredentials");
    assert_eq!(get[0].query["role_name"], "AdministratorAccess");
}

#[test]
fn populate_without_a_token_is_exit_3() {
    let (stub, sandbox) = setup();
    std::fs::remove_dir_all(sandbox.home().join(".aws/sso")).unwrap();
    let out = stsenv(&sandbox, &stub, &["sso", "populate"]).code(3);
    assert!(String::from_utf8_lossy(&out.get_output().stderr)
        .contains("run `stsenv login --sso-session corp`"));
    assert_eq!(
        std::fs::read(sandbox.config_path()).unwrap(),
        ORIGINAL.as_bytes()
    );
}

//! IAM Identity Center: `stsenv login` (device authorization against the
//! local stub), the token cache shared with the AWS CLI, refresh, and role
//! credentials, alone and as the source of a role on moto.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use stsenv_tests::sso_stub::SsoStub;
use stsenv_tests::{exported_value, Moto, Sandbox};

/// One sso-session, one profile on it, one role on top of that profile.
pub const SSO_CONFIG: &str = "\
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile ssodev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Developer
region = eu-west-1

[profile ops]
role_arn = arn:aws:iam::111111111111:role/ops
source_profile = ssodev
region = eu-west-1
";

/// sha1(\"corp\"), the AWS CLI's file name for the sso-session `corp`.
pub const CORP_TOKEN_FILE: &str = "ee0bfd2552fbd840c02cc48b6e823320543c450f.json";

/// A sandbox with [`SSO_CONFIG`] whose SSO calls go to `stub` (STS to nowhere).
pub fn sandbox() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.config(SSO_CONFIG);
    sandbox
}

/// `stsenv ARGS…` in `sandbox` with the stub's endpoints and no stdin.
pub fn stsenv(sandbox: &Sandbox, stub: &SsoStub, args: &[&str]) -> assert_cmd::assert::Assert {
    sandbox
        .stsenv()
        .envs(stub.env())
        .args(args)
        .timeout(stsenv_tests::PATIENCE)
        .assert()
}

/// Where the token of sso-session `corp` lives.
pub fn token_path(sandbox: &Sandbox) -> PathBuf {
    sandbox.home().join(".aws/sso/cache").join(CORP_TOKEN_FILE)
}

/// The token file as JSON.
pub fn read_token(sandbox: &Sandbox) -> Value {
    serde_json::from_slice(&std::fs::read(token_path(sandbox)).expect("token file")).unwrap()
}

/// `now + secs` in the AWS CLI's format.
pub fn cli_time(secs_from_now: i64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let t = now + secs_from_now;
    let out = std::process::Command::new("date")
        .args(["-u", "-d", &format!("@{t}"), "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .expect("date runs");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Epoch seconds `secs` from now.
pub fn epoch(secs_from_now: i64) -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        + secs_from_now
}

/// Write a token file the way the AWS CLI v2 does.
pub fn write_cli_token(sandbox: &Sandbox, token: &Value) {
    let path = token_path(sandbox);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, serde_json::to_vec_pretty(token).unwrap()).unwrap();
}

/// A token of the stub's that ends in a minute, with a refresh token and a
/// registration still valid: the next use refreshes it.
fn write_token_due_for_refresh(sandbox: &Sandbox) {
    write_cli_token(
        sandbox,
        &json!({
            "startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1",
            "accessToken": "access-token-1", "expiresAt": cli_time(60),
            "clientId": "cli-client", "clientSecret": "cli-secret",
            "registrationExpiresAt": cli_time(86_400), "refreshToken": "refresh-token-1"
        }),
    );
}

fn stderr(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

#[test]
fn login_without_browser_then_role_credentials() {
    let stub = SsoStub::start();
    let sandbox = sandbox();
    let login = stsenv(&sandbox, &stub, &["login", "ssodev", "--no-browser"]).success();
    let err = stderr(&login);
    assert!(
        err.contains("https://device.sso.example/?user_code=WXYZ-0002"),
        "{err}"
    );
    assert!(err.contains("WXYZ-0002"), "{err}");
    assert!(
        err.contains("Logged in to https://corp.awsapps.com/start"),
        "{err}"
    );
    assert!(!err.contains("access-token"), "no secret on stderr: {err}");

    // Registration as a public client with the session's scopes and the refresh grant.
    let register = &stub.calls_of("RegisterClient")[0];
    assert_eq!(register.body["clientName"], "stsenv");
    assert_eq!(register.body["clientType"], "public");
    assert_eq!(register.body["scopes"], json!(["sso:account:access"]));
    let device = &stub.calls_of("StartDeviceAuthorization")[0];
    assert_eq!(device.body["startUrl"], "https://corp.awsapps.com/start");
    // Two pending polls, then the token.
    assert_eq!(stub.calls_of("CreateToken").len(), 3);

    // The AWS CLI's cache file, in its format.
    let token = read_token(&sandbox);
    assert_eq!(token["startUrl"], "https://corp.awsapps.com/start");
    assert_eq!(token["region"], "eu-west-1");
    assert_eq!(token["accessToken"], "access-token-3");
    assert_eq!(token["refreshToken"], "refresh-token-3");
    assert_eq!(token["clientId"], "client-1");
    assert_eq!(token["clientSecret"], "client-secret-1");
    for field in ["expiresAt", "registrationExpiresAt"] {
        let text = token[field].as_str().unwrap();
        assert_eq!(text.len(), 20, "{field} = {text}");
        assert!(text.ends_with('Z') && text.as_bytes()[10] == b'T', "{text}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: PathBuf| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(token_path(&sandbox)), 0o600);
        assert_eq!(
            mode(token_path(&sandbox).parent().unwrap().to_path_buf()),
            0o700
        );
    }

    // Role credentials with the bearer token, for the profile's account and role.
    let env = stsenv(&sandbox, &stub, &["env", "ssodev", "--shell", "bash"]).success();
    let out = &env.get_output().stdout;
    let key = exported_value(out, "AWS_ACCESS_KEY_ID").unwrap();
    assert!(key.starts_with("ASIASSOSTUB"), "{key}");
    assert!(exported_value(out, "AWS_SESSION_TOKEN").is_some());
    assert!(exported_value(out, "AWS_CREDENTIAL_EXPIRATION").is_some());
    let get = &stub.calls_of("GetRoleCredentials")[0];
    assert_eq!(get.headers["x-amz-sso_bearer_token"], "access-token-3");
    assert_eq!(get.query["account_id"], "111111111111");
    assert_eq!(get.query["role_name"], "Developer");

    // Cached: a second env makes no call.
    stsenv(&sandbox, &stub, &["env", "ssodev", "--shell", "bash"]).success();
    assert_eq!(stub.calls_of("GetRoleCredentials").len(), 1);

    // Logging in again (as `aws sso login` does) reuses the registration.
    stsenv(
        &sandbox,
        &stub,
        &["login", "--sso-session", "corp", "--no-browser"],
    )
    .success();
    assert_eq!(stub.calls_of("StartDeviceAuthorization").len(), 2);
    assert_eq!(stub.calls_of("RegisterClient").len(), 1);
    assert_eq!(read_token(&sandbox)["clientId"], "client-1");

    // Logout deletes the token and the cached role credentials.
    let out = stsenv(&sandbox, &stub, &["logout", "ssodev"]).success();
    assert!(
        stderr(&out).contains("1 cached role session"),
        "{}",
        stderr(&out)
    );
    assert!(!token_path(&sandbox).exists());
    assert_eq!(stub.calls_of("Logout").len(), 1);
    let after = stsenv(&sandbox, &stub, &["env", "ssodev", "--shell", "bash"]).code(3);
    assert!(stderr(&after).contains("stsenv login ssodev"));
}

#[test]
fn slow_down_adds_to_the_interval() {
    let stub = SsoStub::start();
    {
        let mut state = stub.state();
        state.slow_down_polls = 1;
        state.pending_polls = 1;
    }
    let sandbox = sandbox();
    stsenv(&sandbox, &stub, &["login", "ssodev", "--no-browser"]).success();
    let polls = stub.calls_of("CreateToken");
    assert_eq!(polls.len(), 3);
    // STSENV_SSO_POLL_MS=20: interval 1 unit = 20 ms, +5 units after slow_down.
    let before = polls[0]
        .at
        .duration_since(stub.calls_of("StartDeviceAuthorization")[0].at);
    let after = polls[1].at.duration_since(polls[0].at);
    assert!(after >= Duration::from_millis(120), "{after:?}");
    assert!(after > before, "{before:?} then {after:?}");
    assert!(read_token(&sandbox)["accessToken"].is_string());
}

#[test]
fn expired_device_code_fails_cleanly() {
    let stub = SsoStub::start();
    stub.state().device_code_expired = true;
    let sandbox = sandbox();
    let out = stsenv(&sandbox, &stub, &["login", "ssodev", "--no-browser"]).code(1);
    assert!(stderr(&out).contains("expired"), "{}", stderr(&out));
    assert!(!token_path(&sandbox).exists());
}

#[test]
fn no_token_without_a_terminal_is_exit_3() {
    let stub = SsoStub::start();
    let sandbox = sandbox();
    for extra in [&["--non-interactive"][..], &[][..]] {
        let mut args = vec!["env", "ops", "--shell", "bash"];
        args.extend_from_slice(extra);
        let out = stsenv(&sandbox, &stub, &args).code(3);
        assert!(
            stderr(&out)
                .contains("SSO login needed for profile `ssodev`; run `stsenv login ssodev`"),
            "{}",
            stderr(&out)
        );
    }
    // An expired token with no refresh token is the same.
    write_cli_token(
        &sandbox,
        &json!({"startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1",
                "accessToken": "old", "expiresAt": cli_time(-60)}),
    );
    stsenv(&sandbox, &stub, &["env", "ssodev", "--non-interactive"]).code(3);
    assert!(stub.calls().is_empty(), "{:?}", stub.calls());
}

/// An IDE extension's token for the same start URL (scopes without
/// sso:account:access) is treated as absent, with a line saying why: a
/// login is needed, not a 401 from the portal.
#[test]
fn a_token_without_the_account_access_scope_is_skipped_and_explained() {
    let stub = SsoStub::start();
    let sandbox = sandbox();
    stub.accept_access_token("ide-token");
    write_cli_token(
        &sandbox,
        &json!({"startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1",
                "accessToken": "ide-token", "expiresAt": cli_time(3600),
                "scopes": ["codewhisperer:completions", "codewhisperer:analysis"]}),
    );
    let out = stsenv(&sandbox, &stub, &["env", "ssodev", "--non-interactive"]).code(3);
    let text = stderr(&out);
    assert!(text.contains("lack sso:account:access"), "{text}");
    assert!(text.contains("codewhisperer:completions"), "{text}");
    assert!(text.contains("run `stsenv login ssodev`"), "{text}");
    assert_eq!(text.matches("ignoring the SSO token").count(), 1, "{text}");
    assert!(stub.calls().is_empty(), "{:?}", stub.calls());
    // The same token with the right scope among its scopes is used.
    write_cli_token(
        &sandbox,
        &json!({"startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1",
                "accessToken": "ide-token", "expiresAt": cli_time(3600),
                "scopes": ["sso:account:access", "codewhisperer:completions"]}),
    );
    stsenv(&sandbox, &stub, &["env", "ssodev", "--non-interactive"]).success();
}

#[test]
fn refresh_token_renews_without_a_browser() {
    let stub = SsoStub::start();
    let sandbox = sandbox();
    stub.accept_refresh_token("rt-old", "cli-client", epoch(86_400));
    write_cli_token(
        &sandbox,
        &json!({
            "startUrl": "https://corp.awsapps.com/start",
            "region": "eu-west-1",
            "accessToken": "nearly-expired",
            "expiresAt": cli_time(120),
            "clientId": "cli-client",
            "clientSecret": "cli-secret",
            "registrationExpiresAt": cli_time(86_400),
            "refreshToken": "rt-old",
            "somethingElse": "kept"
        }),
    );
    let out = stsenv(&sandbox, &stub, &["env", "ssodev", "--non-interactive"]).success();
    assert!(exported_value(&out.get_output().stdout, "AWS_ACCESS_KEY_ID").is_some());
    let create = stub.calls_of("CreateToken");
    assert_eq!(create.len(), 1);
    assert_eq!(create[0].body["grantType"], "refresh_token");
    assert_eq!(create[0].body["refreshToken"], "rt-old");
    assert_eq!(create[0].body["clientId"], "cli-client");
    assert!(stub.calls_of("StartDeviceAuthorization").is_empty());
    assert!(stub.calls_of("RegisterClient").is_empty());
    let token = read_token(&sandbox);
    assert_eq!(token["accessToken"], "access-token-1");
    assert_eq!(token["refreshToken"], "refresh-token-1");
    assert_eq!(token["clientId"], "cli-client");
    assert_eq!(token["somethingElse"], "kept");
    assert!(token["expiresAt"].as_str().unwrap() > cli_time(3600).as_str());
    assert_eq!(
        stub.calls_of("GetRoleCredentials")[0].headers["x-amz-sso_bearer_token"],
        "access-token-1"
    );

    // `stsenv login` near expiry refreshes too, without a device login.
    write_token_due_for_refresh(&sandbox);
    let login = stsenv(&sandbox, &stub, &["login", "ssodev", "--no-browser"]).success();
    assert!(
        stderr(&login).contains("Token refreshed"),
        "{}",
        stderr(&login)
    );
    assert!(stub.calls_of("StartDeviceAuthorization").is_empty());
}

#[test]
fn expired_registration_means_a_new_login_and_registration() {
    let stub = SsoStub::start();
    let sandbox = sandbox();
    stub.accept_refresh_token("rt-old", "old-client", epoch(-10));
    write_cli_token(
        &sandbox,
        &json!({
            "startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1",
            "accessToken": "expired", "expiresAt": cli_time(-10),
            "clientId": "old-client", "clientSecret": "old-secret",
            "registrationExpiresAt": cli_time(-10), "refreshToken": "rt-old"
        }),
    );
    stsenv(&sandbox, &stub, &["env", "ssodev", "--non-interactive"]).code(3);
    assert!(
        stub.calls().is_empty(),
        "no refresh with an expired registration"
    );
    stsenv(&sandbox, &stub, &["login", "ssodev", "--no-browser"]).success();
    assert_eq!(stub.calls_of("RegisterClient").len(), 1);
    assert_eq!(read_token(&sandbox)["clientId"], "client-1");
    stsenv(&sandbox, &stub, &["env", "ssodev"]).success();
}

#[test]
fn concurrent_logins_open_one_device_authorization() {
    let stub = SsoStub::start();
    // Long enough that every process reads the token before the first login ends.
    stub.state().pending_polls = 25;
    let sandbox = sandbox();
    let children: Vec<_> = (0..6)
        .map(|_| {
            let mut cmd = sandbox.command(stsenv_tests::stsenv_bin());
            cmd.envs(stub.env())
                .args(["login", "ssodev", "--no-browser"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            cmd.spawn().unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    assert_eq!(stub.calls_of("StartDeviceAuthorization").len(), 1);
    assert_eq!(stub.calls_of("RegisterClient").len(), 1);
}

#[test]
fn legacy_profile_uses_the_start_url_hash() {
    let stub = SsoStub::start();
    let sandbox = Sandbox::new();
    sandbox.config(
        "[profile legacy]\nsso_start_url = https://legacy.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 111111111111\nsso_role_name = Developer\n",
    );
    stsenv(&sandbox, &stub, &["login", "legacy", "--no-browser"]).success();
    let path = sandbox
        .home()
        .join(".aws/sso/cache/79e435d7a515078e81c9dffc35f38d5687ebd3a7.json");
    let token: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    assert_eq!(token["startUrl"], "https://legacy.awsapps.com/start");
    assert_eq!(token["region"], "us-east-1");
    stsenv(&sandbox, &stub, &["env", "legacy"]).success();
}

#[test]
fn role_on_top_of_sso_reads_a_cli_written_token() {
    let stub = SsoStub::start();
    let moto = Moto::shared();
    let sandbox = sandbox();
    stub.accept_access_token("from-the-aws-cli");
    write_cli_token(
        &sandbox,
        &json!({"startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1",
                "accessToken": "from-the-aws-cli", "expiresAt": cli_time(3600)}),
    );
    let out = sandbox
        .stsenv()
        .envs(stub.env())
        .env("AWS_ENDPOINT_URL_STS", &moto.url)
        .args(["env", "ops", "--shell", "bash", "--non-interactive"])
        .assert()
        .success();
    let key = exported_value(&out.get_output().stdout, "AWS_ACCESS_KEY_ID").unwrap();
    assert!(
        key.starts_with("ASIA") && !key.starts_with("ASIASSOSTUB"),
        "{key}"
    );
    let get = stub.calls_of("GetRoleCredentials");
    assert_eq!(get.len(), 1);
    assert_eq!(get[0].headers["x-amz-sso_bearer_token"], "from-the-aws-cli");
    let who = sandbox
        .stsenv()
        .envs(stub.env())
        .env("AWS_ENDPOINT_URL_STS", &moto.url)
        .args(["whoami", "ops"])
        .assert()
        .success();
    assert!(String::from_utf8_lossy(&who.get_output().stdout).contains("role/ops"));
}

/// `stsenv login ssodev` in the background, waiting for an approval that
/// never comes (the stub keeps answering "pending"); returns once it polls.
fn pending_login(sandbox: &Sandbox, stub: &SsoStub) -> std::process::Child {
    stub.state().pending_polls = 10_000;
    let child = sandbox
        .command(stsenv_tests::stsenv_bin())
        .envs(stub.env())
        .args(["login", "ssodev", "--no-browser"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    stsenv_tests::wait_until("the login polling", || {
        (!stub.calls_of("CreateToken").is_empty()).then_some(())
    });
    child
}

#[test]
fn ctrl_c_cancels_the_wait_cleanly() {
    let stub = SsoStub::start();
    let sandbox = sandbox();
    let child = pending_login(&sandbox, &stub);
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cancelled"));
    assert!(!token_path(&sandbox).exists());
    // The session's lock was released: the next login proceeds at once.
    stub.state().pending_polls = 0;
    stsenv(&sandbox, &stub, &["login", "ssodev", "--no-browser"]).success();
}

/// Not a test: `cargo test -p stsenv-tests manual_stub -- --ignored
/// --nocapture` keeps a stub up for a minute to try `stsenv login` by hand.
#[test]
#[ignore]
fn manual_stub() {
    let stub = SsoStub::start();
    stub.state().pending_polls = 100;
    println!("stub at {}", stub.url);
    std::thread::sleep(Duration::from_secs(60));
}

#[test]
fn browser_opens_only_with_a_display_and_without_no_browser() {
    let stub = SsoStub::start();
    let sandbox = sandbox();
    // A fake xdg-open that records its argument.
    let bin = sandbox.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let record = sandbox.path().join("opened");
    let script = bin.join("xdg-open");
    std::fs::write(
        &script,
        format!("#!/bin/sh\necho \"$1\" >> '{}'\n", record.display()),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let login = |display: bool, no_browser: bool| {
        let mut cmd = sandbox.stsenv();
        cmd.envs(stub.env())
            .env("PATH", &path)
            .args(["login", "ssodev"]);
        if display {
            cmd.env("DISPLAY", ":0");
        }
        if no_browser {
            cmd.arg("--no-browser");
        }
        cmd.timeout(stsenv_tests::PATIENCE).assert().success();
    };
    login(false, false);
    login(true, true);
    assert!(
        !record.exists(),
        "no browser without a display or with --no-browser"
    );
    login(true, false);
    // The opener runs in the background: wait for its whole line.
    let opened = stsenv_tests::wait_until("the browser opener", || {
        std::fs::read_to_string(&record)
            .ok()
            .filter(|t| t.ends_with('\n'))
    });
    assert!(
        opened.starts_with("https://device.sso.example/?user_code=WXYZ-"),
        "{opened}"
    );
}

#[test]
fn a_refresh_that_cannot_prompt_does_not_queue_behind_a_login() {
    let stub = SsoStub::start();
    let sandbox = sandbox();
    let mut login = pending_login(&sandbox, &stub);
    // A token that needs refreshing, which takes the session's lock.
    write_token_due_for_refresh(&sandbox);
    let started = std::time::Instant::now();
    let out = sandbox
        .stsenv()
        .envs(stub.env())
        .args(["env", "ssodev", "--non-interactive", "--shell", "bash"])
        // Generous under load, yet shorter than the three-minute lock wait.
        .timeout(Duration::from_secs(120))
        .assert()
        .code(3);
    let waited = started.elapsed();
    // SAFETY: signalling our own child.
    unsafe { libc::kill(login.id() as i32, libc::SIGINT) };
    let _ = login.wait();
    assert!(out.get_output().stdout.is_empty());
    assert!(
        stderr(&out).contains("another stsenv is waiting for an MFA code or a login for ssodev"),
        "{}",
        stderr(&out)
    );
    // Not a timing assertion on speed, only that it did not sit out the
    // three-minute lock wait.
    assert!(waited < Duration::from_secs(120), "{waited:?}");
}

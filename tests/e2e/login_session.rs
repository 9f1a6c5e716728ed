//! `aws login` sessions (`login_session` profiles) against the Sign-In
//! stand-in: the AWS CLI's login cache read as written, refreshed with a
//! DPoP proof the stand-in verifies, written back for botocore, one refresh
//! for many processes, the end of a session (exit 3), the session as a
//! role's source on moto, and `stsenv login` / `logout` for such profiles.
//! The botocore cross-checks run the real botocore (with awscrt) on the
//! same cache.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use stsenv_tests::signin_stub::{self, SigninStub, SESSION_ARN};
use stsenv_tests::{exported_value, succeeded, Moto, Sandbox};

/// One `aws login` profile, and a role with MFA on top of it.
const CONFIG: &str = "\
[profile dev]
login_session = arn:aws:iam::123456789012:user/Developer
region = us-east-1

[profile admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = dev
mfa_serial = arn:aws:iam::123456789012:mfa/developer
region = us-east-1
";

fn sandbox() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.config(CONFIG);
    sandbox
}

/// `~/.aws/login/cache`, where `aws login` writes.
fn cache_dir(sandbox: &Sandbox) -> PathBuf {
    sandbox.home().join(".aws/login/cache")
}

fn read_cache(sandbox: &Sandbox) -> Value {
    let path = cache_dir(sandbox).join(signin_stub::cache_file_name(SESSION_ARN));
    serde_json::from_slice(&std::fs::read(path).expect("login cache file")).expect("json")
}

fn stsenv(sandbox: &Sandbox, stub: &SigninStub, args: &[&str]) -> std::process::Output {
    sandbox
        .stsenv()
        .envs(stub.env())
        .args(args)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("stsenv runs")
}

fn key_of(stdout: &[u8]) -> String {
    exported_value(stdout, "AWS_ACCESS_KEY_ID").expect("AWS_ACCESS_KEY_ID exported")
}

#[test]
fn env_uses_the_credentials_aws_login_cached() {
    let stub = SigninStub::start();
    let sandbox = sandbox();
    let written = stub.write_session(&cache_dir(&sandbox), SESSION_ARN, 900);
    let out = stsenv(&sandbox, &stub, &["env", "dev"]);
    let stdout = succeeded(&out);
    assert_eq!(key_of(stdout), written.access_key_id);
    assert!(exported_value(stdout, "AWS_SESSION_TOKEN").is_some());
    assert!(stub.calls().is_empty(), "fresh credentials need no call");
}

#[test]
fn credentials_close_to_expiry_are_refreshed_and_written_back() {
    let stub = SigninStub::start();
    let sandbox = sandbox();
    let written = stub.write_session(&cache_dir(&sandbox), SESSION_ARN, 200);
    let before = read_cache(&sandbox);
    let out = stsenv(&sandbox, &stub, &["env", "dev"]);
    let key = key_of(succeeded(&out));
    assert_ne!(
        key, written.access_key_id,
        "less than 5 min left: refreshed"
    );
    assert_eq!(stub.refreshes(), 1, "{:?}", stub.calls());
    let after = read_cache(&sandbox);
    assert_eq!(after["accessToken"]["accessKeyId"], key.as_str());
    assert_ne!(after["refreshToken"], before["refreshToken"]);
    // What the refresh does not change stays, as botocore keeps it.
    for field in ["dpopKey", "clientId", "idToken", "tokenType"] {
        assert_eq!(after[field], before[field], "{field}");
    }
    assert_eq!(after["accessToken"]["accountId"], "123456789012");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let path = cache_dir(&sandbox).join(signin_stub::cache_file_name(SESSION_ARN));
        let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // Fresh now: the next command makes no call.
    let again = stsenv(&sandbox, &stub, &["env", "dev"]);
    assert_eq!(key_of(succeeded(&again)), key);
    assert_eq!(stub.refreshes(), 1);
}

#[test]
fn twenty_shells_renewing_at_once_make_one_call() {
    let stub = SigninStub::start();
    let sandbox = sandbox();
    stub.write_session(&cache_dir(&sandbox), SESSION_ARN, 100);
    let children: Vec<_> = (0..20)
        .map(|_| {
            let mut cmd = Command::new(stsenv_tests::stsenv_bin());
            cmd.env_clear()
                .envs(sandbox.env())
                .envs(stub.env())
                .args(["env", "dev"])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            cmd.spawn().expect("stsenv starts")
        })
        .collect();
    let keys: Vec<String> = children
        .into_iter()
        .map(|child| key_of(succeeded(&child.wait_with_output().unwrap())))
        .collect();
    assert_eq!(stub.refreshes(), 1, "{:?}", stub.calls());
    assert!(keys.iter().all(|k| k == &keys[0]), "{keys:?}");
}

#[test]
fn an_ended_session_says_how_to_log_in_and_exits_3() {
    let stub = SigninStub::start();
    stub.state().token_expired = true;
    let sandbox = sandbox();
    stub.write_session(&cache_dir(&sandbox), SESSION_ARN, -60);
    let out = stsenv(&sandbox, &stub, &["env", "dev"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(out.stdout.is_empty(), "nothing to eval");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("profile `dev`"), "{stderr}");
    assert!(stderr.contains("run `stsenv login dev`"), "{stderr}");
    assert!(stderr.contains("aws login --profile dev"), "{stderr}");
    assert_eq!(stub.calls().len(), 1, "one refresh was tried");
}

#[test]
fn no_cached_login_is_exit_3_naming_the_file() {
    let stub = SigninStub::start();
    let sandbox = sandbox();
    let out = stsenv(&sandbox, &stub, &["env", "dev"]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(".aws/login/cache"), "{stderr}");
    assert!(stderr.contains("stsenv login dev"), "{stderr}");
}

#[test]
fn the_cache_directory_follows_aws_login_cache_directory() {
    let stub = SigninStub::start();
    let sandbox = sandbox();
    let dir = sandbox.path().join("elsewhere");
    let written = stub.write_session(&dir, SESSION_ARN, 900);
    let out = sandbox
        .stsenv()
        .envs(stub.env())
        .env("AWS_LOGIN_CACHE_DIRECTORY", &dir)
        .args(["env", "dev"])
        .output()
        .unwrap();
    assert_eq!(key_of(succeeded(&out)), written.access_key_id);
}

#[test]
fn a_role_with_mfa_is_assumed_with_the_login_session() {
    let stub = SigninStub::start();
    let moto = Moto::shared();
    let sandbox = Sandbox::with_moto(moto);
    sandbox.config(CONFIG);
    let written = stub.write_session(&cache_dir(&sandbox), SESSION_ARN, 900);
    let before = moto.assume_role_calls("arn:aws:iam::123456789012:role/admin");
    let out = sandbox
        .stsenv()
        .envs(stub.env())
        .args(["env", "admin", "--token-code", "123456"])
        .output()
        .unwrap();
    let key = key_of(succeeded(&out));
    assert_ne!(key, written.access_key_id, "the role's credentials");
    assert_eq!(
        moto.assume_role_calls("arn:aws:iam::123456789012:role/admin"),
        before + 1
    );
    let explain = sandbox
        .stsenv()
        .envs(stub.env())
        .args(["explain", "admin"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(succeeded(&explain)).into_owned();
    assert!(text.contains("aws login session"), "{text}");
    assert!(text.contains("user/Developer"), "{text}");
}

#[test]
fn profiles_show_kind_login_and_credential_process_serves_it() {
    let stub = SigninStub::start();
    let sandbox = sandbox();
    let written = stub.write_session(&cache_dir(&sandbox), SESSION_ARN, 900);
    let out = stsenv(&sandbox, &stub, &["profiles"]);
    let text = String::from_utf8_lossy(succeeded(&out)).into_owned();
    let line = text
        .lines()
        .find(|l| l.contains("dev"))
        .expect("dev listed");
    assert!(line.contains("login"), "{text}");
    let out = stsenv(&sandbox, &stub, &["credential-process", "dev"]);
    let json: Value = serde_json::from_slice(succeeded(&out)).unwrap();
    assert_eq!(json["Version"], 1);
    assert_eq!(json["AccessKeyId"], written.access_key_id.as_str());
    assert!(json["Expiration"].is_string());
}

/// Read stderr lines of `child` until one holds the authorization URL.
fn authorization_url(child: &mut std::process::Child) -> String {
    let stderr = child.stderr.take().expect("stderr piped");
    let mut lines = BufReader::new(stderr).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("stsenv printed the URL")
            .expect("utf-8");
        if let Some(at) = line.find("http://") {
            if line.contains("/v1/authorize?") {
                break line[at..].trim().to_string();
            }
        }
    };
    // Keep draining stderr so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    url
}

fn login_child(sandbox: &Sandbox, stub: &SigninStub, args: &[&str]) -> std::process::Child {
    login_child_with(sandbox, stub, args, &[])
}

/// [`login_child`] with `env` added to the sandbox's environment.
fn login_child_with(
    sandbox: &Sandbox,
    stub: &SigninStub,
    args: &[&str],
    env: &[(&str, &str)],
) -> std::process::Child {
    let mut cmd = Command::new(stsenv_tests::stsenv_bin());
    cmd.env_clear()
        .envs(sandbox.env())
        .envs(stub.env())
        .envs(env.iter().copied())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd.spawn().expect("stsenv starts")
}

/// `stsenv login dev` through the loopback redirect, the browser played by
/// the stub; returns the cache file it wrote.
fn log_in_same_device(sandbox: &Sandbox, stub: &SigninStub) -> Value {
    let out = sign_in_same_device(sandbox, stub, &["login", "dev", "--no-browser"], &[]);
    assert!(out.status.success(), "{:?}", out.status);
    assert!(out.stdout.is_empty());
    read_cache(sandbox)
}

/// `stsenv ARGS` (a login through the loopback redirect) with `env` added,
/// the browser played by the stub; what stsenv printed and its status.
fn sign_in_same_device(
    sandbox: &Sandbox,
    stub: &SigninStub,
    args: &[&str],
    env: &[(&str, &str)],
) -> std::process::Output {
    let mut child = login_child_with(sandbox, stub, args, env);
    let url = authorization_url(&mut child);
    let query = url.split_once('?').unwrap().1;
    let params = stsenv_tests::loopback_http::form_query(query);
    assert_eq!(params["client_id"], signin_stub::SAME_DEVICE);
    // The browser: sign in, follow the redirect to stsenv's loopback listener.
    let (status, location, _) = stub.authorize(&url);
    assert_eq!(status, 302);
    let location = location.expect("redirect");
    let (base, path) = location.split_at(location.find("/oauth").unwrap());
    let (status, _) = stsenv_tests::loopback_http::request(base, "GET", path, &[]).unwrap();
    assert_eq!(status, 200);
    child.wait_with_output().unwrap()
}

/// `stsenv login PROFILE --no-browser` answered by a callback that
/// carries `state` (URL-encoded) instead of the one stsenv sent; how it
/// ended.
fn forged_callback(
    sandbox: &Sandbox,
    stub: &SigninStub,
    profile: &str,
    state: &str,
) -> std::process::ExitStatus {
    let mut child = login_child(sandbox, stub, &["login", profile, "--no-browser"]);
    let url = authorization_url(&mut child);
    let params = stsenv_tests::loopback_http::form_query(url.split_once('?').unwrap().1);
    let redirect = params["redirect_uri"].clone();
    let (base, path) = redirect.split_at(redirect.find("/oauth").unwrap());
    let forged = format!("{path}?code=abc&state={state}");
    stsenv_tests::loopback_http::request(base, "GET", &forged, &[]).unwrap();
    child.wait().unwrap()
}

/// Make the cached credentials expired (the refresh token stays).
fn expire_cache(sandbox: &Sandbox, mut token: Value) {
    token["accessToken"]["expiresAt"] = Value::String(signin_stub::rfc3339(0));
    let path = cache_dir(sandbox).join(signin_stub::cache_file_name(SESSION_ARN));
    std::fs::write(&path, token.to_string()).unwrap();
}

#[test]
fn login_same_device_writes_the_cache_the_cli_reads() {
    let stub = SigninStub::start();
    let sandbox = sandbox();
    let token = log_in_same_device(&sandbox, &stub);
    assert_eq!(token["clientId"], signin_stub::SAME_DEVICE);
    assert_eq!(token["tokenType"], "aws_sigv4");
    assert_eq!(token["accessToken"]["accountId"], "123456789012");
    assert!(token["dpopKey"]
        .as_str()
        .unwrap()
        .starts_with("-----BEGIN EC PRIVATE KEY-----\n"));
    let code_call = &stub.calls()[0];
    assert_eq!(code_call.grant_type, "authorization_code");
    assert_eq!(code_call.status, 200, "{:?}", code_call.problem);
    // The refresh token is bound to the key stsenv stored: a refresh works.
    expire_cache(&sandbox, token);
    let out = stsenv(&sandbox, &stub, &["env", "dev"]);
    succeeded(&out);
    assert_eq!(stub.refreshes(), 1, "{:?}", stub.calls());
}

#[test]
fn botocore_refreshes_a_session_stsenv_logged_in() {
    let stub = SigninStub::start();
    let sandbox = sandbox();
    let token = log_in_same_device(&sandbox, &stub);
    expire_cache(&sandbox, token);
    let theirs = botocore_credentials(&sandbox, &stub, "dev");
    assert_eq!(theirs["method"], "login");
    assert_eq!(
        stub.refreshes(),
        1,
        "botocore read stsenv's key: {:?}",
        stub.calls()
    );
}

/// `stsenv login NEW` for a profile the files do not have: after the
/// login the config has `[profile NEW]` with `login_session` and `region`,
/// as `aws login --profile NEW` writes it (the region it asks for; here
/// none is set), every other byte as it was; botocore and stsenv both use
/// the new profile.
#[test]
fn login_creates_a_profile_the_config_does_not_have() {
    let stub = SigninStub::start();
    let sandbox = sandbox();
    let out = sign_in_same_device(&sandbox, &stub, &["login", "fresh", "--no-browser"], &[]);
    assert!(out.status.success(), "{:?}", out.status);
    assert!(out.stdout.is_empty());
    assert_eq!(
        std::fs::read_to_string(sandbox.config_path()).unwrap(),
        format!("{CONFIG}\n[profile fresh]\nlogin_session = {SESSION_ARN}\nregion = us-east-1\n")
    );
    let ours = stsenv_credentials(&sandbox, &stub, "fresh");
    let theirs = botocore_credentials(&sandbox, &stub, "fresh");
    same(&ours, &theirs);
    // A region from the environment is not written, as with the AWS CLI.
    let sandbox = Sandbox::new();
    let out = sign_in_same_device(
        &sandbox,
        &stub,
        &["login", "--profile", "other", "--no-browser"],
        &[("AWS_REGION", "eu-west-1")],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(sandbox.config_path()).unwrap(),
        format!("[profile other]\nlogin_session = {SESSION_ARN}\n")
    );
}

/// A failed login writes no profile; a name no section header can hold
/// is refused before any call, naming the file.
#[test]
fn login_of_a_new_profile_writes_nothing_unless_it_succeeds() {
    let stub = SigninStub::start();
    let sandbox = sandbox();
    assert!(!forged_callback(&sandbox, &stub, "fresh", "forged").success());
    assert_eq!(
        std::fs::read_to_string(sandbox.config_path()).unwrap(),
        CONFIG
    );
    assert!(!sandbox.config_path().with_extension("bak").exists());
    for bad in ["a]b", "two words", "x\n[profile y]", "new\u{1b}[2J"] {
        let out = stsenv(&sandbox, &stub, &["login", bad]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {stderr}");
        assert!(out.stdout.is_empty());
        assert!(
            stderr.contains("cannot be a new one")
                && stderr.contains(&sandbox.config_path().display().to_string()),
            "{stderr}"
        );
        assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    }
    assert_eq!(
        std::fs::read_to_string(sandbox.config_path()).unwrap(),
        CONFIG
    );
    assert!(stub.calls().is_empty(), "{:?}", stub.calls());
}

#[test]
fn login_remote_takes_the_pasted_code() {
    let stub = SigninStub::start();
    let sandbox = sandbox();
    let mut child = login_child(&sandbox, &stub, &["login", "dev", "--remote"]);
    let url = authorization_url(&mut child);
    let (status, _, code) = stub.authorize(&url);
    assert_eq!(status, 200);
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{code}").unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(read_cache(&sandbox)["clientId"], signin_stub::CROSS_DEVICE);
}

#[test]
fn login_refuses_a_callback_with_another_state_and_escapes_it() {
    let stub = SigninStub::start();
    let sandbox = sandbox();
    let status = forged_callback(&sandbox, &stub, "dev", "%1B%5B2Jforged");
    assert!(!status.success());
    assert!(stub.calls().is_empty(), "no code was redeemed");
    assert!(!cache_dir(&sandbox)
        .join(signin_stub::cache_file_name(SESSION_ARN))
        .exists());
}

#[test]
fn logout_forgets_the_session() {
    let stub = SigninStub::start();
    let sandbox = sandbox();
    let written = stub.write_session(&cache_dir(&sandbox), SESSION_ARN, 900);
    let out = stsenv(&sandbox, &stub, &["logout", "dev"]);
    succeeded(&out);
    assert!(!written.path.exists());
    let out = stsenv(&sandbox, &stub, &["env", "dev"]);
    assert_eq!(out.status.code(), Some(3));
}

/// botocore's credentials for `profile`, through its own LoginProvider.
fn botocore_credentials(sandbox: &Sandbox, stub: &SigninStub, profile: &str) -> Value {
    const SCRIPT: &str = "import botocore.session, json, sys\n\
        c = botocore.session.Session(profile=sys.argv[1]).get_credentials()\n\
        f = c.get_frozen_credentials()\n\
        print(json.dumps({'method': c.method, 'key': f.access_key, 'secret': f.secret_key, 'token': f.token}))\n";
    let output = sandbox
        .command("python3")
        .envs(stub.env())
        .args(["-c", SCRIPT, profile])
        .output()
        .expect("python3 with botocore (cargo xtask test installs it)");
    serde_json::from_slice(succeeded(&output)).expect("json from botocore")
}

fn stsenv_credentials(sandbox: &Sandbox, stub: &SigninStub, profile: &str) -> Value {
    let out = stsenv(sandbox, stub, &["credential-process", profile]);
    serde_json::from_slice(succeeded(&out)).unwrap()
}

fn same(stsenv: &Value, botocore: &Value) {
    assert_eq!(botocore["method"], "login");
    assert_eq!(stsenv["AccessKeyId"], botocore["key"]);
    assert_eq!(stsenv["SecretAccessKey"], botocore["secret"]);
    assert_eq!(stsenv["SessionToken"], botocore["token"]);
}

#[test]
fn botocore_and_stsenv_read_the_same_cache_alike() {
    let stub = SigninStub::start();
    let sandbox = sandbox();
    stub.write_session(&cache_dir(&sandbox), SESSION_ARN, 900);
    same(
        &stsenv_credentials(&sandbox, &stub, "dev"),
        &botocore_credentials(&sandbox, &stub, "dev"),
    );
    assert!(stub.calls().is_empty());
}

#[test]
fn botocore_reads_what_stsenv_refreshed_without_refreshing() {
    let stub = SigninStub::start();
    let sandbox = sandbox();
    stub.write_session(&cache_dir(&sandbox), SESSION_ARN, 200);
    let ours = stsenv_credentials(&sandbox, &stub, "dev");
    assert_eq!(stub.refreshes(), 1);
    same(&ours, &botocore_credentials(&sandbox, &stub, "dev"));
    assert_eq!(stub.refreshes(), 1, "{:?}", stub.calls());
}

#[test]
fn stsenv_reads_what_botocore_refreshed_without_refreshing() {
    let stub = SigninStub::start();
    let sandbox = sandbox();
    stub.write_session(&cache_dir(&sandbox), SESSION_ARN, 200);
    let theirs = botocore_credentials(&sandbox, &stub, "dev");
    assert_eq!(
        stub.refreshes(),
        1,
        "botocore's DPoP proof passed: {:?}",
        stub.calls()
    );
    same(&stsenv_credentials(&sandbox, &stub, "dev"), &theirs);
    assert_eq!(stub.refreshes(), 1);
}

#[test]
fn exec_console_and_eks_token_use_the_session() {
    let stub = SigninStub::start();
    let federation = stsenv_tests::federation_stub::FederationStub::start();
    let sandbox = sandbox();
    let written = stub.write_session(&cache_dir(&sandbox), SESSION_ARN, 900);
    let out = stsenv(
        &sandbox,
        &stub,
        &[
            "exec",
            "dev",
            "--",
            "sh",
            "-c",
            "echo \"$AWS_ACCESS_KEY_ID\"",
        ],
    );
    assert_eq!(
        String::from_utf8_lossy(succeeded(&out)).trim(),
        written.access_key_id
    );
    let out = stsenv(
        &sandbox,
        &stub,
        &["eks-token", "dev", "--cluster-name", "c"],
    );
    let credential: Value = serde_json::from_slice(succeeded(&out)).unwrap();
    let token = credential["status"]["token"].as_str().unwrap();
    assert!(token.starts_with("k8s-aws-v1."), "{token}");
    let out = sandbox
        .stsenv()
        .envs(stub.env())
        .envs(federation.env())
        .args(["console", "dev", "--print", "--non-interactive"])
        .output()
        .unwrap();
    succeeded(&out);
    let session = federation.token_calls()[0].session();
    assert_eq!(session["sessionId"], written.access_key_id.as_str());
}

#[test]
fn the_prompt_hook_renews_silently_while_the_session_lasts() {
    use crate::shell_support::{init, now, run_interactive, run_script, SHELLS};
    for shell in SHELLS {
        let stub = SigninStub::start();
        let sandbox = Sandbox::new();
        // The endpoint from a [services] section: the hook's environment is the shell's.
        sandbox.config(&format!(
            "[profile dev]\nlogin_session = {SESSION_ARN}\nregion = us-east-1\nservices = local\n\n\
             [services local]\nsignin =\n  endpoint_url = {}\n",
            stub.url
        ));
        let written = stub.write_session(&cache_dir(&sandbox), SESSION_ARN, 100);
        let code = init(&sandbox, shell, &["--no-aliases"]);
        let plugin = sandbox.path().join(format!("plugin.{shell}"));
        std::fs::write(&plugin, code).unwrap();
        let due = now() - 1;
        let out = if shell == "fish" {
            let script = format!(
                "set -gx STSENV_PROFILE dev\nset -gx STSENV_REFRESH_AT {due}\nset -gx AWS_ACCESS_KEY_ID old\n\
                 source '{}'\nemit fish_prompt\nemit fish_prompt\necho \"RESULT:$AWS_ACCESS_KEY_ID\"\n",
                plugin.display()
            );
            run_script(&sandbox, "fish", &script)
        } else {
            let lines = format!(
                "export STSENV_PROFILE=dev STSENV_REFRESH_AT={due} AWS_ACCESS_KEY_ID=old\n. '{}'\n:\n:\necho \"RESULT:$AWS_ACCESS_KEY_ID\"\n",
                plugin.display()
            );
            run_interactive(&sandbox, shell, &lines)
        };
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let key = stdout
            .lines()
            .find_map(|l| l.split("RESULT:").nth(1))
            .unwrap_or_else(|| panic!("{shell}: {stdout}\n{stderr}"));
        assert!(
            key.starts_with("ASIASIGNIN"),
            "{shell}: {key} ({stderr}) {:?}",
            stub.calls()
        );
        assert_ne!(key, written.access_key_id);
        assert_eq!(stub.refreshes(), 1, "{shell}");
        assert!(
            !stderr.contains("stsenv:"),
            "{shell}: silent, no prompt: {stderr}"
        );
    }
}

#[test]
fn a_hostile_refresh_answer_is_refused_and_nothing_is_written() {
    let stub = SigninStub::start();
    let sandbox = sandbox();
    stub.write_session(&cache_dir(&sandbox), SESSION_ARN, 100);
    let before = read_cache(&sandbox);
    stub.state().token_answer = Some(serde_json::json!({
        "accessToken": {"accessKeyId": "ASIA\u{1b}[2J", "secretAccessKey": "s", "sessionToken": "t"},
        "tokenType": "aws_sigv4", "expiresIn": 900, "refreshToken": "r"
    }));
    let out = stsenv(&sandbox, &stub, &["env", "dev"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
    assert!(stderr.contains("signin:CreateOAuth2Token"), "{stderr}");
    assert_eq!(read_cache(&sandbox), before, "the cache file is untouched");
}

/// The credential server of `exec --server` renews a login session as it
/// ages: each renewal refreshes it with the refresh token (the stand-in
/// hands out 301-second credentials, so every renewal is due).
#[test]
fn exec_server_renews_the_session_with_its_refresh_token() {
    const POLL: &str = r#"
import json, os, time, urllib.request
seen, deadline = [], time.time() + 90
while time.time() < deadline and len(set(seen)) < 3:
    request = urllib.request.Request(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
        headers={"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]})
    seen.append(json.load(urllib.request.urlopen(request))["AccessKeyId"])
    time.sleep(0.5)
print(json.dumps(sorted(set(seen))))
"#;
    let stub = SigninStub::start();
    stub.state().expires_in = 301;
    let sandbox = sandbox();
    stub.write_session(&cache_dir(&sandbox), SESSION_ARN, 301);
    let out = sandbox
        .stsenv()
        .envs(stub.env())
        .env("STSENV_REFRESH_MARGIN", "299")
        .args(["exec", "--server", "dev", "--", "python3", "-c", POLL])
        .timeout(Duration::from_secs(150))
        .output()
        .unwrap();
    let keys: Vec<String> = serde_json::from_slice(succeeded(&out)).expect("keys as JSON");
    assert!(
        keys.len() >= 3,
        "{keys:?} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stub.refreshes() >= 2, "{:?}", stub.calls());
}

/// `doctor` reports each `aws login` session the profiles use: its
/// credentials' time left, a lapsed one it can renew, and a missing one
/// with the command that fixes it. It calls no Sign-In endpoint.
#[test]
fn doctor_reports_the_login_sessions_and_their_expiry() {
    let stub = SigninStub::start();
    let sandbox = sandbox();
    let doctor = |sandbox: &Sandbox| -> Value {
        let out = stsenv(sandbox, &stub, &["doctor", "--json", "--offline"]);
        serde_json::from_slice(&out.stdout).expect("a JSON report")
    };
    let login_check = |report: &Value| -> Value {
        report["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .find(|c| c["section"] == "login" && c["name"] == SESSION_ARN)
            .unwrap_or_else(|| panic!("no login check: {report:#}"))
            .clone()
    };

    let missing = login_check(&doctor(&sandbox));
    assert_eq!(missing["status"], "warn", "{missing:#}");
    assert!(missing["detail"]
        .as_str()
        .unwrap()
        .starts_with("no token in "));
    assert_eq!(
        missing["fix"], "run `stsenv login dev` (or `aws login`)",
        "{missing:#}"
    );

    stub.write_session(&cache_dir(&sandbox), SESSION_ARN, 3000);
    let fresh = login_check(&doctor(&sandbox));
    assert_eq!(fresh["status"], "ok", "{fresh:#}");
    assert!(fresh["detail"]
        .as_str()
        .unwrap()
        .starts_with("credentials valid for "));

    stub.write_session(&cache_dir(&sandbox), SESSION_ARN, -60);
    let lapsed = login_check(&doctor(&sandbox));
    assert_eq!(lapsed["status"], "ok", "{lapsed:#}");
    assert!(lapsed["detail"].as_str().unwrap().contains("refresh token"));
    assert!(stub.calls().is_empty(), "doctor never refreshes");
}

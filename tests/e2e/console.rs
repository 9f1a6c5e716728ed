//! `stsenv console`: sign-in URLs through the federation stand-in
//! (`tests/support/federation_stub.rs`, which checks the `Session` JSON,
//! the duration bounds, `Issuer` and `Destination`), with credentials from
//! moto (roles, GetFederationToken) and the SSO stub. The URL is a secret:
//! it must show up only where it was asked for.

use std::collections::HashMap;
use std::process::Output;

use serde_json::Value;
use stsenv_tests::federation_stub::{Answer, FederationStub};
use stsenv_tests::sso_stub::SsoStub;
use stsenv_tests::{free_port, succeeded, Moto, Sandbox};

use crate::shell_support::write_executable;
use crate::sso_login::{cli_time, write_cli_token, SSO_CONFIG};

const CONFIG: &str = "\
[profile base]
region = eu-west-1

[profile webdev]
role_arn = arn:aws:iam::123456789012:role/console-webdev
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/alice
region = eu-west-1

[profile hopsrc]
role_arn = arn:aws:iam::123456789012:role/console-hopsrc
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/alice
region = eu-west-1

[profile hop]
role_arn = arn:aws:iam::123456789012:role/console-hop
source_profile = hopsrc
region = eu-west-1

[profile tracer]
role_arn = arn:aws:iam::123456789012:role/console-tracer
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/alice
region = eu-west-1

[profile iam]
region = eu-west-1

[profile mfaonly]
mfa_serial = arn:aws:iam::123456789012:mfa/alice
region = eu-west-1

[profile tmp]
region = eu-west-1
";

const CREDENTIALS: &str = "\
[base]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

[iam]
aws_access_key_id = AKIAI44QH8DHBEXAMPLE
aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY

[mfaonly]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

[tmp]
aws_access_key_id = ASIATEMPORARYEXAMPLE
aws_secret_access_key = tmpSecretKeyForTheConsoleTestsEXAMPLEKEY
aws_session_token = tmp-session-token-EXAMPLE
";

fn sandbox(moto: Option<&Moto>) -> Sandbox {
    let sandbox = match moto {
        Some(moto) => Sandbox::with_moto(moto),
        None => Sandbox::new(),
    };
    sandbox.config(CONFIG).credentials(CREDENTIALS);
    sandbox
}

/// `stsenv console ARGS` against `stub`, stdin closed.
fn console(sandbox: &Sandbox, stub: &FederationStub, args: &[&str]) -> Output {
    sandbox
        .stsenv()
        .envs(stub.env())
        .arg("console")
        .args(args)
        .output()
        .expect("stsenv runs")
}

/// The credentials `stsenv env ARGS` gives (a cache hit after `console`).
fn credentials(sandbox: &Sandbox, args: &[&str]) -> Value {
    let out = sandbox
        .stsenv()
        .args(["env", "--shell", "json", "--non-interactive"])
        .args(args)
        .output()
        .unwrap();
    serde_json::from_slice(succeeded(&out)).expect("credential_process JSON")
}

/// The printed sign-in URL, parsed: it is one line and a URL of the stub.
fn signin_url(stub: &FederationStub, out: &Output) -> (url::Url, HashMap<String, String>) {
    let stdout = String::from_utf8(succeeded(out).to_vec()).unwrap();
    assert_eq!(stdout.lines().count(), 1, "one line: {stdout}");
    let url = url::Url::parse(stdout.trim_end()).expect("--print prints a URL");
    assert_eq!(url.host_str(), Some("127.0.0.1"));
    assert_eq!(url.port(), Some(stub.port));
    assert_eq!(url.path(), "/federation");
    let query: HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(query["Action"], "login");
    assert_eq!(query["Issuer"], "stsenv");
    assert!(
        stub.state().issued.contains(&query["SigninToken"]),
        "the token is the one the endpoint issued"
    );
    (url, query)
}

/// A browser following the URL gets to the destination.
fn assert_signs_in(stub: &FederationStub, url: &url::Url, destination: &str) {
    let (status, location) = stub.visit(&format!("{}?{}", url.path(), url.query().unwrap()));
    assert_eq!(status, 302);
    assert_eq!(location.as_deref(), Some(destination));
}

fn assert_no_secret(text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!secret.is_empty());
        assert!(
            !text.contains(secret),
            "secret {secret:.12}… leaked: {text}"
        );
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn fails(out: &Output, code: i32) -> String {
    assert_eq!(out.status.code(), Some(code), "{}", stderr(out));
    assert!(out.stdout.is_empty(), "nothing on stdout on error");
    stderr(out)
}

const HOME_EU: &str = "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1";

#[test]
fn a_role_signs_in_with_its_cached_session_and_the_duration_it_has_left() {
    let moto = Moto::shared();
    let stub = FederationStub::start();
    let sandbox = sandbox(Some(moto));
    let arn = "arn:aws:iam::123456789012:role/console-webdev";
    let before = moto.assume_role_calls(arn);
    let out = console(
        &sandbox,
        &stub,
        &["webdev", "--print", "--token-code", "123456"],
    );
    let (url, query) = signin_url(&stub, &out);
    assert_eq!(query["Destination"], HOME_EU);
    assert_signs_in(&stub, &url, HOME_EU);

    let creds = credentials(&sandbox, &["webdev"]);
    let calls = stub.token_calls();
    assert_eq!(calls.len(), 1);
    let session = calls[0].session();
    assert_eq!(session["sessionId"], creds["AccessKeyId"]);
    assert_eq!(session["sessionKey"], creds["SecretAccessKey"]);
    assert_eq!(session["sessionToken"], creds["SessionToken"]);
    // Default: what the role session has left (1 h from moto).
    let duration: u32 = calls[0].query["SessionDuration"].parse().unwrap();
    assert!((3000..=3600).contains(&duration), "{duration}");
    let secrets = [
        creds["SecretAccessKey"].as_str().unwrap(),
        creds["SessionToken"].as_str().unwrap(),
        query["SigninToken"].as_str(),
    ];
    assert_no_secret(&stderr(&out), &secrets);

    // A console session of its own length and page: the cached role is
    // reused (no new AssumeRole, no MFA code).
    let out = console(
        &sandbox,
        &stub,
        &[
            "webdev",
            "--print",
            "--non-interactive",
            "--duration",
            "7200",
            "--destination",
            "s3",
        ],
    );
    let (url, query) = signin_url(&stub, &out);
    let s3 = "https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1";
    assert_eq!(query["Destination"], s3);
    assert_signs_in(&stub, &url, s3);
    assert_eq!(stub.token_calls()[1].query["SessionDuration"], "7200");
    assert_eq!(
        stub.token_calls()[1].session()["sessionId"],
        creds["AccessKeyId"]
    );
    assert_eq!(moto.assume_role_calls(arn), before + 1);

    // A URL destination is passed through as given.
    let page = "https://console.aws.amazon.com/iam/home#/roles";
    let out = console(
        &sandbox,
        &stub,
        &[
            "webdev",
            "--print",
            "--non-interactive",
            "--destination",
            page,
        ],
    );
    assert_eq!(signin_url(&stub, &out).1["Destination"], page);
}

#[test]
fn a_chained_role_sends_no_session_duration() {
    let moto = Moto::shared();
    let stub = FederationStub::start();
    let sandbox = sandbox(Some(moto));
    let out = console(
        &sandbox,
        &stub,
        &[
            "hop",
            "--print",
            "--token-code",
            "123456",
            "--duration",
            "7200",
        ],
    );
    signin_url(&stub, &out);
    let call = &stub.token_calls()[0];
    assert!(!call.query.contains_key("SessionDuration"), "{call:?}");
    assert_eq!(
        call.session()["sessionId"],
        credentials(&sandbox, &["hop"])["AccessKeyId"]
    );
    assert!(
        stderr(&out).contains("no session duration for a role assumed with another role"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn durations_outside_15_minutes_to_12_hours_fail_before_anything_runs() {
    let stub = FederationStub::start();
    let sandbox = sandbox(None);
    for bad in ["899", "43201", "0"] {
        let out = console(&sandbox, &stub, &["tmp", "--print", "--duration", bad]);
        let err = fails(&out, 2);
        assert!(err.contains("900–43200"), "{err}");
    }
    assert!(stub.calls().is_empty());
}

#[test]
fn an_sso_profile_signs_in_with_its_role_credentials() {
    let sso = SsoStub::start();
    let stub = FederationStub::start();
    let moto = Moto::shared();
    let sandbox = Sandbox::new();
    sandbox.config(SSO_CONFIG);
    sso.accept_access_token("console-token");
    write_cli_token(
        &sandbox,
        &serde_json::json!({"startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1",
                "accessToken": "console-token", "expiresAt": cli_time(3600)}),
    );
    let out = sandbox
        .stsenv()
        .envs(sso.env())
        .envs(stub.env())
        .args(["console", "ssodev", "--print", "--non-interactive"])
        .output()
        .unwrap();
    let (url, query) = signin_url(&stub, &out);
    assert_signs_in(&stub, &url, HOME_EU);
    let session = stub.token_calls()[0].session();
    assert!(
        session["sessionId"]
            .as_str()
            .unwrap()
            .starts_with("ASIASSOSTUB"),
        "{session}"
    );
    assert!(session["sessionToken"]
        .as_str()
        .unwrap()
        .starts_with("sso-session-token-"));
    let duration: u32 = stub.token_calls()[0].query["SessionDuration"]
        .parse()
        .unwrap();
    assert!((3000..=3600).contains(&duration), "{duration}");
    assert_no_secret(
        &stderr(&out),
        &[
            session["sessionKey"].as_str().unwrap(),
            &query["SigninToken"],
        ],
    );

    // A role on top of SSO is role chaining: no SessionDuration.
    let out = sandbox
        .stsenv()
        .envs(sso.env())
        .envs(stub.env())
        .env("AWS_ENDPOINT_URL_STS", &moto.url)
        .args(["console", "ops", "--print", "--non-interactive"])
        .output()
        .unwrap();
    signin_url(&stub, &out);
    assert!(!stub.token_calls()[1].query.contains_key("SessionDuration"));

    // Without a token: exit 3 with the fix, like credential-process.
    let fresh = Sandbox::new();
    fresh.config(SSO_CONFIG);
    let out = fresh
        .stsenv()
        .envs(sso.env())
        .envs(stub.env())
        .args(["console", "ssodev", "--print"])
        .output()
        .unwrap();
    let err = fails(&out, 3);
    assert!(err.contains("stsenv login ssodev"), "{err}");
}

#[test]
fn static_keys_sign_in_as_a_federated_user_with_their_own_permissions() {
    let moto = Moto::shared();
    let stub = FederationStub::start();
    let sandbox = sandbox(Some(moto));
    // Federation tokens moto issued as stsenv-<user> (no other test asks for that name).
    let issued = || -> Vec<Value> {
        moto.state()["sts"]["Token"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["name"] == "stsenv-tester")
            .cloned()
            .collect()
    };
    let tokens_before = issued().len();
    let out = console(&sandbox, &stub, &["iam", "--print"]);
    let (url, _) = signin_url(&stub, &out);
    assert_signs_in(&stub, &url, HOME_EU);
    assert_eq!(issued().len(), tokens_before + 1, "one GetFederationToken");
    // The federated user's credentials went to the endpoint, not the user's keys,
    // and without SessionDuration (the endpoint refuses it for these).
    let call = &stub.token_calls()[0];
    let federated = credentials(&sandbox, &["iam", "--federation", "stsenv-tester"]);
    assert_eq!(call.session()["sessionId"], federated["AccessKeyId"]);
    assert_ne!(call.session()["sessionId"], "AKIAI44QH8DHBEXAMPLE");
    assert!(!call.query.contains_key("SessionDuration"));
    // The user's own permissions pass through: AdministratorAccess as the session policy.
    let explain = sandbox
        .stsenv()
        .args(["explain", "iam", "--federation", "stsenv-tester"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(succeeded(&explain))
        .contains("session policy arn:aws:iam::aws:policy/AdministratorAccess"));

    // A second console reuses the cached federation token.
    let out = console(&sandbox, &stub, &["iam", "--print"]);
    signin_url(&stub, &out);
    assert_eq!(issued().len(), tokens_before + 1);

    // --duration is then the federation token's lifetime; --policy replaces the default.
    let policy = sandbox.path().join("policy.json");
    let document = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
    std::fs::write(&policy, document).unwrap();
    let policy_arg = policy.display().to_string();
    let out = console(
        &sandbox,
        &stub,
        &[
            "iam",
            "--print",
            "--duration",
            "1800",
            "--policy",
            &policy_arg,
        ],
    );
    signin_url(&stub, &out);
    assert_eq!(issued().len(), tokens_before + 2);
    let explain = sandbox
        .stsenv()
        .args([
            "explain",
            "iam",
            "--federation",
            "stsenv-tester",
            "--policy",
            &policy_arg,
        ])
        .output()
        .unwrap();
    let explain = String::from_utf8_lossy(succeeded(&explain)).into_owned();
    assert!(
        explain.contains("session policy") && !explain.contains("AdministratorAccess"),
        "{explain}"
    );
    // The policy really reaches GetFederationToken: moto enforces STS's size limit.
    let big = sandbox.path().join("big.json");
    std::fs::write(
        &big,
        format!(r#"{{"Version":"2012-10-17","Sid":"{}"}}"#, "x".repeat(2100)),
    )
    .unwrap();
    let err = fails(
        &console(
            &sandbox,
            &stub,
            &["iam", "--print", "--policy", &big.display().to_string()],
        ),
        1,
    );
    assert!(
        err.contains("sts:GetFederationToken for profile `iam` failed") && err.contains("2048"),
        "{err}"
    );
    let short = credentials(
        &sandbox,
        &[
            "iam",
            "--federation",
            "stsenv-tester",
            "--duration",
            "1800",
            "--policy",
            &policy_arg,
        ],
    );
    crate::util::assert_expires_in(short["Expiration"].as_str().unwrap(), 1800);
    assert!(!stub.token_calls()[2].query.contains_key("SessionDuration"));
}

#[test]
fn an_mfa_session_is_refused_with_what_works_instead() {
    let stub = FederationStub::start();
    // No STS endpoint at all: nothing may be called, and no MFA code asked.
    let sandbox = sandbox(None);
    let out = console(&sandbox, &stub, &["mfaonly", "--print"]);
    let err = fails(&out, 1);
    assert!(err.contains("profile `mfaonly`"), "{err}");
    assert!(err.contains("sts:GetSessionToken"), "{err}");
    assert!(err.contains("refuses"), "{err}");
    assert!(err.contains("role_arn"), "{err}");
    assert!(err.contains("source_profile = mfaonly"), "{err}");
    assert!(stub.calls().is_empty());
}

#[test]
fn temporary_keys_of_unknown_origin_are_passed_as_they_are() {
    let stub = FederationStub::start();
    let sandbox = sandbox(None);
    let out = console(&sandbox, &stub, &["tmp", "--print"]);
    signin_url(&stub, &out);
    let call = &stub.token_calls()[0];
    assert_eq!(call.session()["sessionId"], "ASIATEMPORARYEXAMPLE");
    assert_eq!(call.session()["sessionToken"], "tmp-session-token-EXAMPLE");
    assert!(!call.query.contains_key("SessionDuration"));
    let out = console(&sandbox, &stub, &["tmp", "--print", "--duration", "900"]);
    signin_url(&stub, &out);
    assert_eq!(stub.token_calls()[1].query["SessionDuration"], "900");

    // Partitions: GovCloud's console.
    let out = console(
        &sandbox,
        &stub,
        &["tmp", "--print", "--region", "us-gov-west-1"],
    );
    assert_eq!(
        signin_url(&stub, &out).1["Destination"],
        "https://console.amazonaws-us-gov.com/console/home?region=us-gov-west-1"
    );
}

#[test]
fn a_hostile_or_failing_endpoint_fails_cleanly() {
    let stub = FederationStub::start();
    let sandbox = sandbox(None);
    let secrets = [
        "tmpSecretKeyForTheConsoleTestsEXAMPLEKEY",
        "tmp-session-token-EXAMPLE",
    ];
    let cases: Vec<(u16, Vec<u8>, &str)> = vec![
        (
            200,
            br#"{"SigninToken":"aaaaaaaaaaaaaaaaaaaa&Destination=https://evil.example/"}"#.to_vec(),
            "not a sign-in token",
        ),
        (200, b"<html>hello</html>".to_vec(), "not JSON"),
        (200, vec![b'x'; 100 * 1024], "larger than 64 KiB"),
        (
            400,
            b"Bad\x1b[2J request\n".to_vec(),
            // The escape is shown escaped, never obeyed.
            r"HTTP 400: Bad\u{1b}[2J request",
        ),
    ];
    for (status, body, expected) in cases {
        stub.state().answer = Some(Answer { status, body });
        let out = console(&sandbox, &stub, &["tmp", "--print"]);
        let err = fails(&out, 1);
        assert!(err.contains(expected), "{expected}: {err}");
        assert!(err.contains("profile `tmp`"), "{err}");
        assert!(!err.contains('\x1b'), "no raw escape reaches the terminal");
        assert_no_secret(&err, &secrets);
    }
    stub.state().answer = None;
    stub.state()
        .refused_keys
        .insert("ASIATEMPORARYEXAMPLE".to_string());
    let err = fails(&console(&sandbox, &stub, &["tmp", "--print"]), 1);
    assert!(
        err.contains("HTTP 400: these credentials cannot sign in"),
        "{err}"
    );

    let nobody = format!("http://127.0.0.1:{}/federation", free_port());
    for (endpoint, expected) in [
        (nobody.as_str(), "cannot reach it"),
        ("ftp://127.0.0.1/x", "not a usable federation endpoint"),
        (
            "http://127.0.0.1/federation?x=1",
            "not a usable federation endpoint",
        ),
    ] {
        let out = sandbox
            .stsenv()
            .env("STSENV_FEDERATION_ENDPOINT", endpoint)
            .args(["console", "tmp", "--print"])
            .output()
            .unwrap();
        let err = fails(&out, 1);
        assert!(err.contains(expected), "{endpoint}: {err}");
        assert_no_secret(&err, &secrets);
    }
}

#[test]
fn without_a_terminal_an_mfa_code_is_exit_3() {
    let stub = FederationStub::start();
    let sandbox = sandbox(Some(Moto::shared()));
    let out = console(&sandbox, &stub, &["webdev", "--print"]);
    let err = fails(&out, 3);
    assert!(err.contains("MFA code needed"), "{err}");
    assert!(stub.calls().is_empty());
}

/// The clipboard gets the URL on a pipe; the browser path hands it to the
/// opener (`$BROWSER` here) and prints nothing on stdout; with no way to
/// open a browser the command says what to use instead, before any call.
#[test]
fn the_url_goes_only_where_it_was_asked_for() {
    let stub = FederationStub::start();
    let sandbox = sandbox(None);
    let bin = sandbox.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let clip = sandbox.path().join("clipboard");
    let xclip = bin.join("xclip");
    write_executable(
        &xclip,
        format!(
            "#!/bin/sh\nPATH=/usr/bin:/bin\ncat > '{}'\n",
            clip.display()
        ),
    );
    let out = sandbox
        .stsenv()
        .envs(stub.env())
        .env("PATH", &bin)
        .args(["console", "tmp", "--clipboard"])
        .output()
        .unwrap();
    succeeded(&out);
    assert!(out.stdout.is_empty());
    let copied = std::fs::read_to_string(&clip).unwrap();
    let url = url::Url::parse(&copied).unwrap();
    assert_signs_in(&stub, &url, HOME_EU);
    let token = url
        .query_pairs()
        .find(|(k, _)| k == "SigninToken")
        .unwrap()
        .1
        .into_owned();
    assert_eq!(
        stderr(&out),
        "stsenv: copied the console sign-in URL for tmp to the clipboard (xclip); it works for 15 minutes\n"
    );
    assert_no_secret(&stderr(&out), &[&token]);

    let opened = sandbox.path().join("opened");
    let browser = bin.join("browser");
    write_executable(
        &browser, // Renamed into place: once it exists, it is whole.
        format!(
            "#!/bin/sh\nprintf '%s' \"$1\" > '{0}.part' && mv '{0}.part' '{0}'\n",
            opened.display()
        ),
    );
    let out = sandbox
        .stsenv()
        .envs(stub.env())
        .env("BROWSER", &browser)
        .args(["console", "tmp"])
        .output()
        .unwrap();
    succeeded(&out);
    assert!(out.stdout.is_empty());
    assert_eq!(
        stderr(&out),
        "stsenv: opened the AWS console for tmp in your browser\n"
    );
    // The opener runs in the background: wait for its whole line.
    let url = stsenv_tests::wait_until("the browser opener", || {
        let text = std::fs::read_to_string(&opened).ok()?;
        Some(url::Url::parse(&text).unwrap())
    });
    assert_signs_in(&stub, &url, HOME_EU);

    let calls = stub.calls().len();
    let out = console(&sandbox, &stub, &["tmp"]);
    let err = fails(&out, 1);
    assert!(err.contains("use --print or --clipboard"), "{err}");
    assert_eq!(stub.calls().len(), calls, "no sign-in token was fetched");
}

/// strace sees every program started: neither the credentials nor the
/// sign-in URL may be in any argv (the clipboard tool gets them on stdin).
#[test]
fn nothing_secret_in_argv_or_stderr() {
    if !crate::util::strace_works() {
        eprintln!("strace unavailable or ptrace not permitted; skipped");
        return;
    }
    let moto = Moto::shared();
    let stub = FederationStub::start();
    let sandbox = sandbox(Some(moto));
    let bin = sandbox.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let clip = sandbox.path().join("clipboard");
    let xclip = bin.join("xclip");
    write_executable(
        &xclip,
        format!("#!/bin/sh\n/bin/cat > '{}'\n", clip.display()),
    );
    let path = format!("{}:/usr/bin:/bin", bin.display());
    for (n, mode) in ["--print", "--clipboard"].iter().enumerate() {
        let trace = sandbox.path().join(format!("trace-{n}"));
        let out = sandbox
            .command("strace")
            .env("PATH", &path)
            .envs(stub.env())
            .args(["-f", "-qq", "-s", "100000", "-e", "trace=execve", "-o"])
            .arg(&trace)
            .arg(stsenv_tests::stsenv_bin())
            .args(["console", "tracer", "--token-code", "123456", mode])
            .output()
            .unwrap();
        succeeded(&out);
        let url_text = if *mode == "--print" {
            String::from_utf8(out.stdout.clone()).unwrap()
        } else {
            std::fs::read_to_string(&clip).unwrap()
        };
        let url = url::Url::parse(url_text.trim()).unwrap();
        let token = url
            .query_pairs()
            .find(|(k, _)| k == "SigninToken")
            .unwrap()
            .1
            .into_owned();
        let creds = credentials(&sandbox, &["tracer"]);
        let secrets = [
            creds["SecretAccessKey"].as_str().unwrap(),
            creds["SessionToken"].as_str().unwrap(),
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            token.as_str(),
        ];
        let trace = std::fs::read_to_string(&trace).unwrap();
        assert!(trace.contains("execve("), "strace saw the process");
        if *mode == "--clipboard" {
            assert!(trace.contains("xclip"), "the clipboard tool ran: {trace}");
        }
        assert_no_secret(&trace, &secrets);
        assert_no_secret(&stderr(&out), &secrets);
    }
}

//! Trust, round 2: what a server, a neighbour on disk or the environment
//! hands stsenv never drives the terminal, leaks a secret, floods the
//! shell, hangs it or runs a command the files do not name.
//!
//! Stand-ins: the SSO stub (device flow), the hostile portal, the
//! federation stub, and an STS stand-in for what moto cannot do (echo the
//! request, answer 50 MB). A fake `xdg-open` on PATH records what reaches
//! the browser opener.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use stsenv_tests::ecs_stub::{ContainerCredentials, EcsStub};
use stsenv_tests::federation_stub::FederationStub;
use stsenv_tests::hostile_portal::{Answers, HostilePortal};
use stsenv_tests::sso_stub::SsoStub;
use stsenv_tests::sts_stand_in::{assume_role_answer, Mode, StsStandIn};
use stsenv_tests::{Moto, Sandbox};

use crate::sso_login::{cli_time, write_cli_token, SSO_CONFIG};

/// A generous bound for one stsenv run on a saturated machine; a hang
/// (the failure some tests look for) is cut off by it.
const RUN_LIMIT: Duration = Duration::from_secs(60);

fn run(cmd: &mut assert_cmd::Command) -> std::process::Output {
    cmd.timeout(RUN_LIMIT).output().expect("stsenv runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Nothing a terminal would obey: no ESC, BEL, C1 CSI or carriage return.
fn assert_inert(what: &str, out: &str) {
    for c in ['\u{1b}', '\u{7}', '\u{9b}', '\r'] {
        assert!(!out.contains(c), "{what} holds {c:?}: {out:?}");
    }
}

fn assert_no_secret(out: &str, secrets: &[&str]) {
    for secret in secrets {
        let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        assert!(!out.contains(secret), "secret {secret:.12}… shown: {out}");
        assert!(!out.contains(&encoded), "encoded secret shown: {out}");
    }
}

// ---- 1. the OIDC device flow -------------------------------------------

/// A sandbox on the SSO stub with a fake `xdg-open` that records its argv,
/// one argument per line; returns the record file.
fn login_sandbox() -> (Sandbox, PathBuf, String) {
    let sandbox = Sandbox::new();
    sandbox.config(SSO_CONFIG);
    let bin = sandbox.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let record = sandbox.path().join("opener-argv");
    let script = bin.join("xdg-open");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >> '{}'; done\n",
            record.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    (sandbox, record, path)
}

fn login(sandbox: &Sandbox, stub: &SsoStub, path: &str) -> std::process::Output {
    run(sandbox
        .stsenv()
        .envs(stub.env())
        .env("PATH", path)
        .env("DISPLAY", ":0")
        .args(["login", "ssodev"]))
}

#[test]
fn device_flow_answers_that_are_no_https_url_or_code_are_refused() {
    let hostile: Vec<(&str, Value)> = vec![
        ("verificationUriComplete", json!("file:///etc/passwd")),
        ("verificationUriComplete", json!("javascript:alert(1)")),
        (
            "verificationUriComplete",
            json!("--remote-debugging-port=9222"),
        ),
        (
            "verificationUriComplete",
            json!("http://evil.example/device"),
        ),
        (
            "verificationUriComplete",
            json!("https://device.sso.example/\u{1b}]0;pwned\u{7}"),
        ),
        ("verificationUri", json!("-https://x")),
        ("userCode", json!("\u{1b}]0;pwned\u{7}WXYZ")),
        ("userCode", json!("Open https://evil.example and type 1234")),
    ];
    for (field, value) in hostile {
        let stub = SsoStub::start();
        stub.state()
            .device_authorization
            .insert(field.to_string(), value.clone());
        let (sandbox, record, path) = login_sandbox();
        let out = login(&sandbox, &stub, &path);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{field}={value}: {stderr}");
        assert!(stderr.contains("StartDeviceAuthorization"), "{stderr}");
        assert_inert("stderr", &stderr);
        assert!(
            !record.exists(),
            "{field}={value} reached the opener: {:?}",
            std::fs::read_to_string(&record)
        );
        assert!(stub.calls_of("CreateToken").is_empty(), "no polling");
    }
}

#[test]
fn the_opener_gets_only_the_checked_https_url_as_one_argument() {
    let stub = SsoStub::start();
    let (sandbox, record, path) = login_sandbox();
    let out = login(&sandbox, &stub, &path);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let deadline = Instant::now() + RUN_LIMIT;
    while !record.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let argv = std::fs::read_to_string(&record).unwrap();
    let args: Vec<&str> = argv.lines().collect();
    assert_eq!(args.len(), 1, "{argv}");
    assert!(args[0].starts_with("https://device.sso.example/?user_code=WXYZ-"));
}

/// What strace sees: an option-like or non-https verification URI never
/// reaches any program's argv; a good one reaches the opener as its one
/// argument.
#[test]
fn strace_sees_only_the_checked_url_reach_the_opener() {
    if !crate::util::strace_works() {
        eprintln!("strace unavailable or ptrace not permitted; skipped");
        return;
    }
    let traced = |hostile: Option<&str>| -> (std::process::Output, String) {
        let stub = SsoStub::start();
        if let Some(uri) = hostile {
            stub.state()
                .device_authorization
                .insert("verificationUriComplete".into(), json!(uri));
        }
        let (sandbox, record, path) = login_sandbox();
        let trace = sandbox.path().join("trace");
        let out = sandbox
            .command("strace")
            .envs(stub.env())
            .env("PATH", &path)
            .env("DISPLAY", ":0")
            .args(["-f", "-qq", "-s", "4096", "-e", "trace=execve", "-o"])
            .arg(&trace)
            .arg(stsenv_tests::stsenv_bin())
            .args(["login", "ssodev"])
            .output()
            .unwrap();
        // The opener runs detached: wait for it to have written, bounded.
        let deadline = Instant::now() + RUN_LIMIT;
        while hostile.is_none() && !record.exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        (out, std::fs::read_to_string(&trace).unwrap())
    };
    for uri in [
        "--remote-debugging-port=9222",
        "file:///etc/passwd",
        "javascript:alert(1)",
    ] {
        let (out, trace) = traced(Some(uri));
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        assert!(trace.contains("execve("), "strace saw stsenv start");
        let execs: Vec<&str> = trace.lines().filter(|l| l.contains("execve(")).collect();
        assert!(
            execs
                .iter()
                .all(|l| !l.contains(uri) && !l.contains("xdg-open")),
            "{uri}: {execs:#?}"
        );
    }
    let (out, trace) = traced(None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let opener: Vec<&str> = trace
        .lines()
        .filter(|l| l.contains("execve(") && l.contains("/xdg-open\""))
        .collect();
    assert_eq!(opener.len(), 1, "{trace}");
    assert!(
        opener[0].contains("[\"xdg-open\", \"https://device.sso.example/?user_code=WXYZ-"),
        "{}",
        opener[0]
    );
}

#[test]
fn login_refuses_an_empty_or_expired_access_token() {
    for (field, value) in [
        ("accessToken", json!("")),
        ("expiresIn", json!(0)),
        ("expiresIn", json!(-60)),
    ] {
        let stub = SsoStub::start();
        stub.state()
            .token_answer
            .insert(field.into(), value.clone());
        let sandbox = Sandbox::new();
        sandbox.config(SSO_CONFIG);
        let out = run(sandbox
            .stsenv()
            .envs(stub.env())
            .args(["login", "ssodev", "--no-browser"]));
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{field}={value}: {stderr}");
        assert!(stderr.contains("sso-oidc:CreateToken"), "{stderr}");
        let cache = sandbox.home().join(".aws/sso/cache");
        let files = std::fs::read_dir(&cache).map(|d| d.count()).unwrap_or(0);
        assert_eq!(files, 0, "{field}={value}: nothing stored");
    }
}

// ---- 3. secrets an endpoint echoes back ----------------------------------

const ECHO_SECRET_KEY: &str = "echoSecretAccessKeyEXAMPLE/0123456789+ab";
const ECHO_TOKEN: &str = "FwoGZXIvYXdzEchoedSessionToken/EXAMPLE+0123456789==";

#[test]
fn an_sts_error_that_echoes_the_request_shows_no_secret() {
    let sts = StsStandIn::start(Mode::Echo);
    let sandbox = Sandbox::new();
    sandbox
        .config("[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\nsource_profile = base\nregion = eu-west-1\n")
        .credentials(&format!(
            "[base]\naws_access_key_id = ASIAECHOEXAMPLE00001\naws_secret_access_key = {ECHO_SECRET_KEY}\naws_session_token = {ECHO_TOKEN}\n"
        ));
    let out = run(sandbox.stsenv().envs(sts.env()).args(["env", "dev"]));
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(stderr.contains("InvalidClientTokenId"), "{stderr}");
    assert!(
        stderr.contains("<redacted>"),
        "the echo is shown, redacted: {stderr}"
    );
    assert_no_secret(&stderr, &[ECHO_SECRET_KEY, ECHO_TOKEN]);
}

#[test]
fn an_sso_portal_error_that_echoes_the_request_shows_no_token() {
    let access_token = "ssoAccessTokenEXAMPLE-0123456789abcdef";
    let portal = HostilePortal::start(Answers {
        echo_errors: true,
        ..Answers::default()
    });
    let sandbox = Sandbox::new();
    sandbox.config(SSO_CONFIG);
    write_cli_token(
        &sandbox,
        &json!({"startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1",
                "accessToken": access_token, "expiresAt": cli_time(3600)}),
    );
    let out = run(sandbox
        .stsenv()
        .envs(portal.env())
        .args(["env", "ssodev", "--non-interactive"]));
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("sso:GetRoleCredentials"), "{stderr}");
    assert!(stderr.contains("<redacted>"), "{stderr}");
    assert_no_secret(&stderr, &[access_token]);
}

#[test]
fn a_federation_error_that_echoes_the_request_shows_no_secret() {
    let stub = FederationStub::start();
    stub.state().echo = true;
    let sandbox = Sandbox::new();
    sandbox.config("[profile tmp]\nregion = eu-west-1\n").credentials(&format!(
        "[tmp]\naws_access_key_id = ASIAECHOEXAMPLE00001\naws_secret_access_key = {ECHO_SECRET_KEY}\naws_session_token = {ECHO_TOKEN}\n"
    ));
    let out = run(sandbox
        .stsenv()
        .envs(stub.env())
        .args(["console", "tmp", "--print"]));
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("HTTP 400"), "{stderr}");
    assert!(stderr.contains("<redacted>"), "{stderr}");
    assert_no_secret(&stderr, &[ECHO_SECRET_KEY, ECHO_TOKEN]);
}

// ---- 5. sizes ------------------------------------------------------------

fn role_on_stand_in(sts: &StsStandIn) -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox
        .config("[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\nsource_profile = base\nregion = eu-west-1\n")
        .credentials("[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n");
    let _ = sts;
    sandbox
}

/// The largest file under `dir`, in bytes (0 when there is none).
fn largest_file(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => largest_file(&e.path()),
            _ => e.metadata().map(|m| m.len()).unwrap_or(0),
        })
        .max()
        .unwrap_or(0)
}

#[test]
fn a_50_mb_session_token_is_refused_not_cached_nor_exported() {
    let token = "A".repeat(50 << 20);
    let sts = StsStandIn::start(Mode::Answer(Arc::new(assume_role_answer(&token))));
    drop(token);
    let sandbox = role_on_stand_in(&sts);
    let out = run(sandbox.stsenv().envs(sts.env()).args(["env", "dev"]));
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr:.2000}");
    assert!(out.stdout.is_empty(), "nothing exported");
    assert!(stderr.contains("larger than 1024 KiB"), "{stderr:.2000}");
    assert!(stderr.len() < 4096, "a short message: {}", stderr.len());
    assert!(
        largest_file(&sandbox.cache_dir()) < 64 << 10,
        "nothing cached"
    );
}

#[test]
fn a_session_token_longer_than_any_is_refused() {
    // Under the body cap, over the field's: 64 KiB.
    let sts = StsStandIn::start(Mode::Answer(Arc::new(assume_role_answer(
        &"B".repeat(64 << 10),
    ))));
    let sandbox = role_on_stand_in(&sts);
    let out = run(sandbox.stsenv().envs(sts.env()).args(["env", "dev"]));
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr:.2000}");
    assert!(out.stdout.is_empty());
    assert!(
        stderr.contains("session token is longer than 16384 characters"),
        "{stderr:.2000}"
    );
    assert!(
        largest_file(&sandbox.cache_dir()) < 64 << 10,
        "nothing cached"
    );
}

#[test]
fn a_container_endpoint_answering_megabytes_is_refused() {
    let ecs = EcsStub::start();
    ecs.set(
        Some(ContainerCredentials {
            access_key_id: "ASIAECSE2EECSE2EECS1".into(),
            secret_access_key: "ecs-secret".into(),
            token: "T".repeat(2 << 20),
            expiration: "2099-01-01T00:00:00Z".into(),
        }),
        None,
    );
    let sandbox = Sandbox::new();
    sandbox.config("[profile task]\nrole_arn = arn:aws:iam::111111111111:role/task\ncredential_source = EcsContainer\nregion = eu-west-1\n");
    let out = run(sandbox
        .stsenv()
        .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.full_uri())
        .args(["env", "task"]));
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr:.2000}");
    assert!(out.stdout.is_empty());
    assert!(stderr.contains("larger than 1024 KiB"), "{stderr:.2000}");
    assert!(
        largest_file(&sandbox.cache_dir()) < 64 << 10,
        "nothing cached"
    );
}

// ---- 7. FIFOs and special files ------------------------------------------

fn mkfifo(path: &Path) {
    let _ = std::fs::remove_file(path);
    let c_path = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo with a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
}

#[test]
fn a_fifo_with_no_writer_is_refused_at_once_not_waited_on() {
    let moto = Moto::shared();
    for (which, args) in [
        ("config", &["profiles", "--names"][..]),
        ("credentials", &["profiles", "--names"][..]),
        ("token", &["env", "web"][..]),
    ] {
        let sandbox = Sandbox::with_moto(moto);
        let token = sandbox.path().join("token");
        sandbox.config(&format!(
            "[profile web]\nrole_arn = arn:aws:iam::123456789012:role/web\nweb_identity_token_file = {}\nregion = eu-west-1\n",
            token.display()
        ));
        sandbox.credentials("");
        let fifo = match which {
            "config" => sandbox.config_path(),
            "credentials" => sandbox.credentials_path(),
            _ => token,
        };
        mkfifo(&fifo);
        let out = run(sandbox.stsenv().args(args));
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{which}: {stderr}");
        assert!(out.stdout.is_empty(), "{which}");
        assert!(stderr.contains("FIFO"), "{which}: {stderr}");
        assert!(
            stderr.contains(&fifo.display().to_string()),
            "{which}: {stderr}"
        );
    }
}

// ---- 8. the config index -------------------------------------------------

/// The index file in `sandbox`'s cache directory.
fn index_path(sandbox: &Sandbox) -> PathBuf {
    sandbox.cache_dir().join("config-index.note")
}

/// Run `stsenv profiles --names` until the index of the current files
/// exists (the files must first be a few seconds old), bounded.
fn wait_for_index(sandbox: &Sandbox) -> Vec<u8> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let _ = std::fs::remove_file(index_path(sandbox));
        let out = run(sandbox.stsenv().args(["profiles", "--names"]));
        assert!(out.status.success(), "{}", text(&out.stderr));
        if let Ok(bytes) = std::fs::read(index_path(sandbox)) {
            return bytes;
        }
        assert!(Instant::now() < deadline, "no index was written");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The header of an index (`stsenvI\n`, CRC, length, JSON) and the rest.
fn split_index(bytes: &[u8]) -> (Value, Vec<u8>) {
    let len = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
    let header = serde_json::from_slice(&bytes[16..16 + len]).unwrap();
    (header, bytes[16 + len..].to_vec())
}

fn join_index(header: &Value, rest: &[u8]) -> Vec<u8> {
    let json = serde_json::to_vec(header).unwrap();
    let mut out = b"stsenvI\n".to_vec();
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&json);
    let crc = crc32fast::hash(&out[12..]);
    out[8..12].copy_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(rest);
    out
}

fn write_mode(path: &Path, bytes: &[u8], mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, bytes).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// An index made for an evil config, made to claim the identity of the
/// benign files now in `sandbox` (what a forger can write).
fn forged_index(sandbox: &Sandbox, evil_config: &str, benign_config: &str) -> Vec<u8> {
    sandbox.config(evil_config);
    let evil = wait_for_index(sandbox);
    sandbox.config(benign_config);
    let benign = wait_for_index(sandbox);
    let (mut header, rest) = split_index(&evil);
    header["identity"] = split_index(&benign).0["identity"].clone();
    join_index(&header, &rest)
}

#[test]
fn a_forged_index_cannot_run_a_command_the_files_do_not_name() {
    let sandbox = Sandbox::new();
    let marker = sandbox.path().join("pwned");
    let evil = format!(
        "[profile dev]\ncredential_process = touch {}\nregion = eu-west-1\n",
        marker.display()
    );
    let benign = "[profile dev]\nregion = eu-west-1\n";
    let forged = forged_index(&sandbox, &evil, benign);
    write_mode(&index_path(&sandbox), &forged, 0o600);
    for args in [&["env", "dev"][..], &["explain", "dev"]] {
        let out = run(sandbox.stsenv().args(args));
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(!all.contains("touch"), "{args:?}: {all}");
    }
    assert!(!marker.exists(), "the forged credential_process ran");
}

#[test]
fn an_index_others_can_write_is_not_used() {
    let sandbox = Sandbox::new();
    let evil = "[profile only-in-the-forged-index]\nregion = eu-west-1\n";
    let benign = "[profile real]\nregion = eu-west-1\n";
    let forged = forged_index(&sandbox, evil, benign);
    write_mode(&index_path(&sandbox), &forged, 0o666);
    let out = run(sandbox.stsenv().args(["profiles", "--names"]));
    assert_eq!(text(&out.stdout), "real\n", "{}", text(&out.stderr));
}

#[test]
fn forged_profile_names_reach_the_terminal_escaped() {
    let sandbox = Sandbox::new();
    sandbox.config("[profile aaaaaaaa]\nregion = eu-west-1\n[profile real]\nregion = eu-west-1\n");
    let mut index = wait_for_index(&sandbox);
    let forged_name = b"\x1b[2J\x07xyz";
    let at = index
        .windows(8)
        .position(|w| w == b"aaaaaaaa")
        .expect("the name is in a record");
    index[at..at + 8].copy_from_slice(forged_name);
    // The record starts 13 bytes before its name: CRC, length, flags,
    // name length. Its CRC is made right, as a forger would.
    let start = at - 13;
    let len = u32::from_le_bytes(index[start + 4..start + 8].try_into().unwrap()) as usize + 8;
    let crc = crc32fast::hash(&index[start + 4..start + len]);
    index[start..start + 4].copy_from_slice(&crc.to_le_bytes());
    write_mode(&index_path(&sandbox), &index, 0o600);
    for args in [&["profiles"][..], &["profiles", "--names"]] {
        let out = run(sandbox.stsenv().args(args));
        assert_inert(&format!("{args:?} stdout"), &text(&out.stdout));
        assert_inert(&format!("{args:?} stderr"), &text(&out.stderr));
    }
}

#[test]
fn aws_security_token_is_never_copied_into_the_index() {
    let token = "LegacySecurityTokenEXAMPLE0123456789";
    let sandbox = Sandbox::new();
    sandbox.config(&format!(
        "[profile t]\naws_security_token = {token}\nregion = eu-west-1\n[profile u]\nregion = eu-west-1\n"
    ));
    // Settled files (older than the index's 2 s race window), then a run
    // that would index them.
    let config = sandbox.config_path();
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::metadata(&config)
        .unwrap()
        .modified()
        .unwrap()
        .elapsed()
        .unwrap_or_default()
        < Duration::from_secs(3)
    {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(100));
    }
    for _ in 0..2 {
        let out = run(sandbox.stsenv().args(["profiles", "--names"]));
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let cache = sandbox.cache_dir();
    for entry in std::fs::read_dir(&cache).into_iter().flatten().flatten() {
        let bytes = std::fs::read(entry.path()).unwrap_or_default();
        assert!(
            !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
            "{} holds the token",
            entry.path().display()
        );
    }
}

// ---- 9. serve's plain NAME=value lines -----------------------------------

#[test]
fn serve_refuses_a_value_the_plain_format_cannot_carry() {
    let sandbox = Sandbox::with_moto(Moto::shared());
    sandbox
        .config("[profile base]\nregion = eu-west-1\n[profile runner]\nrole_arn = arn:aws:iam::123456789012:role/runner\nsource_profile = base\nregion = eu-west-1\n")
        .credentials("[default]\naws_access_key_id = AKIADEFAULTEXAMPLE01\naws_secret_access_key = defaultsecret\n\n[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n");
    let tmp = sandbox.path().join("tmp\nAWS_ACCESS_KEY_ID=AKIAPLANTED");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut serve = sandbox
        .command(stsenv_tests::stsenv_bin())
        .env("TMPDIR", &tmp)
        .args(["serve", "runner"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("stsenv runs");
    // Everything it prints, up to the last variable (or its end).
    let mut stdout = String::new();
    let mut lines = std::io::BufReader::new(serve.stdout.take().unwrap());
    while std::io::BufRead::read_line(&mut lines, &mut stdout).unwrap() > 0
        && !stdout.contains("AWS_SHARED_CREDENTIALS_FILE=")
    {}
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(serve.id() as i32, libc::SIGINT) };
    let status = serve.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut serve.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(
        !stdout.lines().any(|l| l.starts_with("AWS_ACCESS_KEY_ID")),
        "{stdout}"
    );
    if cfg!(target_os = "linux") {
        // The private copies are in memory there: TMPDIR reaches no value.
        assert!(
            stdout.contains("AWS_CONFIG_FILE=/proc/"),
            "{stdout}{stderr}"
        );
        assert!(!stdout.contains("AKIAPLANTED"), "{stdout}");
    } else {
        assert_eq!(status.code(), Some(1), "{stdout}{stderr}");
        assert!(stderr.contains("AWS_CONFIG_FILE"), "{stderr}");
        assert!(stderr.contains("--shell json"), "{stderr}");
    }
}

// ---- 11. keys add on a profile that gets its credentials elsewhere -------

#[test]
fn keys_add_refuses_a_role_profile_naming_it_and_its_file() {
    let sandbox = Sandbox::new();
    let config = "[profile base]\nregion = eu-west-1\n[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\nsource_profile = base\n";
    sandbox.config(config);
    let out = run(sandbox
        .stsenv()
        .args(["keys", "add", "dev", "--stdin"])
        .write_stdin("AKIAIOSFODNN7EXAMPLE\nwJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"));
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("profile `dev`"), "{stderr}");
    assert!(stderr.contains("role_arn"), "{stderr}");
    assert!(
        stderr.contains(&sandbox.config_path().display().to_string()),
        "{stderr}"
    );
    assert!(stderr.contains("stsenv keys add base"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(sandbox.config_path()).unwrap(),
        config
    );
}

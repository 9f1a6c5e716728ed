//! The credential server: `stsenv exec --server` and `stsenv serve`.
//!
//! Children that outlive their credentials (sessions of 900 s with
//! `STSENV_REFRESH_MARGIN=895`, so stsenv renews every ~5 s) — a boto3
//! loop, the AWS CLI in a loop and a program on the Rust SDK's default
//! chain — while `~/.aws/credentials` has `[default]` static keys that the
//! SDKs would otherwise use; the request rules (token, Host); exit codes,
//! signal forwarding and the socket's end; and renewals that fail (STS
//! down, an MFA code needed with no terminal), which serve the still-valid
//! credentials and then answer 503 with the fix. Every loop is bounded in
//! time and count.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use stsenv_tests::{succeeded, Moto, Sandbox, PATIENCE};

use crate::shell_tmux::Tmux;
use crate::util::now;

const ROLE_ARN: &str = "arn:aws:sts::123456789012:assumed-role/runner/stsenv-tester";
const DEFAULT_KEY: &str = "AKIADEFAULTSTATICKEY";

/// `runner` (a role from `base`, no MFA), `dev` (a role behind an MFA
/// session), and a `[default]` profile with static keys and settings.
fn sandbox_at(moto: &Moto) -> Sandbox {
    let sandbox = Sandbox::with_moto(moto);
    sandbox
        .config(
            "[default]\nregion = eu-west-1\noutput = json\n\n\
             [profile base]\nregion = eu-west-1\n\n\
             [profile runner]\nrole_arn = arn:aws:iam::123456789012:role/runner\nsource_profile = base\nregion = eu-central-1\n\n\
             [profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\nsource_profile = base\n\
             mfa_serial = arn:aws:iam::123456789012:mfa/alice\nregion = eu-central-1\n",
        )
        .credentials(&format!(
            "[default]\naws_access_key_id = {DEFAULT_KEY}\naws_secret_access_key = defaultsecret\n\n\
             [base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
        ));
    sandbox
}

fn sandbox() -> Sandbox {
    sandbox_at(Moto::shared())
}

/// `stsenv ARGS` as a plain process with the sandbox environment, in its
/// own session: no controlling terminal, so nothing can prompt.
fn stsenv(sandbox: &Sandbox, args: &[&str]) -> Command {
    let mut command = sandbox.command(stsenv_tests::stsenv_bin());
    command.args(args).stdin(Stdio::null());
    detach(&mut command);
    command
}

fn detach(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: setsid is async-signal-safe.
    unsafe {
        command.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
}

/// Run to the end, killed after `limit` (a hung child must fail the test,
/// not hang it).
fn output_within(mut command: Command, limit: Duration) -> Output {
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("stsenv starts");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(output) => output.expect("output read"),
        Err(_) => {
            // SAFETY: kill(2) on our own child.
            unsafe { libc::kill(pid as i32, libc::SIGKILL) };
            panic!("stsenv did not finish within {limit:?}");
        }
    }
}

/// JSON lines printed by a child.
fn json_lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// Assert that every call succeeded as the role, across at least three
/// renewals (four distinct access keys), and none signed with `[default]`.
fn assert_renewed_calls(output: &Output, who: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let calls = json_lines(succeeded(output));
    assert!(!calls.is_empty(), "{who} made no call; stderr: {stderr}");
    let failures: Vec<&Value> = calls.iter().filter(|c| c["ok"] != true).collect();
    assert!(failures.is_empty(), "{who}: failed calls {failures:?}");
    let mut keys: Vec<&str> = Vec::new();
    for call in &calls {
        assert_eq!(
            call["arn"], ROLE_ARN,
            "{who} signed as someone else: {call}"
        );
        let key = call["key"].as_str().expect("key");
        assert!(
            key.starts_with("ASIA") && key != DEFAULT_KEY,
            "{who}: {call}"
        );
        if keys.last() != Some(&key) {
            assert!(
                !keys.contains(&key),
                "{who} went back to an old key: {calls:?}"
            );
            keys.push(key);
        }
    }
    assert!(
        keys.len() >= 4,
        "{who} saw {} keys in {} calls, expected >= 4 (3 renewals); stderr: {stderr}",
        keys.len(),
        calls.len()
    );
}

/// `exec --server runner -- python3 -c SCRIPT`.
fn exec_python(sandbox: &Sandbox, script: &str) -> Command {
    stsenv(
        sandbox,
        &["exec", "--server", "runner", "--", "python3", "-c", script],
    )
}

/// `exec --server runner` with sessions that stsenv renews every ~5 s.
fn exec_renewing(sandbox: &Sandbox, command: &[&str]) -> Command {
    let mut args = vec!["exec", "--server", "runner", "--duration", "900", "--"];
    args.extend_from_slice(command);
    let mut cmd = stsenv(sandbox, &args);
    cmd.env("STSENV_REFRESH_MARGIN", "895");
    cmd
}

/// One boto3 client used for minutes: botocore's own refresh logic asks
/// the container provider again as the credentials age.
const BOTO3_LOOP: &str = r#"
import json, re, time
import boto3
sts = boto3.client("sts")
signed = []
def remember(request, **kwargs):
    auth = request.headers["Authorization"]
    auth = auth.decode() if isinstance(auth, bytes) else auth
    signed.append(re.search(r"Credential=([A-Z0-9]+)/", auth).group(1))
sts.meta.events.register("before-send.sts.GetCallerIdentity", remember)
deadline, keys = time.time() + 150, set()
for _ in range(400):
    if time.time() > deadline or len(keys) >= 4:
        break
    try:
        arn = sts.get_caller_identity()["Arn"]
        keys.add(signed[-1])
        print(json.dumps({"ok": True, "key": signed[-1], "arn": arn}), flush=True)
    except Exception as e:
        print(json.dumps({"ok": False, "error": str(e)}), flush=True)
    time.sleep(0.2)
"#;

#[test]
fn a_boto3_loop_outlives_its_credentials() {
    let sandbox = sandbox();
    let output = output_within(
        exec_renewing(&sandbox, &["python3", "-c", BOTO3_LOOP]),
        Duration::from_secs(240),
    );
    assert_renewed_calls(&output, "boto3");
}

/// The AWS CLI, a new process per call, run by a bounded Python loop; the
/// key comes from the request it logged with --debug, and the CLI's chain
/// must have ended at the container provider.
const AWS_CLI_LOOP: &str = r#"
import json, re, subprocess, time
deadline, keys = time.time() + 150, set()
for _ in range(80):
    if time.time() > deadline or len(keys) >= 4:
        break
    run = subprocess.run(["aws", "--debug", "sts", "get-caller-identity", "--output", "json"],
                         capture_output=True, text=True, timeout=120)
    if run.returncode != 0:
        print(json.dumps({"ok": False, "error": run.stderr[-2000:]}), flush=True)
        continue
    tried = re.findall(r"Looking for credentials via: ([a-z-]+)", run.stderr)
    key = re.search(r"Credential=([A-Z0-9]+)/", run.stderr).group(1)
    keys.add(key)
    print(json.dumps({"ok": tried[-1:] == ["container-role"], "tried": tried, "key": key,
                      "arn": json.loads(run.stdout)["Arn"]}), flush=True)
"#;

#[test]
fn the_aws_cli_in_a_loop_outlives_its_credentials() {
    let sandbox = sandbox();
    // Without stsenv, the CLI signs with the [default] keys.
    let direct = sandbox
        .command("aws")
        .args(["sts", "get-caller-identity", "--output", "json"])
        .output()
        .expect("the AWS CLI is installed (cargo xtask test installs it)");
    let identity: Value = serde_json::from_slice(succeeded(&direct)).unwrap();
    assert_eq!(identity["Arn"], "arn:aws:sts::123456789012:user/moto");

    let output = output_within(
        exec_renewing(&sandbox, &["python3", "-c", AWS_CLI_LOOP]),
        Duration::from_secs(240),
    );
    assert_renewed_calls(&output, "the AWS CLI");
}

#[test]
fn a_rust_sdk_program_outlives_its_credentials() {
    let sandbox = sandbox();
    let probe = env!("CARGO_BIN_EXE_sdk-probe");
    // Without stsenv, the default chain takes the [default] keys.
    let mut direct = sandbox.command(probe);
    direct.env("PROBE_CALLS", "1");
    let direct = direct.output().expect("sdk-probe runs");
    let calls = json_lines(succeeded(&direct));
    assert_eq!(calls[0]["key"], DEFAULT_KEY, "{calls:?}");

    let mut command = exec_renewing(&sandbox, &[probe]);
    command.env("PROBE_SECONDS", "150").env("PROBE_KEYS", "4");
    let output = output_within(command, Duration::from_secs(240));
    assert_renewed_calls(&output, "the Rust SDK");
}

/// Raw requests to the server from the child, with http.client (which
/// lets the Host header be anything), plus what the child was given.
const PROBE_REQUESTS: &str = r#"
import http.client, json, os, stat, urllib.parse
url = urllib.parse.urlparse(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"])
token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
def get(headers, host=None, method="GET", path="/"):
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    conn.putheader("Host", host or url.netloc)
    for name, value in headers.items():
        conn.putheader(name, value)
    conn.endheaders()
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    return [response.status, body]
files = {}
for var in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
    path = os.environ[var]
    files[var] = {"path": path, "mode": oct(stat.S_IMODE(os.stat(path).st_mode)),
                  "dir_mode": oct(stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode)),
                  "text": open(path).read()}
print(json.dumps({
    "env": {k: v for k, v in os.environ.items() if k.startswith(("AWS_", "STSENV_"))},
    "files": files,
    "ok": get({"Authorization": token}),
    "localhost": get({"Authorization": token}, host="localhost:%d" % url.port),
    "no_token": get({}),
    "wrong_token": get({"Authorization": "0" * 64}),
    "token_prefix": get({"Authorization": token[:-1]}),
    "bearer": get({"Authorization": "Bearer " + token}),
    "foreign_host": get({"Authorization": token}, host="attacker.example:%d" % url.port),
    "rebound_name": get({"Authorization": token}, host="127.0.0.1.attacker.example"),
    "no_token_foreign_host": get({}, host="attacker.example"),
    "post": get({"Authorization": token}, method="POST"),
    "other_path": get({"Authorization": token}, path="/x"),
}))
"#;

fn probe_requests(sandbox: &Sandbox) -> (Value, String) {
    let mut command = exec_python(sandbox, PROBE_REQUESTS);
    // What a shell with an stsenv session (or a profile) has: all removed.
    command
        .env("AWS_PROFILE", "runner")
        .env("AWS_DEFAULT_PROFILE", "runner")
        .env("AWS_ACCESS_KEY_ID", "AKIAPARENTPARENTPARE")
        .env("AWS_SECRET_ACCESS_KEY", "parentsecret")
        .env("AWS_SESSION_TOKEN", "parenttoken")
        .env(
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "/v2/credentials/x",
        )
        .env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/nonexistent")
        .env("STSENV_REFRESH_AT", "1");
    let output = output_within(command, PATIENCE);
    let doc = json_lines(succeeded(&output)).pop().expect("one JSON line");
    (doc, String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn the_child_gets_a_url_and_token_and_nothing_that_would_shadow_them() {
    let sandbox = sandbox();
    let (doc, stderr) = probe_requests(&sandbox);
    let env = &doc["env"];
    let url = env["AWS_CONTAINER_CREDENTIALS_FULL_URI"].as_str().unwrap();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with('/'),
        "{url}"
    );
    let token = env["AWS_CONTAINER_AUTHORIZATION_TOKEN"].as_str().unwrap();
    assert!(
        token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()),
        "{token}"
    );
    for gone in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
        "STSENV_REFRESH_AT",
    ] {
        assert!(env.get(gone).is_none(), "{gone} reached the child: {env}");
    }
    assert_eq!(env["AWS_REGION"], "eu-central-1");
    assert_eq!(env["AWS_DEFAULT_REGION"], "eu-central-1");
    assert_eq!(env["STSENV_EXEC"], "runner");

    // The credentials, in the container format.
    let (status, body) = (&doc["ok"][0], doc["ok"][1].as_str().unwrap());
    assert_eq!(status, 200);
    let creds: Value = serde_json::from_str(body).unwrap();
    assert!(creds["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
    assert!(creds["SecretAccessKey"]
        .as_str()
        .is_some_and(|s| !s.is_empty()));
    assert!(creds["Token"].as_str().is_some_and(|s| !s.is_empty()));
    crate::util::assert_expires_in(creds["Expiration"].as_str().unwrap(), 3600);
    assert_eq!(doc["localhost"][0], 200);

    // Refusals: no detail in the body.
    for (case, expected) in [
        ("no_token", 401),
        ("wrong_token", 403),
        ("token_prefix", 403),
        ("bearer", 403),
        ("foreign_host", 403),
        ("rebound_name", 403),
        ("no_token_foreign_host", 403),
    ] {
        assert_eq!(doc[case][0], expected, "{case}: {}", doc[case]);
        assert_eq!(doc[case][1], "", "{case} has a body");
    }
    assert_eq!(doc["post"][0], 405);
    assert_eq!(doc["other_path"][0], 404);

    // Neither the token nor a secret is ever printed.
    let secret = creds["SecretAccessKey"].as_str().unwrap();
    assert!(
        !stderr.contains(token) && !stderr.contains(secret),
        "{stderr}"
    );

    // A fresh token per run.
    let (again, _) = probe_requests(&sandbox);
    assert_ne!(again["env"]["AWS_CONTAINER_AUTHORIZATION_TOKEN"], token);
}

#[test]
fn default_credentials_are_hidden_in_private_copies_removed_at_exit() {
    let sandbox = sandbox();
    let (doc, _) = probe_requests(&sandbox);
    let files = &doc["files"];
    let credentials = &files["AWS_SHARED_CREDENTIALS_FILE"];
    let config = &files["AWS_CONFIG_FILE"];
    let copy = PathBuf::from(credentials["path"].as_str().unwrap());
    assert_ne!(copy, sandbox.credentials_path());
    assert_eq!(credentials["mode"], "0o600");
    assert_eq!(config["mode"], "0o600");
    // Its directory (a private temporary one, or /proc/PID/fd) is the owner's only.
    let dir_mode = credentials["dir_mode"].as_str().unwrap();
    let dir_mode = u32::from_str_radix(dir_mode.trim_start_matches("0o"), 8).unwrap();
    assert_eq!(dir_mode & 0o077, 0, "{credentials}");
    let text = credentials["text"].as_str().unwrap();
    assert!(
        !text.contains(DEFAULT_KEY) && !text.contains("defaultsecret"),
        "{text}"
    );
    assert!(
        text.contains("[default]") && text.contains("AKIAIOSFODNN7EXAMPLE"),
        "{text}"
    );
    // The config keeps every setting and profile.
    let original = std::fs::read_to_string(sandbox.config_path()).unwrap();
    assert_eq!(config["text"], original);
    assert!(
        !copy.parent().unwrap().exists(),
        "the copies outlived the command"
    );

    // Without credentials in [default], the user's own files are used.
    sandbox.credentials(
        "[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n",
    );
    let (doc, _) = probe_requests(&sandbox);
    assert_eq!(
        doc["env"]["AWS_SHARED_CREDENTIALS_FILE"],
        sandbox.credentials_path().display().to_string()
    );
}

fn code_of(sandbox: &Sandbox, command: &[&str]) -> (Option<i32>, String) {
    let mut args = vec!["exec", "--server", "runner", "--"];
    args.extend_from_slice(command);
    let output = output_within(stsenv(sandbox, &args), PATIENCE);
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn exit_status_is_the_childs() {
    let sandbox = sandbox();
    assert_eq!(code_of(&sandbox, &["sh", "-c", "exit 42"]).0, Some(42));
    assert_eq!(code_of(&sandbox, &["true"]).0, Some(0));
    assert_eq!(
        code_of(&sandbox, &["sh", "-c", "kill -TERM $$"]).0,
        Some(143)
    );
    assert_eq!(
        code_of(&sandbox, &["sh", "-c", "kill -KILL $$"]).0,
        Some(137)
    );
    let (code, stderr) = code_of(&sandbox, &["stsenv-test-no-such-command"]);
    assert_eq!(code, Some(127));
    assert!(
        stderr.contains("cannot run `stsenv-test-no-such-command`"),
        "{stderr}"
    );
    // Nested inside another exec: refused, as `exec` does.
    let (code, stderr) = code_of(
        &sandbox,
        &[
            stsenv_tests::stsenv_bin().to_str().unwrap(),
            "exec",
            "--server",
            "runner",
            "--",
            "true",
        ],
    );
    assert_eq!(code, Some(1));
    assert!(stderr.contains("already inside `stsenv exec`"), "{stderr}");
}

/// A child that reports each signal it gets, and exits 100+N on the first.
const SIGNAL_CHILD: &str = r#"
import os, signal, time, urllib.parse
def on(signum, frame):
    # os.write: print() may be interrupted mid-flush by the handler itself.
    os.write(1, b"got %d\n" % signum)
    os._exit(100 + signum)
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
    signal.signal(s, on)
print("ready %d" % urllib.parse.urlparse(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]).port, flush=True)
time.sleep(60)
"#;

/// Start `exec --server` with `child`; returns it and the server's port
/// once the child said "ready PORT".
fn start_signal_child(
    sandbox: &Sandbox,
    child: &str,
) -> (Child, BufReader<std::process::ChildStdout>, u16) {
    let mut command = exec_python(sandbox, child);
    let mut process = command
        .stdout(Stdio::piped())
        .spawn()
        .expect("stsenv starts");
    let mut stdout = BufReader::new(process.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).expect("the child prints ready");
    let port = line
        .trim()
        .strip_prefix("ready ")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("unexpected line {line:?}"));
    (process, stdout, port)
}

fn wait_within(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("stsenv did not exit within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn signals_reach_the_child_once_and_the_server_ends_with_it() {
    let sandbox = sandbox();
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT] {
        let (mut process, mut stdout, port) = start_signal_child(&sandbox, SIGNAL_CHILD);
        assert!(
            TcpStream::connect(("127.0.0.1", port)).is_ok(),
            "the server listens"
        );
        // SAFETY: kill(2) on our own child.
        unsafe { libc::kill(process.id() as i32, signal) };
        let status = wait_within(&mut process, PATIENCE);
        assert_eq!(status.code(), Some(100 + signal), "signal {signal}");
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
        assert_eq!(
            rest,
            format!("got {signal}\n"),
            "signal {signal} arrived once"
        );
        assert!(
            TcpStream::connect(("127.0.0.1", port)).is_err(),
            "something still listens on {port} after the command ended"
        );
    }
    // A child with the default action dies of the forwarded signal: 128+N.
    let (mut process, _stdout, _) = start_signal_child(
        &sandbox,
        "import os, time, urllib.parse\nprint('ready %d' % urllib.parse.urlparse(os.environ['AWS_CONTAINER_CREDENTIALS_FULL_URI']).port, flush=True)\ntime.sleep(60)",
    );
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(process.id() as i32, libc::SIGTERM) };
    assert_eq!(wait_within(&mut process, PATIENCE).code(), Some(143));
}

/// Set the expiration of the cached `kind` entry to `secs` from now, so a
/// session of the emulator's 15 minutes at least ends within the test.
fn expire_cached(sandbox: &Sandbox, kind: &str, secs: i64) {
    let mut found = 0;
    for entry in std::fs::read_dir(sandbox.cache_dir()).expect("cache dir") {
        let path = entry.unwrap().path();
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(mut doc) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        if doc["kind"] != kind {
            continue;
        }
        let at = jiff::Timestamp::from_second(now() + secs).unwrap();
        doc["credentials"]["expiration"] = at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string().into();
        std::fs::write(&path, doc.to_string()).unwrap();
        found += 1;
    }
    assert_eq!(found, 1, "one cached {kind} entry");
}

/// Polls the server every 0.3 s: one JSON line per answer, with the time.
/// Stops after three 503s; with `WAIT_FOR_RECOVERY=1` at the first 200
/// after a 503; with `POLL_SECONDS` after that long; always after 150 s or
/// 300 requests.
const POLL_SERVER: &str = r#"
import http.client, json, os, time, urllib.parse
url = urllib.parse.urlparse(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"])
token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
recover = os.environ.get("WAIT_FOR_RECOVERY") == "1"
seconds = float(os.environ.get("POLL_SECONDS", "0"))
deadline, unavailable = time.time() + (seconds or 150), 0
for _ in range(300):
    if time.time() > deadline:
        break
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    conn.request("GET", "/", headers={"Authorization": token})
    response = conn.getresponse()
    body = json.loads(response.read())
    conn.close()
    print(json.dumps({"t": time.time(), "status": response.status, "body": body}), flush=True)
    if response.status == 503:
        unavailable += 1
    if not seconds and not recover and unavailable >= 3:
        break
    if recover and unavailable and response.status == 200:
        break
    time.sleep(0.3)
"#;

#[test]
fn sts_down_during_renewal_serves_the_valid_credentials_then_503() {
    let moto = Moto::start();
    let sandbox = sandbox_at(&moto);
    succeeded(
        &stsenv(&sandbox, &["env", "runner", "--shell", "json"])
            .output()
            .unwrap(),
    );
    // The cached session now ends in 14 s; stsenv renews 8 s before.
    expire_cached(&sandbox, "AssumeRole", 14);
    drop(moto);
    let mut command = exec_python(&sandbox, POLL_SERVER);
    command.env("STSENV_REFRESH_MARGIN", "8");
    let output = output_within(command, Duration::from_secs(240));
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let answers = json_lines(succeeded(&output));
    let first_503 = answers
        .iter()
        .position(|a| a["status"] == 503)
        .unwrap_or_else(|| panic!("never 503: {answers:?}\n{stderr}"));
    let (served, unavailable) = answers.split_at(first_503);
    assert!(
        unavailable.iter().all(|a| a["status"] == 503),
        "{answers:?}"
    );
    let expiration = served[0]["body"]["Expiration"].as_str().unwrap();
    let expires = crate::util::epoch_of(expiration) as f64;
    for answer in served {
        assert_eq!(answer["status"], 200);
        assert_eq!(
            answer["body"], served[0]["body"],
            "the same credentials throughout"
        );
    }
    // Served past the refresh point (when the renewal failed), and 503 only
    // once they had expired (second granularity).
    assert!(
        served
            .iter()
            .any(|a| a["t"].as_f64().unwrap() > expires - 8.0 + 1.0),
        "no answer after the failed renewal: {answers:?}"
    );
    assert!(
        unavailable[0]["t"].as_f64().unwrap() >= expires - 1.0,
        "{answers:?}"
    );
    let message = unavailable[0]["body"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("stsenv: the credentials for profile `runner` expired at ")
            && message.contains("cannot reach")
            && message.contains("retries every 10 s"),
        "{message}"
    );
    assert_eq!(unavailable[0]["body"]["code"], "CredentialsUnavailable");
    // Printed once each: the warning at the failed renewal, the error at expiry.
    assert_eq!(
        stderr
            .matches("cannot renew the credentials for `runner`")
            .count(),
        1,
        "{stderr}"
    );
    let printed = format!("stsenv: error: {}", message.trim_start_matches("stsenv: "));
    assert_eq!(stderr.matches(&printed).count(), 1, "{stderr}");
}

/// `dev` obtained (`env dev ARGS`), then `exec --server dev` polling it
/// (see [`POLL_SERVER`]) at a point where renewing needs a new MFA code:
/// the role ends in 12 s, renewed 6 s before, and the MFA session is too
/// close to its end to be used for a new role session.
fn polling_dev_as_renewal_needs_a_code(sandbox: &Sandbox, args: &[&str]) -> Command {
    let mut env = vec!["env", "dev", "--shell", "json"];
    env.extend(args);
    succeeded(&stsenv(sandbox, &env).output().unwrap());
    expire_cached(sandbox, "AssumeRole", 12);
    expire_cached(sandbox, "MfaSession", 60);
    let mut command = stsenv(
        sandbox,
        &[
            "exec",
            "--server",
            "dev",
            "--",
            "python3",
            "-c",
            POLL_SERVER,
        ],
    );
    command.env("STSENV_REFRESH_MARGIN", "6");
    command
}

#[test]
fn an_mfa_code_needed_without_a_terminal_is_503_naming_the_fix_until_it_is_done() {
    let sandbox = sandbox();
    let mut command = polling_dev_as_renewal_needs_a_code(&sandbox, &["--token-code", "123456"]);
    command
        .env("WAIT_FOR_RECOVERY", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut process = command.spawn().expect("stsenv starts");
    let stdout = BufReader::new(process.stdout.take().unwrap());
    let mut answers: Vec<Value> = Vec::new();
    let mut fixed = false;
    for line in stdout.lines() {
        let answer: Value = serde_json::from_str(&line.unwrap()).unwrap();
        if answer["status"] == 503 && !fixed {
            let message = answer["body"]["message"].as_str().unwrap().to_string();
            assert!(
                message.contains("needs a new MFA code")
                    && message.contains("run `stsenv whoami dev` in a terminal"),
                "{message}"
            );
            // The fix the message names, done in "another terminal".
            succeeded(
                &stsenv(&sandbox, &["whoami", "dev", "--token-code", "654321"])
                    .output()
                    .unwrap(),
            );
            fixed = true;
        }
        answers.push(answer);
    }
    let status = wait_within(&mut process, Duration::from_secs(240));
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut process.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "{status}: {stderr}");
    assert!(fixed, "never 503: {answers:?}\n{stderr}");
    let last = answers.last().unwrap();
    assert_eq!(
        last["status"], 200,
        "the server picked up the new session: {answers:?}"
    );
    assert_ne!(
        last["body"]["AccessKeyId"],
        answers[0]["body"]["AccessKeyId"]
    );
    assert!(
        stderr.contains("renewing needs a new MFA code: run `stsenv whoami dev` in a terminal"),
        "{stderr}"
    );
    assert!(
        stderr.contains("renewed the credentials for `dev`; serving again"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("is waiting"),
        "no terminal, no prompt: {stderr}"
    );
}

#[test]
fn an_mfa_process_renews_without_anyone_typing() {
    let sandbox = sandbox();
    // `dev` gets its MFA codes from a command that counts its runs.
    let script = sandbox.path().join("otp.sh");
    let runs = sandbox.path().join("runs");
    std::fs::write(
        &script,
        format!("#!/bin/sh\necho run >> '{}'\necho 246810\n", runs.display()),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let config = std::fs::read_to_string(sandbox.config_path()).unwrap();
    sandbox.config(&config.replace(
        "mfa_serial = arn:aws:iam::123456789012:mfa/alice\n",
        &format!(
            "mfa_serial = arn:aws:iam::123456789012:mfa/alice\nmfa_process = {}\n",
            script.display()
        ),
    ));
    // Renewing needs a new code, which the command gives with no terminal
    // around.
    let mut command = polling_dev_as_renewal_needs_a_code(&sandbox, &[]);
    command.env("POLL_SECONDS", "12");
    let output = output_within(command, Duration::from_secs(240));
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let answers = json_lines(succeeded(&output));
    assert!(
        answers.iter().all(|a| a["status"] == 200),
        "{answers:?}\n{stderr}"
    );
    let first = &answers[0]["body"]["AccessKeyId"];
    assert!(
        answers.iter().any(|a| &a["body"]["AccessKeyId"] != first),
        "never renewed: {answers:?}\n{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&runs).unwrap(), "run\nrun\n");
    assert!(!stderr.contains("246810"), "{stderr}");
    assert!(!stderr.contains("MFA code"), "{stderr}");
}

#[test]
fn serve_prints_the_variables_serves_and_stops_on_ctrl_c() {
    let sandbox = sandbox();
    let mut command = stsenv(&sandbox, &["serve", "runner", "--shell", "json"]);
    let mut process = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("stsenv starts");
    let mut line = String::new();
    BufReader::new(process.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let vars: Value = serde_json::from_str(&line).unwrap();
    let url = vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
        .as_str()
        .unwrap()
        .to_string();
    // [default] has keys: the private copies come with the two variables.
    let copy = PathBuf::from(vars["AWS_SHARED_CREDENTIALS_FILE"].as_str().unwrap());
    assert!(copy.exists());
    // botocore, given the printed variables, signs as the role.
    let mut aws = sandbox.command("aws");
    aws.args(["sts", "get-caller-identity", "--output", "json"]);
    for (name, value) in vars.as_object().unwrap() {
        aws.env(name, value.as_str().unwrap());
    }
    let identity: Value = serde_json::from_slice(succeeded(&aws.output().unwrap())).unwrap();
    assert_eq!(identity["Arn"], ROLE_ARN);
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(process.id() as i32, libc::SIGINT) };
    assert!(wait_within(&mut process, PATIENCE).success());
    let port: u16 = url
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "still listening"
    );
    assert!(!copy.exists(), "the copies outlived serve");
}

/// Regression (issue 24): `serve` printed no region, so `docker run
/// --env-file` with its output failed in AWS CLI v1 with "You must specify
/// a region". It now prints the profile's region as `exec --server` gives
/// it: the AWS CLI, given only the printed lines, works.
#[test]
fn serve_prints_the_profiles_region_like_exec_server() {
    let sandbox = Sandbox::with_moto(Moto::shared());
    sandbox
        .config(
            "[profile base]\n\n[profile runner]\nrole_arn = arn:aws:iam::123456789012:role/runner\n\
             source_profile = base\nregion = eu-central-1\n",
        )
        .credentials(
            "[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
        );
    let mut process = stsenv(&sandbox, &["serve", "runner"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("stsenv starts");
    let mut vars = Vec::new();
    let mut reader = BufReader::new(process.stdout.take().unwrap());
    while vars.len() < 4 {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        let (name, value) = line.trim_end().split_once('=').expect("NAME=value");
        vars.push((name.to_string(), value.to_string()));
    }
    let value = |name: &str| vars.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    assert_eq!(
        value("AWS_REGION").as_deref(),
        Some("eu-central-1"),
        "{vars:?}"
    );
    assert_eq!(
        value("AWS_DEFAULT_REGION").as_deref(),
        Some("eu-central-1"),
        "{vars:?}"
    );
    // As `docker run --env-file`: the printed lines and nothing else of
    // the profile (no [default], no region anywhere in the files).
    let mut aws = sandbox.command("aws");
    aws.args(["sts", "get-caller-identity", "--output", "json"])
        .env("AWS_CONFIG_FILE", sandbox.path().join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", sandbox.path().join("none"));
    aws.envs(vars.iter().map(|(n, v)| (n, v)));
    let identity: Value = serde_json::from_slice(succeeded(&aws.output().unwrap())).unwrap();
    assert_eq!(identity["Arn"], ROLE_ARN);
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(process.id() as i32, libc::SIGINT) };
    assert!(wait_within(&mut process, Duration::from_secs(30)).success());
}

#[test]
fn serve_on_a_busy_port_fails_clearly_and_long_term_keys_are_refused() {
    let sandbox = sandbox();
    let busy = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let output = output_within(
        stsenv(&sandbox, &["serve", "runner", "--port", &port]),
        PATIENCE,
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("cannot listen on 127.0.0.1:{port}")) && stderr.contains("--port"),
        "{stderr}"
    );

    let output = output_within(
        stsenv(&sandbox, &["exec", "--server", "base", "--", "true"]),
        PATIENCE,
    );
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("profile `base` gives long-term keys"),
        "{stderr}"
    );
}

/// In a terminal, `sh -c SCRIPT` with the sandbox environment: stsenv's
/// stderr and prompts on the pane, the child's stdout in `out`, the exit
/// status in `rc`.
fn in_terminal<'a>(
    sandbox: &'a Sandbox,
    stsenv_args: &str,
    env: &str,
) -> (Tmux<'a>, PathBuf, PathBuf) {
    let out = sandbox.path().join("out");
    let rc = sandbox.path().join("rc");
    let script = sandbox.path().join("run.sh");
    std::fs::write(
        &script,
        format!(
            // `trap :` (not ''): the shell survives Ctrl-C to write the
            // status, and its children get the default disposition.
            "trap : INT\n{env} '{bin}' {stsenv_args} > '{out}'; echo $? > '{rc}'; sleep 60\n",
            bin = stsenv_tests::stsenv_bin().display(),
            out = out.display(),
            rc = rc.display()
        ),
    )
    .unwrap();
    let tmux = Tmux::start(sandbox, &format!("sh '{}'", script.display()));
    (tmux, out, rc)
}

fn wait_for_file(path: &std::path::Path, limit: Duration) -> String {
    let deadline = Instant::now() + limit;
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            if text.ends_with('\n') {
                return text;
            }
        }
        assert!(
            Instant::now() < deadline,
            "{} not written within {limit:?}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_new_mfa_code_is_asked_once_ahead_of_expiry_saying_who_waits() {
    let sandbox = sandbox();
    succeeded(
        &stsenv(
            &sandbox,
            &["env", "dev", "--shell", "json", "--token-code", "123456"],
        )
        .output()
        .unwrap(),
    );
    expire_cached(&sandbox, "AssumeRole", 25);
    expire_cached(&sandbox, "MfaSession", 60);
    std::fs::write(sandbox.path().join("poll.py"), POLL_SERVER).unwrap();
    // Renewal at 25 - 20 = 5 s, needing a code; the child polls past the
    // old expiry.
    let (tmux, out, rc) = in_terminal(
        &sandbox,
        &format!(
            "exec --server dev -- python3 '{}'",
            sandbox.path().join("poll.py").display()
        ),
        "STSENV_REFRESH_MARGIN=20 POLL_SECONDS=32",
    );
    let screen = tmux.wait_for(
        "the MFA prompt ahead of expiry",
        "MFA code for dev (arn:aws:iam::123456789012:mfa/alice): ",
    );
    assert!(
        screen.contains("stsenv: `python3 ")
            && screen.contains("is waiting: the MFA session of `dev` ended"),
        "{screen}"
    );
    tmux.send(&["-l", "123456"]);
    tmux.send(&["Enter"]);
    assert_eq!(wait_for_file(&rc, PATIENCE), "0\n");
    let screen = tmux.screen();
    assert_eq!(
        screen.matches("is waiting").count(),
        1,
        "asked once: {screen}"
    );
    assert!(!screen.contains("error"), "{screen}");
    let answers = json_lines(std::fs::read(&out).unwrap().as_slice());
    assert!(
        answers.iter().all(|a| a["status"] == 200),
        "never unavailable: {answers:?}"
    );
    let first = &answers[0]["body"]["AccessKeyId"];
    let last = answers.last().unwrap();
    assert_ne!(
        &last["body"]["AccessKeyId"], first,
        "renewed with the new code"
    );
    let old_expiry =
        crate::util::epoch_of(answers[0]["body"]["Expiration"].as_str().unwrap()) as f64;
    assert!(
        last["t"].as_f64().unwrap() > old_expiry,
        "the child outlived the old session"
    );
}

/// Ctrl-C on the terminal reaches the child once (from the terminal), not
/// a second time from stsenv: a second SIGINT makes terraform abort.
#[test]
fn ctrl_c_on_the_terminal_reaches_the_child_once() {
    let sandbox = sandbox();
    let child = sandbox.path().join("count.py");
    std::fs::write(
        &child,
        "import os, signal, time\n\
         count = []\n\
         signal.signal(signal.SIGINT, lambda *_: count.append(1))\n\
         os.write(2, b'counting\\n')\n\
         deadline = time.time() + 30\n\
         while not count and time.time() < deadline:\n    time.sleep(0.05)\n\
         time.sleep(1.5)\n\
         print('sigints %d' % len(count))\n",
    )
    .unwrap();
    let (tmux, out, rc) = in_terminal(
        &sandbox,
        &format!("exec --server runner -- python3 '{}'", child.display()),
        "",
    );
    tmux.wait_for("the child", "counting");
    tmux.send(&["C-c"]);
    assert_eq!(wait_for_file(&rc, PATIENCE), "0\n");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "sigints 1\n");
}

/// Holds idle connections to a port, reopening each one the server closes.
const IDLE_HOLDER: &str = include_str!("../support/idle_holder.py");

/// Run by `exec --server`: start [`IDLE_HOLDER`] against the server as
/// another user (nobody, when the tests run as root), wait until it holds
/// its connections, run the SDK probe, and report both as one JSON line.
const FLOOD_CHILD: &str = r#"
import json, os, resource, subprocess, urllib.parse
port = urllib.parse.urlparse(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]).port
holder = ["/usr/bin/python3", "-c", os.environ["HOLDER"], str(port), os.environ["HOLD"]]
as_root = os.getuid() == 0
if as_root:
    holder = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + holder
def room():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < 4096 and as_root:
        resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))
flood = subprocess.Popen(holder, stdout=subprocess.PIPE, text=True, preexec_fn=room)
holding = flood.stdout.readline().strip()
probe = subprocess.run([os.environ["PROBE"]], capture_output=True, text=True, timeout=170,
                       env=dict(os.environ, PROBE_CALLS="20", PROBE_SECONDS="170", PROBE_KEYS="99"))
flood.terminate()
ended = flood.communicate(timeout=60)[0].strip()
print(json.dumps({"holding": holding, "ended": ended, "other_user": as_root,
                  "probe": probe.stdout, "status": probe.returncode, "stderr": probe.stderr[-3000:]}))
"#;

/// 2,000 idle connections held by another local user (who has no token)
/// while the child's SDK fetches credentials 20 times: every fetch
/// succeeds, and the server closed idle connections on its own.
#[test]
fn an_idle_flood_from_another_user_does_not_starve_the_sdk() {
    let sandbox = sandbox();
    let mut command = exec_python(&sandbox, FLOOD_CHILD);
    command
        .env("HOLDER", IDLE_HOLDER)
        .env("HOLD", "2000")
        .env("PROBE", env!("CARGO_BIN_EXE_sdk-probe"));
    let output = output_within(command, Duration::from_secs(240));
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let report = json_lines(succeeded(&output)).pop().expect("one JSON line");
    assert_eq!(report["holding"], "holding 2000", "{report}\n{stderr}");
    let calls = json_lines(report["probe"].as_str().unwrap().as_bytes());
    assert_eq!(calls.len(), 20, "{report}");
    let failed: Vec<&Value> = calls.iter().filter(|c| c["ok"] != true).collect();
    assert!(
        failed.is_empty(),
        "{} of 20 fetches failed under the flood, the first: {}",
        failed.len(),
        failed[0]
    );
    for call in &calls {
        assert_eq!(call["arn"], ROLE_ARN, "{call}");
    }
    assert_eq!(report["status"], 0, "{report}");
    // The idle connections did not stay: the server closed them.
    let reopened: u64 = report["ended"]
        .as_str()
        .and_then(|l| l.strip_prefix("reopened "))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{report}"));
    assert!(reopened > 0, "{report}");
}

/// `exec --server` killed with SIGKILL while its child runs: the private
/// copy of the credentials file (other profiles' long-term keys) is gone
/// with it, and nothing under TMPDIR holds a secret.
#[test]
fn a_killed_server_leaves_no_copy_of_the_credentials() {
    let sandbox = sandbox();
    let tmp = sandbox.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let child = "import os, time\n\
                 print(os.environ['AWS_SHARED_CREDENTIALS_FILE'], flush=True)\n\
                 time.sleep(120)\n";
    let mut command = exec_python(&sandbox, child);
    command.env("TMPDIR", &tmp).stdout(Stdio::piped());
    let mut process = command.spawn().expect("stsenv starts");
    let mut line = String::new();
    BufReader::new(process.stdout.take().unwrap())
        .read_line(&mut line)
        .expect("the child prints the path");
    let copy = PathBuf::from(line.trim());
    let text = std::fs::read_to_string(&copy).expect("the copy is readable while it runs");
    assert!(text.contains("AKIAIOSFODNN7EXAMPLE"), "{text}");

    process.kill().unwrap();
    process.wait().unwrap();
    assert!(
        std::fs::read(&copy).is_err(),
        "{} outlived the killed server",
        copy.display()
    );
    let mut left = Vec::new();
    let mut dirs = vec![tmp.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path.clone());
            }
            left.push(path);
        }
    }
    assert!(left.is_empty(), "left in TMPDIR: {left:?}");
    // The child (in stsenv's session) is not needed any more.
    // SAFETY: kill(2) on the process group stsenv led.
    unsafe { libc::kill(-(process.id() as i32), libc::SIGKILL) };
}

/// `serve --output FILE`: the variables (with the token) go to a 0600 file
/// written whole, nothing to stdout, and the file goes when serve stops.
/// `stsenv serve runner --output FILE ARGS…`, once it serves (the file
/// is written before it says so).
fn serve_to_file(sandbox: &Sandbox, file: &std::path::Path, args: &[&str]) -> Child {
    let mut all = vec!["serve", "runner", "--output", file.to_str().unwrap()];
    all.extend_from_slice(args);
    let mut process = stsenv(sandbox, &all)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("stsenv starts");
    let mut stderr = BufReader::new(process.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains("serving the credentials") {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "serve ended early"
        );
    }
    process
}

/// The AWS CLI's export formats that `env` has: `env`, `env-no-export`
/// and `windows-cmd` print the server's variables through `env`'s own
/// emitters; `process` (credential_process JSON, which has no place for a
/// URL and a token) is refused before any server starts.
#[test]
fn serve_prints_the_aws_cli_formats_and_refuses_process() {
    let sandbox = sandbox();
    let refused = output_within(
        stsenv(&sandbox, &["serve", "runner", "--shell", "process"]),
        PATIENCE,
    );
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(refused.stdout.is_empty());
    assert!(
        stderr.contains("--shell json") && stderr.contains("stsenv credential-process"),
        "{stderr}"
    );
    assert!(!stderr.contains("serving"), "{stderr}");
    // env-no-export: plain assignments that sh reads (`set -a` exports
    // them); the AWS CLI then signs as the role through the server.
    let file = sandbox.path().join("vars.sh");
    let mut process = serve_to_file(&sandbox, &file, &["--shell", "env-no-export"]);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.lines().all(|l| l.starts_with("AWS_")) && !text.contains("export"),
        "{text}"
    );
    let mut aws = sandbox.command("sh");
    aws.arg("-c")
        .arg("set -a; . \"$1\"; set +a; exec aws sts get-caller-identity --output json")
        .arg("sh")
        .arg(&file)
        .env_remove("AWS_ACCESS_KEY_ID");
    let identity: Value = serde_json::from_slice(succeeded(&aws.output().unwrap())).unwrap();
    assert_eq!(identity["Arn"], ROLE_ARN);
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(process.id() as i32, libc::SIGINT) };
    assert!(wait_within(&mut process, PATIENCE).success());
    // windows-cmd and env (bash's code): the same variables, and the
    // shadowing keys removed.
    for (format, url_line, removal) in [
        (
            "windows-cmd",
            "set \"AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:",
            "set \"AWS_ACCESS_KEY_ID=\"",
        ),
        (
            "env",
            "export AWS_CONTAINER_CREDENTIALS_FULL_URI='http://127.0.0.1:",
            "unset AWS_ACCESS_KEY_ID",
        ),
    ] {
        let file = sandbox.path().join(format!("vars.{format}"));
        let mut process = serve_to_file(&sandbox, &file, &["--shell", format]);
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.lines().any(|l| l.starts_with(url_line)),
            "{format}: {text}"
        );
        assert!(
            text.lines().any(|l| l.starts_with(removal)),
            "{format}: {text}"
        );
        assert!(
            text.contains("AWS_CONTAINER_AUTHORIZATION_TOKEN"),
            "{format}: {text}"
        );
        // SAFETY: kill(2) on our own child.
        unsafe { libc::kill(process.id() as i32, libc::SIGINT) };
        assert!(wait_within(&mut process, PATIENCE).success());
    }
}

#[test]
fn serve_writes_the_variables_to_a_private_file_removed_at_stop() {
    let sandbox = sandbox();
    let file = sandbox.path().join("server.env");
    // An existing, world-readable file is replaced, not reused.
    std::fs::write(&file, "old\n").unwrap();
    std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let mut process = serve_to_file(&sandbox, &file, &[]);
    let text = std::fs::read_to_string(&file).unwrap();
    let mode = std::fs::metadata(&file).unwrap().permissions();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
        0o600
    );
    let vars: std::collections::HashMap<&str, &str> =
        text.lines().filter_map(|l| l.split_once('=')).collect();
    let url = vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"];
    let token = vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"];
    assert_eq!(token.len(), 64, "{text}");
    // The file's variables reach the server.
    let mut aws = sandbox.command("aws");
    aws.args(["sts", "get-caller-identity", "--output", "json"]);
    aws.env("AWS_CONTAINER_CREDENTIALS_FULL_URI", url)
        .env("AWS_CONTAINER_AUTHORIZATION_TOKEN", token);
    for name in ["AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"] {
        aws.env(name, vars[name]);
    }
    let identity: Value = serde_json::from_slice(succeeded(&aws.output().unwrap())).unwrap();
    assert_eq!(identity["Arn"], ROLE_ARN);
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(process.id() as i32, libc::SIGINT) };
    assert!(wait_within(&mut process, PATIENCE).success());
    let mut stdout = String::new();
    std::io::Read::read_to_string(&mut process.stdout.take().unwrap(), &mut stdout).unwrap();
    assert_eq!(stdout, "", "the variables went to stdout too");
    assert!(!file.exists(), "the file outlived serve");
}

//! The Windows build (`stsenv.exe`, x86_64-pc-windows-gnu) run under wine
//! against moto on 127.0.0.1. `cargo xtask wine` (and `cargo xtask ci` when
//! wine and mingw are installed) builds the release zip, unpacks it, puts
//! the ProcessPrng shim beside the `.exe` and runs these with
//! `--ignored`, `STSENV_WINE_EXE` and a private `WINEPREFIX` set.
//!
//! Windows sees the sandbox through wine's `Z:` drive. What is not
//! exercised here: PowerShell itself (not installable on Debian; its
//! output is parsed instead), the console picker and prompts (no console
//! under a test), and the Credential Manager (wine's is not the real one).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use stsenv_tests::{Moto, Sandbox, SWITCH_ROLE_CONFIG, SWITCH_ROLE_CREDENTIALS};

fn exe() -> PathBuf {
    PathBuf::from(std::env::var_os("STSENV_WINE_EXE").expect(
        "STSENV_WINE_EXE names the stsenv.exe to test; run `cargo xtask wine`, which sets it",
    ))
}

/// A path as Windows programs under wine see it (wine's `Z:` is `/`).
fn win(path: &Path) -> String {
    format!("Z:{}", path.display()).replace('/', "\\")
}

/// `wine stsenv.exe ARGS…` with the sandbox's files (as Windows paths),
/// moto, and nothing of the developer's AWS setup.
fn stsenv(sandbox: &Sandbox, moto: &Moto, args: &[&str]) -> Command {
    let mut command = wine(moto);
    command
        .arg(exe())
        .args(args)
        .env("AWS_CONFIG_FILE", win(&sandbox.config_path()))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            win(&sandbox.credentials_path()),
        )
        .env("STSENV_CACHE_DIR", win(&sandbox.cache_dir()));
    command
}

/// `wine` with the prefix xtask prepared and the emulator's endpoint.
fn wine(moto: &Moto) -> Command {
    let mut command = Command::new("wine");
    command.env_clear();
    for (name, value) in std::env::vars() {
        if name.starts_with("WINE") || ["PATH", "HOME", "USER", "DISPLAY"].contains(&name.as_str())
        {
            command.env(name, value);
        }
    }
    command
        .env("AWS_ENDPOINT_URL", &moto.url)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::null());
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("wine runs")
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}: {}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("UTF-8")
}

/// `stsenv.exe ARGS…`, which must succeed; its stdout.
fn ok(sandbox: &Sandbox, moto: &Moto, args: &[&str]) -> String {
    stdout(&run(&mut stsenv(sandbox, moto, args)))
}

/// `stsenv.exe ARGS…`, which must succeed and print JSON.
fn ok_json(sandbox: &Sandbox, moto: &Moto, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok(sandbox, moto, args)).expect("JSON")
}

/// wine runs share one prefix and its profile directory: one test at a time.
fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static WINE: Mutex<()> = Mutex::new(());
    WINE.lock().unwrap_or_else(|e| e.into_inner())
}

/// `env dev --shell powershell --token-code …` (MFA session, then the role).
const ENV_DEV: [&str; 6] = [
    "env",
    "dev",
    "--shell",
    "powershell",
    "--token-code",
    "123456",
];

/// The `$env:NAME = '…'` lines of PowerShell code, unquoted by
/// PowerShell's rules (inside '…', a doubled quote is one quote).
fn powershell_assignments(code: &str) -> Vec<(String, String)> {
    code.lines()
        .filter(|line| !line.starts_with("Remove-Item Env:"))
        .map(|line| {
            let rest = line
                .strip_prefix("$env:")
                .unwrap_or_else(|| panic!("not a PowerShell env assignment: {line:?}"));
            let (name, value) = rest.split_once(" = ").expect("NAME = 'value'");
            let inner = value
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .unwrap_or_else(|| panic!("not single-quoted: {value:?}"));
            assert!(
                !inner.replace("''", "").contains('\''),
                "a lone quote would end the string: {value:?}"
            );
            (name.to_string(), inner.replace("''", "'"))
        })
        .collect()
}

fn value<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name} in {pairs:?}"))
}

#[test]
#[ignore = "runs stsenv.exe under wine: cargo xtask wine"]
fn version_and_exit_codes() {
    let _one = one_at_a_time();
    let moto = Moto::shared();
    let sandbox = Sandbox::switch_role();
    let version = ok(&sandbox, moto, &["--version"]);
    assert!(version.starts_with("stsenv "), "{version}");

    let usage = run(&mut stsenv(&sandbox, moto, &["env", "--no-such-flag"]));
    assert_eq!(usage.status.code(), Some(2), "usage errors exit 2");
    assert!(usage.stdout.is_empty());

    let unknown = run(&mut stsenv(&sandbox, moto, &["env", "nosuch"]));
    assert_eq!(unknown.status.code(), Some(1));
    assert!(unknown.stdout.is_empty(), "nothing an eval could run");
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(stderr.contains("nosuch"), "{stderr}");

    // The picker draws on the console; without one it says so (exit 2).
    let pick = run(&mut stsenv(&sandbox, moto, &["env", "--pick"]));
    assert_eq!(pick.status.code(), Some(2));
    assert!(pick.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&pick.stderr);
    assert!(stderr.contains("the console (CONIN$)"), "{stderr}");

    // MFA needed, no console to ask on (stdin is not one): exit 3.
    let mfa = run(&mut stsenv(
        &sandbox,
        moto,
        &["env", "dev", "--shell", "powershell"],
    ));
    assert_eq!(
        mfa.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&mfa.stderr)
    );
    assert!(mfa.stdout.is_empty());
}

#[test]
#[ignore = "runs stsenv.exe under wine: cargo xtask wine"]
fn powershell_env_for_an_mfa_role_round_trips_and_the_cache_serves_it() {
    let _one = one_at_a_time();
    let moto = Moto::shared();
    let sandbox = Sandbox::switch_role();
    let code = ok(&sandbox, moto, &ENV_DEV);
    let pairs = powershell_assignments(&code);
    assert_eq!(value(&pairs, "STSENV_PROFILE"), "dev");
    for removed in ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"] {
        assert!(
            code.contains(&format!(
                "Remove-Item Env:{removed} -ErrorAction SilentlyContinue"
            )),
            "{code}"
        );
    }
    let key = value(&pairs, "AWS_ACCESS_KEY_ID");
    assert!(key.starts_with("ASIA"), "role keys: {key}");
    assert_eq!(value(&pairs, "AWS_REGION"), "eu-west-1");

    // The same session again, from the cache, as credential_process JSON:
    // every value came through PowerShell's quoting unchanged.
    let json = ok_json(&sandbox, moto, &["credential-process", "dev"]);
    assert_eq!(json["Version"], 1);
    assert_eq!(json["AccessKeyId"], key);
    assert_eq!(
        json["SecretAccessKey"],
        value(&pairs, "AWS_SECRET_ACCESS_KEY")
    );
    assert_eq!(json["SessionToken"], value(&pairs, "AWS_SESSION_TOKEN"));

    // whoami with those credentials is the assumed role.
    let whoami = ok_json(&sandbox, moto, &["whoami", "dev", "--json"]);
    let arn = whoami["Arn"].as_str().unwrap_or_default();
    assert!(arn.contains(":assumed-role/dev/"), "{whoami}");
}

/// Log in once (MFA) so that later commands are served by the cache.
/// The setup of the tests that use `dev`'s role: the wine prefix held,
/// moto, and the switch-role files with `dev` assumed (and so cached).
struct Assumed {
    _one: std::sync::MutexGuard<'static, ()>,
    moto: &'static Moto,
    sandbox: Sandbox,
}

fn assumed() -> Assumed {
    let one = one_at_a_time();
    let moto = Moto::shared();
    let sandbox = Sandbox::switch_role();
    ok(&sandbox, moto, &ENV_DEV);
    Assumed {
        _one: one,
        moto,
        sandbox,
    }
}

#[test]
#[ignore = "runs stsenv.exe under wine: cargo xtask wine"]
fn exec_gives_the_child_the_keys_and_passes_its_exit_code_through() {
    let Assumed {
        _one,
        moto,
        sandbox,
    } = assumed();
    let json = ok_json(&sandbox, moto, &["credential-process", "dev"]);
    let key = json["AccessKeyId"].as_str().expect("a key");

    let echoed = ok(
        &sandbox,
        moto,
        &[
            "exec",
            "dev",
            "--",
            "cmd",
            "/c",
            "echo",
            "%AWS_ACCESS_KEY_ID%",
        ],
    );
    assert_eq!(echoed.trim(), key);

    let failed = run(&mut stsenv(
        &sandbox,
        moto,
        &["exec", "dev", "--", "cmd", "/c", "exit 7"],
    ));
    assert_eq!(
        failed.status.code(),
        Some(7),
        "the child's exit code is stsenv's"
    );

    let missing = run(&mut stsenv(
        &sandbox,
        moto,
        &["exec", "dev", "--", "no-such-program"],
    ));
    assert_eq!(missing.status.code(), Some(127));
}

#[test]
#[ignore = "runs stsenv.exe under wine: cargo xtask wine"]
fn exec_server_serves_the_child_and_passes_its_exit_code_through() {
    let Assumed {
        _one,
        moto,
        sandbox,
    } = assumed();
    // The child prints the endpoint and waits for a line on stdin; meanwhile
    // this test asks the server for credentials, as an SDK in the child would.
    let mut child = stsenv(
        &sandbox,
        moto,
        &[
            "exec",
            "--server",
            "dev",
            "--",
            "cmd",
            "/c",
            "echo %AWS_CONTAINER_CREDENTIALS_FULL_URI% %AWS_CONTAINER_AUTHORIZATION_TOKEN%& set /p LINE=& exit 5",
        ],
    )
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("wine runs");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped"))
        .read_line(&mut line)
        .expect("the child prints the endpoint");
    let (uri, token) = line.trim().split_once(' ').expect("URI and token");
    let body = get(uri, token);
    let creds: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert!(
        creds["AccessKeyId"]
            .as_str()
            .is_some_and(|k| k.starts_with("ASIA")),
        "{body}"
    );
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(b"done\r\n")
        .expect("the child reads");
    let status = wait_bounded(&mut child, Duration::from_secs(60));
    assert_eq!(status.code(), Some(5), "the child's exit code is stsenv's");
}

#[test]
#[ignore = "runs stsenv.exe under wine: cargo xtask wine"]
fn a_server_start_removes_the_copies_a_killed_server_left() {
    let Assumed {
        _one,
        moto,
        sandbox,
    } = assumed();
    // Keys in `default` would shadow the server: the child gets copies of
    // the files without them.
    sandbox.credentials(&format!(
        "{SWITCH_ROLE_CREDENTIALS}[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n"
    ));
    // The copies go in the temporary directory (wine sets TMP from the
    // prefix's registry); a killed server (here: a process id no process
    // has) left its directory behind.
    // They are made by a Windows program, so that they have the owner a
    // server's directory has.
    let tmp = profile_dir().join("Temp");
    let left = tmp.join("stsenv-server-4194300-abc123");
    let unrelated = tmp.join("stsenv-server-notapid");
    let _ = std::fs::remove_dir_all(&left);
    let _ = std::fs::remove_dir_all(&unrelated);
    stdout(&run(wine(moto).args([
        "cmd",
        "/c",
        "mkdir %TEMP%\\stsenv-server-4194300-abc123 && echo x> %TEMP%\\stsenv-server-4194300-abc123\\credentials && mkdir %TEMP%\\stsenv-server-notapid",
    ])));
    assert!(left.join("credentials").exists() && unrelated.exists());
    let out = run(&mut stsenv(
        &sandbox,
        moto,
        &["exec", "--server", "dev", "--", "cmd", "/c", "exit 0"],
    ));
    stdout(&out);
    let servers = || -> Vec<String> {
        std::fs::read_dir(&tmp)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with("stsenv-server-"))
            .collect()
    };
    let rest = servers();
    std::fs::remove_dir(&unrelated).unwrap();
    assert!(!left.exists(), "a dead server's copies stayed");
    assert_eq!(
        rest,
        ["stsenv-server-notapid"],
        "another directory was removed, or the server's own copies stayed"
    );
}

/// GET `uri` (http://127.0.0.1:PORT/…) with the Authorization header.
fn get(uri: &str, token: &str) -> String {
    let rest = uri.strip_prefix("http://").expect("a loopback http URI");
    let (host, path) = rest.split_once('/').expect("a path");
    let mut stream = TcpStream::connect(host).expect("the server listens");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    write!(
        stream,
        "GET /{path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {token}\r\nConnection: close\r\n\r\n"
    )
    .expect("request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default()
}

fn wait_bounded(child: &mut std::process::Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(Instant::now() < deadline, "still running after {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The Windows user profile wine gives the program, on the Linux side.
fn profile_dir() -> PathBuf {
    let prefix = PathBuf::from(std::env::var_os("WINEPREFIX").expect("xtask sets WINEPREFIX"));
    let user = std::env::var("USER").unwrap_or_else(|_| "root".into());
    prefix.join("drive_c/users").join(user)
}

#[test]
#[ignore = "runs stsenv.exe under wine: cargo xtask wine"]
fn without_overrides_files_are_in_userprofile_and_the_cache_in_local_app_data() {
    let _one = one_at_a_time();
    let moto = Moto::shared();
    let profile = profile_dir();
    let aws = profile.join(".aws");
    let cache = profile.join("AppData/Local/stsenv");
    let _ = std::fs::remove_dir_all(&aws);
    let _ = std::fs::remove_dir_all(&cache);
    std::fs::create_dir_all(&aws).expect("mkdir");
    std::fs::write(aws.join("config"), SWITCH_ROLE_CONFIG).expect("config");
    std::fs::write(aws.join("credentials"), SWITCH_ROLE_CREDENTIALS).expect("credentials");

    let mut command = wine(moto);
    command.arg(exe()).args(ENV_DEV);
    let code = stdout(&run(&mut command));
    assert!(code.contains("$env:AWS_ACCESS_KEY_ID = 'ASIA"), "{code}");
    let entries: Vec<_> = std::fs::read_dir(&cache)
        .unwrap_or_else(|e| panic!("no cache in {}: {e}", cache.display()))
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
        .collect();
    assert!(!entries.is_empty(), "cache entries in {}", cache.display());

    let mut list = wine(moto);
    list.arg(exe()).args(["cache", "list"]);
    let listed = stdout(&run(&mut list));
    assert!(listed.contains("dev"), "{listed}");
    let _ = std::fs::remove_dir_all(&aws);
    let _ = std::fs::remove_dir_all(&cache);
}

#[test]
#[ignore = "runs stsenv.exe under wine: cargo xtask wine"]
fn keys_in_the_credential_manager_serve_a_profile() {
    let _one = one_at_a_time();
    let moto = Moto::shared();
    let sandbox = Sandbox::new();
    // A profile name of its own: wine keeps the Credential Manager in the
    // prefix, which every test shares.
    let profile = format!("kr{}", std::process::id());
    sandbox.config(&format!("[profile {profile}]\nregion = eu-west-1\n"));
    std::fs::write(sandbox.credentials_path(), "").expect("credentials");
    let mut add = stsenv(&sandbox, moto, &["keys", "add", &profile, "--stdin"]);
    let mut child = add
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("wine runs");
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(b"AKIAIOSFODNN7EXAMPLE\nwJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")
        .expect("keys on stdin");
    let added = child.wait_with_output().expect("keys add ends");
    let said = String::from_utf8_lossy(&added.stdout).into_owned()
        + &String::from_utf8_lossy(&added.stderr);
    assert!(added.status.success(), "{said}");
    assert!(said.contains("Windows Credential Manager"), "{said}");

    let code = ok(&sandbox, moto, &["env", &profile, "--shell", "powershell"]);
    let pairs = powershell_assignments(&code);
    assert_eq!(value(&pairs, "AWS_ACCESS_KEY_ID"), "AKIAIOSFODNN7EXAMPLE");
    assert_eq!(
        value(&pairs, "AWS_SECRET_ACCESS_KEY"),
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    );
    let config = std::fs::read_to_string(sandbox.config_path()).expect("config");
    assert!(config.contains("stsenv_keyring = true"), "{config}");

    // Removing asks on the console; without one it refuses and keeps them.
    let unconfirmed = run(&mut stsenv(&sandbox, moto, &["keys", "remove", &profile]));
    assert_eq!(unconfirmed.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&unconfirmed.stderr);
    assert!(stderr.contains("no terminal to confirm on"), "{stderr}");
    ok(&sandbox, moto, &["env", &profile]);

    ok(&sandbox, moto, &["keys", "remove", &profile, "--yes"]);
    let gone = run(&mut stsenv(&sandbox, moto, &["env", &profile]));
    assert_eq!(gone.status.code(), Some(1), "no keys any more");
}

/// Write a batch file into the sandbox; returns its Windows path.
fn batch(sandbox: &Sandbox, name: &str, lines: &[&str]) -> String {
    let path = sandbox.path().join(name);
    std::fs::write(&path, lines.join("\r\n") + "\r\n").expect("write batch file");
    win(&path)
}

#[test]
#[ignore = "runs stsenv.exe under wine: cargo xtask wine"]
fn credential_process_paths_keep_their_backslashes() {
    let _one = one_at_a_time();
    let moto = Moto::shared();
    let sandbox = Sandbox::new();
    let script = batch(
        &sandbox,
        "creds.cmd",
        &[
            "@echo off",
            r#"echo {"Version": 1, "AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "SecretAccessKey": "%1"}"#,
        ],
    );
    // An unquoted Windows path, split as the SDKs split it on Windows.
    sandbox.config(&format!(
        "[profile p]\ncredential_process = {script} wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
    ));
    let json = ok_json(&sandbox, moto, &["credential-process", "p"]);
    assert_eq!(json["AccessKeyId"], "AKIAIOSFODNN7EXAMPLE");
    assert_eq!(
        json["SecretAccessKey"],
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    );
}

#[test]
#[ignore = "runs stsenv.exe under wine: cargo xtask wine"]
fn a_timed_out_credential_process_is_killed_with_everything_it_started() {
    let _one = one_at_a_time();
    let moto = Moto::shared();
    let sandbox = Sandbox::new();
    let alive = sandbox.path().join("alive.txt");
    // The grandchild appends a line every second for two minutes.
    let grandchild = batch(
        &sandbox,
        "grandchild.cmd",
        &[
            "@echo off",
            &format!(
                "for /l %%i in (1,1,120) do (echo %%i>> {} & ping -n 2 127.0.0.1 >nul)",
                win(&alive)
            ),
        ],
    );
    let script = batch(
        &sandbox,
        "slow.cmd",
        &[
            "@echo off",
            &format!("start /b cmd /c {grandchild}"),
            "ping -n 120 127.0.0.1 >nul",
        ],
    );
    sandbox.config(&format!("[profile p]\ncredential_process = {script}\n"));
    let mut command = stsenv(&sandbox, moto, &["credential-process", "p"]);
    command.env("STSENV_PROCESS_TIMEOUT", "4");
    let out = run(&mut command);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("STSENV_PROCESS_TIMEOUT"), "{stderr}");
    // The grandchild ran (it had a few seconds) and then stopped: its file
    // stays the same for five seconds while it would grow every second.
    let size = || std::fs::metadata(&alive).map(|m| m.len()).unwrap_or(0);
    let deadline = Instant::now() + Duration::from_secs(60);
    let (mut last, mut since) = (size(), Instant::now());
    while since.elapsed() < Duration::from_secs(5) {
        assert!(
            Instant::now() < deadline,
            "the grandchild still runs: {} keeps growing",
            alive.display()
        );
        std::thread::sleep(Duration::from_millis(250));
        if size() != last {
            (last, since) = (size(), Instant::now());
        }
    }
    assert!(last > 0, "the grandchild never ran, so nothing was shown");
}

#[test]
#[ignore = "runs stsenv.exe under wine: cargo xtask wine"]
fn the_powershell_plugin_names_the_exe_by_its_windows_path() {
    let _one = one_at_a_time();
    let moto = Moto::shared();
    let sandbox = Sandbox::switch_role();
    let plugin = ok(&sandbox, moto, &["init", "powershell"]);
    let bin = format!("$global:__StsenvBin = '{}'", win(&exe()));
    assert!(plugin.contains(&bin), "{bin} in:\n{plugin}");
    assert!(plugin.contains("function global:dev_assume"), "{plugin}");
}

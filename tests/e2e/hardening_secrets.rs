//! Where secrets go during a whole session (MFA session + role against
//! moto, then a cache hit), watched with strace: every secret key and
//! session token may appear only in the env code on stdout, inside the 0600
//! cache entries, and (for the MFA session's token, which signs the
//! AssumeRole request) on the connection to STS. Never in argv, stderr, a
//! log, a lock file or any other write.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use serde_json::Value;
use stsenv_tests::{exported_value, stsenv_bin, Moto, Sandbox, SWITCH_ROLE_CONFIG};

/// A secret and where it may be written.
struct Secret {
    what: &'static str,
    value: String,
    /// On stsenv's stdout (fd 1).
    stdout: bool,
    /// On the TCP connection to moto.
    network: bool,
}

fn strace_available() -> bool {
    Command::new("strace")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Run `stsenv ARGS` under strace; return (stdout, stderr, strace log).
fn traced(sandbox: &Sandbox, args: &[&str]) -> (Vec<u8>, String, String) {
    let log = sandbox.path().join(format!("strace-{}.log", args.len()));
    let out = sandbox
        .command("strace")
        .args(["-f", "-qq", "-yy", "-s", "4096", "-o"])
        .arg(&log)
        .args([
            "-e",
            "trace=execve,write,writev,pwrite64,sendto,sendmsg,openat",
        ])
        .arg(stsenv_bin())
        .args(args)
        .output()
        .expect("strace runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    let log = std::fs::read_to_string(&log).expect("strace log");
    (out.stdout, stderr, log)
}

/// Whether strace `line` is a write of stsenv's stdout, to the cache dir,
/// or to moto.
fn write_target(line: &str, cache_dir: &Path, moto_port: u16) -> (bool, bool, bool) {
    let call = line
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .split('(')
        .next()
        .unwrap_or_default();
    if !matches!(call, "write" | "writev" | "pwrite64" | "sendto" | "sendmsg") {
        return (false, false, false);
    }
    let target = line
        .split_once('(')
        .map(|(_, rest)| rest.split_once(">,").map(|(t, _)| t).unwrap_or_default())
        .unwrap_or_default();
    let stdout = target.starts_with("1<pipe:");
    let cache = target
        .split_once('<')
        .is_some_and(|(_, path)| Path::new(path).starts_with(cache_dir));
    let network = target.contains(&format!("->127.0.0.1:{moto_port}]"));
    (stdout, cache, network)
}

#[test]
fn secrets_appear_only_on_stdout_and_in_private_cache_files() {
    if !strace_available() {
        eprintln!("note: strace is not installed; the secret-tracing test is skipped");
        return;
    }
    let moto = Moto::shared();
    let sandbox = Sandbox::with_base_keys(moto, SWITCH_ROLE_CONFIG);
    let session = ["env", "dev", "--shell", "bash", "--token-code", "123456"];
    let (stdout, stderr1, log1) = traced(&sandbox, &session);
    let (stdout2, stderr2, log2) = traced(&sandbox, &["env", "dev", "--shell", "bash"]);
    assert_eq!(stdout, stdout2, "the second run is a cache hit");

    // Every secret: the role's (exported), the MFA session's (cached only)
    // and the long-term one it started from.
    let exported = |name| exported_value(&stdout, name).expect("exported");
    let mut secrets = vec![
        Secret {
            what: "role secret key",
            value: exported("AWS_SECRET_ACCESS_KEY"),
            stdout: true,
            network: false,
        },
        Secret {
            what: "role session token",
            value: exported("AWS_SESSION_TOKEN"),
            stdout: true,
            network: false,
        },
        Secret {
            what: "long-term secret key",
            value: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            stdout: false,
            network: false,
        },
    ];
    let cache_dir = sandbox.cache_dir();
    assert_eq!(
        std::fs::metadata(&cache_dir).unwrap().permissions().mode() & 0o777,
        0o700
    );
    let mut entries = 0;
    for file in std::fs::read_dir(&cache_dir).unwrap() {
        let path = file.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        if path.extension().is_some_and(|e| e == "json") {
            entries += 1;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", path.display());
            let entry: Value = serde_json::from_slice(&bytes).unwrap();
            if entry["kind"] == "MfaSession" {
                let field = |f: &str| entry["credentials"][f].as_str().unwrap().to_string();
                secrets.push(Secret {
                    what: "MFA session secret key",
                    value: field("secret_access_key"),
                    stdout: false,
                    network: false,
                });
                secrets.push(Secret {
                    what: "MFA session token",
                    value: field("session_token"),
                    stdout: false,
                    // It signs the AssumeRole request.
                    network: true,
                });
            }
        } else {
            let text = String::from_utf8_lossy(&bytes);
            for secret in &secrets {
                assert!(
                    !text.contains(&secret.value),
                    "{} in {}",
                    secret.what,
                    path.display()
                );
            }
        }
    }
    assert_eq!(entries, 2, "an MFA session and a role are cached");
    assert_eq!(secrets.len(), 5, "the MFA session entry was found");

    for secret in &secrets {
        assert!(
            secret.value.len() >= 16,
            "{} looks too short to search for",
            secret.what
        );
        for stderr in [&stderr1, &stderr2] {
            assert!(!stderr.contains(&secret.value), "{} on stderr", secret.what);
        }
        for log in [&log1, &log2] {
            for line in log.lines().filter(|l| l.contains(&secret.value)) {
                let (stdout, cache, network) = write_target(line, &cache_dir, moto.port);
                let allowed = cache || (secret.stdout && stdout) || (secret.network && network);
                assert!(allowed, "{} leaked: {line}", secret.what);
            }
        }
    }
    // The traces saw what they should: the cache written, the code printed.
    assert!(log1.contains(&format!("<{}/", cache_dir.display())));
    assert!(log2
        .lines()
        .any(|l| l.contains("write(1<pipe:") && l.contains("AWS_SESSION_TOKEN")));
}

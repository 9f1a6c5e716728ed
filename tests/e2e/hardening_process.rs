//! `credential_process` is outside code: bounded in time (the whole process
//! group is killed), bounded in output, and what it prints is checked
//! (version, keys, characters, expiry) before anything is emitted.

use std::path::Path;
use std::time::Duration;

use stsenv_tests::Sandbox;

/// A sandbox whose profile `proc` runs `sh -c SCRIPT`.
fn with_process(script: &str) -> Sandbox {
    let sandbox = Sandbox::new();
    let script_path = sandbox.path().join("process.sh");
    std::fs::write(&script_path, script).unwrap();
    sandbox.config(&format!(
        "[profile proc]\ncredential_process = sh {}\n",
        script_path.display()
    ));
    sandbox
}

fn run(sandbox: &Sandbox, env: &[(&str, &str)]) -> std::process::Output {
    sandbox
        .stsenv()
        .args(["env", "proc", "--shell", "bash"])
        .envs(env.iter().copied())
        // A hang guard, not a timing assertion: stsenv's own limit is 1 s here.
        .timeout(stsenv_tests::PATIENCE)
        .output()
        .expect("stsenv runs")
}

/// Assert a clean failure (exit 1, nothing on stdout) and return stderr.
fn refused(out: &std::process::Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "stdout: {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        stderr.contains("credential_process for profile `proc`"),
        "{stderr}"
    );
    stderr
}

fn alive(pid: &str) -> bool {
    // A zombie is dead too: it only waits for its reaper.
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit(')')
            .next()
            .is_some_and(|s| !s.trim_start().starts_with('Z'))
    })
}

fn wait_dead(pid: &str) -> bool {
    let deadline = std::time::Instant::now() + stsenv_tests::PATIENCE;
    while std::time::Instant::now() < deadline {
        if !alive(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

#[test]
fn a_hung_process_and_its_children_are_killed() {
    let sandbox = with_process("");
    let pids = sandbox.path().join("pids");
    std::fs::write(
        sandbox.path().join("process.sh"),
        format!(
            "sleep 300 &\necho $! > {p}\necho $$ >> {p}\nwait\n",
            p = pids.display()
        ),
    )
    .unwrap();
    let out = run(&sandbox, &[("STSENV_PROCESS_TIMEOUT", "1")]);
    let stderr = refused(&out);
    assert!(stderr.contains("did not finish within 1 s"), "{stderr}");
    assert!(stderr.contains("process group were killed"), "{stderr}");
    assert!(stderr.contains("STSENV_PROCESS_TIMEOUT"), "{stderr}");
    let pids = std::fs::read_to_string(&pids).unwrap();
    for pid in pids.split_whitespace() {
        assert!(wait_dead(pid), "process {pid} of the group survived");
    }
}

#[test]
fn endless_output_is_cut_and_the_process_killed() {
    let sandbox = with_process("head -c 3000000 /dev/zero\nsleep 300\n");
    let stderr = refused(&run(&sandbox, &[]));
    assert!(stderr.contains("printed more than 1 MiB"), "{stderr}");
}

#[test]
fn a_bad_timeout_value_is_warned_about() {
    let sandbox = with_process(
        "echo '{\"Version\":1,\"AccessKeyId\":\"AKIAPROC\",\"SecretAccessKey\":\"s\"}'\n",
    );
    let out = run(&sandbox, &[("STSENV_PROCESS_TIMEOUT", "soon")]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("STSENV_PROCESS_TIMEOUT=\"soon\" is not a positive number"),
        "{stderr}"
    );
}

fn printing(json: &str) -> Sandbox {
    let sandbox = with_process("");
    let out = sandbox.path().join("out.json");
    std::fs::write(&out, json).unwrap();
    std::fs::write(
        sandbox.path().join("process.sh"),
        format!("cat {}\n", out.display()),
    )
    .unwrap();
    sandbox
}

#[test]
fn output_is_checked_before_use() {
    let future = "2099-01-01T00:00:00Z";
    for (json, expect) in [
        (
            r#"{"Version":1,"AccessKeyId":"AKIAX","SecretAccessKey":"s","SessionToken":"t","Expiration":"2001-01-01T00:00:00Z"}"#.to_string(),
            "expired at 2001-01-01T00:00:00Z",
        ),
        (
            format!(r#"{{"Version":1,"AccessKeyId":"AKIA\nexport X=1","SecretAccessKey":"s","Expiration":"{future}"}}"#),
            "access key id contains a character",
        ),
        (
            format!(r#"{{"Version":1,"AccessKeyId":"AKIAX","SecretAccessKey":"s'$(touch pwned)'","Expiration":"{future}"}}"#),
            "secret access key contains a character",
        ),
        (
            r#"{"Version":1,"AccessKeyId":"AKIAX","SecretAccessKey":"","SessionToken":"t"}"#.to_string(),
            "secret access key is empty",
        ),
        (
            r#"{"Version":2,"AccessKeyId":"AKIAX","SecretAccessKey":"s"}"#.to_string(),
            "Version 2",
        ),
        (
            r#"{"Version":1,"AccessKeyId":"AKIAX","SecretAccessKey":"s","Expiration":"tomorrow"}"#.to_string(),
            "not an RFC 3339 time",
        ),
    ] {
        let sandbox = printing(&json);
        let stderr = refused(&run(&sandbox, &[]));
        assert!(stderr.contains(expect), "{json}: {stderr}");
        assert!(!stderr.contains("touch pwned"), "a secret in the message: {stderr}");
    }
}

#[test]
fn its_stderr_cannot_drive_the_terminal() {
    let sandbox = with_process("printf 'bad\\033[2J\\033]0;title\\007' >&2\nexit 2\n");
    let stderr = refused(&run(&sandbox, &[]));
    assert!(!stderr.contains('\u{1b}'), "raw escape: {stderr:?}");
    assert!(stderr.contains(r"bad\u{1b}[2J"), "{stderr}");
}

#[test]
fn valid_output_still_works() {
    let sandbox = printing(
        r#"{"Version":1,"AccessKeyId":"AKIAPROC","SecretAccessKey":"wJalr/K7+=","SessionToken":"Fwo+/=","Expiration":"2099-01-01T00:00:00Z","AccountId":"123456789012"}"#,
    );
    let out = run(&sandbox, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stsenv_tests::exported_value(&out.stdout, "AWS_SECRET_ACCESS_KEY").as_deref(),
        Some("wJalr/K7+=")
    );
    assert!(!Path::new("pwned").exists());
}

//! `mfa_process` (issue 13): the profile's command prints the MFA code, so
//! no one types it; when it fails, one line says why and the terminal prompt
//! (or, without one, exit 3) takes over. The code never leaves the process.

use std::path::{Path, PathBuf};

use stsenv_tests::{exported_value, Moto, Sandbox, SWITCH_ROLE_CREDENTIALS};

use crate::util::{fails, ok};

/// A switch-role setup whose role names `script` as its mfa_process.
fn sandbox_with(script_body: &str) -> (Sandbox, PathBuf) {
    let sandbox = Sandbox::with_moto(Moto::shared());
    let body = script_body.replace("@DIR@", sandbox.path().to_str().expect("utf-8 path"));
    let script = write_script(sandbox.path(), &body);
    // A path with a blank: the value is split like a command line.
    let quoted = format!("'{}'", script.display());
    sandbox
        .config(&format!(
            "[profile base]\nregion = eu-west-1\n\n[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\nsource_profile = base\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\nmfa_process = {quoted} --account alice\nregion = eu-west-1\n"
        ))
        .credentials(SWITCH_ROLE_CREDENTIALS);
    (sandbox, script)
}

fn write_script(dir: &Path, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("otp code.sh");
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700)).unwrap();
    path
}

#[test]
fn a_printed_code_is_used_without_a_terminal_and_never_shown() {
    // The arguments reach the command as argv words.
    let (sandbox, _) = sandbox_with(
        "[ \"$1 $2\" = '--account alice' ] || { echo wrong-args >&2; exit 9; }\necho 731942",
    );
    let out = sandbox
        .stsenv()
        .args(["env", "dev", "--shell", "bash", "--non-interactive"])
        .assert()
        .success();
    let output = out.get_output();
    let key = exported_value(&output.stdout, "AWS_ACCESS_KEY_ID").unwrap();
    assert!(key.starts_with("ASIA"), "role keys expected, got {key}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stdout.contains("731942"), "code on stdout: {stdout}");
    assert!(!stderr.contains("731942"), "code on stderr: {stderr}");
    assert!(!stderr.contains("gave no code"), "{stderr}");
    let explain = ok(&sandbox, &["explain", "dev"]);
    assert!(
        explain.contains("mfa_process") && explain.contains("otp code.sh"),
        "explain shows the mfa_process:\n{explain}"
    );
}

#[test]
fn garbage_is_refused_with_one_line_and_not_repeated() {
    let (sandbox, _) = sandbox_with("echo 12345x-secretish");
    let stderr = fails(&sandbox, &["env", "dev", "--non-interactive"], 3);
    assert!(
        stderr.contains("mfa_process") && stderr.contains("dev") && stderr.contains("six digits"),
        "{stderr}"
    );
    assert!(!stderr.contains("12345x"), "output repeated: {stderr}");
}

#[test]
fn a_failing_command_falls_back() {
    let (sandbox, _) = sandbox_with("echo 864209; exit 4");
    let stderr = fails(&sandbox, &["env", "dev", "--non-interactive"], 3);
    assert!(
        stderr.contains("mfa_process") && stderr.contains("exit"),
        "{stderr}"
    );
    assert!(!stderr.contains("864209"), "{stderr}");
}

#[test]
fn a_hanging_command_is_killed_with_what_it_started() {
    let (sandbox, _) = sandbox_with("sleep 300 &\necho $! > '@DIR@/child.pid'\nwait");
    let pidfile = sandbox.path().join("child.pid");
    let out = sandbox
        .stsenv()
        .env("STSENV_MFA_PROCESS_TIMEOUT", "1")
        .args(["env", "dev", "--non-interactive"])
        .assert()
        .code(3);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(out.get_output().stdout.is_empty());
    assert!(stderr.contains("did not finish within 1 s"), "{stderr}");
    let pid = std::fs::read_to_string(&pidfile).unwrap();
    let proc_dir = PathBuf::from(format!("/proc/{}", pid.trim()));
    // Killed with its group; reaped by init shortly after.
    stsenv_tests::wait_until("the command's child gone after the timeout", || {
        let alive = std::fs::read_to_string(proc_dir.join("stat"))
            .map(|stat| !stat.contains(") Z "))
            .unwrap_or(false);
        (!alive).then_some(())
    });
}

#[test]
fn token_code_wins_over_mfa_process() {
    let (sandbox, _) = sandbox_with("touch '@DIR@/ran'\necho 111111");
    let marker = sandbox.path().join("ran");
    ok(
        &sandbox,
        &["env", "dev", "--token-code", "123456", "--non-interactive"],
    );
    assert!(
        !marker.exists(),
        "mfa_process ran although --token-code was given"
    );
}

#[test]
fn the_prompt_hook_renews_with_it_when_the_mfa_session_is_gone() {
    let (sandbox, _) = sandbox_with("echo run >> '@DIR@/runs'\necho 135790");
    // Assumed (one run), then every cached session gone, as when the MFA
    // session has ended: the hook's renewal needs a new code, and gets it
    // from the command, with no prompt and no message.
    let script = "set -euo pipefail\neval \"$(stsenv init bash)\"\n\
        dev_assume\nfirst=$AWS_ACCESS_KEY_ID\nstsenv cache clear >/dev/null 2>&1\n\
        STSENV_REFRESH_AT=1\n__stsenv_hook\n\
        [[ $AWS_ACCESS_KEY_ID != \"$first\" ]] && echo renewed \"$STSENV_PROFILE\"\n";
    let out = crate::shell_support::run_script(&sandbox, "bash", script);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        crate::shell_support::stdout_ok(&out),
        "renewed dev\n",
        "{stderr}"
    );
    assert!(stderr.is_empty(), "{stderr}");
    let runs = std::fs::read_to_string(sandbox.path().join("runs")).unwrap();
    assert_eq!(runs, "run\nrun\n");
}

//! The commands behind the plugins: `status` (environment only),
//! `env --clipboard` (secret on a pipe, never on stdout), `completions`
//! (committed files up to date) and the dynamic profile completion.

use stsenv_tests::{workspace_root, Sandbox, SWITCH_ROLE_CONFIG, SWITCH_ROLE_CREDENTIALS};

use crate::shell_support::{now, write_executable};

#[test]
fn status_reads_the_environment() {
    let sandbox = Sandbox::new();
    let expiration = jiff_like_rfc3339(now() + 42 * 60 + 30);
    let with_session = |args: &[&str]| {
        sandbox
            .stsenv()
            .args(["status"])
            .args(args)
            .env("STSENV_PROFILE", "dev")
            .env("AWS_CREDENTIAL_EXPIRATION", &expiration)
            .env("STSENV_REFRESH_AT", (now() + 1800).to_string())
            .output()
            .unwrap()
    };
    let prompt = with_session(&["--format", "prompt"]);
    assert!(prompt.status.success());
    let text = String::from_utf8(prompt.stdout).unwrap();
    assert!(text == "dev 42m\n" || text == "dev 41m\n", "{text:?}");
    let human = String::from_utf8(with_session(&[]).stdout).unwrap();
    assert!(human.starts_with("dev: credentials expire in 4"), "{human}");
    let json: serde_json::Value =
        serde_json::from_slice(&with_session(&["--json"]).stdout).unwrap();
    assert_eq!(json["active"], true);
    assert_eq!(json["profile"], "dev");
    assert!(json["seconds_left"].as_i64().unwrap() > 2400);

    // No session: nothing printed, exit 1 (a prompt segment disappears).
    let none = sandbox
        .stsenv()
        .args(["status", "--format", "prompt"])
        .output()
        .unwrap();
    assert_eq!(none.status.code(), Some(1));
    assert!(none.stdout.is_empty() && none.stderr.is_empty());
    let none = sandbox
        .stsenv()
        .args(["status", "--json"])
        .output()
        .unwrap();
    assert_eq!(none.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(none.stdout).unwrap(),
        "{\"active\":false}\n"
    );
}

/// RFC 3339 UTC for an epoch second, via `date` (the tests crate has no time library).
fn jiff_like_rfc3339(epoch: i64) -> String {
    let out = std::process::Command::new("date")
        .args(["-u", "-d", &format!("@{epoch}"), "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn clipboard_gets_the_code_on_stdin_and_the_terminal_gets_no_secret() {
    let sandbox = Sandbox::switch_role();
    let bin = sandbox.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let clip = sandbox.path().join("clipboard");
    let args_file = sandbox.path().join("xclip-args");
    let xclip = bin.join("xclip");
    write_executable(
        &xclip,
        format!(
            "#!/bin/sh\nPATH=/usr/bin:/bin\nprintf '%s\\n' \"$*\" > '{}'\ncat > '{}'\n",
            args_file.display(),
            clip.display()
        ),
    );
    let out = sandbox
        .stsenv()
        .args([
            "env",
            "dev",
            "--shell",
            "bash",
            "--token-code",
            "123456",
            "--clipboard",
        ])
        .env("PATH", &bin)
        .output()
        .unwrap();
    stsenv_tests::succeeded(&out);
    assert!(out.stdout.is_empty(), "nothing on stdout");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr,
        "stsenv: copied bash code for dev to the clipboard (xclip)\n"
    );
    let copied = std::fs::read_to_string(&clip).unwrap();
    assert_eq!(copied.lines().count(), 1, "one line: {copied}");
    assert!(
        copied.starts_with("export AWS_ACCESS_KEY_ID='ASIA"),
        "{copied}"
    );
    assert!(copied.contains("; export AWS_SESSION_TOKEN='"));
    let secret = copied
        .split("AWS_SECRET_ACCESS_KEY='")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    assert!(!stderr.contains(secret));
    let args = std::fs::read_to_string(&args_file).unwrap();
    assert!(
        !args.contains(secret),
        "the secret is never in argv: {args}"
    );
    // The line evaluates in bash.
    let check = std::process::Command::new("bash")
        .args(["-c", &format!("{copied}\nprintf %s \"$STSENV_PROFILE\"")])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&check.stdout), "dev");
}

#[test]
fn committed_completions_are_up_to_date() {
    let sandbox = Sandbox::new();
    for (shell, file) in [
        ("bash", "stsenv.bash"),
        ("zsh", "_stsenv"),
        ("fish", "stsenv.fish"),
        ("powershell", "stsenv.ps1"),
    ] {
        let generated = sandbox
            .stsenv()
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(generated.status.success());
        let committed =
            std::fs::read(workspace_root().join("completions").join(file)).unwrap_or_default();
        assert!(
            generated.stdout == committed,
            "completions/{file} is stale: run `cargo xtask completions`"
        );
    }
}

#[test]
fn dynamic_completion_offers_profile_names() {
    let sandbox = Sandbox::new();
    sandbox
        .config(SWITCH_ROLE_CONFIG)
        .credentials(SWITCH_ROLE_CREDENTIALS);
    let complete = |words: &[&str]| {
        let out = sandbox
            .stsenv()
            .env("_STSENV_COMPLETE", "bash")
            .env("_CLAP_IFS", "\n")
            .env("_CLAP_COMPLETE_INDEX", (words.len() - 1).to_string())
            .arg("--")
            .args(words)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(complete(&["stsenv", "env", "d"]), "dev");
    let all = complete(&["stsenv", "exec", ""]);
    assert!(
        all.lines().any(|l| l == "base") && all.lines().any(|l| l == "dev"),
        "{all}"
    );
    assert_eq!(
        complete(&["stsenv", "env", "--source-profile", "b"]),
        "base"
    );
}

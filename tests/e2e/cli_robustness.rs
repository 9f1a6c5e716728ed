//! The command line against what users and shells really do: options
//! whose values look like flags survive renewal, a closed pipe or a full
//! disk never crashes stsenv, odd key ids never panic `explain`, junk in
//! `STSENV_REFRESH_AT` never reaches shell arithmetic, and a warning is
//! said once.

use std::process::Stdio;

use stsenv_tests::{stsenv_bin, Moto, Sandbox};

use crate::shell_support::{count, counting_fake, init, run_script, stdout_ok, with_binary};
use crate::util::{fails, ok};

const ROLE_ONLY: &str = "\
[profile base]
region = eu-west-1

[profile rt]
role_arn = arn:aws:iam::123456789012:role/robust-rt
source_profile = base
";

fn sandbox() -> Sandbox {
    Sandbox::with_base_keys(Moto::shared(), ROLE_ONLY)
}

#[test]
fn options_that_look_like_flags_survive_renewal_and_cd() {
    let sandbox = sandbox();
    std::fs::write(
        sandbox.path().join("policy.json"),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
    )
    .unwrap();
    std::fs::create_dir_all(sandbox.path().join("elsewhere")).unwrap();
    let script = "set -euo pipefail\n\
        eval \"$(stsenv env rt --session-name=-dev --external-id=--ext --policy policy.json --shell bash)\"\n\
        cd elsewhere\n\
        eval \"$(stsenv env --renew --shell bash)\"\necho \"renewed=$STSENV_PROFILE\"\n\
        stsenv exec -- sh -c 'echo \"exec=$STSENV_PROFILE\"'\n\
        stsenv explain | grep -c -- \"session \\`-dev\\`\"\n";
    let out = stdout_ok(&run_script(&sandbox, "bash", script));
    assert_eq!(out, "renewed=rt\nexec=rt\n1\n");
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let sandbox = sandbox();
    for args in [
        &["profiles"][..],
        &["env", "rt", "--shell", "bash"],
        &["init", "bash"],
    ] {
        // The reading end is closed before stsenv writes anything.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = sandbox
            .command(stsenv_bin())
            .args(args)
            .stdout(Stdio::from(writer))
            .output()
            .unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(out.status.signal(), None, "{args:?} died of a signal");
        assert_ne!(out.status.code(), Some(101), "{args:?} panicked");
        assert!(
            out.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_full_disk_is_one_error_line() {
    let sandbox = sandbox();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = sandbox
        .command(stsenv_bin())
        .args(["profiles"])
        .stdout(Stdio::from(full))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("cannot write to stdout"), "{stderr}");
}

#[test]
fn odd_access_key_ids_never_panic_or_show() {
    let sandbox = Sandbox::new();
    sandbox
        .config("[profile u]\nregion = eu-west-1\n")
        .credentials("[u]\naws_access_key_id = ÄKIAÉÖÜ0123456789ÑÑ\naws_secret_access_key = s\n");
    let out = ok(&sandbox, &["explain", "u"]);
    assert!(!out.contains("ÄKIA") && !out.contains("ÑÑ"), "{out}");
    ok(&sandbox, &["profiles"]);
}

#[test]
fn a_bad_refresh_margin_is_warned_about_once() {
    let sandbox = sandbox();
    let out = sandbox
        .stsenv()
        .env("STSENV_REFRESH_MARGIN", "soon")
        .args(["env", "rt", "--shell", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.matches("STSENV_REFRESH_MARGIN").count(),
        1,
        "{stderr}"
    );
}

#[test]
fn a_token_code_is_checked_before_any_call() {
    let sandbox = sandbox();
    let err = fails(&sandbox, &["env", "rt", "--token-code", "１２３４５６"], 1);
    assert!(err.contains("six digits"), "{err}");
}

#[test]
fn junk_refresh_times_mean_renew_now_without_errors() {
    let sandbox = sandbox();
    // 09 is octal junk to bash; 26 digits overflow fish's `test`; the rest
    // would run code in an arithmetic context.
    for junk in [
        "09",
        "12345678901234567890123456",
        "-5",
        "1e9",
        "a[$(touch pwned)]",
    ] {
        for shell in ["bash", "zsh", "fish"] {
            let (fake, counter) = counting_fake(sandbox.path(), "exit 1");
            let _ = std::fs::remove_file(&counter);
            let plugin = with_binary(&init(&sandbox, shell, &["--no-aliases"]), &fake);
            let file = sandbox.path().join(format!("p.{shell}"));
            std::fs::write(&file, plugin).unwrap();
            let script = match shell {
                "fish" => format!(
                    "source '{}'\nset -gx STSENV_PROFILE rt\nset -gx STSENV_REFRESH_AT '{junk}'\n__stsenv_hook\necho done\n",
                    file.display()
                ),
                _ => format!(
                    "set -u\n. '{}'\nexport STSENV_PROFILE=rt STSENV_REFRESH_AT='{junk}'\n__stsenv_hook\necho done\n",
                    file.display()
                ),
            };
            let out = run_script(&sandbox, shell, &script);
            assert_eq!(stdout_ok(&out), "done\n", "{shell} {junk}");
            let stderr = String::from_utf8_lossy(&out.stderr);
            // Only the hook's own one-line failure report (the fake fails).
            assert_eq!(stderr.lines().count(), 1, "{shell} {junk}: {stderr}");
            assert!(
                stderr.starts_with("stsenv: renewing rt failed"),
                "{shell} {junk}: {stderr}"
            );
            assert_eq!(count(&counter), 1, "{shell} {junk}: renewal attempted once");
            assert!(!sandbox.path().join("pwned").exists(), "{shell} {junk}");
        }
    }
}

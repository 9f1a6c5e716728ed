//! A config or credentials file that exists but cannot be read is an error
//! naming the file, never "profile not found" or an empty profile list.

use std::os::unix::fs::PermissionsExt;

use stsenv_tests::{Sandbox, SWITCH_ROLE_CONFIG, SWITCH_ROLE_CREDENTIALS};

use crate::util::fails;

fn sandbox() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox
        .config(SWITCH_ROLE_CONFIG)
        .credentials(SWITCH_ROLE_CREDENTIALS);
    sandbox
}

fn assert_names(sandbox: &Sandbox, path: &std::path::Path, problem: &str) {
    for args in [
        &["env", "base", "--shell", "bash"][..],
        &["explain", "base"],
        &["profiles"],
        &["credential-process", "base"],
    ] {
        let stderr = fails(sandbox, args, 1);
        assert!(
            stderr.contains(&format!("cannot read {}: {problem}", path.display())),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("not found"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_directory_in_place_of_a_file_is_named() {
    for file in ["config", "credentials"] {
        let sandbox = sandbox();
        let path = sandbox.home().join(".aws").join(file);
        std::fs::remove_file(&path).unwrap();
        std::fs::create_dir(&path).unwrap();
        assert_names(&sandbox, &path, "it is a directory");
    }
}

#[test]
fn an_unreadable_file_is_permission_denied() {
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } == 0 {
        eprintln!(
            "note: running as root, which reads mode-000 files; the permission-denied case is skipped (the directory case covers the code path)"
        );
        return;
    }
    for file in ["config", "credentials"] {
        let sandbox = sandbox();
        let path = sandbox.home().join(".aws").join(file);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
        assert_names(&sandbox, &path, "permission denied");
    }
}

#[test]
fn dev_null_and_missing_files_are_still_empty() {
    let sandbox = sandbox();
    sandbox
        .stsenv()
        .args(["profiles", "--names"])
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            sandbox.path().join("missing"),
        )
        .assert()
        .success()
        .stdout("");
}

#[test]
fn a_home_that_is_no_absolute_path_never_crashes() {
    // HOME is an outside value: `~/x` once sent the home lookup into
    // endless recursion (a stack overflow), whatever the command.
    let sandbox = sandbox();
    for home in ["~/x", "~", "relative/home", "$(touch pwned)"] {
        // With the files named, the commands work as usual.
        for args in [&["profiles", "--names"][..], &["explain", "dev"]] {
            sandbox
                .stsenv()
                .args(args)
                .env("HOME", home)
                .assert()
                .success();
        }
        // Without: a clear answer, never a crash.
        let out = sandbox
            .stsenv()
            .args(["profiles", "--names"])
            .env("HOME", home)
            .env_remove("AWS_CONFIG_FILE")
            .env_remove("AWS_SHARED_CREDENTIALS_FILE")
            .env_remove("STSENV_CACHE_DIR")
            .current_dir(sandbox.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "HOME={home}: {:?} {stderr}",
            out.status
        );
        assert!(
            !stderr.contains("overflow") && !stderr.contains("panicked"),
            "{stderr}"
        );
    }
    assert!(!sandbox.path().join("pwned").exists());
}

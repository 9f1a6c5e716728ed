//! The encrypted file keystore (`stsenv_keyring = file`, or
//! `STSENV_KEYSTORE=file`), in a sandbox HOME with no D-Bus session bus and
//! so no Secret Service: `keys add|import|rotate|list|remove` work as on the
//! OS keystore, `kill -9` at every step leaves a working key, a wrong
//! passphrase changes nothing, no terminal and no passphrase is exit 3, and
//! the secret is nowhere in HOME in clear.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use stsenv_tests::{Moto, Sandbox};

use crate::keys::{iam_keys, mask, new_user, read, setup, text, IamUser, CONFIG};
use crate::shell_tmux::Tmux;

const PASSPHRASE: &str = "correct horse battery staple";

/// `stsenv ARGS` with the file keystore as the default and the passphrase
/// in the environment (never a D-Bus address: the sandbox has none).
fn file_stsenv(sandbox: &Sandbox) -> assert_cmd::Command {
    let mut cmd = sandbox.stsenv();
    cmd.env("STSENV_KEYSTORE", "file")
        .env("STSENV_KEYSTORE_PASSPHRASE", PASSPHRASE);
    cmd
}

fn run(sandbox: &Sandbox, args: &[&str]) -> std::process::Output {
    file_stsenv(sandbox).args(args).output().expect("runs")
}

fn ok(sandbox: &Sandbox, args: &[&str]) -> String {
    let out = run(sandbox, args);
    String::from_utf8(stsenv_tests::succeeded(&out).to_vec()).expect("utf-8")
}

fn keystore_dir(sandbox: &Sandbox) -> PathBuf {
    sandbox.home().join(".local/share/stsenv/keystore")
}

fn keystore_file(sandbox: &Sandbox, profile: &str) -> PathBuf {
    keystore_dir(sandbox).join(format!("{profile}.age"))
}

/// The key the file keystore hands out for `base`.
fn stored_key(sandbox: &Sandbox) -> (String, String) {
    let doc: serde_json::Value =
        serde_json::from_str(&ok(sandbox, &["credential-process", "base"])).expect("JSON");
    (
        doc["AccessKeyId"].as_str().unwrap().to_string(),
        doc["SecretAccessKey"].as_str().unwrap().to_string(),
    )
}

fn arn(sandbox: &Sandbox) -> String {
    let doc: serde_json::Value =
        serde_json::from_str(&ok(sandbox, &["whoami", "base", "--json"])).expect("JSON");
    doc["Arn"].as_str().unwrap().to_string()
}

/// Every file under `dir` whose bytes contain `needle`.
fn files_holding(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file()
                && std::fs::read(&path)
                    .unwrap()
                    .windows(needle.len())
                    .any(|w| w == needle.as_bytes())
            {
                found.push(path);
            }
        }
    }
    found
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn import_use_rotate_list_remove_without_a_secret_service() {
    let moto = Moto::shared();
    let (sandbox, user) = setup(moto);
    let out = run(&sandbox, &["keys", "import", "base"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.contains("encrypted file keystore"), "{said}");
    assert!(said.contains("`stsenv_keyring = file`"), "{said}");
    assert_eq!(
        read(sandbox.config_path()),
        CONFIG.replace(
            "region = eu-west-1\r\n\r\n[profile dev]",
            "region = eu-west-1\r\nstsenv_keyring = file\r\n\r\n[profile dev]"
        )
    );
    assert_eq!(
        read(sandbox.credentials_path()),
        user.credentials_imported()
    );
    let file = keystore_file(&sandbox, "base");
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(&keystore_dir(&sandbox)), 0o700);
    assert!(std::fs::read(&file)
        .unwrap()
        .starts_with(b"age-encryption.org/v1\n"));
    // Nowhere in clear: not in the files, not in their backups.
    assert!(files_holding(sandbox.path(), &user.secret).is_empty());

    // Used from the file: whoami, and a role through an MFA session.
    assert_eq!(arn(&sandbox), user.arn());
    let env = ok(
        &sandbox,
        &["env", "dev", "--shell", "bash", "--token-code", "123456"],
    );
    let key = stsenv_tests::exported_value(env.as_bytes(), "AWS_ACCESS_KEY_ID").unwrap();
    assert_eq!(
        crate::util::assumed_role(moto, &key)["role_arn"],
        "arn:aws:iam::123456789012:role/dev"
    );
    let explain = ok(&sandbox, &["explain", "dev"]);
    assert!(
        explain.contains("read from the encrypted file keystore"),
        "{explain}"
    );
    // The mark alone chooses the file keystore: STSENV_KEYSTORE is not needed.
    let out = sandbox
        .stsenv()
        .env("STSENV_KEYSTORE_PASSPHRASE", PASSPHRASE)
        .args(["whoami", "base", "--json"])
        .output()
        .unwrap();
    assert!(text(stsenv_tests::succeeded(&out)).contains(&user.arn()));

    let list = ok(&sandbox, &["keys", "list", "--json"]);
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    assert_eq!(list[0]["profile"], "base");
    assert_eq!(list[0]["keystore"], "file");
    assert_eq!(list[0]["access_key_id"], mask(&user.key));

    ok(&sandbox, &["keys", "rotate", "base"]);
    let (new_key, new_secret) = stored_key(&sandbox);
    assert_ne!(new_key, user.key);
    assert_eq!(iam_keys(moto, &user.name), std::slice::from_ref(&new_key));
    assert_eq!(arn(&sandbox), user.arn());
    assert!(
        files_holding(sandbox.path(), &new_secret).is_empty(),
        "the new secret is in clear in HOME"
    );
    assert!(files_holding(sandbox.path(), &user.secret).is_empty());

    ok(&sandbox, &["keys", "remove", "base", "--yes"]);
    assert!(!keystore_file(&sandbox, "base").exists());
    assert_eq!(read(sandbox.config_path()), CONFIG);
    assert_eq!(ok(&sandbox, &["keys", "list", "--json"]), "[]\n");
}

#[test]
fn keys_add_from_stdin_leaves_no_secret_in_home() {
    let moto = Moto::shared();
    let user = new_user(moto);
    let sandbox = Sandbox::with_moto(moto);
    sandbox.config("[profile laptop]\nregion = eu-west-1\n");
    let out = file_stsenv(&sandbox)
        .args(["keys", "add", "laptop", "--stdin"])
        .write_stdin(format!("{}\n{}\n", user.key, user.secret))
        .output()
        .unwrap();
    let said = text(stsenv_tests::succeeded(&out));
    assert!(!said.contains(&user.secret) && !text(&out.stderr).contains(&user.secret));
    assert_eq!(
        read(sandbox.config_path()),
        "[profile laptop]\nregion = eu-west-1\nstsenv_keyring = file\n"
    );
    assert!(files_holding(sandbox.path(), &user.secret).is_empty());
    assert!(
        files_holding(sandbox.path(), &user.key).is_empty(),
        "the key id is encrypted too"
    );
    let doc: serde_json::Value =
        serde_json::from_str(&ok(&sandbox, &["whoami", "laptop", "--json"])).unwrap();
    assert_eq!(doc["Arn"], user.arn());
}

#[test]
fn a_wrong_or_missing_passphrase_changes_nothing() {
    let moto = Moto::shared();
    let (sandbox, user) = setup(moto);
    ok(&sandbox, &["keys", "import", "base"]);
    let file = keystore_file(&sandbox, "base");
    let before = std::fs::read(&file).unwrap();
    for args in [
        &["whoami", "base"][..],
        &["keys", "rotate", "base"],
        &["keys", "list"],
    ] {
        let out = sandbox
            .stsenv()
            .env("STSENV_KEYSTORE_PASSPHRASE", "not it")
            .args(args)
            .output()
            .unwrap();
        let err = text(&out.stderr);
        if args[1] == "list" {
            // The listing goes on, the entry says why it cannot be read.
            assert!(text(&out.stdout).contains("is not the passphrase"), "{err}");
            continue;
        }
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(out.stdout.is_empty());
        assert!(
            err.contains("profile `base`")
                && err.contains("STSENV_KEYSTORE_PASSPHRASE is not the passphrase of")
                && err.contains("nothing was changed"),
            "{err}"
        );
    }
    assert_eq!(
        std::fs::read(&file).unwrap(),
        before,
        "the file is untouched"
    );
    assert_eq!(
        iam_keys(moto, &user.name),
        std::slice::from_ref(&user.key),
        "nothing created in IAM"
    );
    // No passphrase and no terminal: a human is needed, exit 3.
    let out = sandbox.stsenv().args(["whoami", "base"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("passphrase") && err.contains("no terminal"),
        "{err}"
    );
    assert_eq!(arn(&sandbox), user.arn());
}

#[test]
fn import_killed_at_any_step_keeps_the_key() {
    let moto = Moto::shared();
    let (sandbox, user) = setup(moto);
    for step in ["import-verified", "import-stored", "import-marked"] {
        let killed = file_stsenv(&sandbox)
            .env("STSENV_TEST_KILL_AT", step)
            .args(["keys", "import", "base"])
            .output()
            .unwrap();
        assert!(
            !killed.status.success(),
            "{step}: the kill point was reached"
        );
        // The profile works after every kill: from the files or from the keystore.
        assert_eq!(arn(&sandbox), user.arn(), "after a kill at {step}");
    }
    ok(&sandbox, &["keys", "import", "base"]);
    assert_eq!(
        read(sandbox.credentials_path()),
        user.credentials_imported()
    );
    assert_eq!(stored_key(&sandbox).0, user.key);
}

#[test]
fn rotate_killed_at_any_step_leaves_a_working_key_stored() {
    let moto = Moto::shared();
    let steps = [
        "started", "created", "pending", "verified", "stored", "deleted",
    ];
    std::thread::scope(|scope| {
        for step in steps {
            scope.spawn(move || {
                let (sandbox, user): (Sandbox, IamUser) = setup(moto);
                ok(&sandbox, &["keys", "import", "base"]);
                let killed = file_stsenv(&sandbox)
                    .env("STSENV_TEST_KILL_AT", step)
                    .args(["keys", "rotate", "base"])
                    .output()
                    .unwrap();
                assert!(
                    !killed.status.success(),
                    "{step}: the kill point was reached"
                );
                assert_eq!(arn(&sandbox), user.arn(), "after a kill at {step}");
                let (stored, _) = stored_key(&sandbox);
                assert!(iam_keys(moto, &user.name).contains(&stored), "{step}");
                let again = run(&sandbox, &["keys", "rotate", "base"]);
                assert!(again.status.success(), "{step}: {}", text(&again.stderr));
                let (stored, _) = stored_key(&sandbox);
                assert_ne!(stored, user.key, "{step}");
                assert_eq!(iam_keys(moto, &user.name), [stored], "{step}");
                // No temporary file of an interrupted write is left behind.
                let names: Vec<String> = std::fs::read_dir(keystore_dir(&sandbox))
                    .unwrap()
                    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect();
                assert_eq!(names, ["base.age"], "{step}");
            });
        }
    });
}

/// On a terminal (tmux): the key, then a new passphrase twice, none of it
/// echoed; later commands ask for the passphrase once.
#[test]
fn the_passphrase_is_asked_on_the_terminal_without_echo() {
    if !crate::util::on_path("tmux") {
        assert!(std::env::var_os("CI").is_none(), "tmux is needed");
        return;
    }
    let moto = Moto::shared();
    let user = new_user(moto);
    let sandbox = Sandbox::with_moto(moto);
    sandbox.config("[profile laptop]\nregion = eu-west-1\n");
    let bin = stsenv_tests::stsenv_bin().display().to_string();
    let tmux = Tmux::start(
        &sandbox,
        &format!(
            "STSENV_KEYSTORE=file {bin} keys add laptop; echo EXIT1=$?; {bin} whoami laptop --json; echo EXIT2=$?; sleep 60"
        ),
    );
    let answer = |prompt: &str, line: &str| {
        tmux.wait_for("keys add", prompt);
        tmux.type_text(line);
        tmux.send(&["Enter"]);
    };
    answer("AWS access key ID for laptop:", &user.key);
    answer(
        "AWS secret access key for laptop (not shown):",
        &user.secret,
    );
    answer("New keystore passphrase for laptop:", PASSPHRASE);
    answer("The same passphrase again:", PASSPHRASE);
    tmux.wait_for("keys add", "EXIT1=");
    answer("Passphrase of the stsenv keystore for laptop:", PASSPHRASE);
    let screen = tmux.wait_for("whoami", "EXIT2=");
    drop(tmux);
    assert!(
        screen.contains("EXIT1=0") && screen.contains("EXIT2=0"),
        "{screen}"
    );
    assert!(screen.contains(&user.arn()), "{screen}");
    for secret in [PASSPHRASE, user.secret.as_str(), user.key.as_str()] {
        assert!(!screen.contains(secret), "echoed:\n{screen}");
    }
    assert!(files_holding(sandbox.path(), &user.secret).is_empty());
    assert!(
        files_holding(sandbox.path(), PASSPHRASE).is_empty(),
        "the passphrase is never stored"
    );
}

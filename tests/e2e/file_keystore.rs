//! The encrypted file keystore (`stsenv_keyring = file`, or
//! `STSENV_KEYSTORE=file`), in a sandbox HOME with no D-Bus session bus and
//! so no Secret Service: `keys add|import|rotate|list|remove` work as on the
//! OS keystore, `kill -9` at every step leaves a working key, a wrong
//! passphrase changes nothing, no terminal and no passphrase is exit 3, and
//! the secret is nowhere in HOME in clear.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use stsenv_tests::{files_containing, Moto, Sandbox};

use crate::keys::{
    iam_keys, mask, new_user, read, rotate_killed_at_any_step, setup, text, Keystore, CONFIG,
    PASSPHRASE,
};

/// The file keystore, as the default, its passphrase in the environment.
const FILE: Keystore = Keystore::File;
use crate::shell_tmux::Tmux;

fn keystore_dir(sandbox: &Sandbox) -> PathBuf {
    sandbox.home().join(".local/share/stsenv/keystore")
}

fn keystore_file(sandbox: &Sandbox, profile: &str) -> PathBuf {
    keystore_dir(sandbox).join(format!("{profile}.age"))
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn import_use_rotate_list_remove_without_a_secret_service() {
    let moto = Moto::shared();
    let (sandbox, user) = setup(moto);
    let out = FILE.run(&sandbox, &["keys", "import", "base"]);
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
    assert!(files_containing(sandbox.path(), &user.secret).is_empty());

    // Used from the file: whoami, and a role through an MFA session.
    assert_eq!(FILE.arn(&sandbox, "base"), user.arn());
    let env = FILE.ok(
        &sandbox,
        &["env", "dev", "--shell", "bash", "--token-code", "123456"],
    );
    let key = stsenv_tests::exported_value(env.as_bytes(), "AWS_ACCESS_KEY_ID").unwrap();
    assert_eq!(
        crate::util::assumed_role(moto, &key)["role_arn"],
        "arn:aws:iam::123456789012:role/dev"
    );
    let explain = FILE.ok(&sandbox, &["explain", "dev"]);
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

    let list = FILE.ok(&sandbox, &["keys", "list", "--json"]);
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    assert_eq!(list[0]["profile"], "base");
    assert_eq!(list[0]["keystore"], "file");
    assert_eq!(list[0]["access_key_id"], mask(&user.key));

    FILE.ok(&sandbox, &["keys", "rotate", "base"]);
    let (new_key, new_secret) = FILE.stored(&sandbox);
    assert_ne!(new_key, user.key);
    assert_eq!(iam_keys(moto, &user.name), std::slice::from_ref(&new_key));
    assert_eq!(FILE.arn(&sandbox, "base"), user.arn());
    assert!(
        files_containing(sandbox.path(), &new_secret).is_empty(),
        "the new secret is in clear in HOME"
    );
    assert!(files_containing(sandbox.path(), &user.secret).is_empty());

    FILE.ok(&sandbox, &["keys", "remove", "base", "--yes"]);
    assert!(!keystore_file(&sandbox, "base").exists());
    assert_eq!(read(sandbox.config_path()), CONFIG);
    assert_eq!(FILE.ok(&sandbox, &["keys", "list", "--json"]), "[]\n");
}

#[test]
fn keys_add_from_stdin_leaves_no_secret_in_home() {
    let moto = Moto::shared();
    let user = new_user(moto);
    let sandbox = Sandbox::with_moto(moto);
    sandbox.config("[profile laptop]\nregion = eu-west-1\n");
    let out = FILE
        .stsenv(&sandbox)
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
    assert!(files_containing(sandbox.path(), &user.secret).is_empty());
    assert!(
        files_containing(sandbox.path(), &user.key).is_empty(),
        "the key id is encrypted too"
    );
    let doc: serde_json::Value =
        serde_json::from_str(&FILE.ok(&sandbox, &["whoami", "laptop", "--json"])).unwrap();
    assert_eq!(doc["Arn"], user.arn());
}

#[test]
fn a_wrong_or_missing_passphrase_changes_nothing() {
    let moto = Moto::shared();
    let (sandbox, user) = setup(moto);
    FILE.ok(&sandbox, &["keys", "import", "base"]);
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
    assert_eq!(FILE.arn(&sandbox, "base"), user.arn());
}

#[test]
fn import_killed_at_any_step_keeps_the_key() {
    let moto = Moto::shared();
    let (sandbox, user) = setup(moto);
    for step in ["import-verified", "import-stored", "import-marked"] {
        FILE.killed_at(&sandbox, step, &["keys", "import", "base"]);
        // The profile works after every kill: from the files or from the keystore.
        assert_eq!(
            FILE.arn(&sandbox, "base"),
            user.arn(),
            "after a kill at {step}"
        );
    }
    FILE.ok(&sandbox, &["keys", "import", "base"]);
    assert_eq!(
        read(sandbox.credentials_path()),
        user.credentials_imported()
    );
    assert_eq!(FILE.stored(&sandbox).0, user.key);
}

#[test]
fn rotate_killed_at_any_step_leaves_a_working_key_stored() {
    rotate_killed_at_any_step(FILE, |sandbox, step| {
        // No temporary file of an interrupted write is left behind.
        let names: Vec<String> = std::fs::read_dir(keystore_dir(sandbox))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["base.age"], "{step}");
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
    assert!(files_containing(sandbox.path(), &user.secret).is_empty());
    assert!(
        files_containing(sandbox.path(), PASSPHRASE).is_empty(),
        "the passphrase is never stored"
    );
}

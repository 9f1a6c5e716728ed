//! A config of 5,000 role profiles (what `sso populate` writes for a large
//! organisation): every `<alias>_assume` function is defined in bash, zsh
//! and fish and assumes its profile, late names complete, and the parsed
//! config kept in the cache (the config index) follows every edit.

use std::process::Output;
use std::time::{Duration, SystemTime};

use stsenv_tests::{Moto, Sandbox, SWITCH_ROLE_CREDENTIALS};

const PROFILES: usize = 5000;

/// `[profile base]` (keys in the credentials file) and 5,000 roles from it.
fn big_config() -> String {
    let mut text = String::from("[profile base]\nregion = eu-west-1\n");
    for i in 0..PROFILES {
        text += &format!(
            "\n[profile team-{i:04}-admin]\nrole_arn = arn:aws:iam::{:012}:role/admin\nsource_profile = base\nregion = eu-west-1\n",
            100_000_000_000u64 + i as u64
        );
    }
    text
}

fn big_sandbox(moto: &Moto) -> Sandbox {
    let sandbox = Sandbox::with_moto(moto);
    sandbox.config(&big_config());
    sandbox.credentials(SWITCH_ROLE_CREDENTIALS);
    sandbox
}

fn run(sandbox: &Sandbox, shell: &str, script: &str) -> String {
    let out: Output = sandbox
        .command(shell)
        .args(if shell == "fish" {
            vec!["--no-config", "-c", script]
        } else if shell == "zsh" {
            vec!["-f", "-c", script]
        } else {
            vec!["--norc", "--noprofile", "-c", script]
        })
        .env("STSENV", stsenv_tests::stsenv_bin())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{shell}: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn every_profile_has_its_function_in_every_shell() {
    let sandbox = big_sandbox(Moto::shared());
    let bash = "eval \"$(\"$STSENV\" init bash)\"\n\
        declare -F | grep -c ' team_[0-9]*_admin_assume$'\n\
        team_4999_admin_assume\n\
        printf '%s %s\\n' \"$STSENV_PROFILE\" \"${AWS_SESSION_TOKEN:+token}\"\n";
    let out = run(&sandbox, "bash", bash);
    assert_eq!(out, format!("{PROFILES}\nteam-4999-admin token\n"));

    let zsh = "eval \"$(\"$STSENV\" init zsh)\"\n\
        print -l ${(k)functions} | grep -c '^team_[0-9]*_admin_assume$'\n\
        team_0000_admin_assume\n\
        print -r -- \"$STSENV_PROFILE ${AWS_SESSION_TOKEN:+token}\"\n";
    let out = run(&sandbox, "zsh", zsh);
    assert_eq!(out, format!("{PROFILES}\nteam-0000-admin token\n"));

    let fish = "$STSENV init fish | source\n\
        functions --all --names | string match -r '^team_\\d+_admin_assume$' | count\n\
        team_2500_admin_assume\n\
        echo $STSENV_PROFILE (set -q AWS_SESSION_TOKEN; and echo token)\n";
    let out = run(&sandbox, "fish", fish);
    assert_eq!(out, format!("{PROFILES}\nteam-2500-admin token\n"));
}

#[test]
fn a_late_profile_name_completes() {
    let sandbox = big_sandbox(Moto::shared());
    let bash = "eval \"$(\"$STSENV\" init bash)\"\n\
        COMP_WORDS=(stsenv explain team-4998); COMP_CWORD=2; COMP_TYPE=9\n\
        _stsenv_complete stsenv team-4998 stsenv\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
    let out = run(&sandbox, "bash", bash);
    assert_eq!(
        out.split_whitespace().collect::<Vec<_>>(),
        ["team-4998-admin"]
    );
    let fish = "$STSENV init fish | source\ncomplete -C 'stsenv explain team-4999'\n";
    let out = run(&sandbox, "fish", fish);
    assert!(out.contains("team-4999-admin"), "{out}");
}

fn explain(sandbox: &Sandbox, profile: &str) -> String {
    let out = sandbox
        .stsenv()
        .args(["explain", profile])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Set the config's mtime back to `when` (its ctime cannot be set back).
fn set_mtime(sandbox: &Sandbox, when: SystemTime) {
    std::fs::File::options()
        .write(true)
        .open(sandbox.config_path())
        .unwrap()
        .set_modified(when)
        .unwrap();
}

/// A file changed in the last two seconds is not indexed (a later write in
/// the same timestamp tick could keep its stat); wait until it is older.
fn let_config_age() {
    std::thread::sleep(Duration::from_millis(2100));
}

#[test]
fn files_with_long_term_keys_are_never_indexed() {
    // The big sandbox keeps `base`'s keys in the credentials file: those
    // are never copied into the cache dir, so nothing is indexed.
    let sandbox = big_sandbox(Moto::shared());
    let_config_age();
    let out = explain(&sandbox, "team-4000-admin");
    assert!(out.contains("100000004000:role/admin "), "{out}");
    assert!(!sandbox.cache_dir().join("config-index.note").exists());
}

#[test]
fn the_config_index_follows_every_edit() {
    // `base` takes its keys from the environment: the files hold no secret.
    let sandbox = Sandbox::with_moto(Moto::shared());
    sandbox.config(&big_config().replace(
        "[profile base]\nregion = eu-west-1\n",
        "[profile base]\nregion = eu-west-1\ncredential_source = Environment\nrole_arn = arn:aws:iam::123456789012:role/base\n",
    ));
    let index = sandbox.cache_dir().join("config-index.note");
    let_config_age();
    let out = explain(&sandbox, "team-4000-admin");
    assert!(out.contains("100000004000:role/admin "), "{out}");
    assert!(index.exists(), "the first run keeps the parsed config");
    // Read back from the index.
    assert_eq!(explain(&sandbox, "team-4000-admin"), out);

    // An edit that changes the size.
    let text = std::fs::read_to_string(sandbox.config_path())
        .unwrap()
        .replace("100000004000:role/admin\n", "100000004000:role/operator\n");
    sandbox.config(&text);
    let out = explain(&sandbox, "team-4000-admin");
    assert!(out.contains("100000004000:role/operator "), "{out}");

    // Index the edited file, then change one character without changing
    // the size, in place (same inode), and set the mtime back: the ctime
    // still differs, so the index is not used.
    let_config_age();
    explain(&sandbox, "team-4000-admin");
    let mtime = std::fs::metadata(sandbox.config_path())
        .unwrap()
        .modified()
        .unwrap();
    let before_index = std::fs::read(&index).unwrap();
    let same_size = text.replace(
        "100000004000:role/operator\n",
        "100000004000:role/operatoR\n",
    );
    assert_eq!(same_size.len(), text.len());
    std::fs::write(sandbox.config_path(), &same_size).unwrap();
    set_mtime(&sandbox, mtime);
    let out = explain(&sandbox, "team-4000-admin");
    assert!(out.contains("100000004000:role/operatoR "), "{out}");
    assert_eq!(
        std::fs::read(&index).unwrap(),
        before_index,
        "a file changed just now is parsed, not indexed"
    );

    // A damaged index is a miss, never an error.
    std::fs::write(&index, b"stsenvI\n\xff\xff\xff\xff").unwrap();
    let out = explain(&sandbox, "team-4000-admin");
    assert!(out.contains("100000004000:role/operatoR "), "{out}");
}

#[test]
fn a_damaged_index_record_answers_like_the_files() {
    let sandbox = Sandbox::with_moto(Moto::shared());
    sandbox.config(&big_config().replace(
        "[profile base]\nregion = eu-west-1\n",
        "[profile base]\nregion = eu-west-1\ncredential_source = Environment\nrole_arn = arn:aws:iam::123456789012:role/base\n",
    ));
    let index = sandbox.cache_dir().join("config-index.note");
    let_config_age();
    let out = explain(&sandbox, "team-4000-admin");
    assert!(out.contains("100000004000:role/admin "), "{out}");
    // One letter of the role ARN in the index changed: a plausible value
    // that only the record's checksum tells from the real one.
    let mut bytes = std::fs::read(&index).unwrap();
    let arn = b"100000004000:role/admin";
    let at = bytes.windows(arn.len()).position(|w| w == arn).unwrap();
    bytes[at + arn.len() - 1] = b'N';
    std::fs::write(&index, &bytes).unwrap();
    assert_eq!(explain(&sandbox, "team-4000-admin"), out);
    // The files were parsed instead, and indexed again, soundly.
    let repaired = std::fs::read(&index).unwrap();
    assert_ne!(repaired, bytes);
    assert!(repaired.windows(arn.len()).any(|w| w == arn));
    assert_eq!(explain(&sandbox, "team-4000-admin"), out);
}

#[test]
fn init_replans_when_the_config_changes() {
    let sandbox = Sandbox::new();
    let broken = "[profile base]\nregion = eu-west-1\n[profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = base\n[profile b]\nrole_arn = arn:aws:iam::123456789012:role/b\nsource_profile = nowhere\n";
    sandbox.config(broken);
    sandbox.credentials(SWITCH_ROLE_CREDENTIALS);
    let init = || {
        let out = sandbox.stsenv().args(["init", "bash"]).output().unwrap();
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let_config_age();
    let first = init();
    assert!(first.contains("a_assume()") && !first.contains("b_assume()"));
    assert!(sandbox.cache_dir().join("init-profiles.note").exists());
    // From the kept list: the same functions.
    assert_eq!(init(), first);
    // `b` fixed (in place, same size, mtime set back): planned again.
    let mtime = std::fs::metadata(sandbox.config_path())
        .unwrap()
        .modified()
        .unwrap();
    sandbox.config(&broken.replace("= nowhere", "= base\n# "));
    set_mtime(&sandbox, mtime);
    let fixed = init();
    assert!(
        fixed.contains("a_assume()") && fixed.contains("b_assume()"),
        "{fixed}"
    );
}

//! A config of 5,000 role profiles (what `sso populate` writes for a large
//! organisation): every `<alias>_assume` function is defined in bash, zsh
//! and fish and assumes its profile, late names complete, and the parsed
//! config kept in the cache (the config index) follows every edit.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, SystemTime};

use stsenv_tests::{Moto, Sandbox, SWITCH_ROLE_CREDENTIALS};

use crate::shell_support::init;
use crate::shell_tmux::{start_command, Tmux};

const PROFILES: usize = 5000;

/// `[profile base]` (keys in the credentials file) and 5,000 roles from it.
fn big_config() -> String {
    roles_config(PROFILES)
}

/// `[profile base]` and `count` roles from it, `team-NNNN-admin`.
fn roles_config(count: usize) -> String {
    let mut text = String::from("[profile base]\nregion = eu-west-1\n");
    for i in 0..count {
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
    run_with(sandbox, shell, script, &[])
}

fn run_with(sandbox: &Sandbox, shell: &str, script: &str, env: &[(&str, &Path)]) -> String {
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
        .envs(env.iter().copied())
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
    let_config_age();
    // With a cache dir it can use, `init` keeps the 5,000 functions in a
    // file there that the plugin sources; with none (a directory others
    // can write to is not used), it prints them itself.
    let shared = sandbox.path().join("shared-cache");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).unwrap();
    for cache_dir in [sandbox.cache_dir(), shared.clone()] {
        let env = [("STSENV_CACHE_DIR", cache_dir.as_path())];
        // bash reads the file when a function is first needed: none is
        // defined before, all are after.
        let bash = "eval \"$(\"$STSENV\" init bash)\"\n\
            declare -F | grep -c ' team_[0-9]*_admin_assume$' || true\n\
            team_4999_admin_assume\n\
            declare -F | grep -c ' team_[0-9]*_admin_assume$'\n\
            printf '%s %s\\n' \"$STSENV_PROFILE\" \"${AWS_SESSION_TOKEN:+token}\"\n";
        let out = run_with(&sandbox, "bash", bash, &env);
        let before = if cache_dir == shared { PROFILES } else { 0 };
        assert_eq!(
            out,
            format!("{before}\n{PROFILES}\nteam-4999-admin token\n")
        );

        // zsh autoloads the names when a command first mentions one (the
        // count below does not: `_assum[e]`), then all of them.
        let zsh = "eval \"$(\"$STSENV\" init zsh)\"\n\
            print -l ${(k)functions} | grep -c '^team_[0-9]*_admin_assum[e]$' || true\n\
            team_0000_admin_assume\n\
            print -l ${(k)functions} | grep -c '^team_[0-9]*_admin_assum[e]$'\n\
            print -r -- \"$STSENV_PROFILE ${AWS_SESSION_TOKEN:+token}\"\n";
        let out = run_with(&sandbox, "zsh", zsh, &env);
        assert_eq!(
            out,
            format!("{before}\n{PROFILES}\nteam-0000-admin token\n")
        );

        let fish = "$STSENV init fish | source\n\
            functions --all --names | string match -r '^team_\\d+_admin_assume$' | count\n\
            team_2500_admin_assume\n\
            echo $STSENV_PROFILE (set -q AWS_SESSION_TOKEN; and echo token)\n";
        let out = run_with(&sandbox, "fish", fish, &env);
        assert_eq!(out, format!("{PROFILES}\nteam-2500-admin token\n"));

        for shell in ["bash", "zsh", "fish"] {
            let out = sandbox
                .stsenv()
                .args(["init", shell])
                .envs(env)
                .output()
                .unwrap();
            assert!(out.status.success());
            let plugin = String::from_utf8(out.stdout).unwrap();
            let sourced = functions_files(&cache_dir, shell);
            if cache_dir == shared {
                assert!(plugin.contains("team_4999_admin_assume"), "{shell}");
                assert!(sourced.is_empty(), "{shell}: {sourced:?}");
            } else {
                assert!(plugin.len() < 20_000, "{shell}: {} bytes", plugin.len());
                assert_eq!(sourced.len(), 1, "{shell}: {sourced:?}");
                assert!(plugin.contains(&sourced[0]), "{shell}: {plugin}");
                // bash sources one file; zsh and fish autoload from a
                // directory of one file per function.
                let mode = std::fs::metadata(&sourced[0]).unwrap().permissions().mode();
                let private = if shell == "bash" { 0o600 } else { 0o700 };
                assert_eq!(mode & 0o777, private, "{shell}");
                assert_eq!(sourced[0].ends_with(".d"), shell != "bash", "{shell}");
            }
        }
    }
}

/// The files of `SHELL` functions in `cache_dir` (their paths).
fn functions_files(cache_dir: &Path, shell: &str) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(cache_dir) else {
        return Vec::new();
    };
    let mut files: Vec<String> = dir
        .flatten()
        .map(|item| item.path().display().to_string())
        .filter(|path| path.contains(&format!("/functions-{shell}-")))
        .collect();
    files.sort();
    files
}

#[test]
fn late_names_complete_at_a_terminal() {
    for shell in crate::shell_support::SHELLS {
        let sandbox = big_sandbox(Moto::shared());
        let_config_age();
        let tmux = Tmux::start(&sandbox, &start_command(&sandbox, shell));
        tmux.wait_for(shell, "READY$");
        // A profile name, completed by stsenv itself.
        tmux.type_text("stsenv explain team-4998-a");
        tmux.send(&["Tab"]);
        tmux.wait_for(
            &format!("{shell}: profile"),
            "stsenv explain team-4998-admin",
        );
        tmux.interrupt(shell);
        // A function name (from the file the plugin sourced), completed by
        // the shell, and then run.
        tmux.type_text("team_4997_admin_ass");
        tmux.send(&["Tab"]);
        tmux.wait_for(&format!("{shell}: function"), "team_4997_admin_assume");
        tmux.send(&["Enter"]);
        tmux.type_text("echo \"P=$STSENV_PROFILE\"");
        tmux.send(&["Enter"]);
        tmux.wait_for(&format!("{shell}: assumed"), "P=team-4997-admin");
        let sourced = functions_files(&sandbox.cache_dir(), shell);
        assert_eq!(sourced.len(), 1, "{shell}: {sourced:?}");
    }
}

/// A function typed in full and run, no TAB first: bash reads the
/// functions file only then (its DEBUG trap), zsh and fish have them.
#[test]
fn a_late_function_runs_as_typed_at_a_terminal() {
    for shell in crate::shell_support::SHELLS {
        let sandbox = big_sandbox(Moto::shared());
        let_config_age();
        let tmux = Tmux::start(&sandbox, &start_command(&sandbox, shell));
        tmux.wait_for(shell, "READY$");
        tmux.type_text("team_4996_admin_assume && echo \"P=$STSENV_PROFILE\"");
        tmux.send(&["Enter"]);
        tmux.wait_for(&format!("{shell}: assumed"), "P=team-4996-admin");
    }
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
fn keys_in_the_credentials_file_never_reach_the_cache_dir() {
    // The big sandbox keeps `base`'s keys in the credentials file: the
    // config file is indexed alone, the credentials file is read by every
    // command and never copied into the cache dir.
    let sandbox = big_sandbox(Moto::shared());
    let_config_age();
    let first = explain(&sandbox, "team-4000-admin");
    assert!(first.contains("100000004000:role/admin "), "{first}");
    let index = sandbox.cache_dir().join("config-index.note");
    assert!(index.exists());
    assert_eq!(explain(&sandbox, "team-4000-admin"), first);
    let credentials = std::fs::read_to_string(sandbox.credentials_path()).unwrap();
    let secret = credentials
        .lines()
        .find_map(|l| l.strip_prefix("aws_secret_access_key = "))
        .unwrap();
    for item in std::fs::read_dir(sandbox.cache_dir()).unwrap().flatten() {
        let bytes = std::fs::read(item.path()).unwrap();
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{}",
            item.path().display()
        );
    }
    // The keys changed: the next command sees them (the index is of the
    // config file only).
    sandbox.credentials(&credentials.replace("[base]", "[base]\nregion = ap-south-1"));
    let out = sandbox.stsenv().args(["explain", "base"]).output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("ap-south-1"),
        "{out:?}"
    );
}

/// The big config with no secret in the files (`base` takes its keys from
/// the environment), settled and indexed by a first `explain`: the
/// sandbox, the index's path and that `explain`'s output.
fn indexed_sandbox() -> (Sandbox, PathBuf, String) {
    let sandbox = Sandbox::with_moto(Moto::shared());
    sandbox.config(&big_config().replace(
        "[profile base]\nregion = eu-west-1\n",
        "[profile base]\nregion = eu-west-1\ncredential_source = Environment\nrole_arn = arn:aws:iam::123456789012:role/base\n",
    ));
    let index = sandbox.cache_dir().join("config-index.note");
    let_config_age();
    let out = explain(&sandbox, "team-4000-admin");
    assert!(out.contains("100000004000:role/admin "), "{out}");
    (sandbox, index, out)
}

#[test]
fn the_config_index_follows_every_edit() {
    let (sandbox, index, out) = indexed_sandbox();
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
    let written = std::time::Instant::now();
    std::fs::write(sandbox.config_path(), &same_size).unwrap();
    set_mtime(&sandbox, mtime);
    let out = explain(&sandbox, "team-4000-admin");
    assert!(out.contains("100000004000:role/operatoR "), "{out}");
    // "Just now" is two seconds: only a run that ended within them (not
    // always the case on a loaded machine) certainly saw the file as new.
    if written.elapsed() < Duration::from_secs(2) {
        assert_eq!(
            std::fs::read(&index).unwrap(),
            before_index,
            "a file changed just now is parsed, not indexed"
        );
    }

    // A damaged index is a miss, never an error.
    std::fs::write(&index, b"stsenvI\n\xff\xff\xff\xff").unwrap();
    let out = explain(&sandbox, "team-4000-admin");
    assert!(out.contains("100000004000:role/operatoR "), "{out}");
}

#[test]
fn a_damaged_index_record_answers_like_the_files() {
    let (sandbox, index, out) = indexed_sandbox();
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
    // The plugin without its time of init (bash 3.2's clock), which
    // differs between two runs a second apart on a loaded machine.
    let init = || {
        let out = sandbox.stsenv().args(["init", "bash"]).output().unwrap();
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.starts_with("_STSENV_EPOCH0="))
            .collect::<Vec<_>>()
            .join("\n")
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

/// More profiles than `init` writes into the plugin itself, few enough to
/// be quick: their functions go into a file the plugin sources.
const MANY: usize = 250;

fn many_sandbox() -> Sandbox {
    let sandbox = Sandbox::with_moto(Moto::shared());
    sandbox.config(&roles_config(MANY));
    sandbox.credentials(SWITCH_ROLE_CREDENTIALS);
    let_config_age();
    sandbox
}

#[test]
fn the_functions_file_follows_the_config_and_old_ones_go() {
    let sandbox = many_sandbox();
    init(&sandbox, "bash", &[]);
    let first = functions_files(&sandbox.cache_dir(), "bash");
    assert_eq!(first.len(), 1, "{first:?}");
    // A shell started inside an assumed session (credentials and stsenv's
    // own variables exported) finds the same inputs: nothing is planned
    // again. Another region is another input.
    let remembered = || -> usize {
        let index = std::fs::read(sandbox.cache_dir().join("init-functions.note")).unwrap();
        let index: serde_json::Value = serde_json::from_slice(&index).unwrap();
        index["files"].as_array().unwrap().len()
    };
    assert_eq!(remembered(), 1);
    let in_session = sandbox
        .stsenv()
        .args(["init", "bash"])
        .envs([
            ("AWS_ACCESS_KEY_ID", "ASIAIOSFODNN7EXAMPLE"),
            (
                "AWS_SECRET_ACCESS_KEY",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            ),
            ("AWS_SESSION_TOKEN", "token"),
            ("AWS_CREDENTIAL_EXPIRATION", "2030-01-01T00:00:00Z"),
            ("STSENV_PROFILE", "team-0001-admin"),
            ("STSENV_REFRESH_AT", "1893456000"),
            ("STSENV_VARS", "AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY"),
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&in_session.stdout).contains(&first[0]));
    assert_eq!(remembered(), 1);
    let elsewhere = sandbox
        .stsenv()
        .args(["init", "bash"])
        .env("AWS_REGION", "ap-south-1")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&elsewhere.stdout).contains(&first[0]));
    assert_eq!(remembered(), 2);
    // PowerShell's plugin carries its functions itself.
    assert!(init(&sandbox, "powershell", &[]).contains("function global:team_0249_admin_assume"));
    assert!(functions_files(&sandbox.cache_dir(), "powershell").is_empty());
    // The same inputs: the same file, not written again.
    let written = std::fs::metadata(&first[0]).unwrap().modified().unwrap();
    init(&sandbox, "bash", &[]);
    assert_eq!(functions_files(&sandbox.cache_dir(), "bash"), first);
    assert_eq!(
        std::fs::metadata(&first[0]).unwrap().modified().unwrap(),
        written
    );

    // A new profile: a new file that defines it, sourced from now on.
    let added = roles_config(MANY) + "\n[profile late-addition]\nrole_arn = arn:aws:iam::123456789012:role/late\nsource_profile = base\n";
    sandbox.config(&added);
    let_config_age();
    let script =
        "eval \"$(\"$STSENV\" init bash)\"\ntype late_addition_assume >/dev/null && echo defined\n";
    assert_eq!(run(&sandbox, "bash", script), "defined\n");
    let second = functions_files(&sandbox.cache_dir(), "bash");
    assert_eq!(second.len(), 2, "the old file is young: kept a while");
    let new = second.iter().find(|f| !first.contains(f)).unwrap().clone();
    assert!(init(&sandbox, "bash", &[]).contains(&new));

    // Files no remembered config uses are removed once old (younger ones
    // may be another `init`'s, just written); files in use stay, however
    // old.
    let long_ago = SystemTime::now() - Duration::from_secs(3600);
    let set_old = |file: &Path| {
        std::fs::File::options()
            .write(true)
            .open(file)
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
    };
    let orphan = sandbox
        .cache_dir()
        .join("functions-bash-0123456789abcdef01234567.note");
    let young_orphan = sandbox
        .cache_dir()
        .join("functions-zsh-0123456789abcdef01234567.note");
    for file in [&orphan, &young_orphan] {
        std::fs::write(file, "true\n").unwrap();
    }
    set_old(&orphan);
    second.iter().for_each(|f| set_old(Path::new(f)));
    sandbox.config(&roles_config(MANY));
    let_config_age();
    init(&sandbox, "bash", &[]);
    assert!(!orphan.exists());
    assert!(young_orphan.exists());
    assert_eq!(functions_files(&sandbox.cache_dir(), "bash"), second);
}

#[test]
fn the_sourced_file_is_never_a_way_in() {
    // A cache dir whose path is shell syntax: quoted, never run.
    let sandbox = Sandbox::with_moto(Moto::shared());
    sandbox.config(&roles_config(MANY));
    sandbox.credentials(SWITCH_ROLE_CREDENTIALS);
    let odd = sandbox.path().join("it's $(touch pwned) `touch pwned`");
    let env = [("STSENV_CACHE_DIR", odd.as_path())];
    let_config_age();
    let script = "set -euo pipefail\neval \"$(\"$STSENV\" init bash)\"\n\
        type team_0249_admin_assume >/dev/null && echo defined\n";
    assert_eq!(run_with(&sandbox, "bash", script, &env), "defined\n");
    let fish =
        "$STSENV init fish | source\nfunctions -q team_0249_admin_assume; and echo defined\n";
    assert_eq!(run_with(&sandbox, "fish", fish, &env), "defined\n");
    assert_eq!(functions_files(&odd, "bash").len(), 1);
    assert!(!sandbox.path().join("pwned").exists());

    // The file swapped for a link to someone else's script: not sourced;
    // `init` writes its own file again.
    let sandbox = many_sandbox();
    init(&sandbox, "bash", &[]);
    let file = functions_files(&sandbox.cache_dir(), "bash").remove(0);
    let evil = sandbox.path().join("evil.sh");
    std::fs::write(&evil, "touch pwned\n").unwrap();
    std::fs::remove_file(&file).unwrap();
    std::os::unix::fs::symlink(&evil, &file).unwrap();
    let script = "eval \"$(\"$STSENV\" init bash)\"\ntype team_0000_admin_assume >/dev/null && echo defined\n";
    assert_eq!(run(&sandbox, "bash", script), "defined\n");
    assert!(!sandbox.path().join("pwned").exists());
    assert!(!std::fs::symlink_metadata(&file).unwrap().is_symlink());

    // An index that names another shell's file for bash: not believed.
    init(&sandbox, "fish", &[]);
    let fish_file = functions_files(&sandbox.cache_dir(), "fish").remove(0);
    let fish_note = Path::new(&fish_file).file_stem().unwrap().to_str().unwrap();
    let index_path = sandbox.cache_dir().join("init-functions.note");
    let mut index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&index_path).unwrap()).unwrap();
    for served in index["files"].as_array_mut().unwrap() {
        served["note"] = fish_note.into();
    }
    std::fs::write(&index_path, index.to_string()).unwrap();
    let plugin = init(&sandbox, "bash", &[]);
    assert!(!plugin.contains(&fish_file), "{plugin}");
    assert!(plugin.contains(&file), "{plugin}");

    // The file gone between `init` and the shell reading it (a `cache
    // clear` at that moment): the plugin still loads under strict flags.
    let plugin = init(&sandbox, "bash", &[]);
    std::fs::remove_file(&file).unwrap();
    let script =
        format!("set -euo pipefail\n{plugin}\ntype stsenv_assume >/dev/null && echo loaded\n");
    assert_eq!(run(&sandbox, "bash", &script), "loaded\n");
}

/// The first `init bash` after a large config changed parses and plans
/// nothing: the plugin asks stsenv for the functions file when a function
/// is first needed (bash reads it only then anyway), from the files as
/// they are at that moment, and that file serves the `init`s after.
#[test]
fn the_first_bash_init_of_a_large_config_leaves_its_functions_for_later() {
    let sandbox = big_sandbox(Moto::shared());
    let cache_dir = sandbox.cache_dir();
    let_config_age();
    let plugin = init(&sandbox, "bash", &[]);
    assert!(
        plugin.contains("\n__stsenv_functions_from later\n"),
        "{plugin}"
    );
    assert!(!plugin.contains("team_0000_admin_assume"));
    for note in ["config-index.note", "init-profiles.note"] {
        assert!(!cache_dir.join(note).exists(), "{note}: nothing parsed");
    }
    assert!(functions_files(&cache_dir, "bash").is_empty());

    // Typed as it is, under strict flags: the file is written and read then.
    let script = format!(
        "set -euo pipefail\n{plugin}\ndeclare -F | grep -c '_admin_assume$' || true\n\
         team_0042_admin_assume\nprintf '%s\\n' \"$STSENV_PROFILE\"\n\
         declare -F | grep -c '_admin_assume$'\n"
    );
    assert_eq!(
        run(&sandbox, "bash", &script),
        format!("0\nteam-0042-admin\n{PROFILES}\n")
    );
    let written = functions_files(&cache_dir, "bash");
    assert_eq!(written.len(), 1, "{written:?}");
    let plugin = init(&sandbox, "bash", &[]);
    assert!(plugin.contains(&written[0]), "the next init names the file");

    // The config changes between `init` and the first use: the functions
    // are those of the files as they are then.
    sandbox.config(&(big_config() + "\n[profile first-addition]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = base\n"));
    let_config_age();
    let plugin = init(&sandbox, "bash", &[]);
    assert!(
        plugin.contains("\n__stsenv_functions_from later\n"),
        "a new config"
    );
    sandbox.config(&(big_config() + "\n[profile second-addition]\nrole_arn = arn:aws:iam::123456789012:role/b\nsource_profile = base\n"));
    let script = format!(
        "set -euo pipefail\n{plugin}\ntype second_addition_assume >/dev/null && echo defined\n\
         type first_addition_assume >/dev/null 2>&1 || echo gone\n"
    );
    assert_eq!(run(&sandbox, "bash", &script), "defined\ngone\n");

    // A config broken by then: no functions and one clear line on stderr;
    // the shell goes on.
    let_config_age();
    let plugin = init(&sandbox, "bash", &[]);
    assert!(plugin.contains("\n__stsenv_functions_from later\n"));
    std::fs::write(sandbox.config_path(), big_config() + "\n[profile broken\n").unwrap();
    let out = sandbox
        .command("bash")
        .args(["--norc", "--noprofile", "-c"])
        .arg(format!(
            "set -euo pipefail\n{plugin}\ntype team_0001_admin_assume >/dev/null 2>&1 || echo missing\n"
        ))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "missing\n");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no <profile>_assume functions"), "{stderr}");
    assert!(
        stderr.contains(&sandbox.config_path().display().to_string()),
        "{stderr}"
    );

    // A plugin that carries its functions has no file to name.
    let out = sandbox
        .stsenv()
        .args(["init", "powershell", "--functions-file"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
}

/// zsh, like bash, leaves a large config's functions for first use: the
/// first `init` plans nothing, and the plugin autoloads the names when a
/// command first mentions one (a DEBUG trap that then removes itself) or
/// before the first completion; a DEBUG trap of another tool is kept, and
/// the names load at once.
#[test]
fn zsh_loads_a_large_configs_functions_when_first_needed() {
    let sandbox = big_sandbox(Moto::shared());
    let cache_dir = sandbox.cache_dir();
    let_config_age();
    let plugin = init(&sandbox, "zsh", &[]);
    assert!(
        plugin.contains("\n__stsenv_functions_from later\n"),
        "{plugin}"
    );
    assert!(
        !cache_dir.join("init-profiles.note").exists(),
        "nothing planned"
    );
    assert!(functions_files(&cache_dir, "zsh").is_empty());

    // The counts below do not mention a function (`_assum[e]`); `false`
    // keeps its status through the pending trap.
    let count = "print -l ${(k)functions} | grep -c '_admin_assum[e]$' || true";
    let script = format!(
        "setopt nounset errreturn\n{plugin}\n{count}\n\
         false || print -r -- \"status $?\"\n\
         team_0042_admin_assume\nprint -r -- \"$STSENV_PROFILE\"\n{count}\n\
         [[ \"$(trap)\" == *__stsenv_lazy_functions* ]] || print -r -- 'trap gone'\n"
    );
    assert_eq!(
        run(&sandbox, "zsh", &script),
        format!("0\nstatus 1\nteam-0042-admin\n{PROFILES}\ntrap gone\n")
    );
    let written = functions_files(&cache_dir, "zsh");
    assert_eq!(written.len(), 1, "{written:?}");
    let plugin = init(&sandbox, "zsh", &[]);
    assert!(
        plugin.contains(&format!("__stsenv_functions_from '{}'", written[0])),
        "the next init names the directory: {plugin}"
    );

    // Completion's pre-functions load them (what compinit's
    // `_main_complete` runs before the first completion).
    let script = format!("{plugin}\nfor f in $compprefuncs; do $f; done\n{count}\n");
    assert_eq!(run(&sandbox, "zsh", &script), format!("{PROFILES}\n"));

    // Another tool's DEBUG trap stays, and the names load at once.
    let script = format!(
        "trap ': mine' DEBUG\n{plugin}\n{count}\n\
         [[ \"$(trap)\" == *mine*DEBUG* ]] && print -r -- kept\n"
    );
    assert_eq!(run(&sandbox, "zsh", &script), format!("{PROFILES}\nkept\n"));
}

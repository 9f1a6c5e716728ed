//! The cache directory is trusted the way ssh trusts `~/.ssh`, its files
//! are never followed or blocked on, tampered entries are misses, and a
//! caller that cannot prompt never queues behind one that is prompting.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::{symlink, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use stsenv_tests::{exported_value, stsenv_bin, Moto, Sandbox, SWITCH_ROLE_CONFIG};

/// `dev` (role with MFA) and `plain` (role without MFA), both from `base`.
fn setup() -> Sandbox {
    Sandbox::with_base_keys(Moto::shared(), &format!(
            "{SWITCH_ROLE_CONFIG}\n[profile plain]\nrole_arn = arn:aws:iam::123456789012:role/hardening-plain\nsource_profile = base\n"
        ))
}

/// `stsenv env plain` (bash), with a hang guard.
fn env_plain(sandbox: &Sandbox, env: &[(&str, &str)]) -> Output {
    sandbox
        .stsenv()
        .args(["env", "plain", "--shell", "bash"])
        .envs(env.iter().copied())
        .current_dir(sandbox.path())
        .timeout(stsenv_tests::PATIENCE)
        .output()
        .expect("stsenv runs")
}

/// Assert success and return (access key, stderr).
fn served(out: &Output) -> (String, String) {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    let key = exported_value(&out.stdout, "AWS_ACCESS_KEY_ID").expect("a key is exported");
    (key, stderr)
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

/// The one cached entry of `plain` after a first run.
fn entry_of_plain(sandbox: &Sandbox) -> PathBuf {
    served(&env_plain(sandbox, &[]));
    let entries: Vec<PathBuf> = files(&sandbox.cache_dir())
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    entries[0].clone()
}

/// Replace the credentials of the entry at `path` with planted ones.
fn plant(path: &Path, key: &str, secret: &str) {
    let mut entry: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    entry["credentials"]["access_key_id"] = key.into();
    entry["credentials"]["secret_access_key"] = secret.into();
    std::fs::write(path, serde_json::to_vec(&entry).unwrap()).unwrap();
}

#[test]
fn a_symlinked_cache_dir_is_neither_followed_nor_chmodded() {
    let sandbox = setup();
    let target = sandbox.path().join("elsewhere");
    std::fs::create_dir(&target).unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o755)).unwrap();
    symlink(&target, sandbox.cache_dir()).unwrap();
    for _ in 0..2 {
        let (_, stderr) = served(&env_plain(&sandbox, &[]));
        assert!(stderr.contains("symbolic link"), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "warned once: {stderr}");
    }
    assert_eq!(mode(&target), 0o755, "the link's target was chmodded");
    assert!(files(&target).is_empty(), "written through the link");
}

#[test]
fn a_dir_of_another_user_or_open_to_others_is_not_read() {
    for (owner, dir_mode) in [
        (Some(4242), 0o700),
        (None, 0o777),
        (None, 0o770),
        (None, 0o755),
    ] {
        let sandbox = setup();
        let entry = entry_of_plain(&sandbox);
        plant(&entry, "ASIAPLANTED000000000", "planted");
        let dir = sandbox.cache_dir();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(dir_mode)).unwrap();
        if let Some(uid) = owner {
            std::os::unix::fs::chown(&dir, Some(uid), Some(uid)).unwrap();
        }
        let (key, stderr) = served(&env_plain(&sandbox, &[]));
        assert_ne!(key, "ASIAPLANTED000000000", "a planted entry was served");
        match owner {
            Some(uid) => assert!(
                stderr.contains(&format!("belongs to uid {uid}")),
                "{stderr}"
            ),
            None => assert!(
                stderr.contains(&format!("run `chmod 700 {}`", dir.display())),
                "{stderr}"
            ),
        }
        assert_eq!(mode(&dir), dir_mode, "stsenv changed a mode it did not set");
        assert_eq!(stderr.lines().count(), 1, "warned once: {stderr}");
        // `cache clear` refuses it too, and deletes nothing.
        let clear = sandbox.stsenv().args(["cache", "clear"]).output().unwrap();
        assert_eq!(clear.status.code(), Some(1));
        assert!(entry.exists());
    }
}

#[test]
fn a_new_cache_dir_is_private() {
    let sandbox = setup();
    served(&env_plain(&sandbox, &[]));
    assert_eq!(mode(&sandbox.cache_dir()), 0o700);
    for file in files(&sandbox.cache_dir()) {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
}

#[test]
fn a_lock_link_to_a_missing_path_creates_nothing() {
    let sandbox = setup();
    let entry = entry_of_plain(&sandbox);
    let lock = entry.with_extension("lock");
    std::fs::remove_file(&entry).unwrap();
    std::fs::remove_file(&lock).unwrap();
    let target = sandbox.path().join("created-by-stsenv");
    symlink(&target, &lock).unwrap();
    let (_, stderr) = served(&env_plain(&sandbox, &[]));
    assert!(!target.exists(), "the lock link's target was created");
    assert!(stderr.contains("symbolic link"), "{stderr}");
}

#[test]
fn a_fifo_in_place_of_an_entry_is_a_miss_not_a_hang() {
    let sandbox = setup();
    let entry = entry_of_plain(&sandbox);
    std::fs::remove_file(&entry).unwrap();
    let c_path = std::ffi::CString::new(entry.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: mkfifo with a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    let (_, stderr) = served(&env_plain(&sandbox, &[]));
    assert!(stderr.contains("not a regular file"), "{stderr}");
}

#[test]
fn a_linked_entry_is_not_followed() {
    let sandbox = setup();
    let entry = entry_of_plain(&sandbox);
    let planted = sandbox.path().join("planted.json");
    std::fs::rename(&entry, &planted).unwrap();
    plant(&planted, "ASIAPLANTED000000000", "planted");
    symlink(&planted, &entry).unwrap();
    let (key, stderr) = served(&env_plain(&sandbox, &[]));
    assert_ne!(key, "ASIAPLANTED000000000");
    assert!(stderr.contains("symbolic link"), "{stderr}");
}

#[test]
fn tampered_entries_are_misses_never_emitted() {
    for secret in ["line\nAWS_PROFILE=evil", "quo'te", "dq\"uote", "back`tick`"] {
        let sandbox = setup();
        let entry = entry_of_plain(&sandbox);
        plant(&entry, "ASIAPLANTED000000000", secret);
        let out = env_plain(&sandbox, &[]);
        let (key, stderr) = served(&out);
        assert_ne!(key, "ASIAPLANTED000000000", "{secret:?}");
        assert!(
            stderr.contains("secret access key contains a character"),
            "{stderr}"
        );
        assert!(!String::from_utf8_lossy(&out.stdout).contains("PLANTED"));
    }
}

#[test]
fn cache_dir_with_tilde_is_home_and_relative_is_refused() {
    let sandbox = setup();
    served(&env_plain(
        &sandbox,
        &[("STSENV_CACHE_DIR", "~/tilde-cache")],
    ));
    assert!(!sandbox.path().join("~").exists(), "created ./~");
    let home_cache = sandbox.home().join("tilde-cache");
    assert_eq!(mode(&home_cache), 0o700);
    assert!(!files(&home_cache).is_empty());

    let (_, stderr) = served(&env_plain(
        &sandbox,
        &[("STSENV_CACHE_DIR", "relative/cache")],
    ));
    assert!(
        !sandbox.path().join("relative").exists(),
        "created ./relative"
    );
    assert!(
        stderr.contains("STSENV_CACHE_DIR=\"relative/cache\" is not an absolute path"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn cache_clear_removes_locks_and_temporary_files() {
    let sandbox = setup();
    let entry = entry_of_plain(&sandbox);
    served(
        &sandbox
            .stsenv()
            .args(["env", "dev", "--shell", "bash", "--token-code", "123456"])
            .output()
            .unwrap(),
    );
    std::fs::write(sandbox.cache_dir().join(".tmp-left-by-a-kill"), b"x").unwrap();
    // One profile: its entry and its lock go, nothing else.
    sandbox
        .stsenv()
        .args(["cache", "clear", "plain"])
        .assert()
        .success();
    assert!(!entry.exists() && !entry.with_extension("lock").exists());
    assert!(files(&sandbox.cache_dir())
        .iter()
        .any(|f| f.extension().is_some_and(|e| e == "lock")));
    sandbox.stsenv().args(["cache", "clear"]).assert().success();
    assert_eq!(files(&sandbox.cache_dir()), Vec::<PathBuf>::new());
}

/// While a terminal sits at the MFA prompt holding the lock, callers that
/// cannot prompt fail at once with exit 3 instead of waiting minutes.
#[test]
fn non_interactive_callers_do_not_queue_behind_a_prompt() {
    let sandbox = setup();
    let bin = stsenv_bin().display().to_string();
    // `script` gives the holder a terminal of its own to prompt on.
    let mut holder = sandbox
        .command("script")
        .args([
            "-q",
            "-e",
            "-c",
            &format!("'{bin}' env dev --shell bash"),
            "/dev/null",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("script starts");
    let kill_guard = KillGroup(holder.id());
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = holder.stdout.take().unwrap();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut seen = Vec::new();
        loop {
            let mut chunk = Vec::new();
            match reader.read_until(b':', &mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    seen.extend_from_slice(&chunk);
                    let _ = tx.send(String::from_utf8_lossy(&seen).into_owned());
                }
            }
        }
    });
    let deadline = Instant::now() + stsenv_tests::PATIENCE;
    let mut transcript = String::new();
    while !transcript.contains("MFA code for dev") {
        let left = deadline.saturating_duration_since(Instant::now());
        transcript = rx
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("the holder never prompted: {transcript:?}"));
    }

    let wait = |args: &[&str]| {
        sandbox
            .stsenv()
            .args(args)
            // A hang guard, generous under load, yet shorter than the
            // 180 s that queueing behind the prompt would take.
            .timeout(Duration::from_secs(120))
            .output()
            .unwrap()
    };
    for args in [
        &["env", "dev", "--non-interactive", "--shell", "bash"][..],
        &["credential-process", "dev", "--non-interactive"],
    ] {
        let out = wait(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty());
        assert!(
            stderr.contains("another stsenv is waiting for an MFA code or a login for dev; finish it there or pass --token-code"),
            "{stderr}"
        );
    }

    // The human types the code; then everyone is served from the cache.
    let mut stdin = holder.stdin.take().unwrap();
    stdin.write_all(b"123456\r").unwrap();
    stdin.flush().unwrap();
    let status = holder.wait().unwrap();
    // Reaped: its id may be reused, so it must not be signalled any more.
    std::mem::forget(kill_guard);
    assert!(status.success(), "holder: {status}");
    served(&wait(&[
        "env",
        "dev",
        "--non-interactive",
        "--shell",
        "bash",
    ]));
}

/// Kills the process group it names when dropped (the test's own `script`
/// holder), so a failing assertion leaves nothing at a prompt.
struct KillGroup(u32);

impl Drop for KillGroup {
    fn drop(&mut self) {
        if let Ok(pgid) = i32::try_from(self.0) {
            // SAFETY: kill(2) on our own child's process group.
            unsafe { libc::kill(-pgid, libc::SIGKILL) };
        }
    }
}

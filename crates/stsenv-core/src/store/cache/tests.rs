use super::lock::{is_prompting, open_lock};
use super::*;
use std::time::Duration;

fn entry(secs_left: i64) -> Entry {
    Entry {
        version: CACHE_VERSION,
        profile: "dev".into(),
        kind: "AssumeRole".into(),
        label: "arn:aws:iam::1:role/x".into(),
        created: Timestamp::now(),
        credentials: Credentials {
            access_key_id: "ASIA1".into(),
            secret_access_key: "secret".into(),
            session_token: Some("token".into()),
            expiration: Some(
                Timestamp::from_second(Timestamp::now().as_second() + secs_left).unwrap(),
            ),
        },
    }
}

#[test]
fn round_trip_with_private_modes() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = Cache::at(tmp.path().join("c"));
    cache.put("k", &entry(3600)).unwrap();
    assert_eq!(cache.get("k").unwrap().credentials.access_key_id, "ASIA1");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(cache.dir()), 0o700);
        assert_eq!(mode(&cache.dir().join("k.json")), 0o600);
    }
}

#[test]
fn stale_and_corrupt_entries_are_misses() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = Cache::at(tmp.path().join("c"));
    cache.put("old", &entry(60)).unwrap();
    assert!(cache.get_fresh("old", 600).is_none());
    assert!(cache.get_fresh("old", 10).is_some());
    fs::write(cache.dir().join("bad.json"), b"{\"version\":1,").unwrap();
    assert!(cache.get("bad").is_none());
    fs::write(cache.dir().join("future.json"), br#"{"version":99}"#).unwrap();
    assert!(cache.get("future").is_none());
    let warnings = crate::captured::take();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings[0].starts_with("ignoring unreadable cache entry ")
            && warnings[0].contains("bad.json")
            && warnings[1].contains("future.json"),
        "{warnings:?}"
    );
}

#[test]
fn clear_by_profile() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = Cache::at(tmp.path().join("c"));
    cache.put("a", &entry(3600)).unwrap();
    let mut other = entry(3600);
    other.profile = "ops".into();
    cache.put("b", &other).unwrap();
    assert_eq!(cache.clear(Some("ops")).unwrap(), 1);
    assert_eq!(cache.list().len(), 1);
    assert_eq!(cache.clear(None).unwrap(), 1);
}

#[test]
fn a_caller_that_cannot_prompt_fails_behind_a_prompt_even_indirectly() {
    use std::sync::mpsc;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("c");
    // H holds `inner` and prompts.
    let h = Cache::at(&dir);
    let inner = h.lock("inner").unwrap();
    // M holds `outer` and waits patiently for `inner`.
    let (m_tx, m_rx) = mpsc::channel();
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let m_dir = dir.clone();
    let m = std::thread::spawn(move || {
        let m = Cache::at(&m_dir);
        let _outer = m.lock("outer").unwrap();
        m_tx.send(()).unwrap();
        let got = m.lock("inner").map(|_| ());
        m_tx.send(()).unwrap();
        // Keep `outer` until told, so W finds it taken.
        let _ = go_rx.recv();
        got
    });
    m_rx.recv().unwrap();
    let impatient =
        |key: &str| Cache::at(&dir).lock_with(key, LockWait::NotBehindPrompt { profile: "dev" });
    let mark = h.mark_prompting();
    // W, blocked on `outer` (held by M, which waits behind H's prompt), fails.
    match impatient("outer") {
        Err(Error::PeerPrompting { profile }) => assert_eq!(profile, "dev"),
        other => panic!("expected PeerPrompting, got {other:?}"),
    }
    match impatient("inner") {
        Err(Error::PeerPrompting { .. }) => {}
        other => panic!("expected PeerPrompting, got {other:?}"),
    }
    // The human answers: H unmarks and releases; M gets `inner`.
    drop(mark);
    drop(inner);
    m_rx.recv_timeout(Duration::from_secs(30)).unwrap();
    go_tx.send(()).unwrap();
    m.join().unwrap().unwrap();
    // Nobody prompts now: an impatient caller gets the lock, and the
    // stale mark is gone.
    let lock = impatient("outer").unwrap();
    drop(lock);
    assert!(!is_prompting(&open_lock(&dir.join("inner.lock")).unwrap()));
}

#[cfg(unix)]
#[test]
fn links_fifos_and_loose_dirs_are_refused_not_followed() {
    use std::os::unix::fs::{symlink, PermissionsExt};
    let tmp = tempfile::tempdir().unwrap();
    let real = tmp.path().join("real");
    fs::create_dir(&real).unwrap();
    fs::set_permissions(&real, fs::Permissions::from_mode(0o755)).unwrap();
    // A loose directory: not used, not chmodded.
    let loose = Cache::at(&real);
    loose.put("k", &entry(3600)).unwrap();
    assert!(!real.join("k.json").exists());
    assert!(loose.get("k").is_none());
    assert!(matches!(loose.clear(None), Err(Error::CacheDir(_))));
    assert_eq!(
        fs::metadata(&real).unwrap().permissions().mode() & 0o777,
        0o755
    );
    // A link to a private directory: not followed.
    fs::set_permissions(&real, fs::Permissions::from_mode(0o700)).unwrap();
    symlink(&real, tmp.path().join("link")).unwrap();
    let linked = Cache::at(tmp.path().join("link"));
    linked.put("k", &entry(3600)).unwrap();
    assert!(!real.join("k.json").exists());
    assert!(linked.lock("k").unwrap()._file.is_none());
    // Entries: a link or a FIFO is a miss; a lock link creates nothing.
    let cache = Cache::at(&real);
    cache.put("k", &entry(3600)).unwrap();
    symlink(real.join("k.json"), real.join("l.json")).unwrap();
    assert!(cache.get("k").is_some());
    assert!(cache.get("l").is_none());
    let fifo =
        std::ffi::CString::new(real.join("f.json").into_os_string().into_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
    assert!(cache.get("f").is_none());
    symlink(tmp.path().join("missing"), real.join("m.lock")).unwrap();
    assert!(cache.lock("m").is_err());
    assert!(!tmp.path().join("missing").exists());
    // Each refusal said once why.
    let warnings = crate::captured::take();
    let said = |needle: &str| warnings.iter().filter(|w| w.contains(needle)).count();
    assert_eq!(
        said("is open to other users (mode 0755); run `chmod 700 "),
        1,
        "{warnings:?}"
    );
    assert_eq!(
        said("is a symbolic link, which stsenv does not follow; point STSENV_CACHE_DIR"),
        1,
        "{warnings:?}"
    );
    assert_eq!(said("l.json: it is a symbolic link"), 1, "{warnings:?}");
    assert_eq!(said("f.json: it is not a regular file"), 1, "{warnings:?}");
}

#[test]
fn note_files_are_checked_and_pruned_by_age() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("cache");
    let cache = Cache::at(&dir);
    assert!(cache.note_file("a").is_none(), "no directory yet");
    cache.write_note("a", b"x").unwrap();
    assert_eq!(cache.note_file("a"), Some(dir.join("a.note")));
    assert!(cache.note_file("../a").is_none());
    // A link is never handed to a reader, even to one of our notes.
    symlink(dir.join("a.note"), dir.join("b.note")).unwrap();
    assert!(cache.note_file("b").is_none());
    // Old notes go unless kept; young ones stay.
    cache.write_note("a-2", b"y").unwrap();
    cache.write_note("other", b"z").unwrap();
    let old = std::time::SystemTime::now() - Duration::from_secs(3600);
    for name in ["a.note", "a-2.note", "other.note"] {
        File::options()
            .write(true)
            .open(dir.join(name))
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
    let removed = cache
        .prune_notes("a", Duration::from_secs(60), |n| n == "a-2")
        .unwrap();
    // Only `a`: `a-2` is kept, `other` has another prefix.
    assert_eq!(removed, 1);
    assert!(!dir.join("a.note").exists());
    assert!(dir.join("a-2.note").exists() && dir.join("other.note").exists());
    cache.write_note("a-3", b"new").unwrap();
    assert_eq!(
        cache
            .prune_notes("a", Duration::from_secs(60), |_| false)
            .unwrap(),
        1
    );
    assert!(dir.join("a-3.note").exists(), "young: kept");
}

#[test]
fn keys_are_stable_and_unambiguous() {
    assert_eq!(key(&["a", "bc"]), key(&["a", "bc"]));
    assert_ne!(key(&["a", "bc"]), key(&["ab", "c"]));
    assert_eq!(key(&["x"]).len(), 40);
}

#[cfg(unix)]
#[test]
fn note_dirs_are_private_checked_pruned_and_cleared() {
    use std::os::unix::fs::{symlink, PermissionsExt};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("cache");
    let cache = Cache::at(&dir);
    let files = vec![
        (
            "a_assume.fish".to_string(),
            "function a_assume; end\n".to_string(),
        ),
        ("b_assume".to_string(), "true\n".to_string()),
    ];
    cache.write_note_dir("functions-x-1", &files).unwrap();
    let path = cache.note_dir("functions-x-1").unwrap();
    assert_eq!(path, dir.join("functions-x-1.d"));
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o700);
    assert_eq!(mode(&path.join("a_assume.fish")), 0o600);
    assert_eq!(
        std::fs::read_to_string(path.join("b_assume")).unwrap(),
        "true\n"
    );
    // Written again whole: nothing of the old one is left.
    cache.write_note_dir("functions-x-1", &files[..1]).unwrap();
    assert!(!path.join("b_assume").exists());
    // A name that is a path, or a file name that is one: refused.
    assert!(cache.note_dir("../x").is_none());
    let escape = vec![("../evil".to_string(), "x".to_string())];
    assert!(cache.write_note_dir("functions-x-2", &escape).is_err());
    assert!(!dir.join("evil").exists() && cache.note_dir("functions-x-2").is_none());
    // Open to others, or a link to one of ours: never handed to a shell.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(cache.note_dir("functions-x-1").is_none());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700)).unwrap();
    symlink(&path, dir.join("functions-x-3.d")).unwrap();
    assert!(cache.note_dir("functions-x-3").is_none());
    // Pruned like notes (a link is unlinked, its target kept until its
    // own turn), and a full clear removes them.
    assert_eq!(
        cache
            .prune_notes("functions-", Duration::ZERO, |n| n == "functions-x-1")
            .unwrap(),
        1
    );
    assert!(path.exists() && !dir.join("functions-x-3.d").exists());
    cache.clear(None).unwrap();
    assert!(!path.exists());
}

/// The directory is checked once per `Cache` when it is trusted; missing
/// or refused, it is checked again at every use, so a directory made (or
/// fixed) later is used by the same value.
#[cfg(unix)]
#[test]
fn a_missing_or_refused_directory_is_checked_again() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("c");
    let reader = Cache::at(&dir);
    assert!(reader.get("k").is_none(), "no directory yet");
    Cache::at(&dir).put("k", &entry(3600)).unwrap();
    assert!(reader.get("k").is_some(), "made by another process");
    let loose = tempfile::tempdir().unwrap();
    fs::set_permissions(loose.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let cache = Cache::at(loose.path());
    cache.put("k", &entry(3600)).unwrap();
    assert!(cache.get("k").is_none(), "refused");
    fs::set_permissions(loose.path(), fs::Permissions::from_mode(0o700)).unwrap();
    cache.put("k", &entry(3600)).unwrap();
    assert!(cache.get("k").is_some(), "trusted once private");
    let _ = crate::captured::take();
}

/// A note others may read or write is never opened for a reader that
/// takes it whole (the config index, the shell's functions file), however
/// it came to be so.
#[cfg(unix)]
#[test]
fn a_note_open_to_others_is_not_opened() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let cache = Cache::at(tmp.path().join("c"));
    cache.write_note("n", b"text").unwrap();
    assert!(cache.open_note("n", 64).is_some());
    let path = cache.dir().join("n.note");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    assert!(cache.open_note("n", 64).is_none());
    assert!(cache.note_file("n").is_none());
}

/// Entries and notes are read in one go, to the length their metadata
/// says, and still bounded.
#[test]
fn entries_and_notes_read_whole_and_bounded() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = Cache::at(tmp.path().join("c"));
    let text = "x".repeat(5000);
    cache.write_note("big", text.as_bytes()).unwrap();
    assert_eq!(cache.read_note("big", 5000).unwrap(), text.as_bytes());
    assert!(cache.read_note("big", 4999).is_none());
    cache.write_note("empty", b"").unwrap();
    assert_eq!(cache.read_note("empty", 10).unwrap(), b"");
}

//! The session cache: one small JSON file per credential step, 0600 in a
//! 0700 directory, replaced atomically, with an advisory lock per entry so
//! that many shells renewing at once make one STS call. The directory and
//! its files are checked before they are believed (see [`Cache`]).

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::credentials::{Credentials, Unusable};
use crate::error::{Error, Result};
use crate::fsutil;
use crate::untrusted::shown;

/// The cache format; entries of any other version are ignored.
pub const CACHE_VERSION: u32 = 1;
/// Where the cache lives when set; `~/…` is expanded, a relative path refused.
pub const CACHE_DIR_VAR: &str = "STSENV_CACHE_DIR";
/// How long a process waits for another one refreshing the same entry
/// (it may be waiting for a human to type an MFA code).
const LOCK_WAIT: Duration = Duration::from_secs(180);
/// How often a waiting process tries the lock again.
const LOCK_POLL: Duration = Duration::from_millis(25);
/// The most bytes read from an entry: real ones are under 4 KiB.
const MAX_ENTRY_BYTES: u64 = 64 << 10;
/// What a lock holder writes into its lock file while a human types an MFA
/// code (or while it waits behind a process that does).
const PROMPTING: &[u8] = b"prompting\n";

/// A cached credential step.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    /// [`CACHE_VERSION`].
    pub version: u32,
    /// The profile that produced it.
    pub profile: String,
    /// The step kind, e.g. `AssumeRole`.
    pub kind: String,
    /// What it is, without secrets (role ARN, MFA device, …).
    pub label: String,
    /// When it was obtained.
    pub created: Timestamp,
    /// The credentials.
    pub credentials: Credentials,
}

/// The cache directory.
///
/// The directory is trusted the way ssh trusts `~/.ssh`: only when it is a
/// real directory (not a symbolic link), owned by the current user and
/// accessible by nobody else. Otherwise stsenv warns once and runs without
/// the cache: credentials are still obtained and returned, just not read
/// from or written to it. stsenv never changes the mode of a directory it
/// did not create. Entries and lock files are never followed through a
/// symbolic link, and anything but a regular file is a miss.
#[derive(Debug)]
pub struct Cache {
    dir: PathBuf,
    /// Why the cache is not used at all (an unusable `STSENV_CACHE_DIR`).
    disabled: Option<String>,
    /// The lock files this cache holds, so [`Cache::mark_prompting`] can
    /// mark them all.
    held: Mutex<Vec<Weak<File>>>,
}

/// Held while one process refreshes one entry; dropping it releases the
/// lock. Without a usable cache directory it holds nothing.
#[derive(Debug)]
pub struct RefreshLock {
    _file: Option<Arc<File>>,
}

/// How [`Cache::lock_with`] waits for a lock another process holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockWait<'a> {
    /// Wait up to a few minutes, whatever the holder does (a terminal,
    /// where a human can wait too).
    Patient,
    /// Wait while the holder works, but fail with
    /// [`Error::PeerPrompting`] naming `profile` as soon as the holder is
    /// waiting for a human (an MFA prompt): a caller that cannot prompt
    /// (the prompt hook, an SDK's credential_process) must not queue
    /// behind someone typing.
    NotBehindPrompt {
        /// The profile being resolved, for the error.
        profile: &'a str,
    },
}

/// While alive, the locks of a [`Cache`] say that their holder waits for a
/// human ([`Cache::mark_prompting`]); dropping it clears that.
#[derive(Debug)]
pub struct PromptMark {
    files: Vec<Weak<File>>,
}

impl Drop for PromptMark {
    fn drop(&mut self) {
        for file in self.files.iter().filter_map(Weak::upgrade) {
            let _ = file.set_len(0);
        }
    }
}

impl Cache {
    /// `$STSENV_CACHE_DIR` (a leading `~/` is the home directory, as for
    /// `AWS_CONFIG_FILE`), else the platform cache dir (`~/.cache/stsenv`).
    /// A relative path is refused with a warning (once, on first use) and
    /// the cache is not used: it would depend on the current directory.
    /// Nothing is created until something is written.
    pub fn from_env() -> Cache {
        let configured = std::env::var_os(CACHE_DIR_VAR).filter(|d| !d.is_empty());
        let dir = match &configured {
            Some(value) => fsutil::expand_home(Path::new(value)),
            None => dirs::cache_dir()
                .map(|d| d.join("stsenv"))
                .unwrap_or_else(|| crate::fsutil::home().join(".cache").join("stsenv")),
        };
        let mut cache = Cache::at(&dir);
        if !dir.is_absolute() {
            cache.disabled = Some(match configured {
                Some(value) => format!(
                    "{CACHE_DIR_VAR}={} is not an absolute path; set it to one (or to ~/…)",
                    shown(&value.to_string_lossy())
                ),
                None => format!(
                    "no home directory, so no cache directory ({} is relative); set {CACHE_DIR_VAR} to an absolute path",
                    dir.display()
                ),
            });
        }
        cache
    }

    /// A cache in `dir`.
    pub fn at(dir: impl Into<PathBuf>) -> Cache {
        Cache {
            dir: dir.into(),
            disabled: None,
            held: Mutex::new(Vec::new()),
        }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Why the directory is not used, when it is not (a link, open to
    /// others, not the user's…); `None` when it is trusted or not created
    /// yet. For `stsenv doctor`.
    pub fn refusal(&self) -> Option<String> {
        match self.trust(false) {
            Trust::Refused(reason) => Some(reason),
            Trust::Trusted | Trust::Missing => None,
        }
    }

    /// The entry for `key`, or `None` when absent. A corrupt, foreign or
    /// tampered entry (credentials no AWS service issues, control
    /// characters in its labels, a link or a non-regular file) is a miss
    /// with a warning, never an error. Expired entries are returned: their
    /// freshness is [`Cache::get_fresh`]'s business.
    pub fn get(&self, key: &str) -> Option<Entry> {
        if !self.readable() {
            return None;
        }
        let path = self.entry_path(key);
        let bytes = match read_private(&path, MAX_ENTRY_BYTES) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return None,
            Err(problem) => {
                warn_once(&format!(
                    "ignoring cache entry {}: {problem}",
                    path.display()
                ));
                return None;
            }
        };
        let message = match serde_json::from_slice::<Entry>(&bytes) {
            Ok(entry) if entry.version != CACHE_VERSION => format!(
                "ignoring cache entry {} of version {} (this stsenv writes {CACHE_VERSION})",
                path.display(),
                entry.version
            ),
            Ok(entry) => match entry_problem(&entry) {
                None => return Some(entry),
                Some(problem) => format!("ignoring cache entry {}: {problem}", path.display()),
            },
            Err(err) => format!("ignoring unreadable cache entry {}: {err}", path.display()),
        };
        warn_once(&message);
        None
    }

    /// The credentials for `key` when they stay valid for more than `margin_secs`.
    pub fn get_fresh(&self, key: &str, margin_secs: i64) -> Option<Credentials> {
        let entry = self.get(key)?;
        entry
            .credentials
            .fresh_for(margin_secs, Timestamp::now())
            .then_some(entry.credentials)
    }

    /// Store `entry` under `key`: written to a temporary file in the same
    /// directory (0600), then renamed over the old one (a link or anything
    /// else in its place is replaced, never followed). Without a usable
    /// directory nothing is written (that was warned about).
    pub fn put(&self, key: &str, entry: &Entry) -> Result<()> {
        if !self.writable() {
            return Ok(());
        }
        let path = self.entry_path(key);
        let bytes = serde_json::to_vec(entry).map_err(std::io::Error::from);
        bytes
            .and_then(|bytes| fsutil::write_atomic(&path, &bytes, None))
            .map_err(|e| Error::io("cannot write cache file", &path, e))
    }

    /// Take the refresh lock of `key`, waiting for another holder at most a
    /// few minutes. The OS releases it if the holder dies.
    pub fn lock(&self, key: &str) -> Result<RefreshLock> {
        self.lock_with(key, LockWait::Patient)
    }

    /// Take the refresh lock of `key`, waiting for another holder as `wait`
    /// says. The lock file is opened without following a link and must be
    /// a regular file. Without a usable directory this returns a lock that
    /// holds nothing (the run is uncached anyway).
    pub fn lock_with(&self, key: &str, wait: LockWait<'_>) -> Result<RefreshLock> {
        if !self.writable() {
            return Ok(RefreshLock { _file: None });
        }
        let path = self.dir.join(format!("{key}.lock"));
        let file = open_lock(&path).map_err(|e| Error::io("cannot open lock file", &path, e))?;
        let file = Arc::new(file);
        let started = Instant::now();
        // Set while this process waits behind a human, so that processes
        // waiting for locks it holds know it too.
        let mut behind_prompt: Option<PromptMark> = None;
        loop {
            match file.try_lock() {
                Ok(()) => {
                    drop(behind_prompt);
                    // A holder killed while prompting leaves its mark behind.
                    let _ = file.set_len(0);
                    let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
                    held.retain(|f| f.strong_count() > 0);
                    held.push(Arc::downgrade(&file));
                    return Ok(RefreshLock { _file: Some(file) });
                }
                Err(fs::TryLockError::WouldBlock) if started.elapsed() < LOCK_WAIT => {
                    if is_prompting(&file) {
                        if let LockWait::NotBehindPrompt { profile } = wait {
                            return Err(Error::PeerPrompting {
                                profile: profile.to_string(),
                            });
                        }
                        behind_prompt.get_or_insert_with(|| self.mark_prompting());
                    } else {
                        behind_prompt = None;
                    }
                    std::thread::sleep(LOCK_POLL);
                }
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(Error::io(
                        "timed out waiting for another stsenv refreshing",
                        &path,
                        std::io::ErrorKind::TimedOut.into(),
                    ))
                }
                Err(fs::TryLockError::Error(e)) => return Err(Error::io("cannot lock", &path, e)),
            }
        }
    }

    /// Mark every lock this cache holds as "waiting for a human" until the
    /// returned guard is dropped: taken around an MFA prompt, so that a
    /// process that cannot prompt and finds one of these locks taken fails
    /// at once ([`LockWait::NotBehindPrompt`]) instead of queueing.
    pub fn mark_prompting(&self) -> PromptMark {
        let held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        let files: Vec<Weak<File>> = held
            .iter()
            .filter(|f| f.strong_count() > 0)
            .cloned()
            .collect();
        for file in files.iter().filter_map(Weak::upgrade) {
            mark(&file);
        }
        PromptMark { files }
    }

    /// Every readable entry with its key, sorted by profile then kind.
    pub fn list(&self) -> Vec<(String, Entry)> {
        if !self.readable() {
            return Vec::new();
        }
        let Ok(dir) = fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut entries: Vec<(String, Entry)> = dir
            .filter_map(|item| {
                let name = item.ok()?.file_name().into_string().ok()?;
                let key = name.strip_suffix(".json")?.to_string();
                let entry = self.get(&key)?;
                Some((key, entry))
            })
            .collect();
        entries.sort_by(|a, b| (&a.1.profile, &a.1.kind).cmp(&(&b.1.profile, &b.1.kind)));
        entries
    }

    /// Delete the entries of `profile` (and their lock files), or all
    /// entries, lock files and temporary files left by killed writers;
    /// returns how many entries. Refuses a directory it does not trust.
    pub fn clear(&self, profile: Option<&str>) -> Result<usize> {
        match self.trust(false) {
            Trust::Missing => return Ok(0),
            Trust::Refused(problem) => return Err(Error::CacheDir(problem)),
            Trust::Trusted => {}
        }
        let Ok(dir) = fs::read_dir(&self.dir) else {
            return Ok(0);
        };
        let mut removed = 0;
        for item in dir.flatten() {
            let path = item.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if item.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            // A writer killed between creating its temp file and renaming it leaves one behind.
            let forgotten_by_full_clear = name.ends_with(".lock") || name.ends_with(NOTE_SUFFIX);
            if name.starts_with(".tmp-") || (profile.is_none() && forgotten_by_full_clear) {
                unlink(&path)?;
                continue;
            }
            let Some(key) = name.strip_suffix(".json") else {
                continue;
            };
            let matches = match profile {
                None => true,
                Some(name) => self.get(key).is_some_and(|e| e.profile == name),
            };
            if matches {
                unlink(&path)?;
                unlink(&self.dir.join(format!("{key}.lock")))?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// A small note kept beside the entries (e.g. the recently used
    /// profiles), read with the entries' care: only from a trusted
    /// directory, never through a link, at most `max` bytes. `None` when
    /// absent or unusable.
    pub fn read_note(&self, name: &str, max: u64) -> Option<Vec<u8>> {
        if !is_note_name(name) || !self.readable() {
            return None;
        }
        read_private(&self.note_path(name), max).ok().flatten()
    }

    /// A note opened for reading, and its length, with the same checks as
    /// [`Cache::read_note`] (a trusted directory, no link, a regular file of
    /// ours, at most `max` bytes), for a note too large to read whole: the
    /// config index is read a record at a time. `None` when absent or
    /// unusable.
    pub fn open_note(&self, name: &str, max: u64) -> Option<(File, u64)> {
        if !is_note_name(name) || !self.readable() {
            return None;
        }
        open_private(&self.note_path(name), max).ok().flatten()
    }

    /// Replace a note atomically (0600), only in a trusted directory.
    /// `cache clear` without a profile removes notes too.
    pub fn write_note(&self, name: &str, bytes: &[u8]) -> Result<()> {
        if !is_note_name(name) || !self.writable() {
            return Ok(());
        }
        let path = self.note_path(name);
        fsutil::write_atomic(&path, bytes, None)
            .map_err(|e| Error::io("cannot write cache file", &path, e))
    }

    /// The path of note `name`, for a program that reads it itself (the
    /// shell sourcing the generated `<alias>_assume` functions): `Some`
    /// only when the directory is trusted and the note is a regular file
    /// of the current user, the checks [`Cache::read_note`] makes before
    /// it reads.
    pub fn note_file(&self, name: &str) -> Option<PathBuf> {
        self.open_note(name, u64::MAX).map(|_| self.note_path(name))
    }

    /// Remove the notes whose names start with `prefix`, except those
    /// `keep` wants and those written less than `min_age` ago (another
    /// process may have just written one and not yet said so); returns how
    /// many. Notes are unlinked, never followed.
    pub fn prune_notes(
        &self,
        prefix: &str,
        min_age: Duration,
        keep: impl Fn(&str) -> bool,
    ) -> Result<usize> {
        if !self.writable() {
            return Ok(0);
        }
        let Ok(dir) = fs::read_dir(&self.dir) else {
            return Ok(0);
        };
        let mut removed = 0;
        for item in dir.flatten() {
            let Ok(file) = item.file_name().into_string() else {
                continue;
            };
            let Some(name) = file.strip_suffix(NOTE_SUFFIX) else {
                continue;
            };
            if !name.starts_with(prefix) || !is_note_name(name) || keep(name) {
                continue;
            }
            let young = item
                .metadata()
                .and_then(|meta| meta.modified())
                .map(|modified| modified.elapsed().unwrap_or_default() < min_age)
                .unwrap_or(true);
            if young {
                continue;
            }
            if unlink(&item.path())? {
                removed += 1;
            }
        }
        Ok(removed)
    }

    fn note_path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}{NOTE_SUFFIX}"))
    }

    fn entry_path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    /// Whether entries may be read: the directory exists and is trusted.
    fn readable(&self) -> bool {
        self.usable(false)
    }

    /// Whether entries and locks may be written: the directory exists (it
    /// is created, 0700, when missing) and is trusted.
    fn writable(&self) -> bool {
        self.usable(true)
    }

    fn usable(&self, create: bool) -> bool {
        match self.trust(create) {
            Trust::Trusted => true,
            Trust::Missing => false,
            Trust::Refused(problem) => {
                warn_once(&format!("{problem}; sessions are not cached"));
                false
            }
        }
    }

    /// Whether the directory can be trusted, the way ssh decides about
    /// `~/.ssh`: not a link, a directory, ours, private.
    fn trust(&self, create: bool) -> Trust {
        if let Some(reason) = &self.disabled {
            return Trust::Refused(reason.clone());
        }
        let dir = self.dir.display();
        let meta = match fs::symlink_metadata(&self.dir) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
                if let Err(e) = fsutil::create_private_dir(&self.dir) {
                    return Trust::Refused(format!("cannot create cache directory {dir}: {e}"));
                }
                match fs::symlink_metadata(&self.dir) {
                    Ok(meta) => meta,
                    Err(e) => {
                        return Trust::Refused(format!("cannot use cache directory {dir}: {e}"))
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Trust::Missing,
            Err(e) => return Trust::Refused(format!("cannot use cache directory {dir}: {e}")),
            Ok(meta) => meta,
        };
        if meta.file_type().is_symlink() {
            return Trust::Refused(format!(
                "cache directory {dir} is a symbolic link, which stsenv does not follow; point {CACHE_DIR_VAR} at the directory itself"
            ));
        }
        if !meta.is_dir() {
            return Trust::Refused(format!("cache directory {dir} is not a directory"));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let me = euid();
            if meta.uid() != me {
                return Trust::Refused(format!(
                    "cache directory {dir} belongs to uid {}, not to you (uid {me}); use a directory of your own",
                    meta.uid()
                ));
            }
            let mode = meta.mode() & 0o777;
            if mode & 0o077 != 0 {
                return Trust::Refused(format!(
                    "cache directory {dir} is open to other users (mode {mode:04o}); run `chmod 700 {dir}` if it is yours"
                ));
            }
        }
        Trust::Trusted
    }
}

/// What [`Cache::trust`] found.
enum Trust {
    Trusted,
    /// Absent, and not asked to create it: a quiet miss.
    Missing,
    /// Not to be used; why.
    Refused(String),
}

/// Remove the file at `path`; whether it was there. Unlinked, never
/// followed: a link is removed, not its target.
fn unlink(path: &Path) -> Result<bool> {
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::io("cannot remove", path, e)),
    }
}

/// Print `message` once per process however often it comes up: a
/// damaged entry is read twice on a miss (before and after the lock), and
/// an untrusted directory is met at every step.
fn warn_once(message: &str) {
    static WARNED: Mutex<Option<HashSet<String>>> = Mutex::new(None);
    let mut warned = WARNED.lock().unwrap_or_else(|e| e.into_inner());
    if warned
        .get_or_insert_with(HashSet::new)
        .insert(message.to_string())
    {
        crate::warn(message);
    }
}

/// Why an entry's content cannot be used, if it cannot: its credentials
/// must be what AWS issues (an expired entry is fine here), and the texts
/// shown by `cache list` must hold no control characters.
fn entry_problem(entry: &Entry) -> Option<String> {
    match entry.credentials.check(Timestamp::now()) {
        Ok(()) | Err(Unusable::Expired(_)) => {}
        Err(problem) => return Some(format!("its credentials are unusable: {problem}")),
    }
    let texts = [&entry.profile, &entry.kind, &entry.label];
    texts
        .iter()
        .any(|t| t.chars().any(char::is_control))
        .then(|| "it holds control characters".to_string())
}

/// The file-name suffix of notes (see [`Cache::write_note`]).
const NOTE_SUFFIX: &str = ".note";

/// A note's name: a plain word, so it can never name a path elsewhere.
fn is_note_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Open the regular file at `path` for reading, when it is at most `max`
/// bytes: `Ok(None)` when absent; an error (as a sentence) for a symbolic
/// link, a FIFO or device (opened non-blocking, so a FIFO never hangs), a
/// file of another user, or a file larger than `max`. Returns its length.
fn open_private(path: &Path, max: u64) -> std::result::Result<Option<(File, u64)>, String> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        &mut options,
        libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC,
    );
    let file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(open_problem(e)),
    };
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("it is not a regular file".to_string());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.uid() != euid() {
            return Err(format!("it belongs to uid {}, not to you", meta.uid()));
        }
    }
    if meta.len() > max {
        return Err(format!("it is larger than {} KiB", max >> 10));
    }
    Ok(Some((file, meta.len())))
}

/// Read the file at `path`, checked as [`open_private`] checks it.
fn read_private(path: &Path, max: u64) -> std::result::Result<Option<Vec<u8>>, String> {
    let Some((file, len)) = open_private(path, max)? else {
        return Ok(None);
    };
    // Sized from the metadata so that a large note is read in one go, not
    // grown and copied; still bounded by `max` (the file may grow).
    let mut bytes = Vec::with_capacity(usize::try_from(len + 1).unwrap_or(0));
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > max {
        return Err(format!("it is larger than {} KiB", max >> 10));
    }
    Ok(Some(bytes))
}

/// An open(2) failure as a sentence; `ELOOP` from `O_NOFOLLOW` is a link.
fn open_problem(err: std::io::Error) -> String {
    #[cfg(unix)]
    if err.raw_os_error() == Some(libc::ELOOP) {
        return "it is a symbolic link, which stsenv does not follow".to_string();
    }
    err.to_string()
}

/// Open (creating, 0600) the lock file at `path` without following a link
/// (a `.lock` link to a missing path must not create its target) and
/// without blocking on a FIFO; it must be a regular file.
fn open_lock(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).read(true).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC);
    }
    let file = options.open(path).map_err(|e| {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ELOOP) {
            return std::io::Error::other("it is a symbolic link, which stsenv does not follow");
        }
        e
    })?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("it is not a regular file"));
    }
    Ok(file)
}

/// Whether the holder of `file`'s lock marked it as waiting for a human.
fn is_prompting(file: &File) -> bool {
    let mut buf = [0u8; 16];
    #[cfg(unix)]
    let read = std::os::unix::fs::FileExt::read_at(file, &mut buf, 0);
    #[cfg(not(unix))]
    let read: std::io::Result<usize> = {
        let _ = file;
        Ok(0)
    };
    read.is_ok_and(|n| buf[..n].starts_with(PROMPTING))
}

/// Write the "waiting for a human" mark into a lock file this process holds.
fn mark(file: &File) {
    #[cfg(unix)]
    {
        let _ = std::os::unix::fs::FileExt::write_all_at(file, PROMPTING, 0);
    }
    #[cfg(not(unix))]
    let _ = file;
}

/// The effective user id: who the cache must belong to.
#[cfg(unix)]
fn euid() -> u32 {
    // SAFETY: geteuid(2) cannot fail and touches no memory.
    unsafe { libc::geteuid() }
}

/// A cache key: the hex SHA-256 of its parts. Never contains a secret in
/// clear, and the same parts always give the same key.
pub fn key(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hex::encode(&hasher.finalize()[..20])
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let impatient = |key: &str| {
            Cache::at(&dir).lock_with(key, LockWait::NotBehindPrompt { profile: "dev" })
        };
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
            std::ffi::CString::new(real.join("f.json").into_os_string().into_encoded_bytes())
                .unwrap();
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
}

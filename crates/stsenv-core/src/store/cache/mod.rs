//! The session cache: one small JSON file per credential step, 0600 in a
//! 0700 directory, replaced atomically, with an advisory lock per entry so
//! that many shells renewing at once make one STS call. The directory and
//! its files are checked before they are believed (see [`Cache`]).

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, Weak};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::credentials::Credentials;
use crate::error::Unusable;
use crate::error::{Error, Result};
use crate::platform;
use crate::store::fsutil;
use crate::store::untrusted::shown;

mod lock;
mod notes;

pub use lock::{LockWait, PromptMark, RefreshLock};
use notes::NOTE_SUFFIX;

/// The cache format; entries of any other version are ignored.
pub const CACHE_VERSION: u32 = 1;
/// Where the cache lives when set; `~/…` is expanded, a relative path refused.
pub const CACHE_DIR_VAR: &str = "STSENV_CACHE_DIR";
/// The most bytes read from an entry: real ones are under 4 KiB.
const MAX_ENTRY_BYTES: u64 = 64 << 10;
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
    /// Set once [`Cache::trust`] found the directory trusted: a command
    /// reads the index, an entry and a note from it, and checks it once.
    /// Only its owner (or root) can change its owner or mode, or replace
    /// it, so the answer holds for this short-lived value; untrusted or
    /// missing is checked again every time.
    trusted: OnceLock<()>,
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
                .unwrap_or_else(|| crate::store::fsutil::home().join(".cache").join("stsenv")),
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
            trusted: OnceLock::new(),
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

    /// Whether notes can be kept here: the directory is trusted (it is
    /// created, 0700, when missing). Says why not on stderr, once.
    pub fn keeps_notes(&self) -> bool {
        self.writable()
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
                // A note directory (shell functions to autoload) goes with
                // the notes; nothing else in here is a directory of ours.
                if profile.is_none() && name.ends_with(notes::DIR_SUFFIX) {
                    fs::remove_dir_all(&path).map_err(|e| Error::io("cannot remove", &path, e))?;
                }
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
        if self.trusted.get().is_some() {
            return Trust::Trusted;
        }
        let trust = self.check_trust(create);
        if matches!(trust, Trust::Trusted) {
            let _ = self.trusted.set(());
        }
        trust
    }

    /// [`Cache::trust`], looking at the directory now.
    fn check_trust(&self, create: bool) -> Trust {
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
        if let Some(problem) = platform::owner_problem(&self.dir, &meta) {
            return Trust::Refused(format!(
                "cache directory {dir}: {problem}; use a directory of your own"
            ));
        }
        if let Some(mode) = platform::open_to_others(&meta) {
            return Trust::Refused(format!(
                "cache directory {dir} is open to other users (mode {mode:04o}); run `chmod 700 {dir}` if it is yours"
            ));
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

/// Open the regular file at `path` for reading, when it is at most `max`
/// bytes: `Ok(None)` when absent; an error (as a sentence) for a symbolic
/// link, a FIFO or device (opened non-blocking, so a FIFO never hangs), a
/// file of another user, or a file larger than `max`. Returns it with its
/// metadata.
fn open_private(
    path: &Path,
    max: u64,
) -> std::result::Result<Option<(File, fs::Metadata)>, String> {
    let mut options = OpenOptions::new();
    options.read(true);
    platform::private_no_follow(&mut options);
    let file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(open_problem(e)),
    };
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("it is not a regular file".to_string());
    }
    if let Some(problem) = platform::owner_problem(path, &meta) {
        return Err(problem);
    }
    if meta.len() > max {
        return Err(format!("it is larger than {} KiB", max >> 10));
    }
    Ok(Some((file, meta)))
}

/// Whether nobody but the owner may read or write a file of this metadata
/// (its owner is checked by [`open_private`]).
fn owner_only(meta: &fs::Metadata) -> bool {
    platform::open_to_others(meta).is_none()
}

/// Read the file at `path`, checked as [`open_private`] checks it. Entries
/// and notes are replaced by renaming, never written in place, so the open
/// file holds the bytes its metadata counts: read in one go.
fn read_private(path: &Path, max: u64) -> std::result::Result<Option<Vec<u8>>, String> {
    let Some((file, meta)) = open_private(path, max)? else {
        return Ok(None);
    };
    fsutil::read_open(file, &meta, max)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// An open failure as a sentence; a refused link says so.
fn open_problem(err: std::io::Error) -> String {
    if platform::is_link_refused(&err) {
        return "it is a symbolic link, which stsenv does not follow".to_string();
    }
    err.to_string()
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
mod tests;

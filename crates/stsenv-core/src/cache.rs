//! The session cache: one small JSON file per credential step, 0600 in a
//! 0700 directory, replaced atomically, with an advisory lock per entry so
//! that many shells renewing at once make one STS call.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::fsutil;

/// The cache format; entries of any other version are ignored.
pub const CACHE_VERSION: u32 = 1;
/// How long a process waits for another one refreshing the same entry
/// (it may be waiting for a human to type an MFA code).
const LOCK_WAIT: Duration = Duration::from_secs(180);

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
#[derive(Debug)]
pub struct Cache {
    dir: PathBuf,
    /// Entries already warned about: a damaged entry is read twice on a
    /// miss (before and after the lock) but reported once.
    warned: Mutex<HashSet<PathBuf>>,
}

/// Held while one process refreshes one entry; dropping it releases the lock.
#[derive(Debug)]
pub struct RefreshLock {
    _file: File,
}

impl Cache {
    /// `$STSENV_CACHE_DIR`, else the platform cache dir (`~/.cache/stsenv`).
    /// Nothing is created until something is written.
    pub fn from_env() -> Cache {
        let dir = std::env::var_os("STSENV_CACHE_DIR")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| dirs::cache_dir().map(|d| d.join("stsenv")))
            .unwrap_or_else(|| crate::config::home().join(".cache").join("stsenv"));
        Cache::at(dir)
    }

    /// A cache in `dir`.
    pub fn at(dir: impl Into<PathBuf>) -> Cache {
        Cache {
            dir: dir.into(),
            warned: Mutex::new(HashSet::new()),
        }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The entry for `key`, or `None` when absent. A corrupt or foreign entry
    /// is a miss with a warning, never an error.
    pub fn get(&self, key: &str) -> Option<Entry> {
        let path = self.entry_path(key);
        let bytes = fs::read(&path).ok()?;
        match serde_json::from_slice::<Entry>(&bytes) {
            Ok(entry) if entry.version == CACHE_VERSION => Some(entry),
            Ok(entry) => {
                self.warn_once(
                    &path,
                    &format!(
                        "ignoring cache entry {} of version {} (this stsenv writes {CACHE_VERSION})",
                        path.display(),
                        entry.version
                    ),
                );
                None
            }
            Err(err) => {
                self.warn_once(
                    &path,
                    &format!("ignoring unreadable cache entry {}: {err}", path.display()),
                );
                None
            }
        }
    }

    fn warn_once(&self, path: &Path, message: &str) {
        let mut warned = self.warned.lock().unwrap_or_else(|e| e.into_inner());
        if warned.insert(path.to_path_buf()) {
            crate::warn(message);
        }
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
    /// directory (0600), then renamed over the old one.
    pub fn put(&self, key: &str, entry: &Entry) -> Result<()> {
        self.ensure_dir()?;
        let path = self.entry_path(key);
        let bytes = serde_json::to_vec(entry).map_err(std::io::Error::from);
        bytes
            .and_then(|bytes| fsutil::write_atomic(&path, &bytes, None))
            .map_err(|e| Error::io("cannot write cache file", &path, e))
    }

    /// Take the refresh lock of `key`, waiting for another holder at most a
    /// few minutes. The OS releases it if the holder dies.
    pub fn lock(&self, key: &str) -> Result<RefreshLock> {
        self.ensure_dir()?;
        let path = self.dir.join(format!("{key}.lock"));
        let mut options = OpenOptions::new();
        options.create(true).truncate(false).write(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options
            .open(&path)
            .map_err(|e| Error::io("cannot open lock file", &path, e))?;
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(RefreshLock { _file: file }),
                Err(fs::TryLockError::WouldBlock) if started.elapsed() < LOCK_WAIT => {
                    std::thread::sleep(Duration::from_millis(25));
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

    /// Every readable entry with its key, sorted by profile then kind.
    pub fn list(&self) -> Vec<(String, Entry)> {
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

    /// Delete the entries of `profile`, or all entries; returns how many.
    pub fn clear(&self, profile: Option<&str>) -> Result<usize> {
        let Ok(dir) = fs::read_dir(&self.dir) else {
            return Ok(0);
        };
        let mut removed = 0;
        for item in dir.flatten() {
            let path = item.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            // A writer killed between creating its temp file and renaming it leaves one behind.
            if name.starts_with(".tmp-") {
                let _ = fs::remove_file(&path);
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
                fs::remove_file(&path).map_err(|e| Error::io("cannot remove", &path, e))?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    fn entry_path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    fn ensure_dir(&self) -> Result<()> {
        let fail = |e| Error::io("cannot create cache directory", &self.dir, e);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fsutil::create_private_dir(&self.dir).map_err(fail)?;
            // An existing cache dir left readable by others is tightened too.
            let meta = fs::metadata(&self.dir).map_err(fail)?;
            if meta.permissions().mode() & 0o077 != 0 {
                fs::set_permissions(&self.dir, fs::Permissions::from_mode(0o700)).map_err(fail)?;
            }
        }
        #[cfg(not(unix))]
        fsutil::create_private_dir(&self.dir).map_err(fail)?;
        Ok(())
    }
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
        let cache = Cache::at(tmp.path());
        cache.put("old", &entry(60)).unwrap();
        assert!(cache.get_fresh("old", 600).is_none());
        assert!(cache.get_fresh("old", 10).is_some());
        fs::write(tmp.path().join("bad.json"), b"{\"version\":1,").unwrap();
        assert!(cache.get("bad").is_none());
        fs::write(tmp.path().join("future.json"), br#"{"version":99}"#).unwrap();
        assert!(cache.get("future").is_none());
    }

    #[test]
    fn clear_by_profile() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = Cache::at(tmp.path());
        cache.put("a", &entry(3600)).unwrap();
        let mut other = entry(3600);
        other.profile = "ops".into();
        cache.put("b", &other).unwrap();
        assert_eq!(cache.clear(Some("ops")).unwrap(), 1);
        assert_eq!(cache.list().len(), 1);
        assert_eq!(cache.clear(None).unwrap(), 1);
    }

    #[test]
    fn keys_are_stable_and_unambiguous() {
        assert_eq!(key(&["a", "bc"]), key(&["a", "bc"]));
        assert_ne!(key(&["a", "bc"]), key(&["ab", "c"]));
        assert_eq!(key(&["x"]).len(), 40);
    }
}

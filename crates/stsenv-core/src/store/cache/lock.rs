//! One refresh at a time: an advisory lock per entry, and the mark a
//! holder leaves while a human types an MFA code.

use std::fs::{self, File, OpenOptions};
use std::path::Path;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use super::Cache;
use crate::error::{Error, Result};
use crate::platform;

/// How long a process waits for another one refreshing the same entry
/// (it may be waiting for a human to type an MFA code).
const LOCK_WAIT: Duration = Duration::from_secs(180);

/// How often a waiting process tries the lock again.
const LOCK_POLL: Duration = Duration::from_millis(25);

/// What a lock holder writes into its lock file while a human types an MFA
/// code (or while it waits behind a process that does).
const PROMPTING: &[u8] = b"prompting\n";

/// Held while one process refreshes one entry; dropping it releases the
/// lock. Without a usable cache directory it holds nothing.
#[derive(Debug)]
pub struct RefreshLock {
    pub(super) _file: Option<Arc<File>>,
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

/// Open (creating, 0600) the lock file at `path` without following a link
/// (a `.lock` link to a missing path must not create its target) and
/// without blocking on a FIFO; it must be a regular file.
pub(super) fn open_lock(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).read(true).write(true);
    platform::private_no_follow(&mut options);
    let file = options.open(path).map_err(|e| {
        if platform::is_link_refused(&e) {
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
pub(super) fn is_prompting(file: &File) -> bool {
    let mut buf = [0u8; 16];
    platform::read_at(file, &mut buf, 0).is_ok_and(|n| buf[..n].starts_with(PROMPTING))
}

/// Write the "waiting for a human" mark into a lock file this process holds.
fn mark(file: &File) {
    let _ = platform::write_all_at(file, PROMPTING, 0);
}

impl Cache {
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
}

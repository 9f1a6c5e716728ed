//! Small notes kept beside the entries (recently used profiles, the
//! config index, generated shell functions), read and written with the
//! entries' care.

use std::fs::{self, File};
use std::path::PathBuf;
use std::time::Duration;

use super::{open_private, owner_only, read_private, unlink, Cache};
use crate::error::{Error, Result};
use crate::platform;
use crate::store::fsutil;

/// The file-name suffix of notes (see [`Cache::write_note`]).
pub(super) const NOTE_SUFFIX: &str = ".note";

/// The file-name suffix of note directories (see [`Cache::write_note_dir`]).
pub(super) const DIR_SUFFIX: &str = ".d";

/// A note's name: a plain word, so it can never name a path elsewhere.
fn is_note_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl Cache {
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

    /// A note opened for reading, and its length, with the checks of
    /// [`Cache::read_note`] (a trusted directory, no link, a regular file of
    /// ours, at most `max` bytes) and one more: nobody else may read or
    /// write it (mode 0600 or stricter, as stsenv writes notes). For a
    /// note too large to read whole (the config index is read a record at
    /// a time) or read by another program (the shell functions). `None`
    /// when absent or unusable.
    pub fn open_note(&self, name: &str, max: u64) -> Option<(File, u64)> {
        if !is_note_name(name) || !self.readable() {
            return None;
        }
        let (file, meta) = open_private(&self.note_path(name), max).ok().flatten()?;
        owner_only(&meta).then_some((file, meta.len()))
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

    /// Replace the note directory `name` (a directory of small files the
    /// shell reads itself: fish and zsh autoload a large config's
    /// `<alias>_assume` functions one file each): written whole under a
    /// temporary name (0700, files 0600), then renamed into place, so a
    /// shell never sees half of it. Only in a trusted directory.
    pub fn write_note_dir(&self, name: &str, files: &[(String, String)]) -> Result<()> {
        if !is_note_name(name) || !self.writable() {
            return Ok(());
        }
        let path = self.note_dir_path(name);
        let tmp = self
            .dir
            .join(format!(".{name}.{}{DIR_SUFFIX}", std::process::id()));
        let fail = |e: std::io::Error| Error::io("cannot write cache file", &path, e);
        let _ = fs::remove_dir_all(&tmp);
        fsutil::create_private_dir(&tmp).map_err(fail)?;
        let written = files.iter().try_for_each(|(file, text)| {
            let plain = !file.is_empty()
                && !file.starts_with('.')
                && file
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
            if !plain {
                return Err(std::io::Error::other("not a plain file name"));
            }
            let mut options = fs::OpenOptions::new();
            options.write(true).create_new(true);
            platform::private_no_follow(&mut options);
            std::io::Write::write_all(&mut options.open(tmp.join(file))?, text.as_bytes())
        });
        let placed = written.and_then(|()| {
            let _ = fs::remove_dir_all(&path);
            fs::rename(&tmp, &path)
        });
        if placed.is_err() {
            let _ = fs::remove_dir_all(&tmp);
        }
        placed.map_err(fail)
    }

    /// The path of the note directory `name`, for a shell that reads it
    /// itself: `Some` only when the cache directory is trusted and it is a
    /// real directory (not a link) of the current user that nobody else
    /// can open.
    pub fn note_dir(&self, name: &str) -> Option<PathBuf> {
        if !is_note_name(name) || !self.readable() {
            return None;
        }
        let path = self.note_dir_path(name);
        let meta = fs::symlink_metadata(&path).ok()?;
        if !meta.is_dir() {
            return None;
        }
        if platform::owner_problem(&path, &meta).is_some()
            || platform::open_to_others(&meta).is_some()
        {
            return None;
        }
        Some(path)
    }

    fn note_dir_path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}{DIR_SUFFIX}"))
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
            let Some(name) = file
                .strip_suffix(NOTE_SUFFIX)
                .or_else(|| file.strip_suffix(DIR_SUFFIX))
            else {
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
            // A note directory is removed with what is in it; a link in
            // its place is unlinked, never followed.
            let is_dir = item.file_type().is_ok_and(|t| t.is_dir());
            if is_dir {
                if fs::remove_dir_all(item.path()).is_ok() {
                    removed += 1;
                }
            } else if unlink(&item.path())? {
                removed += 1;
            }
        }
        Ok(removed)
    }

    fn note_path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}{NOTE_SUFFIX}"))
    }
}

//! Where the private copies of the AWS files live while a server runs, so
//! that nothing is left on disk however the process ends (even SIGKILL).
//!
//! - Linux: each copy is an in-memory file (`memfd_create`), sealed
//!   read-only and 0600, named by `/proc/<pid>/fd/<n>`: any program of the
//!   user opens it by that path (grandchildren too, even when a parent
//!   closed its inherited descriptors), no other user can (`/proc/<pid>/fd`
//!   is the owner's only), and the kernel frees it when stsenv exits.
//! - Elsewhere, or when that fails (no `/proc`): a 0700 directory
//!   `$TMPDIR/stsenv-server-<pid>-XXXXXX`, removed on a normal exit. A
//!   killed process cannot remove it, so every start first removes the
//!   directories of servers whose process is gone.

use std::fs;
use std::path::{Path, PathBuf};

use stsenv_core::{Error, Result};

use crate::platform::{memory_file, process};

/// The prefix of the fallback directories (the pid follows).
const PREFIX: &str = "stsenv-server-";

/// The stored copies, alive as long as this value.
pub(super) struct Stored {
    _holder: Holder,
    /// The path of each file, in the order given.
    pub(super) paths: Vec<PathBuf>,
}

enum Holder {
    Memory(#[allow(dead_code)] Vec<memory_file::Handle>),
    Dir(#[allow(dead_code)] tempfile::TempDir),
}

/// Store each `(name, text)` privately; their paths, in order.
pub(super) fn store(files: &[(&str, &str)]) -> Result<Stored> {
    if let Some(stored) = in_memory(files) {
        return Ok(stored);
    }
    in_directory(std::env::temp_dir().as_path(), files)
}

/// Every file in memory, or `None` when this system cannot (the caller
/// falls back to a directory).
fn in_memory(files: &[(&str, &str)]) -> Option<Stored> {
    let mut handles = Vec::new();
    let mut paths = Vec::new();
    for (name, text) in files {
        let (handle, path) = memory_file::create(name, text)?;
        // What the child will do: open it by the path.
        if fs::read(&path).ok()?.as_slice() != text.as_bytes() {
            return None;
        }
        handles.push(handle);
        paths.push(path);
    }
    Some(Stored {
        _holder: Holder::Memory(handles),
        paths,
    })
}

/// The fallback: a private directory under `tmp`, after sweeping the ones
/// of dead servers.
fn in_directory(tmp: &Path, files: &[(&str, &str)]) -> Result<Stored> {
    sweep(tmp);
    let mut builder = tempfile::Builder::new();
    let prefix = format!("{PREFIX}{}-", std::process::id());
    // tempfile makes the directory 0700 (on Windows: the ACL of the
    // user's own temporary directory).
    builder.prefix(&prefix);
    let dir = builder
        .tempdir_in(tmp)
        .map_err(|e| Error::io("cannot create a private directory in", tmp, e))?;
    let mut paths = Vec::new();
    for (name, text) in files {
        let path = dir.path().join(name);
        write_private(&path, text)
            .map_err(|e| Error::io("cannot write a private copy of the AWS files to", &path, e))?;
        paths.push(path);
    }
    Ok(Stored {
        _holder: Holder::Dir(dir),
        paths,
    })
}

/// Create `path` with mode 0600 (before any byte is written).
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    stsenv_core::platform::private_no_follow(&mut options);
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.flush()
}

/// Remove the directories in `tmp` left by servers that were killed: ours
/// (same owner) whose process no longer exists. Best effort: whatever
/// cannot be read or removed is left for the next start.
fn sweep(tmp: &Path) {
    let Ok(entries) = fs::read_dir(tmp) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(PREFIX))
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        // Never follow a link, never touch another user's directory.
        let Ok(meta) = entry.path().symlink_metadata() else {
            continue;
        };
        let ours = stsenv_core::platform::owner_problem(&entry.path(), &meta).is_none();
        if meta.is_dir() && ours && !process::is_alive(pid) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_files_read_back_and_are_private() {
        let stored = store(&[("config", "[default]\n"), ("credentials", "x")]).unwrap();
        assert_eq!(fs::read_to_string(&stored.paths[0]).unwrap(), "[default]\n");
        assert_eq!(fs::read_to_string(&stored.paths[1]).unwrap(), "x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&stored.paths[1]).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let paths = stored.paths.clone();
        drop(stored);
        assert!(paths.iter().all(|p| !p.exists()), "{paths:?}");
    }

    #[cfg(unix)]
    #[test]
    fn the_fallback_sweeps_the_directories_of_dead_servers_only() {
        let tmp = tempfile::tempdir().unwrap();
        // A process that has ended: its pid names no process (until reused).
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let left = tmp.path().join(format!("{PREFIX}{dead}-abc123"));
        fs::create_dir(&left).unwrap();
        fs::write(left.join("credentials"), "secret").unwrap();
        let running = tmp
            .path()
            .join(format!("{PREFIX}{}-def456", std::process::id()));
        fs::create_dir(&running).unwrap();
        let unrelated = tmp.path().join(format!("{PREFIX}notapid"));
        fs::create_dir(&unrelated).unwrap();

        let stored = in_directory(tmp.path(), &[("credentials", "new")]).unwrap();
        assert!(!left.exists(), "a dead server's copies stayed");
        assert!(running.exists() && unrelated.exists());
        let dir = stored.paths[0].parent().unwrap().to_path_buf();
        assert!(dir
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(&format!("{PREFIX}{}-", std::process::id())));
        drop(stored);
        assert!(!dir.exists());
    }
}

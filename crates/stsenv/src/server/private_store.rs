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
//!   directories of servers whose process is gone (Unix: `kill(pid, 0)`).
//!   Windows has no such check here: a directory left by a killed server
//!   stays in the user's own temporary directory.

use std::fs;
use std::path::{Path, PathBuf};

use stsenv_core::{Error, Result};

/// The prefix of the fallback directories (the pid follows).
const PREFIX: &str = "stsenv-server-";

/// The stored copies, alive as long as this value.
pub(super) struct Stored {
    _holder: Holder,
    /// The path of each file, in the order given.
    pub(super) paths: Vec<PathBuf>,
}

enum Holder {
    #[cfg(target_os = "linux")]
    Memory(#[allow(dead_code)] Vec<std::os::fd::OwnedFd>),
    Dir(#[allow(dead_code)] tempfile::TempDir),
}

/// Store each `(name, text)` privately; their paths, in order.
pub(super) fn store(files: &[(&str, &str)]) -> Result<Stored> {
    #[cfg(target_os = "linux")]
    if let Some(stored) = memory::store(files) {
        return Ok(stored);
    }
    in_directory(std::env::temp_dir().as_path(), files)
}

/// The fallback: a private directory under `tmp`, after sweeping the ones
/// of dead servers.
fn in_directory(tmp: &Path, files: &[(&str, &str)]) -> Result<Stored> {
    sweep(tmp);
    let mut builder = tempfile::Builder::new();
    let prefix = format!("{PREFIX}{}-", std::process::id());
    builder.prefix(&prefix);
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
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
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
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
        if meta.is_dir() && owned_by_us(&meta) && !alive(pid) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(unix)]
fn owned_by_us(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions.
    meta.uid() == unsafe { libc::geteuid() }
}

/// Whether process `pid` exists (a process of another user counts).
#[cfg(unix)]
fn alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return true;
    };
    // SAFETY: signal 0 only checks that the process exists.
    let result = unsafe { libc::kill(pid, 0) };
    result == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

#[cfg(not(unix))]
fn owned_by_us(_meta: &fs::Metadata) -> bool {
    false
}

#[cfg(not(unix))]
fn alive(_pid: u32) -> bool {
    true
}

#[cfg(target_os = "linux")]
mod memory {
    use std::ffi::CString;
    use std::fs::File;
    use std::io::Write;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::path::PathBuf;

    use super::{Holder, Stored};

    /// Every file as a sealed memfd, or `None` when the kernel or `/proc`
    /// does not allow it (the caller falls back to a directory).
    pub(super) fn store(files: &[(&str, &str)]) -> Option<Stored> {
        let mut fds = Vec::new();
        let mut paths = Vec::new();
        for (name, text) in files {
            let fd = sealed(name, text)?;
            let path = PathBuf::from(format!(
                "/proc/{}/fd/{}",
                std::process::id(),
                fd.as_raw_fd()
            ));
            // What the child will do: open it by the path.
            if std::fs::read(&path).ok()?.as_slice() != text.as_bytes() {
                return None;
            }
            fds.push(fd);
            paths.push(path);
        }
        Some(Stored {
            _holder: Holder::Memory(fds),
            paths,
        })
    }

    /// An in-memory file holding `text`: 0600, then sealed against any
    /// change (a program given the path can read it, not rewrite it).
    fn sealed(name: &str, text: &str) -> Option<OwnedFd> {
        let name = CString::new(format!("stsenv-{name}")).ok()?;
        // SAFETY: memfd_create reads the name and returns a new descriptor.
        let raw = unsafe {
            libc::memfd_create(name.as_ptr(), libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING)
        };
        if raw < 0 {
            return None;
        }
        // SAFETY: `raw` is a fresh descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let mut file = File::from(fd);
        file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .ok()?;
        file.write_all(text.as_bytes()).ok()?;
        let seals =
            libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_WRITE | libc::F_SEAL_SEAL;
        // SAFETY: fcntl on a descriptor we own.
        if unsafe { libc::fcntl(file.as_raw_fd(), libc::F_ADD_SEALS, seals) } != 0 {
            return None;
        }
        Some(OwnedFd::from(file))
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

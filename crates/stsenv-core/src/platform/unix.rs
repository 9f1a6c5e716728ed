//! Unix: a helper command leads its own process group, so a timeout kills
//! whatever it started with one `kill(-pgid)`.

use std::process::{Child, Command};

/// A helper command and every process it starts, killable as a whole.
pub struct ProcessTree {
    /// The group's id: the child's pid, as it leads the group.
    group: libc::pid_t,
}

impl ProcessTree {
    /// Prepare `command` before it is spawned: it leads a new process group.
    pub fn prepare(command: &mut Command) {
        std::os::unix::process::CommandExt::process_group(command, 0);
    }

    /// The tree of `child`, spawned from a prepared command.
    pub fn track(child: &Child) -> ProcessTree {
        ProcessTree {
            group: libc::pid_t::try_from(child.id()).unwrap_or(0),
        }
    }

    /// Kill every process of the tree (those still in the group).
    pub fn kill(&self) {
        if self.group > 0 {
            // SAFETY: kill(2) with a negative pid signals the group the
            // child leads; it touches no memory.
            unsafe {
                libc::kill(-self.group, libc::SIGKILL);
            }
        }
    }
}

/// Open without following a final symbolic link (`O_NOFOLLOW`: opening one
/// fails with `ELOOP`, see [`is_link_refused`]), without blocking on a FIFO,
/// not inherited by children, and created 0600.
pub fn private_no_follow(options: &mut std::fs::OpenOptions) {
    use std::os::unix::fs::OpenOptionsExt;
    options
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC);
}

/// Open without blocking (a FIFO such as `<(…)` is neither waited on nor
/// consumed).
pub fn non_blocking(options: &mut std::fs::OpenOptions) {
    std::os::unix::fs::OpenOptionsExt::custom_flags(options, libc::O_NONBLOCK | libc::O_CLOEXEC);
}

/// Whether an open failed because [`private_no_follow`] met a link.
pub fn is_link_refused(err: &std::io::Error) -> bool {
    err.raw_os_error() == Some(libc::ELOOP)
}

/// Why the file or directory at `path` is not the user's own, or `None`
/// when it is: its owner must be the effective user.
pub fn owner_problem(_path: &std::path::Path, meta: &std::fs::Metadata) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let me = euid();
    (meta.uid() != me).then(|| format!("it belongs to uid {}, not to you (uid {me})", meta.uid()))
}

/// The effective user id, asked once: stsenv never changes it, and a
/// command checks the owner of the cache directory and of each file it
/// reads there.
fn euid() -> u32 {
    static EUID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    // SAFETY: geteuid(2) cannot fail and touches no memory.
    *EUID.get_or_init(|| unsafe { libc::geteuid() })
}

/// The permission bits that let other users in (`mode & 0o077`), or `None`
/// when there are none.
pub fn open_to_others(meta: &std::fs::Metadata) -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    let mode = meta.mode() & 0o777;
    (mode & 0o077 != 0).then_some(mode)
}

/// Create `dir` and its missing parents, private to the user (0700).
pub fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Read `buf.len()` bytes at offset `at`, without moving a shared cursor.
pub fn read_exact_at(file: &std::fs::File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
}

/// Read up to `buf.len()` bytes at offset `at`.
pub fn read_at(file: &std::fs::File, buf: &mut [u8], at: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, at)
}

/// Write all of `buf` at offset `at`.
pub fn write_all_at(file: &std::fs::File, buf: &[u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, buf, at)
}

/// What identifies a file's content without reading it: device, inode,
/// size, and mtime and ctime in nanoseconds (ctime changes with any write,
/// even one that restores the mtime).
pub fn file_identity(meta: &std::fs::Metadata) -> Option<[i128; 5]> {
    use std::os::unix::fs::MetadataExt;
    Some([
        i128::from(meta.dev()),
        i128::from(meta.ino()),
        i128::from(meta.size()),
        i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
        i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
    ])
}

/// End the process at once, as `kill -9` would (the crash tests).
pub fn die_now() -> ! {
    // SAFETY: raising a signal touches no memory of ours.
    unsafe {
        libc::raise(libc::SIGKILL);
    }
    std::process::abort()
}

/// Split a `credential_process` / `mfa_process` command line into words,
/// as the AWS SDKs do on this platform.
pub fn split_command(command: &str) -> Result<Vec<String>, String> {
    super::cmdline::posix_split(command)
}

/// Whether the open `file` is the user's and no one else's (owner = the
/// effective user, mode `0600` or stricter).
pub fn is_owner_only(file: &std::fs::File) -> bool {
    use std::os::unix::fs::MetadataExt;
    let me = euid();
    file.metadata()
        .is_ok_and(|meta| meta.uid() == me && meta.mode() & 0o077 == 0)
}

/// A FIFO, socket or device, named for messages; `None` for anything else.
pub fn special_kind(meta: &std::fs::Metadata) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    let kind = meta.file_type();
    if kind.is_fifo() {
        Some("a FIFO (named pipe)")
    } else if kind.is_socket() {
        Some("a socket")
    } else if kind.is_char_device() || kind.is_block_device() {
        Some("a device")
    } else {
        None
    }
}

/// Whether `meta` is `/dev/null` (the same character device).
pub fn is_null_device(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    meta.file_type().is_char_device()
        && std::fs::metadata("/dev/null").is_ok_and(|null| null.rdev() == meta.rdev())
}

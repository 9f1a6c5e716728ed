//! The descriptor limit of the credential server. Every connection is a
//! descriptor, and any local user can open connections, so the server
//! raises its own soft limit (as Go programs do) and keeps its connections
//! well below it: a flood never leaves the renewer without a descriptor
//! for a cache file or a connection to STS. The child of `exec --server`
//! gets the limit the user had, since some programs still use `select(2)`,
//! which breaks on descriptors above 1024.
//!
//! Unix only; elsewhere the cap is a constant and nothing is changed.

use std::process::Command;

/// The most connections held at once, whatever the limit.
const MAX_CONNECTIONS: usize = 8192;
/// Descriptors kept for everything else (files, STS, the child's pipes).
#[cfg(unix)]
const RESERVED: u64 = 256;

#[cfg(unix)]
static ORIGINAL: std::sync::OnceLock<libc::rlimit> = std::sync::OnceLock::new();

/// Raise the soft limit on open files toward the hard one; the number of
/// connections the server may hold.
#[cfg(unix)]
pub(super) fn raise_open_files() -> usize {
    // SAFETY: getrlimit/setrlimit only read and write the struct given.
    unsafe {
        let mut limit = std::mem::zeroed::<libc::rlimit>();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 64;
        }
        let original = *ORIGINAL.get_or_init(|| limit);
        let wanted = (MAX_CONNECTIONS as u64 + RESERVED).min(limit.rlim_max as u64);
        if (limit.rlim_cur as u64) < wanted {
            let raised = libc::rlimit {
                rlim_cur: wanted as libc::rlim_t,
                ..original
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit = raised;
            }
        }
        let available = (limit.rlim_cur as u64).saturating_sub(RESERVED).max(16);
        usize::try_from(available).map_or(MAX_CONNECTIONS, |n| n.min(MAX_CONNECTIONS))
    }
}

/// Without rlimits: the constant cap.
#[cfg(not(unix))]
pub(super) fn raise_open_files() -> usize {
    MAX_CONNECTIONS
}

/// Give `command` the soft limit the user had before the server raised it.
#[cfg(unix)]
pub(super) fn restore_for_child(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    let Some(original) = ORIGINAL.get().copied() else {
        return;
    };
    // SAFETY: setrlimit is async-signal-safe and touches only `original`.
    unsafe {
        command.pre_exec(move || {
            libc::setrlimit(libc::RLIMIT_NOFILE, &original);
            Ok(())
        });
    }
}

/// Without rlimits: nothing to restore.
#[cfg(not(unix))]
pub(super) fn restore_for_child(_command: &mut Command) {}

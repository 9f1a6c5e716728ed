//! The descriptor limit of the credential server. Every connection is a
//! descriptor, and any local user can open connections, so the server
//! raises its own soft limit (as Go programs do) and keeps its connections
//! well below it: a flood never leaves the renewer without a descriptor
//! for a cache file or a connection to STS. The child of `exec --server`
//! gets the limit the user had, since some programs still use `select(2)`,
//! which breaks on descriptors above 1024.
//!
//! Where there is no such limit (Windows) the cap is a constant.

use crate::platform::open_files;

pub(super) use open_files::restore_for_child;

/// The most connections held at once, whatever the limit.
const MAX_CONNECTIONS: usize = 8192;
/// Descriptors kept for everything else (files, STS, the child's pipes).
const RESERVED: u64 = 256;

/// Raise the soft limit on open files toward the hard one; the number of
/// connections the server may hold.
pub(super) fn raise_open_files() -> usize {
    let Some(limit) = open_files::raise_to(MAX_CONNECTIONS as u64 + RESERVED) else {
        return MAX_CONNECTIONS;
    };
    let available = limit.saturating_sub(RESERVED).max(16);
    usize::try_from(available).map_or(MAX_CONNECTIONS, |n| n.min(MAX_CONNECTIONS))
}

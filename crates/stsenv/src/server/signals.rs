//! Signals for `exec --server` (forwarded to the child, which stsenv
//! outlives) and `serve` (stops on them). What a signal is differs per
//! platform: POSIX signals on Unix, console control events on Windows;
//! both live in [`crate::platform::signals`].

pub use crate::platform::signals::*;

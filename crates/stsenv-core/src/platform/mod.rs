//! What differs between Unix and Windows in the engine, behind one
//! interface: `unix.rs` and `windows.rs` implement the same items, and the
//! rest of the crate calls them without `cfg`. CI type-checks and lints both
//! (Linux, macOS and Windows targets in `cargo xtask ci`).

pub mod cmdline;

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub use unix::*;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub use windows::*;

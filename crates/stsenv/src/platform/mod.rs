//! Everything that differs between Unix and Windows in the binary, behind
//! one interface, so that command code has no `cfg`:
//!
//! - `terminal`: where prompts, the picker and OSC 52 go (`/dev/tty`; the
//!   console's `CONIN$`/`CONOUT$` on Windows), and saving the terminal's
//!   settings while a prompt has echo off;
//! - `process`: `exec` (Unix replaces the process; Windows runs the command
//!   and exits with its code), exit statuses, whether a process lives;
//! - `open_files`: the descriptor limit the credential server raises;
//! - `memory_file`: files that live in memory only (Linux's memfds);
//! - `signals`: `exec --server` forwarding signals to its child (Windows:
//!   a console control handler that lets Ctrl-C/Ctrl-Break reach the child
//!   and waits), `serve`'s stop signal, and Ctrl-C as a flag for `login`;
//! - `browser`: opening `login`'s device page;
//! - `clipboard`: the clipboard programs worth trying here.
//!
//! `unix.rs` and `windows.rs` implement the same items; `cargo xtask ci`
//! type-checks and lints the Linux, macOS and Windows targets.

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub use unix::*;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub use windows::*;

//! `cargo xtask demo`.

use crate::util;

/// Run the task.
pub fn run(_args: &[String]) -> util::Result {
    Err("`cargo xtask demo` is not written yet".into())
}

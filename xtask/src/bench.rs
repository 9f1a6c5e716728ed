//! `cargo xtask bench`.

use crate::util;

/// Run the task.
pub fn run(_args: &[String]) -> util::Result {
    Err("`cargo xtask bench` is not written yet".into())
}

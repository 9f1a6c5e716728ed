//! `cargo xtask completions`.

use crate::util;

/// Run the task.
pub fn run(_args: &[String]) -> util::Result {
    Err("`cargo xtask completions` is not written yet".into())
}

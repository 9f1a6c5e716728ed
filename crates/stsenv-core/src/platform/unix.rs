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

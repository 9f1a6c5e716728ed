//! Windows: there are no process groups to signal, so a helper command is
//! put in a Job Object right after it starts; the processes it starts
//! inherit the job, and a timeout ends them all with `TerminateJobObject`.
//!
//! The child runs for a moment before it is assigned (std spawns it
//! running): a grandchild started in those first microseconds, before the
//! child has even loaded its DLLs, would escape. No helper does that.

use std::os::windows::io::{AsRawHandle, FromRawHandle, OwnedHandle};
use std::process::{Child, Command};

use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, TerminateJobObject,
};

/// A helper command and every process it starts, killable as a whole.
pub struct ProcessTree {
    /// The job holding the child; `None` when it could not be created (then
    /// only the child itself is killed).
    job: Option<OwnedHandle>,
}

impl ProcessTree {
    /// Prepare `command` before it is spawned (nothing to do on Windows:
    /// the job is attached in [`ProcessTree::track`]).
    pub fn prepare(command: &mut Command) {
        let _ = command;
    }

    /// The tree of `child`: a new job that holds it.
    pub fn track(child: &Child) -> ProcessTree {
        // SAFETY: no security attributes, no name: a private job.
        let raw = unsafe { CreateJobObjectW(std::ptr::null(), std::ptr::null()) };
        if raw.is_null() {
            return ProcessTree { job: None };
        }
        // SAFETY: a handle just created and owned by nobody else.
        let job = unsafe { OwnedHandle::from_raw_handle(raw) };
        // SAFETY: both handles are valid for the duration of the call.
        let assigned =
            unsafe { AssignProcessToJobObject(job.as_raw_handle(), child.as_raw_handle()) };
        ProcessTree {
            job: (assigned != 0).then_some(job),
        }
    }

    /// Kill every process of the tree.
    pub fn kill(&self) {
        if let Some(job) = &self.job {
            // SAFETY: a valid job handle; 1 becomes the processes' exit code.
            unsafe {
                TerminateJobObject(job.as_raw_handle(), 1);
            }
        }
    }
}

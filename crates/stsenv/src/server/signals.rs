//! Signals: `exec --server` forwards INT, TERM, HUP and QUIT to its child
//! and stays alive until the child exits; `serve` stops on them.
//!
//! A signal the terminal generated (Ctrl-C, Ctrl-\, a hang-up) already
//! reached the child, which shares stsenv's foreground process group, so
//! it is not sent a second time: a second SIGINT makes tools like
//! terraform abort without cleaning up. Signals sent by a process (`kill`,
//! a supervisor, a CI runner's timeout) reach stsenv alone and are passed on.

use std::io::Read;
use std::sync::atomic::{AtomicI32, Ordering};

use stsenv_core::{Error, Result};

/// The signals passed to the child (and that stop `serve`).
pub const FORWARDED: [libc::c_int; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

/// The child's pid while it can be signalled; 0 before it exists and
/// after it was waited for.
static CHILD: AtomicI32 = AtomicI32::new(0);
/// A signal that arrived before the child existed.
static PENDING: AtomicI32 = AtomicI32::new(0);

/// Install the forwarding handlers (once per process, before the child is
/// started so that no signal falls between the two).
pub fn install_forwarding() -> Result<()> {
    for signal in FORWARDED {
        // SAFETY: the handler only reads and writes atomics and calls
        // kill(2), all async-signal-safe.
        unsafe {
            signal_hook_registry::register_sigaction(signal, move |info: &libc::siginfo_t| {
                let pid = CHILD.load(Ordering::SeqCst);
                if pid <= 0 {
                    PENDING.store(signal, Ordering::SeqCst);
                } else if sent_by_a_process(info) {
                    libc::kill(pid, signal);
                }
            })
        }
        .map_err(|e| Error::io("cannot install the signal handler for", "the command", e))?;
    }
    Ok(())
}

/// From now on, forward to `pid`; a signal that came before goes first.
pub fn forward_to(pid: u32) {
    let pid = i32::try_from(pid).unwrap_or(0);
    CHILD.store(pid, Ordering::SeqCst);
    let pending = PENDING.swap(0, Ordering::SeqCst);
    if pending > 0 && pid > 0 {
        // SAFETY: kill(2) on our own child.
        unsafe { libc::kill(pid, pending) };
    }
}

/// Stop forwarding: the child exited and its pid may be reused once reaped.
pub fn stop_forwarding() {
    CHILD.store(0, Ordering::SeqCst);
}

/// Wait until the child `pid` exits, without reaping it (so its pid cannot
/// be reused while a signal may still be forwarded to it).
#[cfg(unix)]
pub fn wait_for_exit(pid: u32) {
    loop {
        // SAFETY: siginfo_t is plain data, filled in by waitid.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: a valid pointer; WNOWAIT leaves the child waitable.
        let rc = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        if rc == 0 || std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            return;
        }
    }
}

/// Whether `kill(2)`/`sigqueue(3)` sent the signal, not the kernel (the
/// terminal driver).
#[cfg(target_os = "linux")]
fn sent_by_a_process(info: &libc::siginfo_t) -> bool {
    // SI_USER (0), SI_QUEUE (-1), SI_TKILL (-6)…: user-space senders are
    // <= 0; SI_KERNEL (0x80) is the terminal.
    info.si_code <= 0
}

#[cfg(all(unix, not(target_os = "linux")))]
fn sent_by_a_process(info: &libc::siginfo_t) -> bool {
    info.si_code == libc::SI_USER || info.si_code == libc::SI_QUEUE
}

/// Blocks until INT, TERM, HUP or QUIT arrives (`serve`'s Ctrl-C).
pub struct StopSignal {
    reader: std::io::PipeReader,
}

impl StopSignal {
    /// Install the handlers; from now on those signals no longer kill the
    /// process but end [`StopSignal::wait`].
    pub fn install() -> Result<StopSignal> {
        use std::os::fd::AsRawFd;
        let (reader, writer) =
            std::io::pipe().map_err(|e| Error::io("cannot create a pipe for", "signals", e))?;
        let fd = writer.as_raw_fd();
        // The handlers outlive any value: the write end stays open for the
        // life of the process, so `fd` can never name another file.
        std::mem::forget(writer);
        for signal in FORWARDED {
            // SAFETY: write(2) on a pipe is async-signal-safe, and the
            // pipe is never closed.
            unsafe {
                signal_hook_registry::register(signal, move || {
                    libc::write(fd, b"s".as_ptr().cast(), 1);
                })
            }
            .map_err(|e| Error::io("cannot install the signal handler for", "serve", e))?;
        }
        Ok(StopSignal { reader })
    }

    /// Wait for one of the signals.
    pub fn wait(mut self) {
        let mut byte = [0u8; 1];
        loop {
            match self.reader.read(&mut byte) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                _ => break,
            }
        }
    }
}

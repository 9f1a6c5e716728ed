//! Unix (Linux, macOS, the BSDs): the terminal is `/dev/tty`, `exec`
//! replaces the process, and signals are forwarded by handlers that only
//! touch atomics.

/// The controlling terminal, `/dev/tty`: prompts and the picker use it, never
/// stdout (which may be `eval`ed) nor stderr (which may be redirected).
pub mod terminal {
    use std::fs::{File, OpenOptions};
    use std::sync::atomic::{AtomicI32, Ordering};

    /// The terminal, as messages name it.
    pub const NAME: &str = "/dev/tty";

    /// Whether a terminal can be opened (stdin may be a pipe even so).
    pub fn available() -> bool {
        File::open("/dev/tty").is_ok()
    }

    /// The terminal opened for reading and for writing.
    pub fn open() -> Option<(File, File)> {
        let read = OpenOptions::new().read(true).open("/dev/tty").ok()?;
        let write = OpenOptions::new().write(true).open("/dev/tty").ok()?;
        Some((read, write))
    }

    /// The terminal's settings, taken before a prompt turns echo off.
    pub struct Saved {
        tty: File,
        termios: libc::termios,
    }

    /// Read the terminal's settings; `None` without a terminal.
    pub fn save() -> Option<Saved> {
        use std::os::fd::AsRawFd;
        let tty = OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .ok()?;
        // SAFETY: termios is plain data, filled in by tcgetattr on success.
        let mut termios: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: a valid descriptor and a valid pointer.
        (unsafe { libc::tcgetattr(tty.as_raw_fd(), &mut termios) } == 0)
            .then_some(Saved { tty, termios })
    }

    impl Saved {
        /// Put the settings back (echo on again).
        pub fn restore(&self) {
            use std::os::fd::AsRawFd;
            // SAFETY: a valid descriptor and the settings read from it.
            unsafe { libc::tcsetattr(self.tty.as_raw_fd(), libc::TCSANOW, &self.termios) };
        }
    }

    /// The picker's terminal, for the SIGINT handler (-1: none).
    static PICKER_FD: AtomicI32 = AtomicI32::new(-1);

    /// A console `Term` drawing on `/dev/tty`; while it lives, Ctrl-C shows
    /// the cursor again before the process dies with status 130.
    pub struct PickerTerm {
        term: console::Term,
    }

    /// The picker's terminal, when there is one.
    pub fn picker() -> Option<PickerTerm> {
        use std::os::fd::AsRawFd;
        let (read, write) = open()?;
        PICKER_FD.store(write.as_raw_fd(), Ordering::Relaxed);
        extern "C" fn on_sigint(_: libc::c_int) {
            const SHOW: &[u8] = b"\x1b[?25h\r\n";
            let fd = PICKER_FD.load(Ordering::Relaxed);
            // SAFETY: write(2) and _exit(2) are async-signal-safe; the
            // buffer is a static.
            unsafe {
                if fd >= 0 {
                    libc::write(fd, SHOW.as_ptr().cast(), SHOW.len());
                }
                libc::_exit(130);
            }
        }
        let handler: extern "C" fn(libc::c_int) = on_sigint;
        // SAFETY: installs a handler that only calls async-signal-safe functions.
        unsafe {
            libc::signal(libc::SIGINT, handler as libc::sighandler_t);
        }
        Some(PickerTerm {
            term: console::Term::read_write_pair(read, write),
        })
    }

    impl std::ops::Deref for PickerTerm {
        type Target = console::Term;
        fn deref(&self) -> &console::Term {
            &self.term
        }
    }

    impl Drop for PickerTerm {
        fn drop(&mut self) {
            let _ = self.term.show_cursor();
            PICKER_FD.store(-1, Ordering::Relaxed);
            // SAFETY: restores the default disposition.
            unsafe {
                libc::signal(libc::SIGINT, libc::SIG_DFL);
            }
        }
    }
}

/// Running the user's command.
pub mod process {
    use std::process::{Command, ExitCode, ExitStatus};

    /// Exec `command` in place of this process (signals and the exit
    /// status are then the command's own); returns only on failure.
    pub fn replace_process(command: &mut Command) -> std::io::Error {
        use std::os::unix::process::CommandExt;
        command.exec()
    }

    /// A child's status as ours: its code, or 128+N after signal N (what a
    /// shell reports).
    pub fn exit_code(status: ExitStatus) -> ExitCode {
        use std::os::unix::process::ExitStatusExt;
        let code = match status.signal() {
            Some(signal) => u8::try_from(128 + signal).unwrap_or(255),
            None => status
                .code()
                .and_then(|code| u8::try_from(code).ok())
                .unwrap_or(1),
        };
        ExitCode::from(code)
    }

    /// Whether process `pid` exists (a process of another user counts).
    pub fn is_alive(pid: u32) -> bool {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return true;
        };
        // SAFETY: signal 0 only checks that the process exists.
        let result = unsafe { libc::kill(pid, 0) };
        result == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
}

/// The soft limit on open descriptors (`RLIMIT_NOFILE`), which the
/// credential server raises for itself and gives back to its child.
pub mod open_files {
    use std::process::Command;
    use std::sync::OnceLock;

    static ORIGINAL: OnceLock<libc::rlimit> = OnceLock::new();

    /// Raise the soft limit toward `wanted` (never above the hard limit);
    /// the limit now in force (0 when it cannot be read).
    pub fn raise_to(wanted: u64) -> Option<u64> {
        // SAFETY: getrlimit/setrlimit only read and write the struct given.
        unsafe {
            let mut limit = std::mem::zeroed::<libc::rlimit>();
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
                return Some(0);
            }
            let original = *ORIGINAL.get_or_init(|| limit);
            let wanted = wanted.min(limit.rlim_max as u64);
            if (limit.rlim_cur as u64) < wanted {
                let raised = libc::rlimit {
                    rlim_cur: wanted as libc::rlim_t,
                    ..original
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                    limit = raised;
                }
            }
            Some(limit.rlim_cur as u64)
        }
    }

    /// Give `command` the soft limit the user had before [`raise_to`]
    /// (some programs still use `select(2)`, which breaks above 1024).
    pub fn restore_for_child(command: &mut Command) {
        use std::os::unix::process::CommandExt;
        let Some(original) = ORIGINAL.get().copied() else {
            return;
        };
        // SAFETY: setrlimit is async-signal-safe and touches only `original`.
        unsafe {
            command.pre_exec(move || {
                libc::setrlimit(libc::RLIMIT_NOFILE, &original);
                Ok(())
            });
        }
    }
}

/// Files that live in memory only, so nothing is left on disk however the
/// process ends: Linux's sealed memfds, opened by others through
/// `/proc/<pid>/fd/<n>`. Other Unixes have none (`None`).
pub mod memory_file {
    use std::path::PathBuf;

    /// What keeps a memory file alive.
    #[cfg(target_os = "linux")]
    pub type Handle = std::os::fd::OwnedFd;
    /// What keeps a memory file alive (none here).
    #[cfg(not(target_os = "linux"))]
    pub type Handle = ();

    /// An in-memory file holding `text`, 0600 and then sealed against any
    /// change, with the path any program of the user opens it by; `None`
    /// when the kernel or `/proc` does not allow it.
    #[cfg(target_os = "linux")]
    pub fn create(name: &str, text: &str) -> Option<(Handle, PathBuf)> {
        use std::ffi::CString;
        use std::fs::File;
        use std::io::Write;
        use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

        let c_name = CString::new(format!("stsenv-{name}")).ok()?;
        // SAFETY: memfd_create reads the name and returns a new descriptor.
        let raw = unsafe {
            libc::memfd_create(c_name.as_ptr(), libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING)
        };
        if raw < 0 {
            return None;
        }
        // SAFETY: `raw` is a fresh descriptor that nothing else owns.
        let mut file = File::from(unsafe { OwnedFd::from_raw_fd(raw) });
        file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .ok()?;
        file.write_all(text.as_bytes()).ok()?;
        let seals =
            libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_WRITE | libc::F_SEAL_SEAL;
        // SAFETY: fcntl on a descriptor we own.
        if unsafe { libc::fcntl(file.as_raw_fd(), libc::F_ADD_SEALS, seals) } != 0 {
            return None;
        }
        let path = PathBuf::from(format!(
            "/proc/{}/fd/{}",
            std::process::id(),
            file.as_raw_fd()
        ));
        Some((OwnedFd::from(file), path))
    }

    /// Never here: the caller uses a private directory.
    #[cfg(not(target_os = "linux"))]
    pub fn create(name: &str, text: &str) -> Option<(Handle, PathBuf)> {
        let _ = (name, text);
        None
    }
}

/// Signals: `exec --server` forwards INT, TERM, HUP and QUIT to its child
/// and stays alive until the child exits; `serve` stops on them.
///
/// A signal the terminal generated (Ctrl-C, Ctrl-\, a hang-up) already
/// reached the child, which shares stsenv's foreground process group, so
/// it is not sent a second time: a second SIGINT makes tools like
/// terraform abort without cleaning up. Signals sent by a process (`kill`,
/// a supervisor, a CI runner's timeout) reach stsenv alone and are passed on.
pub mod signals {
    use std::io::Read;
    use std::process::{Child, ExitStatus};
    use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

    use stsenv_core::{Error, Result};

    /// The signals passed to the child (and that stop `serve`).
    const FORWARDED: [libc::c_int; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

    /// The child's pid while it can be signalled; 0 before it exists and
    /// after it was waited for.
    static CHILD: AtomicI32 = AtomicI32::new(0);
    /// A signal that arrived before the child existed.
    static PENDING: AtomicI32 = AtomicI32::new(0);

    /// Install the forwarding handlers (once per process, before the child
    /// is started so that no signal falls between the two).
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

    /// From now on, forward to `child`; a signal that came before goes first.
    pub fn forward_to(child: &Child) {
        let pid = i32::try_from(child.id()).unwrap_or(0);
        CHILD.store(pid, Ordering::SeqCst);
        let pending = PENDING.swap(0, Ordering::SeqCst);
        if pending > 0 && pid > 0 {
            // SAFETY: kill(2) on our own child.
            unsafe { libc::kill(pid, pending) };
        }
    }

    /// Wait until `child` exits, stop forwarding, then reap it. The wait
    /// does not reap (`waitid(WNOWAIT)`), so a signal forwarded meanwhile
    /// can never reach another process that reused the pid.
    pub fn wait(child: &mut Child) -> std::io::Result<ExitStatus> {
        let pid = child.id();
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
            if rc == 0 || std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted
            {
                break;
            }
        }
        CHILD.store(0, Ordering::SeqCst);
        child.wait()
    }

    /// Whether `kill(2)`/`sigqueue(3)` sent the signal, not the kernel (the
    /// terminal driver).
    #[cfg(target_os = "linux")]
    fn sent_by_a_process(info: &libc::siginfo_t) -> bool {
        // SI_USER (0), SI_QUEUE (-1), SI_TKILL (-6)…: user-space senders
        // are <= 0; SI_KERNEL (0x80) is the terminal.
        info.si_code <= 0
    }

    /// Whether `kill(2)` sent the signal, not the terminal driver. macOS
    /// and the BSDs mark both with `SI_USER` (0x10001) or `SI_QUEUE`
    /// (0x10002); the libc crate defines those names only for Linux.
    #[cfg(not(target_os = "linux"))]
    fn sent_by_a_process(info: &libc::siginfo_t) -> bool {
        const SI_USER: libc::c_int = 0x10001;
        const SI_QUEUE: libc::c_int = 0x10002;
        info.si_code == SI_USER || info.si_code == SI_QUEUE
    }

    /// Blocks until INT, TERM, HUP or QUIT arrives (`serve`'s Ctrl-C).
    pub struct StopSignal {
        reader: std::io::PipeReader,
    }

    impl StopSignal {
        /// Install the handlers; from now on those signals no longer kill
        /// the process but end [`StopSignal::wait`].
        pub fn install() -> Result<StopSignal> {
            use std::os::fd::AsRawFd;
            let (reader, writer) =
                std::io::pipe().map_err(|e| Error::io("cannot create a pipe for", "signals", e))?;
            let fd = writer.as_raw_fd();
            // The handlers outlive any value: the write end stays open for
            // the life of the process, so `fd` can never name another file.
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

    /// Set by Ctrl-C once [`catch_ctrl_c`] was called.
    static CTRL_C: AtomicBool = AtomicBool::new(false);

    /// From now on Ctrl-C (SIGINT) no longer kills the process: the caller
    /// polls [`ctrl_c_pressed`] and unwinds normally (locks released,
    /// nothing half written).
    pub fn catch_ctrl_c() {
        extern "C" fn on_sigint(_: libc::c_int) {
            // Only an atomic store: async-signal-safe.
            CTRL_C.store(true, Ordering::SeqCst);
        }
        // SAFETY: the handler only stores to an atomic.
        unsafe {
            libc::signal(
                libc::SIGINT,
                on_sigint as extern "C" fn(libc::c_int) as libc::sighandler_t,
            );
        }
    }

    /// Whether Ctrl-C was pressed since [`catch_ctrl_c`].
    pub fn ctrl_c_pressed() -> bool {
        CTRL_C.load(Ordering::SeqCst)
    }
}

/// The browser for `login`'s device page.
pub mod browser {
    use std::process::{Command, Stdio};

    /// Whether a browser can be opened: always on macOS, elsewhere only
    /// with a display (xdg-open on a headless machine would "succeed" and
    /// show nothing).
    pub fn available() -> bool {
        if cfg!(target_os = "macos") {
            return true;
        }
        let set = |v: &str| std::env::var_os(v).is_some_and(|x| !x.is_empty());
        set("DISPLAY") || set("WAYLAND_DISPLAY")
    }

    /// Start the browser on `url` without waiting for it, in its own
    /// process group so Ctrl-C here does not reach it. The caller checked
    /// `url` (https, never starting with `-`, so no opener takes it for an
    /// option; xdg-open refuses a `--` separator, so none is passed); it is
    /// one argv element, never parsed by a shell.
    pub fn open(url: &str) -> bool {
        let opener = if cfg!(target_os = "macos") {
            "open"
        } else {
            "xdg-open"
        };
        let mut command = Command::new(opener);
        command
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        match command.spawn() {
            Ok(mut child) => {
                // Reaped in the background so it never lingers as a zombie.
                std::thread::spawn(move || child.wait());
                true
            }
            Err(_) => false,
        }
    }
}

/// The clipboard programs of Unix systems, in order of preference.
pub mod clipboard {
    use std::path::Path;

    /// Programs that read stdin into the clipboard, with their arguments:
    /// macOS, Wayland, X11, and WSL's Windows clipboard.
    pub const TOOLS: [(&str, &[&str]); 5] = [
        ("pbcopy", &[]),
        ("wl-copy", &[]),
        ("xclip", &["-selection", "clipboard", "-in"]),
        ("xsel", &["--clipboard", "--input"]),
        ("clip.exe", &[]),
    ];

    /// Whether `path` is a file someone may execute.
    pub fn is_executable(path: &Path) -> bool {
        use std::os::unix::fs::PermissionsExt;
        path.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::process::ExitStatusExt;
    use std::process::{ExitCode, ExitStatus};

    use super::process::exit_code;

    #[test]
    fn signals_become_128_plus_n() {
        assert_eq!(exit_code(ExitStatus::from_raw(42 << 8)), ExitCode::from(42));
        assert_eq!(exit_code(ExitStatus::from_raw(15)), ExitCode::from(143));
        assert_eq!(exit_code(ExitStatus::from_raw(2)), ExitCode::from(130));
    }
}

//! Windows: the terminal is the console (`CONIN$`/`CONOUT$`), `exec` runs
//! the command as a child and exits with its code, and Ctrl-C/Ctrl-Break
//! are console control events, which Windows delivers to every process
//! attached to the console: the child gets them itself, and stsenv only
//! has to survive them and keep waiting.

use windows_sys::Win32::Foundation::{FALSE, TRUE};
use windows_sys::Win32::System::Console::{
    SetConsoleCtrlHandler, CTRL_BREAK_EVENT, CTRL_C_EVENT, PHANDLER_ROUTINE,
};

/// Add a console control handler (they stack: the last one added runs
/// first; returning FALSE passes the event on, finally to the default
/// handler, which ends the process).
fn add_ctrl_handler(handler: PHANDLER_ROUTINE) -> std::io::Result<()> {
    // SAFETY: registers a function that lives for the whole program.
    if unsafe { SetConsoleCtrlHandler(handler, TRUE) } == 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

fn remove_ctrl_handler(handler: PHANDLER_ROUTINE) {
    // SAFETY: unregisters a handler added by `add_ctrl_handler`.
    unsafe { SetConsoleCtrlHandler(handler, FALSE) };
}

/// Whether the event is Ctrl-C or Ctrl-Break (not a closed console, a
/// log-off or a shutdown, after which Windows ends the process anyway).
fn is_interrupt(ctrl: u32) -> bool {
    ctrl == CTRL_C_EVENT || ctrl == CTRL_BREAK_EVENT
}

/// The console: prompts and the picker read `CONIN$` and draw on
/// `CONOUT$`, never on stdout (which may be piped to `Invoke-Expression`)
/// nor stderr (which may be redirected).
pub mod terminal {
    use std::fs::{File, OpenOptions};
    use std::os::windows::io::AsRawHandle;

    use windows_sys::Win32::Foundation::{FALSE, HANDLE};
    use windows_sys::Win32::System::Console::{
        GetConsoleMode, GetStdHandle, SetConsoleMode, SetStdHandle, STD_ERROR_HANDLE,
        STD_INPUT_HANDLE,
    };

    /// The terminal, as messages name it.
    pub const NAME: &str = "the console (CONIN$)";

    fn open_console(name: &str) -> Option<File> {
        // Console handles need read and write access for their modes.
        OpenOptions::new().read(true).write(true).open(name).ok()
    }

    /// Whether a console can be opened (stdin may be a pipe even so).
    pub fn available() -> bool {
        open_console("CONIN$").is_some()
    }

    /// The console's input and output.
    pub fn open() -> Option<(File, File)> {
        Some((open_console("CONIN$")?, open_console("CONOUT$")?))
    }

    /// The console input's mode, taken before a prompt turns echo off.
    pub struct Saved {
        input: File,
        mode: u32,
    }

    /// Read the console input's mode; `None` without a console.
    pub fn save() -> Option<Saved> {
        let input = open_console("CONIN$")?;
        let mut mode = 0;
        // SAFETY: a console handle and a valid pointer.
        (unsafe { GetConsoleMode(input.as_raw_handle(), &mut mode) } != 0)
            .then_some(Saved { input, mode })
    }

    impl Saved {
        /// Put the mode back (echo on again).
        pub fn restore(&self) {
            // SAFETY: a console handle and the mode read from it.
            unsafe { SetConsoleMode(self.input.as_raw_handle(), self.mode) };
        }
    }

    /// A console `Term` on `CONIN$`/`CONOUT$`. The console crate reads keys
    /// from the standard input handle and draws on the standard error
    /// handle, so while the picker lives those two point at the console
    /// (stdout, the env code, is untouched); they are put back on drop.
    pub struct PickerTerm {
        term: console::Term,
        previous: [HANDLE; 2],
        _console: (File, File),
    }

    /// The picker's console, when there is one.
    pub fn picker() -> Option<PickerTerm> {
        let (input, output) = open()?;
        // SAFETY: reading and setting this process's standard handles; the
        // console handles stay open as long as the PickerTerm.
        let previous = unsafe {
            let previous = [
                GetStdHandle(STD_INPUT_HANDLE),
                GetStdHandle(STD_ERROR_HANDLE),
            ];
            SetStdHandle(STD_INPUT_HANDLE, input.as_raw_handle());
            SetStdHandle(STD_ERROR_HANDLE, output.as_raw_handle());
            previous
        };
        let _ = super::add_ctrl_handler(Some(show_cursor_on_interrupt));
        Some(PickerTerm {
            term: console::Term::stderr(),
            previous,
            _console: (input, output),
        })
    }

    /// Ctrl-C in the picker: show the cursor again, then let the default
    /// handler end the process. Runs on a thread of its own.
    unsafe extern "system" fn show_cursor_on_interrupt(_: u32) -> windows_sys::core::BOOL {
        let _ = console::Term::stderr().show_cursor();
        FALSE
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
            super::remove_ctrl_handler(Some(show_cursor_on_interrupt));
            // SAFETY: the handles this process had before the picker.
            unsafe {
                SetStdHandle(STD_INPUT_HANDLE, self.previous[0]);
                SetStdHandle(STD_ERROR_HANDLE, self.previous[1]);
            }
        }
    }
}

/// Running the user's command. Windows has no exec: stsenv runs it as a
/// child, survives Ctrl-C/Ctrl-Break while the child handles them, and
/// exits with the child's exit code (all 32 bits of it).
pub mod process {
    use std::process::{Command, ExitCode, ExitStatus};

    use super::signals;

    /// Run `command`, wait for it, and exit with its code; returns only
    /// when it cannot be started.
    pub fn replace_process(command: &mut Command) -> std::io::Error {
        if let Err(error) = signals::install_forwarding() {
            return std::io::Error::other(error.to_string());
        }
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(error) => return error,
        };
        signals::forward_to(&child);
        match signals::wait(&mut child) {
            Ok(status) => std::process::exit(status.code().unwrap_or(1)),
            Err(error) => error,
        }
    }

    /// A child's status as ours. A code above 255 (an NTSTATUS such as
    /// 0xC000013A, "ended by Ctrl-C") does not fit an `ExitCode`, so the
    /// process exits with it right here: callers call this last, after
    /// their cleanup.
    pub fn exit_code(status: ExitStatus) -> ExitCode {
        let code = status.code().unwrap_or(1);
        match u8::try_from(code) {
            Ok(small) => ExitCode::from(small),
            Err(_) => std::process::exit(code),
        }
    }

    /// Whether process `pid` is still running (one that cannot be opened,
    /// e.g. another user's, counts as running).
    pub fn is_alive(pid: u32) -> bool {
        use windows_sys::Win32::Foundation::{CloseHandle, STILL_ACTIVE};
        use windows_sys::Win32::System::Threading::{
            GetExitCodeProcess, OpenProcess, PROCESS_QUERY_LIMITED_INFORMATION,
        };
        // SAFETY: the handle is checked, used once and closed.
        unsafe {
            let handle = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
            if handle.is_null() {
                // ERROR_INVALID_PARAMETER: no process has this id.
                return std::io::Error::last_os_error().raw_os_error() != Some(87);
            }
            let mut code = 0u32;
            let ok = GetExitCodeProcess(handle, &mut code);
            CloseHandle(handle);
            ok == 0 || code == STILL_ACTIVE as u32
        }
    }
}

/// Windows has no per-process descriptor limit to raise: the credential
/// server keeps its constant cap.
pub mod open_files {
    use std::process::Command;

    /// No limit to raise (`None`).
    pub fn raise_to(wanted: u64) -> Option<u64> {
        let _ = wanted;
        None
    }

    /// Nothing to give back.
    pub fn restore_for_child(command: &mut Command) {
        let _ = command;
    }
}

/// Windows has no memory files that other programs open by path: the
/// caller uses a private directory.
pub mod memory_file {
    use std::path::PathBuf;

    /// What keeps a memory file alive (none here).
    pub type Handle = ();

    /// Never (`None`).
    pub fn create(name: &str, text: &str) -> Option<(Handle, PathBuf)> {
        let _ = (name, text);
        None
    }
}

/// Console control events for `exec`, `exec --server`, `serve` and `login`.
///
/// Ctrl-C and Ctrl-Break reach every process on the console, the child
/// included, so nothing is forwarded: stsenv's handler only keeps it alive
/// (and serving) until the child exits. A closed console, log-off or
/// shutdown ends stsenv when the handler returns, so the handler first
/// waits for the child, within the few seconds Windows allows. Windows has
/// no `kill -TERM` for console programs: `taskkill /F` ends stsenv alone,
/// and the child then runs on without its credential server.
pub mod signals {
    use std::io;
    use std::os::windows::io::AsRawHandle;
    use std::process::{Child, ExitStatus};
    use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};
    use std::sync::{Condvar, Mutex};

    use stsenv_core::{Error, Result};
    use windows_sys::Win32::Foundation::{FALSE, TRUE};
    use windows_sys::Win32::System::Threading::{TerminateProcess, WaitForSingleObject, INFINITE};

    use super::{add_ctrl_handler, is_interrupt};

    /// The child's process handle while it runs (null before and after).
    static CHILD: AtomicPtr<core::ffi::c_void> = AtomicPtr::new(std::ptr::null_mut());
    /// Ctrl-C or Ctrl-Break came before the child existed.
    static PENDING: AtomicBool = AtomicBool::new(false);
    /// The exit code of a process ended by Ctrl-C (STATUS_CONTROL_C_EXIT).
    const CONTROL_C_EXIT: u32 = 0xC000_013A;

    unsafe extern "system" fn keep_waiting(ctrl: u32) -> windows_sys::core::BOOL {
        let child = CHILD.load(Ordering::SeqCst);
        if is_interrupt(ctrl) {
            if child.is_null() {
                PENDING.store(true, Ordering::SeqCst);
            }
            return TRUE;
        }
        if !child.is_null() {
            // SAFETY: the child's handle, open until it has been waited for.
            unsafe { WaitForSingleObject(child, INFINITE) };
        }
        FALSE
    }

    /// Install the console control handler (before the child is started).
    pub fn install_forwarding() -> Result<()> {
        add_ctrl_handler(Some(keep_waiting)).map_err(|e| {
            Error::io(
                "cannot install the console control handler for",
                "the command",
                e,
            )
        })
    }

    /// From now on, wait for `child` on Ctrl-C; one pressed before it
    /// existed ends it now, as it would have ended it had it been running.
    pub fn forward_to(child: &Child) {
        CHILD.store(child.as_raw_handle(), Ordering::SeqCst);
        if PENDING.swap(false, Ordering::SeqCst) {
            // SAFETY: our own child's handle.
            unsafe { TerminateProcess(child.as_raw_handle(), CONTROL_C_EXIT) };
        }
    }

    /// Wait until `child` exits.
    pub fn wait(child: &mut Child) -> io::Result<ExitStatus> {
        let status = child.wait();
        CHILD.store(std::ptr::null_mut(), Ordering::SeqCst);
        status
    }

    /// Set by the handler of [`StopSignal`].
    static STOP: (Mutex<bool>, Condvar) = (Mutex::new(false), Condvar::new());

    unsafe extern "system" fn stop(_: u32) -> windows_sys::core::BOOL {
        *STOP.0.lock().unwrap_or_else(|e| e.into_inner()) = true;
        STOP.1.notify_all();
        TRUE
    }

    /// Blocks until Ctrl-C, Ctrl-Break or a closing console (`serve`'s stop).
    pub struct StopSignal(());

    impl StopSignal {
        /// Install the handler; from now on those events no longer end the
        /// process but end [`StopSignal::wait`].
        pub fn install() -> Result<StopSignal> {
            add_ctrl_handler(Some(stop)).map_err(|e| {
                Error::io("cannot install the console control handler for", "serve", e)
            })?;
            Ok(StopSignal(()))
        }

        /// Wait for one of the events.
        pub fn wait(self) {
            let mut stopped = STOP.0.lock().unwrap_or_else(|e| e.into_inner());
            while !*stopped {
                stopped = STOP.1.wait(stopped).unwrap_or_else(|e| e.into_inner());
            }
        }
    }

    /// Set by Ctrl-C once [`catch_ctrl_c`] was called.
    static CTRL_C: AtomicBool = AtomicBool::new(false);

    unsafe extern "system" fn set_ctrl_c(ctrl: u32) -> windows_sys::core::BOOL {
        if is_interrupt(ctrl) {
            CTRL_C.store(true, Ordering::SeqCst);
            return TRUE;
        }
        FALSE
    }

    /// From now on Ctrl-C no longer ends the process: the caller polls
    /// [`ctrl_c_pressed`] and unwinds normally.
    pub fn catch_ctrl_c() {
        let _ = add_ctrl_handler(Some(set_ctrl_c));
    }

    /// Whether Ctrl-C was pressed since [`catch_ctrl_c`].
    pub fn ctrl_c_pressed() -> bool {
        CTRL_C.load(Ordering::SeqCst)
    }
}

/// The browser for `login`'s device page.
pub mod browser {
    /// Always: Windows opens URLs through the shell.
    pub fn available() -> bool {
        true
    }

    /// Open `url` in the default browser through the OS's own API (the
    /// `webbrowser` crate: ShellExecute, no command line to quote).
    pub fn open(url: &str) -> bool {
        webbrowser::open(url).is_ok()
    }
}

/// The clipboard program of Windows.
pub mod clipboard {
    use std::path::Path;

    /// `clip.exe` reads stdin into the clipboard (it ships with Windows).
    pub const TOOLS: [(&str, &[&str]); 1] = [("clip.exe", &[])];

    /// Whether `path` can be run: Windows has no execute bit, so a file.
    pub fn is_executable(path: &Path) -> bool {
        path.is_file()
    }
}

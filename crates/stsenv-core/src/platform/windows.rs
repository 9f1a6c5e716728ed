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

/// Open a final link (a symbolic link or junction) as itself rather than
/// its target (`FILE_FLAG_OPEN_REPARSE_POINT`): the caller's "regular
/// file" check then refuses it. The file's ACL is inherited from its
/// directory, as Windows does for every file: there is no mode to give.
pub fn private_no_follow(options: &mut std::fs::OpenOptions) {
    use std::os::windows::fs::OpenOptionsExt;
    options.custom_flags(windows_sys::Win32::Storage::FileSystem::FILE_FLAG_OPEN_REPARSE_POINT);
}

/// Nothing to do: Windows file systems have no FIFOs to block on.
pub fn non_blocking(options: &mut std::fs::OpenOptions) {
    let _ = options;
}

/// Never: a link opened by [`private_no_follow`] opens (and is refused as
/// "not a regular file" afterwards).
pub fn is_link_refused(err: &std::io::Error) -> bool {
    let _ = err;
    false
}

/// Why the file or directory at `path` is not the user's own, or `None`
/// when it is: its owner (from its security descriptor) must be this
/// process's user, or the owner this process gives new files (the
/// Administrators group for an elevated administrator). A descriptor that
/// cannot be read is a problem too.
pub fn owner_problem(path: &std::path::Path, meta: &std::fs::Metadata) -> Option<String> {
    let _ = meta;
    match owner::is_mine(path) {
        Ok(true) => None,
        Ok(false) => Some("it belongs to another account, not to you".to_string()),
        Err(e) => Some(format!("its owner cannot be read ({e})")),
    }
}

/// Always `None`: there are no mode bits. Who may open the cache is the
/// ACL it inherits from the user's profile (`%LOCALAPPDATA%`: the user,
/// SYSTEM and Administrators), which stsenv does not rewrite or check.
pub fn open_to_others(meta: &std::fs::Metadata) -> Option<u32> {
    let _ = meta;
    None
}

/// Create `dir` and its missing parents; they inherit their parent's ACL.
pub fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// Read `buf.len()` bytes at offset `at` (moves the file's cursor, which
/// no caller uses).
pub fn read_exact_at(file: &std::fs::File, mut buf: &mut [u8], mut at: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        match read_at(file, buf, at)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                at += n as u64;
            }
        }
    }
    Ok(())
}

/// Read up to `buf.len()` bytes at offset `at`.
pub fn read_at(file: &std::fs::File, buf: &mut [u8], at: u64) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, at)
}

/// Write all of `buf` at offset `at`.
pub fn write_all_at(file: &std::fs::File, mut buf: &[u8], mut at: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_write(file, buf, at)? {
            0 => return Err(std::io::ErrorKind::WriteZero.into()),
            n => {
                buf = &buf[n..];
                at += n as u64;
            }
        }
    }
    Ok(())
}

/// `None`: std has no stable file index or change time on Windows, so the
/// config index is not used there (every command parses the files).
pub fn file_identity(meta: &std::fs::Metadata) -> Option<[i128; 5]> {
    let _ = meta;
    None
}

/// End the process at once, as `kill -9` would (the crash tests).
pub fn die_now() -> ! {
    use windows_sys::Win32::System::Threading::{GetCurrentProcess, TerminateProcess};
    // SAFETY: ends this process; nothing runs after it.
    unsafe {
        TerminateProcess(GetCurrentProcess(), 137);
    }
    std::process::abort()
}

/// Owners from security descriptors.
mod owner {
    use std::os::windows::fs::OpenOptionsExt;
    use std::os::windows::io::AsRawHandle;
    use std::path::Path;

    use windows_sys::Win32::Foundation::{CloseHandle, LocalFree, HANDLE};
    use windows_sys::Win32::Security::Authorization::{GetSecurityInfo, SE_FILE_OBJECT};
    use windows_sys::Win32::Security::{
        EqualSid, GetTokenInformation, TokenOwner, TokenUser, OWNER_SECURITY_INFORMATION, PSID,
        TOKEN_OWNER, TOKEN_QUERY, TOKEN_USER,
    };
    use windows_sys::Win32::Storage::FileSystem::{
        FILE_FLAG_BACKUP_SEMANTICS, FILE_FLAG_OPEN_REPARSE_POINT,
    };
    use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};

    /// READ_CONTROL: enough to read a security descriptor.
    const READ_CONTROL: u32 = 0x0002_0000;

    /// Whether the owner of `path` is this process's user or default owner.
    pub fn is_mine(path: &Path) -> std::io::Result<bool> {
        // Directories need BACKUP_SEMANTICS to be opened at all; a link is
        // looked at itself.
        let file = std::fs::OpenOptions::new()
            .access_mode(READ_CONTROL)
            .custom_flags(FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT)
            .open(path)?;
        handle_is_mine(file.as_raw_handle())
    }

    /// Whether the owner of the open `handle` (opened with READ_CONTROL,
    /// which reading includes) is this process's user or default owner.
    pub fn handle_is_mine(handle: HANDLE) -> std::io::Result<bool> {
        let mut owner: PSID = std::ptr::null_mut();
        let mut descriptor = std::ptr::null_mut();
        // SAFETY: a valid handle; the owner points into `descriptor`,
        // which is freed below with LocalFree.
        let rc = unsafe {
            GetSecurityInfo(
                handle,
                SE_FILE_OBJECT,
                OWNER_SECURITY_INFORMATION,
                &mut owner,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                &mut descriptor,
            )
        };
        if rc != 0 {
            return Err(std::io::Error::from_raw_os_error(rc as i32));
        }
        let mine = token_sids().map(|sids| {
            sids.iter()
                // SAFETY: both are valid SIDs.
                .any(|sid| {
                    !owner.is_null()
                        && unsafe { EqualSid(owner, sid.as_ptr().cast_mut().cast()) } != 0
                })
        });
        // SAFETY: allocated by GetSecurityInfo.
        unsafe { LocalFree(descriptor) };
        mine
    }

    /// The SIDs of this process's user and of its default owner, copied out
    /// of the token's buffers.
    fn token_sids() -> std::io::Result<Vec<Vec<u64>>> {
        let mut token: HANDLE = std::ptr::null_mut();
        // SAFETY: our own process's pseudo-handle and a valid pointer.
        if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) } == 0 {
            return Err(std::io::Error::last_os_error());
        }
        let user = token_info(token, TokenUser).map(|buf| {
            // SAFETY: GetTokenInformation(TokenUser) fills a TOKEN_USER.
            let sid = unsafe { (*buf.as_ptr().cast::<TOKEN_USER>()).User.Sid };
            copy_sid(sid)
        });
        let owner = token_info(token, TokenOwner).map(|buf| {
            // SAFETY: GetTokenInformation(TokenOwner) fills a TOKEN_OWNER.
            let sid = unsafe { (*buf.as_ptr().cast::<TOKEN_OWNER>()).Owner };
            copy_sid(sid)
        });
        // SAFETY: the token opened above.
        unsafe { CloseHandle(token) };
        Ok(vec![user?, owner?])
    }

    /// One class of token information, in a buffer aligned for its struct.
    fn token_info(token: HANDLE, class: i32) -> std::io::Result<Vec<u64>> {
        let mut needed = 0u32;
        // SAFETY: asks for the size only.
        unsafe { GetTokenInformation(token, class, std::ptr::null_mut(), 0, &mut needed) };
        let mut buf = vec![0u64; (needed as usize).div_ceil(8).max(1)];
        // SAFETY: a buffer of at least `needed` bytes.
        let ok = unsafe {
            GetTokenInformation(
                token,
                class,
                buf.as_mut_ptr().cast(),
                (buf.len() * 8) as u32,
                &mut needed,
            )
        };
        if ok == 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(buf)
    }

    /// A copy of a SID (revision, count, authority: 8 bytes, then 4 per
    /// sub-authority), in a buffer aligned as a SID is.
    fn copy_sid(sid: PSID) -> Vec<u64> {
        // SAFETY: a valid SID from the token buffer: byte 1 is the count;
        // the copy fits the buffer sized for it.
        unsafe {
            let len = 8 + 4 * usize::from(*sid.cast::<u8>().add(1));
            let mut copy = vec![0u64; len.div_ceil(8)];
            std::ptr::copy_nonoverlapping(sid.cast::<u8>(), copy.as_mut_ptr().cast::<u8>(), len);
            copy
        }
    }
}

/// Split a `credential_process` / `mfa_process` command line into words,
/// as the AWS SDKs do on this platform.
pub fn split_command(command: &str) -> Result<Vec<String>, String> {
    super::cmdline::windows_split(command)
}

/// Whether the open `file` is the user's: its owner SID is this process's
/// user (or default owner). Who else may read it is its inherited ACL,
/// which is not checked (see [`open_to_others`]).
pub fn is_owner_only(file: &std::fs::File) -> bool {
    use std::os::windows::io::AsRawHandle;
    owner::handle_is_mine(file.as_raw_handle()).unwrap_or(false)
}

/// `None`: no FIFOs, sockets or devices are met as files on Windows.
pub fn special_kind(meta: &std::fs::Metadata) -> Option<&'static str> {
    let _ = meta;
    None
}

/// `false`: `NUL` has no metadata to recognise; a config file named `NUL`
/// is refused as not a regular file.
pub fn is_null_device(meta: &std::fs::Metadata) -> bool {
    let _ = meta;
    false
}

//! File writes that must never leave a half-written or world-readable file
//! (the session cache, the SSO token cache and the user's AWS config), and
//! the home directory every default path starts from.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Write `bytes` to a temporary file next to `path` (0600, or `mode` when
/// given) and rename it over `path`: readers see the old file or the new
/// one, never a part, even if this process is killed.
pub fn write_atomic(
    path: &Path,
    bytes: &[u8],
    mode: Option<fs::Permissions>,
) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.flush()?;
    if let Some(mode) = mode {
        fs::set_permissions(tmp.path(), mode)?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Read a JSON file stsenv shares with other tools (the AWS CLI's token
/// caches): `None` when it is missing, and when it cannot be read as `T`,
/// then with a warning naming it (the user logs in again; nothing crashes).
pub fn read_json<T: serde::de::DeserializeOwned>(path: &Path, what: &str) -> Option<T> {
    // Regular files only, bounded (a token file is a few KiB).
    let bytes = match read_regular(path, 1 << 20) {
        Ok(bytes) => bytes?,
        Err(err) => {
            crate::warn(&format!(
                "ignoring {what} {}: {err}",
                crate::store::untrusted::printable(&path.to_string_lossy(), 300)
            ));
            return None;
        }
    };
    match serde_json::from_slice(&bytes) {
        Ok(value) => Some(value),
        Err(err) => {
            crate::warn(&format!(
                "ignoring unreadable {what} {}: {err}",
                path.display()
            ));
            None
        }
    }
}

/// Write `value` as JSON to `path`: 0600, through a temporary file renamed
/// over the old one, in a directory created 0700. `action` names the
/// write in the error (`cannot write SSO token file`).
pub fn write_json<T: serde::Serialize>(
    path: &Path,
    value: &T,
    action: &'static str,
) -> crate::error::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let fail = |source| crate::error::Error::io(action, path, source);
    create_private_dir(dir).map_err(fail)?;
    let bytes = serde_json::to_vec(value).map_err(|e| fail(e.into()))?;
    write_atomic(path, &bytes, None).map_err(fail)
}

/// Keep `bytes`, the content `path` had before an edit, as `path.bak`
/// (written like any other file here: whole or not at all, 0600); returns
/// the backup's path. Every line holding one of `secrets` is left out: an
/// edit that moves keys out of a file must not leave them in its backup.
pub fn write_backup(path: &Path, bytes: &[u8], secrets: &[&str]) -> crate::error::Result<PathBuf> {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".bak");
    let backup = path.with_file_name(name);
    write_atomic(&backup, &without_lines_holding(bytes, secrets), None)
        .map_err(|e| crate::error::Error::io("cannot write backup", &backup, e))?;
    Ok(backup)
}

/// `bytes` without the lines (and their line ends) that contain one of
/// `secrets`; empty secrets are ignored.
fn without_lines_holding(bytes: &[u8], secrets: &[&str]) -> Vec<u8> {
    let secrets: Vec<&[u8]> = secrets
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| s.as_bytes())
        .collect();
    let holds = |line: &[u8]| {
        secrets
            .iter()
            .any(|s| line.windows(s.len()).any(|w| w == *s))
    };
    bytes
        .split_inclusive(|b| *b == b'\n')
        .filter(|line| !holds(line))
        .flatten()
        .copied()
        .collect()
}

/// Create `dir` and its missing parents with mode 0700 (on Windows, with
/// the ACL they inherit).
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    crate::platform::create_private_dir(dir)
}

/// The user's home directory (`HOME` first, so tests can redirect it).
pub fn home() -> PathBuf {
    std::env::var_os("HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(dirs::home_dir)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// `~` and `~/…` are the home directory, as the AWS SDKs read
/// `AWS_CONFIG_FILE`; any other path is as given.
pub fn expand_home(path: &Path) -> PathBuf {
    let text = path.to_string_lossy();
    if text == "~" {
        return home();
    }
    match text.strip_prefix("~/") {
        Some(rest) => home().join(rest),
        None => path.to_path_buf(),
    }
}

/// The largest AWS config or credentials file read: 32 MiB (a config with
/// tens of thousands of profiles is a few MiB).
pub const MAX_CONFIG_FILE_BYTES: u64 = 32 << 20;

/// Read the file at `path`, which must be a regular file (or `/dev/null`,
/// read as empty) of at most `max` bytes. `Ok(None)` when it does not
/// exist. It is opened with `O_NONBLOCK`, so a FIFO with no writer (or a
/// device) is refused at once instead of blocking stsenv (and the shell
/// start-up that runs it) forever; the kind is checked on the open file
/// (`fstat`), so a swap after a check cannot slip one in. The error says
/// what the path is instead ("it is a FIFO, not a regular file").
pub fn read_regular(path: &Path, max: u64) -> std::io::Result<Option<Vec<u8>>> {
    let Some(file) = open_nonblocking(path)? else {
        return Ok(None);
    };
    let meta = file.metadata()?;
    if !meta.is_file() {
        if is_null_device(&meta) {
            return Ok(Some(Vec::new()));
        }
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "it is {}, not a regular file; stsenv reads only regular files",
                kind_of(&meta)
            ),
        ));
    }
    read_open(file, &meta, max).map(Some)
}

/// The bytes of the regular file `file` opened for reading, whose metadata
/// is `meta`, at most `max` (more is an error): as many as the metadata
/// counts, so one `read` and no second one to find the end. A file that
/// says it is empty is read to its end (files of some file systems, like
/// `/proc`, give no size).
pub fn read_open(file: fs::File, meta: &fs::Metadata, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let too_large = || {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "it is larger than {} KiB, more than stsenv reads",
                max >> 10
            ),
        )
    };
    if meta.len() > max {
        return Err(too_large());
    }
    let limit = if meta.len() == 0 { max + 1 } else { meta.len() };
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Open `path` for reading with `O_NONBLOCK` (a FIFO with no writer
/// opens at once instead of blocking); `Ok(None)` when it does not exist.
/// Check its kind on the returned file, as [`read_regular`] does.
pub fn open_nonblocking(path: &Path) -> std::io::Result<Option<fs::File>> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    crate::platform::non_blocking(&mut options);
    match options.open(path) {
        Ok(file) => Ok(Some(file)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// What a non-regular file is, for messages.
fn kind_of(meta: &fs::Metadata) -> &'static str {
    if let Some(kind) = crate::platform::special_kind(meta) {
        kind
    } else if meta.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

/// Whether `meta` is the null device (`AWS_CONFIG_FILE=/dev/null` is the
/// usual way to say "no config", and the SDKs read it as empty).
fn is_null_device(meta: &fs::Metadata) -> bool {
    crate::platform::is_null_device(meta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backups_leave_out_every_line_holding_a_secret() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        let original = b"[base]\r\naws_access_key_id = AKIAX\r\n# old: s3cr3t/k3y\naws_secret_access_key=s3cr3t/k3y\nregion = x";
        let backup = write_backup(&path, original, &["AKIAX", "s3cr3t/k3y", ""]).unwrap();
        assert_eq!(backup, dir.path().join("credentials.bak"));
        assert_eq!(fs::read(&backup).unwrap(), b"[base]\r\nregion = x");
        // Nothing to leave out: the bytes as they were.
        write_backup(&path, original, &[]).unwrap();
        assert_eq!(fs::read(&backup).unwrap(), original);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&backup).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn only_regular_files_are_read_and_never_block() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        fs::write(&file, b"abc").unwrap();
        assert_eq!(read_regular(&file, 3).unwrap(), Some(b"abc".to_vec()));
        assert!(read_regular(&file, 2)
            .unwrap_err()
            .to_string()
            .contains("larger"));
        assert_eq!(read_regular(&dir.path().join("none"), 9).unwrap(), None);
        assert_eq!(
            read_regular(Path::new("/dev/null"), 9).unwrap(),
            Some(vec![])
        );
        let err = read_regular(dir.path(), 9).unwrap_err().to_string();
        assert!(err.contains("a directory"), "{err}");
        #[cfg(unix)]
        {
            let fifo = dir.path().join("fifo");
            let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
            // SAFETY: mkfifo with a valid NUL-terminated path.
            assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
            // No writer: a blocking open would never return.
            let err = read_regular(&fifo, 9).unwrap_err().to_string();
            assert!(err.contains("FIFO"), "{err}");
        }
    }

    /// A file read to the length its metadata gives, except one that says
    /// it is empty: some file systems give no size, and such a file is
    /// read to its end (still bounded).
    #[cfg(target_os = "linux")]
    #[test]
    fn a_file_without_a_size_is_read_to_its_end() {
        let status = Path::new("/proc/self/status");
        assert_eq!(fs::metadata(status).unwrap().len(), 0);
        let text = read_regular(status, 1 << 20).unwrap().unwrap();
        assert!(String::from_utf8_lossy(&text).contains("Pid:"));
        let err = read_regular(status, 8).unwrap_err().to_string();
        assert!(err.contains("larger"), "{err}");
    }
}

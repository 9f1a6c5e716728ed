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

/// Keep `bytes`, the content `path` had before an edit, as `path.bak`
/// (written like any other file here: whole or not at all); returns the
/// backup's path.
pub fn write_backup(path: &Path, bytes: &[u8]) -> crate::error::Result<PathBuf> {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".bak");
    let backup = path.with_file_name(name);
    write_atomic(&backup, bytes, None)
        .map_err(|e| crate::error::Error::io("cannot write backup", &backup, e))?;
    Ok(backup)
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

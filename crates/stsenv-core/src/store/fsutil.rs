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

/// Create `dir` and its missing parents with mode 0700.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }
    #[cfg(not(unix))]
    fs::create_dir_all(dir)
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
}

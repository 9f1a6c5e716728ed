//! `stsenv sso populate`: one profile per account/role reachable through an
//! sso-session, appended to the config file. The existing bytes are never
//! changed or reordered: the new sections go at the end, the file is
//! replaced atomically, and the previous version is kept as `<file>.bak`.

use std::fs;
use std::path::{Path, PathBuf};

use super::{Assignment, SsoSession};
use crate::error::{Error, Result};
use crate::profile::config::AwsConfig;
use crate::store::fsutil::{read_regular, write_atomic, write_backup, MAX_CONFIG_FILE_BYTES};
use crate::store::untrusted::{is_account_id, is_role_name, shown};

/// A profile section to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProfile {
    /// The profile name.
    pub name: String,
    /// `sso_session`.
    pub session: String,
    /// `sso_account_id`.
    pub account_id: String,
    /// `sso_role_name`.
    pub role_name: String,
    /// `region` (the session's sso_region).
    pub region: String,
}

/// `<account name>/<role>`, lower-cased, spaces as `-`, only `[a-z0-9._/-]`,
/// neither part starting with `-`, `.` or `/` (a name must never read as
/// an option). An account name with nothing left is replaced by its id.
pub fn profile_name(account_name: &str, role_name: &str) -> String {
    let clean = |s: &str| -> String {
        let kept: String = s
            .to_lowercase()
            .chars()
            .map(|c| if c.is_whitespace() { '-' } else { c })
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | '-'))
            .collect();
        kept.trim_start_matches(['-', '.', '/']).to_string()
    };
    format!("{}/{}", clean(account_name), clean(role_name))
}

/// Why the portal's `assignment` cannot be written to a config file, if
/// it cannot. The account id and role name are written as they are, so
/// they must be exactly what AWS allows; the account name only ever
/// reaches the file through [`profile_name`].
fn unusable(assignment: &Assignment) -> Option<String> {
    if !is_account_id(&assignment.account_id) {
        return Some(format!(
            "account id {} is not 12 digits",
            shown(&assignment.account_id)
        ));
    }
    if !is_role_name(&assignment.role_name) {
        return Some(format!(
            "role {} of account {} is not an IAM role name ([A-Za-z0-9_+=,.@-], 1 to 64, not starting with =)",
            shown(&assignment.role_name),
            assignment.account_id
        ));
    }
    None
}

/// The profiles to add for `assignments`: pairs a profile already covers
/// (same session or start URL, account and role) are skipped, so running
/// populate twice adds nothing. A name already taken by another profile
/// gets the account id appended. Pairs whose account id or role name is
/// not what AWS allows are left out with a warning naming them: the portal
/// is a server, and what it says must not become config syntax.
pub fn additions(
    config: &AwsConfig,
    session: &SsoSession,
    session_name: &str,
    assignments: &[Assignment],
) -> Vec<NewProfile> {
    let covered = |a: &Assignment| {
        config.profile_names().into_iter().any(|name| {
            let Ok(p) = config.profile(name) else {
                return false;
            };
            let same_portal = p.get("sso_session") == Some(session_name)
                || p.get("sso_start_url").map(|u| u.trim_end_matches('/'))
                    == Some(session.start_url.trim_end_matches('/'));
            same_portal
                && p.get("sso_account_id") == Some(a.account_id.as_str())
                && p.get("sso_role_name") == Some(a.role_name.as_str())
        })
    };
    let mut out: Vec<NewProfile> = Vec::new();
    for a in assignments {
        if let Some(problem) = unusable(a) {
            crate::warn(&format!(
                "skipping what the portal listed for sso-session `{session_name}`: {problem}"
            ));
            continue;
        }
        if covered(a) {
            continue;
        }
        let taken =
            |n: &str| config.has_profile(n) || out.iter().any(|p| p.name == n) || n.is_empty();
        let account = match profile_name(&a.account_name, "") {
            name if name == "/" => a.account_id.as_str(),
            _ => a.account_name.as_str(),
        };
        let base = profile_name(account, &a.role_name);
        let mut name = base.clone();
        if taken(&name) {
            name = format!("{base}-{}", a.account_id);
        }
        let mut n = 2;
        while taken(&name) {
            name = format!("{base}-{}-{n}", a.account_id);
            n += 1;
        }
        out.push(NewProfile {
            name,
            session: session_name.to_string(),
            account_id: a.account_id.clone(),
            role_name: a.role_name.clone(),
            region: session.region.clone(),
        });
    }
    out
}

/// The text appended for `profiles`, each section preceded by a blank line.
pub fn render(profiles: &[NewProfile]) -> String {
    profiles
        .iter()
        .map(|p| {
            format!(
                "\n[profile {}]\nsso_session = {}\nsso_account_id = {}\nsso_role_name = {}\nregion = {}\n",
                p.name, p.session, p.account_id, p.role_name, p.region
            )
        })
        .collect()
}

/// Append `text` to the config file at `path`: the original bytes first,
/// untouched (a newline is added only when the file does not end with
/// one), written to a temporary file in the same directory and renamed
/// over it. The previous file is copied to `<file>.bak` first; returns
/// that path when there was a file to back up.
pub fn append(path: &Path, text: &str) -> Result<Option<PathBuf>> {
    // Write through a symlinked config to its target, not over the link.
    let path = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let fail = |action, source| Error::io(action, &path, source);
    let original = read_regular(&path, MAX_CONFIG_FILE_BYTES)
        .map_err(|e| fail("cannot read config file", e))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| fail("cannot create the directory of", e))?;
    let mut content = original.clone().unwrap_or_default();
    if !content.is_empty() && !content.ends_with(b"\n") {
        content.push(b'\n');
    }
    let text = if content.is_empty() {
        text.strip_prefix('\n').unwrap_or(text)
    } else {
        text
    };
    content.extend_from_slice(text.as_bytes());
    let backup = match &original {
        Some(bytes) => Some(write_backup(&path, bytes, &[])?),
        None => None,
    };
    let mode = fs::metadata(&path).ok().map(|m| m.permissions());
    write_atomic(&path, &content, mode).map_err(|e| fail("cannot write config file", e))?;
    Ok(backup)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_predictable_and_safe() {
        assert_eq!(
            profile_name("My Prod Account", "AdministratorAccess"),
            "my-prod-account/administratoraccess"
        );
        assert_eq!(
            profile_name("Ünïcode & co", "Read Only"),
            "ncode--co/read-only"
        );
        assert_eq!(profile_name("-h", "--x"), "h/x");
        assert_eq!(profile_name("../[x]", "a\n[default]"), "x/a-default");
    }

    #[test]
    fn append_keeps_every_original_byte() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("config");
        let original = b"# mine\r\n[profile a]\nregion=x  \n\n\n[default]\nregion = y";
        fs::write(&path, original).unwrap();
        let backup = append(&path, "\n[profile b]\nregion = z\n")
            .unwrap()
            .unwrap();
        let after = fs::read(&path).unwrap();
        assert!(after.starts_with(original));
        assert_eq!(&after[original.len()..], b"\n\n[profile b]\nregion = z\n");
        assert_eq!(fs::read(backup).unwrap(), original);
    }

    #[test]
    fn append_creates_a_missing_file() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("aws/config");
        assert!(append(&path, "\n[profile b]\n").unwrap().is_none());
        assert_eq!(fs::read_to_string(&path).unwrap(), "[profile b]\n");
    }
}

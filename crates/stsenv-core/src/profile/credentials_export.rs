//! A session written into `~/.aws/credentials` as `[NAME]`, for tools that
//! read only that file (older SDKs, some Terraform and CDK setups,
//! containers that mount `~/.aws`).
//!
//! The section holds the three key lines and two of stsenv's own:
//! `stsenv_expiration` (when the keys stop working) and
//! `stsenv_source_profile` (the profile they came from). The expiration
//! line is what makes a section stsenv's: a section without it that holds
//! any key is the user's, and is never overwritten or removed. The edit
//! is byte-exact (every other line, comment and line ending kept), checked
//! with the SDKs' parser before it is written, atomic, and leaves the file
//! readable by the user alone.

use std::path::Path;

use jiff::Timestamp;

use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::profile::edit::{self as config_edit, FileEdit, FileKind};

/// The line that marks a section as stsenv's, with the keys' expiry.
pub const EXPIRATION_KEY: &str = "stsenv_expiration";
/// The profile the keys of a section came from.
pub const SOURCE_KEY: &str = "stsenv_source_profile";

/// A section stsenv wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The section's name.
    pub name: String,
    /// The profile its keys came from, when recorded.
    pub source_profile: Option<String>,
    /// When its keys expire, when readable.
    pub expiration: Option<Timestamp>,
}

/// Write `credentials` (temporary ones: a session token and an expiry)
/// of `source_profile` into `[name]` of the credentials file at `path`.
pub fn write(
    path: &Path,
    name: &str,
    source_profile: &str,
    credentials: &Credentials,
) -> Result<()> {
    check_name(path, name)?;
    let (Some(token), Some(expiration)) =
        (&credentials.session_token, credentials.expiration_rfc3339())
    else {
        return Err(refused(
            path,
            name,
            format!(
                "profile `{source_profile}` gives long-term keys, which stsenv does not copy into another file; only temporary credentials are written"
            ),
        ));
    };
    credentials.check(Timestamp::now()).map_err(|problem| {
        refused(
            path,
            name,
            format!("the credentials are unusable: {problem}"),
        )
    })?;
    let (mut edit, text) = FileEdit::read(path)?;
    check_ours(path, name, &text)?;
    let mut lines: Vec<(&str, &str)> = vec![
        ("aws_access_key_id", &credentials.access_key_id),
        ("aws_secret_access_key", &credentials.secret_access_key),
        ("aws_session_token", token),
        (EXPIRATION_KEY, &expiration),
    ];
    // A name that could not be a profile's is left out rather than escaped.
    if config_edit::is_valid_profile_name(source_profile) {
        lines.push((SOURCE_KEY, source_profile));
    }
    edit.content = lines.iter().fold(text, |text, (key, value)| {
        config_edit::set_key(&text, FileKind::Credentials, name, key, value)
    });
    check_parsed(path, name, &edit.content, &lines)?;
    edit.apply_private()?;
    Ok(())
}

/// Remove `[name]`, which stsenv must have written; `false` when the file
/// has no such section.
pub fn remove(path: &Path, name: &str) -> Result<bool> {
    check_name(path, name)?;
    let (mut edit, text) = FileEdit::read(path)?;
    if config_edit::section_keys(&text, FileKind::Credentials, name).is_none() {
        return Ok(false);
    }
    check_ours(path, name, &text)?;
    edit.content = config_edit::remove_section(&text, FileKind::Credentials, name);
    edit.apply_private()?;
    Ok(true)
}

/// The sections of the credentials file at `path` that stsenv wrote.
pub fn list(path: &Path) -> Result<Vec<Written>> {
    let (_, text) = FileEdit::read(path)?;
    let Ok(parsed) = config_edit::parse_with_sdk("", &text) else {
        return Ok(Vec::new());
    };
    let mut written: Vec<Written> = parsed
        .profiles()
        .filter_map(|name| {
            let profile = parsed.get_profile(name)?;
            let expiration = profile.get(EXPIRATION_KEY)?;
            Some(Written {
                name: name.to_string(),
                source_profile: profile.get(SOURCE_KEY).map(str::to_string),
                expiration: expiration.parse().ok(),
            })
        })
        .collect();
    written.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(written)
}

fn check_name(path: &Path, name: &str) -> Result<()> {
    if config_edit::is_valid_profile_name(name) {
        Ok(())
    } else {
        Err(refused(
            path,
            name,
            "is not a profile name the AWS SDKs accept (letters, digits and _-/.%@:+)".to_string(),
        ))
    }
}

/// A section that exists and holds keys must carry stsenv's mark.
fn check_ours(path: &Path, name: &str, text: &str) -> Result<()> {
    match config_edit::section_keys(text, FileKind::Credentials, name) {
        Some(keys) if !keys.is_empty() && !keys.iter().any(|k| k == EXPIRATION_KEY) => {
            Err(refused(
                path,
                name,
                format!(
                    "holds keys stsenv did not write ({}); stsenv never overwrites or removes them: choose another name",
                    keys.join(", ")
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// The SDKs must read back exactly the lines written.
fn check_parsed(path: &Path, name: &str, text: &str, lines: &[(&str, &str)]) -> Result<()> {
    let reads_back = config_edit::parse_with_sdk("", text).is_ok_and(|parsed| {
        parsed
            .get_profile(name)
            .is_some_and(|p| lines.iter().all(|(key, value)| p.get(key) == Some(*value)))
    });
    if reads_back {
        Ok(())
    } else {
        Err(refused(
            path,
            name,
            "stsenv cannot edit the file safely (the AWS SDKs would not read the section back); nothing was written".to_string(),
        ))
    }
}

fn refused(path: &Path, name: &str, problem: String) -> Error {
    Error::ConfigFile(format!(
        "[{}] in {}: {problem}",
        name.chars()
            .flat_map(char::escape_debug)
            .collect::<String>(),
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(key: &str) -> Credentials {
        Credentials {
            access_key_id: key.to_string(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".to_string(),
            session_token: Some("IQoJb3JpZ2luX2VjEJr//////////wEaCXVz+abc=".to_string()),
            expiration: Some(Timestamp::now() + jiff::SignedDuration::from_secs(3600)),
        }
    }

    const USER: &str = "; my keys\r\n[default]\r\naws_access_key_id = AKIAUSERUSERUSER0001\r\naws_secret_access_key = user/secret # not a comment\r\n\r\n# prod below\r\n[prod]\r\naws_access_key_id=AKIAPRODPRODPROD0001\r\naws_secret_access_key=prod\r\n";

    #[test]
    fn writes_rewrites_and_removes_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        std::fs::write(&path, USER).unwrap();
        write(
            &path,
            "dev-session",
            "dev",
            &session("ASIAFIRSTFIRSTFIRST1"),
        )
        .unwrap();
        let first = std::fs::read_to_string(&path).unwrap();
        assert!(first.starts_with(USER), "{first}");
        let added = &first[USER.len()..];
        assert!(
            added.starts_with("\r\n[dev-session]\r\naws_access_key_id = ASIAFIRSTFIRSTFIRST1\r\n"),
            "{added:?}"
        );
        assert!(
            added.contains("\r\nstsenv_source_profile = dev\r\n"),
            "{added:?}"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Renewal replaces the values in place.
        write(
            &path,
            "dev-session",
            "dev",
            &session("ASIASECONDSECONDSEC2"),
        )
        .unwrap();
        let second = std::fs::read_to_string(&path).unwrap();
        assert_eq!(second.len(), first.len());
        assert!(second.contains("ASIASECONDSECONDSEC2") && !second.contains("ASIAFIRST"));
        let listed = list(&path).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].name, "dev-session");
        assert_eq!(listed[0].source_profile.as_deref(), Some("dev"));
        assert!(listed[0].expiration.is_some());
        assert!(remove(&path, "dev-session").unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), USER);
        assert!(!remove(&path, "dev-session").unwrap());
    }

    #[test]
    fn a_section_of_the_users_is_never_touched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        std::fs::write(&path, USER).unwrap();
        for name in ["prod", "default"] {
            let err = write(&path, name, "dev", &session("ASIAFIRSTFIRSTFIRST1"))
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("did not write") && err.contains(&format!("[{name}]")),
                "{err}"
            );
            assert!(remove(&path, name).is_err());
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap(), USER);
        assert!(list(&path).unwrap().is_empty());
        // Long-term keys are not copied.
        let long_term = Credentials {
            session_token: None,
            expiration: None,
            ..session("AKIAUSERUSERUSER0001")
        };
        assert!(write(&path, "copy", "default", &long_term).is_err());
        assert!(write(&path, "bad name", "dev", &session("ASIAFIRSTFIRSTFIRST1")).is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), USER);
    }

    #[test]
    fn a_section_in_the_middle_goes_without_its_neighbours() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        std::fs::write(&path, USER).unwrap();
        write(&path, "s", "dev", &session("ASIAFIRSTFIRSTFIRST1")).unwrap();
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("\r\n# last\r\n[last]\r\nregion = x\r\n");
        std::fs::write(&path, &text).unwrap();
        assert!(remove(&path, "s").unwrap());
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            format!("{USER}\r\n# last\r\n[last]\r\nregion = x\r\n")
        );
    }
}

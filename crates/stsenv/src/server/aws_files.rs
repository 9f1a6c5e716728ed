//! Private copies of the AWS config and credentials files without the
//! `default` profile's credentials.
//!
//! The SDKs look at the profile before the container endpoint: botocore
//! and the AWS CLI, the Rust, Go and Java SDKs all use `[default]` keys
//! (or its `role_arn`, `credential_process`, SSO settings) when no
//! `AWS_PROFILE` is set, and never ask the server. So while the server
//! runs, `AWS_SHARED_CREDENTIALS_FILE` and `AWS_CONFIG_FILE` point at
//! copies in which the `default` profile has lost exactly its credential
//! keys. Everything else is kept byte for byte: its region, output and
//! endpoint settings, every other profile (`--profile other` still works),
//! comments. The copies are private to the user and gone when the server
//! stops, even when it is killed (see `private_store`). They are made only
//! when `default` has such a key; otherwise the user's files are left in
//! place.

use std::path::Path;

use stsenv_core::profile::config::{config_file_path, credentials_file_path};
use stsenv_core::store::fsutil::{read_regular, MAX_CONFIG_FILE_BYTES};
use stsenv_core::{Error, Result};

/// Keys that make a profile produce credentials by itself.
const CREDENTIAL_KEYS: [&str; 14] = [
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "aws_security_token",
    "role_arn",
    "source_profile",
    "credential_source",
    "credential_process",
    "web_identity_token_file",
    "sso_session",
    "sso_start_url",
    "sso_account_id",
    "sso_role_name",
    "login_session",
];

/// Which of the two files a text is (their section headers differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `~/.aws/config`: `[default]` or `[profile default]`.
    Config,
    /// `~/.aws/credentials`: `[default]`.
    Credentials,
}

/// The copies, alive as long as this value.
pub struct PrivateAwsFiles {
    stored: super::private_store::Stored,
}

impl PrivateAwsFiles {
    /// Copies of the user's files without `default`'s credential keys, or
    /// `None` when `default` has none (nothing would shadow the server).
    pub fn if_needed() -> Result<Option<PrivateAwsFiles>> {
        let config_path = config_file_path();
        let credentials_path = credentials_file_path();
        let config = read_optional(&config_path)?;
        let credentials = read_optional(&credentials_path)?;
        let (config, config_changed) = without_default_credentials(&config, Kind::Config);
        let (credentials, credentials_changed) =
            without_default_credentials(&credentials, Kind::Credentials);
        if !config_changed && !credentials_changed {
            return Ok(None);
        }
        let stored =
            super::private_store::store(&[("config", &config), ("credentials", &credentials)])?;
        Ok(Some(PrivateAwsFiles { stored }))
    }

    /// The variables pointing the SDKs at the copies.
    pub fn env(&self) -> [(&'static str, String); 2] {
        [
            (
                "AWS_CONFIG_FILE",
                self.stored.paths[0].display().to_string(),
            ),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                self.stored.paths[1].display().to_string(),
            ),
        ]
    }
}

fn read_optional(path: &Path) -> Result<String> {
    match read_regular(path, MAX_CONFIG_FILE_BYTES) {
        Ok(bytes) => Ok(String::from_utf8_lossy(&bytes.unwrap_or_default()).into_owned()),
        Err(e) => Err(Error::io("cannot read", path, e)),
    }
}

/// `text` without the credential keys of the `default` profile (and the
/// indented sub-lines of such a key); whether anything was removed.
fn without_default_credentials(text: &str, kind: Kind) -> (String, bool) {
    let mut out = String::with_capacity(text.len());
    let mut in_default = false;
    let mut dropping_value = false;
    let mut changed = false;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        let indented = line.starts_with([' ', '\t']);
        if dropping_value && indented && !trimmed.is_empty() {
            // A nested value of the key just removed.
            continue;
        }
        dropping_value = false;
        if !indented && trimmed.starts_with('[') {
            in_default = is_default_section(trimmed, kind);
        } else if in_default && !indented && !trimmed.starts_with(['#', ';']) {
            if let Some((key, _)) = trimmed.split_once('=') {
                let key = key.trim();
                if CREDENTIAL_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key)) {
                    changed = true;
                    dropping_value = true;
                    continue;
                }
            }
        }
        out.push_str(line);
    }
    (out, changed)
}

/// Whether a section header line opens the `default` profile.
fn is_default_section(header: &str, kind: Kind) -> bool {
    let Some(inner) = header
        .strip_prefix('[')
        .and_then(|rest| rest.split_once(']'))
        .map(|(inner, _)| inner.trim())
    else {
        return false;
    };
    if inner == "default" {
        return true;
    }
    kind == Kind::Config
        && inner
            .strip_prefix("profile")
            .is_some_and(|rest| rest.starts_with([' ', '\t']) && rest.trim() == "default")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_default_profiles_credentials_go() {
        let credentials = "\
# my keys
[default]
aws_access_key_id = AKIADEFAULT
aws_secret_access_key=secret
region = eu-west-1

[base]
aws_access_key_id = AKIABASE
aws_secret_access_key = other
";
        let (out, changed) = without_default_credentials(credentials, Kind::Credentials);
        assert!(changed);
        assert_eq!(
            out,
            "# my keys\n[default]\nregion = eu-west-1\n\n[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = other\n"
        );
    }

    #[test]
    fn config_default_in_both_spellings_with_nested_values() {
        let config = "\
[ profile default ]
role_arn = arn:aws:iam::1:role/x
source_profile = base
output = json
s3 =
  max_concurrent_requests = 20
credential_process = /bin/creds
  --flag
; comment = kept
[profile dev]
role_arn = arn:aws:iam::1:role/dev
[default]
sso_session = corp
region = us-east-2";
        let (out, changed) = without_default_credentials(config, Kind::Config);
        assert!(changed);
        assert_eq!(
            out,
            "[ profile default ]\noutput = json\ns3 =\n  max_concurrent_requests = 20\n; comment = kept\n\
             [profile dev]\nrole_arn = arn:aws:iam::1:role/dev\n[default]\nregion = us-east-2"
        );
    }

    #[test]
    fn nothing_to_remove_is_no_change() {
        for (text, kind) in [
            ("[default]\nregion = x\n", Kind::Config),
            ("[profile defaults]\nrole_arn = x\n", Kind::Config),
            (
                "[profile default]\naws_access_key_id = x\n",
                Kind::Credentials,
            ),
            ("[defaultx]\naws_access_key_id = x\n", Kind::Credentials),
            ("", Kind::Credentials),
        ] {
            let (out, changed) = without_default_credentials(text, kind);
            assert!(!changed, "{text:?}");
            assert_eq!(out, text);
        }
    }
}

//! Long-term AWS keys in the OS keystore instead of `~/.aws/credentials`:
//! the macOS Keychain, the Windows Credential Manager, or a Secret Service
//! (gnome-keyring, KWallet, KeePassXC) over D-Bus on Linux and the BSDs,
//! reached through the `keyring` crate (its Secret Service client is zbus,
//! pure Rust: no libdbus).
//!
//! One entry per profile (service `stsenv`, user = the profile name) holds
//! one JSON document: the key pair, and, while `stsenv keys rotate` runs,
//! the new key not yet promoted (`pending`) or the old one not yet deleted
//! in IAM (`retired`). Keeping them in one entry makes every write replace
//! the whole state at once, so an interrupted rotation never leaves a key
//! id without its secret.
//!
//! The same document can instead live in the encrypted file keystore
//! ([`crate::store::file_keystore`]), for machines without an OS keystore:
//! `stsenv_keyring = file` in the profile, or `STSENV_KEYSTORE=file` for
//! the profiles marked `true`. [`Backend`] is the one way in to both.
//!
//! There is no plain-text fallback: without a keystore every call fails
//! with an error that says what to install or start.
//!
//! What differs per platform (the store's name, how an entry is made,
//! whether entries can be searched, what to say when none answers) is in
//! `macos.rs`, `windows.rs` and `secret_service.rs`, one of which is this
//! module's `platform`.

use std::collections::HashMap;
use std::fmt;

use aws_config::profile::Profile;
use serde::{Deserialize, Serialize};

#[cfg(target_os = "macos")]
#[path = "macos.rs"]
mod platform;
#[cfg(windows)]
#[path = "windows.rs"]
mod platform;
#[cfg(all(unix, not(target_os = "macos")))]
#[path = "secret_service.rs"]
mod platform;

use crate::credentials::Credentials;
use crate::error::{Error, Result};

/// The keystore service name of every stsenv entry.
pub const SERVICE: &str = "stsenv";

/// The profile key that marks a profile whose keys live in the keystore.
pub const MARKER_KEY: &str = "stsenv_keyring";

/// Version of the stored JSON document.
const FORMAT_VERSION: u32 = 1;

/// An access key id and its secret, kept out of `Debug`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyPair {
    /// The access key id (`AKIA…`), not secret.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
}

impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPair")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

impl KeyPair {
    /// Check the shape AWS gives keys: an id of 16–128 upper-case letters
    /// and digits, a secret of 16–128 printable ASCII characters without
    /// spaces. Whatever reaches the keystore or a signature passes here.
    pub fn validate(&self) -> std::result::Result<(), String> {
        validate_key_id(&self.access_key_id)?;
        let s = &self.secret_access_key;
        if !(16..=128).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(
                "the secret access key must be 16–128 printable characters without spaces"
                    .to_string(),
            );
        }
        Ok(())
    }

    /// As credentials for a call (no session token, no expiry).
    pub fn credentials(&self) -> Credentials {
        Credentials {
            access_key_id: self.access_key_id.clone(),
            secret_access_key: self.secret_access_key.clone(),
            session_token: None,
            expiration: None,
        }
    }
}

/// Check an access key id: 16–128 upper-case ASCII letters and digits.
pub fn validate_key_id(id: &str) -> std::result::Result<(), String> {
    if (16..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        Ok(())
    } else {
        Err("an access key id is 16–128 upper-case letters and digits (AKIA…)".to_string())
    }
}

/// What the keystore holds for one profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    /// Format version.
    pub version: u32,
    /// The key in use.
    #[serde(flatten)]
    pub keys: KeyPair,
    /// A key `keys rotate` created and stored but has not promoted yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<KeyPair>,
    /// The id of a key `keys rotate` replaced but has not deleted in IAM yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired: Option<String>,
    /// When `keys rotate` was about to call iam:CreateAccessKey (epoch
    /// seconds): a key created just after it, whose secret never reached the
    /// keystore, is that call's and is deleted on the next rotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_started: Option<i64>,
}

impl Stored {
    /// A fresh entry holding `keys`.
    pub fn new(keys: KeyPair) -> Stored {
        Stored {
            version: FORMAT_VERSION,
            keys,
            pending: None,
            retired: None,
            rotation_started: None,
        }
    }

    /// Check the document's version and key shapes.
    pub(crate) fn validate(&self) -> std::result::Result<(), String> {
        if self.version != FORMAT_VERSION {
            return Err(format!("unknown format version {}", self.version));
        }
        self.keys.validate()?;
        if let Some(pending) = &self.pending {
            pending.validate()?;
        }
        if let Some(retired) = &self.retired {
            validate_key_id(retired)?;
        }
        Ok(())
    }
}

/// Whether `profile` keeps its keys in a keystore (`stsenv_keyring = true`
/// or `file`).
pub fn is_marked(profile: &Profile) -> bool {
    Backend::of(profile).is_some()
}

/// Chooses the default keystore: `file` for the encrypted file keystore,
/// anything else (or unset) for the OS keystore. Never a fallback: without
/// it, a machine without an OS keystore gets an error saying what to do.
pub const BACKEND_VAR: &str = "STSENV_KEYSTORE";

/// Which keystore holds a profile's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// The OS keystore (Keychain, Credential Manager, Secret Service).
    Os,
    /// The encrypted file keystore ([`crate::store::file_keystore`]).
    File,
}

impl Backend {
    /// The default keystore: [`BACKEND_VAR`] says `file`, else the OS's.
    pub fn default_choice() -> Backend {
        match std::env::var(BACKEND_VAR) {
            Ok(v) if v.trim().eq_ignore_ascii_case("file") => Backend::File,
            _ => Backend::Os,
        }
    }

    /// The keystore a profile's mark names: `stsenv_keyring = file` the file
    /// keystore, `= true` the default one; `None` when it has no such mark.
    pub fn of(profile: &Profile) -> Option<Backend> {
        let value = profile.get(MARKER_KEY)?.trim();
        if value.eq_ignore_ascii_case("file") {
            Some(Backend::File)
        } else if value.eq_ignore_ascii_case("true") {
            Some(Backend::default_choice())
        } else {
            None
        }
    }

    /// Whether this is the OS keystore (it is left out of cache identities,
    /// which predate the file keystore).
    pub fn is_os(&self) -> bool {
        *self == Backend::Os
    }

    /// The value of [`MARKER_KEY`] that names this keystore in a profile.
    pub fn marker(self) -> &'static str {
        match self {
            Backend::Os => "true",
            Backend::File => "file",
        }
    }

    /// The keystore, as a user would name it.
    pub fn name(self) -> String {
        match self {
            Backend::Os => name().to_string(),
            Backend::File => crate::store::file_keystore::name(),
        }
    }

    /// Check that the keystore can be used, without reading any entry.
    pub fn check_available(self, profile: Option<&str>) -> Result<()> {
        match self {
            Backend::Os => check_available(profile),
            Backend::File => Ok(()),
        }
    }

    /// The entry of `profile`, or `None` when the keystore has none.
    pub fn load(self, profile: &str) -> Result<Option<Stored>> {
        match self {
            Backend::Os => load(profile),
            Backend::File => crate::store::file_keystore::load(profile),
        }
    }

    /// Replace the entry of `profile` whole; it counts once read back.
    pub fn store(self, profile: &str, stored: &Stored) -> Result<()> {
        stored.validate().map_err(|problem| {
            keystore_error(Some(profile), format!("refusing to store: {problem}"))
        })?;
        match self {
            Backend::Os => store(profile, stored),
            Backend::File => crate::store::file_keystore::store(profile, stored),
        }
    }

    /// Delete the entry of `profile`; `false` when there was none.
    pub fn delete(self, profile: &str) -> Result<bool> {
        match self {
            Backend::Os => delete(profile),
            Backend::File => crate::store::file_keystore::delete(profile),
        }
    }

    /// The profiles with an entry, where the keystore can tell.
    pub fn list(self) -> Result<Vec<String>> {
        match self {
            Backend::Os => list(),
            Backend::File => crate::store::file_keystore::list(),
        }
    }

    /// The keys of a marked profile, for a call.
    pub fn credentials(self, profile: &str) -> Result<Credentials> {
        match self.load(profile)? {
            Some(stored) => Ok(stored.keys.credentials()),
            None => Err(self.no_keys(profile)),
        }
    }

    /// The error for a marked profile whose keys are not in the keystore.
    pub fn no_keys(self, profile: &str) -> Error {
        keystore_error(
            Some(profile),
            format!(
                "marked {MARKER_KEY} = {}, but {} holds no keys for it: run `stsenv keys add {profile}` (or `stsenv keys import {profile}`)",
                self.marker(),
                self.name()
            ),
        )
    }
}

/// The keystore of this platform, as a user would name it.
fn name() -> &'static str {
    platform::NAME
}

/// Check that the keystore can be reached, without reading any entry;
/// the error names `profile` when given.
pub fn check_available(profile: Option<&str>) -> Result<()> {
    match keyring::Entry::store_status() {
        Ok(()) => Ok(()),
        Err(err) => Err(unavailable(profile, err)),
    }
}

/// The entry of `profile`, or `None` when the keystore has none.
fn load(profile: &str) -> Result<Option<Stored>> {
    let entry = entry(profile)?;
    let bytes = match entry.get_secret() {
        Ok(bytes) => bytes,
        Err(keyring_core::Error::NoEntry) => return Ok(None),
        Err(err) => return Err(failure(Some(profile), "read", err)),
    };
    parse(profile, &bytes).map(Some)
}

/// Write the entry of `profile` (replacing it whole), then read it back
/// and compare: a write only counts once the keystore returns it.
fn store(profile: &str, stored: &Stored) -> Result<()> {
    stored.validate().map_err(|problem| {
        keystore_error(Some(profile), format!("refusing to store: {problem}"))
    })?;
    let json = serde_json::to_vec(stored).expect("plain strings serialise");
    entry(profile)?
        .set_secret(&json)
        .map_err(|err| failure(Some(profile), "write", err))?;
    match load(profile)? {
        Some(read) if read == *stored => Ok(()),
        _ => Err(keystore_error(
            Some(profile),
            format!(
                "{} did not return what was just stored; nothing else was changed",
                name()
            ),
        )),
    }
}

/// Delete the entry of `profile`; `false` when there was none.
fn delete(profile: &str) -> Result<bool> {
    match entry(profile)?.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring_core::Error::NoEntry) => Ok(false),
        Err(err) => Err(failure(Some(profile), "delete", err)),
    }
}

/// Profiles with an entry, sorted, where the keystore can be searched by
/// service (the Secret Service and the macOS Keychain can; elsewhere this is
/// empty and callers rely on the profiles marked in the config file).
fn list() -> Result<Vec<String>> {
    check_available(None)?;
    if !platform::SEARCHABLE {
        return Ok(Vec::new());
    }
    let spec = HashMap::from([("service", SERVICE)]);
    let entries = match keyring_core::Entry::search(&spec) {
        Ok(entries) => entries,
        Err(keyring_core::Error::NotSupportedByStore(_) | keyring_core::Error::Invalid(..)) => {
            return Ok(Vec::new())
        }
        Err(err) => return Err(failure(None, "search", err)),
    };
    let mut names: Vec<String> = entries
        .iter()
        .filter_map(|entry| entry.get_specifiers())
        .filter(|(service, _)| service == SERVICE)
        .map(|(_, user)| user)
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

fn entry(profile: &str) -> Result<keyring_core::Entry> {
    check_available(Some(profile))?;
    platform::entry(SERVICE, profile).map_err(|err| failure(Some(profile), "open", err))
}

/// The stored document in `bytes`, validated.
pub(crate) fn parse(profile: &str, bytes: &[u8]) -> Result<Stored> {
    let damaged = |problem: String| {
        keystore_error(
            Some(profile),
            format!(
                "the entry in {} is damaged ({problem}): run `stsenv keys add {profile}` to replace it",
                name()
            ),
        )
    };
    let stored: Stored =
        serde_json::from_slice(bytes).map_err(|_| damaged("not stsenv's JSON".to_string()))?;
    stored.validate().map_err(damaged)?;
    Ok(stored)
}

fn keystore_error(profile: Option<&str>, problem: String) -> Error {
    Error::Keystore {
        profile: profile.map(str::to_string),
        problem,
    }
}

fn failure(profile: Option<&str>, action: &str, err: keyring_core::Error) -> Error {
    match err {
        keyring_core::Error::NoDefaultStore => match keyring::Entry::store_status() {
            Err(cause) => unavailable(profile, cause),
            Ok(()) => keystore_error(profile, format!("cannot {action} the entry: {err}")),
        },
        keyring_core::Error::NoStorageAccess(cause) => keystore_error(
            profile,
            format!(
                "cannot {action} the entry: {} is locked or refused access ({}); unlock it (log in to your desktop session) and try again",
                name(),
                one_line(&*cause)
            ),
        ),
        other => keystore_error(
            profile,
            format!("cannot {action} the entry in {}: {}", name(), one_line(&other)),
        ),
    }
}

/// No keystore at all: say what to install or start.
fn unavailable(profile: Option<&str>, cause: &keyring_core::Error) -> Error {
    let what = platform::unavailable(&one_line(cause));
    keystore_error(profile, what)
}

/// An error and its causes on one line.
fn one_line(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut current = err.source();
    while let Some(cause) = current {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        current = cause.source();
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(id: &str) -> KeyPair {
        KeyPair {
            access_key_id: id.to_string(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".to_string(),
        }
    }

    #[test]
    fn the_stored_document_round_trips_and_is_validated() {
        let mut stored = Stored::new(pair("AKIAIOSFODNN7EXAMPLE"));
        stored.retired = Some("AKIAOLDOLDOLDOLDOLD1".to_string());
        let json = serde_json::to_vec(&stored).unwrap();
        assert_eq!(parse("p", &json).unwrap(), stored);
        let text = String::from_utf8(json).unwrap();
        assert!(text.contains("\"access_key_id\":\"AKIAIOSFODNN7EXAMPLE\""));
        assert!(!text.contains("pending"));
        for bad in [
            &b"not json"[..],
            br#"{"version":1,"access_key_id":"akia lower","secret_access_key":"wJalrXUtnFEMI/K7MDENG"}"#,
            br#"{"version":9,"access_key_id":"AKIAIOSFODNN7EXAMPLE","secret_access_key":"wJalrXUtnFEMI/K7MDENG"}"#,
            br#"{"version":1,"access_key_id":"AKIAIOSFODNN7EXAMPLE","secret_access_key":"short"}"#,
        ] {
            let err = parse("p", bad).unwrap_err().to_string();
            assert!(err.contains("damaged") && err.contains("`p`"), "{err}");
            assert!(!err.contains("wJalr"), "no secret in errors: {err}");
        }
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let shown = format!("{:?}", Stored::new(pair("AKIAIOSFODNN7EXAMPLE")));
        assert!(shown.contains("AKIAIOSFODNN7EXAMPLE"));
        assert!(!shown.contains("wJalr"));
    }

    #[test]
    fn key_shapes() {
        assert!(pair("AKIAIOSFODNN7EXAMPLE").validate().is_ok());
        assert!(pair("AKIA").validate().is_err());
        assert!(pair("AKIAIOSFODNN7EXAMPL\n").validate().is_err());
        let spaced = KeyPair {
            secret_access_key: "wJalrXUtnFEMI K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            ..pair("AKIAIOSFODNN7EXAMPLE")
        };
        assert!(spaced.validate().is_err());
    }
}

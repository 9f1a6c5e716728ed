//! The encrypted file keystore, for machines without an OS keystore
//! (headless servers, WSL, containers): one [age] file per profile,
//! encrypted to a passphrase (age's scrypt recipient), in a private
//! directory under the user's data dir (`$STSENV_KEYSTORE_DIR`, else
//! `~/.local/share/stsenv/keystore` or the platform's equivalent).
//!
//! A file holds exactly what an OS keystore entry holds (the JSON document
//! of [`Stored`]), so `keys add|import|rotate|list|remove` and their
//! interruption guarantees are the same: every write replaces the whole
//! file atomically (0600, in a 0700 directory that must be the user's),
//! and is decrypted and compared before it counts.
//!
//! The passphrase is never stored. It comes from `STSENV_KEYSTORE_PASSPHRASE`
//! (automation: anything that can read the process's environment can read
//! it) or from the prompt the CLI registers with [`set_prompt`], asked only
//! when a file is opened, and kept in memory for the rest of the process.
//! A wrong passphrase is an error before anything is written.
//!
//! [age]: https://age-encryption.org/v1

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use age::secrecy::ExposeSecret;
/// A passphrase, zeroed when dropped and kept out of `Debug`.
pub use age::secrecy::SecretString;

use crate::error::{Error, Result};
use crate::platform;
use crate::store::fsutil;
use crate::store::keystore::Stored;

/// Overrides the directory of the keystore files (tests, a custom location).
pub const DIR_VAR: &str = "STSENV_KEYSTORE_DIR";

/// The passphrase, for automation. Anything that can read the process's
/// environment (the same user's processes, `/proc/PID/environ`, a CI log
/// that dumps the environment) can read it.
pub const PASSPHRASE_VAR: &str = "STSENV_KEYSTORE_PASSPHRASE";

/// The file name suffix.
const SUFFIX: &str = ".age";

/// scrypt's work factor for new files: N = 2^18 (256 MiB, about a second
/// on a laptop), what age itself picks on such a machine; fixed rather than
/// measured so that a busy machine does not write a weaker file.
const WORK_FACTOR: u8 = 18;

/// The largest work factor accepted when opening a file (2^20: 1 GiB): a
/// file asking for more is not one stsenv wrote, and would take minutes.
const MAX_WORK_FACTOR: u8 = 20;

/// A keystore file is a few hundred bytes; anything much larger is not ours.
const MAX_FILE_LEN: u64 = 64 * 1024;

/// What the passphrase is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question<'a> {
    /// To open the existing file of this profile.
    Unlock {
        /// The profile.
        profile: &'a str,
        /// Its file.
        path: &'a Path,
    },
    /// For the first file of this profile (ask twice: it cannot be recovered).
    New {
        /// The profile.
        profile: &'a str,
        /// The file about to be written.
        path: &'a Path,
    },
}

/// Asks a human for the passphrase: `Err` when there is no one to ask.
pub type Prompt = dyn Fn(Question<'_>) -> Result<SecretString> + Send + Sync;

static PROMPT: OnceLock<Box<Prompt>> = OnceLock::new();

/// Passphrases that opened a file in this process, by profile; in memory
/// only, so one command asks once.
static KNOWN: Mutex<Option<HashMap<String, SecretString>>> = Mutex::new(None);

/// Register how the passphrase is asked (the CLI's terminal prompt). The
/// keystore is reached from deep inside credential resolution; only the
/// CLI knows whether there is a terminal.
pub fn set_prompt(prompt: Box<Prompt>) {
    let _ = PROMPT.set(prompt);
}

/// The directory of the keystore files.
pub fn dir() -> PathBuf {
    match std::env::var_os(DIR_VAR).filter(|d| !d.is_empty()) {
        Some(dir) => fsutil::expand_home(Path::new(&dir)),
        None => dirs::data_dir()
            .unwrap_or_else(|| fsutil::home().join(".local/share"))
            .join("stsenv")
            .join("keystore"),
    }
}

/// The file of `profile`: its name with every byte outside `[A-Za-z0-9_-]`
/// written `%XX`, so any profile name is one file name, and back.
pub fn path(profile: &str) -> PathBuf {
    let mut name = String::with_capacity(profile.len() + SUFFIX.len());
    for b in profile.bytes() {
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
            name.push(char::from(b));
        } else {
            name.push_str(&format!("%{b:02X}"));
        }
    }
    dir().join(name + SUFFIX)
}

/// The profile a file name stands for, when it is one of ours.
fn profile_of(file_name: &str) -> Option<String> {
    let stem = file_name.strip_suffix(SUFFIX)?;
    let mut bytes = Vec::with_capacity(stem.len());
    let mut rest = stem.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        if b == b'%' {
            let hex = tail.get(..2)?;
            bytes.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
            rest = &tail[2..];
        } else {
            bytes.push(b);
            rest = tail;
        }
    }
    String::from_utf8(bytes).ok().filter(|p| !p.is_empty())
}

/// The name of this keystore, as messages say it.
pub fn name() -> String {
    format!("the encrypted file keystore ({})", dir().display())
}

/// The stored document of `profile`, or `None` when it has no file (no
/// passphrase is asked then).
pub fn load(profile: &str) -> Result<Option<Stored>> {
    let path = path(profile);
    let Some(ciphertext) = read(profile, &path)? else {
        return Ok(None);
    };
    let plaintext = unlock(profile, &path, &ciphertext)?;
    crate::store::keystore::parse(profile, &plaintext).map(Some)
}

/// Write the document of `profile` (replacing its file whole), then read it
/// back and compare. An existing file must open with the passphrase first:
/// a wrong one changes nothing.
pub fn store(profile: &str, stored: &Stored) -> Result<()> {
    let path = path(profile);
    let passphrase = match read(profile, &path)? {
        Some(ciphertext) => {
            unlock(profile, &path, &ciphertext)?;
            known(profile).expect("unlock remembers the passphrase")
        }
        None => {
            let passphrase = ask(Question::New {
                profile,
                path: &path,
            })?;
            remember(profile, &passphrase);
            passphrase
        }
    };
    let json = serde_json::to_vec(stored).expect("plain strings serialise");
    let ciphertext = encrypt(&passphrase, &json)
        .map_err(|e| error(profile, format!("cannot encrypt the keys: {e}")))?;
    trusted_dir(profile, true)?;
    fsutil::write_atomic(&path, &ciphertext, None)
        .map_err(|e| Error::io("cannot write the keystore file", &path, e))?;
    match load(profile)? {
        Some(read) if read == *stored => Ok(()),
        _ => Err(error(
            profile,
            format!(
                "{} did not read back what was just written; nothing else was changed",
                path.display()
            ),
        )),
    }
}

/// Delete the file of `profile`; `false` when there was none.
pub fn delete(profile: &str) -> Result<bool> {
    let path = path(profile);
    match fs::remove_file(&path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::io("cannot remove the keystore file", &path, e)),
    }
}

/// The profiles with a file, sorted (from the file names: no passphrase).
pub fn list() -> Result<Vec<String>> {
    if !trusted_dir("", false)? {
        return Ok(Vec::new());
    }
    let dir = dir();
    let entries = fs::read_dir(&dir).map_err(|e| Error::io("cannot list", &dir, e))?;
    let mut names: Vec<String> = entries
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter_map(|name| profile_of(&name))
        .collect();
    names.sort();
    Ok(names)
}

/// The file's bytes, or `None` when it does not exist. It must be a
/// regular file, and small: the directory it is in was checked to be the
/// user's and closed to others.
fn read(profile: &str, path: &Path) -> Result<Option<Vec<u8>>> {
    if !trusted_dir(profile, false)? {
        return Ok(None);
    }
    fsutil::read_regular(path, MAX_FILE_LEN).map_err(|e| {
        error(
            profile,
            format!("cannot read the keystore file {}: {e}", path.display()),
        )
    })
}

/// Whether the directory exists (created 0700 when `create`), after
/// checking that it is a directory of the user's that no one else can
/// enter: like `~/.ssh`.
fn trusted_dir(profile: &str, create: bool) -> Result<bool> {
    let dir = dir();
    let meta = match fs::symlink_metadata(&dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !create => return Ok(false),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fsutil::create_private_dir(&dir)
                .map_err(|e| Error::io("cannot create the keystore directory", &dir, e))?;
            fs::symlink_metadata(&dir)
                .map_err(|e| Error::io("cannot use the keystore directory", &dir, e))?
        }
        Err(e) => return Err(Error::io("cannot use the keystore directory", &dir, e)),
        Ok(meta) => meta,
    };
    let problem = if !meta.is_dir() {
        Some("is not a directory (a link is not followed)".to_string())
    } else if let Some(owner) = platform::owner_problem(&dir, &meta) {
        Some(format!("is not yours: {owner}"))
    } else {
        platform::open_to_others(&meta).map(|mode| {
            format!(
                "is open to other users (mode {mode:04o}); run `chmod 700 {}`",
                dir.display()
            )
        })
    };
    match problem {
        None => Ok(true),
        Some(problem) => Err(error(
            profile,
            format!("the keystore directory {} {problem}", dir.display()),
        )),
    }
}

/// Decrypt `ciphertext`: with the passphrase already known for `profile`,
/// else the environment's, else one asked. Remembers the one that worked.
fn unlock(profile: &str, path: &Path, ciphertext: &[u8]) -> Result<Vec<u8>> {
    // One passphrase for several profiles is the common case: the one that
    // opened another file in this process is tried before asking.
    if let Some(known) = known(profile).or_else(last_known) {
        if let Ok(plaintext) = decrypt(&known, ciphertext) {
            remember(profile, &known);
            return Ok(plaintext);
        }
    }
    let (passphrase, from_env) = match from_env() {
        Some(passphrase) => (passphrase, true),
        None => (ask(Question::Unlock { profile, path })?, false),
    };
    match decrypt(&passphrase, ciphertext) {
        Ok(plaintext) => {
            remember(profile, &passphrase);
            Ok(plaintext)
        }
        Err(age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys) => {
            let whose = if from_env {
                format!("{PASSPHRASE_VAR} is not the passphrase of")
            } else {
                "wrong passphrase for".to_string()
            };
            Err(error(
                profile,
                format!("{whose} {}; nothing was changed", path.display()),
            ))
        }
        Err(e) => Err(error(
            profile,
            format!(
                "{} cannot be decrypted ({e}); it is damaged or not a stsenv keystore file: restore it, or remove it and run `stsenv keys add {profile}`",
                path.display()
            ),
        )),
    }
}

fn from_env() -> Option<SecretString> {
    std::env::var(PASSPHRASE_VAR)
        .ok()
        .filter(|p| !p.is_empty())
        .map(SecretString::from)
}

/// The passphrase for a question: the environment's, else the prompt's.
fn ask(question: Question<'_>) -> Result<SecretString> {
    if let Some(passphrase) = from_env() {
        return Ok(passphrase);
    }
    let (profile, path) = match question {
        Question::Unlock { profile, path } | Question::New { profile, path } => (profile, path),
    };
    let passphrase = match PROMPT.get() {
        Some(prompt) => prompt(question)?,
        None => {
            return Err(Error::PassphraseNeeded {
                profile: profile.to_string(),
                path: path.to_path_buf(),
            })
        }
    };
    if passphrase.expose_secret().is_empty() {
        return Err(error(
            profile,
            "an empty passphrase protects nothing; nothing was changed".to_string(),
        ));
    }
    Ok(passphrase)
}

fn known(profile: &str) -> Option<SecretString> {
    let known = KNOWN.lock().unwrap_or_else(|e| e.into_inner());
    known.as_ref()?.get(profile).cloned()
}

fn last_known() -> Option<SecretString> {
    let known = KNOWN.lock().unwrap_or_else(|e| e.into_inner());
    known.as_ref()?.get(LAST).cloned()
}

/// The key under which [`KNOWN`] keeps the passphrase that worked last
/// (not a profile name: a file name never maps to it).
const LAST: &str = "";

fn remember(profile: &str, passphrase: &SecretString) {
    let mut known = KNOWN.lock().unwrap_or_else(|e| e.into_inner());
    let known = known.get_or_insert_with(HashMap::new);
    known.insert(profile.to_string(), passphrase.clone());
    known.insert(LAST.to_string(), passphrase.clone());
}

fn encrypt(passphrase: &SecretString, plaintext: &[u8]) -> std::result::Result<Vec<u8>, String> {
    let mut recipient = age::scrypt::Recipient::new(passphrase.clone());
    recipient.set_work_factor(WORK_FACTOR);
    age::encrypt(&recipient, plaintext).map_err(|e| e.to_string())
}

fn decrypt(
    passphrase: &SecretString,
    ciphertext: &[u8],
) -> std::result::Result<Vec<u8>, age::DecryptError> {
    let mut identity = age::scrypt::Identity::new(passphrase.clone());
    identity.set_max_work_factor(MAX_WORK_FACTOR);
    age::decrypt(&identity, ciphertext)
}

fn error(profile: &str, problem: String) -> Error {
    Error::Keystore {
        profile: (!profile.is_empty()).then(|| profile.to_string()),
        problem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_names_map_to_file_names_and_back() {
        for profile in ["dev", "a/b", "..", "x.y:z@w+%", "-h", "ü"] {
            let path = path(profile);
            let name = path.file_name().unwrap().to_str().unwrap();
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_-%.".contains(&b)),
                "{name}"
            );
            assert!(!name.starts_with('.'), "{name}");
            assert_eq!(profile_of(name).as_deref(), Some(profile));
        }
        for other in ["dev", "dev.age.tmp", "%zz.age", "%4.age", ".age", ".tmp-x"] {
            assert_eq!(profile_of(other), None, "{other}");
        }
    }

    #[test]
    fn a_wrong_passphrase_does_not_decrypt() {
        let right = SecretString::from("correct horse".to_string());
        let mut recipient = age::scrypt::Recipient::new(right.clone());
        // Fast for the test; the format is the same at any work factor.
        recipient.set_work_factor(10);
        let ciphertext = age::encrypt(&recipient, b"{\"secret\":1}").unwrap();
        assert!(!ciphertext.windows(6).any(|w| w == b"secret"));
        assert_eq!(decrypt(&right, &ciphertext).unwrap(), b"{\"secret\":1}");
        let wrong = SecretString::from("battery staple".to_string());
        assert!(matches!(
            decrypt(&wrong, &ciphertext),
            Err(age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys)
        ));
    }
}

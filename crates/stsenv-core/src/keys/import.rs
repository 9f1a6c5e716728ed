//! Moving an IAM user's long-term keys into the OS keystore and managing
//! them there: `add`, `import`, `list`, `remove` (rotation is in
//! [`crate::keys::rotate`]). The CLI asks and prints; this module decides the
//! order of the writes, which is what keeps a key from being lost:
//! nothing is removed from a file before the keystore has returned the key.

use std::path::PathBuf;

use crate::aws::client::CallContext;
use crate::aws::sts::{self, CallerIdentity};
use crate::error::{Error, Result};
use crate::plan::step::mask_key;
use crate::profile::config::AwsConfig;
use crate::profile::edit::{self as config_edit, FileEdit, FileKind};
use crate::store::keystore::{self, Backend, KeyPair, Stored, MARKER_KEY};

/// The two lines `import` moves out of the AWS files.
pub const KEY_LINES: [&str; 2] = ["aws_access_key_id", "aws_secret_access_key"];

/// Test-only: `STSENV_TEST_KILL_AT=STEP` makes the process SIGKILL itself
/// at that step of `keys import` / `keys rotate`, so the tests can show that
/// an interruption at any point leaves a working key stored. It exists in
/// debug builds only (the tests run one); a release binary has no trace of it.
#[cfg(debug_assertions)]
pub const TEST_KILL_VAR: &str = "STSENV_TEST_KILL_AT";

/// Die here, without any clean-up, when the tests asked for it.
#[cfg(debug_assertions)]
pub(crate) fn kill_point(step: &str) {
    if std::env::var(TEST_KILL_VAR).is_ok_and(|at| at == step) {
        crate::platform::die_now();
    }
}

/// Release builds: no kill points.
#[cfg(not(debug_assertions))]
#[inline(always)]
pub(crate) fn kill_point(_step: &str) {}

/// The region for calls made for `profile`: its own, else STS's global one.
fn region_of(config: &AwsConfig, profile: &str) -> String {
    config
        .profile(profile)
        .ok()
        .and_then(|p| p.get("region"))
        .unwrap_or("us-east-1")
        .to_string()
}

/// sts:GetCallerIdentity with `keys`: do they work, and whose are they?
pub fn verify(config: &AwsConfig, profile: &str, keys: &KeyPair) -> Result<CallerIdentity> {
    let region = region_of(config, profile);
    let endpoint = config.endpoint_url(Some(profile), crate::profile::config::Service::Sts);
    let ctx = CallContext {
        profile,
        region: &region,
        endpoint: endpoint.as_deref(),
        secrets: &[],
    };
    crate::aws::client::runtime()?.block_on(sts::caller_identity(ctx, &keys.credentials()))
}

fn invalid(config: &AwsConfig, profile: &str, problem: String) -> Error {
    Error::InvalidProfile {
        profile: profile.to_string(),
        file: config.file_of(profile).to_path_buf(),
        problem,
    }
}

fn check_name(config: &AwsConfig, profile: &str) -> Result<()> {
    if config_edit::is_valid_profile_name(profile) {
        Ok(())
    } else {
        Err(invalid(
            config,
            profile,
            "is not a profile name the AWS SDKs accept (letters, digits and _-/.%@:+)".to_string(),
        ))
    }
}

/// The keystore of `profile`: the one its mark names, else the default
/// one (where `add` and `import` put keys).
pub fn backend_of(config: &AwsConfig, profile: &str) -> Backend {
    config
        .profile(profile)
        .ok()
        .and_then(Backend::of)
        .unwrap_or_else(Backend::default_choice)
}

/// Refuse to replace a different key the keystore already holds: that
/// key's secret exists nowhere else.
fn check_not_replacing(backend: Backend, profile: &str, keys: Option<&KeyPair>) -> Result<()> {
    let Some(stored) = backend.load(profile)? else {
        return Ok(());
    };
    if keys.is_some_and(|k| *k == stored.keys) && stored.pending.is_none() {
        return Ok(());
    }
    Err(Error::Keystore {
        profile: Some(profile.to_string()),
        problem: format!(
            "{} already holds the key {} for it; run `stsenv keys rotate {profile}` for a new key, or `stsenv keys remove {profile}` first",
            backend.name(),
            mask_key(&stored.keys.access_key_id)
        ),
    })
}

/// Keys that make a profile take its credentials from somewhere other than
/// its own keys (the SDKs give them precedence over static keys): such a
/// profile is never marked for the keystore.
const OTHER_SOURCES: [&str; 6] = [
    "role_arn",
    "credential_source",
    "web_identity_token_file",
    "sso_session",
    "sso_start_url",
    "sso_account_id",
];

/// Checks `add` makes before the keys are asked for: a usable name, no
/// keys in the files (those are imported, not added), no other key in the
/// keystore, and a keystore that answers.
pub fn check_add(config: &AwsConfig, profile: &str) -> Result<()> {
    check_name(config, profile)?;
    if let Ok(p) = config.profile(profile) {
        if p.get("aws_access_key_id").is_some() {
            return Err(invalid(
                config,
                profile,
                format!(
                    "already has aws_access_key_id in a file; move those keys with `stsenv keys import {profile}`"
                ),
            ));
        }
        if let Some(key) = OTHER_SOURCES.iter().find(|k| p.get(k).is_some()) {
            let hint = match p.get("source_profile") {
                Some(source) => format!(
                    "add the keys to its source_profile instead: `stsenv keys add {source}`"
                ),
                None => "add the keys to a profile of their own and name it as this one's source_profile".to_string(),
            };
            return Err(invalid(
                config,
                profile,
                format!(
                    "has {key}, so its credentials come from there and keys stored for it would never be used; {hint}"
                ),
            ));
        }
    }
    let backend = backend_of(config, profile);
    backend.check_available(Some(profile))?;
    check_not_replacing(backend, profile, None)
}

/// What `add` did.
#[derive(Debug)]
pub struct Added {
    /// Who the keys belong to, when they were verified.
    pub identity: Option<CallerIdentity>,
    /// The config file, and its backup when it existed.
    pub config_file: PathBuf,
    /// `<config>.bak`, when there was a config file to back up.
    pub backup: Option<PathBuf>,
    /// Where the keys went.
    pub backend: Backend,
}

/// Store `keys` for `profile` (verified with sts:GetCallerIdentity first
/// unless `verify` is false) and mark the profile `stsenv_keyring = true`
/// (`file` for the file keystore).
pub fn add(config: &AwsConfig, profile: &str, keys: &KeyPair, verify_keys: bool) -> Result<Added> {
    check_add(config, profile)?;
    keys.validate()
        .map_err(|p| Error::Unusable(format!("profile `{profile}`: {p}")))?;
    let backend = backend_of(config, profile);
    let (mut edit, text) = FileEdit::read(config.config_file())?;
    edit.content = config_edit::set_key(
        &text,
        FileKind::Config,
        profile,
        MARKER_KEY,
        backend.marker(),
    );
    let identity = match verify_keys {
        true => Some(verify(config, profile, keys)?),
        false => None,
    };
    backend.store(profile, &Stored::new(keys.clone()))?;
    let backup = edit.apply()?;
    Ok(Added {
        identity,
        config_file: config.config_file().to_path_buf(),
        backup,
        backend,
    })
}

/// One file `import` rewrote.
#[derive(Debug)]
pub struct EditedFile {
    /// The file.
    pub path: PathBuf,
    /// `<file>.bak`, the previous version.
    pub backup: Option<PathBuf>,
    /// Whether `stsenv_keyring = true` was set in it.
    pub marked: bool,
    /// Whether key lines were removed from it.
    pub keys_removed: bool,
}

/// What `import` changed.
#[derive(Debug)]
pub struct Imported {
    /// Who the keys belong to.
    pub identity: CallerIdentity,
    /// The access key id that moved.
    pub access_key_id: String,
    /// Files rewritten, config first.
    pub edited: Vec<EditedFile>,
    /// Whether the profile already has a `credential_process` line.
    pub has_credential_process: bool,
    /// Where the keys went.
    pub backend: Backend,
}

/// Move the keys of `profile` from the AWS files into the keystore:
/// verify them (sts:GetCallerIdentity), store them, read them back, and
/// only then mark the config and remove the two key lines (backups kept,
/// without the key lines).
/// Any error before the read-back leaves both files byte-identical.
pub fn import(config: &AwsConfig, profile: &str) -> Result<Imported> {
    check_name(config, profile)?;
    let p = config.profile(profile)?;
    let backend = backend_of(config, profile);
    let (Some(id), Some(secret)) = (p.get("aws_access_key_id"), p.get("aws_secret_access_key"))
    else {
        let problem = if keystore::is_marked(p) {
            format!(
                "has no keys in a file to import: they are already in {}",
                backend.name()
            )
        } else {
            "has no aws_access_key_id and aws_secret_access_key to import".to_string()
        };
        return Err(invalid(config, profile, problem));
    };
    if p.get("aws_session_token").is_some() {
        return Err(invalid(
            config,
            profile,
            "has aws_session_token: these are temporary keys, not worth keeping in the keystore"
                .to_string(),
        ));
    }
    let keys = KeyPair {
        access_key_id: id.to_string(),
        secret_access_key: secret.to_string(),
    };
    keys.validate()
        .map_err(|problem| invalid(config, profile, problem))?;
    let has_credential_process = p.get("credential_process").is_some();

    // Plan both edits before anything is written, and check them with the SDK's parser.
    let (mut config_edit, config_text) = FileEdit::read(config.config_file())?;
    let (mut credentials_edit, credentials_text) = FileEdit::read(config.credentials_file())?;
    let marked = config_edit::set_key(
        &config_text,
        FileKind::Config,
        profile,
        MARKER_KEY,
        backend.marker(),
    );
    config_edit.content =
        config_edit::remove_keys(&marked, FileKind::Config, profile, &KEY_LINES).0;
    credentials_edit.content = config_edit::remove_keys(
        &credentials_text,
        FileKind::Credentials,
        profile,
        &KEY_LINES,
    )
    .0;
    check_edit_result(config, profile, &config_edit, &credentials_edit)?;
    // The keys leave plaintext: not into the backups either.
    for edit in [&mut config_edit, &mut credentials_edit] {
        edit.secrets = vec![keys.access_key_id.clone(), keys.secret_access_key.clone()];
    }

    backend.check_available(Some(profile))?;
    check_not_replacing(backend, profile, Some(&keys))?;
    let identity = verify(config, profile, &keys)?;
    kill_point("import-verified");
    // Stores, then reads back and compares: the confirmation.
    backend.store(profile, &Stored::new(keys.clone()))?;
    kill_point("import-stored");
    // The config first: until the keys leave the credentials file they win over the mark.
    let mut edited = Vec::new();
    for (edit, text, kind) in [
        (&config_edit, &config_text, FileKind::Config),
        (&credentials_edit, &credentials_text, FileKind::Credentials),
    ] {
        if edit.changes() {
            let backup = edit.apply()?;
            edited.push(EditedFile {
                path: edit.path.clone(),
                backup,
                marked: kind == FileKind::Config && marked != config_text,
                keys_removed: !config_edit::keys_present(text, kind, profile, &KEY_LINES)
                    .is_empty(),
            });
            kill_point("import-marked");
        }
    }
    Ok(Imported {
        identity,
        access_key_id: keys.access_key_id,
        edited,
        has_credential_process,
        backend,
    })
}

/// Parse the edited texts with the SDK's own parser: the profile must be
/// marked and keyless, every profile must still be there.
fn check_edit_result(
    config: &AwsConfig,
    profile: &str,
    config_edit: &FileEdit,
    credentials_edit: &FileEdit,
) -> Result<()> {
    let parsed = config_edit::parse_with_sdk(&config_edit.content, &credentials_edit.content);
    let problem = match parsed {
        Ok(set) => {
            let mut names: Vec<&str> = set.profiles().collect();
            names.sort_unstable();
            match set.get_profile(profile) {
                _ if names != config.profile_names() => Some("a profile would disappear"),
                Some(p)
                    if p.get("aws_access_key_id").is_some()
                        || p.get("aws_secret_access_key").is_some() =>
                {
                    Some("the key lines would remain")
                }
                Some(p) if !keystore::is_marked(p) => Some("the mark would not be read"),
                Some(_) => None,
                None => Some("the profile would disappear"),
            }
        }
        Err(_) => Some("the result would not parse"),
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(invalid(
            config,
            profile,
            format!(
                "stsenv cannot edit the files safely ({problem}); nothing was changed. Store the keys with `stsenv keys add {profile}` after removing the two lines by hand"
            ),
        )),
    }
}

/// One row of `keys list`.
#[derive(Debug, Clone)]
pub struct Listed {
    /// The profile.
    pub profile: String,
    /// Whether its config section has a `stsenv_keyring` mark.
    pub marked: bool,
    /// The keystore its keys are (or would be) in.
    pub backend: Backend,
    /// What the keystore holds, when it holds something readable.
    pub stored: Option<Stored>,
    /// Why the entry could not be read, when it could not.
    pub error: Option<String>,
}

/// Profiles marked in the config or found in a keystore (the OS one when
/// it is the default, the file one always: listing it needs no
/// passphrase), with what the keystore holds for each (key ids only).
pub fn list(config: &AwsConfig) -> Result<Vec<Listed>> {
    let mut found: Vec<(String, Backend)> = Vec::new();
    let mut os_failure = None;
    for backend in [Backend::default_choice(), Backend::File] {
        match backend.list() {
            Ok(names) => found.extend(names.into_iter().map(|name| (name, backend))),
            Err(err) if backend.is_os() => os_failure = Some(err),
            Err(err) => return Err(err),
        }
    }
    for name in config.profile_names() {
        if let Some(backend) = config.profile(name).ok().and_then(Backend::of) {
            found.push((name.to_string(), backend));
        }
    }
    // Without an OS keystore the file keystore's entries are still listed
    // (an OS-marked profile's row then says why it cannot be read).
    match os_failure {
        Some(err) if found.is_empty() => return Err(err),
        _ => {}
    }
    // Stable: an entry in the default keystore comes first and stays.
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found.dedup_by(|later, first| later.0 == first.0);
    Ok(found
        .into_iter()
        .map(|(profile, backend)| {
            let backend = backend_of_found(config, &profile, backend);
            let marked = config.profile(&profile).is_ok_and(keystore::is_marked);
            let (stored, error) = match backend.load(&profile) {
                Ok(stored) => (stored, None),
                Err(err) => (None, Some(err.to_string())),
            };
            Listed {
                profile,
                marked,
                backend,
                stored,
                error,
            }
        })
        .collect())
}

/// The keystore a marked profile names, else where its entry was `found`.
fn backend_of_found(config: &AwsConfig, profile: &str, found: Backend) -> Backend {
    config
        .profile(profile)
        .ok()
        .and_then(Backend::of)
        .unwrap_or(found)
}

/// What `remove` did.
#[derive(Debug)]
pub struct Removed {
    /// The key id deleted from the keystore, when there was an entry.
    pub deleted: Option<String>,
    /// The config file and its backup, when the mark was removed.
    pub unmarked: Option<(PathBuf, Option<PathBuf>)>,
}

/// Remove the mark from the config, then the entry from the keystore (in
/// that order: a half-done removal leaves an unused entry, never a marked
/// profile without keys).
pub fn remove(config: &AwsConfig, profile: &str) -> Result<Removed> {
    let backend = backend_of(config, profile);
    backend.check_available(Some(profile))?;
    let stored = backend.load(profile)?;
    let (mut edit, text) = FileEdit::read(config.config_file())?;
    edit.content = config_edit::remove_keys(&text, FileKind::Config, profile, &[MARKER_KEY]).0;
    if stored.is_none() && !edit.changes() {
        return Err(Error::Keystore {
            profile: Some(profile.to_string()),
            problem: format!(
                "{} holds no keys for it and {} has no {MARKER_KEY} line for it; nothing to remove",
                backend.name(),
                config.config_file().display()
            ),
        });
    }
    let unmarked = match edit.changes() {
        true => Some((edit.path.clone(), edit.apply()?)),
        false => None,
    };
    if stored.is_some() {
        backend.delete(profile)?;
    }
    Ok(Removed {
        deleted: stored.map(|s| s.keys.access_key_id),
        unmarked,
    })
}

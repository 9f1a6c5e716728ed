//! The user's own `~/.aws/config` and `~/.aws/credentials`, read with
//! aws-config's profile parser so stsenv sees exactly what the SDKs see.

use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use aws_config::profile::{Profile, ProfileSet};

use crate::profile::index::{self, Damaged, Identity, Sections};
use crate::store::cache::Cache;
use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
use aws_types::os_shim_internal::{Env, Fs};

use crate::error::{Error, Result};
use crate::store::fsutil::{
    expand_home, home, open_nonblocking, read_open, read_regular, MAX_CONFIG_FILE_BYTES,
};

/// Both AWS config files, parsed, and the environment they were read in.
pub struct AwsConfig {
    /// What aws-config's parser found (fresh, or from the index of these
    /// very files).
    pub(crate) sections: Sections,
    /// A fresh parse of the files, made when the index `sections` come
    /// from turns out damaged (every answer then comes from it), or why
    /// the files could not be parsed.
    reparsed: OnceCell<std::result::Result<Sections, String>>,
    /// The cache directory `sections` were read from (`None`: parsed).
    index_dir: Option<PathBuf>,
    config_file: PathBuf,
    credentials_file: PathBuf,
    /// The environment the planner reads (`AWS_*` variables): the
    /// process's for [`AwsConfig::load`], a fixed one for in-memory configs,
    /// so planner tests never depend on the shell they run in.
    env: Env,
    /// The variables read from `env` so far: planning thousands of
    /// profiles together (`init`) asks for the same few for each, and
    /// stsenv never changes its own environment.
    env_read: RefCell<HashMap<String, Option<String>>>,
    /// The file system the files were read from.
    fs: Fs,
    /// The credentials file alone, parsed on first use: the SDKs rank keys
    /// in the credentials file above `credential_process`, and keys in the
    /// config file below it, which the merged profiles cannot tell apart.
    credentials_only: OnceCell<Option<ProfileSet>>,
    /// The files' identity when it is settled (not changed in the last
    /// seconds): what [`AwsConfig::fingerprint`] is made of.
    identity: Option<Identity>,
    /// The `credential_process` / `mfa_process` lines of the files
    /// themselves, read when an indexed profile names a command (see
    /// [`AwsConfig::profile`]).
    file_commands: OnceCell<HashSet<(String, String)>>,
}

/// Keys whose values stsenv runs as commands. An index value for one of
/// them is used only when the same `key = value` line is in the files: the
/// index lives in the cache directory, and what it says must never be
/// enough to make stsenv run something the files do not name.
const COMMAND_KEYS: [&str; 2] = ["credential_process", "mfa_process"];

impl AwsConfig {
    /// Load the files named by `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`,
    /// else `~/.aws/config` / `~/.aws/credentials`. Missing files are empty;
    /// a file that exists but cannot be read (no permission, a directory)
    /// is an error naming it, never "profile not found".
    ///
    /// What the parser makes of the files is kept in the cache directory
    /// (the `index` module), keyed by the files' identity; while they are the
    /// same files, it is read back instead of parsing them again.
    pub fn load() -> Result<Self> {
        Self::load_in(&Cache::from_env())
    }

    /// [`AwsConfig::load`] with the index in `cache` (the cache the
    /// command uses anyway: its directory is checked once).
    pub fn load_in(cache: &Cache) -> Result<Self> {
        Self::load_with(
            Env::real(),
            config_file_path(),
            credentials_file_path(),
            cache,
        )
    }

    /// [`AwsConfig::load`] of the files at these paths, in `env` (which
    /// must name the same files), with the index in `cache`.
    ///
    /// Each file is parsed alone and the two are merged as aws-config's
    /// parser merges them ([`Sections::with_credentials`]). The config
    /// file (the large one: thousands of profiles from `sso populate`) is
    /// read from its index while it is the same file; the credentials file
    /// (the small one, holding long-term keys) is read afresh every time
    /// and never indexed, so no secret reaches the cache directory.
    pub(crate) fn load_with(
        env: Env,
        config_file: PathBuf,
        credentials_file: PathBuf,
        cache: &Cache,
    ) -> Result<Self> {
        // Each file is opened once: whether it is readable, its identity
        // (from the open file's metadata) and, for the credentials file,
        // its text all come from that one open.
        let config_opened = open_readable(&config_file)?;
        let credentials_opened = open_readable(&credentials_file)?;
        let both = Identity::of_opened(&[
            (&config_file, config_opened.stat()),
            (&credentials_file, credentials_opened.stat()),
        ]);
        let config_id = Identity::of_opened(&[(&config_file, config_opened.stat())]);
        drop(config_opened);
        let credentials_text = credentials_opened.into_text(&credentials_file)?;
        let Some(credentials) = parse_one(&env, EnvConfigFileKind::Credentials, &credentials_text)
        else {
            return Self::parse_both(env, config_file, credentials_file);
        };
        let indexed = config_id
            .and_then(|id| index::load(cache, &id))
            .and_then(|sections| {
                sections
                    .with_credentials(&credentials, &credentials_text)
                    .ok()
            });
        let (sections, index_dir) = match indexed {
            Some(sections) => (sections, Some(cache.dir().to_path_buf())),
            None => {
                let Some(sections) =
                    Self::parse_config(&env, &config_file, cache, &credentials, &credentials_text)
                else {
                    return Self::parse_both(env, config_file, credentials_file);
                };
                (sections, None)
            }
        };
        Ok(AwsConfig {
            sections,
            reparsed: OnceCell::new(),
            index_dir,
            config_file,
            credentials_file,
            env,
            fs: Fs::real(),
            credentials_only: OnceCell::from(Some(credentials)),
            identity: both.filter(|id| !id.is_racy()),
            file_commands: OnceCell::new(),
            env_read: RefCell::default(),
        })
    }

    /// Parse the config file alone, index it when it did not change while
    /// it was read (and holds no secret), and lay the credentials file over
    /// it. `None` when it does not parse.
    fn parse_config(
        env: &Env,
        config_file: &Path,
        cache: &Cache,
        credentials: &ProfileSet,
        credentials_text: &str,
    ) -> Option<Sections> {
        let before = Identity::of(&[config_file]);
        let text = read_text(config_file).ok()?;
        let set = parse_one(env, EnvConfigFileKind::Config, &text)?;
        let sections =
            Sections::from_profile_set(&set, &[&text], section_names(&text).into_iter().collect());
        if let Some(before) = before {
            if Identity::of(&[config_file]).as_ref() == Some(&before) {
                index::store(cache, &before, &sections);
            }
        }
        sections
            .with_credentials(credentials, credentials_text)
            .ok()
    }

    /// Parse both files at once, as the SDKs load them: where a file does
    /// not parse on its own, this is what names it in the error.
    fn parse_both(env: Env, config_file: PathBuf, credentials_file: PathBuf) -> Result<Self> {
        // Read once, as regular files only (a FIFO swapped in after the
        // check cannot block), and parsed from these bytes: the SDK's
        // loader gets them in memory instead of opening the files again.
        let read = |path: &Path| -> Result<Vec<u8>> {
            let bytes =
                read_regular(path, MAX_CONFIG_FILE_BYTES).map_err(|e| unreadable(path, &e))?;
            Ok(bytes.unwrap_or_default())
        };
        let config_bytes = read(&config_file)?;
        let credentials_bytes = read(&credentials_file)?;
        let config_text = String::from_utf8_lossy(&config_bytes).into_owned();
        let credentials_text = String::from_utf8_lossy(&credentials_bytes).into_owned();
        let fs = Fs::from_map(HashMap::from([
            (config_file.display().to_string(), config_bytes),
            (credentials_file.display().to_string(), credentials_bytes),
        ]));
        Self::parse(
            fs,
            env,
            config_file,
            credentials_file,
            &config_text,
            &credentials_text,
        )
    }

    /// The sections every answer comes from: the fresh parse once the
    /// index turned out damaged, else what was loaded.
    fn current(&self) -> &Sections {
        match self.reparsed.get() {
            Some(Ok(fresh)) => fresh,
            _ => &self.sections,
        }
    }

    /// Ask `question` of the sections; when the index they come from turns
    /// out damaged, of a fresh parse of the files instead (which also
    /// writes a sound index for the next command).
    fn ask<'a, T>(&'a self, question: impl Fn(&'a Sections) -> Result<T, Damaged>) -> Result<T> {
        if self.reparsed.get().is_none() {
            if let Ok(answer) = question(&self.sections) {
                return Ok(answer);
            }
        }
        let reparsed = self.reparsed.get_or_init(|| {
            let Some(dir) = &self.index_dir else {
                return Err("the parsed config is inconsistent".to_string());
            };
            let credentials_text = read_text(&self.credentials_file).unwrap_or_default();
            let parsed = parse_one(&self.env, EnvConfigFileKind::Credentials, &credentials_text)
                .and_then(|credentials| {
                    Self::parse_config(
                        &self.env,
                        &self.config_file,
                        &Cache::at(dir),
                        &credentials,
                        &credentials_text,
                    )
                });
            match parsed {
                Some(sections) => Ok(sections),
                None => match Self::parse_both(
                    self.env.clone(),
                    self.config_file.clone(),
                    self.credentials_file.clone(),
                ) {
                    Ok(config) => Ok(config.sections),
                    Err(Error::ConfigFile(problem)) => Err(problem),
                    Err(err) => Err(err.to_string()),
                },
            }
        });
        match reparsed {
            Ok(fresh) => question(fresh).map_err(|Damaged| {
                Error::ConfigFile("the parsed config is inconsistent".to_string())
            }),
            Err(problem) => Err(Error::ConfigFile(problem.clone())),
        }
    }

    /// Parse config and credentials text held in memory, exactly as [`load`]
    /// parses the files (the same parser, the same merge rules): planner
    /// tests and tools that build configs use it without touching HOME.
    ///
    /// [`load`]: AwsConfig::load
    pub fn from_texts(config: &str, credentials: &str) -> Result<Self> {
        Self::from_texts_with_env(config, credentials, &[])
    }

    /// [`AwsConfig::from_texts`] read in an environment holding only `vars`
    /// (and the two file paths), for tests of environment-dependent planning.
    pub fn from_texts_with_env(
        config: &str,
        credentials: &str,
        vars: &[(&str, &str)],
    ) -> Result<Self> {
        let config_file = PathBuf::from("/stsenv-in-memory/config");
        let credentials_file = PathBuf::from("/stsenv-in-memory/credentials");
        let fs = Fs::from_map(HashMap::from([
            (
                config_file.display().to_string(),
                config.as_bytes().to_vec(),
            ),
            (
                credentials_file.display().to_string(),
                credentials.as_bytes().to_vec(),
            ),
        ]));
        let mut all = vec![
            ("AWS_CONFIG_FILE", "/stsenv-in-memory/config"),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                "/stsenv-in-memory/credentials",
            ),
        ];
        all.extend_from_slice(vars);
        let env = Env::from_slice(&all);
        Self::parse(fs, env, config_file, credentials_file, config, credentials)
    }

    fn parse(
        fs: Fs,
        env: Env,
        config_file: PathBuf,
        credentials_file: PathBuf,
        config_text: &str,
        credentials_text: &str,
    ) -> Result<Self> {
        // The loader finds the files through these two variables, and `fs`
        // holds them under exactly these names.
        let (config_path, credentials_path) = (
            config_file.display().to_string(),
            credentials_file.display().to_string(),
        );
        let load_env = Env::from_slice(&[
            ("AWS_CONFIG_FILE", config_path.as_str()),
            ("AWS_SHARED_CREDENTIALS_FILE", credentials_path.as_str()),
        ]);
        let files = EnvConfigFiles::default();
        let load =
            aws_config::profile::load(&fs, &load_env, &files, Some(Cow::Borrowed("default")));
        let profiles: ProfileSet = block_on_ready(load).map_err(|err| {
            // botocore cannot read such a file either; say what to fix.
            let bom = [config_text, credentials_text]
                .iter()
                .any(|t| t.starts_with('\u{feff}'));
            let hint = if bom {
                "; the file starts with a byte order mark (U+FEFF): save it as UTF-8 without one"
            } else {
                ""
            };
            Error::ConfigFile(format!("{}{hint}", with_causes(&err)))
        })?;
        let sections = Sections::from_profile_set(
            &profiles,
            &[config_text, credentials_text],
            section_names(config_text).into_iter().collect(),
        );
        Ok(AwsConfig {
            sections,
            reparsed: OnceCell::new(),
            index_dir: None,
            config_file,
            credentials_file,
            env,
            fs,
            credentials_only: OnceCell::new(),
            identity: None,
            file_commands: OnceCell::new(),
            env_read: RefCell::default(),
        })
    }

    /// A digest of the files' identity (paths, device, inode, size, mtime,
    /// ctime), for caches of what is computed from the config: `None` when
    /// the config was not read from settled regular files, which must then
    /// be computed afresh.
    pub fn fingerprint(&self) -> Option<String> {
        digest_of(self.identity.as_ref()?)
    }

    /// What [`AwsConfig::fingerprint`] of the files [`AwsConfig::load`]
    /// reads would be, and their size, from their metadata alone: no file
    /// is opened or parsed. For a command that keeps what it computed from
    /// the config (`init`'s functions) and can answer from that while the
    /// files stay the same, without loading them at all. `None` where
    /// `fingerprint` would be.
    pub fn files_fingerprint() -> Option<FilesFingerprint> {
        Self::fingerprint_of_files(&config_file_path(), &credentials_file_path())
    }

    /// [`AwsConfig::files_fingerprint`] of the files at these paths.
    pub(crate) fn fingerprint_of_files(
        config_file: &Path,
        credentials_file: &Path,
    ) -> Option<FilesFingerprint> {
        let id = Identity::of(&[config_file, credentials_file])?;
        if id.is_racy() {
            return None;
        }
        Some(FilesFingerprint {
            digest: digest_of(&id)?,
            bytes: id.bytes(),
        })
    }

    /// A variable of the environment this config was read in; `None` when
    /// unset or blank (the SDKs treat `AWS_REGION=" "` as unset too).
    pub fn env_var(&self, name: &str) -> Option<String> {
        self.env_raw(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    /// A variable of the environment exactly as it is set (credentials are
    /// not trimmed: a key with spaces is refused, not repaired).
    pub fn env_raw(&self, name: &str) -> Option<String> {
        if let Some(known) = self.env_read.borrow().get(name) {
            return known.clone();
        }
        let value = self.env.get(name).ok();
        self.env_read
            .borrow_mut()
            .insert(name.to_string(), value.clone());
        value
    }

    /// Whether `profile`'s section in the credentials file (not the config
    /// file) has `key`. A credentials file that cannot be parsed on its own
    /// counts as not having it (the merged parse already succeeded).
    pub fn in_credentials_file(&self, profile: &str, key: &str) -> bool {
        let parsed = self.credentials_only.get_or_init(|| {
            let files = EnvConfigFiles::builder()
                .with_file(EnvConfigFileKind::Credentials, &self.credentials_file)
                .build();
            let load = aws_config::profile::load(&self.fs, &self.env, &files, None);
            block_on_ready(load).ok()
        });
        parsed
            .as_ref()
            .and_then(|set| set.get_profile(profile))
            .is_some_and(|p| p.get(key).is_some())
    }

    /// The profile called `name`, or an error suggesting close names. A
    /// profile from the index that names a command (`credential_process`,
    /// `mfa_process`) the files do not hold, line for line, is taken from a
    /// fresh parse of the files instead: a forged index cannot make stsenv
    /// run a command, and only profiles naming one pay for the check (one
    /// read of the files per process).
    pub fn profile(&self, name: &str) -> Result<&Profile> {
        let from_index = |sections: &Sections| {
            self.index_dir.is_some() && std::ptr::eq(sections, &self.sections)
        };
        self.ask(|sections| match sections.profile(name)? {
            Some(p) if from_index(sections) && !self.commands_in_files(p) => Err(Damaged),
            found => Ok(found),
        })?
        .ok_or_else(|| Error::UnknownProfile {
            name: name.to_string(),
            files: vec![self.config_file.clone(), self.credentials_file.clone()],
            suggestions: self.suggestions(name),
        })
    }

    /// Whether every command `profile` names is in the files as the same
    /// `key = value` line.
    fn commands_in_files(&self, profile: &Profile) -> bool {
        let mut named = COMMAND_KEYS
            .iter()
            .filter_map(|key| Some((*key, profile.get(key)?)))
            .peekable();
        if named.peek().is_none() {
            return true;
        }
        let lines = self.file_commands.get_or_init(|| {
            command_lines(&[self.config_file.as_path(), self.credentials_file.as_path()])
        });
        named.all(|(key, value)| lines.contains(&(key.to_string(), value.to_string())))
    }

    /// Whether a profile called `name` exists.
    pub fn has_profile(&self, name: &str) -> bool {
        self.ask(|sections| sections.has_profile(name))
            .unwrap_or(false)
    }

    /// All profile names, sorted.
    pub fn profile_names(&self) -> Vec<&str> {
        let mut names = self
            .ask(|sections| sections.profile_names())
            .unwrap_or_default();
        names.sort_unstable();
        names
    }

    /// A raw key of an `[sso-session NAME]` section.
    pub fn sso_session_key(&self, session: &str, key: &str) -> Option<&str> {
        self.current()
            .sso_sessions
            .get(session)?
            .get(&key.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// Whether an `[sso-session NAME]` section exists.
    pub fn has_sso_session(&self, session: &str) -> bool {
        self.current().sso_sessions.contains_key(session)
    }

    /// All `[sso-session]` names, sorted.
    pub fn sso_session_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .current()
            .sso_sessions
            .keys()
            .map(String::as_str)
            .collect();
        names.sort_unstable();
        names
    }

    /// The file that defines `profile`: the config file when it has the
    /// section (or neither file has), else the credentials file.
    pub fn file_of(&self, profile: &str) -> &Path {
        match self.ask(|sections| sections.in_config_file(profile)) {
            Ok(Some(false)) => &self.credentials_file,
            _ => &self.config_file,
        }
    }

    /// The config file path (`AWS_CONFIG_FILE` or `~/.aws/config`).
    pub fn config_file(&self) -> &Path {
        &self.config_file
    }

    /// The credentials file path.
    pub fn credentials_file(&self) -> &Path {
        &self.credentials_file
    }

    /// The endpoint URL the AWS SDKs would use for `service` when called
    /// for `profile`, or `None` for the service's own endpoint. The SDKs'
    /// order: `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, the
    /// profile's `[services NAME]` section, the profile's `endpoint_url`;
    /// none of them when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` (or the
    /// profile's `ignore_configured_endpoint_urls`) is true.
    pub fn endpoint_url(&self, profile: Option<&str>, service: Service) -> Option<String> {
        let profile = profile.and_then(|name| self.ask(|s| s.profile(name)).ok().flatten());
        let ignore = self
            .env_var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
            .or_else(|| {
                profile?
                    .get("ignore_configured_endpoint_urls")
                    .map(str::to_string)
            })
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        if ignore {
            return None;
        }
        let from_services = || {
            let section = profile?.get("services")?;
            self.current()
                .service_endpoints
                .get(&(section.to_string(), service.config_key().to_string()))
                .cloned()
        };
        self.env_var(&format!("AWS_ENDPOINT_URL_{}", service.env_suffix()))
            .or_else(|| self.env_var("AWS_ENDPOINT_URL"))
            .or_else(from_services)
            .or_else(|| profile?.get("endpoint_url").map(str::to_string))
            .map(|url| url.trim().to_string())
            .filter(|url| !url.is_empty())
    }

    fn suggestions(&self, name: &str) -> Vec<String> {
        let mut scored: Vec<(f64, &str)> = self
            .profile_names()
            .into_iter()
            .map(|candidate| (strsim::jaro_winkler(name, candidate), candidate))
            .filter(|(score, candidate)| {
                // Jaro-Winkler misses swapped letters in short names (`dve`
                // for `dev`); an edit distance of one or two catches them.
                *score > 0.8
                    || candidate.contains(name)
                    || strsim::damerau_levenshtein(name, candidate) <= (name.len() / 3).max(1)
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        scored
            .into_iter()
            .take(3)
            .map(|(_, n)| n.to_string())
            .collect()
    }
}

/// The AWS services stsenv calls, for endpoint configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// AWS Security Token Service.
    Sts,
    /// The IAM Identity Center portal (role credentials, account lists).
    Sso,
    /// IAM Identity Center OIDC (device login, token refresh).
    SsoOidc,
    /// Identity and Access Management (key rotation).
    Iam,
    /// AWS Sign-In (`aws login` sessions: CreateOAuth2Token).
    Signin,
}

impl Service {
    /// The key in a `[services NAME]` section.
    fn config_key(self) -> &'static str {
        match self {
            Service::Sts => "sts",
            Service::Sso => "sso",
            Service::SsoOidc => "sso_oidc",
            Service::Iam => "iam",
            Service::Signin => "signin",
        }
    }

    /// The `AWS_ENDPOINT_URL_<SUFFIX>` of the service.
    fn env_suffix(self) -> &'static str {
        match self {
            Service::Sts => "STS",
            Service::Sso => "SSO",
            Service::SsoOidc => "SSO_OIDC",
            Service::Iam => "IAM",
            Service::Signin => "SIGNIN",
        }
    }
}

/// [`AwsConfig::files_fingerprint`]: the AWS files' fingerprint, taken
/// from their metadata, and what their stat said besides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilesFingerprint {
    /// What [`AwsConfig::fingerprint`] gives once the files are loaded.
    pub digest: String,
    /// Their size together (a missing file counts 0).
    pub bytes: u64,
}

/// The digest of a files' identity that [`AwsConfig::fingerprint`] gives.
fn digest_of(id: &Identity) -> Option<String> {
    let json = serde_json::to_vec(id).ok()?;
    Some(hex::encode(sha2::Digest::finalize(
        <sha2::Sha256 as sha2::Digest>::new_with_prefix(&json),
    )))
}

/// The profile to use when none is given: `AWS_PROFILE`, then `default`.
pub fn default_profile_name() -> String {
    std::env::var("AWS_PROFILE")
        .ok()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "default".to_string())
}

/// `AWS_CONFIG_FILE`, else `~/.aws/config`.
pub fn config_file_path() -> PathBuf {
    env_path("AWS_CONFIG_FILE").unwrap_or_else(|| home().join(".aws").join("config"))
}

/// `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`.
pub fn credentials_file_path() -> PathBuf {
    env_path("AWS_SHARED_CREDENTIALS_FILE")
        .unwrap_or_else(|| home().join(".aws").join("credentials"))
}

fn env_path(var: &str) -> Option<PathBuf> {
    let value = std::env::var_os(var).filter(|v| !v.is_empty())?;
    Some(expand_home(Path::new(&value)))
}

/// One of the AWS files, opened for [`AwsConfig::load`].
enum Opened {
    /// It does not exist (the SDKs read it as empty).
    Missing,
    /// A regular file, open, with its metadata.
    Regular(std::fs::File, std::fs::Metadata),
    /// Something readable that is not a regular file (`/dev/null`): never
    /// indexed.
    Other,
}

impl Opened {
    /// What the file's identity is made of (see [`Identity::of_opened`]).
    fn stat(&self) -> Option<Option<&std::fs::Metadata>> {
        match self {
            Opened::Missing => Some(None),
            Opened::Regular(_, meta) => Some(Some(meta)),
            Opened::Other => None,
        }
    }

    /// The text as aws-config reads it (see [`read_text`]), from the open
    /// file: the bytes its metadata counted, so the text is the file the
    /// identity describes.
    fn into_text(self, path: &Path) -> Result<String> {
        let bytes = match self {
            Opened::Missing => return Ok(String::new()),
            Opened::Regular(file, meta) => {
                read_open(file, &meta, MAX_CONFIG_FILE_BYTES).map_err(|e| unreadable(path, &e))?
            }
            Opened::Other => return read_text(path),
        };
        Ok(String::from_utf8(bytes).unwrap_or_default())
    }
}

/// Open `path` once, failing when it exists but cannot be read. The AWS
/// SDK's loader treats such a file as empty, which would turn "permission
/// denied" into "profile not found". Only a regular file (or `/dev/null`)
/// is read: opened non-blocking, so a FIFO with no writer is refused at
/// once instead of hanging every shell start-up.
fn open_readable(path: &Path) -> Result<Opened> {
    let problem = match open_nonblocking(path) {
        Ok(None) => return Ok(Opened::Missing),
        Ok(Some(file)) => match file.metadata() {
            Ok(meta) if meta.is_dir() => "it is a directory, not a file".to_string(),
            Ok(meta) if meta.is_file() => return Ok(Opened::Regular(file, meta)),
            // A FIFO or device: refused by the reader, which says which.
            Ok(_) => match read_regular(path, MAX_CONFIG_FILE_BYTES) {
                Ok(_) => return Ok(Opened::Other),
                Err(e) => e.to_string(),
            },
            Err(e) => e.to_string(),
        },
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            "permission denied; check its owner and mode (`ls -l` it)".to_string()
        }
        Err(e) => e.to_string(),
    };
    Err(Error::UnreadableFile {
        path: path.to_path_buf(),
        problem,
    })
}

/// The text of the file at `path` as aws-config reads it: empty when it
/// is missing or not UTF-8. Only a regular file is read (a FIFO never
/// blocks), at most [`MAX_CONFIG_FILE_BYTES`].
fn read_text(path: &Path) -> Result<String> {
    let bytes = read_regular(path, MAX_CONFIG_FILE_BYTES).map_err(|e| unreadable(path, &e))?;
    Ok(bytes
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_default())
}

/// The error for a file that exists but cannot be read.
fn unreadable(path: &Path, err: &dyn std::fmt::Display) -> Error {
    Error::UnreadableFile {
        path: path.to_path_buf(),
        problem: err.to_string(),
    }
}

/// `text` parsed alone as a file of `kind`, by aws-config's parser; `None`
/// when it does not parse.
fn parse_one(env: &Env, kind: EnvConfigFileKind, text: &str) -> Option<ProfileSet> {
    let files = EnvConfigFiles::builder().with_contents(kind, text).build();
    block_on_ready(aws_config::profile::load(&Fs::real(), env, &files, None)).ok()
}

/// The config file's `text` parsed alone, as [`AwsConfig::load`] parses
/// it before the credentials file is laid over it.
#[cfg(test)]
pub(crate) fn config_alone(text: &str) -> Sections {
    let env = Env::from_slice(&[]);
    let set = parse_one(&env, EnvConfigFileKind::Config, text).expect("a config that parses");
    Sections::from_profile_set(&set, &[text], section_names(text).into_iter().collect())
}

/// The `key = value` lines of the files whose key is one of
/// [`COMMAND_KEYS`] (key lowercased, both sides trimmed, as the parser
/// reads them). An unreadable file holds none.
fn command_lines(paths: &[&Path]) -> HashSet<(String, String)> {
    let mut lines = HashSet::new();
    for path in paths {
        let bytes = read_regular(path, MAX_CONFIG_FILE_BYTES)
            .ok()
            .flatten()
            .unwrap_or_default();
        for line in String::from_utf8_lossy(&bytes).lines() {
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let key = key.trim().to_ascii_lowercase();
            if COMMAND_KEYS.contains(&key.as_str()) {
                lines.insert((key, value.trim().to_string()));
            }
        }
    }
    lines
}

/// An error and its causes on one line: the loader's own message is only
/// "could not parse profile file"; the file and line are in its source.
fn with_causes(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut current = err.source();
    while let Some(cause) = current {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        current = cause.source();
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Profile names of the `[profile NAME]` / `[default]` headers of a config file.
fn section_names(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let inner = line.trim().strip_prefix('[')?.split(']').next()?.trim();
            let name = inner
                .strip_prefix("profile")
                .map(str::trim)
                .unwrap_or(inner);
            Some(name.to_string())
        })
        .collect()
}

/// Drive a future that never waits. aws-config's profile loader is `async`
/// but reads files synchronously; polling it here keeps a tokio runtime off
/// the cache-hit path.
fn block_on_ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::yield_now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_memory_configs_merge_like_files() {
        let config = AwsConfig::from_texts(
            "[profile a]\nregion = eu-west-1\n[default]\nregion = us-east-2\n",
            "[a]\naws_access_key_id = AKIA1\n",
        )
        .unwrap();
        assert_eq!(config.profile_names(), ["a", "default"]);
        let a = config.profile("a").unwrap();
        assert_eq!(a.get("region"), Some("eu-west-1"));
        assert_eq!(a.get("aws_access_key_id"), Some("AKIA1"));
        assert_eq!(config.file_of("a"), config.config_file());
        assert!(config.profile("nope").is_err());
    }

    #[test]
    fn services_sections_give_endpoints() {
        let config = AwsConfig::from_texts(
            "[profile a]\nservices = local\nendpoint_url = http://global\n[services local]\nsts =\n  endpoint_url = http://sts-local\n[profile b]\nendpoint_url = http://b\n",
            "",
        )
        .unwrap();
        // The test runs with no AWS_ENDPOINT_URL* set (cargo test environment).
        if std::env::var_os("AWS_ENDPOINT_URL").is_none()
            && std::env::var_os("AWS_ENDPOINT_URL_STS").is_none()
        {
            assert_eq!(
                config.endpoint_url(Some("a"), Service::Sts).as_deref(),
                Some("http://sts-local")
            );
            assert_eq!(
                config.endpoint_url(Some("a"), Service::Sso).as_deref(),
                Some("http://global")
            );
            assert_eq!(
                config.endpoint_url(Some("b"), Service::Sts).as_deref(),
                Some("http://b")
            );
            assert_eq!(config.endpoint_url(None, Service::Sts), None);
        }
    }

    #[test]
    fn section_names_strip_profile_prefix() {
        let text = "[default]\nregion=x\n[profile dev]\n[ profile  ops ]\n[sso-session s]\n";
        assert_eq!(
            section_names(text),
            ["default", "dev", "ops", "sso-session s"]
        );
    }
}

//! What aws-config's parser made of the AWS files, kept in the cache
//! directory so that a config of thousands of profiles (what `sso populate`
//! writes for a large organisation) is not parsed again by every command.
//!
//! The index is a cache of the parser's output, never a second parser: it
//! is written only after aws-config parsed the files, and used only while
//! the files are the very same ones (see [`Identity`]). What is read back
//! is checked like any other cache file; on any doubt the files are parsed.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::path::Path;

use aws_config::profile::{Profile, ProfileSet};
use aws_runtime::env_config::property::{PropertiesKey, Property};
use serde::{Deserialize, Serialize};

use crate::cache::Cache;

/// The note (in the cache directory) holding the index.
const NOTE: &str = "config-index";
/// The largest index read back (a config of 100,000 profiles is ~15 MB).
const MAX_INDEX: u64 = 64 << 20;
/// The format; bump when [`Index`] changes meaning.
const FORMAT: u32 = 1;
/// A file changed this recently (in nanoseconds) may change again within
/// the same timestamp tick without its stat changing ("racily clean", as
/// git calls it): its parse is not indexed. Two seconds cover file systems
/// with coarse timestamps (FAT: 2 s).
const RACY_NS: i128 = 2_000_000_000;

/// What [`crate::config::AwsConfig`] answers from: every profile with every
/// property, the `[sso-session]` sections, the `[services]` endpoints the
/// profiles can reach, and the config file's section names.
///
/// Read from the index, a profile is decoded from the index bytes only when
/// it is asked for: a command needs a handful of 5,000 profiles.
#[derive(Debug, Default)]
pub(crate) struct Sections {
    /// Profiles by name, as the parser merged them from both files.
    profiles: HashMap<Box<str>, Slot>,
    /// The index the slots point into (empty after a fresh parse).
    bytes: Vec<u8>,
    /// `[sso-session NAME]` sections: name → key → value.
    pub sso_sessions: HashMap<String, HashMap<String, String>>,
    /// `[services NAME]` endpoints: (section, service key) → `endpoint_url`.
    pub service_endpoints: HashMap<(String, String), String>,
    /// Profile names of the config file's section headers (for messages;
    /// a set: `init` asks once per profile).
    pub config_sections: HashSet<String>,
    /// Each profile's properties, kept only by a fresh parse (for
    /// [`store`]): `Profile` answers `get` but does not list its keys.
    fresh: HashMap<String, Vec<(String, String)>>,
}

/// One profile: decoded already, or where its record starts in the index.
#[derive(Debug)]
struct Slot {
    at: usize,
    profile: OnceCell<Option<Profile>>,
}

impl Sections {
    /// The profile called `name`; `None` when there is none (or, which a
    /// validated index cannot give, its record does not decode).
    pub fn profile(&self, name: &str) -> Option<&Profile> {
        let slot = self.profiles.get(name)?;
        slot.profile
            .get_or_init(|| {
                let mut reader = Reader::at(&self.bytes, slot.at);
                let (_, props) = reader.profile()?;
                Some(make_profile(name, props.into_iter().collect()))
            })
            .as_ref()
    }

    /// Whether a profile called `name` exists.
    pub fn has_profile(&self, name: &str) -> bool {
        self.profiles.contains_key(name)
    }

    /// All profile names, in no order.
    pub fn profile_names(&self) -> impl Iterator<Item = &str> {
        self.profiles.keys().map(|k| &**k)
    }
}

/// Keys whose values are secrets: a file holding any of them is never
/// copied into the index (the cache dir keeps temporary credentials only;
/// long-term keys stay where the user put them).
const SECRET_KEYS: [&str; 2] = ["aws_secret_access_key", "aws_session_token"];

impl Sections {
    /// Whether any profile holds a secret (see [`SECRET_KEYS`]).
    fn holds_secrets(&self) -> bool {
        self.fresh
            .values()
            .flatten()
            .any(|(key, _)| SECRET_KEYS.contains(&key.as_str()))
    }
}

/// The service keys of a `[services]` section stsenv asks for (see
/// `config::Service::config_key`).
pub(crate) const SERVICE_KEYS: [&str; 4] = ["sts", "sso", "sso_oidc", "iam"];

impl Sections {
    /// Copy what `set` holds. aws-config lists profile names but not a
    /// profile's keys, so every `key =` word of the files' lines is asked
    /// for: a superset of the keys the parser found (it splits a property
    /// line at its first `=`, trims blanks and lowercases), so nothing it
    /// found is missed and the values are its own.
    pub fn from_profile_set(
        set: &ProfileSet,
        texts: &[&str],
        config_sections: HashSet<String>,
    ) -> Self {
        let mut keys: HashSet<String> = HashSet::new();
        for text in texts {
            for line in text.lines() {
                if let Some((key, _)) = line.split_once('=') {
                    let key = key.trim_matches([' ', '\t', '\r']).to_ascii_lowercase();
                    if !key.is_empty() {
                        keys.insert(key);
                    }
                }
            }
        }
        let mut keys: Vec<String> = keys.into_iter().collect();
        keys.sort_unstable();
        let copy = |get: &dyn Fn(&str) -> Option<String>| -> Vec<(String, String)> {
            keys.iter()
                .filter_map(|key| Some((key.clone(), get(key)?)))
                .collect()
        };
        let mut profiles = HashMap::new();
        let mut fresh = HashMap::new();
        let mut services = HashSet::new();
        for name in set.profiles() {
            let Some(profile) = set.get_profile(name) else {
                continue;
            };
            let props = copy(&|key| profile.get(key).map(str::to_string));
            if let Some((_, section)) = props.iter().find(|(k, _)| k == "services") {
                services.insert(section.clone());
            }
            let slot = Slot {
                at: 0,
                profile: OnceCell::from(Some(make_profile(name, props.iter().cloned().collect()))),
            };
            profiles.insert(Box::from(name), slot);
            fresh.insert(name.to_string(), props);
        }
        let sso_sessions = set
            .sso_sessions()
            .filter_map(|name| {
                let session = set.sso_session(name)?;
                let props = copy(&|key| session.get(key).map(str::to_string));
                Some((name.to_string(), props.into_iter().collect()))
            })
            .collect();
        let mut service_endpoints = HashMap::new();
        for section in services {
            for service in SERVICE_KEYS {
                let Ok(key) = PropertiesKey::builder()
                    .section_key("services")
                    .section_name(&section)
                    .property_name(service)
                    .sub_property_name("endpoint_url")
                    .build()
                else {
                    continue;
                };
                if let Some(url) = set.other_sections().get(&key) {
                    service_endpoints.insert((section.clone(), service.to_string()), url.clone());
                }
            }
        }
        Sections {
            profiles,
            bytes: Vec::new(),
            sso_sessions,
            service_endpoints,
            config_sections,
            fresh,
        }
    }
}

fn make_profile(name: &str, props: HashMap<String, String>) -> Profile {
    Profile::new(
        name,
        props
            .into_iter()
            .map(|(k, v)| (k.clone(), Property::new(k, v)))
            .collect(),
    )
}

/// The files' identity: for each file its path and, when it exists, device,
/// inode, size, mtime and ctime (nanoseconds), plus `HOME` (the parser
/// expands `~` with it). Any write to a file changes its ctime, which no
/// tool can set back, so an edit that keeps the size and restores the mtime
/// is still seen; a file changed within [`RACY_NS`] of now is not indexed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Identity {
    home: String,
    files: Vec<FileId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct FileId {
    path: String,
    /// `None`: the file does not exist.
    stat: Option<[i128; 5]>,
}

impl Identity {
    /// The identity of `paths` now; `None` when one of them cannot be
    /// indexed (not a regular file, not UTF-8, unreadable metadata).
    pub fn of(paths: &[&Path]) -> Option<Identity> {
        let mut files = Vec::new();
        for path in paths {
            files.push(FileId {
                path: path.to_str()?.to_string(),
                stat: file_stat(path)?,
            });
        }
        let home = std::env::var("HOME").unwrap_or_default();
        Some(Identity { home, files })
    }

    /// Whether a file changed so recently that a later write could keep
    /// its stat (see [`RACY_NS`]), or has a timestamp in the future.
    pub fn is_racy(&self) -> bool {
        let now = jiff::Timestamp::now().as_nanosecond();
        self.files.iter().filter_map(|f| f.stat).any(|s| {
            let (mtime, ctime) = (s[3], s[4]);
            now - mtime < RACY_NS || now - ctime < RACY_NS
        })
    }
}

#[cfg(unix)]
fn file_stat(path: &Path) -> Option<Option<[i128; 5]>> {
    use std::os::unix::fs::MetadataExt;
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => Some(Some([
            i128::from(meta.dev()),
            i128::from(meta.ino()),
            i128::from(meta.size()),
            i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
            i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
        ])),
        Ok(_) => None,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(None),
        Err(_) => None,
    }
}

#[cfg(not(unix))]
fn file_stat(_path: &Path) -> Option<Option<[i128; 5]>> {
    // No inode or ctime to key on: always parse.
    None
}

/// The index's small part, JSON: what it is of, and the sections that are
/// few. The profiles follow as length-prefixed records (see [`Reader`]),
/// so that reading the index back allocates per profile only its name.
#[derive(Serialize, Deserialize)]
struct Header {
    format: u32,
    version: String,
    identity: Identity,
    sso_sessions: Vec<(String, Vec<(String, String)>)>,
    service_endpoints: Vec<(String, String, String)>,
    config_sections: Vec<String>,
}

/// The first bytes of an index.
const MAGIC: &[u8; 8] = b"stsenvI\n";

/// Reads the index: every length is checked against what is left, every
/// string is checked UTF-8; nothing panics on any input.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn at(bytes: &'a [u8], at: usize) -> Self {
        Reader { bytes, at }
    }

    fn u32(&mut self) -> Option<usize> {
        let end = self.at.checked_add(4)?;
        let raw: [u8; 4] = self.bytes.get(self.at..end)?.try_into().ok()?;
        self.at = end;
        usize::try_from(u32::from_le_bytes(raw)).ok()
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let len = self.u32()?;
        let end = self.at.checked_add(len)?;
        let out = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(out)
    }

    fn str(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.bytes()?).ok()
    }

    /// One profile record: its name and properties (keys as the parser
    /// stores them: non-empty, lowercase, no `=`, each once).
    fn profile(&mut self) -> Option<(&'a str, Vec<(String, String)>)> {
        let name = self.str()?;
        let count = self.u32()?;
        let mut props: Vec<(String, String)> = Vec::with_capacity(count.min(64));
        for _ in 0..count {
            let key = self.str()?;
            let value = self.str()?;
            let valid = !key.is_empty()
                && !key.contains('=')
                && !key.bytes().any(|b| b.is_ascii_uppercase())
                && props.iter().all(|(k, _)| k != key);
            if !valid {
                return None;
            }
            props.push((key.to_string(), value.to_string()));
        }
        (!name.is_empty()).then_some((name, props))
    }
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) -> Option<()> {
    out.extend_from_slice(&u32::try_from(bytes.len()).ok()?.to_le_bytes());
    out.extend_from_slice(bytes);
    Some(())
}

/// The indexed sections for `identity`, if the cache holds a valid index
/// of exactly these files.
pub(crate) fn load(cache: &Cache, identity: &Identity) -> Option<Sections> {
    let bytes = cache.read_note(NOTE, MAX_INDEX)?;
    decode(bytes, identity)
}

fn decode(bytes: Vec<u8>, identity: &Identity) -> Option<Sections> {
    let mut reader = Reader::at(&bytes, 0);
    if reader.bytes.get(..MAGIC.len())? != MAGIC {
        return None;
    }
    reader.at = MAGIC.len();
    let header: Header = serde_json::from_slice(reader.bytes()?).ok()?;
    if header.format != FORMAT
        || header.version != env!("CARGO_PKG_VERSION")
        || &header.identity != identity
    {
        return None;
    }
    let count = reader.u32()?;
    let mut profiles = HashMap::with_capacity(count.min(1 << 20));
    for _ in 0..count {
        let at = reader.at;
        // Every record is checked now, so that a later lookup cannot fail.
        let (name, _) = reader.profile()?;
        let slot = Slot {
            at,
            profile: OnceCell::new(),
        };
        if profiles.insert(Box::from(name), slot).is_some() {
            return None;
        }
    }
    if reader.at != bytes.len() {
        return None;
    }
    let mut sections = Sections {
        profiles,
        config_sections: header.config_sections.into_iter().collect(),
        ..Sections::default()
    };
    for (name, props) in header.sso_sessions {
        let count = props.len();
        let props: HashMap<String, String> = props.into_iter().collect();
        let valid = props.len() == count
            && props
                .keys()
                .all(|k| !k.is_empty() && !k.contains('=') && k.to_ascii_lowercase() == *k);
        if !valid || name.is_empty() || sections.sso_sessions.insert(name, props).is_some() {
            return None;
        }
    }
    for (section, service, url) in header.service_endpoints {
        if !SERVICE_KEYS.contains(&service.as_str())
            || sections
                .service_endpoints
                .insert((section, service), url)
                .is_some()
        {
            return None;
        }
    }
    sections.bytes = bytes;
    Some(sections)
}

/// Keep `sections` (fresh from the parser) as the index of `identity`,
/// unless a file changed too recently to be trusted. Failing to write only
/// costs the next parse.
pub(crate) fn store(cache: &Cache, identity: &Identity, sections: &Sections) {
    if identity.is_racy() || sections.holds_secrets() {
        return;
    }
    if let Some(bytes) = encode(identity, sections) {
        let _ = cache.write_note(NOTE, &bytes);
    }
}

fn encode(identity: &Identity, sections: &Sections) -> Option<Vec<u8>> {
    if sections.fresh.len() != sections.profiles.len() {
        return None;
    }
    let header = Header {
        format: FORMAT,
        version: env!("CARGO_PKG_VERSION").to_string(),
        identity: identity.clone(),
        sso_sessions: sections
            .sso_sessions
            .iter()
            .map(|(name, props)| {
                let props = props.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                (name.clone(), props)
            })
            .collect(),
        service_endpoints: sections
            .service_endpoints
            .iter()
            .map(|((section, service), url)| (section.clone(), service.clone(), url.clone()))
            .collect(),
        config_sections: sections.config_sections.iter().cloned().collect(),
    };
    let mut out = MAGIC.to_vec();
    put_bytes(&mut out, &serde_json::to_vec(&header).ok()?)?;
    out.extend_from_slice(&u32::try_from(sections.fresh.len()).ok()?.to_le_bytes());
    for (name, props) in &sections.fresh {
        put_bytes(&mut out, name.as_bytes())?;
        out.extend_from_slice(&u32::try_from(props.len()).ok()?.to_le_bytes());
        for (key, value) in props {
            put_bytes(&mut out, key.as_bytes())?;
            put_bytes(&mut out, value.as_bytes())?;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::AwsConfig;

    const CONFIG: &str = "[default]\nregion = us-east-1\n[profile a]\nRole_Arn = arn:aws:iam::123456789012:role/a ; not a comment\nsource_profile = default # c\ns3 =\n  max_concurrent_requests = 3\nservices = local\nsso_session = s\n[sso-session s]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\n[services local]\nsts =\n  endpoint_url = http://127.0.0.1:1\n[profile \"q'x\"]\nregion = eu-west-2\n";
    const CREDENTIALS: &str = "[a]\naws_access_key_id = AKIA1\naws_secret_access_key = s=c=r\n";

    fn identity() -> Identity {
        Identity {
            home: "/h".into(),
            files: vec![FileId {
                path: "/h/config".into(),
                stat: Some([1, 2, 3, 4, 5]),
            }],
        }
    }

    #[test]
    fn an_index_reads_back_what_the_parser_found() {
        let parsed = AwsConfig::from_texts(CONFIG, CREDENTIALS).unwrap();
        let fresh = &parsed.sections;
        let bytes = encode(&identity(), fresh).unwrap();
        let back = decode(bytes.clone(), &identity()).unwrap();
        let mut names: Vec<&str> = back.profile_names().collect();
        names.sort_unstable();
        let mut expected: Vec<&str> = fresh.profile_names().collect();
        expected.sort_unstable();
        assert_eq!(names, expected);
        for name in expected {
            assert_eq!(back.profile(name), fresh.profile(name), "{name}");
        }
        let a = back.profile("a").unwrap();
        assert_eq!(a.get("role_arn"), Some("arn:aws:iam::123456789012:role/a"));
        assert_eq!(a.get("aws_secret_access_key"), Some("s=c=r"));
        assert!(a.get("s3").is_some());
        assert_eq!(back.sso_sessions, fresh.sso_sessions);
        assert_eq!(back.service_endpoints, fresh.service_endpoints);
        assert_eq!(back.config_sections, fresh.config_sections);
        assert!(!back.service_endpoints.is_empty());
        // Another identity: not used.
        let mut other = identity();
        other.files[0].stat = Some([1, 2, 3, 4, 6]);
        assert!(decode(bytes, &other).is_none());
    }

    #[test]
    fn files_holding_secrets_are_never_indexed() {
        let with = AwsConfig::from_texts(CONFIG, CREDENTIALS).unwrap();
        assert!(with.sections.holds_secrets());
        let tokens = AwsConfig::from_texts(CONFIG, "[b]\naws_session_token = t\n").unwrap();
        assert!(tokens.sections.holds_secrets());
        let without = AwsConfig::from_texts(CONFIG, "[a]\naws_access_key_id = AKIA1\n").unwrap();
        assert!(!without.sections.holds_secrets());
        let tmp = tempfile::tempdir().unwrap();
        let cache_dir = tmp.path().join("cache");
        let cache = Cache::at(&cache_dir);
        store(&cache, &identity(), &with.sections);
        assert!(!cache_dir.join("config-index.note").exists());
        store(&cache, &identity(), &without.sections);
        assert!(cache_dir.join("config-index.note").exists());
    }

    #[test]
    fn a_damaged_index_is_never_used_and_never_panics() {
        let parsed = AwsConfig::from_texts(CONFIG, CREDENTIALS).unwrap();
        let bytes = encode(&identity(), &parsed.sections).unwrap();
        for cut in 0..bytes.len() {
            assert!(
                decode(bytes[..cut].to_vec(), &identity()).is_none(),
                "{cut}"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(longer, &identity()).is_none());
        for i in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[i] ^= 0xff;
            // Either refused, or (a flipped byte inside a value) read with
            // its records intact; never a panic.
            let _ = decode(flipped, &identity());
        }
    }
}

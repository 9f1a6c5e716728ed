//! What aws-config's parser made of the AWS files, kept in the cache
//! directory so that a config of thousands of profiles (what `sso populate`
//! writes for a large organisation) is not parsed again by every command.
//!
//! The index is a cache of the parser's output, never a second parser: it
//! is written only after aws-config parsed the files, and used only while
//! the files are the very same ones (see [`Identity`]). What is read back
//! is checked like any other cache file; on any doubt the files are parsed.
//!
//! A command asks for a handful of profiles out of thousands, so loading
//! the index reads only its small header; each profile asked for costs a
//! probe of an on-disk hash table and one record, read with `pread`. A
//! command that asks for many (listing every profile) reads the index
//! whole, once. Every table slot and every record carries a CRC-32: a
//! damaged one is never believed, and the caller ([`crate::profile::config`]) then
//! answers from a fresh parse of the files.
//!
//! The layout (integers little-endian):
//!
//! ```text
//! MAGIC  crc32(len ‖ header)  len: u32  header: JSON (Header)
//! table: slots × [record offset: u32, tag: u32, crc32(slot number ‖ offset ‖ tag)]
//! records: [crc32(len ‖ body), len: u32, body:
//!           flags: u8, name: str, count: u32, count × (key: str, value: str)]
//! ```
//!
//! where `str` is a u32 length and UTF-8 bytes. A name's slot is found by
//! linear probing from the top bits of its SipHash (fixed keys); the tag
//! (its low bits) spares reading other profiles' records, and the record's
//! own name is compared, so a collision or a damaged slot never yields
//! another profile.

use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::Path;

use aws_config::profile::{Profile, ProfileSet};
use aws_runtime::env_config::property::{PropertiesKey, Property};
use serde::{Deserialize, Serialize};

use crate::store::cache::Cache;

mod format;

use format::{
    checked_record, encode, home_slot, name_hash, read_slot, record_len, tag_of, u32_at, Header,
    Record, FORMAT, HASH_CHECK, HEADER_AT, MAGIC, SLOT,
};

/// The note (in the cache directory) holding the index.
const NOTE: &str = "config-index";
/// The largest index read back (a config of 100,000 profiles is ~15 MB).
const MAX_INDEX: u64 = 64 << 20;
/// A file changed this recently (in nanoseconds) may change again within
/// the same timestamp tick without its stat changing ("racily clean", as
/// git calls it): its parse is not indexed. Two seconds cover file systems
/// with coarse timestamps (FAT: 2 s).
const RACY_NS: i128 = 2_000_000_000;

/// Bytes read when the index is opened: the header of a real config fits.
const HEAD_GUESS: usize = 4096;
/// Slots read at once while probing (linear probing keeps a name's
/// candidates together).
const PROBE_GROUP: usize = 8;
/// Bytes read for a record before its length is known: a role profile is
/// ~150 bytes, so one read usually holds it all.
const RECORD_GUESS: u64 = 512;
/// Distinct names looked up a record at a time; past this the command is
/// one that walks many profiles (`init`, `profiles`), and the index is read
/// whole instead.
const LAZY_NAMES: usize = 32;
/// Decoded profiles are kept in chunks of this many table slots, allocated
/// when one of their slots is first decoded.
const MEMO_CHUNK: usize = 64;

/// Part of the index did not read back as written (a damaged or foreign
/// file): whoever asked must answer from a fresh parse of the files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Damaged;

/// What [`crate::profile::config::AwsConfig`] answers from: every profile with every
/// property (and whether the config file has its section), the
/// `[sso-session]` sections and the `[services]` endpoints the profiles can
/// reach.
///
/// The profile questions answer [`Damaged`] when the index they are read
/// from turns out damaged; a fresh parse never does.
#[derive(Debug)]
pub(crate) struct Sections {
    profiles: Profiles,
    /// When `profiles` hold the config file alone (see
    /// [`Sections::with_credentials`]): the profiles of the credentials
    /// file, each merged with the config file's profile of its name as the
    /// parser merges the two files. Empty when `profiles` come from a parse
    /// of both files.
    overlay: HashMap<Box<str>, Fresh>,
    /// The config file's section names that name none of its profiles (an
    /// `[sso-session]`, a `[services]`, a `[name]` the parser ignores
    /// there): with the profiles, what says whether the config file has a
    /// section of a name.
    other_sections: HashSet<String>,
    /// Whether the text parsed names a secret key anywhere, even where the
    /// parser does not take it as one (an indented line continues the
    /// value above it): such a file is never indexed.
    mentions_secrets: bool,
    /// `[sso-session NAME]` sections: name → key → value.
    pub sso_sessions: HashMap<String, HashMap<String, String>>,
    /// `[services NAME]` endpoints: (section, service key) → `endpoint_url`.
    pub service_endpoints: HashMap<(String, String), String>,
}

/// Where the profiles come from.
#[derive(Debug)]
enum Profiles {
    /// The parser, just now (what [`store`] writes).
    Fresh(HashMap<Box<str>, Fresh>),
    /// An index of the very same files.
    Indexed(Box<IndexFile>),
}

/// One profile of a fresh parse.
#[derive(Debug)]
struct Fresh {
    profile: Profile,
    /// Its properties: `Profile` answers `get` but does not list its keys.
    props: Vec<(String, String)>,
    /// Whether the config file has a section of its name.
    in_config: bool,
}

impl Sections {
    /// The profile called `name`; `Ok(None)` when there is none.
    pub fn profile(&self, name: &str) -> Result<Option<&Profile>, Damaged> {
        if let Some(merged) = self.overlay.get(name) {
            return Ok(Some(&merged.profile));
        }
        match &self.profiles {
            Profiles::Fresh(map) => Ok(map.get(name).map(|fresh| &fresh.profile)),
            Profiles::Indexed(index) => index.profile(name),
        }
    }

    /// Whether a profile called `name` exists.
    pub fn has_profile(&self, name: &str) -> Result<bool, Damaged> {
        Ok(self.in_config_file(name)?.is_some())
    }

    /// For the profile called `name`, whether the config file has a section
    /// of its name (the parser merges both files, so a profile of the
    /// credentials file alone says `Some(false)`); `None` when there is no
    /// such profile.
    pub fn in_config_file(&self, name: &str) -> Result<Option<bool>, Damaged> {
        if let Some(merged) = self.overlay.get(name) {
            return Ok(Some(merged.in_config));
        }
        match &self.profiles {
            Profiles::Fresh(map) => Ok(map.get(name).map(|fresh| fresh.in_config)),
            Profiles::Indexed(index) => Ok(index.locate(name)?.map(|hit| hit.in_config)),
        }
    }

    /// All profile names, in no order.
    pub fn profile_names(&self) -> Result<Vec<&str>, Damaged> {
        let mut names = match &self.profiles {
            Profiles::Fresh(map) => map.keys().map(|k| &**k).collect(),
            Profiles::Indexed(index) => index.names()?,
        };
        let more = self.overlay.keys().map(|k| &**k);
        let new: Vec<&str> = if self.overlay.is_empty() {
            Vec::new()
        } else {
            let known: HashSet<&str> = names.iter().copied().collect();
            more.filter(|n| !known.contains(n)).collect()
        };
        names.extend(new);
        Ok(names)
    }

    /// The properties of the profile `name` of `profiles` (the overlay left
    /// out), in no order.
    fn layer_properties(&self, name: &str) -> Result<Option<Vec<(String, String)>>, Damaged> {
        match &self.profiles {
            Profiles::Fresh(map) => Ok(map.get(name).map(|fresh| fresh.props.clone())),
            Profiles::Indexed(index) => index.properties(name),
        }
    }

    /// These sections (of the config file alone) with the credentials file
    /// `set` (parsed alone, from `text`) laid over them, as aws-config's
    /// parser merges the two files: the profiles are the union, and a
    /// profile in both has every property of both, the credentials file's
    /// value winning where both set a key. Neither file holds `[sso-session]`
    /// or `[services]` sections the other could change: the parser accepts
    /// them in the config file only.
    ///
    /// This is what lets the config file be indexed while the credentials
    /// file, which holds long-term keys, is read afresh by every command and
    /// never copied into the cache directory.
    pub fn with_credentials(mut self, set: &ProfileSet, text: &str) -> Result<Self, Damaged> {
        let keys = key_words(&[text]);
        let mut overlay = HashMap::new();
        for name in set.profiles() {
            let Some(profile) = set.get_profile(name) else {
                continue;
            };
            let in_config = self.layer_in_config(name)?;
            let mut props: HashMap<String, String> = self
                .layer_properties(name)?
                .unwrap_or_default()
                .into_iter()
                .collect();
            for key in &keys {
                if let Some(value) = profile.get(key) {
                    props.insert(key.clone(), without_comment_lines(value));
                }
            }
            let mut props: Vec<(String, String)> = props.into_iter().collect();
            props.sort_unstable();
            let merged = Fresh {
                profile: make_profile(name, props.iter().cloned().collect()),
                props,
                in_config,
            };
            overlay.insert(Box::from(name), merged);
        }
        self.overlay = overlay;
        Ok(self)
    }

    /// Whether the config file has a section called `name`, from
    /// `profiles` (the config file alone) and the other section names.
    fn layer_in_config(&self, name: &str) -> Result<bool, Damaged> {
        if self.other_sections.contains(name) {
            return Ok(true);
        }
        Ok(match &self.profiles {
            Profiles::Fresh(map) => map.get(name).is_some_and(|fresh| fresh.in_config),
            Profiles::Indexed(index) => index.locate(name)?.is_some_and(|hit| hit.in_config),
        })
    }
}

/// Every `key =` word of the lines of `texts`, lowercased: a superset of
/// the keys aws-config's parser found (it splits a property line at its
/// first `=`, trims blanks and lowercases), sorted.
fn key_words(texts: &[&str]) -> Vec<String> {
    let mut keys: HashSet<String> = HashSet::new();
    for text in texts {
        for line in text.lines() {
            if let Some((key, _)) = line.split_once('=') {
                let key = key.trim_matches([' ', '\t', '\r']);
                // A config of 50,000 profiles repeats a handful of keys:
                // a key seen before costs a lookup, not a new string.
                if !key.is_empty() && !keys.contains(key) {
                    keys.insert(key.to_ascii_lowercase());
                }
            }
        }
    }
    let mut keys: Vec<String> = keys.into_iter().collect();
    keys.sort_unstable();
    keys
}

/// Keys whose values are secrets: a file holding any of them is never
/// copied into the index (the cache dir keeps temporary credentials only;
/// long-term keys stay where the user put them).
const SECRET_KEYS: [&str; 3] = [
    "aws_secret_access_key",
    "aws_session_token",
    // The legacy name of aws_session_token, which the SDKs still read.
    "aws_security_token",
];

impl Sections {
    /// Whether any profile of a fresh parse holds a secret (see
    /// [`SECRET_KEYS`]).
    fn holds_secrets(&self) -> bool {
        let overlaid = self
            .overlay
            .values()
            .flat_map(|fresh| &fresh.props)
            .any(|(key, _)| SECRET_KEYS.contains(&key.as_str()));
        // An `[sso-session]` section is copied whole into the header.
        let in_sessions = self
            .sso_sessions
            .values()
            .flat_map(|props| props.keys())
            .any(|key| SECRET_KEYS.contains(&key.as_str()));
        self.mentions_secrets
            || overlaid
            || in_sessions
            || match &self.profiles {
                Profiles::Fresh(map) => map
                    .values()
                    .flat_map(|fresh| &fresh.props)
                    .any(|(key, _)| SECRET_KEYS.contains(&key.as_str())),
                Profiles::Indexed(_) => true,
            }
    }
}

/// A value without the comment lines the parser took for continuation
/// lines: aws-config reads an indented `# note` under `role_arn = …` as
/// part of the ARN, where botocore (and the AWS CLI) skip it as a comment.
fn without_comment_lines(value: &str) -> String {
    if !value.contains('\n') {
        return value.to_string();
    }
    value
        .lines()
        .enumerate()
        .filter(|(i, line)| *i == 0 || !line.trim_start().starts_with(['#', ';']))
        .map(|(_, line)| line)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The service keys of a `[services]` section stsenv asks for (see
/// `config::Service::config_key`).
pub(crate) const SERVICE_KEYS: [&str; 5] = ["sts", "sso", "sso_oidc", "iam", "signin"];

impl Sections {
    /// Copy what `set` holds. aws-config lists profile names but not a
    /// profile's keys, so every `key =` word of the files' lines is asked
    /// for: a superset of the keys the parser found (it splits a property
    /// line at its first `=`, trims blanks and lowercases), so nothing it
    /// found is missed and the values are its own. `config_sections` are
    /// the profile names of the config file's section headers.
    pub fn from_profile_set(
        set: &ProfileSet,
        texts: &[&str],
        config_sections: HashSet<String>,
    ) -> Self {
        let keys = key_words(texts);
        let mentions_secrets = texts.iter().any(|text| {
            let text = text.to_ascii_lowercase();
            SECRET_KEYS.iter().any(|key| text.contains(key))
        });
        let copy = |get: &dyn Fn(&str) -> Option<String>| -> Vec<(String, String)> {
            keys.iter()
                .filter_map(|key| Some((key.clone(), without_comment_lines(&get(key)?))))
                .collect()
        };
        let mut profiles = HashMap::new();
        // Every `[services NAME]` of the config file, not only those its
        // profiles name: a profile of the credentials file may name one.
        let mut services: HashSet<String> = config_sections
            .iter()
            .filter_map(|s| Some(s.strip_prefix("services")?.trim().to_string()))
            .filter(|s| !s.is_empty())
            .collect();
        for name in set.profiles() {
            let Some(profile) = set.get_profile(name) else {
                continue;
            };
            let props = copy(&|key| profile.get(key).map(str::to_string));
            if let Some((_, section)) = props.iter().find(|(k, _)| k == "services") {
                services.insert(section.clone());
            }
            let fresh = Fresh {
                profile: make_profile(name, props.iter().cloned().collect()),
                props,
                in_config: config_sections.contains(name),
            };
            profiles.insert(Box::from(name), fresh);
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
        let other_sections = config_sections
            .into_iter()
            .filter(|s| !profiles.contains_key(s.as_str()))
            .collect();
        Sections {
            profiles: Profiles::Fresh(profiles),
            overlay: HashMap::new(),
            other_sections,
            mentions_secrets,
            sso_sessions,
            service_endpoints,
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

    /// The identity of files already opened: for each its path and its
    /// metadata (`None`: it does not exist); `None` when one of them cannot
    /// be indexed (`None` for it: not a regular file; a path not UTF-8).
    pub fn of_opened(files: &[(&Path, Option<Option<&std::fs::Metadata>>)]) -> Option<Identity> {
        let mut ids = Vec::new();
        for (path, meta) in files {
            ids.push(FileId {
                path: path.to_str()?.to_string(),
                stat: match meta {
                    None => return None,
                    Some(None) => None,
                    Some(Some(meta)) => Some(stat_of(meta)?),
                },
            });
        }
        let home = std::env::var("HOME").unwrap_or_default();
        Some(Identity { home, files: ids })
    }

    /// The files' size together (a missing file counts 0).
    pub fn bytes(&self) -> u64 {
        self.files
            .iter()
            .filter_map(|f| f.stat)
            .map(|s| u64::try_from(s[2]).unwrap_or(0))
            .sum()
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

fn file_stat(path: &Path) -> Option<Option<[i128; 5]>> {
    match std::fs::metadata(path) {
        Ok(meta) => Some(Some(stat_of(&meta)?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(None),
        Err(_) => None,
    }
}

/// What a regular file's identity keeps of its metadata; `None` for
/// anything else, and on a system without file identities (Windows):
/// nothing is indexed there, every command parses.
fn stat_of(meta: &std::fs::Metadata) -> Option<[i128; 5]> {
    if !meta.is_file() {
        return None;
    }
    crate::platform::file_identity(meta)
}

/// `len` bytes of `file` at `at`; `None` when they cannot all be read.
fn read_at(file: &File, at: u64, len: usize) -> Option<Vec<u8>> {
    let mut buf = vec![0; len];
    crate::platform::read_exact_at(file, &mut buf, at).ok()?;
    Some(buf)
}

/// An index opened for reading: its shape (from the header), the file,
/// and what was read of it so far.
struct IndexFile {
    file: File,
    /// The file's length.
    len: u64,
    /// Its first bytes, read at load (the whole file when it is small):
    /// the table slots and records among them are not read again.
    head: Vec<u8>,
    /// The header's CRC, as read at load.
    header_crc: u32,
    /// Table slots (a power of two).
    slots: usize,
    table_at: u64,
    records_at: u64,
    /// How many records there are.
    count: usize,
    /// The table's hash (a parameter only so that tests can make every
    /// name collide).
    hash: fn(&str) -> u64,
    /// Names looked up a record at a time, with what was found.
    seen: RefCell<Vec<(Box<str>, Option<Hit>)>>,
    /// The whole file, read once a command asks for many profiles.
    whole: OnceCell<Result<Whole, Damaged>>,
    /// Decoded profiles, by slot.
    decoded: Memo,
}

impl std::fmt::Debug for IndexFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexFile")
            .field("len", &self.len)
            .field("count", &self.count)
            .finish_non_exhaustive()
    }
}

/// Where a profile's record is, and its flag.
#[derive(Debug, Clone, Copy)]
struct Hit {
    slot: usize,
    at: u64,
    in_config: bool,
}

/// The whole index in memory, every record checked.
struct Whole {
    bytes: Vec<u8>,
    /// Where each record's name is in `bytes`.
    names: Vec<std::ops::Range<usize>>,
}

impl IndexFile {
    /// The whole file, as far as it was read: for the probes of a command
    /// that reads it whole.
    fn whole_if_read(&self) -> Result<Option<&Whole>, Damaged> {
        match self.whole.get() {
            None => Ok(None),
            Some(whole) => whole.as_ref().map(Some).map_err(|d| *d),
        }
    }

    /// Read the whole file and check every record (once).
    fn whole(&self) -> Result<&Whole, Damaged> {
        self.whole
            .get_or_init(|| {
                let len = usize::try_from(self.len).map_err(|_| Damaged)?;
                let bytes = read_at(&self.file, 0, len).ok_or(Damaged)?;
                // The header the shape came from (notes are replaced, never
                // rewritten in place, but the file is outside input).
                let table_at = usize::try_from(self.table_at).map_err(|_| Damaged)?;
                let header = bytes.get(MAGIC.len() + 4..table_at).ok_or(Damaged)?;
                if crc32fast::hash(header) != self.header_crc {
                    return Err(Damaged);
                }
                let mut names = Vec::with_capacity(self.count.min(1 << 20));
                let mut at = usize::try_from(self.records_at).map_err(|_| Damaged)?;
                while at < bytes.len() {
                    let record = checked_record(&bytes[at..])?;
                    let parsed = Record::parse(record)?;
                    // The name follows the CRC, length, flags and its length.
                    let name_at = at + 13;
                    names.push(name_at..name_at + parsed.name.len());
                    at += record.len();
                }
                if names.len() != self.count {
                    return Err(Damaged);
                }
                Ok(Whole { bytes, names })
            })
            .as_ref()
            .map_err(|d| *d)
    }

    /// `len` bytes at `at`: from memory when the file was read whole, else
    /// read now.
    fn read<'a>(
        &'a self,
        whole: Option<&'a Whole>,
        at: u64,
        len: usize,
    ) -> Result<Cow<'a, [u8]>, Damaged> {
        let end = at
            .checked_add(u64::try_from(len).map_err(|_| Damaged)?)
            .filter(|end| *end <= self.len)
            .ok_or(Damaged)?;
        let range =
            usize::try_from(at).map_err(|_| Damaged)?..usize::try_from(end).map_err(|_| Damaged)?;
        match whole {
            Some(whole) => whole.bytes.get(range).map(Cow::Borrowed).ok_or(Damaged),
            None => match self.head.get(range) {
                Some(bytes) => Ok(Cow::Borrowed(bytes)),
                None => read_at(&self.file, at, len).map(Cow::Owned).ok_or(Damaged),
            },
        }
    }

    /// The record at `at`, CRC checked.
    fn record<'a>(&'a self, whole: Option<&'a Whole>, at: u64) -> Result<Cow<'a, [u8]>, Damaged> {
        if at < self.records_at || at >= self.len {
            return Err(Damaged);
        }
        let guess = usize::try_from((self.len - at).min(RECORD_GUESS)).map_err(|_| Damaged)?;
        let first = self.read(whole, at, guess)?;
        let need = record_len(&first)?;
        let bytes = if need <= first.len() {
            first
        } else {
            self.read(whole, at, need)?
        };
        let len = checked_record(&bytes)?.len();
        Ok(match bytes {
            Cow::Borrowed(b) => Cow::Borrowed(&b[..len]),
            Cow::Owned(mut v) => {
                v.truncate(len);
                Cow::Owned(v)
            }
        })
    }

    /// Find `name` in the table. A record read a piece at a time is decoded
    /// at once (a few names are looked up that way, and mostly asked for),
    /// rather than read again.
    fn probe(&self, name: &str, whole: Option<&Whole>) -> Result<Option<Hit>, Damaged> {
        let hash = (self.hash)(name);
        let tag = tag_of(hash);
        let mut slot = home_slot(hash, self.slots);
        let mut left = self.slots;
        while left > 0 {
            let n = PROBE_GROUP.min(self.slots - slot).min(left);
            let at = self.table_at + u64::try_from(slot * SLOT).map_err(|_| Damaged)?;
            let group = self.read(whole, at, n * SLOT)?;
            for (k, raw) in group.chunks_exact(SLOT).enumerate() {
                let Some((offset, found_tag)) = read_slot(slot + k, raw)? else {
                    return Ok(None);
                };
                if found_tag != tag {
                    continue;
                }
                let at = self.records_at + u64::from(offset);
                let bytes = self.record(whole, at)?;
                let record = Record::parse(&bytes)?;
                if record.name == name {
                    if whole.is_none() {
                        self.decoded
                            .get_or_try_init(slot + k, || decode(name, &record))?;
                    }
                    return Ok(Some(Hit {
                        slot: slot + k,
                        at,
                        in_config: record.in_config,
                    }));
                }
            }
            left -= n;
            slot = (slot + n) & (self.slots - 1);
        }
        // The writer always leaves a slot empty.
        Err(Damaged)
    }

    /// Where the profile `name` is; `Ok(None)` when there is none.
    fn locate(&self, name: &str) -> Result<Option<Hit>, Damaged> {
        if let Some(whole) = self.whole_if_read()? {
            return self.probe(name, Some(whole));
        }
        let mut seen = self.seen.borrow_mut();
        if let Some((_, hit)) = seen.iter().find(|(n, _)| **n == *name) {
            return Ok(*hit);
        }
        if seen.len() >= LAZY_NAMES {
            return self.probe(name, Some(self.whole()?));
        }
        let hit = self.probe(name, None)?;
        seen.push((name.into(), hit));
        Ok(hit)
    }

    fn profile(&self, name: &str) -> Result<Option<&Profile>, Damaged> {
        let Some(hit) = self.locate(name)? else {
            return Ok(None);
        };
        let read = || {
            let bytes = self.record(self.whole_if_read()?, hit.at)?;
            decode(name, &Record::parse(&bytes)?)
        };
        self.decoded.get_or_try_init(hit.slot, read).map(Some)
    }

    /// The properties of the profile `name`, read from its record.
    fn properties(&self, name: &str) -> Result<Option<Vec<(String, String)>>, Damaged> {
        let Some(hit) = self.locate(name)? else {
            return Ok(None);
        };
        let bytes = self.record(self.whole_if_read()?, hit.at)?;
        let record = Record::parse(&bytes)?;
        if record.name != name {
            return Err(Damaged);
        }
        Ok(Some(record.properties()?.into_iter().collect()))
    }

    fn names(&self) -> Result<Vec<&str>, Damaged> {
        let whole = self.whole()?;
        whole
            .names
            .iter()
            .map(|range| {
                let bytes = whole.bytes.get(range.clone()).ok_or(Damaged)?;
                std::str::from_utf8(bytes).map_err(|_| Damaged)
            })
            .collect()
    }
}

/// The profile `name` of `record`.
fn decode(name: &str, record: &Record<'_>) -> Result<Profile, Damaged> {
    if record.name != name {
        return Err(Damaged);
    }
    Ok(make_profile(name, record.properties()?))
}

/// Decoded profiles by table slot. Chunks are allocated on first use, so a
/// command asking for a handful of profiles allocates a handful of chunks,
/// and the memo of 5,000 profiles (16,384 slots) starts as 256 empty
/// cells.
struct Memo {
    chunks: Box<[OnceCell<MemoChunk>]>,
}

/// The decoded profiles of [`MEMO_CHUNK`] consecutive slots.
type MemoChunk = Box<[OnceCell<Profile>]>;

impl Memo {
    fn new(slots: usize) -> Self {
        Memo {
            chunks: (0..slots.div_ceil(MEMO_CHUNK))
                .map(|_| OnceCell::new())
                .collect(),
        }
    }

    fn get_or_try_init(
        &self,
        slot: usize,
        decode: impl FnOnce() -> Result<Profile, Damaged>,
    ) -> Result<&Profile, Damaged> {
        let chunk = self
            .chunks
            .get(slot / MEMO_CHUNK)
            .ok_or(Damaged)?
            .get_or_init(|| (0..MEMO_CHUNK).map(|_| OnceCell::new()).collect());
        let cell = chunk.get(slot % MEMO_CHUNK).ok_or(Damaged)?;
        if let Some(profile) = cell.get() {
            return Ok(profile);
        }
        let profile = decode()?;
        Ok(cell.get_or_init(|| profile))
    }
}

/// The indexed sections for `identity`, if the cache holds an index of
/// exactly these files whose header reads back as written. Only the header
/// is read now; profiles are read when asked for.
pub(crate) fn load(cache: &Cache, identity: &Identity) -> Option<Sections> {
    // The entries' bar: a file only its owner can read or write (checked
    // by `open_note`, on the open file's metadata).
    let (file, len) = cache.open_note(NOTE, MAX_INDEX)?;
    open(file, len, identity, name_hash)
}

/// The index in `file` (`len` bytes), with the table hash `hash`.
fn open(file: File, len: u64, identity: &Identity, hash: fn(&str) -> u64) -> Option<Sections> {
    let first = read_at(&file, 0, usize::try_from(len).ok()?.min(HEAD_GUESS))?;
    if first.get(..MAGIC.len())? != MAGIC {
        return None;
    }
    let crc = u32_at(&first, MAGIC.len())?;
    let header_len = usize::try_from(u32_at(&first, MAGIC.len() + 4)?).ok()?;
    let header_end = HEADER_AT.checked_add(header_len)?;
    let head = if header_end <= first.len() {
        first
    } else if u64::try_from(header_end).ok()? <= len {
        read_at(&file, 0, header_end)?
    } else {
        return None;
    };
    if crc32fast::hash(&head[MAGIC.len() + 4..header_end]) != crc {
        return None;
    }
    let header: Header = serde_json::from_slice(&head[HEADER_AT..header_end]).ok()?;
    if header.format != FORMAT
        || header.version != env!("CARGO_PKG_VERSION")
        || header.hash_check != hash(HASH_CHECK)
        || &header.identity != identity
    {
        return None;
    }
    let slots = usize::try_from(header.slots).ok()?;
    let count = usize::try_from(header.profiles).ok()?;
    if !slots.is_power_of_two() || slots <= count {
        return None;
    }
    let table_at = u64::try_from(header_end).ok()?;
    let records_at = table_at.checked_add(u64::try_from(slots.checked_mul(SLOT)?).ok()?)?;
    if records_at.checked_add(header.records_len)? != len {
        return None;
    }
    let mut sso_sessions = HashMap::new();
    for (name, props) in header.sso_sessions {
        let count = props.len();
        let props: HashMap<String, String> = props.into_iter().collect();
        let valid = props.len() == count
            && props
                .keys()
                .all(|k| !k.is_empty() && !k.contains('=') && k.to_ascii_lowercase() == *k);
        if !valid || name.is_empty() || sso_sessions.insert(name, props).is_some() {
            return None;
        }
    }
    let mut service_endpoints = HashMap::new();
    for (section, service, url) in header.service_endpoints {
        if !SERVICE_KEYS.contains(&service.as_str())
            || service_endpoints.insert((section, service), url).is_some()
        {
            return None;
        }
    }
    let index = IndexFile {
        file,
        len,
        head,
        header_crc: crc,
        slots,
        table_at,
        records_at,
        count,
        hash,
        seen: RefCell::new(Vec::new()),
        whole: OnceCell::new(),
        decoded: Memo::new(slots),
    };
    Some(Sections {
        profiles: Profiles::Indexed(Box::new(index)),
        overlay: HashMap::new(),
        other_sections: header.other_sections.into_iter().collect(),
        mentions_secrets: false,
        sso_sessions,
        service_endpoints,
    })
}

/// Keep `sections` (fresh from the parser) as the index of `identity`,
/// unless a file changed too recently to be trusted. Failing to write only
/// costs the next parse.
pub(crate) fn store(cache: &Cache, identity: &Identity, sections: &Sections) {
    if !identity.is_racy() {
        write(cache, identity, sections);
    }
}

/// Write the index of `sections`: only of a config file parsed alone
/// (never with a credentials file laid over it), and only when it holds
/// no secret ([`SECRET_KEYS`]).
fn write(cache: &Cache, identity: &Identity, sections: &Sections) {
    if sections.holds_secrets() || !sections.overlay.is_empty() {
        return;
    }
    if let Some(bytes) = encode(identity, sections, name_hash) {
        let _ = cache.write_note(NOTE, &bytes);
    }
}

#[cfg(test)]
mod tests;

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
//! damaged one is never believed, and the caller ([`crate::config`]) then
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
use std::hash::Hasher;
use std::path::Path;

use aws_config::profile::{Profile, ProfileSet};
use aws_runtime::env_config::property::{PropertiesKey, Property};
use serde::{Deserialize, Serialize};

use crate::cache::Cache;

/// The note (in the cache directory) holding the index.
const NOTE: &str = "config-index";
/// The largest index read back (a config of 100,000 profiles is ~15 MB).
const MAX_INDEX: u64 = 64 << 20;
/// The format; bump when the layout or [`Header`] changes meaning.
const FORMAT: u32 = 2;
/// A file changed this recently (in nanoseconds) may change again within
/// the same timestamp tick without its stat changing ("racily clean", as
/// git calls it): its parse is not indexed. Two seconds cover file systems
/// with coarse timestamps (FAT: 2 s).
const RACY_NS: i128 = 2_000_000_000;

/// The first bytes of an index.
const MAGIC: &[u8; 8] = b"stsenvI\n";
/// Where the header's JSON starts: after the magic, its CRC and its length.
const HEADER_AT: usize = MAGIC.len() + 8;
/// Bytes read when the index is opened: the header of a real config fits.
const HEAD_GUESS: usize = 4096;
/// Bytes of one table slot: offset, tag, check.
const SLOT: usize = 12;
/// A slot holding no record.
const EMPTY: u32 = u32::MAX;
/// Slots read at once while probing (linear probing keeps a name's
/// candidates together).
const PROBE_GROUP: usize = 8;
/// Bytes read for a record before its length is known: a role profile is
/// ~150 bytes, so one read usually holds it all.
const RECORD_GUESS: u64 = 512;
/// Record flag: the config file has a section of this profile's name.
const IN_CONFIG: u8 = 1;
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

/// What [`crate::config::AwsConfig`] answers from: every profile with every
/// property (and whether the config file has its section), the
/// `[sso-session]` sections and the `[services]` endpoints the profiles can
/// reach.
///
/// The profile questions answer [`Damaged`] when the index they are read
/// from turns out damaged; a fresh parse never does.
#[derive(Debug)]
pub(crate) struct Sections {
    profiles: Profiles,
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
        match &self.profiles {
            Profiles::Fresh(map) => Ok(map.get(name).map(|fresh| fresh.in_config)),
            Profiles::Indexed(index) => Ok(index.locate(name)?.map(|hit| hit.in_config)),
        }
    }

    /// All profile names, in no order.
    pub fn profile_names(&self) -> Result<Vec<&str>, Damaged> {
        match &self.profiles {
            Profiles::Fresh(map) => Ok(map.keys().map(|k| &**k).collect()),
            Profiles::Indexed(index) => index.names(),
        }
    }
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
        match &self.profiles {
            Profiles::Fresh(map) => map
                .values()
                .flat_map(|fresh| &fresh.props)
                .any(|(key, _)| SECRET_KEYS.contains(&key.as_str())),
            Profiles::Indexed(_) => true,
        }
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
    /// found is missed and the values are its own. `config_sections` are
    /// the profile names of the config file's section headers.
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
        let mut services = HashSet::new();
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
        Sections {
            profiles: Profiles::Fresh(profiles),
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

/// The index's small part, JSON: what it is of, the sections that are
/// few, and the shape of the table and records that follow it.
#[derive(Serialize, Deserialize)]
struct Header {
    format: u32,
    version: String,
    identity: Identity,
    sso_sessions: Vec<(String, Vec<(String, String)>)>,
    service_endpoints: Vec<(String, String, String)>,
    /// How many profile records there are.
    profiles: u32,
    /// Table slots: a power of two, more than there are profiles.
    slots: u32,
    /// Bytes of records after the table (the rest of the file).
    records_len: u64,
    /// The table hash of [`HASH_CHECK`]: a build whose hash differs (which
    /// would look for names in the wrong slots) never uses the table.
    hash_check: u64,
}

/// What [`Header::hash_check`] is the hash of.
const HASH_CHECK: &str = "stsenv config index";

/// The hash of a profile name in the table: SipHash-1-3 with fixed keys,
/// which is the same in every build (the index outlives the process that
/// wrote it; std's `DefaultHasher` may change between Rust releases).
/// FNV-1a was tried: its top bits hardly depend on short names (`p1`,
/// `p2`, …), which all then probe from a few slots.
fn name_hash(name: &str) -> u64 {
    let mut hasher = siphasher::sip::SipHasher13::new_with_keys(0, 0);
    hasher.write(name.as_bytes());
    hasher.finish()
}

/// The slot a hash starts probing at: its top bits.
fn home_slot(hash: u64, slots: usize) -> usize {
    // `slots` is a power of two no larger than 2^32.
    let bits = slots.trailing_zeros();
    if bits == 0 {
        0
    } else {
        usize::try_from(hash >> (64 - bits)).unwrap_or(0) & (slots - 1)
    }
}

/// The tag kept beside a slot's offset: the hash's low bits.
fn tag_of(hash: u64) -> u32 {
    hash as u32
}

/// A slot's check: the CRC of its number and content, so that a damaged
/// slot (or one moved elsewhere) is never believed.
fn slot_check(slot: usize, offset: u32, tag: u32) -> u32 {
    let mut crc = crc32fast::Hasher::new();
    crc.update(&(slot as u64).to_le_bytes());
    crc.update(&offset.to_le_bytes());
    crc.update(&tag.to_le_bytes());
    crc.finalize()
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    let raw: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_le_bytes(raw))
}

/// The slot numbered `slot`, from its bytes: `Ok(None)` when empty,
/// `Ok(Some((offset, tag)))` when it holds a record.
fn read_slot(slot: usize, raw: &[u8]) -> Result<Option<(u32, u32)>, Damaged> {
    let (offset, tag, check) = (
        u32_at(raw, 0).ok_or(Damaged)?,
        u32_at(raw, 4).ok_or(Damaged)?,
        u32_at(raw, 8).ok_or(Damaged)?,
    );
    if check != slot_check(slot, offset, tag) {
        return Err(Damaged);
    }
    Ok((offset != EMPTY).then_some((offset, tag)))
}

/// How many bytes the record starting `bytes` takes, from its length field.
fn record_len(bytes: &[u8]) -> Result<usize, Damaged> {
    let body = usize::try_from(u32_at(bytes, 4).ok_or(Damaged)?).map_err(|_| Damaged)?;
    body.checked_add(8).ok_or(Damaged)
}

/// The record at the start of `bytes` (which hold at least all of it),
/// its CRC checked.
fn checked_record(bytes: &[u8]) -> Result<&[u8], Damaged> {
    let record = bytes.get(..record_len(bytes)?).ok_or(Damaged)?;
    let crc = u32_at(record, 0).ok_or(Damaged)?;
    if crc32fast::hash(&record[4..]) != crc {
        return Err(Damaged);
    }
    Ok(record)
}

/// One record, its fixed part decoded; the properties are decoded (and
/// checked) by [`Record::properties`] when the profile is asked for.
struct Record<'a> {
    name: &'a str,
    in_config: bool,
    /// The property count, and the bytes after it.
    count: usize,
    props: &'a [u8],
}

impl<'a> Record<'a> {
    /// The record `bytes` (a whole record, CRC checked).
    fn parse(bytes: &'a [u8]) -> Result<Self, Damaged> {
        let mut reader = Reader {
            bytes: bytes.get(8..).ok_or(Damaged)?,
        };
        let flags = reader.u8()?;
        let name = reader.str()?;
        let count = reader.u32()?;
        if flags & !IN_CONFIG != 0 || name.is_empty() {
            return Err(Damaged);
        }
        Ok(Record {
            name,
            in_config: flags & IN_CONFIG != 0,
            count,
            props: reader.bytes,
        })
    }

    /// The properties, keys as the parser stores them (non-empty,
    /// lowercase, no `=`, each once), filling the record exactly.
    fn properties(&self) -> Result<HashMap<String, String>, Damaged> {
        let mut reader = Reader { bytes: self.props };
        let mut props = HashMap::with_capacity(self.count.min(64));
        for _ in 0..self.count {
            let key = reader.str()?;
            let value = reader.str()?;
            let valid = !key.is_empty()
                && !key.contains('=')
                && !key.bytes().any(|b| b.is_ascii_uppercase());
            if !valid || props.insert(key.to_string(), value.to_string()).is_some() {
                return Err(Damaged);
            }
        }
        if !reader.bytes.is_empty() {
            return Err(Damaged);
        }
        Ok(props)
    }
}

/// Reads a record's fields: every length is checked against what is left,
/// every string is checked UTF-8; nothing panics on any input.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8], Damaged> {
        if len > self.bytes.len() {
            return Err(Damaged);
        }
        let (out, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, Damaged> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<usize, Damaged> {
        let raw: [u8; 4] = self.take(4)?.try_into().map_err(|_| Damaged)?;
        usize::try_from(u32::from_le_bytes(raw)).map_err(|_| Damaged)
    }

    fn str(&mut self) -> Result<&'a str, Damaged> {
        let len = self.u32()?;
        std::str::from_utf8(self.take(len)?).map_err(|_| Damaged)
    }
}

/// `len` bytes of `file` at `at`; `None` when they cannot all be read.
fn read_at(file: &File, at: u64, len: usize) -> Option<Vec<u8>> {
    let mut buf = vec![0; len];
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, &mut buf, at).ok()?;
        Some(buf)
    }
    #[cfg(not(unix))]
    {
        // Never reached: without a file identity nothing is indexed.
        let _ = (file, at, &mut buf);
        None
    }
}

/// An index opened for reading: its shape (from the header), the file,
/// and what was read of it so far.
struct IndexFile {
    file: File,
    /// The file's length.
    len: u64,
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
        match whole {
            Some(whole) => {
                let range = usize::try_from(at).map_err(|_| Damaged)?
                    ..usize::try_from(end).map_err(|_| Damaged)?;
                whole.bytes.get(range).map(Cow::Borrowed).ok_or(Damaged)
            }
            None => read_at(&self.file, at, len).map(Cow::Owned).ok_or(Damaged),
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
    let (file, len) = cache.open_note(NOTE, MAX_INDEX)?;
    // The entries' bar: a file only its owner can read or write.
    if !crate::fsutil::is_owner_only(&file) {
        return None;
    }
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
        sso_sessions,
        service_endpoints,
    })
}

/// Keep `sections` (fresh from the parser) as the index of `identity`,
/// unless a file changed too recently to be trusted. Failing to write only
/// costs the next parse.
pub(crate) fn store(cache: &Cache, identity: &Identity, sections: &Sections) {
    if identity.is_racy() || sections.holds_secrets() {
        return;
    }
    if let Some(bytes) = encode(identity, sections, name_hash) {
        let _ = cache.write_note(NOTE, &bytes);
    }
}

fn put_str(out: &mut Vec<u8>, text: &str) -> Option<()> {
    out.extend_from_slice(&u32::try_from(text.len()).ok()?.to_le_bytes());
    out.extend_from_slice(text.as_bytes());
    Some(())
}

fn encode(identity: &Identity, sections: &Sections, hash: fn(&str) -> u64) -> Option<Vec<u8>> {
    let Profiles::Fresh(fresh) = &sections.profiles else {
        return None;
    };
    // Sorted, so that the same parse always writes the same bytes.
    let mut names: Vec<&str> = fresh.keys().map(|k| &**k).collect();
    names.sort_unstable();
    let mut records = Vec::new();
    let mut offsets = Vec::with_capacity(names.len());
    for name in &names {
        let profile = fresh.get(*name)?;
        offsets.push(u32::try_from(records.len()).ok().filter(|o| *o != EMPTY)?);
        let mut body = vec![if profile.in_config { IN_CONFIG } else { 0 }];
        put_str(&mut body, name)?;
        body.extend_from_slice(&u32::try_from(profile.props.len()).ok()?.to_le_bytes());
        for (key, value) in &profile.props {
            put_str(&mut body, key)?;
            put_str(&mut body, value)?;
        }
        let mut checked = u32::try_from(body.len()).ok()?.to_le_bytes().to_vec();
        checked.extend_from_slice(&body);
        records.extend_from_slice(&crc32fast::hash(&checked).to_le_bytes());
        records.extend_from_slice(&checked);
    }
    // Load factor 1/4 to 1/2: under linear probing, a hit is one or two
    // slots from its home and the longest runs stay within a few reads.
    let slots = (names.len() * 2 + 1).next_power_of_two().max(8);
    let mut table: Vec<Option<(u32, u32)>> = vec![None; slots];
    for (name, offset) in names.iter().zip(&offsets) {
        let hash = hash(name);
        let mut slot = home_slot(hash, slots);
        while table[slot].is_some() {
            slot = (slot + 1) & (slots - 1);
        }
        table[slot] = Some((*offset, tag_of(hash)));
    }
    let mut sso_sessions: Vec<(String, Vec<(String, String)>)> = sections
        .sso_sessions
        .iter()
        .map(|(name, props)| {
            let mut props: Vec<(String, String)> =
                props.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            props.sort_unstable();
            (name.clone(), props)
        })
        .collect();
    sso_sessions.sort_unstable();
    let mut service_endpoints: Vec<(String, String, String)> = sections
        .service_endpoints
        .iter()
        .map(|((section, service), url)| (section.clone(), service.clone(), url.clone()))
        .collect();
    service_endpoints.sort_unstable();
    let header = Header {
        format: FORMAT,
        version: env!("CARGO_PKG_VERSION").to_string(),
        identity: identity.clone(),
        sso_sessions,
        service_endpoints,
        profiles: u32::try_from(names.len()).ok()?,
        slots: u32::try_from(slots).ok()?,
        records_len: u64::try_from(records.len()).ok()?,
        hash_check: hash(HASH_CHECK),
    };
    let json = serde_json::to_vec(&header).ok()?;
    let mut checked = u32::try_from(json.len()).ok()?.to_le_bytes().to_vec();
    checked.extend_from_slice(&json);
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&crc32fast::hash(&checked).to_le_bytes());
    out.extend_from_slice(&checked);
    for (slot, entry) in table.iter().enumerate() {
        let (offset, tag) = entry.unwrap_or((EMPTY, 0));
        out.extend_from_slice(&offset.to_le_bytes());
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&slot_check(slot, offset, tag).to_le_bytes());
    }
    out.extend_from_slice(&records);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::AwsConfig;
    use aws_types::os_shim_internal::Env;
    use std::path::PathBuf;

    /// Odd names (the parser drops the quoted and non-ASCII ones), a
    /// profile in both files, one in
    /// the credentials file only, one there whose name is also a section
    /// the parser ignores in the config file, an SSO session, a services
    /// section, an empty profile.
    const CONFIG: &str = "[default]\nregion = us-east-1\n[profile a]\nRole_Arn = arn:aws:iam::123456789012:role/a ; not a comment\nsource_profile = default # c\ns3 =\n  max_concurrent_requests = 3\nservices = local\nsso_session = s\n[sso-session s]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\n[services local]\nsts =\n  endpoint_url = http://127.0.0.1:1\n[profile \"q'x\"]\nregion = eu-west-2\n[profile café]\nregion = eu-north-1\n[profile a/b@c:d+e%f]\nregion = x\n[profile team.dev-1_x]\nregion = a = b\n[profile empty]\n[z]\nregion = ignored\n";
    const CREDENTIALS: &str = "[a]\naws_access_key_id = AKIA1\n[only-creds]\naws_access_key_id = AKIA2\n[z]\nregion = ap-south-1\n";
    /// Names no file defines.
    const ABSENT: [&str; 5] = ["nope", "", "A", "a ", "profile a"];

    fn identity() -> Identity {
        Identity {
            home: "/h".into(),
            files: vec![FileId {
                path: "/h/config".into(),
                stat: Some([1, 2, 3, 4, 5]),
            }],
        }
    }

    fn fresh(config: &str, credentials: &str) -> Sections {
        AwsConfig::from_texts(config, credentials).unwrap().sections
    }

    fn indexed(sections: &Sections) -> bool {
        matches!(sections.profiles, Profiles::Indexed(_))
    }

    /// A cache in a temporary directory.
    fn cache() -> (tempfile::TempDir, Cache) {
        let tmp = tempfile::tempdir().unwrap();
        let cache = Cache::at(tmp.path().join("cache"));
        (tmp, cache)
    }

    /// `bytes` kept as the cache's index, then opened as [`load`] opens it
    /// (with the table hash `hash`).
    fn reopen(cache: &Cache, bytes: &[u8], hash: fn(&str) -> u64) -> Option<Sections> {
        cache.write_note(NOTE, bytes).unwrap();
        let (file, len) = cache.open_note(NOTE, MAX_INDEX)?;
        open(file, len, &identity(), hash)
    }

    fn sorted(mut names: Vec<&str>) -> Vec<&str> {
        names.sort_unstable();
        names
    }

    /// Every answer of `index` about the names of `fresh` (and names no
    /// file defines) is the parser's, or `Damaged`; never another. Asked
    /// first a record at a time, then with the index read whole. Returns
    /// whether any answer was `Damaged`.
    fn agrees(index: &Sections, fresh: &Sections) -> bool {
        let mut asked = fresh.profile_names().unwrap();
        asked.extend(ABSENT);
        let mut damaged = false;
        let ask_all = |damaged: &mut bool| {
            for name in &asked {
                match index.profile(name) {
                    Ok(profile) => assert_eq!(profile, fresh.profile(name).unwrap(), "{name}"),
                    Err(Damaged) => *damaged = true,
                }
                match index.has_profile(name) {
                    Ok(has) => assert_eq!(has, fresh.has_profile(name).unwrap(), "{name}"),
                    Err(Damaged) => *damaged = true,
                }
                match index.in_config_file(name) {
                    Ok(flag) => assert_eq!(flag, fresh.in_config_file(name).unwrap(), "{name}"),
                    Err(Damaged) => *damaged = true,
                }
            }
        };
        ask_all(&mut damaged);
        match index.profile_names() {
            Ok(names) => assert_eq!(sorted(names), sorted(fresh.profile_names().unwrap())),
            Err(Damaged) => damaged = true,
        }
        ask_all(&mut damaged);
        // Read at load, from a header whose CRC matched.
        assert_eq!(index.sso_sessions, fresh.sso_sessions);
        assert_eq!(index.service_endpoints, fresh.service_endpoints);
        damaged
    }

    #[test]
    fn an_index_reads_back_what_the_parser_found() {
        let fresh = fresh(CONFIG, CREDENTIALS);
        let (_tmp, cache) = cache();
        let bytes = encode(&identity(), &fresh, name_hash).unwrap();
        let back = reopen(&cache, &bytes, name_hash).unwrap();
        assert!(indexed(&back));
        assert!(!agrees(&back, &fresh));
        let a = back.profile("a").unwrap().unwrap();
        assert_eq!(a.get("role_arn"), Some("arn:aws:iam::123456789012:role/a"));
        assert_eq!(a.get("aws_access_key_id"), Some("AKIA1"));
        assert!(a.get("s3").is_some());
        assert_eq!(back.in_config_file("a"), Ok(Some(true)));
        assert_eq!(back.in_config_file("only-creds"), Ok(Some(false)));
        assert_eq!(back.in_config_file("nope"), Ok(None));
        assert!(back.profile("a/b@c:d+e%f").unwrap().is_some());
        assert!(!back.sso_sessions.is_empty() && !back.service_endpoints.is_empty());
        // The same parse always writes the same bytes.
        assert_eq!(encode(&identity(), &fresh, name_hash).unwrap(), bytes);
        // Another table hash: not used.
        assert!(reopen(&cache, &bytes, |name| name_hash(name) ^ 1).is_none());
        // Another identity: not used.
        let mut other = identity();
        other.files[0].stat = Some([1, 2, 3, 4, 6]);
        cache.write_note(NOTE, &bytes).unwrap();
        assert!(load(&cache, &other).is_none());
        assert!(load(&cache, &identity()).is_some());
    }

    #[test]
    fn many_profiles_read_a_record_at_a_time_then_whole() {
        let config: String = (0..300)
            .map(|i| format!("[profile team-{i:04}-admin]\nrole_arn = arn:aws:iam::{i:012}:role/admin\nsource_profile = base\n"))
            .collect();
        let fresh = fresh(&format!("[profile base]\nregion = eu-west-1\n{config}"), "");
        let (_tmp, cache) = cache();
        // The real hash, and one under which every name collides: the
        // record's own name decides.
        for hash in [name_hash, |_: &str| 0x1234_5678_9abc_def0] {
            let bytes = encode(&identity(), &fresh, hash).unwrap();
            let back = reopen(&cache, &bytes, hash).unwrap();
            let Profiles::Indexed(index) = &back.profiles else {
                panic!("not indexed");
            };
            // A handful of names: nothing but their records is read.
            assert_eq!(back.has_profile("team-0299-admin"), Ok(true));
            assert_eq!(back.has_profile("team-0300-admin"), Ok(false));
            assert!(index.whole.get().is_none());
            assert!(!agrees(&back, &fresh));
            // Past `LAZY_NAMES` names, the index was read whole.
            assert!(index.whole.get().is_some());
        }
    }

    #[test]
    fn files_holding_secrets_are_never_indexed() {
        let with = fresh(CONFIG, "[a]\naws_secret_access_key = s=c=r\n");
        assert!(with.holds_secrets());
        let legacy = fresh(CONFIG, "[a]\naws_security_token = t0k3n\n");
        assert!(legacy.holds_secrets());
        let tokens = fresh(CONFIG, "[b]\naws_session_token = t\n");
        assert!(tokens.holds_secrets());
        let without = fresh(CONFIG, CREDENTIALS);
        assert!(!without.holds_secrets());
        let (_tmp, cache) = cache();
        let note = cache.dir().join("config-index.note");
        store(&cache, &identity(), &with);
        assert!(!note.exists());
        store(&cache, &identity(), &tokens);
        assert!(!note.exists());
        store(&cache, &identity(), &without);
        assert!(note.exists());
        // Nor a racy file (changed in the last two seconds).
        std::fs::remove_file(&note).unwrap();
        let mut racy = identity();
        racy.files[0].stat = Some([1, 2, 3, 4, jiff::Timestamp::now().as_nanosecond()]);
        store(&cache, &racy, &without);
        assert!(!note.exists());
    }

    /// Every truncation, every byte flipped (all bits, the lowest, the
    /// highest): refused at load, or every answer afterwards is the
    /// parser's or `Damaged` (the caller then parses the files). With a
    /// CRC on the header, each slot and each record, no flipped value is
    /// ever read as another value.
    #[test]
    fn a_damaged_index_never_gives_a_wrong_answer() {
        let fresh = fresh(CONFIG, CREDENTIALS);
        let (_tmp, cache) = cache();
        for hash in [name_hash, |_: &str| 7] {
            let bytes = encode(&identity(), &fresh, hash).unwrap();
            for cut in 0..bytes.len() {
                assert!(reopen(&cache, &bytes[..cut], hash).is_none(), "{cut}");
            }
            let mut longer = bytes.clone();
            longer.push(0);
            assert!(reopen(&cache, &longer, hash).is_none());
            let (mut refused, mut damaged) = (0, 0);
            for i in 0..bytes.len() {
                for mask in [0xff, 0x01, 0x80] {
                    let mut flipped = bytes.clone();
                    flipped[i] ^= mask;
                    match reopen(&cache, &flipped, hash) {
                        None => refused += 1,
                        Some(back) => damaged += usize::from(agrees(&back, &fresh)),
                    }
                }
            }
            // Both paths were taken: a damaged header is refused at load,
            // a damaged slot or record when it is read.
            assert!(refused > 0 && damaged > 0, "{refused} {damaged}");
        }
    }

    #[test]
    fn a_slot_pointing_outside_the_file_is_damage_not_a_panic() {
        let fresh = fresh(CONFIG, CREDENTIALS);
        let (_tmp, cache) = cache();
        let bytes = encode(&identity(), &fresh, name_hash).unwrap();
        let header_len = usize::try_from(u32_at(&bytes, MAGIC.len() + 4).unwrap()).unwrap();
        let table_at = HEADER_AT + header_len;
        let header: Header = serde_json::from_slice(&bytes[HEADER_AT..table_at]).unwrap();
        let slots = usize::try_from(header.slots).unwrap();
        let home = home_slot(name_hash("a"), slots);
        let mut hit = None;
        for k in 0..slots {
            let slot = (home + k) % slots;
            let at = table_at + slot * SLOT;
            let (_, tag) = read_slot(slot, &bytes[at..at + SLOT]).unwrap().unwrap();
            if tag == tag_of(name_hash("a")) {
                hit = Some((slot, at, tag));
                break;
            }
        }
        let (slot, at, tag) = hit.unwrap();
        for offset in [u32::try_from(bytes.len()).unwrap(), EMPTY - 1, 3] {
            let mut bad = bytes.clone();
            bad[at..at + 4].copy_from_slice(&offset.to_le_bytes());
            bad[at + 8..at + 12].copy_from_slice(&slot_check(slot, offset, tag).to_le_bytes());
            let back = reopen(&cache, &bad, name_hash).unwrap();
            assert_eq!(back.profile("a"), Err(Damaged));
            assert_eq!(back.has_profile("a"), Err(Damaged));
        }
    }

    /// The files written to a temporary directory, and an environment
    /// naming them (nothing else: no `AWS_ENDPOINT_URL` from the tests'
    /// own environment).
    struct Files {
        _tmp: tempfile::TempDir,
        config: PathBuf,
        credentials: PathBuf,
        cache: Cache,
    }

    impl Files {
        fn new(config: &str, credentials: &str) -> Files {
            let tmp = tempfile::tempdir().unwrap();
            let (config_path, credentials_path) =
                (tmp.path().join("config"), tmp.path().join("credentials"));
            std::fs::write(&config_path, config).unwrap();
            std::fs::write(&credentials_path, credentials).unwrap();
            let cache = Cache::at(tmp.path().join("cache"));
            Files {
                config: config_path,
                credentials: credentials_path,
                cache,
                _tmp: tmp,
            }
        }

        fn load(&self) -> AwsConfig {
            let env = Env::from_slice(&[
                ("AWS_CONFIG_FILE", self.config.to_str().unwrap()),
                (
                    "AWS_SHARED_CREDENTIALS_FILE",
                    self.credentials.to_str().unwrap(),
                ),
            ]);
            AwsConfig::load_with(
                env,
                self.config.clone(),
                self.credentials.clone(),
                &self.cache,
            )
            .unwrap()
        }

        /// The index of the files as they are (written here: a file
        /// written just now is too fresh for `store`).
        fn index(&self, damage: impl Fn(&mut Vec<u8>)) {
            let parsed = self.load();
            assert!(!indexed(&parsed.sections));
            let identity = Identity::of(&[&self.config, &self.credentials]).unwrap();
            let mut bytes = encode(&identity, &parsed.sections, name_hash).unwrap();
            damage(&mut bytes);
            self.cache.write_note(NOTE, &bytes).unwrap();
        }
    }

    /// One name's answers: the profile, whether it exists, its file, its
    /// STS endpoint.
    type Answer<'a> = (&'a str, Option<&'a Profile>, bool, &'a Path, Option<String>);

    /// What `config` answers, for comparing a config read from the index
    /// with one parsed: the names, the SSO sessions, and each name's
    /// answers.
    fn answers(config: &AwsConfig) -> (Vec<&str>, Vec<&str>, Vec<Answer<'_>>) {
        let names: Vec<&str> = config.profile_names();
        let answers = names
            .iter()
            .chain(&ABSENT)
            .map(|name| {
                (
                    *name,
                    config.profile(name).ok(),
                    config.has_profile(name),
                    config.file_of(name),
                    config.endpoint_url(Some(name), crate::config::Service::Sts),
                )
            })
            .collect();
        (names, config.sso_session_names(), answers)
    }

    #[test]
    fn the_index_names_the_same_files_as_the_parser() {
        let files = Files::new(CONFIG, CREDENTIALS);
        let parsed = files.load();
        files.index(|_| {});
        let from_index = files.load();
        assert!(indexed(&from_index.sections));
        assert_eq!(answers(&from_index), answers(&parsed));
        // `[profile a]` in the config and `[a]` in the credentials: the
        // config file; `[only-creds]`: the credentials file; `[z]` (a
        // section the parser ignores in the config file): the config file.
        assert_eq!(from_index.file_of("a"), files.config);
        assert_eq!(from_index.file_of("only-creds"), files.credentials);
        assert_eq!(from_index.file_of("z"), files.config);
        assert_eq!(from_index.file_of("nope"), files.config);
    }

    #[test]
    fn a_damaged_record_is_answered_from_the_files() {
        let files = Files::new(CONFIG, CREDENTIALS);
        let parsed = files.load();
        // One letter of profile a's role ARN changed: a plausible value,
        // which only the record's CRC tells from the real one.
        files.index(|bytes| {
            let arn = b"arn:aws:iam::123456789012:role/a";
            let at = bytes.windows(arn.len()).position(|w| w == arn).unwrap();
            bytes[at + arn.len() - 1] = b'b';
        });
        let damaged = files.load();
        assert!(indexed(&damaged.sections));
        assert_eq!(
            damaged.profile("a").unwrap().get("role_arn"),
            Some("arn:aws:iam::123456789012:role/a")
        );
        assert_eq!(answers(&damaged), answers(&parsed));
    }
}

//! The index's bytes: the header, the hash table's slots and the
//! records, each CRC-checked; writing them ([`encode`]) and reading one
//! back without trusting it.

use std::collections::HashMap;
use std::hash::Hasher;

use serde::{Deserialize, Serialize};

use super::{Damaged, Identity, Profiles, Sections};

/// The format; bump when the layout or [`Header`] changes meaning.
pub(super) const FORMAT: u32 = 3;

/// The first bytes of an index.
pub(super) const MAGIC: &[u8; 8] = b"stsenvI\n";

/// Where the header's JSON starts: after the magic, its CRC and its length.
pub(super) const HEADER_AT: usize = MAGIC.len() + 8;

/// Bytes of one table slot: offset, tag, check.
pub(super) const SLOT: usize = 12;

/// A slot holding no record.
pub(super) const EMPTY: u32 = u32::MAX;

/// Record flag: the config file has a section of this profile's name.
pub(super) const IN_CONFIG: u8 = 1;

/// The index's small part, JSON: what it is of, the sections that are
/// few, and the shape of the table and records that follow it.
#[derive(Serialize, Deserialize)]
pub(super) struct Header {
    pub(super) format: u32,
    pub(super) version: String,
    pub(super) identity: Identity,
    pub(super) sso_sessions: Vec<(String, Vec<(String, String)>)>,
    pub(super) service_endpoints: Vec<(String, String, String)>,
    /// The config file's section names that name none of its profiles.
    pub(super) other_sections: Vec<String>,
    /// How many profile records there are.
    pub(super) profiles: u32,
    /// Table slots: a power of two, more than there are profiles.
    pub(super) slots: u32,
    /// Bytes of records after the table (the rest of the file).
    pub(super) records_len: u64,
    /// The table hash of [`HASH_CHECK`]: a build whose hash differs (which
    /// would look for names in the wrong slots) never uses the table.
    pub(super) hash_check: u64,
}

/// What [`Header::hash_check`] is the hash of.
pub(super) const HASH_CHECK: &str = "stsenv config index";

/// The hash of a profile name in the table: SipHash-1-3 with fixed keys,
/// which is the same in every build (the index outlives the process that
/// wrote it; std's `DefaultHasher` may change between Rust releases).
/// FNV-1a was tried: its top bits hardly depend on short names (`p1`,
/// `p2`, …), which all then probe from a few slots.
pub(super) fn name_hash(name: &str) -> u64 {
    let mut hasher = siphasher::sip::SipHasher13::new_with_keys(0, 0);
    hasher.write(name.as_bytes());
    hasher.finish()
}

/// The slot a hash starts probing at: its top bits.
pub(super) fn home_slot(hash: u64, slots: usize) -> usize {
    // `slots` is a power of two no larger than 2^32.
    let bits = slots.trailing_zeros();
    if bits == 0 {
        0
    } else {
        usize::try_from(hash >> (64 - bits)).unwrap_or(0) & (slots - 1)
    }
}

/// The tag kept beside a slot's offset: the hash's low bits.
pub(super) fn tag_of(hash: u64) -> u32 {
    hash as u32
}

/// A slot's check: the CRC of its number and content, so that a damaged
/// slot (or one moved elsewhere) is never believed.
pub(super) fn slot_check(slot: usize, offset: u32, tag: u32) -> u32 {
    let mut crc = crc32fast::Hasher::new();
    crc.update(&(slot as u64).to_le_bytes());
    crc.update(&offset.to_le_bytes());
    crc.update(&tag.to_le_bytes());
    crc.finalize()
}

pub(super) fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    let raw: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_le_bytes(raw))
}

/// The slot numbered `slot`, from its bytes: `Ok(None)` when empty,
/// `Ok(Some((offset, tag)))` when it holds a record.
pub(super) fn read_slot(slot: usize, raw: &[u8]) -> Result<Option<(u32, u32)>, Damaged> {
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
pub(super) fn record_len(bytes: &[u8]) -> Result<usize, Damaged> {
    let body = usize::try_from(u32_at(bytes, 4).ok_or(Damaged)?).map_err(|_| Damaged)?;
    body.checked_add(8).ok_or(Damaged)
}

/// The record at the start of `bytes` (which hold at least all of it),
/// its CRC checked.
pub(super) fn checked_record(bytes: &[u8]) -> Result<&[u8], Damaged> {
    let record = bytes.get(..record_len(bytes)?).ok_or(Damaged)?;
    let crc = u32_at(record, 0).ok_or(Damaged)?;
    if crc32fast::hash(&record[4..]) != crc {
        return Err(Damaged);
    }
    Ok(record)
}

/// One record, its fixed part decoded; the properties are decoded (and
/// checked) by [`Record::properties`] when the profile is asked for.
pub(super) struct Record<'a> {
    pub(super) name: &'a str,
    pub(super) in_config: bool,
    /// The property count, and the bytes after it.
    pub(super) count: usize,
    pub(super) props: &'a [u8],
}

impl<'a> Record<'a> {
    /// The record `bytes` (a whole record, CRC checked).
    pub(super) fn parse(bytes: &'a [u8]) -> Result<Self, Damaged> {
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
    pub(super) fn properties(&self) -> Result<HashMap<String, String>, Damaged> {
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
pub(super) struct Reader<'a> {
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

pub(super) fn put_str(out: &mut Vec<u8>, text: &str) -> Option<()> {
    out.extend_from_slice(&u32::try_from(text.len()).ok()?.to_le_bytes());
    out.extend_from_slice(text.as_bytes());
    Some(())
}

pub(super) fn encode(
    identity: &Identity,
    sections: &Sections,
    hash: fn(&str) -> u64,
) -> Option<Vec<u8>> {
    let Profiles::Fresh(fresh) = &sections.profiles else {
        return None;
    };
    // Only the config file alone is indexed: never a credentials file
    // laid over it.
    if !sections.overlay.is_empty() {
        return None;
    }
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
    let mut other_sections: Vec<String> = sections.other_sections.iter().cloned().collect();
    other_sections.sort_unstable();
    let header = Header {
        format: FORMAT,
        version: env!("CARGO_PKG_VERSION").to_string(),
        identity: identity.clone(),
        sso_sessions,
        service_endpoints,
        other_sections,
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

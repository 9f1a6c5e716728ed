//! Small, exact edits of the user's own `~/.aws/config` and
//! `~/.aws/credentials`: set or remove one key in one profile's section(s),
//! remove a profile's key lines. Every other byte stays as it was (comments,
//! CRLF line ends, spacing, other sections, duplicates); files are replaced
//! atomically after a copy of the previous version is kept as `<file>.bak`.
//!
//! Sections and keys are recognised with the rules of the AWS SDKs' parser
//! (aws-config's): a header starts at column 0 with `[`, ends with `]`
//! before any `#`/`;` comment, and splits into a prefix and a name at the
//! first space or tab; in the config file a profile is `[profile NAME]`
//! (or `[default]`, which `[profile default]` overrides), in the
//! credentials file it is `[NAME]`; key names are case-insensitive; a line
//! starting with a space or tab continues the previous key's value.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::store::fsutil::{read_regular, write_atomic, write_backup, MAX_CONFIG_FILE_BYTES};

/// Which of the two AWS files a text is: they name profile sections differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `~/.aws/config`: `[profile NAME]`, `[default]`.
    Config,
    /// `~/.aws/credentials`: `[NAME]`.
    Credentials,
}

/// Whether `name` can be a profile name the SDKs accept (and so can be
/// written into a section header): ASCII letters, digits and `_-/.%@:+`.
pub fn is_valid_profile_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-/.%@:+".contains(c))
}

/// What one line of an AWS file is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// `[prefix name]`, split like the SDK does.
    Header {
        prefix: Option<String>,
        name: String,
    },
    /// `key = value`; the key lower-cased and trimmed.
    Property { key: String },
    /// Starts with a space or tab: part of the previous property's value.
    Continuation,
    /// Empty, whitespace-only or a `#`/`;` comment: ignored by the parser.
    Ignored,
    /// Something the SDK would reject; left alone.
    Other,
}

/// One line with its line ending.
#[derive(Debug)]
struct Line<'a> {
    text: &'a str,
    kind: Kind,
}

impl Line<'_> {
    /// The line without its `\n` / `\r\n`.
    fn body(&self) -> &str {
        let body = self.text.strip_suffix('\n').unwrap_or(self.text);
        body.strip_suffix('\r').unwrap_or(body)
    }

    /// The line's ending (`\r\n`, `\n` or nothing at the end of the file).
    fn ending(&self) -> &str {
        &self.text[self.body().len()..]
    }
}

const WHITESPACE: &[char] = &[' ', '\t'];

fn lines(text: &str) -> Vec<Line<'_>> {
    text.split_inclusive('\n')
        .map(|text| {
            let mut line = Line {
                text,
                kind: Kind::Other,
            };
            line.kind = classify(line.body());
            line
        })
        .collect()
}

fn classify(body: &str) -> Kind {
    if body.trim_matches(WHITESPACE).is_empty() || body.starts_with(['#', ';']) {
        return Kind::Ignored;
    }
    if body.starts_with('[') {
        let inner = strip_comment(body, false)
            .strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'));
        return match inner {
            Some(inner) => {
                let inner = inner.trim_matches(WHITESPACE);
                match inner.split_once(WHITESPACE) {
                    Some((prefix, name)) => Kind::Header {
                        prefix: Some(prefix.trim().to_string()),
                        name: name.trim().to_string(),
                    },
                    None => Kind::Header {
                        prefix: None,
                        name: inner.trim().to_string(),
                    },
                }
            }
            None => Kind::Other,
        };
    }
    if body.starts_with(WHITESPACE) {
        return Kind::Continuation;
    }
    match strip_comment(body, true).split_once('=') {
        Some((key, _)) if !key.trim_matches(WHITESPACE).is_empty() => Kind::Property {
            key: key.trim_matches(WHITESPACE).to_ascii_lowercase(),
        },
        _ => Kind::Other,
    }
}

/// The SDK's comment rule: `#` or `;` ends a header anywhere, a property
/// only after whitespace.
fn strip_comment(line: &str, comments_need_whitespace: bool) -> &str {
    let line = line.trim_matches(WHITESPACE);
    let mut previous_was_space = false;
    for (idx, c) in line.char_indices() {
        if (c == '#' || c == ';') && (previous_was_space || !comments_need_whitespace) {
            return line[..idx].trim_matches(WHITESPACE);
        }
        previous_was_space = c.is_whitespace();
    }
    line
}

/// The section each line belongs to: the index of its header line.
fn owners(lines: &[Line<'_>]) -> Vec<Option<usize>> {
    let mut current = None;
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            if matches!(line.kind, Kind::Header { .. }) {
                current = Some(i);
            }
            current
        })
        .collect()
}

/// Header lines that define `profile` in a file of `kind`. With
/// `effective`, only those the SDK reads (in the config file,
/// `[profile default]` hides `[default]`).
fn targets(lines: &[Line<'_>], kind: FileKind, profile: &str, effective: bool) -> Vec<usize> {
    let header = |line: &Line<'_>| match &line.kind {
        Kind::Header { prefix, name } => Some((prefix.clone(), name.clone())),
        _ => None,
    };
    let is = |prefix: Option<&str>, i: usize| {
        header(&lines[i]).is_some_and(|(p, n)| p.as_deref() == prefix && n == profile)
    };
    let all: Vec<usize> = (0..lines.len()).collect();
    match kind {
        FileKind::Credentials => all.into_iter().filter(|&i| is(None, i)).collect(),
        FileKind::Config if profile == "default" => {
            let prefixed: Vec<usize> = all
                .iter()
                .copied()
                .filter(|&i| is(Some("profile"), i))
                .collect();
            let plain = all.iter().copied().filter(|&i| is(None, i));
            if effective && !prefixed.is_empty() {
                prefixed
            } else {
                let mut both: Vec<usize> = plain.chain(prefixed).collect();
                both.sort_unstable();
                both
            }
        }
        FileKind::Config => all
            .into_iter()
            .filter(|&i| is(Some("profile"), i))
            .collect(),
    }
}

/// For each line, whether it is (part of) a `keys` property of a section
/// in `sections`: the key line and its continuation lines.
fn key_lines(lines: &[Line<'_>], sections: &[usize], keys: &[&str]) -> Vec<bool> {
    let owner = owners(lines);
    let mut hit = vec![false; lines.len()];
    let mut in_key = false;
    for (i, line) in lines.iter().enumerate() {
        let in_section = owner[i].is_some_and(|h| sections.contains(&h));
        match &line.kind {
            Kind::Header { .. } => in_key = false,
            Kind::Property { key } => {
                in_key = in_section && keys.iter().any(|k| k.eq_ignore_ascii_case(key));
                hit[i] = in_key;
            }
            // The parser skips these without ending the property.
            Kind::Ignored => {}
            Kind::Continuation => hit[i] = in_key,
            Kind::Other => in_key = false,
        }
    }
    hit
}

/// The line ending most of `text` uses (`\r\n` when any line has one).
fn file_ending(text: &str) -> &'static str {
    if text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

/// Which of `keys` the sections of `profile` in `text` define.
pub fn keys_present(text: &str, kind: FileKind, profile: &str, keys: &[&str]) -> Vec<String> {
    let lines = lines(text);
    let sections = targets(&lines, kind, profile, false);
    let hit = key_lines(&lines, &sections, keys);
    let mut found: Vec<String> = lines
        .iter()
        .zip(hit)
        .filter_map(|(line, hit)| match (&line.kind, hit) {
            (Kind::Property { key }, true) => Some(key.clone()),
            _ => None,
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

/// `text` without the `keys` lines (and their continuation lines) of every
/// section of `profile`; every other byte as it was. Returns the new text
/// and how many keys were removed.
pub fn remove_keys(text: &str, kind: FileKind, profile: &str, keys: &[&str]) -> (String, usize) {
    let lines = lines(text);
    let sections = targets(&lines, kind, profile, false);
    let hit = key_lines(&lines, &sections, keys);
    let mut removed = 0;
    let mut out = String::with_capacity(text.len());
    for (line, hit) in lines.iter().zip(hit) {
        if hit {
            removed += usize::from(matches!(line.kind, Kind::Property { .. }));
        } else {
            out.push_str(line.text);
        }
    }
    (out, removed)
}

/// The keys the sections of `profile` in `text` define, lower-cased and
/// sorted; `None` when `text` has no section for it.
pub fn section_keys(text: &str, kind: FileKind, profile: &str) -> Option<Vec<String>> {
    let lines = lines(text);
    let sections = targets(&lines, kind, profile, false);
    if sections.is_empty() {
        return None;
    }
    let owner = owners(&lines);
    let mut keys: Vec<String> = lines
        .iter()
        .zip(&owner)
        .filter_map(|(line, owner)| match &line.kind {
            Kind::Property { key } if owner.is_some_and(|h| sections.contains(&h)) => {
                Some(key.clone())
            }
            _ => None,
        })
        .collect();
    keys.sort();
    keys.dedup();
    Some(keys)
}

/// `text` without the sections of `profile`: each header, its keys and
/// the blank lines after them (comments after its last key are kept: they
/// usually introduce the next section). A section at the end of the file
/// takes the blank line before it too, which is how [`set_key`] appends
/// one, so appending a section and removing it gives the text back.
pub fn remove_section(text: &str, kind: FileKind, profile: &str) -> String {
    let lines = lines(text);
    let sections = targets(&lines, kind, profile, false);
    let owner = owners(&lines);
    let blank = |line: &Line<'_>| line.body().trim_matches(WHITESPACE).is_empty();
    let mut dropped = vec![false; lines.len()];
    for &header in &sections {
        let end = (header..lines.len())
            .take_while(|&i| owner[i] == Some(header))
            .last()
            .unwrap_or(header);
        let last_key = (header..=end)
            .rfind(|&i| !matches!(lines[i].kind, Kind::Ignored))
            .unwrap_or(header);
        let mut next = last_key + 1;
        while next <= end && blank(&lines[next]) {
            next += 1;
        }
        dropped[header..next].fill(true);
        if next == lines.len() && header > 0 && blank(&lines[header - 1]) {
            dropped[header - 1] = true;
        }
    }
    lines
        .iter()
        .zip(dropped)
        .filter(|(_, dropped)| !dropped)
        .map(|(line, _)| line.text)
        .collect()
}

/// `text` with `key = value` in the section of `profile`: an existing
/// `key` line keeps its spelling, spacing and comment and gets the new
/// value; otherwise the line is added after the last key of the section
/// the SDK reads last, or a new section is appended at the end.
pub fn set_key(text: &str, kind: FileKind, profile: &str, key: &str, value: &str) -> String {
    let lines = lines(text);
    let sections = targets(&lines, kind, profile, true);
    let hit = key_lines(&lines, &sections, &[key]);
    let mut out = String::with_capacity(text.len() + key.len() + value.len() + 32);
    if hit.iter().any(|&h| h) {
        for (line, hit) in lines.iter().zip(hit) {
            match (&line.kind, hit) {
                (Kind::Property { .. }, true) => {
                    out.push_str(&replace_value(line.body(), value));
                    out.push_str(line.ending());
                }
                // The old value's continuation lines would extend the new value.
                (Kind::Continuation, true) => {}
                _ => out.push_str(line.text),
            }
        }
        return out;
    }
    let ending = file_ending(text);
    let Some(&header) = sections.last() else {
        out.push_str(text);
        if !out.is_empty() {
            if !out.ends_with('\n') {
                out.push_str(ending);
            }
            out.push_str(ending);
        }
        let header = match (kind, profile) {
            (FileKind::Config, "default") | (FileKind::Credentials, _) => format!("[{profile}]"),
            (FileKind::Config, _) => format!("[profile {profile}]"),
        };
        out.push_str(&format!("{header}{ending}{key} = {value}{ending}"));
        return out;
    };
    // After the section's last key (or its header), before trailing blank lines and comments.
    let owner = owners(&lines);
    let after = (header..lines.len())
        .take_while(|&i| owner[i] == Some(header))
        .filter(|&i| {
            i == header || matches!(lines[i].kind, Kind::Property { .. } | Kind::Continuation)
        })
        .last()
        .unwrap_or(header);
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line.text);
        if i == after {
            let ending = match line.ending() {
                "" => {
                    out.push_str(ending);
                    ending
                }
                own => own,
            };
            out.push_str(&format!("{key} = {value}{ending}"));
        }
    }
    out
}

/// A property line with its value replaced; the key's spelling, the
/// spacing around `=` and a trailing comment are kept.
fn replace_value(body: &str, value: &str) -> String {
    let Some(eq) = body.find('=') else {
        return body.to_string();
    };
    let (left, rest) = body.split_at(eq + 1);
    let start = rest.len() - rest.trim_start_matches(WHITESPACE).len();
    // The value ends where the SDK's comment starts (whitespace then # or ;).
    let mut end = rest.len();
    let mut previous_was_space = false;
    for (idx, c) in rest.char_indices().skip_while(|(i, _)| *i < start) {
        if (c == '#' || c == ';') && previous_was_space {
            end = idx;
            break;
        }
        previous_was_space = c.is_whitespace();
    }
    let end = start + rest[start..end].trim_end_matches(WHITESPACE).len();
    format!("{left}{}{value}{}", &rest[..start], &rest[end..])
}

/// Parse a config and a credentials text with the SDKs' own parser
/// (aws-config's), as if they were the user's files: to check an edit's
/// effect before it is written.
pub fn parse_with_sdk(
    config: &str,
    credentials: &str,
) -> std::result::Result<aws_config::profile::ProfileSet, String> {
    use std::collections::HashMap;
    use std::future::Future;

    use aws_runtime::env_config::file::EnvConfigFiles;
    use aws_types::os_shim_internal::{Env, Fs};

    let fs = Fs::from_map(HashMap::from([
        ("/config".to_string(), config.as_bytes().to_vec()),
        ("/credentials".to_string(), credentials.as_bytes().to_vec()),
    ]));
    let env = Env::from_slice(&[
        ("AWS_CONFIG_FILE", "/config"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/credentials"),
        ("HOME", "/"),
    ]);
    let files = EnvConfigFiles::default();
    let load = aws_config::profile::load(&fs, &env, &files, None);
    // With an in-memory Fs the loader never waits: poll it to completion.
    let mut load = std::pin::pin!(load);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(out) = load.as_mut().poll(&mut cx) {
            return out.map_err(|e| e.to_string());
        }
    }
}

/// A planned rewrite of one file: what it held when read and what it will hold.
#[derive(Debug, Clone)]
pub struct FileEdit {
    /// The file (as configured; symlinks are followed when writing).
    pub path: PathBuf,
    /// Its bytes when read (`None`: it did not exist).
    pub original: Option<Vec<u8>>,
    /// The new content.
    pub content: String,
    /// Values the backup must not hold (the keys an import moves out):
    /// the lines holding them are left out of `<file>.bak`.
    pub secrets: Vec<String>,
}

impl FileEdit {
    /// Read `path` (a missing file reads as empty) to plan an edit of it.
    pub fn read(path: &Path) -> Result<(FileEdit, String)> {
        let original = read_regular(path, MAX_CONFIG_FILE_BYTES)
            .map_err(|e| Error::io("cannot read", path, e))?;
        let text = match &original {
            Some(bytes) => String::from_utf8(bytes.clone()).map_err(|_| {
                Error::ConfigFile(format!(
                    "{} is not UTF-8 text; stsenv edits only text files",
                    path.display()
                ))
            })?,
            None => String::new(),
        };
        Ok((
            FileEdit {
                path: path.to_path_buf(),
                original,
                content: text.clone(),
                secrets: Vec::new(),
            },
            text,
        ))
    }

    /// Whether the edit changes anything.
    pub fn changes(&self) -> bool {
        self.original.as_deref().unwrap_or_default() != self.content.as_bytes()
    }

    /// Write the new content: refuse when the file changed since it was
    /// read; keep the previous version as `<file>.bak` (0600, without the
    /// lines holding one of `secrets`); replace the
    /// file atomically with its own permissions. Returns the backup's path
    /// when there was a previous version. Does nothing without changes.
    pub fn apply(&self) -> Result<Option<PathBuf>> {
        self.apply_with(false)
    }

    /// [`FileEdit::apply`] for a file that is to hold secrets stsenv put
    /// there: the file (and its backup) end up readable by the user alone,
    /// whatever their mode was.
    pub fn apply_private(&self) -> Result<Option<PathBuf>> {
        self.apply_with(true)
    }

    fn apply_with(&self, private: bool) -> Result<Option<PathBuf>> {
        if !self.changes() {
            return Ok(None);
        }
        // Write through a symlinked file to its target, not over the link.
        let path = fs::canonicalize(&self.path).unwrap_or_else(|_| self.path.clone());
        let now = read_regular(&path, MAX_CONFIG_FILE_BYTES)
            .map_err(|e| Error::io("cannot read", &path, e))?;
        if now != self.original {
            return Err(Error::ConfigFile(format!(
                "{} changed while stsenv was editing it; nothing was written to it: run the command again",
                path.display()
            )));
        }
        let backup = match &self.original {
            Some(bytes) => {
                let secrets: Vec<&str> = self.secrets.iter().map(String::as_str).collect();
                Some(write_backup(&path, bytes, &secrets)?)
            }
            None => {
                let dir = path.parent().unwrap_or(Path::new("."));
                fs::create_dir_all(dir)
                    .map_err(|e| Error::io("cannot create the directory of", &path, e))?;
                None
            }
        };
        let mode = fs::metadata(&path).ok().map(|m| m.permissions());
        let mode = match private {
            true => mode.map(private_mode),
            false => mode,
        };
        write_atomic(&path, self.content.as_bytes(), mode)
            .map_err(|e| Error::io("cannot write", &path, e))?;
        Ok(backup)
    }
}

/// `mode` without the group's and others' bits.
fn private_mode(mode: fs::Permissions) -> fs::Permissions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::Permissions::from_mode(mode.mode() & 0o700)
    }
    #[cfg(not(unix))]
    mode
}

#[cfg(test)]
mod tests {
    use super::FileKind::{Config, Credentials};
    use super::*;

    const KEYS: [&str; 2] = ["aws_access_key_id", "aws_secret_access_key"];

    #[test]
    fn removes_exactly_the_two_lines_and_nothing_else() {
        let text = "# my keys\r\n[base]\r\naws_access_key_id = AKIA1\r\n; why\r\nAWS_Secret_Access_Key=s1 # c\r\nregion = x\r\n\r\n[other]\r\naws_access_key_id = AKIA2\r\naws_secret_access_key = s2\r\n";
        let (out, n) = remove_keys(text, Credentials, "base", &KEYS);
        assert_eq!(n, 2);
        assert_eq!(
            out,
            "# my keys\r\n[base]\r\n; why\r\nregion = x\r\n\r\n[other]\r\naws_access_key_id = AKIA2\r\naws_secret_access_key = s2\r\n"
        );
    }

    #[test]
    fn removal_follows_the_sdk_rules() {
        // Odd spacing, a commented header, duplicates, continuation lines
        // (even after a comment), a same-named config-style section that
        // the credentials file ignores, and no final newline.
        let text = "[ base ]   # first\naws_access_key_id\t=\tAKIA1\n  continued\n[profile base]\naws_access_key_id = KEEP\n[base]\nregion = r\n# c\n  aws_secret_access_key = continues-region\naws_secret_access_key =s1\n\n  part2\n# end\n[based]\naws_access_key_id = KEEP2";
        let (out, n) = remove_keys(text, Credentials, "base", &KEYS);
        assert_eq!(n, 2);
        assert_eq!(
            out,
            "[ base ]   # first\n[profile base]\naws_access_key_id = KEEP\n[base]\nregion = r\n# c\n  aws_secret_access_key = continues-region\n\n# end\n[based]\naws_access_key_id = KEEP2"
        );
        assert_eq!(
            keys_present(&out, Credentials, "base", &KEYS),
            Vec::<String>::new()
        );
        assert_eq!(
            keys_present(text, Credentials, "base", &KEYS),
            ["aws_access_key_id", "aws_secret_access_key"]
        );
    }

    #[test]
    fn config_sections_need_the_profile_prefix() {
        let text = "[dev]\nstsenv_keyring = true\n[profile dev]\nregion = x\nstsenv_keyring = true\n[profile  dev ]\nSTSENV_KEYRING=true\n";
        let (out, n) = remove_keys(text, Config, "dev", &["stsenv_keyring"]);
        assert_eq!(n, 2);
        assert_eq!(
            out,
            "[dev]\nstsenv_keyring = true\n[profile dev]\nregion = x\n[profile  dev ]\n"
        );
    }

    #[test]
    fn set_appends_to_the_last_section_after_its_last_key() {
        let text = "[profile dev]\r\nregion = x\r\n\r\n# about prod\r\n[profile prod]\r\nregion = y\r\n  sub = 1\r\n\r\n# trailing comment\r\n";
        let out = set_key(text, Config, "prod", "stsenv_keyring", "true");
        assert_eq!(
            out,
            "[profile dev]\r\nregion = x\r\n\r\n# about prod\r\n[profile prod]\r\nregion = y\r\n  sub = 1\r\nstsenv_keyring = true\r\n\r\n# trailing comment\r\n"
        );
        // Duplicate sections: the last one is where the SDK's value comes from.
        let dup = "[profile a]\nregion = x\n[profile b]\n[profile a]\noutput = json";
        assert_eq!(
            set_key(dup, Config, "a", "k", "v"),
            "[profile a]\nregion = x\n[profile b]\n[profile a]\noutput = json\nk = v\n"
        );
        // An empty section gets the key right after its header.
        assert_eq!(
            set_key("[profile a] ; note\n\n[profile b]\n", Config, "a", "k", "v"),
            "[profile a] ; note\nk = v\n\n[profile b]\n"
        );
    }

    #[test]
    fn set_rewrites_only_the_value_of_an_existing_key() {
        let text = "[default]\nregion=eu\nStsenv_Keyring  =  false   # mine\n  stray = continuation\nx = 1\n";
        assert_eq!(
            set_key(text, Config, "default", "stsenv_keyring", "true"),
            "[default]\nregion=eu\nStsenv_Keyring  =  true   # mine\nx = 1\n"
        );
        assert_eq!(replace_value("k=old", "new"), "k=new");
        assert_eq!(replace_value("k = a#b ;c", "new"), "k = new ;c");
    }

    #[test]
    fn set_adds_a_missing_section() {
        assert_eq!(
            set_key("[profile a]\r\nregion = x", Config, "b", "k", "v"),
            "[profile a]\r\nregion = x\r\n\r\n[profile b]\r\nk = v\r\n"
        );
        assert_eq!(
            set_key("", Config, "default", "k", "v"),
            "[default]\nk = v\n"
        );
        // `[a]` is not a profile in the config file: a real one is added.
        assert_eq!(
            set_key("[a]\n", Config, "a", "k", "v"),
            "[a]\n\n[profile a]\nk = v\n"
        );
    }

    #[test]
    fn default_prefers_the_prefixed_section() {
        let text = "[default]\nregion = a\n[profile default]\nregion = b\n";
        assert_eq!(
            set_key(text, Config, "default", "k", "v"),
            "[default]\nregion = a\n[profile default]\nregion = b\nk = v\n"
        );
        let marked = "[default]\nk = v\n[profile default]\nk = v\n";
        assert_eq!(
            remove_keys(marked, Config, "default", &["k"]).0,
            "[default]\n[profile default]\n"
        );
    }

    #[test]
    fn edits_agree_with_the_sdk_parser() {
        let config = "[profile base]\r\nregion = eu-west-1 ; here\r\n[ profile  base ]\r\nmfa_serial = arn:aws:iam::1:mfa/a\r\n  continued\r\n";
        let credentials = "[base]\naws_access_key_id=AKIAIOSFODNN7EXAMPLE\n\n[base]\naws_secret_access_key = wJalr\nregion = x\n";
        let config = set_key(config, Config, "base", "stsenv_keyring", "true");
        let (credentials, removed) = remove_keys(credentials, Credentials, "base", &KEYS);
        assert_eq!(removed, 2);
        let set = parse_with_sdk(&config, &credentials).unwrap();
        let base = set.get_profile("base").unwrap();
        assert_eq!(base.get("stsenv_keyring"), Some("true"));
        assert_eq!(base.get("aws_access_key_id"), None);
        assert_eq!(base.get("aws_secret_access_key"), None);
        assert_eq!(base.get("region"), Some("x"));
        assert!(base.get("mfa_serial").is_some());
    }

    #[cfg(unix)]
    #[test]
    fn apply_keeps_a_backup_and_the_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("credentials");
        fs::write(&path, "[a]\naws_access_key_id = X\n").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        let (mut edit, text) = FileEdit::read(&path).unwrap();
        edit.content = remove_keys(&text, Credentials, "a", &KEYS).0;
        let backup = edit.apply().unwrap().unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "[a]\n");
        assert_eq!(
            fs::read_to_string(&backup).unwrap(),
            "[a]\naws_access_key_id = X\n"
        );
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o640
        );
        assert_eq!(
            fs::metadata(&backup).unwrap().permissions().mode() & 0o777,
            0o600
        );
        // A file changed behind our back is not overwritten.
        let (mut edit, _) = FileEdit::read(&path).unwrap();
        edit.content = String::new();
        fs::write(&path, "[a]\nregion = changed\n").unwrap();
        assert!(edit
            .apply()
            .unwrap_err()
            .to_string()
            .contains("changed while"));
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "[a]\nregion = changed\n"
        );
    }
}

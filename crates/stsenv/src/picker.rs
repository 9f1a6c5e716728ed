//! `stsenv env --pick`: a fuzzy picker of profiles drawn on the terminal
//! (`/dev/tty`, the console on Windows), never on stdout, which stays env code only. Profiles show
//! their kind, account and cache state, most recently used first.
//!
//! The UI and the matching are dialoguer's `FuzzySelect` on a console `Term`
//! made of the terminal opened for reading and writing
//! (`platform::terminal::picker`), so nothing is drawn on stdout or stderr.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use stsenv_core::plan::resolve::cached_seconds_left;
use stsenv_core::plan::{Brief, Overrides, Plan};
use stsenv_core::profile::config::AwsConfig;
use stsenv_core::store::cache::Cache;

use crate::error::{CliError, CliResult};
use crate::output::human_duration;
use crate::platform::terminal;

/// The cache note listing recently used profiles, newest first.
const RECENT_NOTE: &str = "recent-profiles";
/// How many names the file keeps.
const RECENT_MAX: usize = 100;
/// Anything larger is not ours: ignored.
const RECENT_MAX_BYTES: u64 = 64 * 1024;

/// Ask the human to pick a profile; `Ok(None)` when they cancel.
pub fn pick() -> CliResult<Option<String>> {
    let term = terminal::picker().ok_or_else(|| {
        CliError::Usage(format!(
            "--pick needs a terminal to draw on ({}); name the profile instead",
            terminal::NAME
        ))
    })?;
    let config = AwsConfig::load()?;
    let names = ordered_names(&config, &recent());
    if names.is_empty() {
        return Err(CliError::Refused(
            "no profiles to pick from in ~/.aws/config or ~/.aws/credentials".into(),
        ));
    }
    let rows = Rows::new(&config, &names);
    let choice = dialoguer::FuzzySelect::with_theme(&rows)
        .with_prompt("profile (type to filter, Enter assumes, Esc cancels)")
        .items(&rows.names)
        .default(0)
        .max_length(15)
        .interact_on_opt(&term);
    drop(term);
    match choice {
        Ok(choice) => Ok(choice.and_then(|i| names.get(i).cloned())),
        // The terminal went away or the read failed: nothing is picked.
        Err(dialoguer::Error::IO(err)) => Err(CliError::Refused(format!(
            "cannot read the terminal for --pick: {err}"
        ))),
    }
}

/// Remember that `profile` was just used (best effort: a failure to write
/// only loses the ordering).
pub fn record_use(profile: &str) {
    record_use_in(&Cache::from_env(), profile);
}

/// [`record_use`] in `cache`. The note is rewritten only when it changes:
/// assuming the profile used last (the common case) writes nothing.
fn record_use_in(cache: &Cache, profile: &str) {
    let before = cache
        .read_note(RECENT_NOTE, RECENT_MAX_BYTES)
        .unwrap_or_default();
    let mut names = recent_in(&before);
    names.retain(|n| n != profile);
    names.insert(0, profile.to_string());
    names.truncate(RECENT_MAX);
    let text: String = names.iter().map(|n| format!("{n}\n")).collect();
    if text.as_bytes() != before {
        let _ = cache.write_note(RECENT_NOTE, text.as_bytes());
    }
}

/// The recently used names, newest first.
fn recent() -> Vec<String> {
    let bytes = Cache::from_env()
        .read_note(RECENT_NOTE, RECENT_MAX_BYTES)
        .unwrap_or_default();
    recent_in(&bytes)
}

/// The names of the note `bytes`. The file is outside input: only
/// printable, non-empty, bounded lines are taken, each once.
fn recent_in(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut names: Vec<String> = Vec::new();
    for line in text.lines() {
        let ok = !line.is_empty() && line.len() <= 256 && !line.chars().any(char::is_control);
        if ok && !names.iter().any(|n| n == line) {
            names.push(line.to_string());
        }
        if names.len() == RECENT_MAX {
            break;
        }
    }
    names
}

/// Every profile, the recently used (that still exist) first.
fn ordered_names(config: &AwsConfig, recent: &[String]) -> Vec<String> {
    let all: Vec<&str> = config.profile_names();
    let mut names: Vec<String> = recent
        .iter()
        .filter(|r| all.contains(&r.as_str()))
        .cloned()
        .collect();
    names.extend(
        all.iter()
            .filter(|n| !recent.iter().any(|r| r == *n))
            .map(|n| n.to_string()),
    );
    names
}

/// The picker's rows: dialoguer matches what is typed against the items,
/// which are the names alone (typing "al" must not keep `develop` because
/// its kind says "invalid"); this theme draws each with its kind, account
/// and cache state beside it.
struct Rows {
    /// The names as shown, one item each.
    names: Vec<String>,
    /// The columns drawn after each shown name.
    details: HashMap<String, String>,
    /// The widest shown name, to align the columns.
    width: usize,
}

impl Rows {
    /// The rows of `names`, in that order.
    ///
    /// The kinds and accounts of all profiles come from plans made
    /// together ([`Plan::briefs`]: each chain worked out once); the cache
    /// state needs a profile's whole plan, made only for the profiles with
    /// an entry in the cache (a handful, of thousands), so the picker
    /// draws at once.
    fn new(config: &AwsConfig, names: &[String]) -> Rows {
        let cache = Cache::from_env();
        let now = Timestamp::now();
        let cached: HashSet<String> = cache.list().into_iter().map(|(_, e)| e.profile).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let briefs = Plan::briefs(config, &refs);
        let mut details = HashMap::new();
        let shown: Vec<String> = names
            .iter()
            .zip(briefs)
            .map(|(name, brief)| {
                // Names come from the user's files: shown without control characters.
                let shown: String = name.chars().filter(|c| !c.is_control()).collect();
                let cached = cached.contains(name);
                details
                    .entry(shown.clone())
                    .or_insert_with(|| describe(config, &cache, name, brief, cached, now));
                shown
            })
            .collect();
        let width = shown.iter().map(|n| n.chars().count()).max().unwrap_or(0);
        Rows {
            names: shown,
            details,
            width,
        }
    }
}

impl dialoguer::theme::Theme for Rows {
    fn format_fuzzy_select_prompt_item(
        &self,
        f: &mut dyn std::fmt::Write,
        text: &str,
        active: bool,
        highlight_matches: bool,
        matcher: &fuzzy_matcher::skim::SkimMatcherV2,
        search_term: &str,
    ) -> std::fmt::Result {
        dialoguer::theme::SimpleTheme.format_fuzzy_select_prompt_item(
            f,
            text,
            active,
            highlight_matches,
            matcher,
            search_term,
        )?;
        let pad = self.width.saturating_sub(text.chars().count());
        let details = self.details.get(text).map_or("", String::as_str);
        write!(f, "{:pad$}  {details}", "")
    }
}

/// A profile's kind, account and cache state, in columns.
fn describe(
    config: &AwsConfig,
    cache: &Cache,
    name: &str,
    brief: Option<Brief>,
    cached: bool,
    now: Timestamp,
) -> String {
    let Some(brief) = brief else {
        return format!("{:8} {:12} ", "invalid", "");
    };
    let state = if cached {
        Plan::build(config, Some(name), &Overrides::default())
            .ok()
            .and_then(|plan| cached_seconds_left(cache, &plan, now))
            .map(|l| format!("cached, {} left", human_duration(l)))
            .unwrap_or_default()
    } else {
        String::new()
    };
    let account = brief.account.unwrap_or_default();
    format!("{:8} {account:12} {state}", brief.kind.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_names_come_first_and_vanished_ones_are_dropped() {
        let config =
            AwsConfig::from_texts("[profile a]\nregion = x\n[profile b]\n[profile c]\n", "")
                .unwrap();
        let names = ordered_names(&config, &["c".into(), "gone".into(), "a".into()]);
        assert_eq!(names, ["c", "a", "b"]);
    }

    #[cfg(unix)]
    #[test]
    fn using_the_latest_profile_again_writes_nothing() {
        use std::os::unix::fs::MetadataExt;
        let tmp = tempfile::tempdir().unwrap();
        let cache = Cache::at(tmp.path().join("cache"));
        let note = cache.dir().join("recent-profiles.note");
        // A note is replaced by renaming a new file over it: a new inode.
        let inode = || std::fs::metadata(&note).unwrap().ino();
        record_use_in(&cache, "a");
        record_use_in(&cache, "b");
        let written = inode();
        record_use_in(&cache, "b");
        assert_eq!(inode(), written, "unchanged, not rewritten");
        assert_eq!(std::fs::read_to_string(&note).unwrap(), "b\na\n");
        record_use_in(&cache, "a");
        assert_ne!(inode(), written);
        assert_eq!(std::fs::read_to_string(&note).unwrap(), "a\nb\n");
        // A note holding junk is cleaned even when its first name is the one used.
        std::fs::write(&note, "a\n\na\nb\n").unwrap();
        record_use_in(&cache, "a");
        assert_eq!(std::fs::read_to_string(&note).unwrap(), "a\nb\n");
    }
}

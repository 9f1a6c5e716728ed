//! `stsenv env --pick`: a fuzzy picker of profiles drawn on the terminal
//! (`/dev/tty`, the console on Windows), never on stdout, which stays env code only. Profiles show
//! their kind, account and cache state, most recently used first.
//!
//! The UI and the matching are dialoguer's `FuzzySelect` on a console `Term`
//! made of the terminal opened for reading and writing
//! (`platform::terminal::picker`), so nothing is drawn on stdout or stderr.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use jiff::Timestamp;
use stsenv_core::plan::resolve::cached_seconds_left;
use stsenv_core::plan::{Brief, Briefs, Overrides, Plan};
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
    let cache = Cache::from_env();
    let config = AwsConfig::load_in(&cache)?;
    let names = ordered_names(&config, &recent(&cache));
    if names.is_empty() {
        return Err(CliError::Refused(
            "no profiles to pick from in ~/.aws/config or ~/.aws/credentials".into(),
        ));
    }
    let rows = Rows::new(&config, &names, cache);
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

/// Remember in `cache` that `profile` was just used (best effort: a
/// failure to write only loses the ordering). The note is rewritten only
/// when it changes: assuming the profile used last (the common case)
/// writes nothing.
pub fn record_use(cache: &Cache, profile: &str) {
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

/// The recently used names of `cache`, newest first.
fn recent(cache: &Cache) -> Vec<String> {
    let bytes = cache
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
    let existing: HashSet<&str> = all.iter().copied().collect();
    let recent: Vec<&str> = recent
        .iter()
        .map(String::as_str)
        .filter(|r| existing.contains(r))
        .collect();
    let first: HashSet<&str> = recent.iter().copied().collect();
    recent
        .iter()
        .copied()
        .chain(all.iter().copied().filter(|n| !first.contains(n)))
        .map(str::to_string)
        .collect()
}

/// The picker's rows: dialoguer matches what is typed against the items,
/// which are the names alone (typing "al" must not keep `develop` because
/// its kind says "invalid"); this theme draws each with its kind, account
/// and cache state beside it.
///
/// Those columns are worked out as rows are drawn, not before: the first
/// frame of 5,000 profiles shows 15, and plans and cache lookups for the
/// other 4,985 would only delay it. Plans share their chains
/// ([`Briefs`]), so scrolling through all of them costs no more in all.
struct Rows<'a> {
    /// The names as shown, one item each.
    names: Vec<String>,
    /// The profile each shown name stands for (a name with control
    /// characters is shown without them).
    profiles: HashMap<String, String>,
    /// The widest shown name, to align the columns.
    width: usize,
    config: &'a AwsConfig,
    cache: Cache,
    briefs: Briefs<'a>,
    now: Timestamp,
    /// The columns of the rows drawn so far, by shown name.
    details: RefCell<HashMap<String, Rc<str>>>,
}

impl<'a> Rows<'a> {
    /// The rows of `names`, in that order (nothing is planned yet).
    fn new(config: &'a AwsConfig, names: &[String], cache: Cache) -> Rows<'a> {
        let mut profiles = HashMap::with_capacity(names.len());
        let shown: Vec<String> = names
            .iter()
            .map(|name| {
                // Names come from the user's files: shown without control characters.
                let shown: String = name.chars().filter(|c| !c.is_control()).collect();
                profiles
                    .entry(shown.clone())
                    .or_insert_with(|| name.clone());
                shown
            })
            .collect();
        let width = shown.iter().map(|n| n.chars().count()).max().unwrap_or(0);
        Rows {
            names: shown,
            profiles,
            width,
            config,
            cache,
            briefs: Briefs::new(config),
            now: Timestamp::now(),
            details: RefCell::new(HashMap::new()),
        }
    }

    /// The columns drawn after the shown name `shown`, worked out the first
    /// time it is drawn.
    fn details(&self, shown: &str) -> Rc<str> {
        if let Some(known) = self.details.borrow().get(shown) {
            return known.clone();
        }
        let text: Rc<str> = match self.profiles.get(shown) {
            Some(name) => describe(
                self.config,
                &self.cache,
                name,
                self.briefs.of(name),
                self.now,
            ),
            None => String::new(),
        }
        .into();
        self.details
            .borrow_mut()
            .insert(shown.to_string(), text.clone());
        text
    }
}

impl dialoguer::theme::Theme for Rows<'_> {
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
        let details = self.details(text);
        write!(f, "{:pad$}  {details}", "")
    }
}

/// A profile's kind, account and cache state, in columns. The cache
/// state needs the profile's whole plan (the cache key is its last
/// step's), made only for a profile that plans.
fn describe(
    config: &AwsConfig,
    cache: &Cache,
    name: &str,
    brief: Option<Brief>,
    now: Timestamp,
) -> String {
    let Some(brief) = brief else {
        return format!("{:8} {:12} ", "invalid", "");
    };
    let state = Plan::build(config, Some(name), &Overrides::default())
        .ok()
        .and_then(|plan| cached_seconds_left(cache, &plan, now))
        .map(|l| format!("cached, {} left", human_duration(l)))
        .unwrap_or_default();
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

    /// Every profile is an item; the columns beside a name are worked out
    /// when its row is drawn, not before the first frame, and say what
    /// they said when worked out up front.
    #[test]
    fn every_profile_is_listed_and_its_columns_come_when_drawn() {
        let mut text = String::from("[profile base]\nregion = eu-west-1\n");
        for i in 0..40 {
            text += &format!(
                "[profile r{i:02}]\nrole_arn = arn:aws:iam::{:012}:role/x\nsource_profile = base\n",
                100 + i
            );
        }
        text += "[profile broken]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = nowhere\n";
        let config = AwsConfig::from_texts(
            &text,
            "[base]\naws_access_key_id = AKIA1\naws_secret_access_key = s\n",
        )
        .unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let names = ordered_names(&config, &["r39".into()]);
        assert_eq!(names.len(), 42);
        assert_eq!(names[0], "r39");
        let rows = Rows::new(&config, &names, Cache::at(tmp.path().join("cache")));
        assert_eq!(rows.names, names);
        assert!(
            rows.details.borrow().is_empty(),
            "nothing planned before drawing"
        );
        let row = |name: &str| {
            let mut line = String::new();
            let matcher = fuzzy_matcher::skim::SkimMatcherV2::default();
            dialoguer::theme::Theme::format_fuzzy_select_prompt_item(
                &rows, &mut line, name, false, false, &matcher, "",
            )
            .unwrap();
            line
        };
        let r07 = row("r07");
        assert!(
            r07.contains("role") && r07.contains("000000000107"),
            "{r07}"
        );
        assert!(row("broken").contains("invalid"));
        assert!(row("base").contains("static"));
        assert_eq!(rows.details.borrow().len(), 3, "only the rows drawn");
        assert_eq!(row("r07"), r07);
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
        record_use(&cache, "a");
        record_use(&cache, "b");
        let written = inode();
        record_use(&cache, "b");
        assert_eq!(inode(), written, "unchanged, not rewritten");
        assert_eq!(std::fs::read_to_string(&note).unwrap(), "b\na\n");
        record_use(&cache, "a");
        assert_ne!(inode(), written);
        assert_eq!(std::fs::read_to_string(&note).unwrap(), "a\nb\n");
        // A note holding junk is cleaned even when its first name is the one used.
        std::fs::write(&note, "a\n\na\nb\n").unwrap();
        record_use(&cache, "a");
        assert_eq!(std::fs::read_to_string(&note).unwrap(), "a\nb\n");
    }
}

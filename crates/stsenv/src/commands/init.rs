//! `stsenv init SHELL`: print the shell plugin: the shell's template with
//! the binary's absolute path, one `<alias>_assume` function per profile
//! whose plan builds, and the hook registration (see `crate::shell`).
//!
//! With thousands of profiles the functions go into a file in the cache
//! directory that the plugin sources: a shell reads a file of 5,000
//! definitions faster than the same text through `eval "$(…)"`, and a
//! shell start then costs stsenv a few stats and one small read.
//!
//! Which profiles plan takes parsing and planning every profile: half a
//! second at 50,000. A shell that reads its functions file lazily (bash)
//! does not wait for it on the first `init` after the config changed: the
//! plugin asks `stsenv init SHELL --functions-file` for the file when a
//! function is first needed.

use std::process::ExitCode;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use stsenv_core::plan::Plan;
use stsenv_core::profile::config::AwsConfig;
use stsenv_core::store::cache::Cache;

use crate::cli::InitArgs;
use crate::error::{CliError, CliResult};
use crate::output;
use crate::session;
use crate::shell::{self, AssumeFunction, Functions, InitOptions, Shell};

/// The environment variable that turns a run of stsenv into a completion
/// request. Not clap's default `COMPLETE`: a name that generic may be set
/// for other reasons, and stsenv would then print completions instead of
/// running.
pub const COMPLETE_VAR: &str = "_STSENV_COMPLETE";

/// Run `stsenv init`.
pub fn run(args: InitArgs) -> CliResult {
    if args.functions_file {
        return print_functions_file(args.shell);
    }
    let exe = std::env::current_exe().map_err(|e| {
        CliError::Refused(format!("cannot find the path of the stsenv binary: {e}"))
    })?;
    let bin = exe
        .to_str()
        .ok_or_else(|| {
            CliError::Refused(format!(
                "the path of stsenv is not UTF-8: {}",
                exe.display()
            ))
        })?
        .to_string();
    let functions = if args.no_aliases {
        Functions::None
    } else {
        functions_for(args.shell)
    };
    let options = InitOptions {
        bin,
        epoch: jiff::Timestamp::now().as_second(),
        functions,
        hook: !args.no_hook,
    };
    output::print(&shell::render_init(args.shell, &options))?;
    Ok(ExitCode::SUCCESS)
}

/// Up to this many functions are written into the plugin itself; more go
/// into a file the plugin sources (in shells that can).
const INLINE_MAX: usize = 200;

/// From this size of the AWS files on, a shell that reads its functions
/// file lazily gets it only when a function is first needed, unless it is
/// written already: ~600 profiles, where planning them all starts to be
/// felt at every shell start.
const LATER_FROM_BYTES: u64 = 64 << 10;

/// The `<alias>_assume` functions for `shell`, inline, from a file, or
/// from a file written when first needed.
fn functions_for(shell: Shell) -> Functions {
    let cache = Cache::from_env();
    // The files and environment of an earlier `init`: its file serves as
    // it is, and the AWS files are not even read.
    let files = AwsConfig::files_fingerprint();
    let settled = files.as_ref().and_then(|f| memo_key(&f.digest));
    if let Some(found) = settled
        .as_deref()
        .and_then(|key| function_files::find(&cache, key, shell))
    {
        return found;
    }
    if settled.is_some()
        && shell.plugin().source_later().is_some()
        && files.as_ref().is_some_and(|f| f.bytes >= LATER_FROM_BYTES)
        && cache.keeps_notes()
    {
        return Functions::Later;
    }
    // A broken config must not break the user's shell start-up: the
    // plugin still loads, without per-profile functions.
    let config = match AwsConfig::load() {
        Ok(config) => config,
        Err(err) => {
            crate::output::warn(&format!("no <profile>_assume functions: {err}"));
            return Functions::Inline(Vec::new());
        }
    };
    // Keyed by what was loaded (the files may have changed since the
    // stat above; the same files keep the key already worked out).
    let key = match config.fingerprint() {
        Some(loaded) if files.as_ref().is_some_and(|f| f.digest == loaded) => settled,
        loaded => loaded.and_then(|f| memo_key(&f)),
    };
    let functions = assume_functions(&cache, key.as_deref(), &config);
    // Files that just changed have no key: a file nothing remembers is
    // pruned in time, and a shell may read it much later.
    if functions.len() > INLINE_MAX && key.is_some() {
        if let Some(written) = function_files::write(&cache, key.as_deref(), shell, &functions) {
            return written;
        }
    }
    Functions::Inline(functions)
}

/// `init SHELL --functions-file`: the path of the file (or autoload
/// directory) holding the `<alias>_assume` functions, written now when no
/// earlier `init` wrote it. The plugin sources what it names.
fn print_functions_file(shell: Shell) -> CliResult {
    if shell.plugin().source_file("").is_none() {
        return Err(CliError::Refused(format!(
            "the {} plugin carries its functions itself; run: stsenv init {}",
            shell.name(),
            shell.name()
        )));
    }
    let config = AwsConfig::load()
        .map_err(|err| CliError::Refused(format!("no <profile>_assume functions: {err}")))?;
    let cache = Cache::from_env();
    let key = config.fingerprint().and_then(|f| memo_key(&f));
    let found = key
        .as_deref()
        .and_then(|key| function_files::find(&cache, key, shell))
        .or_else(|| {
            let functions = assume_functions(&cache, key.as_deref(), &config);
            function_files::write(&cache, key.as_deref(), shell, &functions)
        });
    match found {
        Some(Functions::File(path) | Functions::Dir(path)) => {
            output::print(&format!("{path}\n"))?;
            Ok(ExitCode::SUCCESS)
        }
        _ => Err(CliError::Refused(format!(
            "no <profile>_assume functions: the cache directory {} cannot keep them; see: stsenv doctor",
            cache.dir().display()
        ))),
    }
}

/// The `<alias>_assume` functions for every profile whose plan builds.
///
/// Planning 5,000 profiles takes longer than the rest of `init`, so the
/// list of profiles that plan (and their aliases) is kept in the cache
/// under `key` (see [`memo_key`]).
fn assume_functions(cache: &Cache, key: Option<&str>, config: &AwsConfig) -> Vec<AssumeFunction> {
    if let Some(profiles) = key.and_then(|key| read_memo(cache, key, config)) {
        return shell::assume_functions(profiles.iter().map(|(p, a)| (p.as_str(), a.as_deref())));
    }
    // Which profiles plan, found together: a chain shared by many
    // profiles (thousands deep, or under thousands of roles) is walked once.
    let names = config.profile_names();
    let profiles: Vec<(String, Option<String>)> = names
        .iter()
        .zip(Plan::which_build(config, &names))
        .filter(|(_, plans)| *plans)
        .map(|(name, _)| {
            let alias = config
                .profile(name)
                .ok()
                .and_then(|profile| profile.get("stsenv_alias"));
            (name.to_string(), alias.map(str::to_string))
        })
        .collect();
    if let Some(key) = key {
        let memo = Memo {
            key: key.to_string(),
            profiles: profiles.clone(),
        };
        if let Ok(bytes) = serde_json::to_vec(&memo) {
            let _ = cache.write_note(MEMO_NOTE, &bytes);
        }
    }
    shell::assume_functions(profiles.iter().map(|(p, a)| (p.as_str(), a.as_deref())))
}

/// The note holding the last list of profiles that plan.
const MEMO_NOTE: &str = "init-profiles";

/// Which profiles planned, for which inputs.
#[derive(Serialize, Deserialize)]
struct Memo {
    key: String,
    profiles: Vec<(String, Option<String>)>,
}

/// The digest of everything planning reads: the files' identity (their
/// `fingerprint`), every `AWS_*`, `STSENV_*`, `USER`, `USERNAME` and
/// `HOME` variable but a session's own ([`session::PER_SESSION`]: which
/// profiles plan does not depend on them), and the version.
fn memo_key(fingerprint: &str) -> Option<String> {
    let mut vars: Vec<(String, String)> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .filter(|(k, _)| {
            (k.starts_with("AWS_")
                || k.starts_with("STSENV_")
                || ["USER", "USERNAME", "HOME"].contains(&k.as_str()))
                && !session::PER_SESSION.contains(&k.as_str())
        })
        .collect();
    vars.sort();
    // Hashed: the variables may hold credentials, which never reach a file.
    let input = serde_json::to_vec(&(env!("CARGO_PKG_VERSION"), fingerprint, vars)).ok()?;
    Some(hex::encode(Sha256::digest(&input)))
}

/// The memo for `key`, if the cache holds one whose profiles all exist
/// (it is a cache file: anything else means planning again).
fn read_memo(
    cache: &Cache,
    key: &str,
    config: &AwsConfig,
) -> Option<Vec<(String, Option<String>)>> {
    let bytes = cache.read_note(MEMO_NOTE, 64 << 20)?;
    let memo: Memo = serde_json::from_slice(&bytes).ok()?;
    (memo.key == key && memo.profiles.iter().all(|(p, _)| config.has_profile(p)))
        .then_some(memo.profiles)
}

/// The files of generated functions the plugin sources: notes named by
/// the shell and a digest of their text (so a name always means the same
/// code), and a small note saying which one serves which [`memo_key`].
mod function_files {
    use super::*;

    /// The note listing which file serves which key, for which shell.
    const INDEX_NOTE: &str = "init-functions";
    /// The first part of a functions file's note name.
    const PREFIX: &str = "functions-";
    /// How many (key, shell) pairs the index remembers: a few configs
    /// (projects that set `AWS_CONFIG_FILE`) and environments at once.
    const REMEMBERED: usize = 16;
    /// A file no pair refers to is removed once it is this old: younger,
    /// another `init` may have just written it.
    const MIN_AGE: Duration = Duration::from_secs(600);

    #[derive(Default, Serialize, Deserialize)]
    struct Index {
        /// The most recently written first.
        files: Vec<Served>,
    }

    #[derive(Serialize, Deserialize)]
    struct Served {
        key: String,
        shell: String,
        note: String,
    }

    fn read_index(cache: &Cache) -> Index {
        cache
            .read_note(INDEX_NOTE, 64 << 10)
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// The file (or directory) serving `key` in `shell`, if there is one
    /// the cache still trusts.
    pub(super) fn find(cache: &Cache, key: &str, shell: Shell) -> Option<Functions> {
        let name = shell.name();
        let index = read_index(cache);
        let served = index
            .files
            .iter()
            .find(|s| s.key == key && s.shell == name)?;
        // Only a file of this shell's, whatever the index says.
        if !served.note.starts_with(&format!("{PREFIX}{name}-")) {
            return None;
        }
        located(cache, shell, &served.note)
    }

    /// The note `note` as `shell` reads it: a directory it autoloads
    /// from (fish, zsh) or a file it sources (bash), once the cache's
    /// checks pass.
    fn located(cache: &Cache, shell: Shell, note: &str) -> Option<Functions> {
        if shell.plugin().autoload_files(&[]).is_some() {
            let path = cache.note_dir(note)?;
            Some(Functions::Dir(path.to_str()?.to_string()))
        } else {
            let path = cache.note_file(note)?;
            Some(Functions::File(path.to_str()?.to_string()))
        }
    }

    /// Write `functions` into a file for `shell` (unless the same text is
    /// there already), remember it for `key` (with none, files that just
    /// changed, nothing remembers it and it is pruned in time: only for a
    /// shell about to read it), and remove
    /// files nothing refers to any more. `None` when the shell cannot
    /// source a file or the cache cannot keep one.
    pub(super) fn write(
        cache: &Cache,
        key: Option<&str>,
        shell: Shell,
        functions: &[AssumeFunction],
    ) -> Option<Functions> {
        // PowerShell's plugin always carries its functions.
        shell.plugin().source_file("")?;
        let name = shell.name();
        if let Some(files) = shell.plugin().autoload_files(functions) {
            let mut digest = Sha256::new();
            for (file, text) in &files {
                digest.update(format!("{}\n{file}\n{}\n", file.len(), text.len()));
                digest.update(text.as_bytes());
            }
            let digest = hex::encode(digest.finalize());
            let note = format!("{PREFIX}{name}-{}", &digest[..24]);
            if cache.note_dir(&note).is_none() {
                cache.write_note_dir(&note, &files).ok()?;
            }
            return remember(cache, key, shell, note);
        }
        let text = format!(
            "# The <alias>_assume functions of stsenv's {name} plugin, written by\n\
             # `stsenv init {name}` for {} profiles; written again when the AWS\n\
             # config files change, and removed when nothing uses them.\n{}",
            functions.len(),
            shell::render_functions(shell, functions)
        );
        let digest = hex::encode(Sha256::digest(text.as_bytes()));
        let note = format!("{PREFIX}{name}-{}", &digest[..24]);
        if cache.note_file(&note).is_none() {
            cache.write_note(&note, text.as_bytes()).ok()?;
        }
        remember(cache, key, shell, note)
    }

    /// Say that `note` serves `key` in `shell`, remove what nothing refers
    /// to any more, and return it as the shell reads it.
    fn remember(cache: &Cache, key: Option<&str>, shell: Shell, note: String) -> Option<Functions> {
        let found = located(cache, shell, &note)?;
        let Some(key) = key else {
            return Some(found);
        };
        let name = shell.name();
        let mut index = read_index(cache);
        index.files.retain(|s| !(s.key == key && s.shell == name));
        index.files.insert(
            0,
            Served {
                key: key.to_string(),
                shell: name,
                note,
            },
        );
        index.files.truncate(REMEMBERED);
        let bytes = serde_json::to_vec(&index).ok()?;
        cache.write_note(INDEX_NOTE, &bytes).ok()?;
        let _ = cache.prune_notes(PREFIX, MIN_AGE, |n| index.files.iter().any(|s| s.note == n));
        Some(found)
    }
}

//! `stsenv keys add|import|rotate|list|remove`: long-term keys in the OS
//! keystore. The engine (`stsenv_core::keys::import`, `stsenv_core::keys::rotate`)
//! decides the order of the writes; this module asks on the terminal and
//! prints. Secrets are read from the terminal without echo (or from stdin
//! with `--stdin`), never from argv, and never printed.

use std::io::{BufRead, Write};
use std::path::Path;
use std::process::ExitCode;

use serde_json::json;
use stsenv_core::keys::import::{self as keys, Listed};
use stsenv_core::keys::rotate::{self, Event};
use stsenv_core::plan::step::mask_key;
use stsenv_core::profile::config::AwsConfig;
use stsenv_core::store::cache::Cache;
use stsenv_core::store::keystore::{self, Backend, KeyPair};
use stsenv_core::Error;

use crate::cli::KeysCommand;
use crate::error::{CliError, CliResult};
use crate::output::{self, note};
use crate::platform::terminal;
use crate::prompt::{has_terminal, TerminalPrompter};

/// Run `stsenv keys …`.
pub fn run(command: KeysCommand) -> CliResult {
    crate::prompt::ask_keystore_passphrases();
    let config = AwsConfig::load()?;
    match command {
        KeysCommand::Add {
            profile,
            stdin,
            no_verify,
        } => add(&config, &profile, stdin, !no_verify),
        KeysCommand::Import { profile } => import(&config, &profile),
        KeysCommand::Rotate {
            profile,
            token_code,
        } => rotate(&config, &profile, token_code),
        KeysCommand::List { json } => list(&config, json),
        KeysCommand::Remove { profile, yes } => remove(&config, &profile, yes),
    }
}

fn add(config: &AwsConfig, profile: &str, stdin: bool, verify: bool) -> CliResult {
    keys::check_add(config, profile)?;
    let keys = if stdin {
        read_keys_from_stdin(profile)?
    } else {
        ask_keys(profile)?
    };
    let added = keys::add(config, profile, &keys, verify)?;
    let mut out = String::new();
    out.push_str(&format!(
        "Stored the access key {} of profile `{profile}` in {}",
        mask_key(&keys.access_key_id),
        added.backend.name()
    ));
    if let Some(identity) = &added.identity {
        out.push_str(&format!(" (verified: {})", identity.arn));
    }
    out.push_str(&format!(
        ".\nMarked the profile in {} with `{} = {}`{}.\n",
        added.config_file.display(),
        keystore::MARKER_KEY,
        added.backend.marker(),
        backup_note(added.backup.as_deref())
    ));
    out.push_str(&credential_process_offer(config, profile, false));
    output::print(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn import(config: &AwsConfig, profile: &str) -> CliResult {
    let imported = keys::import(config, profile)?;
    let mut out = format!(
        "Moved the access key {} of profile `{profile}` ({}) into {}.\n",
        mask_key(&imported.access_key_id),
        imported.identity.arn,
        imported.backend.name()
    );
    let mark = format!("{} = {}", keystore::MARKER_KEY, imported.backend.marker());
    for file in &imported.edited {
        let what = match (file.marked, file.keys_removed) {
            (true, true) => {
                format!("Marked the profile with `{mark}` and removed its key lines in")
            }
            (true, false) => format!("Marked the profile with `{mark}` in"),
            _ => "Removed its aws_access_key_id and aws_secret_access_key lines from".to_string(),
        };
        out.push_str(&format!(
            "{what} {}{}.\n",
            file.path.display(),
            backup_note(file.backup.as_deref())
        ));
        if let (true, Some(backup)) = (file.keys_removed, &file.backup) {
            out.push_str(&format!(
                "{} still holds the keys in plain text: delete it once `stsenv whoami {profile}` works.\n",
                backup.display()
            ));
        }
    }
    out.push_str(&credential_process_offer(
        config,
        profile,
        imported.has_credential_process,
    ));
    output::print(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn rotate(config: &AwsConfig, profile: &str, token_code: Option<String>) -> CliResult {
    let prompter = TerminalPrompter::new(token_code.as_deref(), false)?;
    // Said as it happens, on stderr: an interrupted rotation has already told which key is stored.
    let mut report = |event: Event| {
        let line = match event {
            Event::Resuming { what } => format!("finishing an interrupted rotation: {what}"),
            Event::OrphanDeleted { id } => format!(
                "deleted {}, left by an interrupted rotation (its secret was never stored)",
                mask_key(&id)
            ),
            Event::Created { new, old } => format!(
                "created {} and stored it as pending; the stored key in use is still {}",
                mask_key(&new),
                mask_key(&old)
            ),
            Event::Waiting {
                attempt,
                delay_secs,
            } => format!(
                "the new key is not accepted yet (attempt {attempt}; IAM takes a few seconds to propagate a new key), retrying in {delay_secs} s"
            ),
            Event::Stored { new, old } => format!(
                "{} works and is now the stored key; {} still exists in IAM",
                mask_key(&new),
                mask_key(&old)
            ),
            Event::Deleted { old } => format!("deleted the old key {} in IAM", mask_key(&old)),
        };
        note(&format!("stsenv: {line}"));
    };
    let rotated = rotate::rotate(config, profile, &Cache::from_env(), &prompter, &mut report)?;
    output::print(&format!(
        "{} the access key of profile `{profile}` (IAM user {}): {} is stored in {}, {} is deleted.\n",
        if rotated.resumed {
            "Finished rotating"
        } else {
            "Rotated"
        },
        rotated.user,
        mask_key(&rotated.new),
        keys::backend_of(config, profile).name(),
        mask_key(&rotated.old)
    ))?;
    Ok(ExitCode::SUCCESS)
}

fn list(config: &AwsConfig, as_json: bool) -> CliResult {
    let rows = keys::list(config)?;
    if as_json {
        let rows: Vec<serde_json::Value> = rows.iter().map(row_json).collect();
        output::print(&format!("{:#}\n", serde_json::Value::Array(rows)))?;
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        note(&format!(
            "stsenv: no profile keeps its keys in {}; move them there with `stsenv keys import PROFILE`",
            Backend::default_choice().name()
        ));
        return Ok(ExitCode::SUCCESS);
    }
    let width = rows.iter().map(|r| r.profile.len()).max().unwrap_or(0);
    for row in &rows {
        let key = row
            .stored
            .as_ref()
            .map(|s| mask_key(&s.keys.access_key_id))
            .unwrap_or_else(|| "-".to_string());
        output::print(&format!(
            "{:width$}  {key:10} {}\n",
            row.profile,
            state(row)
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn state(row: &Listed) -> String {
    let mut parts = Vec::new();
    match (&row.stored, &row.error, row.marked) {
        (_, Some(err), _) => parts.push(err.clone()),
        (None, None, _) => parts.push(format!(
            "marked, but no keys in the keystore: run `stsenv keys add {}`",
            row.profile
        )),
        (Some(_), None, true) => parts.push(held_in(row.backend).to_string()),
        (Some(_), None, false) => parts.push(format!(
            "{}, but the profile lacks `{} = {}`",
            held_in(row.backend),
            keystore::MARKER_KEY,
            row.backend.marker()
        )),
    }
    if let Some(stored) = &row.stored {
        if stored.pending.is_some() || stored.retired.is_some() || stored.rotation_started.is_some()
        {
            parts.push(format!(
                "rotation interrupted: run `stsenv keys rotate {}`",
                row.profile
            ));
        }
    }
    parts.join("; ")
}

/// What `keys list` says holds a profile's keys.
fn held_in(backend: Backend) -> &'static str {
    match backend {
        Backend::Os => "keys in keyring",
        Backend::File => "keys in the file keystore",
    }
}

fn row_json(row: &Listed) -> serde_json::Value {
    let stored = row.stored.as_ref();
    json!({
        "profile": row.profile,
        "marked": row.marked,
        "keystore": row.backend,
        "access_key_id": stored.map(|s| mask_key(&s.keys.access_key_id)),
        "pending": stored.and_then(|s| s.pending.as_ref()).map(|p| mask_key(&p.access_key_id)),
        "retired": stored.and_then(|s| s.retired.as_deref()).map(mask_key),
        "error": row.error,
    })
}

fn remove(config: &AwsConfig, profile: &str, yes: bool) -> CliResult {
    let backend = keys::backend_of(config, profile);
    if !yes {
        backend.check_available(Some(profile))?;
        let key = backend
            .load(profile)?
            .map(|s| mask_key(&s.keys.access_key_id))
            .unwrap_or_else(|| "(none stored)".to_string());
        let question = format!(
            "Delete the access key {key} of profile `{profile}` from {}? Its secret is kept nowhere else by stsenv. [y/N] ",
            backend.name()
        );
        if !confirm(&question)? {
            return Err(CliError::Refused(format!(
                "profile `{profile}`: nothing removed"
            )));
        }
    }
    let removed = keys::remove(config, profile)?;
    if let Some(id) = &removed.deleted {
        output::print(&format!(
            "Deleted the access key {} of profile `{profile}` from {} (the key itself still exists in IAM).\n",
            mask_key(id),
            backend.name()
        ))?;
    }
    if let Some((path, backup)) = &removed.unmarked {
        output::print(&format!(
            "Removed `{}` from the profile in {}{}.\n",
            keystore::MARKER_KEY,
            path.display(),
            backup_note(backup.as_deref())
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Ask the key id and the secret on the terminal, without echo.
fn ask_keys(profile: &str) -> CliResult<KeyPair> {
    if !has_terminal() {
        return Err(CliError::Refused(format!(
            "profile `{profile}`: no terminal to ask for the keys on; pipe them with `--stdin` (two lines: key id, secret)"
        )));
    }
    let ask = |prompt: String| {
        rpassword::prompt_password(prompt)
            .map(|answer| answer.trim().to_string())
            .map_err(|e| {
                CliError::from(Error::io(
                    "cannot read from the terminal",
                    terminal::NAME,
                    e,
                ))
            })
    };
    let keys = KeyPair {
        access_key_id: ask(format!("AWS access key ID for {profile}: "))?,
        secret_access_key: ask(format!("AWS secret access key for {profile} (not shown): "))?,
    };
    validated(profile, keys)
}

/// Two lines of stdin: the key id, then the secret.
fn read_keys_from_stdin(profile: &str) -> CliResult<KeyPair> {
    let mut lines = std::io::stdin().lock().lines();
    let mut next = || -> CliResult<String> {
        match lines.next() {
            Some(Ok(line)) => Ok(line.trim().to_string()),
            Some(Err(e)) => Err(Error::io("cannot read", "stdin", e).into()),
            None => Err(CliError::Refused(format!(
                "profile `{profile}`: --stdin needs two lines: the access key id, then the secret access key"
            ))),
        }
    };
    let keys = KeyPair {
        access_key_id: next()?,
        secret_access_key: next()?,
    };
    validated(profile, keys)
}

fn validated(profile: &str, keys: KeyPair) -> CliResult<KeyPair> {
    keys.validate()
        .map_err(|problem| CliError::Refused(format!("profile `{profile}`: {problem}")))?;
    Ok(keys)
}

/// A yes/no question on the terminal (with echo: the answer is no secret).
fn confirm(question: &str) -> CliResult<bool> {
    let no_terminal = || {
        CliError::Refused(
            "no terminal to confirm on; pass --yes to remove without asking".to_string(),
        )
    };
    let (input, output) = terminal::open().ok_or_else(no_terminal)?;
    let mut writer = &output;
    write!(writer, "{question}").map_err(|_| no_terminal())?;
    let mut answer = String::new();
    std::io::BufReader::new(&input)
        .read_line(&mut answer)
        .map_err(|_| no_terminal())?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}

fn backup_note(backup: Option<&Path>) -> String {
    backup
        .map(|b| format!(" (the previous version is kept as {})", b.display()))
        .unwrap_or_default()
}

/// How the AWS CLI and SDKs keep access: a line to add, not added for the user.
fn credential_process_offer(config: &AwsConfig, profile: &str, has_line: bool) -> String {
    let line = format!("credential_process = stsenv credential-process {profile}");
    if has_line {
        return format!(
            "The profile already has a credential_process line; for the AWS CLI and SDKs it should read:\n{line}\n"
        );
    }
    let section = if profile == "default" {
        "[default]".to_string()
    } else {
        format!("[profile {profile}]")
    };
    format!(
        "The AWS CLI and SDKs do not read the keystore. For them, add this line to {section} in {}:\n{line}\n",
        config.config_file().display()
    )
}

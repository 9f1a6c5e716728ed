//! `stsenv __man DIR`: write a man page for stsenv and one for every
//! subcommand, recursively (`stsenv.1`, `stsenv-env.1`,
//! `stsenv-cache-list.1`, …), with `clap_mangen`. `cargo xtask dist` calls
//! it on the release binary it packages: the xtask cannot link the CLI
//! crate, and pages made by the binary itself always match its options.
//!
//! It is not a clap subcommand: clap_complete's static scripts list hidden
//! subcommands too, and this one is for packaging, not for users' TAB key.
//! `main` asks [`intercept`] before parsing.

use std::ffi::OsStr;
use std::path::Path;
use std::process::ExitCode;

use clap::CommandFactory;
use stsenv_core::store::untrusted::shown_up_to;

use crate::cli::Cli;
use crate::error::{CliError, CliResult};
use crate::output;

/// The first argument that selects this command.
const NAME: &str = "__man";

/// The `.TH` source field: the plain version, not `--version`'s feature list.
const SOURCE: &str = concat!("stsenv ", env!("CARGO_PKG_VERSION"));

/// When the command line is `stsenv __man …`: write the pages and return
/// the exit status (errors reported like every command's); otherwise `None`.
pub fn intercept() -> Option<ExitCode> {
    let mut args = std::env::args_os().skip(1);
    if args.next().as_deref() != Some(OsStr::new(NAME)) {
        return None;
    }
    let result = match (args.next(), args.next()) {
        (Some(dir), None) => run(Path::new(&dir)),
        _ => Err(CliError::Usage(format!("usage: stsenv {NAME} DIR"))),
    };
    Some(match result {
        Ok(code) => code,
        Err(err) => {
            if let Some(message) = err.report() {
                output::note(&format!("stsenv: error: {message}"));
            }
            ExitCode::from(err.exit_code())
        }
    })
}

/// Write every page into `dir` (created when missing). It prints nothing:
/// the caller lists `dir`.
fn run(dir: &Path) -> CliResult {
    std::fs::create_dir_all(dir).map_err(|err| refused(dir, &err))?;
    let mut root = Cli::command().disable_help_subcommand(true);
    // Building sets each subcommand's display name (`stsenv-cache-list`),
    // which names its page and its cross-references (`stsenv-env(1)`).
    root.build();
    write_pages(&root, dir)?;
    Ok(ExitCode::SUCCESS)
}

/// The page of `command`, then those of its visible subcommands.
fn write_pages(command: &clap::Command, dir: &Path) -> CliResult<()> {
    let man = clap_mangen::Man::new(command.clone())
        .source(SOURCE)
        .manual("stsenv manual");
    let mut roff = Vec::new();
    man.render(&mut roff)
        .map_err(|err| CliError::Refused(format!("cannot render a man page: {err}")))?;
    // clap_mangen puts `after_help` under EXTRA; ours is the examples, and
    // man pages call that section EXAMPLES.
    let page =
        String::from_utf8_lossy(&roff).replacen("\n.SH EXTRA\nExamples:\n", "\n.SH EXAMPLES\n", 1);
    let page = with_synopsis(&page, &synopsis(command));
    let path = dir.join(man.get_filename());
    std::fs::write(&path, page).map_err(|err| refused(&path, &err))?;
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        write_pages(sub, dir)?;
    }
    Ok(())
}

/// `page` with its SYNOPSIS section's text replaced by `synopsis`.
fn with_synopsis(page: &str, synopsis: &str) -> String {
    const HEADING: &str = ".SH SYNOPSIS\n";
    let Some(start) = page.find(HEADING).map(|at| at + HEADING.len()) else {
        return page.to_string();
    };
    let end = page[start..]
        .find("\n.SH ")
        .map_or(page.len(), |at| start + at + 1);
    format!("{}{synopsis}\n{}", &page[..start], &page[end..])
}

/// The SYNOPSIS line: clap_mangen's drops option values (`[--role-arn]`);
/// this one shows each as the help does (`[--role-arn ARN]`).
fn synopsis(command: &clap::Command) -> String {
    let name = command.get_bin_name().unwrap_or_else(|| command.get_name());
    let mut words = vec![bold(name)];
    for arg in command.get_arguments().filter(|arg| !arg.is_hide_set()) {
        let flag = match (arg.get_short(), arg.get_long()) {
            (Some(short), Some(long)) => format!(
                "{}|{}",
                bold(&format!("-{short}")),
                bold(&format!("--{long}"))
            ),
            (Some(short), None) => bold(&format!("-{short}")),
            (None, Some(long)) => bold(&format!("--{long}")),
            (None, None) => continue,
        };
        let word = match value_names(arg) {
            Some(value) => format!("{flag} {value}"),
            None => flag,
        };
        words.push(bracketed(arg.is_required_set(), word));
    }
    for arg in command.get_positionals().filter(|arg| !arg.is_hide_set()) {
        let mut word = value_names(arg).unwrap_or_default();
        if arg.is_last_set() {
            word = format!("{} {word}", bold("--"));
        }
        words.push(bracketed(arg.is_required_set(), word));
    }
    if command.has_subcommands() {
        words.push(italic("COMMAND"));
    }
    words.join(" ")
}

/// An argument's value names in italics (`ARN`, `CMD...`), or `None` for a flag.
fn value_names(arg: &clap::Arg) -> Option<String> {
    if !arg.get_num_args().is_some_and(|range| range.takes_values()) {
        return None;
    }
    let names = arg
        .get_value_names()
        .map(|names| names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
        .unwrap_or_else(|| vec![arg.get_id().as_str().to_uppercase()]);
    let many = arg
        .get_num_args()
        .is_some_and(|range| range.max_values() > 1);
    let text = italic(&names.join(" "));
    Some(if many { format!("{text}...") } else { text })
}

/// `[word]` for an optional argument, `word` for a required one.
fn bracketed(required: bool, word: String) -> String {
    if required {
        word
    } else {
        format!("[{word}]")
    }
}

/// roff bold text.
fn bold(text: &str) -> String {
    format!("\\fB{}\\fR", escape(text))
}

/// roff italic text.
fn italic(text: &str) -> String {
    format!("\\fI{}\\fR", escape(text))
}

/// Text that roff prints as it is: backslashes and hyphens escaped (a bare
/// `-` may be typeset as a hyphen, which a reader cannot paste).
fn escape(text: &str) -> String {
    text.replace('\\', "\\e").replace('-', "\\-")
}

/// A write that failed, naming the path (printable, whatever it holds).
fn refused(path: &Path, err: &std::io::Error) -> CliError {
    CliError::Refused(format!(
        "cannot write man pages to {}: {err}",
        shown_up_to(&path.to_string_lossy(), 4096)
    ))
}

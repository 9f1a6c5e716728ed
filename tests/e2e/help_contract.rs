//! The help is a contract (issue 24): every value a `--help` lists is
//! accepted by that command, and every command's help ends with examples.
//! Both are read from the binary's own help, so a new subcommand, option
//! or value is checked without being listed here.

use std::io::Read;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use stsenv_tests::{Moto, Sandbox};

use crate::util::{command_paths, ok};

/// One `[possible values: …]` list: the command path, the option (or
/// `None` for a positional) and its values.
#[derive(Debug)]
struct Listed {
    path: Vec<String>,
    option: Option<String>,
    /// The positional's `<NAME>` as the usage line writes it.
    positional: Option<String>,
    values: Vec<String>,
}

/// The entries of a help text's argument lists, each with its wrapped
/// lines joined: an entry starts two spaces in, its continuation deeper.
fn entries(help: &str) -> Vec<String> {
    let mut entries: Vec<String> = Vec::new();
    let mut inside = false;
    for line in help.lines() {
        if line == "Arguments:" || line == "Options:" {
            inside = true;
            continue;
        }
        if !line.starts_with(' ') {
            inside = false;
            continue;
        }
        if !inside {
            continue;
        }
        // `  -s, --shell`, `      --json` (no short form), `  <SHELL>`;
        // a wrapped description continues further right.
        let indent = line.len() - line.trim_start().len();
        let fresh = indent <= 6 && line.trim_start().starts_with(['-', '<', '[']);
        match entries.last_mut() {
            Some(last) if !fresh => {
                last.push(' ');
                last.push_str(line.trim());
            }
            _ => entries.push(line.trim().to_string()),
        }
    }
    entries
}

/// What `stsenv PATH -h` lists as possible values.
fn listed(sandbox: &Sandbox, path: &[String]) -> Vec<Listed> {
    let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
    args.push("-h");
    let help = ok(sandbox, &args);
    entries(&help)
        .into_iter()
        .filter_map(|entry| {
            let start = entry.find("[possible values: ")? + "[possible values: ".len();
            let end = start + entry[start..].find(']')?;
            let values = entry[start..end]
                .split(", ")
                .map(|v| v.trim().to_string())
                .collect();
            let head = entry.split_whitespace().collect::<Vec<_>>();
            let option = head
                .iter()
                .find(|word| word.starts_with("--"))
                .map(|word| word.trim_end_matches(',').to_string());
            let positional = match option {
                Some(_) => None,
                None => Some(head[0].to_string()),
            };
            Some(Listed {
                path: path.to_vec(),
                option,
                positional,
                values,
            })
        })
        .collect()
}

/// The usage line's required words, with `value` in place of the
/// positional it is for: `--cluster-name <NAME>` gets a name, `<PROFILE>`
/// the default profile, `-- <CMD>...` the command `true`.
fn required_words(sandbox: &Sandbox, listed: &Listed, value: &str) -> Vec<String> {
    let mut args: Vec<&str> = listed.path.iter().map(String::as_str).collect();
    args.push("-h");
    let help = ok(sandbox, &args);
    let usage = help
        .lines()
        .find_map(|line| line.strip_prefix("Usage: stsenv "))
        .expect("a usage line");
    let mut words = listed.path.clone();
    let mut tokens = usage.split_whitespace().skip(listed.path.len()).peekable();
    while let Some(token) = tokens.next() {
        if token.starts_with('[') {
            if listed.positional.as_deref() == Some(token) {
                words.push(value.to_string());
            }
            continue;
        }
        if token == "--" {
            words.extend(["--".to_string(), "true".to_string()]);
            break;
        }
        if token.starts_with("--") {
            words.push(token.to_string());
            if tokens.peek().is_some_and(|next| next.starts_with('<')) {
                tokens.next();
                words.push("prod-eu".to_string());
            }
            continue;
        }
        if token.starts_with('<') {
            if listed.positional.as_deref() == Some(token) {
                words.push(value.to_string());
            } else {
                words.push("default".to_string());
            }
        }
    }
    if let Some(option) = &listed.option {
        let at = words.iter().position(|w| w == "--").unwrap_or(words.len());
        words.insert(at, format!("{option}={value}"));
    }
    words
}

/// Run `stsenv WORDS`; `None` when it is still running (a server) once it
/// has printed something, else its exit code and stderr.
fn outcome(sandbox: &Sandbox, words: &[String]) -> (Option<i32>, String) {
    let mut child: Child = sandbox
        .command(stsenv_tests::stsenv_bin())
        .args(words)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("stsenv starts");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut stderr = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut stderr)
                .unwrap();
            return (status.code(), stderr);
        }
        // A command that serves until stopped (serve) printed its
        // variables: it accepted the value.
        if words.first().is_some_and(|w| w == "serve") {
            let mut first = [0u8; 1];
            if child.stdout.as_mut().unwrap().read(&mut first).unwrap_or(0) == 1 {
                // TERM, not KILL: serve removes its private copies of the
                // AWS files on the way out.
                // SAFETY: kill(2) on our own child.
                unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
                let status = child.wait().expect("reap");
                assert!(status.success(), "serve stopped badly on TERM: {status}");
                return (None, String::new());
            }
        }
        assert!(
            Instant::now() < deadline,
            "stsenv {words:?} neither ended nor printed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn every_value_a_help_lists_is_accepted() {
    let sandbox = Sandbox::with_moto(Moto::shared());
    // `default` is a role moto serves without MFA, so `env`, `serve` and
    // the like get as far as printing in every format.
    sandbox
        .config(
            "[default]\nrole_arn = arn:aws:iam::123456789012:role/helper\nsource_profile = base\nregion = eu-west-1\n\n[profile base]\n",
        )
        .credentials(stsenv_tests::SWITCH_ROLE_CREDENTIALS);
    let mut checked = Vec::new();
    for path in command_paths(&sandbox) {
        for listed in listed(&sandbox, &path) {
            for value in &listed.values {
                let words = required_words(&sandbox, &listed, value);
                let (code, stderr) = outcome(&sandbox, &words);
                assert!(
                    code != Some(2) && !stderr.contains("invalid value"),
                    "`stsenv {}` lists `{value}` in its help but refuses it ({code:?}): {stderr}",
                    words.join(" ")
                );
                checked.push(format!("{} {value}", path.join(" ")));
            }
        }
    }
    for expected in [
        "env json",
        "unset dotenv",
        "serve json",
        "init fish",
        "status prompt",
    ] {
        assert!(
            checked.iter().any(|c| c == expected),
            "the walk missed `{expected}`: {checked:?}"
        );
    }
}

/// Every command's help ends with examples: at least two, each a command
/// line with stsenv in it, and nothing after them.
#[test]
fn every_commands_help_ends_with_examples() {
    let sandbox = Sandbox::new();
    let paths = command_paths(&sandbox);
    assert!(
        paths.len() > 20,
        "the walk found too few commands: {paths:?}"
    );
    let missing: Vec<String> = paths
        .iter()
        .filter(|path| {
            let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
            args.push("--help");
            let help = ok(&sandbox, &args);
            let Some((_, examples)) = help.rsplit_once("\nExamples:\n") else {
                return true;
            };
            let lines: Vec<&str> = examples.lines().collect();
            lines.len() < 2
                || !lines
                    .iter()
                    .all(|line| line.starts_with("  ") && line.contains("stsenv"))
        })
        .map(|path| path.join(" "))
        .collect();
    assert!(
        missing.is_empty(),
        "no Examples section at the end of the help of: {missing:?}"
    );
}

/// The drifts issue 24 found, each pinned: what a help offers is what the
/// command does.
#[test]
fn help_offers_only_what_the_command_does() {
    let sandbox = Sandbox::new();
    let serve = ok(&sandbox, &["serve", "--help"]);
    assert!(
        serve.contains("json:") && serve.contains("one JSON object of the variables"),
        "{serve}"
    );
    assert!(!serve.contains("credential_process"), "{serve}");
    let logout = ok(&sandbox, &["logout", "--help"]);
    assert!(!logout.contains("--no-browser"), "{logout}");
    assert!(ok(&sandbox, &["login", "--help"]).contains("--no-browser"));
    let explain = ok(&sandbox, &["explain", "--help"]);
    for never_calls_aws in [
        "--token-code",
        "--refresh",
        "--no-cache",
        "--non-interactive",
    ] {
        assert!(
            !explain.contains(never_calls_aws),
            "{never_calls_aws}: {explain}"
        );
    }
    // Still accepted, so an `env` command line can be explained as it is.
    sandbox.config(
        "[profile base]\naws_access_key_id = AKIAEXAMPLEEXAMPLE00\naws_secret_access_key = x\n",
    );
    let plan = ok(
        &sandbox,
        &[
            "explain",
            "base",
            "--refresh",
            "--no-cache",
            "--non-interactive",
            "--token-code",
            "123456",
        ],
    );
    assert!(plan.starts_with("profile `base`"), "{plan}");
    let unset = ok(&sandbox, &["unset", "--help"]);
    assert!(!unset.contains("json"), "{unset}");
}

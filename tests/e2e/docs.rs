//! Docs that cannot rot (issue 24): every fenced ```console block in
//! README.md and docs/*.md runs against moto in a temp HOME, and what it
//! shows is what stsenv prints. The convention (CONTRIBUTING.md):
//!
//! - `$ ` starts a command (a line ending in `\` continues it); the lines
//!   after it, up to the next `$ `, are its output (stdout and stderr as a
//!   terminal shows them). `[..]` matches any text within a line, a line
//!   `...` any number of lines. No lines: the output is not checked.
//! - A command must exit 0, unless it ends in a comment `# exit N`.
//! - The commands of one block run in order in one bash, so `eval` carries
//!   over; `stsenv` is the binary under test.
//! - `<!-- fixture: NAME -->` on the line before the fence picks the AWS
//!   files, `tests/docs/fixtures/NAME.config` and `NAME.credentials`
//!   (default: `quickstart`).
//!
//! ```sh blocks are illustrative and never run.

use std::path::{Path, PathBuf};

use stsenv_tests::{Moto, Sandbox};

/// One command of a block and what it should print.
#[derive(Debug)]
struct Step {
    command: String,
    status: i32,
    expected: Vec<String>,
}

/// One ```console block.
#[derive(Debug)]
struct Block {
    file: PathBuf,
    line: usize,
    fixture: String,
    steps: Vec<Step>,
}

/// README.md and every docs/*.md page.
fn pages() -> Vec<PathBuf> {
    let root = stsenv_tests::workspace_root();
    let mut pages = vec![root.join("README.md")];
    let mut guide: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .expect("docs/")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    guide.sort();
    pages.extend(guide);
    pages
}

/// The ```console blocks of `file`.
fn blocks(file: &Path) -> Vec<Block> {
    let text = std::fs::read_to_string(file).expect("read page");
    let lines: Vec<&str> = text.lines().collect();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim_end() != "```console" {
            i += 1;
            continue;
        }
        let fixture = i
            .checked_sub(1)
            .and_then(|before| lines[before].trim().strip_prefix("<!-- fixture: "))
            .and_then(|rest| rest.strip_suffix("-->"))
            .map_or("quickstart", str::trim)
            .to_string();
        let start = i + 1;
        let mut end = start;
        while end < lines.len() && lines[end].trim_end() != "```" {
            end += 1;
        }
        assert!(
            lines[start..end]
                .iter()
                .find(|line| !line.trim().is_empty())
                .is_some_and(|line| line.starts_with("$ ")),
            "{}:{}: a console block starts with a `$ ` command (output without one is never checked)",
            file.display(),
            i + 1
        );
        blocks.push(Block {
            file: file.to_path_buf(),
            line: i + 1,
            fixture,
            steps: steps(&lines[start..end]),
        });
        i = end + 1;
    }
    blocks
}

/// The commands of a block's lines, with their expected output.
fn steps(lines: &[&str]) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut continued = false;
    for line in lines {
        if let Some(command) = line.strip_prefix("$ ") {
            steps.push(Step {
                command: command.to_string(),
                status: 0,
                expected: Vec::new(),
            });
            continued = command.ends_with('\\');
        } else if continued {
            let step = steps.last_mut().expect("a continued command");
            step.command.push('\n');
            step.command.push_str(line);
            continued = line.ends_with('\\');
        } else if let Some(step) = steps.last_mut() {
            step.expected.push(line.to_string());
        }
    }
    for step in &mut steps {
        if let Some((_, code)) = step.command.rsplit_once("# exit ") {
            step.status = code.trim().parse().expect("`# exit N` with a number");
        }
    }
    steps
}

/// Whether `actual` matches `expected`: `[..]` is any text within a line,
/// a line `...` any number of lines.
fn matches(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "..." => {
            (0..=actual.len()).any(|skip| matches(rest, &actual[skip..]))
        }
        Some((first, rest)) => match actual.split_first() {
            Some((line, more)) => line_matches(first, line) && matches(rest, more),
            None => false,
        },
    }
}

/// One line; trailing blanks do not count (editors strip them from pages).
fn line_matches(expected: &str, actual: &str) -> bool {
    let (expected, actual) = (expected.trim_end(), actual.trim_end());
    let mut parts = expected.split("[..]");
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = actual.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (i, part) in parts.iter().enumerate() {
        if i == parts.len() - 1 {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

/// A sandbox with the fixture's files and `stsenv` first on PATH.
fn sandbox(fixture: &str) -> (Sandbox, PathBuf) {
    let sandbox = Sandbox::with_moto(Moto::shared());
    let dir = stsenv_tests::workspace_root().join("tests/docs/fixtures");
    let read = |ext: &str| std::fs::read_to_string(dir.join(format!("{fixture}.{ext}")));
    sandbox.config(&read("config").unwrap_or_else(|e| panic!("fixture {fixture}: {e}")));
    if let Ok(credentials) = read("credentials") {
        sandbox.credentials(&credentials);
    }
    let bin = sandbox.path().join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir bin");
    std::os::unix::fs::symlink(stsenv_tests::stsenv_bin(), bin.join("stsenv")).expect("link");
    (sandbox, bin)
}

/// Run a block's commands in one bash; each command's output and status.
fn run(block: &Block) -> Vec<(String, i32)> {
    let (sandbox, bin) = sandbox(&block.fixture);
    let mut script = String::from("exec 2>&1\ncd \"$HOME\"\n");
    for (i, step) in block.steps.iter().enumerate() {
        script += &format!(
            "printf '\\0CMD {i}\\n'\n{}\nprintf '\\0RC %d\\n' $?\n",
            step.command
        );
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // Bounded: a block that waits for input must fail, not hang the suite.
    let out = sandbox
        .command("timeout")
        .args(["300", "bash", "--noprofile", "--norc", "-c", &script])
        .env("PATH", path)
        .env("TERM", "dumb")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("bash runs");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    text.split("\0CMD ")
        .skip(1)
        .map(|chunk| {
            let body = chunk.split_once('\n').map_or("", |(_, b)| b);
            let (output, status) = body.rsplit_once("\0RC ").unwrap_or((body, "-1"));
            (output.to_string(), status.trim().parse().unwrap_or(-1))
        })
        .collect()
}

#[test]
fn every_console_block_runs_as_shown() {
    let mut count = 0;
    let mut failures = Vec::new();
    for page in pages() {
        for block in blocks(&page) {
            count += 1;
            let results = run(&block);
            for (i, step) in block.steps.iter().enumerate() {
                let (output, status) = results.get(i).cloned().unwrap_or_default();
                let actual: Vec<&str> = output.lines().collect();
                let shown_ok = step.expected.is_empty() || matches(&step.expected, &actual);
                if status != step.status || !shown_ok {
                    failures.push(format!(
                        "{}:{} `$ {}` exited {status} (expected {}):\n{output}--- the page shows:\n{}\n",
                        block.file.display(),
                        block.line,
                        step.command,
                        step.status,
                        step.expected.join("\n")
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(count >= 10, "only {count} console blocks found");
}

/// The README's quick start is run, not only shown: its core flow is in
/// console blocks.
#[test]
fn the_readme_quick_start_is_tested() {
    let readme = stsenv_tests::workspace_root().join("README.md");
    let commands: Vec<String> = blocks(&readme)
        .into_iter()
        .flat_map(|block| block.steps.into_iter().map(|step| step.command))
        .collect();
    for needle in [
        "stsenv explain dev",
        "stsenv env dev",
        "stsenv whoami",
        "stsenv exec ",
        "stsenv unset",
        "stsenv init bash",
    ] {
        assert!(
            commands.iter().any(|c| c.contains(needle)),
            "the README runs no `{needle}`: {commands:?}"
        );
    }
}

/// Each page of the guide starts with an example that runs: its first
/// fenced block is a console block.
#[test]
fn each_guide_page_starts_with_a_runnable_example() {
    let guide = [
        "profiles.md",
        "mfa-and-cache.md",
        "shells.md",
        "sso.md",
        "server.md",
        "console-and-eks.md",
        "keys.md",
        "security.md",
        "troubleshooting.md",
    ];
    let docs = stsenv_tests::workspace_root().join("docs");
    for page in guide {
        let text =
            std::fs::read_to_string(docs.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        let first = text
            .lines()
            .find(|line| line.starts_with("```"))
            .unwrap_or_default();
        assert_eq!(
            first, "```console",
            "{page}: the first example is not a console block"
        );
    }
}

#[test]
fn the_matcher_honours_wildcards() {
    let expected: Vec<String> = ["a [..] c", "...", "end"].map(String::from).to_vec();
    assert!(matches(&expected, &["a b c", "x", "y", "end"]));
    assert!(matches(&expected, &["a  c", "end"]));
    assert!(!matches(&expected, &["a b d", "end"]));
    assert!(!matches(&expected, &["a b c"]));
    assert!(line_matches("[..]", "anything"));
    assert!(!line_matches("exact", "exactly"));
    assert!(line_matches("base  static", "base  static   "));
}

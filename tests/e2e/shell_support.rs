//! Helpers for the real-shell tests: run a script in bash, zsh or fish with
//! the sandbox environment and the stsenv binary on PATH, and swap the
//! binary path that `stsenv init` quotes in for a counting fake.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use stsenv_tests::{stsenv_bin, Sandbox};

/// The three shells the tests drive (pwsh is not installable here).
pub const SHELLS: [&str; 3] = ["bash", "zsh", "fish"];

/// `stsenv init SHELL ARGS…` in the sandbox.
pub fn init(sandbox: &Sandbox, shell: &str, args: &[&str]) -> String {
    let out = sandbox
        .stsenv()
        .arg("init")
        .arg(shell)
        .args(args)
        .output()
        .expect("stsenv init runs");
    assert!(
        out.status.success(),
        "stsenv init {shell} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("init prints UTF-8")
}

/// A command for `program` with the sandbox environment and the directory
/// of the stsenv binary first on PATH (so scripts can call `stsenv`).
pub fn shell_command(sandbox: &Sandbox, program: &str) -> Command {
    let mut cmd = sandbox.command(program);
    let bin_dir = stsenv_bin()
        .parent()
        .expect("binary in a dir")
        .to_path_buf();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![bin_dir];
    dirs.extend(std::env::split_paths(&path));
    cmd.env("PATH", std::env::join_paths(dirs).expect("PATH joins"));
    cmd.current_dir(sandbox.path());
    cmd
}

/// Run `script` (written to a file) non-interactively in `shell`, without
/// the user's rc files.
pub fn run_script(sandbox: &Sandbox, shell: &str, script: &str) -> Output {
    let file = sandbox.path().join(format!("script.{shell}"));
    std::fs::write(&file, script).expect("write script");
    let mut cmd = shell_command(sandbox, shell);
    match shell {
        "bash" => cmd.args(["--norc", "--noprofile"]),
        "zsh" => cmd.arg("-f"),
        "fish" => cmd.arg("--no-config"),
        other => panic!("unknown shell {other}"),
    };
    cmd.arg(&file)
        .stdin(Stdio::null())
        .output()
        .expect("shell runs")
}

/// Run `lines` as an interactive session of `shell` reading from a pipe:
/// bash and zsh then run PROMPT_COMMAND / precmd before every prompt, as in
/// a terminal (one prompt per line, plus the last one).
pub fn run_interactive(sandbox: &Sandbox, shell: &str, lines: &str) -> Output {
    let mut cmd = shell_command(sandbox, shell);
    match shell {
        "bash" => cmd.args(["--norc", "--noprofile", "-i"]),
        "zsh" => cmd.args(["-f", "-i"]),
        other => panic!("{other} does not run prompts from a pipe"),
    };
    cmd.env("PS1", "$ ");
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("shell runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin piped")
        .write_all(lines.as_bytes())
        .expect("write lines");
    child.wait_with_output().expect("shell exits")
}

/// A fake stsenv that appends one line to `count` per run, then runs
/// `then` (e.g. `exec REAL "$@"` or `exit 3`).
pub fn counting_fake(dir: &Path, then: &str) -> (PathBuf, PathBuf) {
    let fake = dir.join("fake-stsenv");
    let count = dir.join("count");
    write_executable(
        &fake,
        format!("#!/bin/sh\necho \"$*\" >> '{}'\n{then}\n", count.display()),
    );
    (fake, count)
}

/// Lines in the count file of a [`counting_fake`] (0 when never run).
pub fn count(file: &Path) -> usize {
    std::fs::read_to_string(file)
        .map(|s| s.lines().count())
        .unwrap_or(0)
}

/// `init` output with the real binary's path replaced by `fake`.
pub fn with_binary(init: &str, fake: &Path) -> String {
    let real = stsenv_bin().display().to_string();
    assert!(init.contains(&real), "init quotes the binary path in");
    init.replace(&real, &fake.display().to_string())
}

/// Write `text` to `path` as a program (chmod 755): a stand-in for a
/// tool stsenv runs.
pub fn write_executable(path: &Path, text: impl AsRef<[u8]>) {
    std::fs::write(path, text).expect("write the program");
    set_executable(path);
}

/// chmod 755.
pub fn set_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// Stdout as text, failing with stderr when the process failed.
pub fn stdout_ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The current time in epoch seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

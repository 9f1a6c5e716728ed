//! Small helpers shared by the tasks.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A task's result; errors are messages for the user.
pub type Result<T = ()> = std::result::Result<T, String>;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ is inside the workspace")
        .to_path_buf()
}

/// `$CARGO_TARGET_DIR` or `target/`.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// Run `cargo ARGS` in the workspace root with extra environment.
pub fn cargo(args: &[&str], env: &[(String, String)]) -> Result {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command.args(args).current_dir(root());
    command.envs(env.iter().map(|(k, v)| (k, v)));
    run(&mut command)
}

/// Run a command, failing with its name when it fails.
pub fn run(command: &mut Command) -> Result {
    let status = command
        .status()
        .map_err(|e| format!("cannot run {:?}: {e}", command.get_program()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{:?} failed: {status}", command.get_program()))
    }
}

/// Whether `program` is on PATH.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
        .unwrap_or(false)
}

/// shellcheck the bash and zsh plugins (zsh is checked as bash: shellcheck
/// has no zsh mode, and the plugin keeps to the common subset where it can).
pub fn shellcheck() -> Result {
    if !on_path("shellcheck") {
        return Err("shellcheck is not installed (apt-get install shellcheck)".into());
    }
    let scripts: Vec<PathBuf> = ["shell/stsenv.bash", "tests/support/keyring-session.sh"]
        .iter()
        .map(|p| root().join(p))
        .filter(|p| p.exists())
        .collect();
    if scripts.is_empty() {
        return Ok(());
    }
    run(Command::new("shellcheck")
        .arg("--shell=bash")
        .args(&scripts))
}

/// `word` in single quotes for a POSIX shell.
pub fn shell_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

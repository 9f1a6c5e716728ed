//! `cargo xtask completions`: regenerate `completions/` from the binary's
//! own `stsenv completions SHELL`, so the committed files are exactly what
//! the CLI prints (a test fails when they drift).

use std::process::Command;

use crate::util;

/// The files and the shell each one is for.
pub const FILES: [(&str, &str); 4] = [
    ("bash", "stsenv.bash"),
    ("zsh", "_stsenv"),
    ("fish", "stsenv.fish"),
    ("powershell", "stsenv.ps1"),
];

/// Run the task.
pub fn run(_args: &[String]) -> util::Result {
    util::cargo(
        &["build", "--quiet", "-p", "stsenv", "--bin", "stsenv"],
        &[],
    )?;
    let bin = util::target_dir().join("debug").join("stsenv");
    let dir = util::root().join("completions");
    std::fs::create_dir_all(&dir).map_err(|e| format!("mkdir {}: {e}", dir.display()))?;
    for (shell, file) in FILES {
        let out = Command::new(&bin)
            .args(["completions", shell])
            .output()
            .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
        if !out.status.success() {
            return Err(format!("stsenv completions {shell} failed"));
        }
        let path = dir.join(file);
        std::fs::write(&path, &out.stdout).map_err(|e| format!("write {}: {e}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

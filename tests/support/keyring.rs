//! A real Secret Service for the keystore tests: every command runs inside
//! `keyring-session.sh` (a private `dbus-run-session` bus with an unlocked
//! `gnome-keyring-daemon` whose keyrings live in the sandbox's HOME). The
//! user's own keystore and session bus are never reached: the sandbox
//! environment has no DBUS_SESSION_BUS_ADDRESS and a private HOME.

use std::path::PathBuf;

use crate::{stsenv_bin, workspace_root, Sandbox};

/// The programs a private Secret Service needs.
pub const TOOLS: [&str; 3] = ["dbus-run-session", "dbus-send", "gnome-keyring-daemon"];

/// `tests/support/keyring-session.sh`.
pub fn session_script() -> PathBuf {
    workspace_root().join("tests/support/keyring-session.sh")
}

/// Whether a private Secret Service can be started here. When it cannot,
/// CI fails (it installs the tools: `.ci/run`), a developer's run skips
/// with a note.
pub fn available() -> bool {
    let missing: Vec<&str> = TOOLS.iter().copied().filter(|t| !on_path(t)).collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "the keystore tests need {} (apt-get install dbus gnome-keyring)",
        missing.join(", ")
    );
    eprintln!(
        "skipping: {} not installed (apt-get install dbus gnome-keyring)",
        missing.join(", ")
    );
    false
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
        .unwrap_or(false)
}

impl Sandbox {
    /// `stsenv ARGS…` inside the sandbox's private Secret Service.
    pub fn keyring_stsenv(&self) -> assert_cmd::Command {
        let mut cmd = self.keyring_command();
        cmd.arg(stsenv_bin());
        cmd
    }

    /// `keyring-session.sh` with the sandbox environment: append the
    /// program and its arguments.
    pub fn keyring_command(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::new("sh");
        cmd.env_clear().envs(self.env()).arg(session_script());
        cmd
    }
}

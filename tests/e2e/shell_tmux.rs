//! A real terminal session per shell, driven through tmux: the plugin from
//! the rc file, `dev_assume` answering the MFA prompt that stsenv asks on
//! /dev/tty, `stsenv status`, and TAB completing a profile name. Every wait
//! is bounded and polls `capture-pane`.

use std::path::PathBuf;
use std::process::Output;
use std::time::{Duration, Instant};

use stsenv_tests::{Sandbox, PATIENCE};

use crate::shell_support::{shell_command, SHELLS};

/// The longest any tmux test waits for its screen (a renewal in
/// `server.rs` waits for credentials to near their expiry): the suite's
/// ceiling, since a loaded machine can take long to draw a prompt.
const WAIT: Duration = PATIENCE;

/// What the test shells print as their prompt.
const PROMPT: &str = "READY$";

/// A tmux server on a private socket, killed on drop.
pub(crate) struct Tmux<'a> {
    sandbox: &'a Sandbox,
    socket: PathBuf,
}

impl<'a> Tmux<'a> {
    pub(crate) fn start(sandbox: &'a Sandbox, command: &str) -> Tmux<'a> {
        let tmux = Tmux {
            sandbox,
            socket: sandbox.path().join("tmux.sock"),
        };
        let out = tmux.run(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            "160",
            "-y",
            "40",
            command,
        ]);
        assert!(
            out.status.success(),
            "tmux: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        tmux
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut cmd = shell_command(self.sandbox, "tmux");
        cmd.env("TERM", "xterm-256color")
            .arg("-S")
            .arg(&self.socket)
            .args(args);
        cmd.output().expect("tmux runs")
    }

    pub(crate) fn send(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "0"];
        args.extend(keys);
        assert!(self.run(&args).status.success());
    }

    /// Type `text` literally (no key-name lookup).
    pub(crate) fn type_text(&self, text: &str) {
        assert!(self
            .run(&["send-keys", "-t", "0", "-l", text])
            .status
            .success());
    }

    pub(crate) fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "0", "-J"]).stdout)
            .into_owned()
    }

    pub(crate) fn wait_for(&self, what: &str, needle: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let screen = self.screen();
            if screen.contains(needle) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: {needle:?} did not appear within {WAIT:?}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Tmux<'_> {
    /// How many prompts the screen shows.
    fn prompts(&self) -> usize {
        self.screen().matches(PROMPT).count()
    }

    /// Ctrl-C at a shell prompt, then wait for the next prompt: keys typed
    /// before the shell has handled the interrupt would be thrown away
    /// with the line (readline and fish discard what they already read).
    pub(crate) fn interrupt(&self, what: &str) {
        let before = self.prompts();
        self.send(&["C-c"]);
        self.wait_for_prompt(what, before);
    }

    /// Wait until the screen shows more than `before` prompts.
    pub(crate) fn wait_for_prompt(&self, what: &str, before: usize) {
        let deadline = Instant::now() + WAIT;
        while self.prompts() <= before {
            assert!(
                Instant::now() < deadline,
                "{what}: no new prompt within {WAIT:?}; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux<'_> {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// The command starting `shell` with an rc file that loads the plugin.
pub(crate) fn start_command(sandbox: &Sandbox, shell: &str) -> String {
    let dir = sandbox.path();
    match shell {
        "bash" => {
            std::fs::write(
                dir.join("bashrc"),
                "PS1='READY$ '\neval \"$(stsenv init bash)\"\n",
            )
            .unwrap();
            format!("bash --noprofile --rcfile '{}/bashrc' -i", dir.display())
        }
        "zsh" => {
            std::fs::write(
                dir.join(".zshrc"),
                "PS1='READY$ '\nautoload -Uz compinit && compinit -u\neval \"$(stsenv init zsh)\"\n",
            )
            .unwrap();
            format!("env ZDOTDIR='{}' zsh -i", dir.display())
        }
        "fish" => {
            std::fs::write(
                dir.join("rc.fish"),
                "function fish_prompt; echo -n 'READY$ '; end\nfunction fish_greeting; end\nstsenv init fish | source\n",
            )
            .unwrap();
            format!("fish --no-config -C 'source {}/rc.fish'", dir.display())
        }
        other => panic!("{other}"),
    }
}

#[test]
fn interactive_session_asks_mfa_once_and_completes_profiles() {
    for shell in SHELLS {
        let sandbox = Sandbox::switch_role();
        let tmux = Tmux::start(&sandbox, &start_command(&sandbox, shell));
        tmux.wait_for(shell, "READY$");

        tmux.type_text("dev_assume");
        tmux.send(&["Enter"]);
        tmux.wait_for(
            shell,
            "MFA code for dev (arn:aws:iam::123456789012:mfa/alice): ",
        );
        let before = tmux.prompts();
        tmux.type_text("123456");
        tmux.send(&["Enter"]);
        // The terminal is the prompt's until it returns: type after it.
        tmux.wait_for_prompt(shell, before);

        tmux.type_text("stsenv status --format prompt");
        tmux.send(&["Enter"]);
        let screen = tmux.wait_for(shell, "\ndev ");
        assert!(!screen.contains("error"), "{shell}: {screen}");

        tmux.send(&["C-l"]);
        tmux.type_text("stsenv env d");
        tmux.send(&["Tab"]);
        tmux.wait_for(&format!("{shell} completion"), "stsenv env dev");
        tmux.send(&["C-c"]);
    }
}

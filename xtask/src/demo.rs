//! `cargo xtask demo`: the seed's story against a local STS emulator, with
//! no AWS account. It starts `moto_server` on a free loopback port, writes a
//! switch-role setup (an IAM user `base` with keys and an MFA device, a role
//! profile `dev`) into a temporary HOME, and runs stsenv the way a user would,
//! printing each command and its output. The real HOME is never read: every
//! command gets a cleared environment pointing at the temporary one. When
//! dbus-run-session and gnome-keyring are installed, it ends by moving the
//! keys of `base` into a temporary keystore (a private session bus and a
//! gnome-keyring whose data lives in the temporary HOME).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::moto::Moto;
use crate::{util, venv};

const CONFIG: &str = "\
[profile base]
region = eu-west-1

[profile dev]
role_arn = arn:aws:iam::123456789012:role/dev
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/alice
region = eu-west-1
";

/// moto accepts any keys; these are AWS's documentation examples.
const CREDENTIALS: &str = "\
[base]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
";

/// Variables whose values the printout hides.
const SECRETS: [&str; 2] = ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"];

/// Run the task.
pub fn run(args: &[String]) -> util::Result {
    if let Some(extra) = args.first() {
        return Err(format!(
            "`cargo xtask demo` takes no arguments (got `{extra}`)"
        ));
    }
    let tools = venv::ensure()?;
    util::cargo(&["build", "-p", "stsenv", "--bin", "stsenv"], &[])?;
    let stsenv = util::target_dir().join("debug").join("stsenv");
    // Dropped on every path out of this function: kills moto, removes the HOME.
    let demo = Demo::start(&tools, stsenv)?;
    demo.story()
}

/// The emulator and the temporary HOME, torn down when dropped.
struct Demo {
    /// Killed when the demo is dropped (fields drop after `Drop::drop`).
    moto: Moto,
    dir: PathBuf,
    stsenv: PathBuf,
    path_var: String,
    has_aws: bool,
}

impl Demo {
    fn start(tools: &venv::Tools, stsenv: PathBuf) -> util::Result<Demo> {
        let dir = std::env::temp_dir().join(format!(
            "stsenv-demo-{}-{}",
            std::process::id(),
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default()
        ));
        let aws_dir = dir.join("home").join(".aws");
        std::fs::create_dir_all(&aws_dir)
            .map_err(|e| format!("cannot create {}: {e}", aws_dir.display()))?;
        let write = |name: &str, text: &str| {
            let path = aws_dir.join(name);
            std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
        };
        let path_var = tools
            .env()
            .into_iter()
            .find(|(k, _)| k == "PATH")
            .map(|(_, v)| v)
            .unwrap_or_else(|| std::env::var("PATH").unwrap_or_default());
        let moto = Moto::start(tools).inspect_err(|_| remove_dir(&dir))?;
        let has_aws = std::env::split_paths(&path_var).any(|d| d.join("aws").is_file());
        let demo = Demo {
            moto,
            dir,
            stsenv,
            path_var,
            has_aws,
        };
        write("config", CONFIG)?;
        write("credentials", CREDENTIALS)?;
        Ok(demo)
    }

    fn story(&self) -> util::Result {
        println!("A local STS emulator (moto) listens on {}.", self.moto.url);
        println!("Temporary HOME: {}", self.home().display());
        println!("\n~/.aws/config:\n{CONFIG}\n~/.aws/credentials:\n{CREDENTIALS}");
        self.step(
            "What will happen, without calling AWS:",
            &["explain", "dev"],
        )?;
        self.step(
            "Export the role's credentials; the MFA code is given on the command line \
             here (in a terminal stsenv asks for it). Secrets are masked in this printout:",
            &["env", "dev", "--shell", "bash", "--token-code", "123456"],
        )?;
        self.step(
            "Who am I? Served from the cache: no MFA code asked again.",
            &["whoami", "dev", "--non-interactive"],
        )?;
        if self.has_aws {
            self.step(
                "Run one command with the role's credentials:",
                &[
                    "exec",
                    "dev",
                    "--non-interactive",
                    "--",
                    "aws",
                    "sts",
                    "get-caller-identity",
                ],
            )?;
        } else {
            self.step(
                "Run one command with the role's credentials (the AWS CLI is not installed, so `env`):",
                &["exec", "dev", "--non-interactive", "--", "env"],
            )?;
        }
        self.step(
            "The cached sessions (no secrets): one MFA session, one role.",
            &["cache", "list"],
        )?;
        if util::on_path("bash") {
            self.shell_step(
                "In a shell with the plugin (`eval \"$(stsenv init bash)\"` in ~/.bashrc): \
                 one function per profile, a prompt hook that renews before expiry.",
                "eval \"$(stsenv init bash)\"\n\
                 dev_assume\n\
                 stsenv status\n\
                 stsenv whoami | head -2\n\
                 stsenv_unassume\n\
                 stsenv status || echo 'no session active'",
            )?;
        }
        self.keystore_story()?;
        println!("\nDone: one MFA code per MFA session, then every call from the cache.");
        Ok(())
    }

    /// `keys import` into a temporary Secret Service, when one can be started.
    fn keystore_story(&self) -> util::Result {
        let missing: Vec<&str> = ["dbus-run-session", "dbus-send", "gnome-keyring-daemon"]
            .into_iter()
            .filter(|tool| !util::on_path(tool))
            .collect();
        if !missing.is_empty() {
            println!(
                "\n# (Skipped: keeping the keys in an OS keystore needs a Secret Service here; \
                 {} not installed: apt-get install dbus gnome-keyring.)",
                missing.join(", ")
            );
            return Ok(());
        }
        self.keyring_step(
            "Move the long-term keys of `base` out of ~/.aws/credentials into a keystore \
             (here a temporary gnome-keyring on a private D-Bus session bus):",
            &["keys", "import", "base"],
        )?;
        let credentials = self.home().join(".aws/credentials");
        let left = std::fs::read_to_string(&credentials)
            .map_err(|e| format!("cannot read {}: {e}", credentials.display()))?;
        println!("\n~/.aws/credentials now:\n{left}");
        self.keyring_step(
            "The profile now takes its keys from the keystore:",
            &["keys", "list"],
        )?;
        self.keyring_step(
            "And is still the source of the role (one new MFA session: sessions are cached \
             per source, and the source is now the keystore):",
            &["whoami", "dev", "--token-code", "123456"],
        )
    }

    /// [`Demo::step`] inside the temporary Secret Service.
    fn keyring_step(&self, what: &str, args: &[&str]) -> util::Result {
        let mut command = self.program("sh");
        command
            .arg(util::root().join("tests/support/keyring-session.sh"))
            .arg(&self.stsenv)
            .args(args);
        self.run_step(what, args, command)
    }

    /// Print `$ stsenv ARGS`, run it, print its output (masked), fail if it fails.
    fn step(&self, what: &str, args: &[&str]) -> util::Result {
        self.run_step(what, args, self.command(args))
    }

    /// Print `$ stsenv ARGS`, run `command`, print its output (masked).
    fn run_step(&self, what: &str, args: &[&str], mut command: Command) -> util::Result {
        println!("\n# {what}");
        println!("$ stsenv {}", args.join(" "));
        let output = command
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.stsenv.display()))?;
        let is_env_dump = args.last() == Some(&"env");
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            // `exec -- env` shows the whole environment; the AWS part is the point.
            if is_env_dump && !(line.starts_with("AWS_") || line.starts_with("STSENV_")) {
                continue;
            }
            println!("{}", mask(line));
        }
        for line in String::from_utf8_lossy(&output.stderr).lines() {
            // The private bus's and keyring daemon's own chatter.
            if line.starts_with("dbus-daemon[") || line.starts_with("** Message") {
                continue;
            }
            println!("{}", mask(line));
        }
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "`stsenv {}` failed: {}",
                args.join(" "),
                output.status
            ))
        }
    }

    /// Print a bash script, run it with stsenv first on PATH, print its output (masked).
    fn shell_step(&self, what: &str, script: &str) -> util::Result {
        println!("\n# {what}");
        // Echo each command before it runs, so output follows its command.
        let traced: String = script
            .lines()
            .map(|line| format!("printf '$ %s\\n' {}\n{line}\n", util::shell_quote(line)))
            .collect();
        let bin_dir = self.stsenv.parent().unwrap_or(Path::new("."));
        let output = self
            .program("bash")
            .args(["-c", &format!("{{\n{traced}}} 2>&1")])
            .env("PATH", format!("{}:{}", bin_dir.display(), self.path_var))
            .output()
            .map_err(|e| format!("cannot run bash: {e}"))?;
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            println!("{}", mask(line));
        }
        if output.status.success() {
            Ok(())
        } else {
            Err(format!("the shell step failed: {}", output.status))
        }
    }

    /// `stsenv ARGS` with only the demo's environment.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = self.program(&self.stsenv);
        command.args(args);
        command
    }

    /// `program` with only the demo's environment.
    fn program(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let home = self.home();
        let mut command = Command::new(program);
        command
            .env_clear()
            .env("HOME", &home)
            .env("AWS_CONFIG_FILE", home.join(".aws/config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", home.join(".aws/credentials"))
            .env("STSENV_CACHE_DIR", self.dir.join("cache"))
            .env("XDG_CACHE_HOME", self.dir.join("xdg-cache"))
            .env("AWS_ENDPOINT_URL", &self.moto.url)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("USER", "alice")
            .env("LANG", "C.UTF-8")
            .env("PATH", &self.path_var)
            .stdin(Stdio::null());
        command
    }

    fn home(&self) -> PathBuf {
        self.dir.join("home")
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        remove_dir(&self.dir);
    }
}

fn remove_dir(dir: &Path) {
    if let Err(err) = std::fs::remove_dir_all(dir) {
        eprintln!("xtask: could not remove {}: {err}", dir.display());
    }
}

/// Hide the value of a secret in `export NAME='…'`, `NAME=…` or JSON lines.
fn mask(line: &str) -> String {
    for name in SECRETS {
        // `NAME=` only: STSENV_VARS lists the names, which are no secret.
        if let Some(pos) = line.find(&format!("{name}=")) {
            return format!("{}='****'", &line[..pos + name.len()]);
        }
    }
    for key in ["\"SecretAccessKey\"", "\"SessionToken\""] {
        if let Some(pos) = line.find(key) {
            return format!("{}: \"****\",", &line[..pos + key.len()]);
        }
    }
    line.to_string()
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn secrets_are_masked() {
        assert_eq!(
            mask("export AWS_SESSION_TOKEN='abc'"),
            "export AWS_SESSION_TOKEN='****'"
        );
        assert_eq!(
            mask("AWS_SECRET_ACCESS_KEY=abc"),
            "AWS_SECRET_ACCESS_KEY='****'"
        );
        assert_eq!(
            mask("  \"SessionToken\": \"abc\","),
            "  \"SessionToken\": \"****\","
        );
        assert_eq!(
            mask("export AWS_ACCESS_KEY_ID='ASIA'"),
            "export AWS_ACCESS_KEY_ID='ASIA'"
        );
        let vars = "export STSENV_VARS='AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN'";
        assert_eq!(mask(vars), vars);
    }
}

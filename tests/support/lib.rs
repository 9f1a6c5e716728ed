//! Shared pieces of stsenv's end-to-end tests: a real STS emulator
//! (`moto_server` on a free loopback port) and a [`Sandbox`] that gives every
//! test its own HOME, AWS config files and cache directory.
//!
//! No test reads the real HOME or reaches beyond 127.0.0.1.

pub mod ecs_stub;
pub mod federation_stub;
pub mod hostile_portal;
pub mod imds_stub;
pub mod keyring;
pub mod loopback_http;
pub mod signin_stub;
pub mod sso_stub;
pub mod sts_stand_in;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A `moto_server` process; killed when dropped.
pub struct Moto {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The port.
    pub port: u16,
    child: Child,
}

impl Moto {
    /// Start a private emulator (for tests that count calls or change its mode).
    pub fn start() -> Moto {
        Moto::start_with_env(&[])
    }

    /// Start a private emulator with extra environment, e.g.
    /// `INITIAL_NO_AUTH_ACTION_COUNT=0` to make it enforce IAM auth.
    pub fn start_with_env(env: &[(&str, &str)]) -> Moto {
        let port = free_port();
        let mut command = Command::new(moto_server());
        command
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        kill_with_parent(&mut command);
        let child = command.spawn().unwrap_or_else(|e| {
            panic!(
                "cannot start {}: {e}; run `cargo xtask test`, which installs moto",
                moto_server().display()
            )
        });
        wait_until(&format!("moto_server listening on {port}"), || {
            TcpStream::connect(("127.0.0.1", port)).ok()
        });
        Moto {
            url: format!("http://127.0.0.1:{port}"),
            port,
            child,
        }
    }

    /// One emulator shared by every test of this test binary (tests use
    /// distinct roles, and moto returns fresh keys for every call).
    pub fn shared() -> &'static Moto {
        static SHARED: OnceLock<Moto> = OnceLock::new();
        SHARED.get_or_init(|| {
            // Spawned from a thread that never ends, so PR_SET_PDEATHSIG
            // fires only when the whole test process exits.
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                tx.send(Moto::start()).expect("receiver waits");
                loop {
                    std::thread::park();
                }
            });
            rx.recv().expect("moto started")
        })
    }
}

impl Moto {
    /// moto's recorded state (`/moto-api/data.json`).
    pub fn state(&self) -> serde_json::Value {
        use std::io::{Read, Write};
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("moto listens");
        write!(
            stream,
            "GET /moto-api/data.json HTTP/1.0\r\nHost: 127.0.0.1:{}\r\n\r\n",
            self.port
        )
        .expect("request sent");
        let mut response = Vec::new();
        stream.read_to_end(&mut response).expect("response read");
        let text = String::from_utf8_lossy(&response);
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, b)| b)
            .unwrap_or_default();
        serde_json::from_str(body).expect("moto state is JSON")
    }

    /// How many sts:AssumeRole calls moto answered for `role_arn`.
    pub fn assume_role_calls(&self, role_arn: &str) -> usize {
        self.state()["sts"]["AssumedRole"]
            .as_array()
            .map(|roles| roles.iter().filter(|r| r["role_arn"] == role_arn).count())
            .unwrap_or(0)
    }

    /// How many session tokens (GetSessionToken / GetFederationToken) moto issued.
    pub fn session_token_calls(&self) -> usize {
        self.state()["sts"]["Token"]
            .as_array()
            .map(Vec::len)
            .unwrap_or(0)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(target_os = "linux")]
fn kill_with_parent(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: prctl is async-signal-safe and touches no memory of ours.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn kill_with_parent(_command: &mut Command) {}

/// `$STSENV_MOTO_SERVER`, else `moto_server` from PATH.
pub fn moto_server() -> PathBuf {
    std::env::var_os("STSENV_MOTO_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("moto_server"))
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

/// The `stsenv` binary: `$STSENV_BIN` (set by `cargo xtask test`), else
/// built once per test process: the tests package cannot depend on a binary
/// crate, so it asks cargo directly.
pub fn stsenv_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(bin) = std::env::var_os("STSENV_BIN") {
            return PathBuf::from(bin);
        }
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--quiet", "-p", "stsenv", "--bin", "stsenv"])
            .current_dir(workspace_root())
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building stsenv failed");
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace_root().join("target"));
        target
            .join("debug")
            .join(format!("stsenv{}", std::env::consts::EXE_SUFFIX))
    })
}

/// Environment variables a test must never inherit from the developer's shell.
const SCRUBBED_PREFIXES: [&str; 2] = ["AWS_", "STSENV_"];

/// A private HOME with `.aws/config`, `.aws/credentials` and a cache dir.
pub struct Sandbox {
    dir: tempfile::TempDir,
    endpoint: Option<String>,
}

impl Sandbox {
    /// An empty sandbox with no emulator (network calls go nowhere).
    pub fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("home/.aws")).expect("mkdir");
        Sandbox {
            dir,
            endpoint: None,
        }
    }

    /// A sandbox whose STS calls go to `moto`.
    pub fn with_moto(moto: &Moto) -> Sandbox {
        Sandbox::new().endpoint(&moto.url)
    }

    /// Point every AWS call at `url` (AWS_ENDPOINT_URL).
    pub fn endpoint(mut self, url: &str) -> Sandbox {
        self.endpoint = Some(url.to_string());
        self
    }

    /// Write `~/.aws/config`.
    pub fn config(&self, text: &str) -> &Sandbox {
        std::fs::write(self.config_path(), text).expect("write config");
        self
    }

    /// Write `~/.aws/credentials`.
    pub fn credentials(&self, text: &str) -> &Sandbox {
        std::fs::write(self.credentials_path(), text).expect("write credentials");
        self
    }

    /// The sandbox root.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// HOME.
    pub fn home(&self) -> PathBuf {
        self.path().join("home")
    }

    /// AWS_CONFIG_FILE.
    pub fn config_path(&self) -> PathBuf {
        self.home().join(".aws/config")
    }

    /// AWS_SHARED_CREDENTIALS_FILE.
    pub fn credentials_path(&self) -> PathBuf {
        self.home().join(".aws/credentials")
    }

    /// STSENV_CACHE_DIR.
    pub fn cache_dir(&self) -> PathBuf {
        self.path().join("cache")
    }

    /// The environment a test process gets: the machine's PATH and nothing
    /// of the developer's AWS setup.
    pub fn env(&self) -> Vec<(String, String)> {
        let path = |p: PathBuf| p.display().to_string();
        let mut env = vec![
            ("HOME".into(), path(self.home())),
            ("AWS_CONFIG_FILE".into(), path(self.config_path())),
            (
                "AWS_SHARED_CREDENTIALS_FILE".into(),
                path(self.credentials_path()),
            ),
            ("STSENV_CACHE_DIR".into(), path(self.cache_dir())),
            ("XDG_CACHE_HOME".into(), path(self.path().join("xdg-cache"))),
            ("USER".into(), "tester".into()),
            ("PATH".into(), std::env::var("PATH").unwrap_or_default()),
            ("LANG".into(), "C.UTF-8".into()),
            ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
        ];
        if let Some(url) = &self.endpoint {
            env.push(("AWS_ENDPOINT_URL".into(), url.clone()));
        }
        env
    }

    /// `stsenv ARGS…` with the sandbox environment (and nothing else).
    pub fn stsenv(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::new(stsenv_bin());
        self.scrub(cmd.env_clear());
        cmd
    }

    /// Any program with the sandbox environment.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear();
        cmd.envs(self.env());
        cmd
    }

    fn scrub<'a>(&self, cmd: &'a mut assert_cmd::Command) -> &'a mut assert_cmd::Command {
        debug_assert!(self.env().iter().all(|(k, _)| !SCRUBBED_PREFIXES
            .iter()
            .any(|p| k.starts_with(p))
            || k.starts_with("AWS_CONFIG")
            || k.starts_with("AWS_SHARED")
            || k.starts_with("AWS_ENDPOINT")
            || k.starts_with("AWS_EC2")
            || k.starts_with("STSENV_CACHE")));
        cmd.envs(self.env())
    }
}

impl Default for Sandbox {
    fn default() -> Self {
        Sandbox::new()
    }
}

/// The classic switch-role setup: an IAM user `base` with keys and an MFA
/// device, and a role `dev` assumed from it with MFA.
pub const SWITCH_ROLE_CONFIG: &str = "\
[profile base]
region = eu-west-1

[profile dev]
role_arn = arn:aws:iam::123456789012:role/dev
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/alice
region = eu-west-1
";

/// Keys for `base` (moto accepts any).
pub const SWITCH_ROLE_CREDENTIALS: &str = "\
[base]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
";

impl Sandbox {
    /// A sandbox on `moto` with `config` and the keys of `base`
    /// ([`SWITCH_ROLE_CREDENTIALS`]).
    pub fn with_base_keys(moto: &Moto, config: &str) -> Sandbox {
        let sandbox = Sandbox::with_moto(moto);
        sandbox.config(config).credentials(SWITCH_ROLE_CREDENTIALS);
        sandbox
    }

    /// The classic switch-role setup ([`SWITCH_ROLE_CONFIG`]) on the
    /// shared emulator.
    pub fn switch_role() -> Sandbox {
        Sandbox::with_base_keys(Moto::shared(), SWITCH_ROLE_CONFIG)
    }
}

/// Every regular file under `dir` (links not followed) whose bytes contain
/// `needle`: where a secret must not be.
pub fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable dir") {
            let path = entry.expect("entry").path();
            let meta = std::fs::symlink_metadata(&path).expect("metadata");
            if meta.is_dir() {
                dirs.push(path);
            } else if meta.is_file()
                && std::fs::read(&path)
                    .is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
            {
                found.push(path);
            }
        }
    }
    found
}

/// Parse `export NAME='value'` lines into pairs (for asserting on output;
/// real-shell tests evaluate the code instead).
pub fn exported(stdout: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("export ")?;
            let (name, value) = rest.split_once('=')?;
            Some((name.to_string(), value.trim_matches('\'').to_string()))
        })
        .collect()
}

/// The value of `name` in `exported` output.
pub fn exported_value(stdout: &[u8], name: &str) -> Option<String> {
    exported(stdout)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
}

/// Assert that a finished process succeeded, showing its stderr if not, and
/// return its stdout.
pub fn succeeded(output: &std::process::Output) -> &[u8] {
    assert!(
        output.status.success(),
        "{}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    &output.stdout
}

/// The longest a test waits for something that takes a moment on an idle
/// machine (a process to start or end, a screen to show, a file to appear):
/// a ceiling for polling loops and hang guards, never a sleep. Generous,
/// because the suite must pass on a 2-core machine saturated by other work.
pub const PATIENCE: Duration = Duration::from_secs(180);

/// Poll `ready` every 20 ms until it gives a value, for at most
/// [`PATIENCE`]; a failure names `what`.
pub fn wait_until<T>(what: &str, mut ready: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(value) = ready() {
            return value;
        }
        assert!(Instant::now() < deadline, "{what}: not within {PATIENCE:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

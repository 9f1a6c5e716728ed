//! Python tools the tests need: moto's STS emulator and the AWS CLI. Used
//! from PATH when present, else installed into a venv under target/.

use std::path::PathBuf;
use std::process::Command;

use crate::util::{self, on_path};

/// Where the tools are.
pub struct Tools {
    /// A directory to put first on PATH, when the venv is used.
    pub bin_dir: Option<PathBuf>,
}

impl Tools {
    /// The `moto_server` to run: the venv's, else the one on PATH.
    pub fn moto_server(&self) -> PathBuf {
        self.bin_dir
            .as_ref()
            .map(|bin| bin.join("moto_server"))
            .unwrap_or_else(|| PathBuf::from("moto_server"))
    }

    /// Environment for test processes: PATH with the venv first, and the
    /// emulator's path for the test harness.
    pub fn env(&self) -> Vec<(String, String)> {
        let Some(bin) = &self.bin_dir else {
            return Vec::new();
        };
        let path = std::env::var("PATH").unwrap_or_default();
        vec![
            ("PATH".into(), format!("{}:{path}", bin.display())),
            (
                "STSENV_MOTO_SERVER".into(),
                self.moto_server().display().to_string(),
            ),
        ]
    }
}

/// The Python packages the tests use (python-dotenv: the dotenv output is
/// checked against it; awscrt: botocore's `aws login` provider signs its
/// DPoP proofs with it).
const PACKAGES: [&str; 5] = [
    "moto[server]==5.2.1",
    "awscli",
    "boto3",
    "python-dotenv",
    "awscrt",
];

/// Make sure moto_server and aws exist; install them into target/venv if not.
pub fn ensure() -> util::Result<Tools> {
    if on_path("moto_server") && on_path("aws") {
        ensure_awscrt("python3")?;
        return Ok(Tools { bin_dir: None });
    }
    let venv = util::target_dir().join("venv");
    let bin = venv.join("bin");
    if !bin.join("moto_server").exists() || !bin.join("aws").exists() {
        eprintln!(
            "xtask: installing {} into {}",
            PACKAGES.join(", "),
            venv.display()
        );
        let python = if on_path("python3") {
            "python3"
        } else {
            "python"
        };
        util::run(Command::new(python).args(["-m", "venv"]).arg(&venv))?;
        util::run(
            Command::new(bin.join("pip"))
                .args(["install", "--quiet", "--disable-pip-version-check"])
                .args(PACKAGES),
        )?;
    }
    ensure_awscrt(&bin.join("python").display().to_string())?;
    Ok(Tools { bin_dir: Some(bin) })
}

/// botocore's login provider needs awscrt; a venv or PATH Python made
/// before the login tests existed lacks it.
fn ensure_awscrt(python: &str) -> util::Result<()> {
    let present = Command::new(python)
        .args(["-c", "import awscrt"])
        .output()
        .is_ok_and(|o| o.status.success());
    if present {
        return Ok(());
    }
    eprintln!("xtask: installing awscrt for {python}");
    util::run(Command::new(python).args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "awscrt",
    ]))
}

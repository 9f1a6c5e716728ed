//! Running the Windows build on Linux: Debian's wine (8.x) and, beside the
//! `.exe`, a shim `bcryptprimitives.dll` built with mingw from
//! `xtask/wine/processprng.c` (Rust's std needs `ProcessPrng`, which wine 8
//! lacks). Used by `dist --check` of the Windows zip and by the wine test
//! tier of `cargo xtask ci`. The shim is a test fixture: never shipped.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util;

/// The mingw C compiler that builds the shim (and links `stsenv.exe`).
pub const MINGW_CC: &str = "x86_64-w64-mingw32-gcc";

/// Whether wine and mingw are installed (`.ci/run` installs both).
pub fn available() -> bool {
    util::on_path("wine") && util::on_path(MINGW_CC)
}

/// A wine prefix of our own under `target/`, and the environment that
/// keeps wine quiet and off the developer's `~/.wine`.
pub struct Wine {
    prefix: PathBuf,
}

impl Wine {
    /// Make `dir` (where a `stsenv.exe` is) runnable: build the shim beside
    /// it, and make sure the prefix exists (the first run creates it, which
    /// takes a few seconds).
    pub fn prepare(dir: &Path) -> util::Result<Wine> {
        if !available() {
            return Err(format!(
                "wine and {MINGW_CC} are needed (apt-get install wine gcc-mingw-w64-x86-64)"
            ));
        }
        let source = util::root().join("xtask/wine/processprng.c");
        util::run(
            Command::new(MINGW_CC)
                .args(["-O2", "-shared", "-o"])
                .arg(dir.join("bcryptprimitives.dll"))
                .arg(&source)
                .arg("-ladvapi32"),
        )?;
        let wine = Wine {
            prefix: util::target_dir().join("wine").join("prefix"),
        };
        std::fs::create_dir_all(&wine.prefix)
            .map_err(|e| format!("mkdir {}: {e}", wine.prefix.display()))?;
        util::run(wine.command("cmd").args(["/c", "ver"]))?;
        Ok(wine)
    }

    /// The environment every wine run gets.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("WINEPREFIX".into(), self.prefix.display().to_string()),
            ("WINEDEBUG".into(), "-all".into()),
            // No "install Mono/Gecko?" dialogs, no window system needed.
            ("WINEDLLOVERRIDES".into(), "mscoree,mshtml=".into()),
            ("DISPLAY".into(), String::new()),
        ]
    }

    /// `wine PROGRAM` with that environment.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new("wine");
        command.arg(program);
        command.envs(self.env());
        command
    }
}

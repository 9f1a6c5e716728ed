//! The platforms CI checks besides the host (Linux):
//!
//! - macOS (aarch64, x86_64): type-checked and linted only. There is no
//!   Apple linker or SDK here; `ring`'s few C files are compiled with
//!   Debian's clang against the stand-in headers in `xtask/typecheck-include`
//!   (see its README), which is enough for `cargo clippy`, never for a binary.
//! - Windows (x86_64-pc-windows-gnu): linted, built with mingw, and run
//!   under wine by the `wine` test tier (`tests/wine`) against moto.

use std::path::Path;

use crate::util;
use crate::wine::{self, Wine};

/// The Windows target that is built and run under wine.
pub const WINDOWS: &str = "x86_64-pc-windows-gnu";

/// Targets only type-checked: no linker for them on Linux.
pub const MACOS: [&str; 2] = ["aarch64-apple-darwin", "x86_64-apple-darwin"];

/// `cargo clippy --target T -p stsenv -p stsenv-core -- -D warnings` for
/// every other platform.
pub fn clippy() -> util::Result {
    let installed = installed_targets()?;
    for target in MACOS.iter().chain([&WINDOWS]) {
        if !installed.iter().any(|t| t == target) {
            return Err(format!(
                "the Rust target {target} is not installed: rustup target add {target}"
            ));
        }
        let env = cross_env(target)?;
        util::cargo(
            &[
                "clippy",
                "--target",
                target,
                "-p",
                "stsenv",
                "-p",
                "stsenv-core",
                "--",
                "-D",
                "warnings",
            ],
            &env,
        )?;
    }
    Ok(())
}

/// What the C compiler needs for `target`: clang and the stand-in headers
/// for macOS, nothing for Windows (cc finds mingw by the target name).
pub fn cross_env(target: &str) -> util::Result<Vec<(String, String)>> {
    if !target.ends_with("-apple-darwin") {
        if target == WINDOWS && !util::on_path(wine::MINGW_CC) {
            return Err(format!(
                "{target} needs {} (apt-get install gcc-mingw-w64-x86-64)",
                wine::MINGW_CC
            ));
        }
        return Ok(Vec::new());
    }
    if cfg!(target_os = "macos") {
        return Ok(Vec::new());
    }
    if !util::on_path("clang") {
        return Err(format!(
            "type-checking {target} needs clang (apt-get install clang)"
        ));
    }
    let var = target.replace('-', "_");
    let include = util::root().join("xtask/typecheck-include");
    Ok(vec![
        (format!("CC_{var}"), "clang".into()),
        (
            format!("CFLAGS_{var}"),
            format!("-ffreestanding -nostdlibinc -I{}", include.display()),
        ),
    ])
}

fn installed_targets() -> util::Result<Vec<String>> {
    let out = std::process::Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|e| format!("cannot run rustup: {e}"))?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect())
}

/// The wine tier: the tests in `tests/wine` against `exe` (the release
/// `stsenv.exe` that `dist --target` packed), with moto from the venv.
pub fn wine_tier(exe: &Path, tools_env: &[(String, String)]) -> util::Result {
    let dir = exe.parent().expect("the exe is in a directory");
    let wine = Wine::prepare(dir)?;
    let mut env = tools_env.to_vec();
    env.extend(wine.env());
    env.push(("STSENV_WINE_EXE".into(), exe.display().to_string()));
    util::cargo(
        &[
            "test",
            "-p",
            "stsenv-tests",
            "--test",
            "wine",
            "--",
            "--ignored",
            "--test-threads=1",
        ],
        &env,
    )
}

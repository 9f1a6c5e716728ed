//! The platforms CI checks besides the host (Linux):
//!
//! - macOS (aarch64, x86_64) and Windows MSVC (x86_64): type-checked and
//!   linted only. There is no Apple or Microsoft SDK here; `ring`'s few C
//!   files are compiled with Debian's clang against the stand-in headers in
//!   `xtask/typecheck-include` (see its README), which is enough for
//!   `cargo clippy`, never for a binary.
//! - Windows GNU (x86_64-pc-windows-gnu): linted, built with mingw, and run
//!   under wine by the `wine` test tier (`tests/wine`) against moto.

use std::path::Path;

use crate::util;
use crate::wine::{self, Wine};

/// The Windows target that is built and run under wine.
pub const WINDOWS: &str = "x86_64-pc-windows-gnu";

/// Targets only type-checked: no SDK or linker for them on Linux.
pub const TYPECHECK_ONLY: [&str; 3] = [
    "aarch64-apple-darwin",
    "x86_64-apple-darwin",
    "x86_64-pc-windows-msvc",
];

/// `cargo clippy --target T -p stsenv -p stsenv-core -- -D warnings` for
/// every other platform.
pub fn clippy() -> util::Result {
    let installed = installed_targets()?;
    for target in TYPECHECK_ONLY.iter().chain([&WINDOWS]) {
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

/// What the C compiler needs for `target`: nothing for the host or for
/// Windows GNU (cc finds mingw by the target name); for a type-check-only
/// target, clang with the stand-in headers (and, for MSVC, llvm-lib as
/// the archiver and GCC's builtins instead of MSVC's `<stdlib.h>` ones).
pub fn cross_env(target: &str) -> util::Result<Vec<(String, String)>> {
    if target == WINDOWS && !util::on_path(wine::MINGW_CC) {
        return Err(format!(
            "{target} needs {} (apt-get install gcc-mingw-w64-x86-64)",
            wine::MINGW_CC
        ));
    }
    let native = (target.ends_with("-apple-darwin") && cfg!(target_os = "macos"))
        || (target.ends_with("-windows-msvc") && cfg!(target_env = "msvc"));
    if !TYPECHECK_ONLY.contains(&target) || native {
        return Ok(Vec::new());
    }
    let msvc = target.ends_with("-windows-msvc");
    for tool in ["clang"].into_iter().chain(msvc.then_some("llvm-lib")) {
        if !util::on_path(tool) {
            return Err(format!(
                "type-checking {target} needs {tool} (apt-get install clang llvm)"
            ));
        }
    }
    let var = target.replace('-', "_");
    let include = util::root().join("xtask/typecheck-include");
    let mut cflags = format!("-ffreestanding -nostdlibinc -I{}", include.display());
    let mut env = vec![(format!("CC_{var}"), "clang".to_string())];
    if msvc {
        cflags.push_str(" -fgnuc-version=4.2.1");
        env.push((format!("AR_{var}"), "llvm-lib".into()));
    }
    env.push((format!("CFLAGS_{var}"), cflags));
    Ok(env)
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

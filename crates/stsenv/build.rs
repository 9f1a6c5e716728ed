//! Link-time work for release builds: identical code folding, and the hot
//! functions first.
//!
//! Monomorphised generics often compile to byte-identical machine code (the
//! same function for two types of one layout); `--icf=all` makes the linker
//! keep one copy. That takes about a megabyte off the release binary
//! (docs/performance.md, "Binary size"). Rust guarantees no distinct
//! addresses for functions or constants, so folding them is sound.
//!
//! `link-order.txt` lists the functions the commands that start often run
//! (`cargo xtask link-order` makes it). Placed first in `.text`, they share
//! a few pages of code instead of being scattered over megabytes, and each
//! start takes fewer page faults. Names the code no longer has are ignored,
//! so a stale list costs speed, never the build.
//!
//! Only rust-lld knows these flags among the linkers a build may use: it is
//! the default on x86_64 Linux since Rust 1.90, while GNU ld rejects the
//! option. So it is passed only there, only in release builds, and not when
//! the build chooses its own linker.

use std::env;
use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=CARGO_ENCODED_RUSTFLAGS");
    if env::var("PROFILE").as_deref() == Ok("release")
        && env::var("TARGET").as_deref() == Ok("x86_64-unknown-linux-gnu")
        && !own_linker()
        && rustc_minor().is_some_and(|minor| minor >= 90)
    {
        println!("cargo::rustc-link-arg-bins=-Wl,--icf=all");
        println!("cargo::rerun-if-changed=link-order.txt");
        let manifest_dir = env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default();
        let order = Path::new(&manifest_dir).join("link-order.txt");
        println!(
            "cargo::rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
            order.display()
        );
        println!("cargo::rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
}

/// Whether the build's flags pick a linker (or turn rust-lld off).
fn own_linker() -> bool {
    let flags = env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    flags.contains("linker") || env::var_os("RUSTC_LINKER").is_some()
}

/// The minor version of the compiler building this crate (`rustc 1.95.0`: 95).
fn rustc_minor() -> Option<u32> {
    let rustc = env::var_os("RUSTC")?;
    let out = Command::new(rustc).arg("--version").output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let version = text.split_whitespace().nth(1)?;
    version.split('.').nth(1)?.parse().ok()
}

//! Project automation: `cargo xtask <task>`.
//!
//! - `test`: install what the tests need (moto, the AWS CLI) into a venv
//!   under target/ when missing, then run every test.
//! - `ci`: formatting, clippy (Linux, then macOS and Windows targets),
//!   shellcheck, then `test`, then `dist --check`, then
//!   `link-order --check`, then, when wine and mingw are installed, the
//!   Windows zip and the `wine` tier.
//! - `targets`: clippy for the macOS and Windows targets (part of `ci`).
//! - `wine`: the Windows zip (`dist --target x86_64-pc-windows-gnu --check`)
//!   and the wine test tier (`tests/wine`) against moto.
//! - `demo`: the whole flow against a local emulator, no AWS account.
//! - `bench`: stsenv against its peers, as a markdown table.
//! - `completions`: regenerate `completions/`.
//! - `link-order [--check]`: list the functions the release linker places
//!   first (crates/stsenv/link-order.txt; needs valgrind), or check the
//!   list against the code (part of `ci`).
//! - `dist [--target TARGET] [--check]`: the release archive in
//!   target/dist/; `--check` unpacks it and uses its binary, man pages and
//!   completions (a Windows zip's `.exe` under wine).

mod bench;
mod completions;
mod demo;
mod dist;
mod moto;
mod platforms;
mod util;
mod venv;
mod wine;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (task, rest) = match args.split_first() {
        Some((task, rest)) => (task.as_str(), rest),
        None => ("help", &[][..]),
    };
    let result = match task {
        "test" => test(rest),
        "ci" => ci(),
        "demo" => demo::run(rest),
        "bench" => bench::run(rest),
        "completions" => completions::run(rest),
        "dist" => dist::run(rest),
        "wine" => wine_tier(),
        "targets" => platforms::clippy(),
        "link-order" => bench::link_order::run(rest),
        _ => {
            eprintln!(
                "usage: cargo xtask <test|ci|targets|wine|demo|bench|completions|dist|link-order> [args]"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Run every test, with moto (and the AWS CLI) from the venv when missing.
fn test(extra: &[String]) -> util::Result {
    let tools = venv::ensure()?;
    util::cargo(&["build", "-p", "stsenv", "--bin", "stsenv"], &[])?;
    let bin = util::target_dir().join("debug").join("stsenv");
    let mut args = vec!["test", "--workspace"];
    args.extend(extra.iter().map(String::as_str));
    let mut env = tools.env();
    env.push(("STSENV_BIN".into(), bin.display().to_string()));
    util::cargo(&args, &env)
}

/// Everything CI checks, in the order that fails fastest.
fn ci() -> util::Result {
    util::cargo(&["fmt", "--all", "--", "--check"], &[])?;
    util::cargo(
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;
    platforms::clippy()?;
    util::shellcheck()?;
    test(&[])?;
    // Last: a release build takes minutes, and everything above is quicker
    // to fail.
    dist::run(&["--check".to_string()])?;
    // After dist: it relinks target/release/stsenv with its symbols.
    bench::link_order::run(&["--check".to_string()])?;
    if wine::available() {
        wine_tier()
    } else {
        println!("ci: wine or mingw is not installed: the Windows build was only type-checked (.ci/run installs them)");
        Ok(())
    }
}

/// The Windows zip, checked under wine, then the wine tests on its `.exe`.
fn wine_tier() -> util::Result {
    let tools = venv::ensure()?;
    let zip = dist::windows::build(platforms::WINDOWS)?;
    let exe = dist::windows::check(&zip)?;
    platforms::wine_tier(&exe, &tools.env())
}

//! Project automation: `cargo xtask <task>`.
//!
//! - `test`: install what the tests need (moto, the AWS CLI) into a venv
//!   under target/ when missing, then run every test.
//! - `ci`: formatting, clippy, shellcheck, then `test`, then `dist --check`.
//! - `demo`: the whole flow against a local emulator, no AWS account.
//! - `bench`: stsenv against its peers, as a markdown table.
//! - `completions`: regenerate `completions/`.
//! - `dist [--check]`: the release archive in target/dist/; `--check`
//!   unpacks it and uses its binary, man pages and completions.

mod bench;
mod completions;
mod demo;
mod dist;
mod moto;
mod util;
mod venv;

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
        _ => {
            eprintln!("usage: cargo xtask <test|ci|demo|bench|completions|dist> [args]");
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
    util::shellcheck()?;
    test(&[])?;
    // Last: a release build takes minutes, and everything above is quicker
    // to fail.
    dist::run(&["--check".to_string()])
}

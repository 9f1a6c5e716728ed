//! `stsenv`: AWS temporary credentials for your shell.

mod cli;
mod commands;
mod emit;
mod session_env;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli.command) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("stsenv: error: {err}");
            ExitCode::from(err.exit_code() as u8)
        }
    }
}

//! `stsenv`: AWS temporary credentials for your shell.

mod cli;
mod clipboard;
mod commands;
mod emit;
mod server;
mod session_env;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

fn main() -> ExitCode {
    // Answers TAB requests from the completion registered by `stsenv init`
    // (`_STSENV_COMPLETE=bash stsenv -- …`) and exits; otherwise returns at
    // once after one environment lookup.
    clap_complete::CompleteEnv::with_factory(cli::Cli::command)
        .var(commands::init::COMPLETE_VAR)
        .complete();
    let cli = cli::Cli::parse();
    match commands::run(cli.command) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("stsenv: error: {err}");
            ExitCode::from(err.exit_code() as u8)
        }
    }
}

//! One module per subcommand; this file only dispatches. What commands
//! share lives beside `commands/`: `obtain`, `session`, `shell`, `prompt`,
//! `output`.

mod cache;
mod completions;
mod console;
mod credential_process;
mod doctor;
mod eks_token;
mod env;
mod exec;
mod explain;
pub mod init;
mod keys;
mod login;
pub mod man;
mod profiles;
mod serve;
mod status;
mod unset;
mod whoami;

use crate::cli::Command;
use crate::error::CliResult;

/// Run one subcommand.
pub fn run(command: Command) -> CliResult {
    match command {
        Command::Env(args) => env::run(args),
        Command::Exec(args) => exec::run(args),
        Command::Whoami(args) => whoami::run(args),
        Command::Init(args) => init::run(args),
        Command::Unset(args) => unset::run(args),
        Command::Profiles(args) => profiles::run(args),
        Command::Status(args) => status::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Cache(command) => cache::run(command),
        Command::CredentialProcess(args) => credential_process::run(args),
        Command::Login(args) => login::login(args),
        Command::Logout(args) => login::logout(args),
        Command::Sso(command) => login::sso(command),
        Command::Console(args) => console::run(args),
        Command::EksToken(args) => eks_token::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Keys(command) => keys::run(command),
        Command::Serve(args) => serve::run(args),
        Command::Doctor(args) => doctor::run(args),
    }
}

//! stsenv's end-to-end tests, one binary so that they share one emulator.
//! Each module is one area; see `stsenv_tests` for the sandbox and moto.

mod cache;
mod chains;
mod errors;
mod formats;
mod server;
mod shell_commands;
mod shell_hook;
mod shell_plugins;
mod shell_support;
mod shell_tmux;
mod shells;
mod smoke;
mod sso_botocore;
mod sso_login;
mod sso_populate;
mod trycmd;
mod util;
mod whoami_exec;

//! stsenv's end-to-end tests, one binary so that they share one emulator.
//! Each module is one area; see `stsenv_tests` for the sandbox and moto.

mod cache;
mod chains;
mod cli_robustness;
mod console;
mod differential;
mod eks;
mod errors;
mod formats;
mod hardening_cache;
mod hardening_config;
mod hardening_dotenv;
mod hardening_fuzz;
mod hardening_process;
mod hardening_secrets;
mod hardening_sso;
mod man_pages;
mod mfa_process;
mod picker;
mod release;
mod resolution;
mod shell_commands;
mod shell_hook;
mod shell_init;
mod shell_plugins;
mod shell_support;
mod shell_tmux;
mod shells;
mod smoke;
mod sources;
mod sso_botocore;
mod sso_login;
mod sso_populate;
mod trycmd;
mod util;
mod whoami_exec;

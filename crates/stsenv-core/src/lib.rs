//! The engine behind `stsenv`: read the user's AWS profiles, turn one into a
//! [`plan::Plan`] of credential steps, and execute it against STS / SSO
//! through the session [`cache`].
//!
//! Data flows one way: `config` (profiles) → `plan` (a [`step::Source`] and
//! [`step::Step`]s) → `resolve` (credentials, through `cache`). Every call
//! to AWS goes through the client layer in `aws`. This crate knows nothing
//! of clap or shells, and its messages name no command-line flag.

pub mod aws;
pub mod cache;
pub mod config;
pub mod config_edit;
mod config_index;
pub mod console;
pub mod credentials;
pub mod eks;
pub mod error;
pub mod fsutil;
pub mod iam;
pub mod keys;
pub mod keystore;
pub mod metadata;
pub mod partition;
pub mod plan;
pub mod platform;
pub mod process;
pub mod resolve;
pub mod rotate;
pub mod sso;
pub mod step;
pub mod sts;
pub mod untrusted;
pub mod web_identity;

pub use credentials::Credentials;
pub use error::{Error, Result};

/// Print a one-line warning on stderr. The engine's only output channel:
/// stdout belongs to the CLI (it may be `eval`ed).
pub fn warn(message: &str) {
    use std::io::Write;
    // A stderr that cannot be written is no reason to fail (or panic).
    let _ = writeln!(std::io::stderr().lock(), "stsenv: warning: {message}");
}

//! The engine behind `stsenv`: read the user's AWS profiles, turn one into a
//! [`plan::Plan`] of credential steps, and execute it against STS / SSO
//! through the session [`cache`].
//!
//! Data flows one way: `config` (profiles) → `plan` (steps) → `resolve`
//! (credentials, through `cache`). This crate knows nothing of clap or shells.

pub mod cache;
pub mod config;
pub mod config_edit;
pub mod credentials;
pub mod error;
pub mod fsutil;
pub mod iam;
pub mod keys;
pub mod keystore;
pub mod plan;
pub mod process;
pub mod resolve;
pub mod rotate;
pub mod sso;
pub mod sts;

pub use credentials::Credentials;
pub use error::{Error, Result};

/// Print a one-line warning on stderr. The engine's only output channel:
/// stdout belongs to the CLI (it may be `eval`ed).
pub fn warn(message: &str) {
    eprintln!("stsenv: warning: {message}");
}

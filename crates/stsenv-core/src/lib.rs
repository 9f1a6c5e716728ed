//! The engine behind `stsenv`: read the user's AWS profiles, turn one into a
//! [`plan::Plan`] of credential steps, and execute it against STS / SSO
//! through the session cache.
//!
//! The folders are the layers, each importing only the ones below it:
//!
//! ```text
//! keys/     import keys into the keystore, rotate them       (uses plan)
//! plan/     Plan, Source, Step: the planner, resolve(), what a plan
//!           means to the console                              (uses source, aws, profile, store)
//! source/   first credentials: credential_process, web identity,
//!           IMDS/ECS, IAM Identity Center                     (uses aws, profile, store)
//! aws/      the client layer and the calls: STS, IAM, federation,
//!           EKS presigning, partitions                        (uses profile, store)
//! profile/  the user's AWS files: parse, index, lossless edit (uses store)
//! store/    session cache, keystore, private atomic files,
//!           checks for outside values                         (uses error, credentials)
//! error.rs, credentials.rs: the two types every layer shares
//! platform/ what differs between Unix and Windows (process trees,
//!           file ownership), for any layer; imports nothing of ours
//! ```
//!
//! Data flows one way: `profile` → `plan` (a [`plan::source::Source`] and
//! [`plan::step::Step`]s) → `plan::resolve` (credentials, through
//! `store::cache`). This crate knows nothing of clap or shells, and its
//! messages name no command-line flag.

pub mod aws;
pub mod credentials;
pub mod error;
pub mod keys;
pub mod plan;
pub mod platform;
pub mod profile;
pub mod source;
pub mod store;

pub use credentials::Credentials;
pub use error::{Error, Result};

/// Print a one-line warning on stderr. The engine's only output channel:
/// stdout belongs to the CLI (it may be `eval`ed).
pub fn warn(message: &str) {
    use std::io::Write;
    // A stderr that cannot be written is no reason to fail (or panic).
    let _ = writeln!(std::io::stderr().lock(), "stsenv: warning: {message}");
}

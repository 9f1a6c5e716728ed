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
    #[cfg(test)]
    if captured::keep(message) {
        return;
    }
    // A stderr that cannot be written is no reason to fail (or panic).
    // Warnings carry outside values (file names, server text): escaped.
    let message = store::untrusted::printable_lines(message);
    let _ = writeln!(std::io::stderr().lock(), "stsenv: warning: {message}");
}

/// Warnings kept instead of printed while unit tests run (this crate's,
/// and the CLI's through its own `warn`), per test thread: an expected
/// warning is asserted with [`captured::take`], and a passing run prints
/// no `stsenv: warning:` line that looks like a failure. Not for use
/// outside tests.
#[doc(hidden)]
pub mod captured {
    use std::cell::RefCell;

    thread_local! {
        static WARNINGS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    }

    /// Keep `message`; always succeeds.
    pub fn keep(message: &str) -> bool {
        WARNINGS.with(|w| w.borrow_mut().push(message.to_string()));
        true
    }

    /// The warnings this thread has given since the last call.
    pub fn take() -> Vec<String> {
        WARNINGS.with(|w| std::mem::take(&mut *w.borrow_mut()))
    }
}

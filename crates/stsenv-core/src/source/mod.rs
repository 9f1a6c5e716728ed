//! Where the first credentials of a plan come from, when they are not keys
//! in a file: `credential_process` ([`process`]), a web identity token file
//! ([`web_identity`]), the machine's metadata endpoints ([`metadata`]) and
//! IAM Identity Center ([`sso`]). Each is called by a plan's
//! [`crate::plan::source::Source`]; none knows about plans. Imports
//! [`crate::aws`], [`crate::profile`] and [`crate::store`].

pub mod login;
pub mod login_flow;
pub mod metadata;
pub mod process;
pub mod sso;
pub mod web_identity;

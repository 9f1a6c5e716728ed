//! The user's own AWS files: read with aws-config's parser ([`config`]),
//! remembered in the cache dir for big configs (`index`, never a second
//! parser), and edited byte-exactly ([`edit`]). Imports only [`crate::store`]
//! below it.

pub mod config;
pub mod credentials_export;
pub mod edit;
mod index;
pub mod session_tags;

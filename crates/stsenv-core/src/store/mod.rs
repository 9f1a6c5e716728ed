//! Local stores, the lowest layer: the session cache, the OS keystore, the
//! file writes that must be atomic and private, and the checks for values
//! stsenv did not produce itself. Imports nothing above it (only
//! [`crate::error`] and [`crate::credentials`]).

pub mod cache;
pub mod file_keystore;
pub mod fsutil;
pub mod keystore;
pub mod untrusted;

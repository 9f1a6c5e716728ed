//! stsenv's end-to-end tests, one binary so that they share one emulator.
//! Each module is one area; see `stsenv_tests` for the sandbox and moto.

mod cache;
mod chains;
mod errors;
mod formats;
mod shells;
mod smoke;
mod sso_botocore;
mod sso_login;
mod sso_populate;
mod trycmd;
mod util;
mod whoami_exec;

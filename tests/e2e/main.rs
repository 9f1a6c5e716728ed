//! stsenv's end-to-end tests, one binary so that they share one emulator.
//! Each module is one area; see `stsenv_tests` for the sandbox and moto.

mod cache;
mod smoke;
mod sso_botocore;
mod sso_login;
mod sso_populate;

//! IAM Identity Center (SSO). Role credentials need a token from `stsenv login`.

use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::plan::SsoRole;

/// sso:GetRoleCredentials for `role` with the cached token.
pub fn role_credentials(role: &SsoRole, _runtime: &tokio::runtime::Runtime) -> Result<Credentials> {
    Err(Error::LoginNeeded {
        profile: role.profile.clone(),
    })
}

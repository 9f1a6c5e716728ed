//! Windows: the Credential Manager (generic credentials of the user's
//! logon session), which names entries `user.service` itself.

/// The keystore, as a user would name it.
pub const NAME: &str = "the Windows Credential Manager";

/// Whether entries can be found by service: no, the Credential Manager
/// searches target-name patterns, so `keys list` relies on the profiles
/// marked in the config file.
pub const SEARCHABLE: bool = false;

/// The entry of `user` under `service`.
pub fn entry(service: &str, user: &str) -> keyring_core::Result<keyring_core::Entry> {
    keyring_core::Entry::new(service, user)
}

/// What to say when the Credential Manager cannot be opened.
pub fn unavailable(cause: &str) -> String {
    format!("{NAME} cannot be opened ({cause})")
}

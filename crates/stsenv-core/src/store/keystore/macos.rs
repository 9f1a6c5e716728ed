//! macOS: the login Keychain (Security framework), which names entries by
//! service and account itself.

/// The keystore, as a user would name it.
pub const NAME: &str = "the macOS Keychain";

/// Whether entries can be found by service (the Keychain can).
pub const SEARCHABLE: bool = true;

/// The entry of `user` under `service`.
pub fn entry(service: &str, user: &str) -> keyring_core::Result<keyring_core::Entry> {
    keyring_core::Entry::new(service, user)
}

/// What to say when the Keychain cannot be opened.
pub fn unavailable(cause: &str) -> String {
    format!("{NAME} cannot be opened ({cause})")
}

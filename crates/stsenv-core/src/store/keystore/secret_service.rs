//! Linux and the BSDs: a Secret Service (gnome-keyring, KWallet,
//! KeePassXC) on the D-Bus session bus, reached over zbus.

use std::collections::HashMap;

/// The keystore, as a user would name it.
pub const NAME: &str = "the Secret Service keystore";

/// Whether entries can be found by service (they can: by attributes).
pub const SEARCHABLE: bool = true;

/// The entry of `user` under `service`, labelled for keystore browsers
/// (Seahorse, KWallet show the label).
pub fn entry(service: &str, user: &str) -> keyring_core::Result<keyring_core::Entry> {
    let label = format!("stsenv: AWS access key of profile {user}");
    let modifiers = HashMap::from([("label", label.as_str())]);
    keyring_core::Entry::new_with_modifiers(service, user, &modifiers)
}

/// What to do when no keystore answers: start one.
pub fn unavailable(cause: &str) -> String {
    let bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
        || std::env::var_os("XDG_RUNTIME_DIR")
            .is_some_and(|dir| std::path::Path::new(&dir).join("bus").exists());
    let start = if bus {
        "no Secret Service answers on the D-Bus session bus"
    } else {
        "there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset)"
    };
    format!(
        "{start} ({cause}). Install and start a Secret Service: gnome-keyring (`apt install gnome-keyring`, started by your desktop session, or `gnome-keyring-daemon --start --components=secrets` inside `dbus-run-session`), KWallet or KeePassXC with Secret Service integration. stsenv never falls back to keeping keys in plain text"
    )
}

//! Values read from a profile or given as overrides, checked before they
//! reach a plan: durations, regions, session names.

use crate::error::{Error, Result};
use crate::profile::config::AwsConfig;

pub(super) fn parse_secs(
    value: Option<&str>,
    key: &str,
) -> std::result::Result<Option<u32>, String> {
    value
        .map(|v| {
            v.trim()
                .parse::<u32>()
                .map_err(|_| format!("{key} = {v} is not a whole number of seconds"))
        })
        .transpose()
}

/// Whether `region` looks like a region name (`eu-west-1`): lowercase
/// letters, digits and `-`, so that it can stand in a host name.
pub fn is_region_name(region: &str) -> bool {
    !region.is_empty()
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// A region name, checked before it reaches a signature or an endpoint;
/// `from` says where it came from, for the message.
pub(super) fn validate_region(
    region: &str,
    from: &str,
    name: &str,
    config: &AwsConfig,
) -> Result<String> {
    if is_region_name(region) {
        Ok(region.to_string())
    } else {
        Err(Error::InvalidProfile {
            profile: name.to_string(),
            file: config.file_of(name).to_path_buf(),
            problem: format!(
                "region `{}`{from} is not a region name like eu-west-1",
                crate::aws::client::printable(region, 60)
            ),
        })
    }
}

/// STS allows `[\w+=,.@-]{2,64}` in a role session name.
pub(super) fn validate_session_name(name: &str) -> std::result::Result<(), String> {
    let ok = (2..=64).contains(&name.len()) && name.chars().all(is_session_name_char);
    if ok {
        Ok(())
    } else {
        Err(format!(
            "role session name `{name}` must be 2–64 characters of letters, digits and + = , . @ _ -"
        ))
    }
}

fn is_session_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)
}

/// `stsenv-<local user>`, sanitised to STS's session-name alphabet.
pub fn default_session_name() -> String {
    // Worked out once: `init` plans thousands of roles, and stsenv never
    // changes its own environment.
    static NAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    NAME.get_or_init(session_name_of_user).clone()
}

/// [`default_session_name`], from the environment now.
fn session_name_of_user() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "user".to_string());
    let clean: String = user
        .chars()
        .map(|c| if is_session_name_char(c) { c } else { '-' })
        .collect();
    let mut name = format!("stsenv-{clean}");
    name.truncate(64);
    name
}

//! Session tags for attribute-based access control: the profile keys
//! `session_tags = Key=Value,…` and `transitive_session_tags = Key,…`
//! (aws-vault's names and format), checked against STS's rules before any
//! call so that a typo is an error naming the profile and the file, not an
//! unreadable `InvalidParameterValue` after an MFA prompt.

use serde::Serialize;

/// The profile key of the tags.
pub const TAGS_KEY: &str = "session_tags";
/// The profile key of the transitive tag keys.
pub const TRANSITIVE_KEY: &str = "transitive_session_tags";

/// STS's limits: tags per session, characters per key and per value.
const MAX_TAGS: usize = 50;
const MAX_KEY_CHARS: usize = 128;
const MAX_VALUE_CHARS: usize = 256;

/// The tags of one AssumeRole (or GetFederationToken) call, in the order
/// given: part of the call's cache identity, so different tags are a
/// different session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SessionTags {
    /// `Key=Value` pairs.
    pub tags: Vec<(String, String)>,
    /// Keys of `tags` that pass on to the sessions a role chain makes next.
    pub transitive: Vec<String>,
}

impl SessionTags {
    /// Whether there are no tags at all.
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty() && self.transitive.is_empty()
    }

    /// Parse `Key=Value,…` and `Key,…` (either may be absent); the caller
    /// checks the tags it ends up sending with [`SessionTags::validate`].
    pub fn parse(tags: Option<&str>, transitive: Option<&str>) -> Result<SessionTags, String> {
        let tags = match tags {
            Some(text) => parse_pairs(text)?,
            None => Vec::new(),
        };
        let transitive = transitive.map(parse_keys).unwrap_or_default();
        Ok(SessionTags { tags, transitive })
    }

    /// `other`'s tags replace those with the same key (case-insensitively:
    /// STS treats `Team` and `team` as one), the others are kept; its
    /// transitive keys are added.
    pub fn overridden_by(mut self, other: &SessionTags) -> SessionTags {
        for (key, value) in &other.tags {
            self.tags.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
            self.tags.push((key.clone(), value.clone()));
        }
        for key in &other.transitive {
            if !self.transitive.iter().any(|k| k.eq_ignore_ascii_case(key)) {
                self.transitive.push(key.clone());
            }
        }
        self
    }

    /// Check STS's rules: at most 50 tags; keys of 1–128 and values of up
    /// to 256 characters, each a letter, digit, space or one of `_.:/=+-@`;
    /// no key twice (ignoring case); no `aws:` keys; every transitive key
    /// one of the tags.
    pub fn validate(&self) -> Result<(), String> {
        if self.tags.len() > MAX_TAGS {
            return Err(format!(
                "{} session tags; STS allows at most {MAX_TAGS}",
                self.tags.len()
            ));
        }
        for (i, (key, value)) in self.tags.iter().enumerate() {
            check_key(key)?;
            let chars = value.chars().count();
            if chars > MAX_VALUE_CHARS {
                return Err(format!(
                    "the value of session tag `{key}` has {chars} characters; STS allows at most {MAX_VALUE_CHARS}"
                ));
            }
            if let Some(c) = value.chars().find(|c| !allowed(*c)) {
                return Err(format!(
                    "the value of session tag `{key}` holds {}; tags may use letters, digits, spaces and _ . : / = + - @",
                    describe(c)
                ));
            }
            if self.tags[..i]
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case(key))
            {
                return Err(format!(
                    "session tag `{key}` is given twice; STS takes keys without regard to case"
                ));
            }
        }
        for key in &self.transitive {
            check_key(key)?;
            if !self.tags.iter().any(|(k, _)| k.eq_ignore_ascii_case(key)) {
                return Err(format!(
                    "transitive tag `{key}` is not one of the session tags; add it with a value"
                ));
            }
        }
        Ok(())
    }
}

/// `Key=Value,Key=Value`: blank items are skipped, spaces around keys and
/// values trimmed.
fn parse_pairs(text: &str) -> Result<Vec<(String, String)>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| match item.split_once('=') {
            Some((key, value)) => Ok((key.trim().to_string(), value.trim().to_string())),
            None => Err(format!(
                "session tag `{}` has no value; write Key=Value",
                shown(item)
            )),
        })
        .collect()
}

/// `Key,Key`: blank items skipped, spaces trimmed.
fn parse_keys(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_string)
        .collect()
}

fn check_key(key: &str) -> Result<(), String> {
    let chars = key.chars().count();
    if chars == 0 {
        return Err("a session tag has an empty key".to_string());
    }
    if chars > MAX_KEY_CHARS {
        return Err(format!(
            "session tag key `{}…` has {chars} characters; STS allows at most {MAX_KEY_CHARS}",
            shown(&key.chars().take(20).collect::<String>())
        ));
    }
    if let Some(c) = key.chars().find(|c| !allowed(*c)) {
        return Err(format!(
            "session tag key `{}` holds {}; tags may use letters, digits, spaces and _ . : / = + - @",
            shown(key),
            describe(c)
        ));
    }
    if key.len() >= 4 && key[..4].eq_ignore_ascii_case("aws:") {
        return Err(format!(
            "session tag key `{key}` starts with `aws:`, which AWS reserves"
        ));
    }
    Ok(())
}

/// STS's tag alphabet: `[\p{L}\p{Z}\p{N}_.:/=+\-@]`.
fn allowed(c: char) -> bool {
    c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c)
}

fn describe(c: char) -> String {
    if c.is_control() {
        format!("a control character (U+{:04X})", u32::from(c))
    } else {
        format!("`{c}`")
    }
}

/// Text from a profile or the command line, safe on a terminal.
fn shown(text: &str) -> String {
    text.chars().flat_map(char::escape_debug).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)], transitive: &[&str]) -> SessionTags {
        SessionTags {
            tags: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            transitive: transitive.iter().map(|k| k.to_string()).collect(),
        }
    }

    #[test]
    fn parses_aws_vaults_format() {
        let parsed = SessionTags::parse(
            Some(" Team = ops , Project=x:y/z@w,, Empty="),
            Some("Team, Project"),
        )
        .unwrap();
        assert_eq!(
            parsed,
            tags(
                &[("Team", "ops"), ("Project", "x:y/z@w"), ("Empty", "")],
                &["Team", "Project"]
            )
        );
        assert_eq!(
            SessionTags::parse(None, None).unwrap(),
            SessionTags::default()
        );
        assert!(SessionTags::parse(Some("Team"), None)
            .unwrap_err()
            .contains("Key=Value"));
        assert!(parsed.validate().is_ok());
    }

    #[test]
    fn sts_limits_are_checked() {
        let many: Vec<(String, String)> = (0..51)
            .map(|i| (format!("k{i}"), "v".to_string()))
            .collect();
        let too_many = SessionTags {
            tags: many[..51].to_vec(),
            transitive: Vec::new(),
        };
        assert!(too_many.validate().unwrap_err().contains("at most 50"));
        let fifty = SessionTags {
            tags: many[..50].to_vec(),
            transitive: Vec::new(),
        };
        assert!(fifty.validate().is_ok());
        let long_key = "k".repeat(129);
        assert!(tags(&[(&long_key, "v")], &[])
            .validate()
            .unwrap_err()
            .contains("128"));
        assert!(tags(&[(&"k".repeat(128), "v")], &[]).validate().is_ok());
        let long_value = "é".repeat(257);
        assert!(tags(&[("k", &long_value)], &[])
            .validate()
            .unwrap_err()
            .contains("256"));
        assert!(tags(&[("k", &"é".repeat(256))], &[]).validate().is_ok());
        for bad in ["a;b", "a\nb", "a,b", "a*b", "a\"b", "$(x)"] {
            assert!(tags(&[("k", bad)], &[]).validate().is_err(), "{bad:?}");
            assert!(tags(&[(bad, "v")], &[]).validate().is_err(), "{bad:?}");
        }
        assert!(tags(&[("Team Name_1.2:3/4=5+6-7@8", "Ünïcödé 日本")], &[])
            .validate()
            .is_ok());
        assert!(tags(&[("aws:foo", "v")], &[])
            .validate()
            .unwrap_err()
            .contains("reserves"));
        assert!(tags(&[("", "v")], &[]).validate().is_err());
        assert!(tags(&[("Team", "a"), ("team", "b")], &[])
            .validate()
            .unwrap_err()
            .contains("twice"));
        assert!(tags(&[("Team", "a")], &["Project"])
            .validate()
            .unwrap_err()
            .contains("not one of"));
        assert!(tags(&[("Team", "a")], &["team"]).validate().is_ok());
        let err = tags(&[("k", "a\u{1b}[2J")], &[]).validate().unwrap_err();
        assert!(!err.contains('\u{1b}'), "{err}");
    }

    #[test]
    fn overrides_replace_by_key() {
        let profile = tags(&[("Team", "ops"), ("Env", "dev")], &["Team"]);
        let cli = tags(&[("team", "sec"), ("Cost", "42")], &["Cost"]);
        assert_eq!(
            profile.overridden_by(&cli),
            tags(
                &[("Env", "dev"), ("team", "sec"), ("Cost", "42")],
                &["Team", "Cost"]
            )
        );
    }
}

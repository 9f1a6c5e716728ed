//! `web_identity_token_file` + `role_arn`: sts:AssumeRoleWithWebIdentity
//! with an OIDC token that another system writes to a file (GitHub Actions,
//! EKS IRSA) and replaces before it expires. The call is unsigned: the
//! token is the only credential.
//!
//! The source is cached like SSO role credentials; its identity is the role,
//! the session name, the file's path and the endpoint, never the token. The
//! file is read again every time STS is called, so a renewal always sends
//! the token that is current then.

use std::path::PathBuf;

use serde::Serialize;

use crate::aws::client::{printable, CallContext};
use crate::aws::sts::{self, WebIdentityRole};
use crate::credentials::Credentials;
use crate::error::{Error, Result};

/// STS's limit for `WebIdentityToken` (characters).
pub const MAX_TOKEN_LEN: usize = 20_000;

/// The settings of one sts:AssumeRoleWithWebIdentity call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebIdentity {
    /// The profile it is made for. Not in the identity (see [`crate::plan::step`]).
    #[serde(skip)]
    pub profile: String,
    /// The role.
    pub role_arn: String,
    /// RoleSessionName.
    pub session_name: String,
    /// The file holding the token, read on every call.
    pub token_file: PathBuf,
    /// DurationSeconds (STS's default, 1 h, when `None`).
    pub duration: Option<u32>,
    /// The STS endpoint (`None`: AWS).
    pub endpoint: Option<String>,
}

impl WebIdentity {
    /// One line for `stsenv explain`.
    pub fn describe(&self) -> String {
        let mut line = format!(
            "sts:AssumeRoleWithWebIdentity {} as session `{}` with the token in {} (read at every renewal)",
            self.role_arn,
            self.session_name,
            self.shown_file()
        );
        match self.duration {
            Some(d) => line.push_str(&format!(" for {d} s")),
            None => line.push_str(" for 3600 s (STS default)"),
        }
        if let Some(endpoint) = &self.endpoint {
            line.push_str(&format!(" at {endpoint}"));
        }
        line
    }

    /// The token file's path for messages (it comes from a file or the
    /// environment: control characters are not passed to the terminal).
    fn shown_file(&self) -> String {
        printable(&self.token_file.to_string_lossy(), 300)
    }

    /// The token as it is in the file now: surrounding whitespace (a
    /// trailing newline) removed, and refused when empty, too long, or
    /// holding anything but printable ASCII (a JWT never does).
    pub fn read_token(&self) -> Result<String> {
        let fail = |problem: String| Error::CredentialSource {
            profile: self.profile.clone(),
            origin: format!("web identity token file {}", self.shown_file()),
            problem,
        };
        // Bounded, regular files only (a FIFO with no writer would block):
        // the file is someone else's, and may be anything.
        let read =
            crate::store::fsutil::read_regular(&self.token_file, MAX_TOKEN_LEN as u64 + 1024);
        let bytes = match read {
            Ok(Some(bytes)) => bytes,
            Ok(None) => {
                return Err(fail(
                    "cannot read it: it does not exist; check web_identity_token_file (or AWS_WEB_IDENTITY_TOKEN_FILE)"
                        .to_string(),
                ))
            }
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                return Err(fail(format!(
                    "the token is longer than STS's {MAX_TOKEN_LEN} characters"
                )))
            }
            Err(e) => {
                return Err(fail(format!(
                    "cannot read it: {e}; check web_identity_token_file (or AWS_WEB_IDENTITY_TOKEN_FILE)"
                )))
            }
        };
        let text = String::from_utf8(bytes)
            .map_err(|_| fail("it does not hold a token (not UTF-8 text)".to_string()))?;
        let token = text.trim();
        if token.is_empty() {
            return Err(fail("it is empty".to_string()));
        }
        if token.len() > MAX_TOKEN_LEN {
            return Err(fail(format!(
                "the token is longer than STS's {MAX_TOKEN_LEN} characters"
            )));
        }
        if !token.chars().all(|c| c.is_ascii_graphic()) {
            return Err(fail(
                "it does not hold a token (characters no OIDC token has)".to_string(),
            ));
        }
        Ok(token.to_string())
    }

    /// Read the token and call STS with it.
    pub fn obtain(&self, region: &str, runtime: &tokio::runtime::Runtime) -> Result<Credentials> {
        let token = self.read_token()?;
        let ctx = CallContext {
            profile: &self.profile,
            region,
            endpoint: self.endpoint.as_deref(),
            secrets: &[],
        };
        let role = WebIdentityRole {
            role_arn: &self.role_arn,
            session_name: &self.session_name,
            duration: self.duration,
        };
        runtime.block_on(sts::assume_role_with_web_identity(ctx, &role, token))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_file(contents: &[u8]) -> (tempfile::TempDir, WebIdentity) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, contents).unwrap();
        let web = WebIdentity {
            profile: "ci".into(),
            role_arn: "arn:aws:iam::1:role/r".into(),
            session_name: "s".into(),
            token_file: path,
            duration: None,
            endpoint: None,
        };
        (dir, web)
    }

    #[test]
    fn the_token_is_read_fresh_and_trimmed() {
        let (_dir, web) = with_file(b"eyJhbGciOi.payload.sig\n");
        assert_eq!(web.read_token().unwrap(), "eyJhbGciOi.payload.sig");
        std::fs::write(&web.token_file, "second.token.value").unwrap();
        assert_eq!(web.read_token().unwrap(), "second.token.value");
    }

    #[test]
    fn hostile_token_files_are_refused_without_showing_them() {
        let long = vec![b'a'; MAX_TOKEN_LEN + 1];
        for contents in [&b""[..], b" \n", b"tok\x1b[31m", b"\xff\xfe", &long] {
            let (_dir, web) = with_file(contents);
            let err = web.read_token().unwrap_err().to_string();
            assert!(err.contains("`ci`") && err.contains("token"), "{err}");
            assert!(!err.contains("\x1b"), "{err}");
        }
        let (dir, web) = with_file(b"x");
        drop(dir);
        let err = web.read_token().unwrap_err().to_string();
        assert!(err.contains("web_identity_token_file"), "{err}");
    }
}

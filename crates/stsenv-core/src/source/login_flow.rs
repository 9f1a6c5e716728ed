//! `stsenv login` for a `login_session` profile: the AWS CLI's `aws login`
//! (awscli/customizations/login), step for step. An authorization code
//! with PKCE (S256) is fetched in the browser, either sent back to a
//! loopback listener (same device) or pasted by the user (`--remote`, cross
//! device), then exchanged with a DPoP proof by a new P-256 key for
//! credentials and a refresh token, which go into the AWS CLI's login cache
//! so `aws`, botocore and stsenv all use them.
//!
//! Everything the browser or the server sends back is hostile: the `state`
//! must be ours, the code and the ID token's session ARN must match strict
//! patterns, and nothing of theirs is printed unescaped.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use base64::Engine;
use jiff::Timestamp;
use sha2::{Digest, Sha256};

use crate::aws::signin::{self, b64url, DpopKey, Refusal, TokenInput};
use crate::credentials::format_rfc3339;
use crate::error::{Error, Result};
use crate::profile::edit::{self, FileEdit, FileKind};
use crate::source::login::{self as login_session, AccessToken, LoginSession, LoginToken};
use crate::store::cache::Cache;
use crate::store::untrusted;

/// The AWS CLI's client for the loopback (same-device) flow.
pub const SAME_DEVICE_CLIENT: &str = "arn:aws:signin:::devtools/same-device";
/// The AWS CLI's client for the pasted-code (cross-device) flow.
pub const CROSS_DEVICE_CLIENT: &str = "arn:aws:signin:::devtools/cross-device";
/// How long the browser may take, as the AWS CLI allows (10 min).
const OVERALL_TIMEOUT: Duration = Duration::from_secs(600);
/// The most of a callback request that is read.
const MAX_REQUEST_BYTES: usize = 16 * 1024;

/// The human side of a login.
pub trait SignInUi {
    /// Show the authorization URL (and open the browser, when wanted).
    fn show_url(&self, url: &str, remote: bool);
    /// Cross device: the code the browser displayed, as pasted.
    fn read_code(&self) -> Option<String>;
    /// Called about every 100 ms while waiting for the browser; `false` cancels.
    fn waiting(&self, elapsed: Duration) -> bool;
}

/// A finished login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    /// The session the server signed in (its ARN).
    pub session_arn: String,
    /// When the first credentials expire (they are refreshed from then on).
    pub expires: Timestamp,
}

/// Sign `profile` in. `base` is the Sign-In endpoint (https, or http on a
/// loopback address for tests); `remote` selects the cross-device flow.
/// The new session is cached under its ARN (and the lock of `expected`,
/// the profile's current session, is held while writing).
pub fn login(
    profile: &str,
    base: &str,
    remote: bool,
    cache: &Cache,
    runtime: &tokio::runtime::Runtime,
    ui: &dyn SignInUi,
) -> Result<SignedIn> {
    check_base(profile, base)?;
    let base = base.trim_end_matches('/');
    let key = DpopKey::generate()?;
    let verifier = code_verifier()?;
    let challenge = b64url(&Sha256::digest(verifier.as_bytes()));
    let state = signin::uuid4()?;
    let failed = |reason: &str| Error::Login {
        target: format!("profile `{profile}`"),
        reason: reason.to_string(),
    };
    let (client_id, redirect_uri, code) = if remote {
        let redirect_uri = format!("{base}/v1/sessions/confirmation");
        let url = authorize_url(base, CROSS_DEVICE_CLIENT, &state, &challenge, &redirect_uri);
        ui.show_url(&url, true);
        let pasted = ui
            .read_code()
            .ok_or_else(|| failed("no code was entered"))?;
        let (code, returned) =
            parse_pasted(&pasted).ok_or_else(|| failed("that is not the code the page shows"))?;
        check_state(&returned, &state).map_err(|r| failed(&r))?;
        (CROSS_DEVICE_CLIENT, redirect_uri, code)
    } else {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .map_err(|e| failed(&format!("cannot listen on 127.0.0.1: {e}")))?;
        let port = listener
            .local_addr()
            .map_err(|e| failed(&e.to_string()))?
            .port();
        let redirect_uri = format!("http://127.0.0.1:{port}/oauth/callback");
        let url = authorize_url(base, SAME_DEVICE_CLIENT, &state, &challenge, &redirect_uri);
        ui.show_url(&url, false);
        let prompting = cache.mark_prompting();
        let result = wait_for_callback(&listener, ui);
        drop(prompting);
        let (code, returned) = result.map_err(|r| match r {
            Wait::Cancelled => Error::Cancelled,
            Wait::Failed(reason) => failed(&reason),
        })?;
        check_state(&returned, &state).map_err(|r| failed(&r))?;
        (SAME_DEVICE_CLIENT, redirect_uri, code)
    };
    let input = TokenInput {
        client_id,
        grant_type: "authorization_code",
        refresh_token: None,
        code: Some(&code),
        code_verifier: Some(&verifier),
        redirect_uri: Some(&redirect_uri),
    };
    let output =
        signin::create_token(runtime, base, profile, &key, &input).map_err(|r| match r {
            Refusal::LoginAgain(why) => failed(&format!("{why}; run the login again")),
            Refusal::Failed(err) => err,
        })?;
    let id_token = output
        .id_token
        .as_deref()
        .ok_or_else(|| failed("the server sent no ID token"))?;
    let session_arn = session_of_id_token(id_token)
        .ok_or_else(|| failed("the ID token does not name a session ARN"))?;
    let session = LoginSession {
        profile: profile.to_string(),
        session_arn: session_arn.clone(),
        endpoint: None,
    };
    let expires = output.credentials.expiration.unwrap_or_else(Timestamp::now);
    let token = LoginToken {
        access_token: Some(AccessToken {
            access_key_id: output.credentials.access_key_id.clone(),
            secret_access_key: output.credentials.secret_access_key.clone(),
            session_token: output.credentials.session_token.clone().unwrap_or_default(),
            account_id: session_arn.split(':').nth(4).map(str::to_string),
            expires_at: format_rfc3339(expires),
            extra: Default::default(),
        }),
        token_type: Some(output.token_type.clone()),
        client_id: Some(client_id.to_string()),
        refresh_token: Some(output.refresh_token.clone()),
        id_token: Some(id_token.to_string()),
        dpop_key: Some(key.to_pem()?),
        extra: Default::default(),
    };
    // A refresh in another process must not overwrite the new login.
    let _lock = cache.lock(&session.lock_key())?;
    login_session::store(&session.token_path(), &token)?;
    Ok(SignedIn {
        session_arn,
        expires,
    })
}

/// After a login for a profile the config file does not have, add it as
/// `aws login --profile NAME` does: `[profile NAME]` (`[default]`) with
/// `login_session`, and `region` when none was configured (the AWS CLI
/// writes the region it had to ask for). Every other byte of the file
/// stays; a `.bak` keeps the previous version. `name` must be a valid
/// profile name ([`edit::is_valid_profile_name`]), checked before the login.
pub fn add_profile(
    config_file: &std::path::Path,
    name: &str,
    session_arn: &str,
    region: Option<&str>,
) -> Result<Option<std::path::PathBuf>> {
    debug_assert!(edit::is_valid_profile_name(name));
    let (mut file, text) = FileEdit::read(config_file)?;
    let mut content = edit::set_key(&text, FileKind::Config, name, "login_session", session_arn);
    if let Some(region) = region {
        content = edit::set_key(&content, FileKind::Config, name, "region", region);
    }
    file.content = content;
    file.apply()
}

/// The endpoint must be what a browser may be sent to ([`untrusted::check_verification_uri`]:
/// `https://`, `http://` only on a loopback address), without a query or
/// fragment: the authorization URL is built on it and the code comes back.
fn check_base(profile: &str, base: &str) -> Result<()> {
    let bare = url::Url::parse(base)
        .map(|u| u.query().is_none() && u.fragment().is_none())
        .unwrap_or(false);
    let problem = match untrusted::check_verification_uri(base) {
        Err(problem) => problem,
        Ok(()) if !bare => "it has a query or fragment".to_string(),
        Ok(()) => return Ok(()),
    };
    Err(Error::Unusable(format!(
        "the Sign-In endpoint of profile `{profile}` is {}: {problem}; set an https:// URL (AWS_ENDPOINT_URL_SIGNIN, AWS_ENDPOINT_URL or endpoint_url)",
        untrusted::shown(base)
    )))
}

/// The authorization URL, as the AWS CLI builds it.
fn authorize_url(
    base: &str,
    client_id: &str,
    state: &str,
    challenge: &str,
    redirect_uri: &str,
) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("state", state)
        .append_pair("code_challenge_method", "SHA-256")
        .append_pair("scope", "openid")
        .append_pair("redirect_uri", redirect_uri);
    // The challenge is base64url without padding: nothing to encode.
    format!(
        "{base}/v1/authorize?{}&code_challenge={challenge}",
        query.finish()
    )
}

/// 64 characters of the PKCE alphabet, as the AWS CLI draws them.
fn code_verifier() -> Result<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    let mut out = String::with_capacity(64);
    while out.len() < 64 {
        let mut bytes = [0u8; 64];
        getrandom::fill(&mut bytes)
            .map_err(|e| Error::Unusable(format!("no OS randomness for the login ({e})")))?;
        // 66 symbols: rejection sampling keeps every one equally likely.
        for b in bytes {
            if (b as usize) < ALPHABET.len() * 3 && out.len() < 64 {
                out.push(ALPHABET[b as usize % ALPHABET.len()] as char);
            }
        }
    }
    Ok(out)
}

/// An authorization code: 1–4096 characters of `[A-Za-z0-9._~+/=-]`.
fn is_code(code: &str) -> bool {
    (1..=4096).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b))
}

fn check_state(returned: &str, expected: &str) -> std::result::Result<(), String> {
    if returned == expected {
        Ok(())
    } else {
        Err(format!(
            "the answer's state {} is not this login's; start the login again",
            untrusted::shown(returned)
        ))
    }
}

/// Cross device: base64 of `state=…&code=…`, the page's text.
fn parse_pasted(pasted: &str) -> Option<(String, String)> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(pasted.trim())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let params = query_params(&text);
    let code = params.iter().find(|(k, _)| k == "code")?.1.clone();
    let state = params.iter().find(|(k, _)| k == "state")?.1.clone();
    is_code(&code).then_some((code, state))
}

fn query_params(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// The `sub` of the ID token's payload, when it is an IAM/STS ARN.
fn session_of_id_token(id_token: &str) -> Option<String> {
    let payload = id_token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let sub = claims.get("sub")?.as_str()?;
    is_session_arn(sub).then(|| sub.to_string())
}

/// `arn:PARTITION:(iam|sts)::ACCOUNT:RESOURCE` with IAM's characters only.
pub fn is_session_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [arn_tag, partition, service, region, account, resource] = parts[..] else {
        return false;
    };
    arn_tag == "arn"
        && matches!(partition, "aws" | "aws-cn" | "aws-us-gov")
        && matches!(service, "iam" | "sts")
        && region.is_empty()
        && untrusted::is_account_id(account)
        && (1..=1024).contains(&resource.len())
        && resource
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/_+=,.@-".contains(&b))
}

enum Wait {
    Cancelled,
    Failed(String),
}

/// Accept connections until the browser arrives at `/oauth/callback` with
/// a code (or an error), the user cancels, or 10 minutes pass.
fn wait_for_callback(
    listener: &TcpListener,
    ui: &dyn SignInUi,
) -> std::result::Result<(String, String), Wait> {
    listener
        .set_nonblocking(true)
        .map_err(|e| Wait::Failed(e.to_string()))?;
    let started = Instant::now();
    loop {
        if !ui.waiting(started.elapsed()) {
            return Err(Wait::Cancelled);
        }
        if started.elapsed() > OVERALL_TIMEOUT {
            return Err(Wait::Failed(
                "the browser did not come back within 10 minutes; run the login again".into(),
            ));
        }
        match listener.accept() {
            Ok((stream, _)) => {
                if let Some(result) = callback(stream) {
                    return result.map_err(Wait::Failed);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => return Err(Wait::Failed(format!("the loopback listener failed: {e}"))),
        }
    }
}

/// One request to the loopback listener: `None` for anything but the
/// callback (a favicon, a probe), which is answered 404.
fn callback(mut stream: TcpStream) -> Option<std::result::Result<(String, String), String>> {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 2048];
    while !buffer.windows(4).any(|w| w == b"\r\n\r\n") && buffer.len() < MAX_REQUEST_BYTES {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&buffer);
    let target = head
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("GET "))
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or("");
    let Some(query) = target.strip_prefix("/oauth/callback?") else {
        let _ = respond(&mut stream, 404, "Not found.");
        return None;
    };
    let params = query_params(query);
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let result = match (get("error"), get("code"), get("state")) {
        (Some(error), ..) => Err(format!(
            "the browser reported an error: {}",
            untrusted::shown(&error)
        )),
        (None, Some(code), Some(state)) if is_code(&code) => Ok((code, state)),
        _ => Err("the browser came back without a usable code".to_string()),
    };
    let page = match &result {
        Ok(_) => "Signed in. You can close this window and return to the terminal.",
        Err(_) => "The sign-in did not complete. Return to the terminal.",
    };
    let _ = respond(&mut stream, 200, page);
    Some(result)
}

fn respond(stream: &mut TcpStream, status: u16, text: &str) -> std::io::Result<()> {
    let body = format!("<!doctype html><title>stsenv</title><p>{text}</p>\n");
    write!(
        stream,
        "HTTP/1.1 {status} {}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        if status == 200 { "OK" } else { "Not Found" },
        body.len()
    )?;
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A new profile goes at the end, in the file's own line ends, with
    /// every byte before it kept; `[default]` for the default profile.
    #[test]
    fn a_new_profile_keeps_every_byte_of_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        let mine = "# mine\r\n[profile a]\r\nregion = x ; note";
        std::fs::write(&path, mine).unwrap();
        let arn = "arn:aws:iam::123456789012:user/Dev";
        add_profile(&path, "new", arn, Some("us-east-1")).unwrap();
        add_profile(&path, "default", arn, None).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            format!(
                "{mine}\r\n\r\n[profile new]\r\nlogin_session = {arn}\r\nregion = us-east-1\r\n\r\n[default]\r\nlogin_session = {arn}\r\n"
            )
        );
        assert_eq!(
            std::fs::read_to_string(path.with_extension("bak")).unwrap(),
            format!(
                "{mine}\r\n\r\n[profile new]\r\nlogin_session = {arn}\r\nregion = us-east-1\r\n"
            )
        );
    }

    #[test]
    fn verifiers_are_64_pkce_characters() {
        let v = code_verifier().unwrap();
        assert_eq!(v.len(), 64);
        assert!(v
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b)));
        assert_ne!(v, code_verifier().unwrap());
    }

    #[test]
    fn pasted_codes_and_arns_are_checked() {
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        assert_eq!(
            parse_pasted(&b64("state=s1&code=abc")),
            Some(("abc".into(), "s1".into()))
        );
        assert_eq!(parse_pasted(&b64("state=s1&code=a%0Ab")), None);
        assert_eq!(parse_pasted("not base64!"), None);
        assert!(is_session_arn("arn:aws:iam::123456789012:user/Dev"));
        assert!(is_session_arn(
            "arn:aws:sts::123456789012:assumed-role/Admin/me@x.com"
        ));
        assert!(!is_session_arn("arn:aws:iam::123456789012:user/Dev\n"));
        assert!(!is_session_arn("arn:aws:s3:::bucket"));
        assert!(check_state("\u{1b}[2J", "x")
            .unwrap_err()
            .contains("\\u{1b}"));
    }

    #[test]
    fn only_https_or_loopback_endpoints() {
        assert!(check_base("p", "https://us-east-1.signin.aws.amazon.com").is_ok());
        assert!(check_base("p", "http://127.0.0.1:8080").is_ok());
        assert!(check_base("p", "http://evil.example").is_err());
        assert!(check_base("p", "https://u:p@x").is_err());
        assert!(check_base("p", "javascript:alert(1)").is_err());
    }
}

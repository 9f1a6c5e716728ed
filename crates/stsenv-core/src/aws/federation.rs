//! AWS console sign-in through the federation endpoint: temporary
//! credentials go to `getSigninToken` (as the `Session` JSON, with an
//! optional `SessionDuration`), and the sign-in token that comes back makes
//! the `login` URL, with `Issuer` and `Destination`.
//!
//! The URL is a bearer secret for 15 minutes: it is returned wrapped in
//! [`SigninUrl`], whose `Debug` hides it, and no error message contains it
//! or the credentials. The endpoint's answer is untrusted: its size is
//! bounded and the token's characters and length are checked before the
//! token goes into a URL.

use std::time::Duration;

use aws_smithy_runtime_api::client::http::HttpConnector;
use aws_smithy_runtime_api::http::Request;
use aws_smithy_types::byte_stream::ByteStream;
use serde::Deserialize;
use serde_json::json;

use crate::aws::partition::Partition;
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::store::untrusted::{printable, redact};

/// Overrides the federation endpoint (the full URL, e.g.
/// `http://127.0.0.1:8080/federation`): for tests and private partitions.
pub const FEDERATION_ENDPOINT_VAR: &str = "STSENV_FEDERATION_ENDPOINT";
/// The shortest console session the endpoint grants, 15 minutes.
pub const MIN_SESSION_SECS: u32 = 900;
/// The longest console session the endpoint grants, 12 hours.
pub const MAX_SESSION_SECS: u32 = 43_200;
/// The `Issuer` of the login URL: who sent the user to the console.
pub const ISSUER: &str = "stsenv";
/// A sign-in token is a few hundred to a few thousand characters; anything
/// far larger is not one.
const MAX_TOKEN_LEN: usize = 16 * 1024;
/// The most of the endpoint's answer that is read.
const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// The whole getSigninToken exchange, connection included.
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(20);

/// A console session length asked for: whole seconds from 15 minutes to 12 hours.
pub fn validate_duration(secs: u32) -> Result<u32> {
    if (MIN_SESSION_SECS..=MAX_SESSION_SECS).contains(&secs) {
        Ok(secs)
    } else {
        Err(Error::Unusable(format!(
            "a console session lasts {MIN_SESSION_SECS}–{MAX_SESSION_SECS} s (15 min to 12 h), not {secs} s"
        )))
    }
}

/// The federation endpoint: `STSENV_FEDERATION_ENDPOINT` when set (checked:
/// an http(s) URL without credentials, query or fragment), else the
/// partition's sign-in host.
pub fn federation_endpoint(partition: Partition) -> Result<String> {
    let Some(value) = std::env::var(FEDERATION_ENDPOINT_VAR)
        .ok()
        .filter(|v| !v.trim().is_empty())
    else {
        return Ok(format!("https://{}/federation", partition.signin_host()));
    };
    let invalid = |problem: &str| {
        Error::Unusable(format!(
            "{FEDERATION_ENDPOINT_VAR} = `{value}` is not a usable federation endpoint: {problem}"
        ))
    };
    let url = url::Url::parse(value.trim()).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none_or(str::is_empty) {
        return Err(invalid(
            "it must be an https:// (or http://) URL with a host",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("it must not contain a user name or password"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("it must not have a query or fragment"));
    }
    Ok(url.to_string())
}

/// Where the console opens: `spec` is an https URL, or a service name
/// (`s3`, `ec2`, `cloudwatch`…) opening that service's console in `region`;
/// none opens the console home.
pub fn destination(
    spec: Option<&str>,
    region: Option<&str>,
    partition: Partition,
) -> Result<String> {
    let host = partition.console_host(region);
    let region_query = region.map(|r| format!("?region={r}")).unwrap_or_default();
    let Some(spec) = spec.map(str::trim) else {
        return Ok(format!("https://{host}/console/home{region_query}"));
    };
    if spec.contains("://") {
        let url = url::Url::parse(spec)
            .map_err(|e| Error::Unusable(format!("destination `{spec}` is not a URL: {e}")))?;
        if url.scheme() != "https" || url.host_str().is_none_or(str::is_empty) {
            return Err(Error::Unusable(format!(
                "destination `{spec}` must be an https:// URL"
            )));
        }
        return Ok(url.to_string());
    }
    let is_service = (1..=64).contains(&spec.len())
        && spec
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !is_service {
        return Err(Error::Unusable(format!(
            "destination `{spec}` is neither an https:// URL nor a service name like s3 or ec2"
        )));
    }
    Ok(format!("https://{host}/{spec}/home{region_query}"))
}

/// A console sign-in URL: a bearer secret for 15 minutes, never shown by `Debug`.
pub struct SigninUrl(String);

impl SigninUrl {
    /// The URL itself, for the browser, the clipboard or `--print`.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SigninUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigninUrl(** redacted **)")
    }
}

/// One console sign-in.
#[derive(Debug, Clone)]
pub struct SigninRequest {
    /// The profile, for error messages.
    pub profile: String,
    /// The federation endpoint, from [`federation_endpoint`].
    pub endpoint: String,
    /// The console page, from [`destination`].
    pub destination: String,
    /// `SessionDuration`, from [`crate::plan::console::session_duration`].
    pub session_duration: Option<u32>,
}

/// Exchange `credentials` for a sign-in token and build the login URL.
pub fn sign_in(request: &SigninRequest, credentials: &Credentials) -> Result<SigninUrl> {
    let Some(session_token) = &credentials.session_token else {
        return Err(Error::Federation {
            profile: request.profile.clone(),
            endpoint: request.endpoint.clone(),
            reason: "the console needs temporary credentials, and these have no session token"
                .to_string(),
        });
    };
    if let Some(secs) = request.session_duration {
        validate_duration(secs)?;
    }
    let session = json!({
        "sessionId": credentials.access_key_id,
        "sessionKey": credentials.secret_access_key,
        "sessionToken": session_token,
    })
    .to_string();
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("Action", "getSigninToken");
    if let Some(secs) = request.session_duration {
        query.append_pair("SessionDuration", &secs.to_string());
    }
    query.append_pair("Session", &session);
    let token_url = format!("{}?{}", request.endpoint, query.finish());
    // What went into the request, redacted from whatever comes back.
    let secrets = [
        credentials.secret_access_key.as_str(),
        session_token.as_str(),
        session.as_str(),
    ];
    let runtime = crate::aws::client::runtime()?;
    let token = runtime.block_on(async {
        let exchange = get_signin_token(request, &token_url, &secrets);
        tokio::time::timeout(EXCHANGE_TIMEOUT, exchange)
            .await
            .unwrap_or_else(|_| Err(federation_error(request, "no answer within 20 s")))
    })?;
    let mut login = url::form_urlencoded::Serializer::new(String::new());
    login
        .append_pair("Action", "login")
        .append_pair("Issuer", ISSUER)
        .append_pair("Destination", &request.destination)
        .append_pair("SigninToken", &token);
    Ok(SigninUrl(format!(
        "{}?{}",
        request.endpoint,
        login.finish()
    )))
}

fn federation_error(request: &SigninRequest, reason: &str) -> Error {
    Error::Federation {
        profile: request.profile.clone(),
        endpoint: request.endpoint.clone(),
        reason: reason.to_string(),
    }
}

/// The HTTP GET of getSigninToken. It goes through the SDK's own HTTP stack
/// (hyper + rustls/ring from aws-smithy-http-client, already in the binary
/// for STS and SSO): no second TLS stack or HTTP client crate, and the same
/// certificate handling as every other call stsenv makes. Connect and read
/// timeouts are set on the connector; the caller bounds the whole exchange.
async fn get_signin_token(request: &SigninRequest, url: &str, secrets: &[&str]) -> Result<String> {
    let connector = crate::aws::client::plain_connector();
    // The URL carries the credentials: errors below never include it.
    let mut http_request = Request::get(url)
        .map_err(|_| federation_error(request, "the endpoint URL is not a valid URI"))?;
    http_request
        .headers_mut()
        .insert("user-agent", concat!("stsenv/", env!("CARGO_PKG_VERSION")));
    let response = connector.call(http_request).await.map_err(|e| {
        let kind = if e.is_timeout() {
            "timed out".to_string()
        } else {
            excerpt(crate::aws::client::root_cause(&e).as_bytes(), secrets)
        };
        federation_error(request, &format!("cannot reach it: {kind}"))
    })?;
    let status = response.status().as_u16();
    let body = read_bounded(ByteStream::new(response.into_body()), request).await?;
    if status != 200 {
        return Err(federation_error(
            request,
            &format!("HTTP {status}: {}", excerpt(&body, secrets)),
        ));
    }
    parse_signin_token(&body).map_err(|problem| federation_error(request, &problem))
}

/// Read at most [`MAX_RESPONSE_BYTES`]; a larger answer is not a sign-in token.
async fn read_bounded(mut body: ByteStream, request: &SigninRequest) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk =
            chunk.map_err(|e| federation_error(request, &format!("reading the answer: {e}")))?;
        if out.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(federation_error(
                request,
                "the answer is larger than 64 KiB, which no sign-in token is",
            ));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// The `SigninToken` of the endpoint's JSON answer, checked: 16–16384
/// characters of the base64 / URL-safe alphabet (and `.`, `~`), so nothing
/// else can ride into the login URL.
fn parse_signin_token(body: &[u8]) -> std::result::Result<String, String> {
    #[derive(Deserialize)]
    struct Answer {
        #[serde(rename = "SigninToken")]
        signin_token: String,
    }
    let answer: Answer = serde_json::from_slice(body)
        .map_err(|_| "the answer is not JSON with a SigninToken".to_string())?;
    let token = answer.signin_token;
    let charset_ok = token
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.~+/=".contains(&b));
    if !(16..=MAX_TOKEN_LEN).contains(&token.len()) || !charset_ok {
        return Err(format!(
            "the SigninToken in the answer is not a sign-in token ({} characters{})",
            token.len(),
            if charset_ok {
                ""
            } else {
                ", unexpected characters"
            }
        ));
    }
    Ok(token)
}

/// A short, printable piece of an error answer (the endpoint says why in
/// its body), the request's secrets redacted first: an endpoint that
/// echoes the request must not make stsenv print the credentials.
fn excerpt(body: &[u8], secrets: &[&str]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = redact(&text, secrets);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return "(no message)".to_string();
    }
    printable(&text, 200)
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn destinations_are_urls_or_service_names() {
        let aws = Partition::Aws;
        assert_eq!(
            destination(None, Some("eu-west-1"), aws).unwrap(),
            "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1"
        );
        assert_eq!(
            destination(None, None, aws).unwrap(),
            "https://console.aws.amazon.com/console/home"
        );
        assert_eq!(
            destination(Some("s3"), Some("eu-west-1"), aws).unwrap(),
            "https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1"
        );
        assert_eq!(
            destination(Some("ec2"), Some("cn-north-1"), Partition::China).unwrap(),
            "https://console.amazonaws.cn/ec2/home?region=cn-north-1"
        );
        assert_eq!(
            destination(
                Some("https://console.aws.amazon.com/iam/home#/roles"),
                None,
                aws
            )
            .unwrap(),
            "https://console.aws.amazon.com/iam/home#/roles"
        );
        for bad in [
            "http://console.aws.amazon.com/",
            "S3 bucket",
            "../x",
            "",
            "javascript:x",
        ] {
            assert!(destination(Some(bad), None, aws).is_err(), "{bad}");
        }
    }

    #[test]
    fn signin_tokens_are_checked_before_they_reach_a_url() {
        let good = "a".repeat(40) + "-_";
        assert_eq!(
            parse_signin_token(json!({"SigninToken": good}).to_string().as_bytes()).unwrap(),
            good
        );
        for bad in [
            json!({"SigninToken": "short"}).to_string(),
            json!({"SigninToken": "x".repeat(20) + "&Destination=https://evil"}).to_string(),
            json!({"SigninToken": "x".repeat(20) + "\r\n"}).to_string(),
            json!({"SigninToken": "x".repeat(MAX_TOKEN_LEN + 1)}).to_string(),
            json!({"Other": "x"}).to_string(),
            "<html>".to_string(),
        ] {
            assert!(parse_signin_token(bad.as_bytes()).is_err(), "{bad:.60}");
        }
    }

    #[test]
    fn error_excerpts_are_short_and_printable() {
        assert_eq!(excerpt(b"", &[]), "(no message)");
        assert_eq!(
            excerpt(b"Bad\x1b[31m\nRequest", &[]),
            r"Bad\u{1b}[31m Request"
        );
        assert!(excerpt(&[b'x'; 1000], &[]).chars().count() <= 201);
        let echoed = br#"{"sessionKey":"wJalrXUtnFEMI/K7MDENG"}"#;
        assert_eq!(
            excerpt(echoed, &["wJalrXUtnFEMI/K7MDENG"]),
            r#"{"sessionKey":"<redacted>"}"#
        );
    }

    #[test]
    fn the_url_never_shows_in_debug() {
        let url = SigninUrl("https://x/?SigninToken=secret".into());
        assert!(!format!("{url:?}").contains("secret"));
    }
}

//! AWS Sign-In's `CreateOAuth2Token` (`POST /v1/token`, rest-json), the call
//! behind `aws login` sessions: an authorization code or a refresh token in,
//! 15-minute credentials and a new refresh token out. Every request carries
//! a DPoP proof (RFC 9449) made with the session's P-256 key, shaped exactly
//! as botocore makes it, so the server cannot tell the two apart.
//!
//! The answer is untrusted: its size is bounded, the credentials go through
//! [`Credentials::check`], and the server's error text reaches the terminal
//! only through [`untrusted::shown`].

use std::time::Duration;

use aws_smithy_http_client::{tls, Connector};
use aws_smithy_runtime_api::client::http::{HttpConnector, HttpConnectorSettings};
use aws_smithy_runtime_api::http::Request;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;
use base64::Engine;
use jiff::Timestamp;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use serde::{Deserialize, Serialize};

use crate::aws::partition::Partition;
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::store::untrusted;

/// The operation, as named in messages.
pub const OPERATION: &str = "signin:CreateOAuth2Token";
/// The most of an answer that is read: a token answer is a few KiB.
const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// Upper bound of the whole exchange.
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(20);
/// The longest credential lifetime the service grants (15 min); a longer
/// `expiresIn` is not believed.
const MAX_EXPIRES_IN: i64 = 900;

/// The Sign-In endpoint of `region`, as the SDKs' endpoint rules make it:
/// `https://{region}.signin.aws.amazon.com` (and the China and GovCloud hosts).
pub fn default_endpoint(region: &str) -> String {
    format!(
        "https://{region}.{}",
        Partition::of_region(region).signin_host()
    )
}

/// A session's proof-of-possession key: P-256, kept in the AWS CLI's cache
/// as a SEC1 `EC PRIVATE KEY` PEM. `Debug` never shows it.
pub struct DpopKey(SigningKey);

impl std::fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DpopKey(..)")
    }
}

/// The JOSE header of a DPoP proof; the field order is botocore's.
#[derive(Serialize)]
struct ProofHeader<'a> {
    typ: &'a str,
    alg: &'a str,
    jwk: Jwk,
}

/// The public key in the proof, as botocore writes it.
#[derive(Serialize)]
struct Jwk {
    kty: &'static str,
    x: String,
    y: String,
    crv: &'static str,
}

/// The claims of a DPoP proof; the field order is botocore's.
#[derive(Serialize)]
struct ProofClaims<'a> {
    htm: &'a str,
    htu: &'a str,
    iat: i64,
    jti: String,
}

impl DpopKey {
    /// A fresh key from the OS's random source.
    pub fn generate() -> Result<DpopKey> {
        loop {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).map_err(|e| {
                Error::Unusable(format!("cannot generate a key: no OS randomness ({e})"))
            })?;
            // Zero or ≥ n (chance ~2^-32) is not a scalar: draw again.
            if let Ok(key) = SigningKey::from_slice(&bytes) {
                return Ok(DpopKey(key));
            }
        }
    }

    /// Read the cache's `dpopKey` as botocore does: the lines between the
    /// PEM markers are base64 of a SEC1 DER key. `None` when it is not one.
    pub fn from_pem(pem: &str) -> Option<DpopKey> {
        let body: String = pem
            .lines()
            .filter(|l| !l.starts_with("-----BEGIN") && !l.starts_with("-----END"))
            .collect::<String>();
        let der = base64::engine::general_purpose::STANDARD
            .decode(body.trim())
            .ok()?;
        let secret = p256::SecretKey::from_sec1_der(&der).ok()?;
        Some(DpopKey(SigningKey::from(secret)))
    }

    /// The key as the AWS CLI writes it: SEC1 DER with the curve named
    /// (awscrt, behind botocore, refuses a key without it), base64 in
    /// 64-column lines.
    pub fn to_pem(&self) -> Result<String> {
        use sec1::der::oid::AssociatedOid;
        use sec1::der::Encode;
        let secret = p256::SecretKey::from(&self.0);
        let private_key = secret.to_bytes();
        let public_key = self.0.verifying_key().to_encoded_point(false);
        let der = sec1::EcPrivateKey {
            private_key: &private_key,
            parameters: Some(sec1::EcParameters::NamedCurve(p256::NistP256::OID)),
            public_key: Some(public_key.as_bytes()),
        }
        .to_der()
        .map_err(|e| Error::Unusable(format!("cannot encode the DPoP key: {e}")))?;
        let text = base64::engine::general_purpose::STANDARD.encode(&der);
        let lines: Vec<&str> = text
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect();
        Ok(format!(
            "-----BEGIN EC PRIVATE KEY-----\n{}\n-----END EC PRIVATE KEY-----\n",
            lines.join("\n")
        ))
    }

    /// The DPoP proof for a POST to `url` at `iat` (seconds): an ES256 JWT
    /// whose header carries the public key, with `htm`, `htu`, `iat` and a
    /// random `jti`, byte for byte the JSON botocore signs.
    pub fn proof(&self, url: &str, iat: i64) -> Result<String> {
        let point = self.0.verifying_key().to_encoded_point(false);
        let (Some(x), Some(y)) = (point.x(), point.y()) else {
            return Err(Error::Unusable("the DPoP key has no public point".into()));
        };
        let header = ProofHeader {
            typ: "dpop+jwt",
            alg: "ES256",
            jwk: Jwk {
                kty: "EC",
                x: b64url(x),
                y: b64url(y),
                crv: "P-256",
            },
        };
        let claims = ProofClaims {
            htm: "POST",
            htu: url,
            iat,
            jti: uuid4()?,
        };
        // Compact JSON, as Python's `separators=(',', ':')`.
        let json = |v: serde_json::Result<String>| v.unwrap_or_default();
        let input = format!(
            "{}.{}",
            b64url(json(serde_json::to_string(&header)).as_bytes()),
            b64url(json(serde_json::to_string(&claims)).as_bytes())
        );
        let signature: Signature = self.0.sign(input.as_bytes());
        Ok(format!("{input}.{}", b64url(&signature.to_bytes())))
    }
}

/// Base64url without padding (JOSE).
pub fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A random (version 4) UUID, as botocore's `jti` and the login's `state`.
pub fn uuid4() -> Result<String> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b)
        .map_err(|e| Error::Unusable(format!("no OS randomness for a nonce ({e})")))?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    ))
}

/// What is exchanged for credentials (the `tokenInput` body).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenInput<'a> {
    /// The client: `arn:aws:signin:::devtools/same-device` or `cross-device`.
    pub client_id: &'a str,
    /// `refresh_token` or `authorization_code`.
    pub grant_type: &'a str,
    /// The refresh token (refresh).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<&'a str>,
    /// The authorization code (login).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'a str>,
    /// The PKCE verifier (login).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_verifier: Option<&'a str>,
    /// The redirect URI of the authorization request (login).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<&'a str>,
}

/// The `tokenOutput` of a successful call, checked.
pub struct TokenOutput {
    /// The 15-minute credentials, with their expiry.
    pub credentials: Credentials,
    /// `aws_sigv4`.
    pub token_type: String,
    /// The next refresh token (secret).
    pub refresh_token: String,
    /// The ID token (authorization code only): a JWT naming the session.
    pub id_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawOutput {
    access_token: RawAccessToken,
    #[serde(default)]
    token_type: Option<String>,
    expires_in: i64,
    refresh_token: String,
    #[serde(default)]
    id_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawAccessToken {
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
}

/// How a call failed.
#[derive(Debug)]
pub enum Refusal {
    /// `AccessDeniedException` with `TOKEN_EXPIRED`, `AUTHCODE_EXPIRED` or
    /// `USER_CREDENTIALS_CHANGED`: a new login is needed.
    LoginAgain(String),
    /// Anything else: the whole error, ready to print.
    Failed(Error),
}

/// Call `CreateOAuth2Token` at `endpoint` (a base URL; `/v1/token` is
/// appended) with a DPoP proof by `key`. `profile` names the profile in
/// messages.
pub fn create_token(
    runtime: &tokio::runtime::Runtime,
    endpoint: &str,
    profile: &str,
    key: &DpopKey,
    input: &TokenInput<'_>,
) -> std::result::Result<TokenOutput, Refusal> {
    let url = format!("{}/v1/token", endpoint.trim_end_matches('/'));
    let fail = |reason: String| {
        Refusal::Failed(Error::Unreachable {
            profile: profile.to_string(),
            operation: OPERATION.to_string(),
            endpoint: endpoint.to_string(),
            reason,
        })
    };
    let proof = key
        .proof(&url, Timestamp::now().as_second())
        .map_err(Refusal::Failed)?;
    let body = serde_json::to_vec(input).map_err(|e| fail(e.to_string()))?;
    let (status, errortype, body) = runtime
        .block_on(async {
            tokio::time::timeout(EXCHANGE_TIMEOUT, post(&url, &proof, body))
                .await
                .unwrap_or_else(|_| Err("no answer within 20 s".to_string()))
        })
        .map_err(fail)?;
    if status == 200 {
        return parse_output(&body).map_err(|problem| Refusal::Failed(invalid(profile, &problem)));
    }
    Err(refusal(profile, status, errortype.as_deref(), &body))
}

/// The error of a non-200 answer: `{"error": CODE, "message": …}` with the
/// type in `x-amzn-errortype` (or `__type`).
fn refusal(profile: &str, status: u16, errortype: Option<&str>, body: &[u8]) -> Refusal {
    #[derive(Deserialize, Default)]
    struct Body {
        #[serde(default)]
        error: Option<String>,
        #[serde(default, alias = "Message")]
        message: Option<String>,
        #[serde(default, rename = "__type")]
        kind: Option<String>,
    }
    let parsed: Body = serde_json::from_slice(body).unwrap_or_default();
    let kind = errortype
        .or(parsed.kind.as_deref())
        .map(|k| k.split([':', '#']).next_back().unwrap_or(k).to_string())
        .unwrap_or_else(|| format!("HTTP {status}"));
    let code = parsed.error.unwrap_or_default();
    let message = parsed.message.unwrap_or_default();
    if matches!(
        code.as_str(),
        "TOKEN_EXPIRED" | "AUTHCODE_EXPIRED" | "USER_CREDENTIALS_CHANGED"
    ) {
        let why = match code.as_str() {
            "USER_CREDENTIALS_CHANGED" => "the password changed since the login",
            "AUTHCODE_EXPIRED" => "the authorization code expired",
            _ => "the login session has ended",
        };
        return Refusal::LoginAgain(why.to_string());
    }
    let detail = if code.is_empty() {
        kind
    } else {
        format!("{kind} {}", untrusted::shown_up_to(&code, 40))
    };
    Refusal::Failed(Error::Service {
        profile: profile.to_string(),
        operation: OPERATION.to_string(),
        code: detail,
        message: if code == "INSUFFICIENT_PERMISSIONS" {
            "the session may not call signin:CreateOAuth2Token".to_string()
        } else {
            untrusted::shown_up_to(&message, 300)
        },
    })
}

fn invalid(profile: &str, problem: &str) -> Error {
    Error::Service {
        profile: profile.to_string(),
        operation: OPERATION.to_string(),
        code: "InvalidResponse".to_string(),
        message: problem.to_string(),
    }
}

/// The answer's `tokenOutput`, with every value checked before use.
fn parse_output(body: &[u8]) -> std::result::Result<TokenOutput, String> {
    let raw: RawOutput = serde_json::from_slice(body)
        .map_err(|_| "the answer is not a tokenOutput with credentials".to_string())?;
    if !(1..=MAX_EXPIRES_IN).contains(&raw.expires_in) {
        return Err(format!(
            "expiresIn {} is outside 1..{MAX_EXPIRES_IN}",
            raw.expires_in
        ));
    }
    let token_type = raw.token_type.unwrap_or_else(|| "aws_sigv4".to_string());
    if !is_token_text(&token_type, 64) || !is_token_text(&raw.refresh_token, 16 * 1024) {
        return Err("the token type or refresh token has unexpected characters".to_string());
    }
    if let Some(id) = &raw.id_token {
        if !is_token_text(id, 16 * 1024) {
            return Err("the ID token has unexpected characters".to_string());
        }
    }
    let now = Timestamp::now();
    let credentials = Credentials {
        access_key_id: raw.access_token.access_key_id,
        secret_access_key: raw.access_token.secret_access_key,
        session_token: Some(raw.access_token.session_token),
        expiration: Some(
            // Whole seconds, as the AWS CLI writes `expiresAt`.
            Timestamp::from_second(now.as_second() + raw.expires_in).unwrap_or(now),
        ),
    };
    credentials.check(now).map_err(|e| e.to_string())?;
    Ok(TokenOutput {
        credentials,
        token_type,
        refresh_token: raw.refresh_token,
        id_token: raw.id_token,
    })
}

/// Printable ASCII without quotes, backslashes or spaces, 1..=`max` long:
/// what opaque tokens are made of.
pub fn is_token_text(text: &str, max: usize) -> bool {
    (1..=max).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
}

/// The HTTP stack every call uses (hyper + rustls/ring from the SDK), with
/// connect and read timeouts.
fn connector() -> Connector {
    let settings = HttpConnectorSettings::builder()
        .connect_timeout(crate::aws::client::CONNECT_TIMEOUT)
        .read_timeout(Duration::from_secs(10))
        .build();
    Connector::builder()
        .connector_settings(settings)
        .sleep_impl(aws_smithy_async::rt::sleep::TokioSleep::new())
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build()
}

/// POST `body` as JSON with the proof; (status, error type, body).
async fn post(
    url: &str,
    proof: &str,
    body: Vec<u8>,
) -> std::result::Result<(u16, Option<String>, Vec<u8>), String> {
    let mut request = Request::new(SdkBody::from(body));
    request
        .set_method("POST")
        .map_err(|_| "cannot build the request".to_string())?;
    request
        .set_uri(url)
        .map_err(|_| "the endpoint URL is not a valid URI".to_string())?;
    let headers = request.headers_mut();
    headers.insert("content-type", "application/json");
    headers.insert("accept", "application/json");
    headers.insert("user-agent", concat!("stsenv/", env!("CARGO_PKG_VERSION")));
    headers.insert("dpop", proof.to_string());
    let response = connector().call(request).await.map_err(|e| {
        if e.is_timeout() {
            "timed out".to_string()
        } else {
            crate::aws::client::root_cause(&e)
        }
    })?;
    let status = response.status().as_u16();
    let errortype = response
        .headers()
        .get("x-amzn-errortype")
        .map(|v| untrusted::shown_up_to(v, 60).trim_matches('"').to_string());
    let mut stream = ByteStream::new(response.into_body());
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| format!("reading the answer: {e}"))?;
        if out.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err("the answer is larger than 64 KiB".to_string());
        }
        out.extend_from_slice(&chunk);
    }
    Ok((status, errortype, out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Verifier;
    use p256::ecdsa::VerifyingKey;

    #[test]
    fn pem_round_trips_in_the_cli_layout() {
        let key = DpopKey::generate().unwrap();
        let pem = key.to_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN EC PRIVATE KEY-----\n"));
        assert!(pem.lines().all(|l| l.len() <= 64));
        // awscrt's layout: 121 bytes, prime256v1 named (OID 1.2.840.10045.3.1.7).
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap();
        assert_eq!(der.len(), 121);
        assert!(hex::encode(&der).contains("a00a06082a8648ce3d030107"));
        let back = DpopKey::from_pem(&pem).unwrap();
        assert_eq!(back.0.verifying_key(), key.0.verifying_key());
        assert!(DpopKey::from_pem("-----BEGIN EC PRIVATE KEY-----\nAAAA\n").is_none());
    }

    #[test]
    fn the_proof_is_botocores_jwt_and_verifies() {
        let key = DpopKey::generate().unwrap();
        let proof = key.proof("https://x/v1/token", 1700000000).unwrap();
        let parts: Vec<&str> = proof.split('.').collect();
        assert_eq!(parts.len(), 3);
        let decode = |s: &str| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(s)
                .unwrap()
        };
        let header = String::from_utf8(decode(parts[0])).unwrap();
        assert!(
            header.starts_with(r#"{"typ":"dpop+jwt","alg":"ES256","jwk":{"kty":"EC","x":""#),
            "{header}"
        );
        assert!(header.ends_with(r#"","crv":"P-256"}}"#), "{header}");
        let claims = String::from_utf8(decode(parts[1])).unwrap();
        assert!(
            claims.starts_with(
                r#"{"htm":"POST","htu":"https://x/v1/token","iat":1700000000,"jti":""#
            ),
            "{claims}"
        );
        let signature = Signature::from_slice(&decode(parts[2])).unwrap();
        let verifying = VerifyingKey::from(&key.0);
        let input = format!("{}.{}", parts[0], parts[1]);
        verifying.verify(input.as_bytes(), &signature).unwrap();
    }

    #[test]
    fn answers_are_checked() {
        let ok =
            br#"{"accessToken":{"accessKeyId":"ASIA1","secretAccessKey":"s","sessionToken":"t"},
            "tokenType":"aws_sigv4","expiresIn":900,"refreshToken":"r"}"#;
        assert!(parse_output(ok).is_ok());
        let long = String::from_utf8_lossy(ok).replace("900", "99999");
        assert!(parse_output(long.as_bytes()).is_err());
        let evil = String::from_utf8_lossy(ok).replace("\"r\"", "\"r\\n\"");
        assert!(parse_output(evil.as_bytes()).is_err());
        let expired = refusal(
            "p",
            401,
            Some("AccessDeniedException"),
            br#"{"error":"TOKEN_EXPIRED","message":"m"}"#,
        );
        assert!(matches!(expired, Refusal::LoginAgain(_)));
        let Refusal::Failed(other) = refusal("p", 500, None, b"\x1b[2J") else {
            panic!("not a failure")
        };
        assert!(!other.to_string().contains('\x1b'));
    }

    #[test]
    fn uuids_are_version_4() {
        let id = uuid4().unwrap();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
    }
}

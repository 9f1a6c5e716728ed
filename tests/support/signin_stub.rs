//! A stand-in for the AWS Sign-In service behind `aws login` (no emulator
//! has one): a small HTTP/1.1 server on 127.0.0.1 that checks requests the
//! way the real service does and records them.
//!
//! - `POST /v1/token` (rest-json; the body is the `tokenInput`, the answer
//!   the `tokenOutput`): every request must carry a `DPoP` header, an ES256
//!   JWT shaped exactly as botocore makes it (`typ`, `alg`, `jwk` with
//!   `kty`, `x`, `y`, `crv`; claims `htm`, `htu`, `iat`, `jti`), whose
//!   signature verifies against its `jwk`, whose `htu` is this server's
//!   token URL, whose `iat` is within five minutes and whose `jti` is new.
//!   - `grantType = refresh_token`: the refresh token must be one the stub
//!     issued (or registered with [`SigninStub::write_session`]) and the
//!     proof's key the one it is bound to. With [`State::token_expired`]
//!     the answer is `AccessDeniedException` / `TOKEN_EXPIRED` (HTTP 401).
//!   - `grantType = authorization_code`: the code must come from
//!     `/v1/authorize`, with the same client id and redirect URI, and the
//!     `codeVerifier` must hash to its `code_challenge` (PKCE S256). The
//!     answer adds an `idToken` whose `sub` is [`State::login_arn`].
//! - `GET /v1/authorize?response_type=code&client_id=…&state=…&
//!   code_challenge_method=SHA-256&scope=openid&redirect_uri=…&code_challenge=…`:
//!   the "browser" side. The same-device client gets `302` to its loopback
//!   `redirect_uri` with `code` and `state`; the cross-device client a page
//!   holding base64(`state=…&code=…`), the text a user pastes.
//!
//! Each answer has new credentials (`ASIASIGNIN…`), so a test can tell a
//! refresh from a cache hit.

use std::collections::{HashMap, HashSet};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use base64::Engine;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::loopback_http::{form_query, read_request, write_response, Response};

/// The AWS CLI's same-device client.
pub const SAME_DEVICE: &str = "arn:aws:signin:::devtools/same-device";
/// The AWS CLI's cross-device client.
pub const CROSS_DEVICE: &str = "arn:aws:signin:::devtools/cross-device";
/// The session ARN tests use unless they say otherwise.
pub const SESSION_ARN: &str = "arn:aws:iam::123456789012:user/Developer";

/// One `POST /v1/token` the stub answered.
#[derive(Debug, Clone)]
pub struct Call {
    /// `refresh_token` or `authorization_code`.
    pub grant_type: String,
    /// The `clientId`.
    pub client_id: String,
    /// HTTP status of the answer.
    pub status: u16,
    /// The access key id handed out (on success).
    pub access_key_id: Option<String>,
    /// Why the request was refused, when it was.
    pub problem: Option<String>,
}

/// What a refresh token is bound to.
#[derive(Debug, Clone)]
struct Binding {
    client_id: String,
    /// The DPoP key's public point, `x` and `y` base64url.
    jwk: (String, String),
}

/// An authorization code waiting to be redeemed.
#[derive(Debug, Clone)]
struct PendingCode {
    client_id: String,
    redirect_uri: String,
    challenge: String,
}

/// What the stub does and what it has seen.
#[derive(Debug)]
pub struct State {
    /// Every token call, in order.
    pub calls: Vec<Call>,
    /// Every `/v1/authorize` query, decoded.
    pub authorizations: Vec<HashMap<String, String>>,
    /// Answer every refresh with `AccessDeniedException` / `TOKEN_EXPIRED`.
    pub token_expired: bool,
    /// `expiresIn` of every answer (seconds).
    pub expires_in: i64,
    /// The identity `/v1/authorize` signs in (the ID token's `sub`).
    pub login_arn: String,
    /// When set, `/v1/authorize` answers this instead (hostile servers).
    pub authorize_answer: Option<Response>,
    /// When set, every successful token call answers this body instead.
    pub token_answer: Option<Value>,
    refresh_tokens: HashMap<String, Binding>,
    codes: HashMap<String, PendingCode>,
    seen_jti: HashSet<String>,
    counter: u32,
}

impl Default for State {
    fn default() -> Self {
        State {
            calls: Vec::new(),
            authorizations: Vec::new(),
            token_expired: false,
            expires_in: 900,
            login_arn: SESSION_ARN.to_string(),
            authorize_answer: None,
            token_answer: None,
            refresh_tokens: HashMap::new(),
            codes: HashMap::new(),
            seen_jti: HashSet::new(),
            counter: 0,
        }
    }
}

impl State {
    fn next(&mut self) -> u32 {
        self.counter += 1;
        self.counter
    }
}

/// A running stub; its thread lives as long as the test process.
pub struct SigninStub {
    /// `http://127.0.0.1:PORT`: the value for `AWS_ENDPOINT_URL_SIGNIN`.
    pub url: String,
    /// The port.
    pub port: u16,
    state: Arc<Mutex<State>>,
}

/// A cache file written by [`SigninStub::write_session`].
#[derive(Debug, Clone)]
pub struct SessionFile {
    /// The file.
    pub path: PathBuf,
    /// The access key id in it.
    pub access_key_id: String,
}

impl SigninStub {
    /// Start a stub.
    pub fn start() -> SigninStub {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind loopback");
        let port = listener.local_addr().expect("address").port();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        let url = format!("http://127.0.0.1:{port}");
        let token_url = format!("{url}/v1/token");
        crate::loopback_http::accept_each(listener, move |stream| {
            let _ = serve(stream, &shared, &token_url);
        });
        SigninStub { url, port, state }
    }

    /// The state, to configure the stub or read its calls.
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every token call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.state().calls.clone()
    }

    /// The successful refreshes so far.
    pub fn refreshes(&self) -> usize {
        self.calls()
            .iter()
            .filter(|c| c.grant_type == "refresh_token" && c.status == 200)
            .count()
    }

    /// Environment pointing stsenv and botocore at the stub.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![("AWS_ENDPOINT_URL_SIGNIN".into(), self.url.clone())]
    }

    /// Write the cache file `aws login` would have written for
    /// `session_arn` into `cache_dir`: credentials expiring in
    /// `expires_in_secs` (negative: already expired), a refresh token the
    /// stub accepts, bound to a new DPoP key stored in the file.
    pub fn write_session(
        &self,
        cache_dir: &Path,
        session_arn: &str,
        expires_in_secs: i64,
    ) -> SessionFile {
        let (n, refresh_token, key) = {
            let mut state = self.state();
            let n = state.next();
            let key = new_key(n, self.port);
            let refresh_token = format!("stub-refresh-{n}");
            let binding = Binding {
                client_id: SAME_DEVICE.into(),
                jwk: jwk_of(key.verifying_key()),
            };
            state.refresh_tokens.insert(refresh_token.clone(), binding);
            (n, refresh_token, key)
        };
        let access_key_id = format!("ASIAWRITTEN{n:09}");
        let expires = jiff::Timestamp::now().as_second() + expires_in_secs;
        let token = json!({
            "accessToken": {
                "accessKeyId": access_key_id,
                "secretAccessKey": format!("written-secret-{n}"),
                "sessionToken": format!("written-token-{n}"),
                "accountId": account_of(session_arn),
                "expiresAt": rfc3339(expires),
            },
            "tokenType": "aws_sigv4",
            "clientId": SAME_DEVICE,
            "refreshToken": refresh_token,
            "idToken": id_token(session_arn),
            "dpopKey": pem_of(&key),
        });
        std::fs::create_dir_all(cache_dir).expect("cache dir");
        let path = cache_dir.join(cache_file_name(session_arn));
        std::fs::write(&path, serde_json::to_vec(&token).expect("json")).expect("cache file");
        SessionFile {
            path,
            access_key_id,
        }
    }

    /// Open an authorization URL the way a browser would, signing in as
    /// [`State::login_arn`]: the status, the `Location` header (same
    /// device) and the body (cross device: the code to paste).
    pub fn authorize(&self, url: &str) -> (u16, Option<String>, String) {
        let path = url
            .strip_prefix(&self.url)
            .unwrap_or_else(|| panic!("{url} is not this stub's"));
        let (status, head, body) =
            crate::loopback_http::request_with_head(&self.url, "GET", path).expect("stub answers");
        let location = head
            .lines()
            .find_map(|l| l.strip_prefix("Location: "))
            .map(str::to_string);
        (status, location, body)
    }
}

/// `sha256(session).hex + ".json"`, botocore's name.
pub fn cache_file_name(session_arn: &str) -> String {
    format!("{}.json", hex(&Sha256::digest(session_arn.as_bytes())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn b64url_decode(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .ok()
}

/// `2026-12-03T10:00:00Z` for epoch seconds.
pub fn rfc3339(secs: i64) -> String {
    jiff::Timestamp::from_second(secs)
        .expect("valid time")
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn account_of(arn: &str) -> String {
    arn.split(':').nth(4).unwrap_or_default().to_string()
}

/// A different valid key per call (derived, so no RNG crate is needed).
fn new_key(n: u32, port: u16) -> SigningKey {
    let mut seed = format!("signin-stub-{port}-{n}-{:?}", std::time::SystemTime::now());
    loop {
        let digest = Sha256::digest(seed.as_bytes());
        if let Ok(key) = SigningKey::from_slice(&digest) {
            return key;
        }
        seed.push('+');
    }
}

/// The key as the AWS CLI stores it: awscrt's SEC1 export, whose layout
/// for P-256 is fixed (version 1, the 32-byte key, the curve's OID, the
/// uncompressed public point), in a PEM.
fn pem_of(key: &SigningKey) -> String {
    let mut der = hex_decode("30770201010420");
    der.extend_from_slice(&key.to_bytes());
    der.extend(hex_decode("a00a06082a8648ce3d030107a144034200"));
    der.extend_from_slice(key.verifying_key().to_encoded_point(false).as_bytes());
    let text = base64::engine::general_purpose::STANDARD.encode(&der);
    let lines: Vec<String> = text
        .as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    format!(
        "-----BEGIN EC PRIVATE KEY-----\n{}\n-----END EC PRIVATE KEY-----\n",
        lines.join("\n")
    )
}

fn hex_decode(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

fn jwk_of(key: &VerifyingKey) -> (String, String) {
    let point = key.to_encoded_point(false);
    (b64url(point.x().expect("x")), b64url(point.y().expect("y")))
}

/// An unsigned-looking JWT whose payload names `sub`, as the ID token does.
fn id_token(sub: &str) -> String {
    format!(
        "{}.{}.{}",
        b64url(br#"{"alg":"ES256","typ":"JWT"}"#),
        b64url(
            json!({ "sub": sub, "iss": "signin-stub" })
                .to_string()
                .as_bytes()
        ),
        b64url(b"stub-signature")
    )
}

fn serve(stream: TcpStream, state: &Mutex<State>, token_url: &str) -> std::io::Result<()> {
    let (request, body) = read_request(&stream)?;
    let (path, query) = request
        .target
        .split_once('?')
        .unwrap_or((&request.target, ""));
    let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
    let response = match (request.method.as_str(), path) {
        ("POST", "/v1/token") => token(&request.headers, &body, &mut state, token_url),
        ("GET", "/v1/authorize") => authorize(query, &mut state, token_url),
        _ => Response::text(404, "unknown request"),
    };
    drop(state);
    write_response(stream, &response)
}

/// A rest-json error: the type in `x-amzn-errortype`, `error` and `message` in the body.
fn error(status: u16, kind: &'static str, code: &str, message: &str) -> Response {
    Response {
        status,
        content_type: "application/json",
        body: json!({ "error": code, "message": message }).to_string(),
        headers: Vec::new(),
    }
    .with_header("x-amzn-errortype", kind)
}

fn token(
    headers: &HashMap<String, String>,
    body: &[u8],
    state: &mut State,
    token_url: &str,
) -> Response {
    let input: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let text = |k: &str| {
        input
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let mut call = Call {
        grant_type: text("grantType"),
        client_id: text("clientId"),
        status: 0,
        access_key_id: None,
        problem: None,
    };
    let result = check_proof(headers.get("dpop"), token_url, state).and_then(|jwk| {
        match call.grant_type.as_str() {
            "refresh_token" => redeem_refresh(&input, &jwk, state),
            "authorization_code" => redeem_code(&input, &jwk, state),
            _ => Err(error(
                400,
                "ValidationException",
                "INVALID_REQUEST",
                "unknown grantType",
            )),
        }
    });
    let response = match result {
        Ok(sub) => success(state, &call.client_id, sub),
        Err(response) => {
            call.problem = Some(response.body.clone());
            response
        }
    };
    call.status = response.status;
    if response.status == 200 {
        call.access_key_id = serde_json::from_str::<Value>(&response.body)
            .ok()
            .and_then(|v| v["accessToken"]["accessKeyId"].as_str().map(str::to_string));
    }
    state.calls.push(call);
    response
}

/// New credentials and a new refresh token bound to the same key.
fn success(state: &mut State, client_id: &str, grant: Grant) -> Response {
    if let Some(answer) = &state.token_answer {
        return Response::json(answer);
    }
    let n = state.next();
    let refresh_token = format!("stub-refresh-{n}");
    state.refresh_tokens.insert(
        refresh_token.clone(),
        Binding {
            client_id: client_id.to_string(),
            jwk: grant.jwk,
        },
    );
    let mut output = json!({
        "accessToken": {
            "accessKeyId": format!("ASIASIGNIN{n:010}"),
            "secretAccessKey": format!("signin-secret-{n}"),
            "sessionToken": format!("signin-token-{n}"),
        },
        "tokenType": "aws_sigv4",
        "expiresIn": state.expires_in,
        "refreshToken": refresh_token,
    });
    if let Some(sub) = grant.id_token_sub {
        output["idToken"] = Value::String(id_token(&sub));
    }
    Response::json(&output)
}

struct Grant {
    jwk: (String, String),
    id_token_sub: Option<String>,
}

fn redeem_refresh(input: &Value, jwk: &(String, String), state: &State) -> Result<Grant, Response> {
    let denied = |code: &str, message: &str| error(401, "AccessDeniedException", code, message);
    if state.token_expired {
        return Err(denied("TOKEN_EXPIRED", "the refresh token has expired"));
    }
    let token = input["refreshToken"].as_str().unwrap_or("");
    let Some(binding) = state.refresh_tokens.get(token) else {
        return Err(denied("TOKEN_EXPIRED", "unknown refresh token"));
    };
    if input["clientId"].as_str() != Some(binding.client_id.as_str()) {
        return Err(error(
            400,
            "ValidationException",
            "INVALID_REQUEST",
            "clientId differs",
        ));
    }
    if &binding.jwk != jwk {
        return Err(error(
            400,
            "ValidationException",
            "INVALID_REQUEST",
            "the DPoP key is not the one the refresh token is bound to",
        ));
    }
    Ok(Grant {
        jwk: jwk.clone(),
        id_token_sub: None,
    })
}

fn redeem_code(
    input: &Value,
    jwk: &(String, String),
    state: &mut State,
) -> Result<Grant, Response> {
    let invalid = |m: &str| error(400, "ValidationException", "INVALID_REQUEST", m);
    let code = input["code"].as_str().unwrap_or("");
    let Some(pending) = state.codes.remove(code) else {
        return Err(error(
            401,
            "AccessDeniedException",
            "AUTHCODE_EXPIRED",
            "unknown or used code",
        ));
    };
    if input["clientId"].as_str() != Some(pending.client_id.as_str()) {
        return Err(invalid("clientId differs from the authorization request"));
    }
    if input["redirectUri"].as_str() != Some(pending.redirect_uri.as_str()) {
        return Err(invalid(
            "redirectUri differs from the authorization request",
        ));
    }
    let verifier = input["codeVerifier"].as_str().unwrap_or("");
    if !(43..=128).contains(&verifier.len())
        || b64url(&Sha256::digest(verifier.as_bytes())) != pending.challenge
    {
        return Err(invalid("codeVerifier does not match the code_challenge"));
    }
    Ok(Grant {
        jwk: jwk.clone(),
        id_token_sub: Some(state.login_arn.clone()),
    })
}

/// Check the DPoP header as the service does; the proof's public key.
fn check_proof(
    header: Option<&String>,
    token_url: &str,
    state: &mut State,
) -> Result<(String, String), Response> {
    let invalid = |m: &str| error(400, "ValidationException", "INVALID_REQUEST", m);
    let proof = header.ok_or_else(|| invalid("no DPoP header"))?;
    let parts: Vec<&str> = proof.split('.').collect();
    let [head, claims, signature] = parts[..] else {
        return Err(invalid("DPoP is not a JWT"));
    };
    let head_json = b64url_decode(head).ok_or_else(|| invalid("DPoP header is not base64url"))?;
    let head_text = String::from_utf8_lossy(&head_json).into_owned();
    // botocore's exact shape: typ, alg, jwk {kty, x, y, crv}, compact JSON.
    if !head_text.starts_with(r#"{"typ":"dpop+jwt","alg":"ES256","jwk":{"kty":"EC","x":""#)
        || !head_text.ends_with(r#"","crv":"P-256"}}"#)
    {
        return Err(invalid("DPoP header is not botocore's shape"));
    }
    let head: Value = serde_json::from_str(&head_text).map_err(|_| invalid("DPoP header JSON"))?;
    let x = head["jwk"]["x"].as_str().unwrap_or("").to_string();
    let y = head["jwk"]["y"].as_str().unwrap_or("").to_string();
    let mut sec1 = vec![4u8];
    sec1.extend(
        b64url_decode(&x)
            .filter(|v| v.len() == 32)
            .ok_or_else(|| invalid("jwk x"))?,
    );
    sec1.extend(
        b64url_decode(&y)
            .filter(|v| v.len() == 32)
            .ok_or_else(|| invalid("jwk y"))?,
    );
    let key =
        VerifyingKey::from_sec1_bytes(&sec1).map_err(|_| invalid("jwk is not a P-256 point"))?;
    let signature = b64url_decode(signature)
        .and_then(|s| Signature::from_slice(&s).ok())
        .ok_or_else(|| invalid("DPoP signature is not 64 bytes"))?;
    key.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
        .map_err(|_| invalid("DPoP signature does not verify"))?;
    let claims_text = b64url_decode(claims)
        .map(|c| String::from_utf8_lossy(&c).into_owned())
        .ok_or_else(|| invalid("DPoP claims are not base64url"))?;
    if !claims_text.starts_with(r#"{"htm":"POST","htu":""#) || !claims_text.contains(r#","iat":"#) {
        return Err(invalid("DPoP claims are not botocore's shape"));
    }
    let claims: Value =
        serde_json::from_str(&claims_text).map_err(|_| invalid("DPoP claims JSON"))?;
    if claims["htu"].as_str() != Some(token_url) {
        return Err(invalid("DPoP htu is not this endpoint"));
    }
    let iat = claims["iat"].as_i64().ok_or_else(|| invalid("DPoP iat"))?;
    if (iat - jiff::Timestamp::now().as_second()).abs() > 300 {
        return Err(invalid("DPoP iat is not now"));
    }
    let jti = claims["jti"].as_str().unwrap_or("");
    if jti.len() != 36 || !state.seen_jti.insert(jti.to_string()) {
        return Err(invalid("DPoP jti is missing or replayed"));
    }
    Ok((x, y))
}

fn authorize(query: &str, state: &mut State, token_url: &str) -> Response {
    let params = form_query(query);
    state.authorizations.push(params.clone());
    if let Some(answer) = &state.authorize_answer {
        return answer.clone();
    }
    let get = |k: &str| params.get(k).map(String::as_str).unwrap_or("");
    let base = token_url.trim_end_matches("/v1/token");
    let checks = [
        (get("response_type") == "code", "response_type"),
        (
            get("code_challenge_method") == "SHA-256",
            "code_challenge_method",
        ),
        (get("scope") == "openid", "scope"),
        (!get("state").is_empty(), "state"),
        (get("code_challenge").len() == 43, "code_challenge"),
    ];
    if let Some((_, what)) = checks.iter().find(|(ok, _)| !ok) {
        return Response::text(400, format!("bad {what}"));
    }
    let client_id = get("client_id");
    let redirect_uri = get("redirect_uri");
    let same_device = client_id == SAME_DEVICE
        && redirect_uri.starts_with("http://127.0.0.1:")
        && redirect_uri.ends_with("/oauth/callback");
    let cross_device =
        client_id == CROSS_DEVICE && redirect_uri == format!("{base}/v1/sessions/confirmation");
    if !same_device && !cross_device {
        return Response::text(400, "unknown client or redirect_uri");
    }
    let code = format!("stub-code-{}", state.next());
    state.codes.insert(
        code.clone(),
        PendingCode {
            client_id: client_id.to_string(),
            redirect_uri: redirect_uri.to_string(),
            challenge: get("code_challenge").to_string(),
        },
    );
    let mut back = url::form_urlencoded::Serializer::new(String::new());
    back.append_pair("code", &code)
        .append_pair("state", get("state"));
    let back = back.finish();
    if same_device {
        Response::text(302, "").with_header("Location", format!("{redirect_uri}?{back}"))
    } else {
        let mut pasted = url::form_urlencoded::Serializer::new(String::new());
        pasted
            .append_pair("state", get("state"))
            .append_pair("code", &code);
        Response::text(
            200,
            base64::engine::general_purpose::STANDARD.encode(pasted.finish()),
        )
    }
}

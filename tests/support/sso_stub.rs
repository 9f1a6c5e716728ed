//! A stand-in for the IAM Identity Center portal and OIDC APIs (no public
//! emulator exists): a small threaded HTTP/1.1 server on 127.0.0.1 speaking
//! the restJson1 shapes of aws-sdk-ssooidc and aws-sdk-sso:
//!
//! - OIDC: `POST /client/register`, `POST /device_authorization`,
//!   `POST /token` (device code and refresh token grants); errors are HTTP
//!   400 with `x-amzn-errortype` and `{"error": "...", "error_description": ...}`.
//! - Portal: `GET /federation/credentials?role_name=&account_id=`,
//!   `GET /assignment/accounts`, `GET /assignment/roles?account_id=`
//!   (paginated with `next_token` / `nextToken`), `POST /logout`; the token
//!   comes in `x-amz-sso_bearer_token`; unknown tokens get 401
//!   `UnauthorizedException`.
//!
//! It approves a device login after a configurable number of polls and
//! records every call.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use crate::loopback_http::{form_query, read_request, Request};

/// One request the stub received.
#[derive(Debug, Clone)]
pub struct Call {
    /// `GET`, `POST`.
    pub method: String,
    /// The path without the query.
    pub path: String,
    /// Decoded query parameters.
    pub query: HashMap<String, String>,
    /// Headers, names lower-cased.
    pub headers: HashMap<String, String>,
    /// The JSON body (`Null` when empty).
    pub body: Value,
    /// When it arrived.
    pub at: Instant,
}

impl Call {
    /// A short name: `RegisterClient`, `CreateToken`, `GetRoleCredentials`, …
    pub fn operation(&self) -> &'static str {
        match (self.method.as_str(), self.path.as_str()) {
            ("POST", "/client/register") => "RegisterClient",
            ("POST", "/device_authorization") => "StartDeviceAuthorization",
            ("POST", "/token") => "CreateToken",
            ("GET", "/federation/credentials") => "GetRoleCredentials",
            ("GET", "/assignment/accounts") => "ListAccounts",
            ("GET", "/assignment/roles") => "ListAccountRoles",
            ("POST", "/logout") => "Logout",
            _ => "Unknown",
        }
    }
}

/// What the stub does and what it has seen. Change it with [`SsoStub::state`].
#[derive(Debug)]
pub struct State {
    /// CreateToken polls answered `SlowDownException` first, per device code.
    pub slow_down_polls: u32,
    /// Then polls answered `AuthorizationPendingException`.
    pub pending_polls: u32,
    /// Every device-code poll answers `ExpiredTokenException`.
    pub device_code_expired: bool,
    /// `expiresIn` of issued access tokens.
    pub token_expires_in: i64,
    /// Lifetime of client registrations, seconds.
    pub registration_expires_in: i64,
    /// `(account id, account name, roles)`.
    pub accounts: Vec<(String, String, Vec<String>)>,
    /// Items per ListAccounts / ListAccountRoles page.
    pub page_size: usize,
    /// Access tokens the portal accepts.
    pub access_tokens: HashSet<String>,
    /// Refresh tokens the OIDC service accepts.
    pub refresh_tokens: HashSet<String>,
    /// Fields that replace those of every StartDeviceAuthorization answer
    /// (a hostile `userCode` or `verificationUriComplete`).
    pub device_authorization: serde_json::Map<String, Value>,
    /// Fields that replace those of every CreateToken answer (an empty
    /// `accessToken`, an `expiresIn` of 0).
    pub token_answer: serde_json::Map<String, Value>,
    /// Every call, in order.
    pub calls: Vec<Call>,
    polls: HashMap<String, u32>,
    clients: HashMap<String, i64>,
    counter: u32,
}

/// A running stub; its thread lives as long as the test process.
pub struct SsoStub {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    state: Arc<Mutex<State>>,
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

impl SsoStub {
    /// Start a stub: logins are approved after two pending polls, one
    /// account `111111111111` ("Prod Account") with role `Developer`.
    pub fn start() -> SsoStub {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let state = Arc::new(Mutex::new(State {
            slow_down_polls: 0,
            pending_polls: 2,
            device_code_expired: false,
            token_expires_in: 8 * 3600,
            registration_expires_in: 90 * 24 * 3600,
            accounts: vec![(
                "111111111111".into(),
                "Prod Account".into(),
                vec!["Developer".into()],
            )],
            page_size: 1,
            access_tokens: HashSet::new(),
            refresh_tokens: HashSet::new(),
            device_authorization: serde_json::Map::new(),
            token_answer: serde_json::Map::new(),
            calls: Vec::new(),
            polls: HashMap::new(),
            clients: HashMap::new(),
            counter: 0,
        }));
        let shared = Arc::clone(&state);
        crate::loopback_http::accept_each(listener, move |stream| {
            let _ = serve(stream, &shared);
        });
        SsoStub { url, state }
    }

    /// The state, to configure the stub or read its calls.
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.state().calls.clone()
    }

    /// The calls of one operation (see [`Call::operation`]).
    pub fn calls_of(&self, operation: &str) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.operation() == operation)
            .collect()
    }

    /// Make the portal accept `token` (for token files a test writes).
    pub fn accept_access_token(&self, token: &str) {
        self.state().access_tokens.insert(token.to_string());
    }

    /// Make the OIDC service accept `refresh_token` from client `client_id`
    /// (registered until `expires_at`, epoch seconds).
    pub fn accept_refresh_token(&self, refresh_token: &str, client_id: &str, expires_at: i64) {
        let mut state = self.state();
        state.refresh_tokens.insert(refresh_token.to_string());
        state.clients.insert(client_id.to_string(), expires_at);
    }

    /// Environment pointing stsenv (and botocore) at the stub, with
    /// millisecond polling.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("AWS_ENDPOINT_URL_SSO".into(), self.url.clone()),
            ("AWS_ENDPOINT_URL_SSO_OIDC".into(), self.url.clone()),
            ("STSENV_SSO_POLL_MS".into(), "20".into()),
        ]
    }
}

struct Response {
    status: u16,
    error_type: Option<&'static str>,
    body: Value,
}

fn ok(body: Value) -> Response {
    Response {
        status: 200,
        error_type: None,
        body,
    }
}

fn error(status: u16, error_type: &'static str, oauth_error: &str) -> Response {
    Response {
        status,
        error_type: Some(error_type),
        body: json!({"error": oauth_error, "error_description": error_type, "message": error_type}),
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    let (request, body) = read_request(&stream)?;
    let Request {
        method,
        target,
        headers,
    } = request;
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let call = Call {
        method,
        path: path.to_string(),
        query: form_query(query),
        headers,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        at: Instant::now(),
    };
    let response = {
        let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
        state.calls.push(call.clone());
        handle(&call, &mut state)
    };
    let body = response.body.to_string();
    let reason = match response.status {
        200 => "OK",
        401 => "Unauthorized",
        _ => "Bad Request",
    };
    let mut out = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        response.status,
        body.len()
    );
    if let Some(kind) = response.error_type {
        out.push_str(&format!("x-amzn-errortype: {kind}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&body);
    let mut stream = stream;
    stream.write_all(out.as_bytes())?;
    stream.flush()
}

fn field<'a>(call: &'a Call, name: &str) -> &'a str {
    call.body.get(name).and_then(Value::as_str).unwrap_or("")
}

fn handle(call: &Call, state: &mut State) -> Response {
    match call.operation() {
        "RegisterClient" => {
            state.counter += 1;
            let id = format!("client-{}", state.counter);
            let expires = now_secs() + state.registration_expires_in;
            state.clients.insert(id.clone(), expires);
            ok(json!({
                "clientId": id,
                "clientSecret": format!("client-secret-{}", state.counter),
                "clientIdIssuedAt": now_secs(),
                "clientSecretExpiresAt": expires,
            }))
        }
        "StartDeviceAuthorization" => {
            if !state.clients.contains_key(field(call, "clientId")) {
                return error(400, "InvalidClientException", "invalid_client");
            }
            state.counter += 1;
            let code = format!("WXYZ-{:04}", state.counter);
            let mut answer = json!({
                "deviceCode": format!("device-code-{}", state.counter),
                "userCode": code,
                "verificationUri": "https://device.sso.example/",
                "verificationUriComplete": format!("https://device.sso.example/?user_code={code}"),
                "expiresIn": 600,
                "interval": 1,
            });
            overlay(&mut answer, &state.device_authorization);
            ok(answer)
        }
        "CreateToken" => create_token(call, state),
        "GetRoleCredentials" | "ListAccounts" | "ListAccountRoles" | "Logout" => {
            let token = call
                .headers
                .get("x-amz-sso_bearer_token")
                .cloned()
                .unwrap_or_default();
            if !state.access_tokens.contains(&token) {
                return error(401, "UnauthorizedException", "unauthorized");
            }
            portal(call, state, &token)
        }
        _ => error(400, "InvalidRequestException", "invalid_request"),
    }
}

fn create_token(call: &Call, state: &mut State) -> Response {
    let client_valid = state
        .clients
        .get(field(call, "clientId"))
        .is_some_and(|exp| *exp > now_secs());
    if !client_valid {
        return error(400, "InvalidClientException", "invalid_client");
    }
    match field(call, "grantType") {
        "urn:ietf:params:oauth:grant-type:device_code" => {
            if state.device_code_expired {
                return error(400, "ExpiredTokenException", "expired_token");
            }
            let n = {
                let polls = state
                    .polls
                    .entry(field(call, "deviceCode").to_string())
                    .or_default();
                *polls += 1;
                *polls
            };
            if n <= state.slow_down_polls {
                return error(400, "SlowDownException", "slow_down");
            }
            if n <= state.slow_down_polls + state.pending_polls {
                return error(
                    400,
                    "AuthorizationPendingException",
                    "authorization_pending",
                );
            }
            issue(state)
        }
        "refresh_token" => {
            if !state.refresh_tokens.remove(field(call, "refreshToken")) {
                return error(400, "InvalidGrantException", "invalid_grant");
            }
            issue(state)
        }
        _ => error(
            400,
            "UnsupportedGrantTypeException",
            "unsupported_grant_type",
        ),
    }
}

fn issue(state: &mut State) -> Response {
    state.counter += 1;
    let access = format!("access-token-{}", state.counter);
    let refresh = format!("refresh-token-{}", state.counter);
    state.access_tokens.insert(access.clone());
    state.refresh_tokens.insert(refresh.clone());
    let mut answer = json!({
        "accessToken": access,
        "tokenType": "Bearer",
        "expiresIn": state.token_expires_in,
        "refreshToken": refresh,
    });
    overlay(&mut answer, &state.token_answer);
    ok(answer)
}

/// `answer` with the fields of `fields` replacing its own.
fn overlay(answer: &mut Value, fields: &serde_json::Map<String, Value>) {
    if let Some(object) = answer.as_object_mut() {
        object.extend(fields.clone());
    }
}

fn page<T: Clone>(items: &[T], call: &Call, size: usize) -> (Vec<T>, Option<String>) {
    let start: usize = call
        .query
        .get("next_token")
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let end = (start + size.max(1)).min(items.len());
    let next = (end < items.len()).then(|| end.to_string());
    (items[start.min(end)..end].to_vec(), next)
}

fn portal(call: &Call, state: &mut State, token: &str) -> Response {
    match call.operation() {
        "GetRoleCredentials" => {
            let account = call.query.get("account_id").cloned().unwrap_or_default();
            let role = call.query.get("role_name").cloned().unwrap_or_default();
            let known = state
                .accounts
                .iter()
                .any(|(id, _, roles)| *id == account && roles.contains(&role));
            if !known {
                return error(403, "ForbiddenException", "forbidden");
            }
            state.counter += 1;
            let n = state.counter;
            ok(json!({"roleCredentials": {
                "accessKeyId": format!("ASIASSOSTUB{n:09}"),
                "secretAccessKey": format!("sso-secret-{n}"),
                "sessionToken": format!("sso-session-token-{n}"),
                "expiration": (now_secs() + 3600) * 1000,
            }}))
        }
        "ListAccounts" => {
            let accounts: Vec<Value> = state
                .accounts
                .iter()
                .map(|(id, name, _)| json!({"accountId": id, "accountName": name, "emailAddress": "a@example.com"}))
                .collect();
            let (items, next) = page(&accounts, call, state.page_size);
            ok(json!({"accountList": items, "nextToken": next}))
        }
        "ListAccountRoles" => {
            let account = call.query.get("account_id").cloned().unwrap_or_default();
            let roles: Vec<Value> = state
                .accounts
                .iter()
                .filter(|(id, _, _)| *id == account)
                .flat_map(|(id, _, roles)| {
                    roles
                        .iter()
                        .map(move |r| json!({"roleName": r, "accountId": id}))
                })
                .collect();
            let (items, next) = page(&roles, call, state.page_size);
            ok(json!({"roleList": items, "nextToken": next}))
        }
        _ => {
            state.access_tokens.remove(token);
            ok(json!({}))
        }
    }
}

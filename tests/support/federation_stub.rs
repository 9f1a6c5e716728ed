//! A stand-in for the AWS console's federation endpoint (no emulator has
//! one): a small threaded HTTP/1.1 server on 127.0.0.1 that checks requests
//! the way the real endpoint does and records them.
//!
//! - `GET /federation?Action=getSigninToken&Session=JSON[&SessionDuration=N]`:
//!   `Session` must be a JSON object with exactly `sessionId`, `sessionKey`
//!   and `sessionToken`, all non-empty strings; `SessionDuration`, when
//!   present, a whole number within 900–43200. Good requests get
//!   `{"SigninToken": "<token>"}`; bad ones HTTP 400 naming the problem.
//!   Access keys listed in [`State::refused_keys`] are refused (HTTP 400),
//!   as the real endpoint refuses credentials it cannot use.
//! - `GET /federation?Action=login&Issuer=…&Destination=…&SigninToken=…`:
//!   a token it issued, a non-empty `Issuer` and an `https://` `Destination`
//!   give `302 Location: <Destination>`; anything else HTTP 400.
//!
//! [`State::answer`] replaces the getSigninToken answer, to test how a
//! hostile or broken endpoint is handled.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;

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
    /// The HTTP status the stub answered with.
    pub status: u16,
}

impl Call {
    /// `Action`.
    pub fn action(&self) -> &str {
        self.query.get("Action").map(String::as_str).unwrap_or("")
    }

    /// The `Session` parameter, parsed (`Null` when absent or not JSON).
    pub fn session(&self) -> Value {
        self.query
            .get("Session")
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or(Value::Null)
    }
}

/// A raw answer that replaces the normal getSigninToken answer.
#[derive(Debug, Clone)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The body, sent as is.
    pub body: Vec<u8>,
}

/// What the stub does and what it has seen.
#[derive(Debug, Default)]
pub struct State {
    /// Every call, in order.
    pub calls: Vec<Call>,
    /// Sign-in tokens issued so far.
    pub issued: HashSet<String>,
    /// Access key ids whose sessions are refused.
    pub refused_keys: HashSet<String>,
    /// When set, every getSigninToken gets this instead.
    pub answer: Option<Answer>,
    /// Every getSigninToken fails with a body that repeats the request's
    /// query back (the `Session` JSON with `sessionKey` among it).
    pub echo: bool,
    counter: u32,
}

/// A running stub; its thread lives as long as the test process.
pub struct FederationStub {
    /// `http://127.0.0.1:PORT/federation`: the value for `STSENV_FEDERATION_ENDPOINT`.
    pub endpoint: String,
    /// The port.
    pub port: u16,
    state: Arc<Mutex<State>>,
}

impl FederationStub {
    /// Start a stub.
    pub fn start() -> FederationStub {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind loopback");
        let port = listener.local_addr().expect("address").port();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        crate::loopback_http::accept_each(listener, move |stream| {
            let _ = serve(stream, &shared);
        });
        FederationStub {
            endpoint: format!("http://127.0.0.1:{port}/federation"),
            port,
            state,
        }
    }

    /// The state, to configure the stub or read its calls.
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.state().calls.clone()
    }

    /// The getSigninToken calls so far.
    pub fn token_calls(&self) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.action() == "getSigninToken")
            .collect()
    }

    /// Environment pointing stsenv at the stub.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![("STSENV_FEDERATION_ENDPOINT".into(), self.endpoint.clone())]
    }

    /// Follow a login URL the way a browser would: the status and the
    /// `Location` the stub answers with.
    pub fn visit(&self, path_and_query: &str) -> (u16, Option<String>) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("stub listens");
        write!(
            stream,
            "GET {path_and_query} HTTP/1.0\r\nHost: 127.0.0.1:{}\r\n\r\n",
            self.port
        )
        .expect("request sent");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("response read");
        let status = response
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let location = response
            .lines()
            .find_map(|l| l.strip_prefix("Location: "))
            .map(str::to_string);
        (status, location)
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    let (Request { method, target, .. }, _body) = read_request(&stream)?;
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let mut call = Call {
        method,
        path: path.to_string(),
        query: form_query(query),
        status: 0,
    };
    let (status, headers, body) = {
        let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
        let answer = handle(&call, &mut state);
        call.status = answer.0;
        state.calls.push(call);
        answer
    };
    let reason = match status {
        200 => "OK",
        302 => "Found",
        _ => "Bad Request",
    };
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    let mut stream = stream;
    stream.write_all(out.as_bytes())?;
    stream.write_all(&body)?;
    stream.flush()
}

type Response = (u16, Vec<(&'static str, String)>, Vec<u8>);

fn bad(reason: &str) -> Response {
    (
        400,
        vec![("Content-Type", "text/plain".into())],
        reason.as_bytes().to_vec(),
    )
}

fn handle(call: &Call, state: &mut State) -> Response {
    if call.method != "GET" || call.path != "/federation" {
        return bad("unknown request");
    }
    match call.action() {
        "getSigninToken" => signin_token(call, state),
        "login" => login(call, state),
        _ => bad("unknown Action"),
    }
}

fn signin_token(call: &Call, state: &mut State) -> Response {
    let session = call.session();
    let Some(fields) = session.as_object() else {
        return bad("Session is not a JSON object");
    };
    let mut names: Vec<&str> = fields.keys().map(String::as_str).collect();
    names.sort_unstable();
    if names != ["sessionId", "sessionKey", "sessionToken"] {
        return bad("Session needs exactly sessionId, sessionKey and sessionToken");
    }
    if fields
        .values()
        .any(|v| v.as_str().is_none_or(str::is_empty))
    {
        return bad("Session fields must be non-empty strings");
    }
    if let Some(duration) = call.query.get("SessionDuration") {
        match duration.parse::<u32>() {
            Ok(secs) if (900..=43_200).contains(&secs) => {}
            _ => return bad("SessionDuration must be 900-43200"),
        }
    }
    if state
        .refused_keys
        .contains(fields["sessionId"].as_str().unwrap_or(""))
    {
        return bad("these credentials cannot sign in to the console");
    }
    if state.echo {
        let echoed = serde_json::to_string(&call.query).unwrap_or_default();
        return bad(&format!("malformed request: {echoed}"));
    }
    if let Some(answer) = &state.answer {
        return (
            answer.status,
            vec![("Content-Type", "application/json".into())],
            answer.body.clone(),
        );
    }
    state.counter += 1;
    // Long like a real token, in its alphabet (base64url).
    let token = format!(
        "SigninToken{:04}-{}",
        state.counter,
        "AbC_dEf-0123456789".repeat(30)
    );
    state.issued.insert(token.clone());
    let body = serde_json::json!({ "SigninToken": token }).to_string();
    (
        200,
        vec![("Content-Type", "application/json".into())],
        body.into_bytes(),
    )
}

fn login(call: &Call, state: &State) -> Response {
    let get = |k: &str| call.query.get(k).map(String::as_str).unwrap_or("");
    if !state.issued.contains(get("SigninToken")) {
        return bad("unknown SigninToken");
    }
    if get("Issuer").is_empty() {
        return bad("Issuer is missing");
    }
    let destination = get("Destination");
    if !destination.starts_with("https://") {
        return bad("Destination must be an https URL");
    }
    (302, vec![("Location", destination.to_string())], Vec::new())
}

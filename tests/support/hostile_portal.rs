//! A hostile IAM Identity Center portal: answers the portal calls stsenv
//! makes (`ListAccounts`, `ListAccountRoles`, `GetRoleCredentials`) with
//! whatever JSON a test hands it, byte for byte, so tests can check that
//! nothing a server says reaches a config file, a shell or a terminal
//! unchecked. Any bearer token is accepted.
//!
//! The well-behaved stand-in with the OIDC login flow is
//! [`crate::sso_stub`]; this one only lies.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

/// What the portal answers. Bodies are sent as they are (one page each).
#[derive(Debug, Clone, Default)]
pub struct Answers {
    /// The `accountList` of `ListAccounts` (any JSON, even non-objects).
    pub accounts: Value,
    /// The `roleList` of `ListAccountRoles`, per `account_id` query value;
    /// an unknown account gets an empty list.
    pub roles: HashMap<String, Value>,
    /// The `roleCredentials` of `GetRoleCredentials`.
    pub role_credentials: Value,
    /// Answer every call with an error whose message repeats the request
    /// back (its line and headers, the bearer token among them), as some
    /// servers and proxies do.
    pub echo_errors: bool,
}

/// A running hostile portal; its thread lives as long as the test process.
pub struct HostilePortal {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    answers: Arc<Mutex<Answers>>,
}

impl HostilePortal {
    /// Start a portal giving `answers`.
    pub fn start(answers: Answers) -> HostilePortal {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let answers = Arc::new(Mutex::new(answers));
        let shared = Arc::clone(&answers);
        crate::loopback_http::accept_each(listener, move |stream| {
            let _ = serve(stream, &shared);
        });
        HostilePortal { url, answers }
    }

    /// Change the answers of the running portal.
    pub fn set(&self, answers: Answers) {
        *self.answers.lock().unwrap_or_else(|p| p.into_inner()) = answers;
    }

    /// Environment pointing stsenv's SSO calls here.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("AWS_ENDPOINT_URL_SSO".into(), self.url.clone()),
            ("AWS_ENDPOINT_URL_SSO_OIDC".into(), self.url.clone()),
        ]
    }
}

fn serve(stream: TcpStream, answers: &Mutex<Answers>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let target = line
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_string();
    let mut length = 0usize;
    let mut echo = line.trim().to_string();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        echo = format!("{echo}; {}", header.trim());
        if let Some((name, value)) = header.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let account = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("account_id="))
        .map(percent_decode)
        .unwrap_or_default();
    let answer = {
        let answers = answers.lock().unwrap_or_else(|p| p.into_inner());
        if answers.echo_errors {
            let body = json!({"message": format!("invalid request: {echo}")}).to_string();
            let mut stream = stream;
            write!(
                stream,
                "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nx-amzn-errortype: InvalidRequestException\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )?;
            return stream.flush();
        }
        match path {
            "/assignment/accounts" => json!({"accountList": answers.accounts}),
            "/assignment/roles" => {
                let roles = answers.roles.get(&account).cloned();
                json!({"roleList": roles.unwrap_or_else(|| json!([]))})
            }
            "/federation/credentials" => {
                json!({"roleCredentials": answers.role_credentials})
            }
            _ => json!({}),
        }
    };
    let body = answer.to_string();
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()
}

/// `%XX` escapes of a query value, decoded (invalid ones kept as they are).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

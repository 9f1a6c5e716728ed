//! The few lines of HTTP/1.1 the loopback stand-ins ([`crate::imds_stub`],
//! [`crate::ecs_stub`]) need: read one request, write one response, close.
//! std only; one thread per connection; nothing here is reachable beyond
//! 127.0.0.1.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

/// One request as a stand-in saw it.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `PUT`, …
    pub method: String,
    /// The path with its query.
    pub target: String,
    /// Headers, names lower-cased.
    pub headers: HashMap<String, String>,
}

/// One answer.
#[derive(Debug, Clone)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// The body.
    pub body: String,
    /// Extra headers.
    pub headers: Vec<(&'static str, String)>,
}

impl Response {
    /// A response with `status` and a plain-text body.
    pub fn text(status: u16, body: impl Into<String>) -> Response {
        Response {
            status,
            content_type: "text/plain",
            body: body.into(),
            headers: Vec::new(),
        }
    }

    /// The response with one more header.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.headers.push((name, value.into()));
        self
    }

    /// A 200 with a JSON body.
    pub fn json(body: &serde_json::Value) -> Response {
        Response {
            status: 200,
            content_type: "application/json",
            body: body.to_string(),
            headers: Vec::new(),
        }
    }
}

/// Bind a free loopback port and answer every request with `handle` on a
/// thread that lives as long as the test process. Returns `http://127.0.0.1:PORT`.
pub fn serve<F>(handle: F) -> String
where
    F: Fn(&Request) -> Response + Send + Sync + 'static,
{
    let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind loopback");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    accept_each(listener, move |stream| {
        let _ = answer(stream, &handle);
    });
    url
}

/// Hand every connection to `listener` to `serve`, each on a thread of its
/// own, from a thread that lives as long as the test process.
pub fn accept_each<F>(listener: TcpListener, serve: F)
where
    F: Fn(TcpStream) + Send + Sync + 'static,
{
    let serve = std::sync::Arc::new(serve);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let serve = std::sync::Arc::clone(&serve);
            std::thread::spawn(move || serve(stream));
        }
    });
}

/// Read one request from `stream` (bounded by a 10 s read timeout and a
/// 1 MiB body): its request line and headers, and its body.
pub fn read_request(stream: &TcpStream) -> std::io::Result<(Request, Vec<u8>)> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default().to_string();
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.insert(name.trim().to_lowercase(), value.trim().to_string());
        }
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length.min(1 << 20)];
    reader.read_exact(&mut body)?;
    let request = Request {
        method,
        target,
        headers,
    };
    Ok((request, body))
}

/// An `application/x-www-form-urlencoded` query or body, decoded.
pub fn form_query(query: &str) -> HashMap<String, String> {
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

fn answer(stream: TcpStream, handle: &dyn Fn(&Request) -> Response) -> std::io::Result<()> {
    // Bodies are not used by these stand-ins, but are drained.
    let (request, _body) = read_request(&stream)?;
    write_response(stream, &handle(&request))
}

/// Write `response` to `stream` and close it (`Connection: close`).
pub fn write_response(mut stream: TcpStream, response: &Response) -> std::io::Result<()> {
    let reason = match response.status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Error",
    };
    let extra: String = response
        .headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}\r\n"))
        .collect();
    write!(
        stream,
        "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n{}",
        response.status,
        response.content_type,
        response.body.len(),
        response.body
    )?;
    stream.flush()
}

/// A minimal client for the stand-ins' own tests: send `method path` with
/// `headers` to `url` and return `(status, body)`.
pub fn request(
    url: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> std::io::Result<(u16, String)> {
    send(url, method, path, headers).map(|(status, _, body)| (status, body))
}

/// [`request`] without headers, returning `(status, head, body)`: the head
/// holds the status line and headers (a redirect's `Location`).
pub fn request_with_head(
    url: &str,
    method: &str,
    path: &str,
) -> std::io::Result<(u16, String, String)> {
    send(url, method, path, &[])
}

fn send(
    url: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> std::io::Result<(u16, String, String)> {
    let address = url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address)?;
    let mut text = format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    if method == "PUT" {
        text.push_str("Content-Length: 0\r\n");
    }
    text.push_str("\r\n");
    stream.write_all(text.as_bytes())?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let (head, body) = response
        .split_once("\r\n\r\n")
        .map(|(h, b)| (h.to_string(), b.to_string()))
        .unwrap_or((response.clone(), String::new()));
    Ok((status, head, body))
}

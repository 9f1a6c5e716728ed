//! The HTTP side: accept connections on the loopback listener, parse
//! requests with httparse, answer from the current credentials. A request
//! never waits for STS (the renewer replaces what is served), and nothing
//! about a request is logged.
//!
//! Rules, in order: a `Host` that is not loopback is refused with 403 (a
//! web page that rebinds its DNS name to 127.0.0.1 still sends its own
//! name); no `Authorization` is 401, a wrong one 403, both without a body;
//! only `GET /` exists. Credentials are answered until they expire, then
//! 503 with a JSON message saying why renewal failed and what to do.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use jiff::Timestamp;

use super::{Current, Shared, Token};

/// Connections served at once (each by one thread); more wait in a short
/// queue, and beyond that are closed at once.
const MAX_CONNECTIONS: usize = 256;
/// Accepted connections waiting for a thread.
const MAX_QUEUED: usize = 64;
/// How long a thread with nothing to do waits for the next connection
/// before it ends: a client opening a connection per request (botocore)
/// then finds a thread ready instead of paying for a new one.
const THREAD_LINGER: Duration = Duration::from_secs(10);
/// A request line and headers larger than this are refused.
const MAX_REQUEST: usize = 16 * 1024;
/// How long a kept-alive connection may sit idle.
const IDLE: Duration = Duration::from_secs(30);
/// How long one request may take to arrive once it started.
const REQUEST_DEADLINE: Duration = Duration::from_secs(10);
/// The connection threads do little: a small stack keeps the RSS small.
const STACK: usize = 128 * 1024;

/// Threads serving connections: started on demand, reused while they
/// linger, at most [`MAX_CONNECTIONS`].
#[derive(Default)]
struct Pool {
    state: Mutex<PoolState>,
    ready: Condvar,
}

#[derive(Default)]
struct PoolState {
    queue: VecDeque<TcpStream>,
    threads: usize,
    idle: usize,
}

/// Accept connections until the server stops.
pub(super) fn serve(listener: TcpListener, shared: &Arc<Shared>) {
    let pool = Arc::new(Pool::default());
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else {
            // Out of descriptors or an aborted handshake: let it pass.
            std::thread::sleep(Duration::from_millis(5));
            continue;
        };
        let mut state = pool.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.queue.len() >= MAX_QUEUED {
            continue;
        }
        state.queue.push_back(stream);
        // A waiting thread takes it; when more wait than threads idle, one more.
        if state.queue.len() <= state.idle {
            pool.ready.notify_one();
        } else if state.threads < MAX_CONNECTIONS {
            let (pool_ref, shared_ref) = (Arc::clone(&pool), Arc::clone(shared));
            let spawned = std::thread::Builder::new()
                .name("stsenv-conn".into())
                .stack_size(STACK)
                .spawn(move || worker(&pool_ref, &shared_ref));
            if spawned.is_ok() {
                state.threads += 1;
            }
        }
    }
    // Lingering threads see the flag when they wake; wake them now.
    pool.ready.notify_all();
}

/// Serve queued connections until none came for [`THREAD_LINGER`].
fn worker(pool: &Pool, shared: &Shared) {
    loop {
        let stream = {
            let mut state = pool.state.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                if let Some(stream) = state.queue.pop_front() {
                    break stream;
                }
                if shared.stopping.load(Ordering::SeqCst) {
                    state.threads -= 1;
                    return;
                }
                state.idle += 1;
                let (guard, waited) = pool
                    .ready
                    .wait_timeout(state, THREAD_LINGER)
                    .unwrap_or_else(|e| e.into_inner());
                state = guard;
                state.idle -= 1;
                if waited.timed_out() && state.queue.is_empty() {
                    state.threads -= 1;
                    return;
                }
            }
        };
        connection(stream, shared);
    }
}

/// What the answer depends on, copied out of the parsed request.
#[derive(Debug, Default)]
struct Request {
    method: String,
    path: String,
    host: Option<Vec<u8>>,
    hosts: usize,
    authorization: Option<Vec<u8>>,
    authorizations: usize,
    has_body: bool,
    keep_alive: bool,
}

/// Serve one connection: requests one after the other (keep-alive).
fn connection(mut stream: TcpStream, shared: &Shared) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(REQUEST_DEADLINE));
    let mut buf: Vec<u8> = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    let mut started: Option<Instant> = None;
    loop {
        // Answer every complete request already read (pipelining).
        loop {
            match parse(&buf) {
                Parsed::Complete(request, used) => {
                    buf.drain(..used);
                    started = None;
                    let reply = if request.has_body {
                        Reply::status(400)
                    } else {
                        answer(&request, &shared.token, &shared.current(), Timestamp::now())
                    };
                    let keep = request.keep_alive && !request.has_body;
                    if write_reply(&mut stream, &reply, keep).is_err() || !keep {
                        return;
                    }
                }
                Parsed::Partial => break,
                Parsed::Invalid => {
                    let _ = write_reply(&mut stream, &Reply::status(400), false);
                    return;
                }
            }
        }
        if buf.len() >= MAX_REQUEST {
            let _ = write_reply(&mut stream, &Reply::status(431), false);
            return;
        }
        let timeout = match started {
            None => IDLE,
            Some(at) => match REQUEST_DEADLINE.checked_sub(at.elapsed()) {
                Some(left) if !left.is_zero() => left,
                _ => return,
            },
        };
        let _ = stream.set_read_timeout(Some(timeout));
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                started.get_or_insert_with(Instant::now);
                buf.extend_from_slice(&chunk[..n]);
            }
        }
    }
}

enum Parsed {
    Complete(Request, usize),
    Partial,
    Invalid,
}

fn parse(buf: &[u8]) -> Parsed {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut req = httparse::Request::new(&mut headers);
    let used = match req.parse(buf) {
        Ok(httparse::Status::Complete(used)) => used,
        Ok(httparse::Status::Partial) => return Parsed::Partial,
        Err(_) => return Parsed::Invalid,
    };
    let mut request = Request {
        method: req.method.unwrap_or_default().to_string(),
        path: req.path.unwrap_or_default().to_string(),
        // HTTP/1.1 keeps the connection by default, 1.0 closes it.
        keep_alive: req.version == Some(1),
        ..Request::default()
    };
    for header in req.headers.iter() {
        let name = header.name;
        if name.eq_ignore_ascii_case("host") {
            request.hosts += 1;
            request.host = Some(header.value.to_vec());
        } else if name.eq_ignore_ascii_case("authorization") {
            request.authorizations += 1;
            request.authorization = Some(header.value.to_vec());
        } else if name.eq_ignore_ascii_case("content-length") {
            request.has_body |= header.value.iter().any(|b| *b != b'0' && *b != b' ');
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            request.has_body = true;
        } else if name.eq_ignore_ascii_case("connection") {
            let value = String::from_utf8_lossy(header.value).to_ascii_lowercase();
            if value.contains("close") {
                request.keep_alive = false;
            } else if value.contains("keep-alive") {
                request.keep_alive = true;
            }
        }
    }
    Parsed::Complete(request, used)
}

/// An answer: a status and, for 200 and 503 only, a JSON body.
#[derive(Debug, PartialEq, Eq)]
struct Reply {
    status: u16,
    body: Option<Vec<u8>>,
}

impl Reply {
    fn status(status: u16) -> Reply {
        Reply { status, body: None }
    }
}

/// The answer to `request`, from `current` at `now`.
fn answer(request: &Request, token: &Token, current: &Current, now: Timestamp) -> Reply {
    let loopback = request.hosts == 1 && request.host.as_deref().is_some_and(is_loopback_host);
    if !loopback {
        return Reply::status(403);
    }
    match (&request.authorization, request.authorizations) {
        (None, _) => return Reply::status(401),
        (Some(presented), 1) if token.matches(presented) => {}
        _ => return Reply::status(403),
    }
    if request.method != "GET" {
        return Reply::status(405);
    }
    if request.path != "/" {
        return Reply::status(404);
    }
    if now < current.expires {
        return Reply {
            status: 200,
            body: Some(current.body.clone()),
        };
    }
    let body = current.unavailable.clone().unwrap_or_else(|| {
        serde_json::json!({
            "code": "CredentialsUnavailable",
            "message": "stsenv: the credentials expired and are being renewed; try again in a few seconds",
        })
        .to_string()
        .into_bytes()
    });
    Reply {
        status: 503,
        body: Some(body),
    }
}

/// Whether a `Host` header names this machine: `localhost`, a 127.0.0.0/8
/// address or `[::1]`, with an optional port.
fn is_loopback_host(value: &[u8]) -> bool {
    let Ok(host) = std::str::from_utf8(value) else {
        return false;
    };
    let host = host.trim();
    let valid_port = |port: &str| !port.is_empty() && port.parse::<u16>().is_ok();
    let name = if let Some(rest) = host.strip_prefix('[') {
        let Some((ip, after)) = rest.split_once(']') else {
            return false;
        };
        if !(after.is_empty() || after.strip_prefix(':').is_some_and(valid_port)) {
            return false;
        }
        ip
    } else {
        match host.split_once(':') {
            Some((name, port)) if valid_port(port) => name,
            Some(_) => return false,
            None => host,
        }
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn write_reply(stream: &mut TcpStream, reply: &Reply, keep_alive: bool) -> std::io::Result<()> {
    let reason = match reply.status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Error",
    };
    let body = reply.body.as_deref().unwrap_or_default();
    let mut out = Vec::with_capacity(192 + body.len());
    // One write: header and body in one segment (no Nagle/delayed-ACK stall).
    let _ = write!(
        out,
        "HTTP/1.1 {} {reason}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: {}\r\n",
        reply.status,
        body.len(),
        if keep_alive { "keep-alive" } else { "close" },
    );
    if reply.body.is_some() {
        out.extend_from_slice(b"Content-Type: application/json\r\n");
    }
    if reply.status == 405 {
        out.extend_from_slice(b"Allow: GET\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    stream.write_all(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn current(expires_in: i64) -> Current {
        Current {
            body: b"{\"AccessKeyId\":\"A\"}".to_vec(),
            expires: Timestamp::now() + jiff::SignedDuration::from_secs(expires_in),
            unavailable: None,
        }
    }

    fn request(raw: &str) -> Request {
        match parse(raw.as_bytes()) {
            Parsed::Complete(request, used) => {
                assert_eq!(used, raw.len());
                request
            }
            _ => panic!("not a complete request: {raw:?}"),
        }
    }

    fn status(raw: &str, token: &Token, current: &Current) -> u16 {
        answer(&request(raw), token, current, Timestamp::now()).status
    }

    #[test]
    fn host_token_method_and_path_rules() {
        let token = Token("t0k3n".into());
        let live = current(600);
        let ok = "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAuthorization: t0k3n\r\n\r\n";
        assert_eq!(status(ok, &token, &live), 200);
        for host in [
            "localhost",
            "LOCALHOST:1",
            "127.0.0.1",
            "127.9.8.7:80",
            "[::1]",
            "[::1]:9",
        ] {
            let raw = format!("GET / HTTP/1.1\r\nHost: {host}\r\nAuthorization: t0k3n\r\n\r\n");
            assert_eq!(status(&raw, &token, &live), 200, "{host}");
        }
        for host in [
            "evil.example",
            "127.0.0.1.nip.io",
            "localhost.evil.example:80",
            "169.254.170.2",
            "[::2]:1",
            "127.0.0.1:x",
            "127.0.0.1:",
            "[::1",
            "",
        ] {
            let raw = format!("GET / HTTP/1.1\r\nHost: {host}\r\nAuthorization: t0k3n\r\n\r\n");
            assert_eq!(status(&raw, &token, &live), 403, "{host:?}");
        }
        // No Host at all, or two of them.
        assert_eq!(
            status(
                "GET / HTTP/1.1\r\nAuthorization: t0k3n\r\n\r\n",
                &token,
                &live
            ),
            403
        );
        assert_eq!(
            status(
                "GET / HTTP/1.1\r\nHost: localhost\r\nHost: evil\r\nAuthorization: t0k3n\r\n\r\n",
                &token,
                &live
            ),
            403
        );
        assert_eq!(
            status("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", &token, &live),
            401
        );
        for wrong in ["t0k3", "t0k3nn", "T0K3N", "Bearer t0k3n", ""] {
            let raw =
                format!("GET / HTTP/1.1\r\nHost: localhost\r\nAuthorization: {wrong}\r\n\r\n");
            assert_eq!(status(&raw, &token, &live), 403, "{wrong:?}");
        }
        let twice =
            "GET / HTTP/1.1\r\nHost: localhost\r\nAuthorization: t0k3n\r\nAuthorization: x\r\n\r\n";
        assert_eq!(status(twice, &token, &live), 403);
        assert_eq!(
            status(
                "POST / HTTP/1.1\r\nHost: localhost\r\nAuthorization: t0k3n\r\n\r\n",
                &token,
                &live
            ),
            405
        );
        assert_eq!(
            status(
                "GET /x HTTP/1.1\r\nHost: localhost\r\nAuthorization: t0k3n\r\n\r\n",
                &token,
                &live
            ),
            404
        );
        // Refusals carry no body.
        let reply = answer(
            &request("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"),
            &token,
            &live,
            Timestamp::now(),
        );
        assert_eq!(reply.body, None);
    }

    #[test]
    fn expired_credentials_are_503_with_the_reason() {
        let token = Token("t".into());
        let ok = "GET / HTTP/1.1\r\nHost: localhost\r\nAuthorization: t\r\n\r\n";
        let expired = current(-1);
        let reply = answer(&request(ok), &token, &expired, Timestamp::now());
        assert_eq!(reply.status, 503);
        let doc: serde_json::Value = serde_json::from_slice(&reply.body.unwrap()).unwrap();
        assert!(doc["message"].as_str().unwrap().contains("being renewed"));
        let failed = current(-1).failed("run `stsenv whoami dev`");
        let reply = answer(&request(ok), &token, &failed, Timestamp::now());
        let doc: serde_json::Value = serde_json::from_slice(&reply.body.unwrap()).unwrap();
        assert_eq!(doc["message"], "run `stsenv whoami dev`");
        // Before expiry a failed renewal changes nothing.
        let still = current(60).failed("x");
        assert_eq!(
            answer(&request(ok), &token, &still, Timestamp::now()).status,
            200
        );
    }

    #[test]
    fn parsing_keep_alive_and_bodies() {
        assert!(request("GET / HTTP/1.1\r\nHost: a\r\n\r\n").keep_alive);
        assert!(!request("GET / HTTP/1.0\r\nHost: a\r\n\r\n").keep_alive);
        assert!(!request("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").keep_alive);
        assert!(request("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keep_alive);
        assert!(request("GET / HTTP/1.1\r\nContent-Length: 3\r\n\r\n").has_body);
        assert!(!request("GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n").has_body);
        assert!(request("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").has_body);
        assert!(matches!(
            parse(b"GET / HTTP/1.1\r\nHost: a\r\n"),
            Parsed::Partial
        ));
        assert!(matches!(
            parse(b"\x00\x01 garbage\r\n\r\n"),
            Parsed::Invalid
        ));
    }
}

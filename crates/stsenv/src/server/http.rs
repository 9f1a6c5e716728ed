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
//!
//! Any local user can connect to the port, so no connection may hold
//! anything a request of the owner needs. Connections are tasks on one
//! event-driven thread (tokio, current-thread): an idle one costs a
//! descriptor and a few hundred bytes, never a thread. A client that has
//! not shown the token has [`HEADER_DEADLINE`] from its connection to send
//! one complete request, gets one answer, and is closed; when the
//! connections reach their cap (or the descriptors run out) the oldest of
//! those is closed to make room. Only a connection that presented the token
//! is kept alive between requests.

use std::collections::BTreeMap;
use std::io::{ErrorKind, Write};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use jiff::Timestamp;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::runtime::Runtime;
use tokio::task::AbortHandle;
use tokio::time::{timeout_at, Instant};

use super::{Current, Shared, Token};

/// A request line and headers larger than this are refused (an SDK's
/// request is well under 1 KiB).
const MAX_REQUEST: usize = 8 * 1024;
/// How long a client that has not shown the token has, from its
/// connection, to send its whole request.
const HEADER_DEADLINE: Duration = Duration::from_secs(2);
/// How long a connection that showed the token may sit idle between
/// requests.
const IDLE: Duration = Duration::from_secs(30);
/// How long one request of such a connection may take once it started.
const REQUEST_DEADLINE: Duration = Duration::from_secs(10);
/// How long an answer may take to leave (it fits a socket buffer).
const WRITE_DEADLINE: Duration = Duration::from_secs(2);
/// Connections the kernel may queue before they are accepted: the accept
/// loop drains them at once, this only absorbs bursts.
const BACKLOG: u32 = 1024;

/// The listener and the runtime that serves it, made before the server
/// thread starts so a busy port is reported to the user.
pub(super) struct Listener {
    runtime: Runtime,
    listener: TcpListener,
}

impl Listener {
    /// Listen on 127.0.0.1:`port` (0: a free port).
    pub(super) fn bind(port: u16) -> std::io::Result<Listener> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()?;
        let listener = {
            let _context = runtime.enter();
            let socket = TcpSocket::new_v4()?;
            // As std's TcpListener: a restart may reuse a port in TIME_WAIT.
            #[cfg(unix)]
            socket.set_reuseaddr(true)?;
            socket.bind(SocketAddr::from(([127, 0, 0, 1], port)))?;
            socket.listen(BACKLOG)?
        };
        Ok(Listener { runtime, listener })
    }

    /// The address it listens on.
    pub(super) fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Accept and serve until the server stops; every connection is closed
    /// when this returns.
    pub(super) fn serve(self, shared: &Arc<Shared>, max_connections: usize) {
        let Listener { runtime, listener } = self;
        runtime.block_on(accept_loop(listener, Arc::clone(shared), max_connections));
    }
}

/// The open connections, and the abort handles of those that have not
/// shown the token, oldest first (ids only grow).
#[derive(Default)]
struct Connections {
    open: usize,
    next_id: u64,
    unknown: BTreeMap<u64, AbortHandle>,
}

impl Connections {
    /// Close the oldest connection that has not shown the token; false
    /// when there is none.
    fn evict_oldest(&mut self) -> bool {
        match self.unknown.pop_first() {
            Some((_, handle)) => {
                handle.abort();
                true
            }
            None => false,
        }
    }
}

fn lock(connections: &Mutex<Connections>) -> MutexGuard<'_, Connections> {
    connections.lock().unwrap_or_else(|e| e.into_inner())
}

/// A connection's place in [`Connections`], given back when its task ends
/// (or is aborted: the task is dropped, and this with it).
struct Slot {
    id: u64,
    connections: Arc<Mutex<Connections>>,
    trusted: bool,
}

impl Slot {
    /// The client showed the token: it can no longer be evicted.
    fn trust(&mut self) {
        if !self.trusted {
            self.trusted = true;
            lock(&self.connections).unknown.remove(&self.id);
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut connections = lock(&self.connections);
        connections.open -= 1;
        connections.unknown.remove(&self.id);
    }
}

/// Accept connections until the server stops, each served by its own task.
async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, max_connections: usize) {
    let connections = Arc::new(Mutex::new(Connections::default()));
    loop {
        let accepted = listener.accept().await;
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        let Ok((stream, _)) = accepted else {
            // Out of descriptors (or an aborted handshake): free one by
            // closing the oldest unknown connection, and let its task end.
            if lock(&connections).evict_oldest() {
                tokio::task::yield_now().await;
            } else {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            continue;
        };
        let slot = {
            let mut state = lock(&connections);
            if state.open >= max_connections && !state.evict_oldest() {
                // Every connection showed the token: this one waits its turn
                // by reconnecting.
                continue;
            }
            state.open += 1;
            state.next_id += 1;
            Slot {
                id: state.next_id,
                connections: Arc::clone(&connections),
                trusted: false,
            }
        };
        let id = slot.id;
        let task = tokio::spawn(connection(stream, Arc::clone(&shared), slot));
        // The task has not run yet (one thread, no await since the spawn),
        // so its slot is still there to be listed.
        if !task.is_finished() {
            lock(&connections).unknown.insert(id, task.abort_handle());
        }
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

/// Serve one connection: requests one after the other (keep-alive, for a
/// client that showed the token).
async fn connection(stream: TcpStream, shared: Arc<Shared>, mut slot: Slot) {
    let _ = stream.set_nodelay(true);
    let mut buf: Vec<u8> = Vec::new();
    let mut deadline = Instant::now() + HEADER_DEADLINE;
    // Kept alive and between requests: the first byte starts the next one.
    let mut idle = false;
    loop {
        match parse(&buf) {
            Parsed::Complete(request, used) => {
                buf.drain(..used);
                if authorized(&request, &shared.token) {
                    slot.trust();
                }
                let reply = if request.has_body {
                    Reply::status(400)
                } else {
                    answer(&request, &shared.token, &shared.current(), Timestamp::now())
                };
                let keep = slot.trusted && request.keep_alive && !request.has_body;
                if write_reply(&stream, &reply, keep).await.is_err() || !keep {
                    return;
                }
                deadline = Instant::now() + IDLE;
                idle = true;
                continue;
            }
            Parsed::Partial => {}
            Parsed::Invalid => {
                let _ = write_reply(&stream, &Reply::status(400), false).await;
                return;
            }
        }
        if buf.len() >= MAX_REQUEST {
            let _ = write_reply(&stream, &Reply::status(431), false).await;
            return;
        }
        match timeout_at(deadline, read_some(&stream, &mut buf)).await {
            Ok(Ok(n)) if n > 0 => {
                if idle {
                    idle = false;
                    deadline = Instant::now() + REQUEST_DEADLINE;
                }
            }
            _ => return,
        }
    }
}

/// Append what the socket has to `buf`; 0 at its end.
async fn read_some(stream: &TcpStream, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    loop {
        stream.readable().await?;
        // Not held across an await: no part of the task's idle size.
        let mut chunk = [0u8; 2048];
        match stream.try_read(&mut chunk) {
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                return Ok(n);
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
}

/// Write all of `bytes` within [`WRITE_DEADLINE`].
async fn write_all(stream: &TcpStream, mut bytes: &[u8]) -> std::io::Result<()> {
    let deadline = Instant::now() + WRITE_DEADLINE;
    while !bytes.is_empty() {
        timeout_at(deadline, stream.writable())
            .await
            .map_err(|_| std::io::Error::from(ErrorKind::TimedOut))??;
        match stream.try_write(bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
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

/// Whether `request` names a loopback host and carries the token, once.
fn authorized(request: &Request, token: &Token) -> bool {
    let loopback = request.hosts == 1 && request.host.as_deref().is_some_and(is_loopback_host);
    loopback
        && request.authorizations == 1
        && request
            .authorization
            .as_deref()
            .is_some_and(|presented| token.matches(presented))
}

/// The answer to `request`, from `current` at `now`.
fn answer(request: &Request, token: &Token, current: &Current, now: Timestamp) -> Reply {
    if !authorized(request, token) {
        let loopback = request.hosts == 1 && request.host.as_deref().is_some_and(is_loopback_host);
        return Reply::status(if loopback && request.authorization.is_none() {
            401
        } else {
            403
        });
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

async fn write_reply(stream: &TcpStream, reply: &Reply, keep_alive: bool) -> std::io::Result<()> {
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
    write_all(stream, &out).await
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

    /// A server on a free port with at most `max` connections, in a thread.
    fn running(max: usize) -> (Arc<Shared>, SocketAddr, std::thread::JoinHandle<()>) {
        let shared = Arc::new(Shared {
            token: Token("t0k3n".into()),
            current: std::sync::RwLock::new(Arc::new(current(600))),
            stopped: Mutex::new(false),
            wake: std::sync::Condvar::new(),
            stopping: std::sync::atomic::AtomicBool::new(false),
            tty: Mutex::new(None),
        });
        let listener = Listener::bind(0).unwrap();
        let addr = listener.local_addr().unwrap();
        let serving = Arc::clone(&shared);
        let thread = std::thread::spawn(move || listener.serve(&serving, max));
        (shared, addr, thread)
    }

    fn stop(shared: &Shared, addr: SocketAddr, thread: std::thread::JoinHandle<()>) {
        shared.stopping.store(true, Ordering::SeqCst);
        let _ = std::net::TcpStream::connect(addr);
        thread.join().unwrap();
    }

    /// Whether the server closed `stream` (read gives 0 or an error) in
    /// time: a bound far above the 2 s deadline (a loaded machine), yet
    /// below [`IDLE`], which only a client with the token gets.
    fn closed(stream: &mut std::net::TcpStream) -> bool {
        use std::io::Read;
        stream
            .set_read_timeout(Some(IDLE - Duration::from_secs(5)))
            .unwrap();
        !matches!(stream.read(&mut [0u8; 64]), Ok(n) if n > 0)
    }

    fn get(addr: SocketAddr) -> String {
        use std::io::Read;
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        std::io::Write::write_all(
            &mut stream,
            b"GET / HTTP/1.1\r\nHost: localhost\r\nAuthorization: t0k3n\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
    }

    #[test]
    fn idle_unknown_connections_are_closed_after_the_deadline_or_for_room() {
        let (shared, addr, thread) = running(3);
        // Three idle connections fill the server.
        let mut idle: Vec<std::net::TcpStream> = (0..3)
            .map(|_| std::net::TcpStream::connect(addr).unwrap())
            .collect();
        let started = std::time::Instant::now();
        // A request with the token still gets in, at the oldest one's cost.
        assert!(get(addr).starts_with("HTTP/1.1 200 OK\r\n"));
        assert!(closed(&mut idle[0]), "the oldest idle connection stayed");
        // The others end at the header deadline, without a byte sent.
        assert!(closed(&mut idle[1]) && closed(&mut idle[2]));
        assert!(started.elapsed() >= HEADER_DEADLINE - Duration::from_millis(100));
        stop(&shared, addr, thread);
    }

    #[test]
    fn only_a_client_with_the_token_is_kept_alive() {
        use std::io::{Read, Write};
        let (shared, addr, thread) = running(16);
        let mut refused = std::net::TcpStream::connect(addr).unwrap();
        refused
            .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .unwrap();
        let mut answer = String::new();
        refused.read_to_string(&mut answer).unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 401 ") && answer.contains("Connection: close"),
            "{answer}"
        );
        let mut kept = std::net::TcpStream::connect(addr).unwrap();
        kept.set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        for _ in 0..2 {
            kept.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nAuthorization: t0k3n\r\n\r\n")
                .unwrap();
            let mut buf = [0u8; 512];
            let n = kept.read(&mut buf).unwrap();
            let head = String::from_utf8_lossy(&buf[..n]);
            assert!(
                head.starts_with("HTTP/1.1 200 OK\r\n") && head.contains("keep-alive"),
                "{head}"
            );
        }
        stop(&shared, addr, thread);
    }
}

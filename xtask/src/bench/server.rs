//! The credential server under load: `stsenv serve` answering a bounded
//! number of requests from a few concurrent loopback clients (std
//! `TcpStream`, no HTTP library), with latency percentiles and the
//! server's memory while it serves.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util;

/// Requests per measurement, spread over [`CLIENTS`].
pub const REQUESTS: usize = 20_000;
/// Concurrent clients.
pub const CLIENTS: usize = 8;

/// Idle connections held by another local user for the flood row.
pub const FLOOD: usize = 2000;
/// Requests measured during the flood (new connection each, one client:
/// an SDK fetching credentials).
pub const FLOOD_REQUESTS: usize = 2000;

/// Holds idle connections to a port, reopening each one the server closes
/// (shared with the server tests).
const IDLE_HOLDER: &str = include_str!("../../../tests/support/idle_holder.py");

/// What was measured.
pub struct Report {
    /// p50 and p99 in ms with a new connection per request.
    pub fresh: (f64, f64),
    /// p50 and p99 in ms with a new connection per request while another
    /// user holds [`FLOOD`] idle connections; `None` when the holder could
    /// not run (no python3).
    pub flooded: Option<(f64, f64)>,
    /// p50 and p99 in ms over kept-alive connections.
    pub kept: (f64, f64),
    /// VmRSS of the server before the load, in KiB.
    pub idle_kib: u64,
    /// VmRSS and VmHWM of the server after the load, in KiB.
    pub rss_kib: (u64, u64),
}

/// Start `stsenv serve PROFILE`, load it, stop it.
pub fn measure(stsenv: &Path, profile: &str, env: &[(String, String)]) -> util::Result<Report> {
    let mut child = Command::new(stsenv)
        .args(["serve", profile, "--shell", "json"])
        .env_clear()
        .envs(env.iter().cloned())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start stsenv serve: {e}"))?;
    let result = load(&mut child);
    // Ctrl-C, as a user stops it; then make sure it is gone.
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    result
}

fn load(child: &mut Child) -> util::Result<Report> {
    let mut line = String::new();
    BufReader::new(child.stdout.take().ok_or("no stdout")?)
        .read_line(&mut line)
        .map_err(|e| format!("stsenv serve: {e}"))?;
    let vars: serde_json::Value =
        serde_json::from_str(&line).map_err(|e| format!("stsenv serve printed {line:?}: {e}"))?;
    let url = vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
        .as_str()
        .ok_or("no URL")?;
    let token = vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
        .as_str()
        .ok_or("no token")?;
    let authority = url
        .strip_prefix("http://")
        .and_then(|rest| rest.strip_suffix('/'))
        .ok_or_else(|| format!("unexpected URL {url}"))?
        .to_string();
    let idle_kib = rss(child.id())?.0;
    let fresh = percentiles(run_clients(&authority, token, false)?);
    let kept = percentiles(run_clients(&authority, token, true)?);
    let rss_kib = rss(child.id())?;
    let flooded = flooded(&authority, token)?;
    Ok(Report {
        fresh,
        flooded,
        kept,
        idle_kib,
        rss_kib,
    })
}

/// Latency percentiles of [`FLOOD_REQUESTS`] requests while [`FLOOD`] idle
/// connections are held by another user (nobody, when run as root).
fn flooded(authority: &str, token: &str) -> util::Result<Option<(f64, f64)>> {
    let port = authority.rsplit(':').next().unwrap_or_default();
    // /proc/self belongs to the effective user (Linux, like `rss`).
    let root = std::os::unix::fs::MetadataExt::uid(
        &std::fs::metadata("/proc/self").map_err(|e| format!("/proc/self: {e}"))?,
    ) == 0;
    let mut holder = Command::new(if root { "setpriv" } else { "python3" });
    if root {
        holder.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "/usr/bin/python3",
        ]);
    }
    let holder = holder
        .args(["-c", IDLE_HOLDER, port, &FLOOD.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn();
    let Ok(mut holder) = holder else {
        return Ok(None);
    };
    let mut line = String::new();
    let _ = BufReader::new(holder.stdout.take().ok_or("no stdout")?).read_line(&mut line);
    let result = if line.starts_with("holding") {
        client(authority, token, false, FLOOD_REQUESTS).map(|times| Some(percentiles(times)))
    } else {
        Ok(None)
    };
    let _ = holder.kill();
    let _ = holder.wait();
    result
}

/// [`REQUESTS`] requests from [`CLIENTS`] threads; every latency in ms.
fn run_clients(authority: &str, token: &str, keep_alive: bool) -> util::Result<Vec<f64>> {
    let per_client = REQUESTS / CLIENTS;
    let threads: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (authority, token) = (authority.to_string(), token.to_string());
            std::thread::spawn(move || client(&authority, &token, keep_alive, per_client))
        })
        .collect();
    let mut all = Vec::with_capacity(REQUESTS);
    for thread in threads {
        all.extend(thread.join().map_err(|_| "a client panicked")??);
    }
    Ok(all)
}

fn client(authority: &str, token: &str, keep_alive: bool, count: usize) -> util::Result<Vec<f64>> {
    let request = format!(
        "GET / HTTP/1.1\r\nHost: {authority}\r\nAuthorization: {token}\r\nConnection: {}\r\n\r\n",
        if keep_alive { "keep-alive" } else { "close" }
    );
    let connect = || -> util::Result<TcpStream> {
        let stream = TcpStream::connect(authority).map_err(|e| format!("connect: {e}"))?;
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .and_then(|()| stream.set_nodelay(true))
            .map_err(|e| e.to_string())?;
        Ok(stream)
    };
    let mut kept = if keep_alive { Some(connect()?) } else { None };
    let mut times = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        let status = match kept.as_mut() {
            Some(stream) => exchange(stream, &request)?,
            None => exchange(&mut connect()?, &request)?,
        };
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        if status != 200 {
            return Err(format!("the server answered {status}"));
        }
    }
    Ok(times)
}

/// Send one request and read one response (by Content-Length); its status.
fn exchange(stream: &mut TcpStream, request: &str) -> util::Result<u16> {
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("write: {e}"))?;
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 2048];
    loop {
        let n = stream.read(&mut chunk).map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            return Err("the server closed the connection early".into());
        }
        buf.extend_from_slice(&chunk[..n]);
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&buf[..end]).to_string();
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("bad status line in {head:?}"))?;
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().ok())?
            })
            .unwrap_or(0);
        if buf.len() >= end + 4 + length {
            return Ok(status);
        }
    }
}

fn percentiles(mut times: Vec<f64>) -> (f64, f64) {
    times.sort_by(f64::total_cmp);
    let at = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    (at(0.50), at(0.99))
}

/// VmRSS and VmHWM of `pid`, in KiB (Linux).
fn rss(pid: u32) -> util::Result<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("/proc/{pid}/status: {e}"))?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    Ok((field("VmRSS:"), field("VmHWM:")))
}

//! moto's STS emulator for the demo and the benchmark: a `moto_server` on a
//! free loopback port, killed when dropped.

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{util, venv};

/// A running `moto_server`.
pub struct Moto {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    child: Child,
}

impl Moto {
    /// Start one and wait (at most 30 s) until it accepts connections.
    pub fn start(tools: &venv::Tools) -> util::Result<Moto> {
        let port = TcpListener::bind(("127.0.0.1", 0))
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .map_err(|e| format!("no free loopback port: {e}"))?;
        let program = tools.moto_server();
        let child = Command::new(&program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
        // Built before waiting, so that a timeout still kills the process.
        let moto = Moto {
            url: format!("http://127.0.0.1:{port}"),
            child,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err(format!("moto_server did not listen on {port} within 30 s"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(moto)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

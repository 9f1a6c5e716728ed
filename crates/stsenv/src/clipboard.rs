//! `stsenv env --clipboard`: put code on the clipboard, never on the
//! terminal. The secret travels on a pipe to the first clipboard tool found
//! on PATH (never in argv, where `ps` shows it; the tools are per platform,
//! `platform::clipboard`); with none, an OSC 52 escape on the terminal
//! asks the terminal itself to set the clipboard.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use stsenv_core::{Error, Result};

use crate::platform::clipboard::{is_executable, TOOLS};
use crate::platform::terminal;

/// Copy `text`; returns what took it (a tool name, or "OSC 52").
pub fn copy(text: &str) -> Result<String> {
    for (tool, args) in TOOLS {
        let Some(path) = find_on_path(tool) else {
            continue;
        };
        if pipe_to(&path, args, text) {
            return Ok(tool.to_string());
        }
        // A tool that fails (xclip without a display) is not the end: try the next.
    }
    osc52(text)?;
    Ok("OSC 52".to_string())
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

fn pipe_to(path: &Path, args: &[&str], text: &str) -> bool {
    let child = Command::new(path)
        .args(args)
        .stdin(Stdio::piped())
        // Whatever a tool prints must not land in an `eval`ed stdout.
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        return false;
    };
    let written = child
        .stdin
        .take()
        .is_some_and(|mut stdin| stdin.write_all(text.as_bytes()).is_ok());
    // xclip forks a server that keeps the selection; `wait` returns when
    // the foreground process exits.
    child.wait().is_ok_and(|status| status.success()) && written
}

/// Ask the terminal to set the clipboard (OSC 52), written to the terminal
/// itself so that neither stdout nor stderr ever carries the secret.
fn osc52(text: &str) -> Result<()> {
    let (_, mut tty) = terminal::open().ok_or_else(|| {
        Error::io(
            "no clipboard tool and cannot open",
            terminal::NAME,
            std::io::Error::from(std::io::ErrorKind::NotFound),
        )
    })?;
    let sequence = format!("\x1b]52;c;{}\x07", base64(text.as_bytes()));
    tty.write_all(sequence.as_bytes())
        .map_err(|e| Error::io("cannot write to", terminal::NAME, e))
}

/// Standard base64 with padding (one small function instead of a dependency).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }
}

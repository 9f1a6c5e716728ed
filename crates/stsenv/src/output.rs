//! stdout and stderr without panics. stdout may be `eval`ed, piped into
//! `head`, or a full disk: a closed pipe ends stsenv quietly, a failed write
//! is one error line, and nothing is ever half-printed by a panic.

use std::io::Write;
use std::process::ExitCode;

use crate::error::{CliError, CliResult};

/// Write `text` to stdout and flush it.
pub fn print(text: &str) -> CliResult<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|err| match err.kind() {
            std::io::ErrorKind::BrokenPipe => CliError::BrokenPipe,
            _ => CliError::Write(err),
        })
}

/// A `stsenv: warning: …` line on stderr. While the unit tests run it is
/// kept instead, per test thread (`stsenv_core::captured::take`): a test
/// asserts the warning it expects, and a passing run prints nothing that
/// looks like a failure.
pub fn warn(message: &str) {
    #[cfg(test)]
    if stsenv_core::captured::keep(message) {
        return;
    }
    stsenv_core::warn(message);
}

/// Write one line to stderr; a stderr that cannot be written is ignored
/// (there is nowhere left to say so).
pub fn note(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Say that `program` could not be started, and the exit status for it,
/// by the shell's conventions: 127 not found, 126 found but not runnable.
pub fn cannot_run(program: &std::ffi::OsStr, error: &std::io::Error) -> ExitCode {
    note(&format!(
        "stsenv: error: cannot run `{}`: {error}",
        program.to_string_lossy()
    ));
    ExitCode::from(if error.kind() == std::io::ErrorKind::NotFound {
        127
    } else {
        126
    })
}

/// A duration in seconds as `1h05m`, `42m` or `30s`.
pub fn human_duration(secs: i64) -> String {
    let secs = secs.max(0);
    match (secs / 3600, (secs % 3600) / 60) {
        (0, 0) => format!("{secs}s"),
        (0, m) => format!("{m}m"),
        (h, m) => format!("{h}h{m:02}m"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_well() {
        assert_eq!(human_duration(30), "30s");
        assert_eq!(human_duration(42 * 60 + 5), "42m");
        assert_eq!(human_duration(3600 + 5 * 60), "1h05m");
        assert_eq!(human_duration(-5), "0s");
    }
}

//! `stsenv serve PROFILE`: the credential server of `exec --server` in the
//! foreground, for IDEs, GUI tools and `docker run --network host`. It
//! prints the variables to set where the SDK runs, then serves and renews
//! until Ctrl-C (or TERM, HUP, QUIT), and exits 0.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::{ServeArgs, ServeFormat};
use crate::error::{CliError, CliResult};
use crate::output::{self, note};
use crate::server::{PrivateAwsFiles, Server, StopSignal, SHADOWING};
use crate::shell::{EnvChange, OutputFormat};

/// Run `stsenv serve`.
pub fn run(args: ServeArgs) -> CliResult {
    // Before the server starts: a format that cannot be printed is a
    // usage error, not a server that ran for nothing.
    let format = args
        .shell
        .map(ServeFormat::code)
        .transpose()
        .map_err(CliError::Usage)?;
    let server = Server::start(
        &args.profile,
        args.port.unwrap_or(0),
        "`stsenv serve`".to_string(),
    )?;
    let stop = StopSignal::install()?;
    let files = PrivateAwsFiles::if_needed()?;
    let mut set = server.env();
    set.extend(files.iter().flat_map(PrivateAwsFiles::env));
    let text = match format {
        None => plain(&set)?,
        Some(None) => json(&set),
        Some(Some(format)) => code(set, format)?,
    };
    let written = match &args.output {
        Some(path) => Some(write_private(path, &text)?),
        None => {
            output::print(&text)?;
            None
        }
    };
    note(&format!(
        "stsenv: serving the credentials of `{}` on {} until Ctrl-C{}",
        server.profile(),
        server.url(),
        if files.is_some() {
            " (the AWS files named above hide [default]'s keys from the SDKs while it runs)"
        } else {
            ""
        }
    ));
    stop.wait();
    server.stop();
    drop(files);
    if let Some(path) = written {
        // The token in it is useless now; the file goes with the server.
        let _ = std::fs::remove_file(path);
    }
    Ok(ExitCode::SUCCESS)
}

/// The variables as one JSON object.
fn json(set: &[(&'static str, String)]) -> String {
    let doc: serde_json::Map<String, serde_json::Value> = set
        .iter()
        .map(|(name, value)| (name.to_string(), value.clone().into()))
        .collect();
    format!("{}\n", serde_json::Value::Object(doc))
}

/// The variables as `env`'s emitter for `format` writes them, with the
/// variables that would shadow the server removed where the format can.
fn code(set: Vec<(&'static str, String)>, format: OutputFormat) -> CliResult<String> {
    let Some(syntax) = format.syntax() else {
        return Ok(String::new());
    };
    let change = EnvChange {
        set,
        unset: SHADOWING.to_vec(),
    };
    change.check(syntax).map_err(CliError::Refused)?;
    Ok(change.render(syntax))
}

/// Write `text` to `path` atomically and 0600 (it holds the token: no
/// window in which another user could read it); the path written.
fn write_private(path: &Path, text: &str) -> Result<PathBuf, CliError> {
    // `vars.env` has an empty parent: the temporary file goes in `.`.
    let path = &Path::new(".").join(path);
    stsenv_core::store::fsutil::write_atomic(path, text.as_bytes(), None).map_err(|e| {
        CliError::Core(stsenv_core::Error::io(
            "cannot write the server's variables to",
            path,
            e,
        ))
    })?;
    note(&format!(
        "stsenv: wrote the variables to {} (mode 0600)",
        path.display()
    ));
    Ok(path.to_path_buf())
}

/// The plain `NAME=value` lines (`docker run --env-file`, systemd's
/// `EnvironmentFile`): they take everything after `=` literally up to the
/// end of the line and have no escape, so a value holding a newline (a
/// `TMPDIR` with one, in the private AWS files' paths) would add a line of
/// its own choosing. Such a value is refused, with the way out.
fn plain(set: &[(&'static str, String)]) -> CliResult<String> {
    let mut text = String::new();
    for (name, value) in set {
        if let Some(bad) = value.chars().find(|c| c.is_control()) {
            return Err(CliError::Refused(format!(
                "cannot write {name} as a plain NAME=value line: its value {} holds {}, which that format cannot carry (it would end the line); use --shell json (or bash, fish…), or set TMPDIR to a path without control characters",
                stsenv_core::store::untrusted::shown_up_to(value, 300),
                stsenv_core::store::untrusted::shown(&bad.to_string()),
            )));
        }
        text.push_str(&format!("{name}={value}\n"));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use clap::ValueEnum;

    use super::*;

    /// A format added to `env` must be decided for `serve` too: printed
    /// by the same emitter, or refused with a reason.
    #[test]
    fn every_env_format_is_decided_for_serve() {
        for format in OutputFormat::value_variants() {
            let name = format.to_possible_value().unwrap().get_name().to_string();
            let serve = ServeFormat::from_str(&name, false)
                .unwrap_or_else(|_| panic!("serve --shell {name} is not decided"));
            match serve.code() {
                Ok(Some(code)) => assert_eq!(code, *format, "{name}"),
                Ok(None) => assert_eq!(name, "json"),
                Err(why) => assert!(why.contains("--shell json"), "{name}: {why}"),
            }
        }
    }

    #[test]
    fn plain_lines_refuse_values_that_would_end_the_line() {
        let ok = [("AWS_CONFIG_FILE", "/tmp/x y/config".to_string())];
        assert_eq!(plain(&ok).unwrap(), "AWS_CONFIG_FILE=/tmp/x y/config\n");
        for bad in [
            "/tmp/a\nAWS_ACCESS_KEY_ID=AKIA/config",
            "/tmp/a\rb",
            "/tmp/\0",
            "/tmp/\u{1b}",
        ] {
            let set = [("AWS_CONFIG_FILE", bad.to_string())];
            let err = plain(&set).unwrap_err().to_string();
            assert!(
                err.contains("AWS_CONFIG_FILE") && err.contains("--shell json"),
                "{err}"
            );
            assert!(!err.contains('\n'), "{err}");
        }
    }
}

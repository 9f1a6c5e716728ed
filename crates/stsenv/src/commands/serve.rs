//! `stsenv serve PROFILE`: the credential server of `exec --server` in the
//! foreground, for IDEs, GUI tools and `docker run --network host`. It
//! prints the variables to set where the SDK runs, then serves and renews
//! until Ctrl-C (or TERM, HUP, QUIT), and exits 0.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::ServeArgs;
use crate::error::{CliError, CliResult};
use crate::output::{self, note};
use crate::server::{PrivateAwsFiles, Server, StopSignal, SHADOWING};
use crate::shell::{EnvChange, OutputFormat};

/// Run `stsenv serve`.
pub fn run(args: ServeArgs) -> CliResult {
    let server = Server::start(
        &args.profile,
        args.port.unwrap_or(0),
        "`stsenv serve`".to_string(),
    )?;
    let stop = StopSignal::install()?;
    let files = PrivateAwsFiles::if_needed()?;
    let mut set: Vec<(&'static str, String)> = server.env().into();
    set.extend(files.iter().flat_map(PrivateAwsFiles::env));
    let text = match args.shell {
        None => set
            .iter()
            .map(|(name, value)| format!("{name}={value}\n"))
            .collect(),
        Some(OutputFormat::Json) => {
            let doc: serde_json::Map<String, serde_json::Value> = set
                .iter()
                .map(|(name, value)| (name.to_string(), value.clone().into()))
                .collect();
            format!("{}\n", serde_json::Value::Object(doc))
        }
        Some(format) => match format.syntax() {
            Some(syntax) => EnvChange {
                set: set.clone(),
                unset: SHADOWING.to_vec(),
            }
            .render(syntax),
            None => String::new(),
        },
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

/// Write `text` to `path` atomically and 0600 (it holds the token: no
/// window in which another user could read it); the path written.
fn write_private(path: &Path, text: &str) -> Result<PathBuf, CliError> {
    #[cfg(unix)]
    let mode = Some(std::os::unix::fs::PermissionsExt::from_mode(0o600));
    #[cfg(not(unix))]
    let mode = None;
    // `vars.env` has an empty parent: the temporary file goes in `.`.
    let path = &Path::new(".").join(path);
    stsenv_core::store::fsutil::write_atomic(path, text.as_bytes(), mode).map_err(|e| {
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

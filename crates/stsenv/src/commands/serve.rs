//! `stsenv serve PROFILE`: the credential server of `exec --server` in the
//! foreground, for IDEs, GUI tools and `docker run --network host`. It
//! prints the variables to set where the SDK runs, then serves and renews
//! until Ctrl-C (or TERM, HUP, QUIT), and exits 0.

use std::process::ExitCode;

use crate::cli::ServeArgs;
use crate::error::{CliError, CliResult};
use crate::output::{self, note};
use crate::server::{PrivateAwsFiles, Server, StopSignal, SHADOWING};
use crate::shell::EnvChange;

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
        Some(format) if format.is_json() => {
            let doc: serde_json::Map<String, serde_json::Value> = set
                .iter()
                .map(|(name, value)| (name.to_string(), value.clone().into()))
                .collect();
            format!("{}\n", serde_json::Value::Object(doc))
        }
        Some(format) => match format.syntax() {
            Some(syntax) => {
                let change = EnvChange {
                    set: set.clone(),
                    unset: SHADOWING.to_vec(),
                };
                change.check(syntax).map_err(CliError::Refused)?;
                change.render(syntax)
            }
            None => String::new(),
        },
    };
    output::print(&text)?;
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
    Ok(ExitCode::SUCCESS)
}

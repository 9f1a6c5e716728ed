//! `stsenv console`: sign in to the AWS console with a profile's
//! credentials. The sign-in URL is a bearer secret for 15 minutes: it goes
//! to the browser, to the clipboard (on a pipe) or, with `--print`, to
//! stdout, and nowhere else.

use std::process::ExitCode;

use jiff::Timestamp;
use stsenv_core::aws::federation::{self, SigninRequest};
use stsenv_core::plan::console::{self, Origin};

use crate::cli::ConsoleArgs;
use crate::clipboard;
use crate::error::{CliError, CliResult};
use crate::obtain::{effective, plan_of, resolve};
use crate::output::{self, note};

/// Run `stsenv console`.
pub fn run(args: ConsoleArgs) -> CliResult {
    // --duration is the console session's length here, not the role's: the
    // cached role session is reused whatever console session is asked for.
    let mut requested = args.profile.clone();
    let duration = requested
        .session
        .duration
        .take()
        .map(federation::validate_duration)
        .transpose()
        .map_err(|e| CliError::Usage(format!("--duration: {e}")))?;
    let mut profile_args = effective(&requested)?;
    let planned = plan_of(&profile_args)?;
    match console::origin(&planned) {
        Origin::MfaSession => return Err(console::mfa_session_refused(&planned).into()),
        // An IAM user's keys sign in as a federated user of the same name;
        // that token's lifetime is the console session's.
        Origin::LongTermKeys => {
            profile_args.session.federation = Some(console::federated_user_name());
            profile_args.session.duration = duration;
        }
        Origin::FederatedUser => profile_args.session.duration = duration,
        _ => {}
    }
    let partition = console::partition(&planned);
    let destination = federation::destination(
        args.destination.as_deref(),
        planned.region.as_deref(),
        partition,
    )?;
    let endpoint = federation::federation_endpoint(partition)?;
    if !args.print && !args.clipboard {
        // Say so before any MFA prompt or network call.
        can_open_browser()?;
    }
    let session = resolve(&profile_args)?;
    let (session_duration, duration_note) = console::session_duration(
        console::origin(&session.plan),
        duration,
        &session.credentials,
        Timestamp::now(),
    );
    if let Some(duration_note) = duration_note {
        crate::output::warn(&duration_note);
    }
    let request = SigninRequest {
        profile: session.plan.profile.clone(),
        endpoint,
        destination,
        session_duration,
    };
    let url = federation::sign_in(&request, &session.credentials)?;
    let profile = &session.plan.profile;
    if args.print {
        output::print(&format!("{}\n", url.expose()))?;
    } else if args.clipboard {
        let tool = clipboard::copy(url.expose())?;
        note(&format!(
            "stsenv: copied the console sign-in URL for {profile} to the clipboard ({tool}); it works for 15 minutes"
        ));
    } else {
        // macOS and Windows: the OS API, no child process. Elsewhere the
        // crate runs $BROWSER or xdg-open with the URL as an argument
        // (docs/console-and-eks.md says so). No logger is installed, so its
        // debug lines go nowhere.
        webbrowser::open(url.expose()).map_err(|e| {
            CliError::Refused(format!(
                "cannot open a browser ({e}); use --print or --clipboard"
            ))
        })?;
        note(&format!(
            "stsenv: opened the AWS console for {profile} in your browser"
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether a browser can be started here: always on macOS and Windows; on
/// Linux and the BSDs only with a display, WSL or `$BROWSER` (xdg-open on a
/// headless machine would "succeed" and show nothing).
fn can_open_browser() -> CliResult<()> {
    if cfg!(any(target_os = "macos", windows)) {
        return Ok(());
    }
    let set = |v: &str| std::env::var_os(v).is_some_and(|x| !x.is_empty());
    if ["DISPLAY", "WAYLAND_DISPLAY", "BROWSER", "WSL_DISTRO_NAME"]
        .iter()
        .any(|v| set(v))
    {
        Ok(())
    } else {
        Err(CliError::Refused(
            "no browser can be opened here (no DISPLAY, WAYLAND_DISPLAY or BROWSER); use --print or --clipboard"
                .to_string(),
        ))
    }
}

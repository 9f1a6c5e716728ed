//! `stsenv login`, `logout` and `sso populate`: IAM Identity Center, and
//! `aws login` sessions (`login_session` profiles). The flows live in
//! `stsenv_core::source::sso` and `stsenv_core::source::login_flow`; this file is the
//! terminal side: the code and URL on stderr, the browser, the spinner and
//! Ctrl-C.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use stsenv_core::aws::client::runtime;
use stsenv_core::plan::source::Source;
use stsenv_core::plan::{is_region_name, sso_session_of, Overrides, Plan};
use stsenv_core::profile::config::{default_profile_name, AwsConfig, Service};
use stsenv_core::profile::edit::{self as config_edit, FileEdit, FileKind};
use stsenv_core::source::login::LoginSession;
use stsenv_core::source::login_flow::{self, SignInUi, SignedIn};
use stsenv_core::source::sso::login::{LoginOutcome, LoginUi};
use stsenv_core::source::sso::{self, populate, SsoSession};
use stsenv_core::store::cache::Cache;
use stsenv_core::store::untrusted::printable;

use crate::cli::{LoginArgs, SsoCommand, SsoTarget};
use crate::error::{CliError, CliResult};
use crate::output::{self, note};
use crate::platform::{browser, signals};

/// Run `stsenv login`.
pub fn login(args: LoginArgs) -> CliResult {
    let config = AwsConfig::load()?;
    if let Some((session, region)) = login_session_target(&config, &args.target) {
        return sign_in(&config, &session, &region, &args);
    }
    if let Some(name) = new_profile(&config, &args.target)? {
        return sign_in_new(&config, &name, &args);
    }
    if args.remote {
        return Err(CliError::Usage(
            "--remote is for `aws login` profiles (login_session); SSO logins never need a browser on this machine"
                .into(),
        ));
    }
    let session = target(&config, &args.target)?;
    let runtime = runtime()?;
    signals::catch_ctrl_c();
    let ui = TerminalUi {
        session: &session,
        browser: !args.no_browser && browser::available(),
        spinner: std::io::stderr().is_terminal(),
    };
    let outcome = sso::login::login(&session, &Cache::from_env(), &runtime, &ui)?;
    let (what, expires) = match outcome {
        LoginOutcome::AlreadyValid { expires } => ("Logged in (by another stsenv)", expires),
        LoginOutcome::Refreshed { expires } => ("Token refreshed", expires),
        LoginOutcome::LoggedIn { expires } => ("Logged in", expires),
    };
    note(&format!(
        "{what} to {} ({}); the token is valid until {}.",
        session.start_url,
        session.display(),
        stsenv_core::credentials::format_rfc3339(expires)
    ));
    Ok(ExitCode::SUCCESS)
}

/// Run `stsenv logout`.
pub fn logout(args: SsoTarget) -> CliResult {
    let config = AwsConfig::load()?;
    if let Some((session, _)) = login_session_target(&config, &args) {
        return sign_out(&config, &session);
    }
    let session = target(&config, &args)?;
    // Revoking the token server-side needs a runtime; a failure to build
    // one must not keep the local token alive.
    let runtime = runtime().ok();
    let removed = sso::logout(&session, runtime.as_ref())?;
    // Role credentials already obtained stay valid at AWS until they expire;
    // dropping them makes the next use ask for a login, as the user expects.
    let cache = Cache::from_env();
    let mut cleared = 0;
    for name in config.profile_names() {
        if let Ok(plan) = Plan::build(&config, Some(name), &Overrides::default()) {
            if let Source::Sso(role) = &plan.source {
                if role.profile == name
                    && SsoSession::of_role(role).cache_name() == session.cache_name()
                {
                    cleared += cache.clear(Some(name))?;
                }
            }
        }
    }
    if removed {
        note(&format!(
            "Logged out of {} ({}): token {} removed, {cleared} cached role session(s) cleared.",
            session.start_url,
            session.display(),
            session.token_path().display()
        ));
    } else {
        note(&format!(
            "No SSO token for {} ({}); {cleared} cached role session(s) cleared.",
            session.start_url,
            session.display()
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// The `aws login` session of the profile named (or the default one), and
/// the region its Sign-In endpoint is in; `None` for any other profile.
fn login_session_target(config: &AwsConfig, args: &SsoTarget) -> Option<(LoginSession, String)> {
    if args.sso_session.is_some() {
        return None;
    }
    let profile = args
        .profile_name()
        .map(str::to_string)
        .unwrap_or_else(default_profile_name);
    let plan = Plan::build(config, Some(&profile), &Overrides::default()).ok()?;
    match plan.source {
        Source::Login(ref session) => Some((session.clone(), plan.sts_region().to_string())),
        _ => None,
    }
}

/// `stsenv login` for an `aws login` profile: the browser flow, the AWS
/// CLI's cache written, and `login_session` updated when the browser signed
/// in another identity.
fn sign_in(
    config: &AwsConfig,
    session: &LoginSession,
    region: &str,
    args: &LoginArgs,
) -> CliResult {
    let cache = Cache::from_env();
    let signed_in = browser_flow(
        &session.profile,
        &session.endpoint_for(region),
        args,
        &cache,
    )?;
    let mut changed = String::new();
    if signed_in.session_arn != session.session_arn {
        let (mut edit, text) = FileEdit::read(config.config_file())?;
        edit.content = config_edit::set_key(
            &text,
            FileKind::Config,
            &session.profile,
            "login_session",
            &signed_in.session_arn,
        );
        edit.apply()?;
        changed = format!(
            " (login_session of profile `{}` in {} changed from {})",
            session.profile,
            config.config_file().display(),
            session.session_arn
        );
    }
    cleared_sessions(config, &cache, &signed_in.session_arn)?;
    logged_in(&signed_in, &changed);
    Ok(ExitCode::SUCCESS)
}

/// The `aws login` flow for `profile` at the Sign-In endpoint `base`
/// (browser, or pasted code with `--remote`); Ctrl-C cancels it.
fn browser_flow(profile: &str, base: &str, args: &LoginArgs, cache: &Cache) -> CliResult<SignedIn> {
    let runtime = runtime()?;
    signals::catch_ctrl_c();
    let ui = SignInTerminal {
        browser: !args.no_browser && !args.remote && browser::available(),
    };
    Ok(login_flow::login(
        profile,
        base,
        args.remote,
        cache,
        &runtime,
        &ui,
    )?)
}

/// What a successful `aws login` flow says; `what_changed` (starting
/// with a space, or empty) names the config change.
fn logged_in(signed_in: &SignedIn, what_changed: &str) {
    note(&format!(
        "Logged in as {}{what_changed}; the credentials are valid until {} and renewed without a browser while the session lasts (up to 12 h).",
        signed_in.session_arn,
        stsenv_core::credentials::format_rfc3339(signed_in.expires)
    ));
}

/// The profile named on the command line when the files do not have it:
/// `stsenv login NEW` creates it, as `aws login --profile NEW` does. The
/// name goes into a section header, so it must be one the SDKs accept.
fn new_profile(config: &AwsConfig, args: &SsoTarget) -> CliResult<Option<String>> {
    let Some(name) = args.profile_name().filter(|_| args.sso_session.is_none()) else {
        return Ok(None);
    };
    if config.has_profile(name) {
        return Ok(None);
    }
    if !config_edit::is_valid_profile_name(name) {
        return Err(CliError::Usage(format!(
            "there is no profile {} in {}, and that name cannot be a new one (letters, digits and _-/.%@:+ only); name the profile to create with those",
            printable(name, 200),
            config.config_file().display()
        )));
    }
    Ok(Some(name.to_string()))
}

/// `stsenv login NEW` for a profile the files do not have: the `aws login`
/// browser flow, then `[profile NEW]` with `login_session` (and `region`
/// when none is set in the environment) added to the config file; nothing
/// is written when the login fails.
fn sign_in_new(config: &AwsConfig, name: &str, args: &LoginArgs) -> CliResult {
    let configured = crate::session::user_region();
    if let Some(region) = configured.as_deref().filter(|r| !is_region_name(r)) {
        return Err(CliError::Refused(format!(
            "the region in AWS_REGION/AWS_DEFAULT_REGION, {}, is not a region name like eu-west-1",
            printable(region, 60)
        )));
    }
    let region = configured.as_deref().unwrap_or(DEFAULT_LOGIN_REGION);
    let base = config
        .endpoint_url(Some(name), Service::Signin)
        .unwrap_or_else(|| stsenv_core::aws::signin::default_endpoint(region));
    let signed_in = browser_flow(name, &base, args, &Cache::from_env())?;
    let written_region = configured.is_none().then_some(region);
    login_flow::add_profile(
        config.config_file(),
        name,
        &signed_in.session_arn,
        written_region,
    )?;
    let added = format!(
        " (added profile `{name}` to {}: login_session{})",
        config.config_file().display(),
        written_region
            .map(|r| format!(", region = {r}"))
            .unwrap_or_default()
    );
    logged_in(&signed_in, &added);
    Ok(ExitCode::SUCCESS)
}

/// The region a new `aws login` profile gets when none is set: the AWS
/// CLI's default answer to its region prompt.
const DEFAULT_LOGIN_REGION: &str = "us-east-1";

/// `stsenv logout` for an `aws login` profile: the cache file goes, as with
/// `aws logout`, and so do the role sessions stsenv made with it.
fn sign_out(config: &AwsConfig, session: &LoginSession) -> CliResult {
    let path = session.token_path();
    let removed = match std::fs::remove_file(&path) {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(stsenv_core::Error::io("cannot remove", &path, e).into()),
    };
    let cleared = cleared_sessions(config, &Cache::from_env(), &session.session_arn)?;
    note(&format!(
        "{} for profile `{}` ({}); {cleared} cached role session(s) cleared. Credentials already handed out stay valid until they expire (15 minutes at most).",
        if removed { "Removed the cached login" } else { "No cached login" },
        session.profile,
        path.display()
    ));
    Ok(ExitCode::SUCCESS)
}

/// Clear stsenv's cached sessions of every profile whose plan starts from
/// `session_arn`; how many entries went.
fn cleared_sessions(config: &AwsConfig, cache: &Cache, session_arn: &str) -> CliResult<usize> {
    let mut cleared = 0;
    for name in config.profile_names() {
        if let Ok(plan) = Plan::build(config, Some(name), &Overrides::default()) {
            if matches!(&plan.source, Source::Login(l) if l.session_arn == session_arn) {
                cleared += cache.clear(Some(name))?;
            }
        }
    }
    Ok(cleared)
}

struct SignInTerminal {
    browser: bool,
}

impl SignInUi for SignInTerminal {
    fn show_url(&self, url: &str, remote: bool) {
        let mut err = std::io::stderr().lock();
        let what = if remote {
            "open this page on a device with a browser, sign in, and paste the code it shows"
        } else {
            "open this page and sign in"
        };
        let _ = writeln!(err, "To sign in, {what}:\n\n    {url}\n");
        if self.browser && open_checked(url) {
            let _ = writeln!(err, "(opened in your browser)");
        }
    }

    fn read_code(&self) -> Option<String> {
        let _ = write!(std::io::stderr(), "Code: ");
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).ok()?;
        Some(line.trim().to_string()).filter(|l| !l.is_empty())
    }

    fn waiting(&self, _elapsed: Duration) -> bool {
        !signals::ctrl_c_pressed()
    }
}

/// Run `stsenv sso …`.
pub fn sso(command: SsoCommand) -> CliResult {
    match command {
        SsoCommand::Populate {
            sso_session,
            dry_run,
        } => populate_profiles(sso_session, dry_run),
    }
}

fn populate_profiles(sso_session: Option<String>, dry_run: bool) -> CliResult {
    let config = AwsConfig::load()?;
    let name = match sso_session {
        Some(name) => name,
        None => match config.sso_session_names().as_slice() {
            [one] => one.to_string(),
            [] => {
                return Err(CliError::Refused(format!(
                    "there is no [sso-session NAME] section in {}; add one (sso_start_url, sso_region) and run `stsenv login --sso-session NAME`",
                    config.config_file().display()
                )))
            }
            many => {
                return Err(CliError::Usage(format!(
                    "several sso-sessions exist ({}); name one: `stsenv sso populate NAME`",
                    many.join(", ")
                )))
            }
        },
    };
    let session = SsoSession::named(&config, &name)?;
    let runtime = runtime()?;
    let assignments = sso::assignments(&session, &Cache::from_env(), &runtime)?;
    let additions = populate::additions(&config, &session, &name, &assignments);
    let path = config.config_file();
    if additions.is_empty() {
        note(&format!(
            "Nothing to add: every one of the {} account/role pair(s) of sso-session `{name}` already has a profile in {}.",
            assignments.len(),
            path.display()
        ));
        return Ok(ExitCode::SUCCESS);
    }
    let text = populate::render(&additions);
    if dry_run {
        note(&format!(
            "Would append {} profile(s) to {} (nothing written):",
            additions.len(),
            path.display()
        ));
        let mut diff = format!("--- {}\n+++ {}\n", path.display(), path.display());
        for line in text.lines() {
            diff += &format!("+{line}\n");
        }
        output::print(&diff)?;
        return Ok(ExitCode::SUCCESS);
    }
    let backup = populate::append(path, &text)?;
    let names: String = additions.iter().map(|p| format!("{}\n", p.name)).collect();
    output::print(&names)?;
    note(&format!(
        "Added {} profile(s) to {}{}.",
        additions.len(),
        path.display(),
        backup
            .map(|b| format!(" (the previous version is in {})", b.display()))
            .unwrap_or_default()
    ));
    Ok(ExitCode::SUCCESS)
}

/// The session to log in to: `--sso-session`, the profile, else the
/// default profile, else the only sso-session when there is no default.
fn target(config: &AwsConfig, args: &SsoTarget) -> CliResult<SsoSession> {
    if let Some(name) = &args.sso_session {
        return Ok(SsoSession::named(config, name)?);
    }
    if let Some(profile) = args.profile_name() {
        return Ok(sso_session_of(config, profile)?);
    }
    let profile = default_profile_name();
    if !config.has_profile(&profile) {
        if let [only] = config.sso_session_names().as_slice() {
            return Ok(SsoSession::named(config, only)?);
        }
    }
    Ok(sso_session_of(config, &profile)?)
}

/// Open `url` in the browser once it is an `https://` (or loopback
/// `http://`) URL: never option-like, never a local file.
fn open_checked(url: &str) -> bool {
    stsenv_core::store::untrusted::check_verification_uri(url).is_ok() && browser::open(url)
}

struct TerminalUi<'a> {
    session: &'a SsoSession,
    browser: bool,
    spinner: bool,
}

impl LoginUi for TerminalUi<'_> {
    fn show_code(&self, verification_uri: &str, complete_uri: Option<&str>, user_code: &str) {
        // Checked by the OIDC layer (an https URL, a plain code); escaped
        // all the same, as every server-supplied text on a terminal is.
        let url = complete_uri.unwrap_or(verification_uri);
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "To sign in to {} ({}), open this page and check that it shows the code {}:\n\n    {}\n",
            printable(&self.session.start_url, 2048),
            self.session.display(),
            printable(user_code, 64),
            printable(url, 2048),
        );
        if self.browser && open_checked(url) {
            let _ = writeln!(err, "(opened in your browser)");
        }
        if !self.spinner {
            let _ = writeln!(err, "Waiting for the approval…");
        }
    }

    fn waiting(&self, elapsed: Duration) -> bool {
        if signals::ctrl_c_pressed() {
            return false;
        }
        if self.spinner {
            const FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
            let frame = FRAMES[(elapsed.as_millis() / 100) as usize % FRAMES.len()];
            let _ = write!(
                std::io::stderr(),
                "\r{frame} Waiting for the approval in the browser… {}s (Ctrl-C cancels)",
                elapsed.as_secs()
            );
        }
        true
    }

    fn finished(&self) {
        if self.spinner {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}

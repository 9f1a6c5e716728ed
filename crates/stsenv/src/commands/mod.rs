//! One module per subcommand; this file dispatches and holds what several
//! commands share: turning [`ProfileArgs`] into a plan and credentials.

mod cache;
mod completions;
mod credential_process;
mod env;
mod exec;
mod explain;
pub mod init;
mod login;
mod profiles;
mod serve;
mod status;
mod unset;
mod whoami;

use std::io::IsTerminal;
use std::process::ExitCode;

use stsenv_core::cache::Cache;
use stsenv_core::config::AwsConfig;
use stsenv_core::plan::{Overrides, Plan};
use stsenv_core::resolve::{self, CacheMode, Prompter};
use stsenv_core::{Credentials, Error, Result};

use crate::cli::{Command, ProfileArgs};

/// Run one subcommand.
pub fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Env(args) => env::run(args),
        Command::Exec(args) => exec::run(args),
        Command::Whoami(args) => whoami::run(args),
        Command::Init(args) => init::run(args),
        Command::Unset(args) => unset::run(args),
        Command::Profiles(args) => profiles::run(args),
        Command::Status(args) => status::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Cache(command) => cache::run(command),
        Command::CredentialProcess(args) => credential_process::run(args),
        Command::Login(args) => login::login(args),
        Command::Logout(args) => login::logout(args),
        Command::Sso(command) => login::sso(command),
        Command::Completions(args) => completions::run(args),
        Command::Serve(args) => serve::run(args),
    }
}

/// A profile's plan and its credentials, resolved through the cache.
pub struct Session {
    /// The arguments that were resolved (after [`effective`]).
    pub args: ProfileArgs,
    /// The plan that produced the credentials.
    pub plan: Plan,
    /// The credentials.
    pub credentials: Credentials,
}

/// Build the plan for `args` (after [`effective`]).
pub fn plan(args: &ProfileArgs) -> Result<Plan> {
    plan_of(&effective(args)?)
}

/// Build the plan for arguments already made [`effective`].
fn plan_of(args: &ProfileArgs) -> Result<Plan> {
    let config = AwsConfig::load()?;
    Plan::build(&config, args.profile.as_deref(), &overrides(args)?)
}

/// What `args` mean in this shell. Naming no profile, no session-shaping
/// option and with `AWS_PROFILE` unset (which `stsenv env` removes), they
/// mean the session active in this shell, as recorded by `stsenv env`
/// (`STSENV_PROFILE`, `STSENV_OPTIONS`): after `dev_assume`, a bare
/// `stsenv exec -- cmd` runs as dev, not as `default`.
pub fn effective(args: &ProfileArgs) -> Result<ProfileArgs> {
    let names_nothing = args.profile.is_none() && renewal_options(args).is_none();
    let aws_profile_set = std::env::var_os("AWS_PROFILE").is_some_and(|p| !p.is_empty());
    if !names_nothing || aws_profile_set {
        return Ok(args.clone());
    }
    Ok(match recorded_session()? {
        Some(recorded) => ProfileArgs {
            token_code: args.token_code.clone(),
            no_cache: args.no_cache,
            refresh: args.refresh,
            non_interactive: args.non_interactive,
            ..recorded
        },
        None => args.clone(),
    })
}

/// The options recorded in this shell by the last `env`.
#[derive(clap::Parser)]
#[command(no_binary_name = true)]
struct Recorded {
    #[command(flatten)]
    profile: ProfileArgs,
}

/// The session `stsenv env` recorded in this shell, if any.
pub fn recorded_session() -> Result<Option<ProfileArgs>> {
    let Some(profile) = std::env::var("STSENV_PROFILE")
        .ok()
        .filter(|p| !p.is_empty())
    else {
        return Ok(None);
    };
    let options = std::env::var("STSENV_OPTIONS").unwrap_or_default();
    let mut words = vec![profile];
    words.extend(shell_words::split(&options).map_err(|e| {
        Error::InvalidInput(format!("STSENV_OPTIONS is not valid shell words: {e}"))
    })?);
    let recorded = <Recorded as clap::Parser>::try_parse_from(words)
        .map_err(|e| Error::InvalidInput(format!("STSENV_OPTIONS: {e}")))?;
    Ok(Some(recorded.profile))
}

/// Resolve `args` to credentials, asking for an MFA code when allowed.
pub fn session(args: &ProfileArgs) -> Result<Session> {
    let args = effective(args)?;
    let plan = plan_of(&args)?;
    let mode = if args.no_cache {
        CacheMode::Bypass
    } else if args.refresh {
        CacheMode::Refresh
    } else {
        CacheMode::Use
    };
    let prompter = TerminalPrompter::new(&args)?;
    let resolution = resolve::resolve(&plan, &Cache::from_env(), mode, &prompter)?;
    // Said when STS was called, not on every cache hit (the prompt hook would repeat it).
    if !resolution.from_cache {
        for warning in &plan.warnings {
            stsenv_core::warn(warning);
        }
    }
    Ok(Session {
        args,
        plan,
        credentials: resolution.credentials,
    })
}

fn overrides(args: &ProfileArgs) -> Result<Overrides> {
    let policy = args
        .policy
        .as_ref()
        .map(|path| {
            std::fs::read_to_string(path).map_err(|e| Error::io("cannot read policy file", path, e))
        })
        .transpose()?;
    Ok(Overrides {
        role_arn: args.role_arn.clone(),
        source_profile: args.source_profile.clone(),
        mfa_serial: args.mfa_serial.clone(),
        duration: args.duration,
        session_name: args.session_name.clone(),
        external_id: args.external_id.clone(),
        region: args.region.clone(),
        federation: args.federation.clone(),
        policy,
        source_identity: args.source_identity.clone(),
    })
}

/// The options of `args` that change the session, as one shell-quoted
/// string for `STSENV_OPTIONS` (so the prompt hook renews the same thing).
/// Never includes the MFA code.
pub fn renewal_options(args: &ProfileArgs) -> Option<String> {
    let mut words: Vec<String> = Vec::new();
    let mut push = |flag: &str, value: Option<String>| {
        if let Some(value) = value {
            words.push(flag.to_string());
            words.push(value);
        }
    };
    push("--role-arn", args.role_arn.clone());
    push("--source-profile", args.source_profile.clone());
    push("--mfa-serial", args.mfa_serial.clone());
    push("--duration", args.duration.map(|d| d.to_string()));
    push("--session-name", args.session_name.clone());
    push("--external-id", args.external_id.clone());
    push("--region", args.region.clone());
    push("--federation", args.federation.clone());
    push(
        "--policy",
        args.policy.as_ref().map(|p| p.display().to_string()),
    );
    push("--source-identity", args.source_identity.clone());
    (!words.is_empty()).then(|| shell_words::join(&words))
}

/// Validate an MFA code: exactly six ASCII digits.
pub fn validate_token_code(code: &str) -> Result<String> {
    let code = code.trim();
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code.to_string())
    } else {
        Err(Error::InvalidInput(
            "the MFA code must be the six digits your device shows".to_string(),
        ))
    }
}

/// Asks for MFA codes on the terminal, or hands out `--token-code`.
struct TerminalPrompter {
    token_code: Option<String>,
    interactive: bool,
}

impl TerminalPrompter {
    fn new(args: &ProfileArgs) -> Result<Self> {
        Ok(TerminalPrompter {
            token_code: args
                .token_code
                .as_deref()
                .map(validate_token_code)
                .transpose()
                // Say which option was wrong: the prompt reuses the bare message.
                .map_err(|e| Error::InvalidInput(format!("--token-code: {e}")))?,
            interactive: !args.non_interactive,
        })
    }
}

impl Prompter for TerminalPrompter {
    fn mfa_code(&self, profile: &str, serial: &str) -> Result<String> {
        if let Some(code) = &self.token_code {
            return Ok(code.clone());
        }
        let needed = || Error::MfaNeeded {
            profile: profile.to_string(),
            serial: serial.to_string(),
        };
        if !self.interactive || !has_terminal() {
            return Err(needed());
        }
        for _ in 0..3 {
            let prompt = format!("MFA code for {profile} ({serial}): ");
            let answer = rpassword::prompt_password(prompt).map_err(|_| needed())?;
            match validate_token_code(&answer) {
                Ok(code) => return Ok(code),
                Err(err) => eprintln!("stsenv: {err}"),
            }
        }
        Err(Error::InvalidInput(format!(
            "no valid MFA code entered for {profile}"
        )))
    }
}

/// Whether a controlling terminal can be opened (stdin may be a pipe even so).
fn has_terminal() -> bool {
    if std::io::stdin().is_terminal() {
        return true;
    }
    #[cfg(unix)]
    {
        std::fs::File::open("/dev/tty").is_ok()
    }
    #[cfg(not(unix))]
    {
        false
    }
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
    fn token_codes_are_six_digits() {
        assert_eq!(validate_token_code(" 123456\n").unwrap(), "123456");
        assert!(validate_token_code("12345").is_err());
        assert!(validate_token_code("12345a").is_err());
        assert!(validate_token_code("1234567").is_err());
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human_duration(30), "30s");
        assert_eq!(human_duration(42 * 60 + 5), "42m");
        assert_eq!(human_duration(3600 + 5 * 60), "1h05m");
        assert_eq!(human_duration(-5), "0s");
    }

    #[test]
    fn renewal_options_skip_the_token_code() {
        let args = ProfileArgs {
            role_arn: Some("arn:aws:iam::1:role/a b".into()),
            token_code: Some("123456".into()),
            ..Default::default()
        };
        let options = renewal_options(&args).unwrap();
        assert_eq!(options, "--role-arn 'arn:aws:iam::1:role/a b'");
        assert!(renewal_options(&ProfileArgs::default()).is_none());
    }
}

//! The command-line contract (DESIGN §5), as clap derive types. Nothing here
//! runs anything: `main` parses, then hands each subcommand to its module.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};

/// AWS temporary credentials (STS, MFA, SSO) for your shell.
#[derive(Debug, Parser)]
#[command(name = "stsenv", version, about, max_term_width = 100)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Every subcommand.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print shell code that exports credentials for a profile
    Env(EnvArgs),
    /// Run a command with a profile's credentials in its environment
    Exec(ExecArgs),
    /// Show who the credentials belong to (sts:GetCallerIdentity)
    Whoami(WhoamiArgs),
    /// Print the shell plugin; eval it from your shell's rc file
    Init(InitArgs),
    /// Print shell code that removes what `stsenv env` set
    Unset(UnsetArgs),
    /// List the profiles in your AWS config, with their kind and cache state
    Profiles(ProfilesArgs),
    /// Show the profile active in this shell and the time it has left
    Status(StatusArgs),
    /// Show how a profile's credentials are obtained, step by step, without calling AWS
    Explain(ExplainArgs),
    /// Inspect or clear cached sessions
    #[command(subcommand)]
    Cache(CacheCommand),
    /// Print credentials as credential_process JSON (for `credential_process = stsenv credential-process NAME`)
    CredentialProcess(CredentialProcessArgs),
    /// Log in to IAM Identity Center (SSO) with the device authorization flow
    Login(LoginArgs),
    /// Forget the SSO token of a profile or sso-session
    Logout(LoginArgs),
    /// IAM Identity Center helpers
    #[command(subcommand)]
    Sso(SsoCommand),
    /// Print a static completion script
    Completions(CompletionsArgs),
    /// Serve a profile's credentials to SDKs on 127.0.0.1, renewed, until Ctrl-C
    Serve(ServeArgs),
}

/// How the profile's credentials are obtained; shared by env, exec, whoami and credential-process.
#[derive(Debug, Clone, Default, Args)]
pub struct ProfileArgs {
    /// Profile from ~/.aws/config or ~/.aws/credentials [default: $AWS_PROFILE, then this shell's session, then `default`]
    #[arg(value_name = "PROFILE", add = ArgValueCandidates::new(profile_candidates))]
    pub profile: Option<String>,
    /// Assume this role (no profile needed; the source is --source-profile or PROFILE)
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
    /// Profile whose credentials assume --role-arn
    #[arg(long, value_name = "PROFILE", add = ArgValueCandidates::new(profile_candidates))]
    pub source_profile: Option<String>,
    /// MFA device ARN (or serial) to authenticate with
    #[arg(long, value_name = "ARN")]
    pub mfa_serial: Option<String>,
    /// The six-digit MFA code (otherwise you are asked on the terminal)
    #[arg(long, value_name = "CODE")]
    pub token_code: Option<String>,
    /// Session duration in seconds
    #[arg(long, value_name = "SECONDS")]
    pub duration: Option<u32>,
    /// Role session name [default: role_session_name, then stsenv-$USER]
    #[arg(long, value_name = "NAME")]
    pub session_name: Option<String>,
    /// External ID required by the role's trust policy
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,
    /// Region for the STS call and AWS_REGION
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Get federated-user credentials (sts:GetFederationToken) with this name
    #[arg(long, value_name = "NAME")]
    pub federation: Option<String>,
    /// Session policy JSON file (AssumeRole / GetFederationToken)
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Source identity to set on the role session
    #[arg(long, value_name = "ID")]
    pub source_identity: Option<String>,
    /// Neither read nor write the session cache
    #[arg(long)]
    pub no_cache: bool,
    /// Ignore a cached session for this profile and get a new one
    #[arg(long)]
    pub refresh: bool,
    /// Never prompt; exit 3 when an MFA code or SSO login is needed
    #[arg(long)]
    pub non_interactive: bool,
}

/// Output formats of `stsenv env` and `stsenv unset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// bash code (`export NAME='value'`)
    Bash,
    /// zsh code
    Zsh,
    /// fish code (`set -gx NAME 'value'`)
    Fish,
    /// PowerShell code (`$env:NAME = 'value'`)
    Powershell,
    /// credential_process v1 JSON
    Json,
    /// a .env file (`NAME="value"`)
    Dotenv,
}

/// Arguments of `stsenv env`.
#[derive(Debug, Args)]
pub struct EnvArgs {
    /// How the credentials are obtained.
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// Output format [default: from $SHELL, else bash]
    #[arg(long, short, value_enum)]
    pub shell: Option<OutputFormat>,
    /// Renew the session recorded in this shell (STSENV_PROFILE, STSENV_OPTIONS); implies --non-interactive
    #[arg(long, conflicts_with = "profile")]
    pub renew: bool,
    /// Copy a one-line export to the clipboard instead of printing it
    #[arg(long)]
    pub clipboard: bool,
}

/// Arguments of `stsenv exec`.
#[derive(Debug, Args)]
pub struct ExecArgs {
    /// How the credentials are obtained.
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// Run even inside another `stsenv exec`
    #[arg(long)]
    pub force: bool,
    /// Give CMD a local credential server that renews, instead of fixed keys (for commands that outlive a session)
    #[arg(long)]
    pub server: bool,
    /// The command and its arguments
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<OsString>,
}

/// Arguments of `stsenv serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// How the credentials are obtained.
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// Port on 127.0.0.1 [default: a free one]
    #[arg(long, value_name = "N")]
    pub port: Option<u16>,
    /// Print the variables as code for this shell (json: one object) instead of NAME=value lines
    #[arg(long, short, value_enum)]
    pub shell: Option<OutputFormat>,
}

/// Arguments of `stsenv whoami`.
#[derive(Debug, Args)]
pub struct WhoamiArgs {
    /// How the credentials are obtained.
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// Shells with a plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InitShell {
    /// bash 3.2 and later
    Bash,
    /// zsh
    Zsh,
    /// fish 3 and later
    Fish,
    /// PowerShell 7 and Windows PowerShell 5.1
    Powershell,
}

/// Arguments of `stsenv init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The shell to print the plugin for
    #[arg(value_enum)]
    pub shell: InitShell,
    /// Do not define `<profile>_assume` functions or the `assume` shorthand
    #[arg(long)]
    pub no_aliases: bool,
    /// Do not install the prompt hook that renews credentials
    #[arg(long)]
    pub no_hook: bool,
}

/// Arguments of `stsenv unset`.
#[derive(Debug, Args)]
pub struct UnsetArgs {
    /// Output format [default: from $SHELL, else bash]
    #[arg(long, short, value_enum)]
    pub shell: Option<OutputFormat>,
}

/// Arguments of `stsenv profiles`.
#[derive(Debug, Args)]
pub struct ProfilesArgs {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    /// Print names only, one per line (for completion scripts)
    #[arg(long, conflicts_with = "json")]
    pub names: bool,
}

/// Formats of `stsenv status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFormat {
    /// A sentence for humans
    Text,
    /// A short segment for a prompt, e.g. `dev 42m`
    Prompt,
}

/// Arguments of `stsenv status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    /// Output format
    #[arg(long, value_enum, default_value = "text", conflicts_with = "json")]
    pub format: StatusFormat,
}

/// Arguments of `stsenv explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// How the credentials would be obtained.
    #[command(flatten)]
    pub profile: ProfileArgs,
}

/// `stsenv cache …`
#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// List cached sessions (no secrets)
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Delete cached sessions: all of them, or those of one profile
    Clear {
        /// Only this profile's sessions
        #[arg(add = ArgValueCandidates::new(profile_candidates))]
        profile: Option<String>,
    },
}

/// Arguments of `stsenv credential-process`.
#[derive(Debug, Args)]
pub struct CredentialProcessArgs {
    /// How the credentials are obtained.
    #[command(flatten)]
    pub profile: ProfileArgs,
}

/// Arguments of `stsenv login` and `stsenv logout`.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// An SSO profile [default: $AWS_PROFILE, then `default`]
    #[arg(conflicts_with = "sso_session", add = ArgValueCandidates::new(profile_candidates))]
    pub profile: Option<String>,
    /// An `[sso-session NAME]` section instead of a profile
    #[arg(long, value_name = "NAME")]
    pub sso_session: Option<String>,
    /// Do not open a browser; only print the URL and code
    #[arg(long)]
    pub no_browser: bool,
}

/// `stsenv sso …`
#[derive(Debug, Subcommand)]
pub enum SsoCommand {
    /// Add a profile for every account and role you can reach through an sso-session
    Populate {
        /// The `[sso-session NAME]` to list (default: the only one)
        sso_session: Option<String>,
        /// Print the lines that would be added without writing
        #[arg(long)]
        dry_run: bool,
    },
}

/// Arguments of `stsenv completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate completions for
    #[arg(value_enum)]
    pub shell: InitShell,
}

/// Profile names for dynamic completion (`stsenv init` registers it): read
/// from the AWS files at TAB time, so new profiles complete without re-init.
/// An unreadable config completes nothing rather than printing an error
/// into the user's command line.
fn profile_candidates() -> Vec<CompletionCandidate> {
    stsenv_core::config::AwsConfig::load()
        .map(|config| {
            config
                .profile_names()
                .into_iter()
                .map(CompletionCandidate::new)
                .collect()
        })
        .unwrap_or_default()
}

//! The command-line contract, as clap derive types. Nothing here runs
//! anything: `main` parses, then hands each subcommand to its module.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};
use serde::Serialize;
use stsenv_core::plan::Overrides;
use stsenv_core::profile::session_tags::SessionTags;
use stsenv_core::Error;

use crate::shell::{OutputFormat, Shell};

/// `stsenv --version`: the version and what this build can do (the crate
/// has no optional cargo features; these are the capabilities compiled in).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (features: sts, mfa, mfa_process, sso, picker, credential_process, dynamic-completion; tls: rustls+ring)"
);

/// AWS temporary credentials (STS, MFA, SSO) for your shell.
#[derive(Debug, Parser)]
#[command(name = "stsenv", version = VERSION, about, max_term_width = 100)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Every subcommand.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print shell code that exports credentials for a profile
    #[command(
        after_help = "Examples:\n  eval \"$(stsenv env dev)\"\n  stsenv env prod --shell fish | source\n  eval \"$(stsenv env --pick)\""
    )]
    Env(EnvArgs),
    /// Run a command with a profile's credentials in its environment
    #[command(
        after_help = "Examples:\n  stsenv exec dev -- aws s3 ls\n  stsenv exec prod --duration 900 -- terraform plan"
    )]
    Exec(ExecArgs),
    /// Show who the credentials belong to (sts:GetCallerIdentity)
    #[command(after_help = "Examples:\n  stsenv whoami dev\n  stsenv whoami --json")]
    Whoami(WhoamiArgs),
    /// Print the shell plugin; eval it from your shell's rc file
    #[command(
        after_help = "Examples:\n  eval \"$(stsenv init bash)\"      # in ~/.bashrc\n  stsenv init fish | source        # in ~/.config/fish/config.fish\n  stsenv init zsh --no-hook"
    )]
    Init(InitArgs),
    /// Print shell code that removes what `stsenv env` set
    #[command(
        after_help = "Examples:\n  eval \"$(stsenv unset)\"\n  stsenv unset --shell fish | source"
    )]
    Unset(UnsetArgs),
    /// List the profiles in your AWS config, with their kind and cache state
    #[command(
        after_help = "Examples:\n  stsenv profiles\n  stsenv profiles --json | jq -r '.[].name'"
    )]
    Profiles(ProfilesArgs),
    /// Show the profile active in this shell and the time it has left
    #[command(after_help = "Examples:\n  stsenv status\n  stsenv status --format prompt")]
    Status(StatusArgs),
    /// Show how a profile's credentials are obtained, step by step, without calling AWS
    #[command(
        after_help = "Examples:\n  stsenv explain dev\n  stsenv explain --role-arn arn:aws:iam::111111111111:role/ops base"
    )]
    // explain never calls AWS: the options that only matter to a call are
    // accepted (an `env` command line can be explained as it is) but not
    // offered.
    #[command(
        mut_arg("token_code", |a| a.hide(true)),
        mut_arg("no_cache", |a| a.hide(true)),
        mut_arg("refresh", |a| a.hide(true)),
        mut_arg("non_interactive", |a| a.hide(true))
    )]
    Explain(ExplainArgs),
    /// Inspect or clear cached sessions
    #[command(subcommand)]
    #[command(after_help = "Examples:\n  stsenv cache list\n  stsenv cache clear dev")]
    Cache(CacheCommand),
    /// Print credentials as credential_process JSON (for `credential_process = stsenv credential-process NAME`)
    #[command(
        after_help = "Examples:\n  credential_process = stsenv credential-process dev   # in ~/.aws/config\n  stsenv credential-process dev"
    )]
    CredentialProcess(CredentialProcessArgs),
    /// Log in to IAM Identity Center (SSO), or to an `aws login` session
    #[command(
        after_help = "Examples:\n  stsenv login my-sso-profile\n  stsenv login --sso-session corp\n  stsenv login my-login-profile --remote   # aws login profiles: paste the code"
    )]
    Login(LoginArgs),
    /// Forget the SSO token, or the `aws login` session, of a profile or sso-session
    #[command(
        after_help = "Examples:\n  stsenv logout my-sso-profile\n  stsenv logout --sso-session corp"
    )]
    Logout(SsoTarget),
    /// IAM Identity Center helpers
    #[command(subcommand)]
    #[command(
        after_help = "Examples:\n  stsenv sso populate corp --dry-run\n  stsenv sso populate corp"
    )]
    Sso(SsoCommand),
    /// Open the AWS console signed in with a profile's credentials (federation endpoint)
    #[command(
        after_help = "Examples:\n  stsenv console dev\n  stsenv console dev --destination s3 --region eu-west-1\n  stsenv console dev --print"
    )]
    Console(ConsoleArgs),
    /// Print an EKS token for kubectl's exec credential plugin (like `aws eks get-token`)
    #[command(
        after_help = "Examples:\n  stsenv eks-token dev --cluster-name prod-eu --region eu-west-1\n  stsenv eks-token dev --cluster-name prod-eu | jq -r .status.expirationTimestamp"
    )]
    EksToken(EksTokenArgs),
    /// Print a static completion script
    #[command(
        after_help = "Examples:\n  stsenv completions bash > ~/.local/share/bash-completion/completions/stsenv\n  stsenv completions zsh > \"${fpath[1]}/_stsenv\""
    )]
    Completions(CompletionsArgs),
    /// Keep long-term keys in the OS keystore (or an encrypted file) instead of ~/.aws/credentials
    #[command(subcommand)]
    #[command(
        after_help = "The encrypted file keystore (for machines without a Secret Service): set STSENV_KEYSTORE=file,\nor mark a profile `stsenv_keyring = file`. Its passphrase is asked on the terminal, or read\nfrom STSENV_KEYSTORE_PASSPHRASE (readable by anything that can read the environment).\n\nExamples:\n  stsenv keys import base\n  stsenv keys rotate base\n  stsenv keys list\n  STSENV_KEYSTORE=file stsenv keys add ci-user --stdin"
    )]
    Keys(KeysCommand),
    /// Serve a profile's credentials to SDKs on 127.0.0.1, renewed, until Ctrl-C
    #[command(
        after_help = "Examples:\n  stsenv serve dev\n  stsenv serve dev --port 9911 > ~/.dev-server.env\n  stsenv serve dev --shell fish"
    )]
    Serve(ServeArgs),
    /// Check the files, every profile, the cache, SSO and login tokens, the clock
    ///
    /// Also names other tools' variables (AWS_VAULT, AWSUME_PROFILE,
    /// AWS_PROFILE) that may shadow stsenv's credentials. Exit status: 0
    /// when nothing failed (warnings allowed), 1 when a check failed.
    #[command(
        after_help = "Examples:\n  stsenv doctor\n  stsenv doctor --offline\n  stsenv doctor --json | jq '.checks[] | select(.status != \"ok\")'"
    )]
    Doctor(DoctorArgs),
}

/// Arguments of `stsenv doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print JSON: {"ok": bool, "checks": [{section, name, status, detail, fix}]}
    #[arg(long)]
    pub json: bool,
    /// Skip the clock check, the only one that uses the network (a GET to STS)
    #[arg(long)]
    pub offline: bool,
}

/// How the profile's credentials are obtained; shared by env, exec, whoami,
/// explain and credential-process.
#[derive(Debug, Clone, Default, Args)]
pub struct ProfileArgs {
    /// Profile from ~/.aws/config or ~/.aws/credentials [default: $AWS_PROFILE, then this shell's session, then `default`]
    #[arg(value_name = "PROFILE", add = ArgValueCandidates::new(profile_candidates))]
    pub profile: Option<String>,
    /// The profile, as an option (for names that start with `-`)
    #[arg(
        long = "profile",
        short = 'p',
        value_name = "PROFILE",
        conflicts_with = "profile",
        add = ArgValueCandidates::new(profile_candidates)
    )]
    pub profile_option: Option<String>,
    /// What shapes the session.
    #[command(flatten)]
    pub session: SessionOptions,
    /// The six-digit MFA code (otherwise you are asked on the terminal)
    #[arg(long, value_name = "CODE")]
    pub token_code: Option<String>,
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

impl ProfileArgs {
    /// The profile named by the positional argument or `--profile`.
    pub fn profile_name(&self) -> Option<&str> {
        self.profile.as_deref().or(self.profile_option.as_deref())
    }

    /// Whether the arguments name no profile and nothing that shapes a session.
    pub fn names_nothing(&self) -> bool {
        self.profile_name().is_none() && self.session == SessionOptions::default()
    }
}

/// The options that shape a session. `env` records them (`STSENV_OPTIONS`)
/// so the prompt hook renews the same session; the record is derived from
/// this one struct (every field, as `--name=value`), and so is the
/// engine's [`Overrides`], so an option added here can be forgotten in
/// neither.
#[derive(Debug, Clone, Default, PartialEq, Eq, Args, Serialize)]
pub struct SessionOptions {
    /// Assume this role (no profile needed; the source is --source-profile or PROFILE)
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
    /// Profile whose credentials assume --role-arn
    #[arg(long, value_name = "PROFILE", add = ArgValueCandidates::new(profile_candidates))]
    pub source_profile: Option<String>,
    /// MFA device ARN (or serial) to authenticate with
    #[arg(long, value_name = "ARN")]
    pub mfa_serial: Option<String>,
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
    /// Session tag KEY=VALUE for the role session or federated user (repeatable; adds to session_tags and AWS_SESSION_TAGS)
    #[arg(long, value_name = "KEY=VALUE")]
    pub session_tag: Vec<String>,
    /// Make session tag KEY transitive in a role chain (repeatable; adds to transitive_session_tags and AWS_TRANSITIVE_TAGS)
    #[arg(long, value_name = "KEY")]
    pub transitive_tag: Vec<String>,
}

impl SessionOptions {
    /// The options as `--name=value` words, in a stable order: the `=`
    /// form keeps a value that starts with `-` a value, and a policy file
    /// is recorded by its absolute path so it still resolves after `cd`.
    pub fn to_words(&self) -> Vec<String> {
        // No option given (every `env` without one, a cache hit among
        // them): no words, without a round trip through a JSON value.
        if *self == SessionOptions::default() {
            return Vec::new();
        }
        let mut options = self.clone();
        if let Some(policy) = &options.policy {
            options.policy = Some(std::path::absolute(policy).unwrap_or_else(|_| policy.clone()));
        }
        let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(&options) else {
            return Vec::new();
        };
        fields
            .into_iter()
            .flat_map(|(name, value)| {
                let values = match value {
                    serde_json::Value::Null => Vec::new(),
                    serde_json::Value::String(text) => vec![text],
                    // A repeatable option: one word per value.
                    serde_json::Value::Array(items) => items
                        .into_iter()
                        .filter_map(|item| item.as_str().map(str::to_string))
                        .collect(),
                    other => vec![other.to_string()],
                };
                let flag = name.replace('_', "-");
                values
                    .into_iter()
                    .map(move |value| format!("--{flag}={value}"))
            })
            .collect()
    }

    /// Parse words written by [`SessionOptions::to_words`].
    pub fn from_words(words: &[String]) -> Result<SessionOptions, clap::Error> {
        /// The recorded options alone.
        #[derive(Parser)]
        #[command(no_binary_name = true)]
        struct Recorded {
            #[command(flatten)]
            session: SessionOptions,
        }
        Recorded::try_parse_from(words).map(|recorded| recorded.session)
    }

    /// What the engine needs: the same fields, the policy file read.
    pub fn overrides(&self) -> Result<Overrides, Error> {
        // Destructured without `..`: a new field must be handled here.
        let SessionOptions {
            role_arn,
            source_profile,
            mfa_serial,
            duration,
            session_name,
            external_id,
            region,
            federation,
            policy,
            source_identity,
            session_tag,
            transitive_tag,
        } = self.clone();
        let policy = policy
            .map(|path| {
                std::fs::read_to_string(&path)
                    .map_err(|e| Error::io("cannot read policy file", path, e))
            })
            .transpose()?;
        Ok(Overrides {
            role_arn,
            source_profile,
            mfa_serial,
            duration,
            session_name,
            external_id,
            region,
            // Not an option: `obtain` reads it from the environment.
            environment_region: None,
            federation,
            policy,
            source_identity,
            session_tags: session_tags(&session_tag, &transitive_tag)?,
        })
    }
}

/// The session tags of the environment (`AWS_SESSION_TAGS=K=V,…`,
/// `AWS_TRANSITIVE_TAGS=K,…`, aws-vault's variables), with `--session-tag`
/// and `--transitive-tag` on top. STS's rules are checked once the
/// profile's own tags are added, when the plan is made.
fn session_tags(flags: &[String], transitive: &[String]) -> Result<SessionTags, Error> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let from_env = SessionTags::parse(
        var("AWS_SESSION_TAGS").as_deref(),
        var("AWS_TRANSITIVE_TAGS").as_deref(),
    )
    .map_err(|problem| Error::Unusable(format!("AWS_SESSION_TAGS: {problem}")))?;
    let mut from_flags = SessionTags::default();
    for flag in flags {
        let (key, value) = flag.split_once('=').ok_or_else(|| {
            Error::Unusable(format!(
                "--session-tag {}: write KEY=VALUE",
                flag.chars()
                    .flat_map(char::escape_debug)
                    .collect::<String>()
            ))
        })?;
        from_flags
            .tags
            .push((key.trim().to_string(), value.trim().to_string()));
    }
    from_flags.transitive = transitive.iter().map(|k| k.trim().to_string()).collect();
    Ok(from_env.overridden_by(&from_flags))
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
    /// Renew the session recorded in this shell (STSENV_PROFILE, STSENV_OPTIONS); implies --non-interactive; exits 4 when the keystore passphrase is needed
    #[arg(long, conflicts_with_all = ["profile", "profile_option"])]
    pub renew: bool,
    /// Copy a one-line export to the clipboard instead of printing it
    #[arg(long)]
    pub clipboard: bool,
    /// Pick the profile in a fuzzy finder on the terminal (most recently used first)
    #[arg(long, conflicts_with_all = ["profile", "profile_option", "renew"])]
    pub pick: bool,
    /// Also write the credentials into [NAME] of ~/.aws/credentials, for tools that read only that file (the prompt hook rewrites it)
    #[arg(long, value_name = "NAME", conflicts_with = "renew")]
    pub write_credentials: Option<String>,
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
    /// Also write the credentials into [NAME] of ~/.aws/credentials, for tools that read only that file
    #[arg(long, value_name = "NAME", conflicts_with = "server")]
    pub write_credentials: Option<String>,
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
    /// Print the variables as code for this shell (or one JSON object) instead of NAME=value lines
    #[arg(long, short, value_enum)]
    pub shell: Option<ServeFormat>,
    /// Write the variables (they include the token) to FILE, mode 0600, instead of stdout; removed when serve stops
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

/// What `stsenv serve --shell` can print: the server's variables as shell
/// code (the same emitters as `env`), or as one JSON object (not
/// credential_process JSON: the server hands out no credentials in its
/// output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ServeFormat {
    /// bash code (`export NAME='value'`)
    Bash,
    /// zsh code
    Zsh,
    /// fish code (`set -gx NAME 'value'`)
    Fish,
    /// PowerShell code (`$env:NAME = 'value'`)
    Powershell,
    /// a .env file (`NAME='value'`)
    Dotenv,
    /// one JSON object of the variables (`{"NAME": "value"}`)
    Json,
    /// the same as bash (the AWS CLI's name)
    Env,
    /// `NAME=value` lines without `export` (quoted only where a shell needs it)
    EnvNoExport,
    /// cmd.exe code (`set "NAME=value"`)
    WindowsCmd,
    /// credential_process JSON: refused, `serve` prints no credentials
    #[value(hide = true)]
    Process,
}

impl ServeFormat {
    /// The emitter of `env` that writes this format, `Ok(None)` for the
    /// JSON object; why not for `process`, which has no place for the
    /// server's variables.
    pub fn code(self) -> Result<Option<OutputFormat>, String> {
        Ok(Some(match self {
            ServeFormat::Bash => OutputFormat::Bash,
            ServeFormat::Zsh => OutputFormat::Zsh,
            ServeFormat::Fish => OutputFormat::Fish,
            ServeFormat::Powershell => OutputFormat::Powershell,
            ServeFormat::Dotenv => OutputFormat::Dotenv,
            ServeFormat::Env => OutputFormat::Env,
            ServeFormat::EnvNoExport => OutputFormat::EnvNoExport,
            ServeFormat::WindowsCmd => OutputFormat::WindowsCmd,
            ServeFormat::Json => return Ok(None),
            ServeFormat::Process => return Err(
                "`serve --shell process`: serve prints the server's URL and token, not credentials, so credential_process JSON cannot hold them; use --shell json for the variables as one JSON object, or `stsenv credential-process PROFILE` for the credentials themselves".to_string(),
            ),
        }))
    }
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

/// Arguments of `stsenv init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The shell to print the plugin for
    #[arg(value_enum)]
    pub shell: Shell,
    /// Do not define `<profile>_assume` functions or the `assume` shorthand
    #[arg(long)]
    pub no_aliases: bool,
    /// Do not install the prompt hook that renews credentials
    #[arg(long)]
    pub no_hook: bool,
    /// Print the path of the file (or directory) in the cache directory
    /// that holds the `<profile>_assume` functions, writing it first if
    /// needed (the bash plugin asks for it when a function is first needed
    /// after the config changed)
    #[arg(long, conflicts_with = "no_aliases")]
    pub functions_file: bool,
}

/// Arguments of `stsenv unset`.
#[derive(Debug, Args)]
pub struct UnsetArgs {
    /// Output format [default: from $SHELL, else bash]
    #[arg(long, short, value_enum)]
    pub shell: Option<UnsetFormat>,
    /// Also remove [NAME], written by `--write-credentials NAME`, from ~/.aws/credentials
    #[arg(long, value_name = "NAME")]
    pub write_credentials: Option<String>,
}

/// What `stsenv unset` can print: code that removes variables, which JSON
/// cannot express.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UnsetFormat {
    /// bash code (`unset NAME`)
    Bash,
    /// zsh code
    Zsh,
    /// fish code (`set -e NAME`)
    Fish,
    /// PowerShell code (`Remove-Item Env:NAME`)
    Powershell,
    /// a .env file (nothing to remove: prints nothing)
    Dotenv,
    /// the same as bash (the AWS CLI's name)
    Env,
    /// `NAME=value` lines (nothing to remove: prints nothing)
    EnvNoExport,
    /// cmd.exe code (`set "NAME="`)
    WindowsCmd,
}

impl From<UnsetFormat> for OutputFormat {
    fn from(format: UnsetFormat) -> OutputFormat {
        match format {
            UnsetFormat::Bash => OutputFormat::Bash,
            UnsetFormat::Zsh => OutputFormat::Zsh,
            UnsetFormat::Fish => OutputFormat::Fish,
            UnsetFormat::Powershell => OutputFormat::Powershell,
            UnsetFormat::Dotenv => OutputFormat::Dotenv,
            UnsetFormat::Env => OutputFormat::Env,
            UnsetFormat::EnvNoExport => OutputFormat::EnvNoExport,
            UnsetFormat::WindowsCmd => OutputFormat::WindowsCmd,
        }
    }
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
    #[command(after_help = "Examples:\n  stsenv cache list\n  stsenv cache list --json")]
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Delete cached sessions: all of them, or those of one profile
    #[command(after_help = "Examples:\n  stsenv cache clear dev\n  stsenv cache clear")]
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

/// Arguments of `stsenv login`.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Whose token.
    #[command(flatten)]
    pub target: SsoTarget,
    /// Do not open a browser; only print the URL and code
    #[arg(long)]
    pub no_browser: bool,
    /// `aws login` profiles: sign in on another device and paste the code it shows
    #[arg(long, conflicts_with = "sso_session")]
    pub remote: bool,
}

/// Whose token `login` and `logout` handle: an SSO profile or session, or
/// an `aws login` profile.
#[derive(Debug, Args)]
pub struct SsoTarget {
    /// An SSO or `aws login` (login_session) profile; `login` creates a new name as an `aws login` profile [default: $AWS_PROFILE, then `default`]
    #[arg(conflicts_with = "sso_session", add = ArgValueCandidates::new(profile_candidates))]
    pub profile: Option<String>,
    /// The profile, as an option (for names that start with `-`)
    #[arg(long = "profile", short = 'p', value_name = "PROFILE",
          conflicts_with_all = ["profile", "sso_session"],
          add = ArgValueCandidates::new(profile_candidates))]
    pub profile_option: Option<String>,
    /// An `[sso-session NAME]` section instead of a profile
    #[arg(long, value_name = "NAME")]
    pub sso_session: Option<String>,
}

impl SsoTarget {
    /// The profile named by the positional argument or `--profile`.
    pub fn profile_name(&self) -> Option<&str> {
        self.profile.as_deref().or(self.profile_option.as_deref())
    }
}

/// `stsenv sso …`
#[derive(Debug, Subcommand)]
pub enum SsoCommand {
    /// Add a profile for every account and role you can reach through an sso-session
    #[command(
        after_help = "Examples:\n  stsenv sso populate corp --dry-run\n  stsenv sso populate corp"
    )]
    Populate {
        /// The `[sso-session NAME]` to list (default: the only one)
        sso_session: Option<String>,
        /// Print the lines that would be added without writing
        #[arg(long)]
        dry_run: bool,
    },
}

/// Arguments of `stsenv console`.
#[derive(Debug, Args)]
#[command(mut_arg("duration", |a| a.help(
    "Console session length, 900–43200 s [default: what the credentials have left]"
)))]
pub struct ConsoleArgs {
    /// How the credentials are obtained.
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// Print the sign-in URL instead of opening a browser (anyone with it is signed in for 15 minutes)
    #[arg(long, conflicts_with = "clipboard")]
    pub print: bool,
    /// Copy the sign-in URL to the clipboard instead of opening a browser
    #[arg(long)]
    pub clipboard: bool,
    /// The console page to open: an https:// URL, or a service name such as s3 or ec2 [default: the console home]
    #[arg(long, value_name = "URL|SERVICE")]
    pub destination: Option<String>,
}

/// Arguments of `stsenv eks-token`.
#[derive(Debug, Args)]
pub struct EksTokenArgs {
    /// How the credentials are obtained.
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// The EKS cluster's name
    #[arg(long, value_name = "NAME")]
    pub cluster_name: String,
}

/// `stsenv keys …`
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Store an access key in the keystore (asked on the terminal) and mark the profile
    #[command(
        after_help = "Examples:\n  stsenv keys add base\n  pass show aws/base | stsenv keys add base --stdin"
    )]
    Add {
        /// The profile (created in ~/.aws/config when missing)
        #[arg(add = ArgValueCandidates::new(profile_candidates))]
        profile: String,
        /// Read the key id and the secret from two lines of stdin instead of the terminal
        #[arg(long)]
        stdin: bool,
        /// Store without checking the key with sts:GetCallerIdentity
        #[arg(long)]
        no_verify: bool,
    },
    /// Move a profile's keys from ~/.aws/credentials into the keystore
    #[command(after_help = "Examples:\n  stsenv keys import base\n  stsenv whoami base")]
    Import {
        /// The profile whose aws_access_key_id / aws_secret_access_key move
        #[arg(add = ArgValueCandidates::new(profile_candidates))]
        profile: String,
    },
    /// Replace the stored access key with a new one (iam:CreateAccessKey, iam:DeleteAccessKey)
    #[command(
        after_help = "Examples:\n  stsenv keys rotate base\n  stsenv keys rotate base --token-code 123456"
    )]
    Rotate {
        /// A profile whose keys are in the keystore
        #[arg(add = ArgValueCandidates::new(profile_candidates))]
        profile: String,
        /// The six-digit MFA code, when the profile has mfa_serial (otherwise asked)
        #[arg(long, value_name = "CODE")]
        token_code: Option<String>,
    },
    /// List the profiles whose keys are in a keystore (key ids only)
    #[command(after_help = "Examples:\n  stsenv keys list\n  stsenv keys list --json")]
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Delete a profile's keys from its keystore and its stsenv_keyring mark
    #[command(
        after_help = "Examples:\n  stsenv keys remove base\n  stsenv keys remove base --yes"
    )]
    Remove {
        /// The profile
        #[arg(add = ArgValueCandidates::new(profile_candidates))]
        profile: String,
        /// Do not ask for confirmation
        #[arg(long, short)]
        yes: bool,
    },
}

/// Arguments of `stsenv completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate completions for
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Profile names for dynamic completion (`stsenv init` registers it): read
/// from the AWS files at TAB time, so new profiles complete without re-init.
/// An unreadable config completes nothing rather than printing an error
/// into the user's command line.
fn profile_candidates() -> Vec<CompletionCandidate> {
    stsenv_core::profile::config::AwsConfig::load()
        .map(|config| {
            config
                .profile_names()
                .into_iter()
                .map(CompletionCandidate::new)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_options_round_trip_with_dashes_and_equals() {
        let options = SessionOptions {
            role_arn: Some("arn:aws:iam::1:role/a b".into()),
            session_name: Some("-dev".into()),
            external_id: Some("--x=y".into()),
            duration: Some(900),
            policy: Some(PathBuf::from("policy.json")),
            ..SessionOptions::default()
        };
        let words = options.to_words();
        assert!(
            words.iter().all(|w| w.starts_with("--") && w.contains('=')),
            "{words:?}"
        );
        let back = SessionOptions::from_words(&words).unwrap();
        assert_eq!(back.session_name.as_deref(), Some("-dev"));
        assert_eq!(back.external_id.as_deref(), Some("--x=y"));
        assert_eq!(back.duration, Some(900));
        assert!(back.policy.unwrap().is_absolute());
        assert_eq!(back.role_arn, options.role_arn);
        assert!(SessionOptions::default().to_words().is_empty());
    }

    #[test]
    fn repeated_tags_are_one_word_each_and_round_trip() {
        let options = SessionOptions {
            session_tag: vec!["Team=ops".into(), "Who=me me".into()],
            transitive_tag: vec!["Team".into()],
            ..SessionOptions::default()
        };
        let words = options.to_words();
        assert_eq!(
            words,
            [
                "--session-tag=Team=ops",
                "--session-tag=Who=me me",
                "--transitive-tag=Team"
            ]
        );
        assert_eq!(SessionOptions::from_words(&words).unwrap(), options);
    }
}

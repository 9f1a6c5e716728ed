//! One error type for the whole engine. Every message names the profile and,
//! where one exists, the file, and says what the user can do next. No message
//! ever contains a secret.

use std::path::PathBuf;

use jiff::Timestamp;

/// Shorthand used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while resolving credentials.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The profile is in neither config file.
    #[error("profile `{name}` not found in {files}{hint}", files = display_paths(files), hint = suggestion_hint(suggestions))]
    UnknownProfile {
        /// The name that was asked for.
        name: String,
        /// The files that were searched.
        files: Vec<PathBuf>,
        /// Close names, best first.
        suggestions: Vec<String>,
    },
    /// `source_profile` leads back to a profile already on the chain.
    #[error("source_profile cycle: {} (in {file}); point one of them at a profile with keys", chain.join(" -> "), file = file.display())]
    SourceCycle {
        /// The profiles on the cycle, the repeated one last.
        chain: Vec<String>,
        /// The config file.
        file: PathBuf,
    },
    /// A profile names a `source_profile` that does not exist.
    #[error("profile `{profile}` has source_profile = {source_name}, but no such profile exists in {file}", file = file.display())]
    DanglingSource {
        /// The profile holding the key.
        profile: String,
        /// The missing name.
        source_name: String,
        /// The file holding the profile.
        file: PathBuf,
    },
    /// A profile cannot produce credentials as written.
    #[error("profile `{profile}` in {file}: {problem}", file = file.display())]
    InvalidProfile {
        /// The profile.
        profile: String,
        /// The file holding it.
        file: PathBuf,
        /// What is wrong and what to do, in one sentence.
        problem: String,
    },
    /// The config or credentials file cannot be parsed.
    #[error("cannot read AWS config: {0}")]
    ConfigFile(String),
    /// `credential_source = Environment`, but the environment has no keys.
    #[error("profile `{profile}` has credential_source = Environment, but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set (or blank) in the environment")]
    MissingEnvironmentCredentials {
        /// The profile naming the source.
        profile: String,
    },
    /// No `[sso-session NAME]` section has that name.
    #[error("there is no [sso-session {name}] section in {file}{known}", file = file.display(), known = known_sessions(known))]
    UnknownSsoSession {
        /// The name asked for.
        name: String,
        /// The config file.
        file: PathBuf,
        /// The sessions that exist.
        known: Vec<String>,
    },
    /// An `[sso-session NAME]` section cannot be used as written.
    #[error("[sso-session {name}] in {file} {problem}", file = file.display())]
    InvalidSsoSession {
        /// The session.
        name: String,
        /// The config file.
        file: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// An AWS config or credentials file exists but cannot be read.
    #[error("cannot read {path}: {problem}", path = path.display())]
    UnreadableFile {
        /// The file.
        path: PathBuf,
        /// Why, starting with e.g. `permission denied`, and what to do.
        problem: String,
    },
    /// A value given to stsenv (a console destination, a cluster name, an
    /// endpoint setting) cannot be used; the message names it and says why.
    #[error("{0}")]
    Unusable(String),
    /// An MFA code is needed and there is no terminal to ask on.
    #[error("MFA code needed for {profile} ({serial}) and there is no terminal to ask on")]
    MfaNeeded {
        /// The profile being resolved.
        profile: String,
        /// The MFA device ARN.
        serial: String,
    },
    /// The file keystore needs its passphrase and there is no one to ask.
    #[error("profile `{profile}`: the passphrase of {path} is needed and there is no terminal to ask on; run it in a terminal, or set STSENV_KEYSTORE_PASSPHRASE", path = path.display())]
    PassphraseNeeded {
        /// The profile whose keys are wanted.
        profile: String,
        /// Its keystore file.
        path: PathBuf,
    },
    /// Three MFA codes were typed and none was six digits.
    #[error("no valid MFA code entered for {profile}")]
    MfaNotEntered {
        /// The profile being resolved.
        profile: String,
    },
    /// An SSO login is needed and there is no terminal to run it on.
    #[error("SSO login needed for profile `{profile}`")]
    LoginNeeded {
        /// The profile (or sso-session) needing a login.
        profile: String,
    },
    /// An sso-session (named with `--sso-session`) needs a login.
    #[error("SSO login needed for sso-session `{session}`")]
    SessionLoginNeeded {
        /// The `[sso-session]` name.
        session: String,
    },
    /// An `aws login` session cannot give credentials without a new login
    /// (no cached login, or the refresh token has ended).
    #[error("the `aws login` session of profile `{profile}` needs a new login: {reason}")]
    SignInNeeded {
        /// The profile with `login_session`.
        profile: String,
        /// Why, in a few words.
        reason: String,
    },
    /// An SSO device login did not complete.
    #[error("SSO login for {target} failed: {reason}")]
    Login {
        /// The profile or sso-session, as the user would name it.
        target: String,
        /// What happened and what to do.
        reason: String,
    },
    /// The user interrupted (Ctrl-C) while stsenv waited.
    #[error("cancelled")]
    Cancelled,
    /// An AWS service answered with an error.
    #[error("{operation} for profile `{profile}` failed: {code}: {message}{hint}", hint = service_hint(code))]
    Service {
        /// The profile being resolved.
        profile: String,
        /// The API call, e.g. `sts:AssumeRole`.
        operation: String,
        /// The AWS error code, e.g. `AccessDenied`.
        code: String,
        /// The service's message.
        message: String,
    },
    /// The service could not be reached (DNS, refused, timeout).
    #[error("{operation} for profile `{profile}`: cannot reach {endpoint}: {reason}; check the network, AWS_ENDPOINT_URL* and the profile's endpoint_url")]
    Unreachable {
        /// The profile being resolved.
        profile: String,
        /// The API call.
        operation: String,
        /// The endpoint tried, or `the AWS endpoint` when unknown.
        endpoint: String,
        /// What happened.
        reason: String,
    },
    /// The console's federation endpoint failed or answered something unusable.
    #[error("console sign-in for profile `{profile}` through {endpoint} failed: {reason}")]
    Federation {
        /// The profile.
        profile: String,
        /// The federation endpoint (no query: never the credentials).
        endpoint: String,
        /// What happened.
        reason: String,
    },
    /// A `credential_process` command failed or printed something unusable.
    #[error("credential_process for profile `{profile}` failed: {reason}")]
    CredentialProcess {
        /// The profile.
        profile: String,
        /// What happened, including the command's stderr.
        reason: String,
    },
    /// Credentials that came from outside cannot be used as they are.
    #[error("credentials for profile `{profile}` from {origin} are unusable: {problem}")]
    InvalidCredentials {
        /// The profile being resolved.
        profile: String,
        /// Where they came from: `sts:AssumeRole`, `credential_process`, ….
        origin: String,
        /// What is wrong (never the value).
        problem: Unusable,
    },
    /// A process that cannot prompt found the lock it needs held by
    /// another stsenv that waits for an MFA code.
    #[error("another stsenv is waiting for an MFA code or a login for {profile}")]
    PeerPrompting {
        /// The profile being resolved.
        profile: String,
    },
    /// The cache directory cannot be trusted (a link, another user's, open
    /// to others); the message says which and what to do.
    #[error("{0}")]
    CacheDir(String),
    /// A credential source outside stsenv (the environment, instance
    /// metadata, a container endpoint, a web identity token file) gave
    /// nothing usable.
    #[error("profile `{profile}`: {origin}: {problem}")]
    CredentialSource {
        /// The profile naming the source.
        profile: String,
        /// Where the credentials were to come from.
        origin: String,
        /// What happened and what to do.
        problem: String,
    },
    /// The OS keystore is missing, locked or holds nothing usable.
    #[error("{}{problem}", profile_prefix(profile))]
    Keystore {
        /// The profile whose keys were wanted, when there is one.
        profile: Option<String>,
        /// What happened and what to do.
        problem: String,
    },
    /// A local file operation failed.
    #[error("{action} {path}: {source}", path = path.display())]
    Io {
        /// What we were doing, e.g. `cannot write cache file`.
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

impl Error {
    /// The process exit code for this error: 3 when a human is needed (MFA
    /// code or SSO login) but there is no terminal, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::MfaNeeded { .. }
            | Error::PassphraseNeeded { .. }
            | Error::PeerPrompting { .. }
            | Error::LoginNeeded { .. }
            | Error::SignInNeeded { .. }
            | Error::SessionLoginNeeded { .. } => 3,
            // The shell convention for a process ended by SIGINT.
            Error::Cancelled => 130,
            _ => 1,
        }
    }

    /// Build an [`Error::Io`].
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

fn display_paths(files: &[PathBuf]) -> String {
    let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    names.join(" and ")
}

fn known_sessions(known: &[String]) -> String {
    if known.is_empty() {
        String::new()
    } else {
        format!("; sessions: {}", known.join(", "))
    }
}

fn profile_prefix(profile: &Option<String>) -> String {
    profile
        .as_deref()
        .map(|p| format!("profile `{p}`: "))
        .unwrap_or_default()
}

fn suggestion_hint(suggestions: &[String]) -> String {
    match suggestions {
        [] => String::new(),
        [one] => format!("; did you mean `{one}`?"),
        many => format!("; did you mean one of: {}?", many.join(", ")),
    }
}

fn service_hint(code: &str) -> &'static str {
    match code {
        "AccessDenied" => {
            " (check the role's trust policy, the external_id and whether MFA is required)"
        }
        "ExpiredToken" | "InvalidClientTokenId" => " (the source credentials are expired or wrong)",
        "ValidationError" => " (check duration_seconds, role_session_name and the ARNs)",
        _ => "",
    }
}

/// Why a set of credentials cannot be used ([`crate::credentials::Credentials::check`]). The
/// message names the field, never its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unusable {
    /// A field is empty.
    Empty(&'static str),
    /// A field holds a character no AWS credential has.
    Character(&'static str),
    /// A field is longer than any AWS credential (the field, the maximum).
    TooLong(&'static str, usize),
    /// They expired at this time.
    Expired(Timestamp),
}

impl std::fmt::Display for Unusable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unusable::Empty(field) => write!(f, "the {field} is empty"),
            Unusable::Character(field) => write!(
                f,
                "the {field} contains a character AWS credentials never have (a control character, space, quote, backslash, `$` or non-ASCII)"
            ),
            Unusable::TooLong(field, max) => write!(
                f,
                "the {field} is longer than {max} characters, which no AWS credential is"
            ),
            Unusable::Expired(at) => write!(
                f,
                "they expired at {} (check the system clock)",
                at.strftime("%Y-%m-%dT%H:%M:%SZ")
            ),
        }
    }
}

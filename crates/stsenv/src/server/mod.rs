//! The credential server behind `stsenv exec --server` and `stsenv serve`:
//! an HTTP endpoint on 127.0.0.1 answering in the container-credentials
//! format that ECS uses (`AccessKeyId`, `SecretAccessKey`, `Token`,
//! `Expiration`), so every AWS SDK and the AWS CLI fetch and renew
//! credentials by themselves through `AWS_CONTAINER_CREDENTIALS_FULL_URI`
//! and `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
//!
//! - `http`: the listener and the request rules (loopback `Host`, token),
//!   event-driven so idle connections hold no thread.
//! - `limits`: the descriptor limit (raised for the server, not the child).
//! - `renew`: the background thread that renews through the session cache
//!   before the refresh margin, so no request ever waits for STS.
//! - `aws_files`: private copies of the AWS files without `[default]`'s
//!   credentials, which the SDKs would otherwise prefer over the server;
//!   `private_store` keeps them where nothing outlives the process.
//! - `child`: `exec --server` (env, signals, exit status).
//! - `signals`: signal forwarding and the stop signal of `serve`.

mod aws_files;
mod child;
mod http;
mod limits;
mod private_store;
mod renew;
mod signals;

use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::thread::JoinHandle;

use jiff::Timestamp;
use stsenv_core::{Credentials, Error, Result};
use subtle::ConstantTimeEq;

use crate::cli::ProfileArgs;
use crate::error::CliError;
use crate::obtain::Resolved as Session;

pub use aws_files::PrivateAwsFiles;
pub use child::run_exec;
pub use signals::StopSignal;

/// The URL variable the SDKs read.
pub const URI_VAR: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
/// The token variable the SDKs send as the `Authorization` header.
pub const TOKEN_VAR: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";

/// Variables removed where the server's variables are set: each of them
/// would win over the container endpoint in some SDK's chain (static keys,
/// a profile, web identity, another container endpoint or token file), or
/// would make the shell plugin export keys again (`STSENV_*`).
pub const SHADOWING: [&str; 16] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "STSENV_PROFILE",
    "STSENV_REFRESH_AT",
    "STSENV_OPTIONS",
    "STSENV_VARS",
];

/// The one call into the CLI's credential resolution: the same plan, cache
/// and MFA prompt as `stsenv env`. Every resolution the server makes (the
/// first one and each renewal) goes through here.
fn resolve(args: &ProfileArgs) -> Result<Session> {
    crate::obtain::resolve(args).map_err(|err| match err {
        CliError::Core(err) => err,
        other => Error::Unusable(other.to_string()),
    })
}

/// The command that renews the session by hand (asking for an MFA code or
/// naming the SSO login), for the messages printed when renewal fails.
fn fix_command(session_args: &ProfileArgs, profile: &str) -> String {
    let mut command = format!("stsenv whoami {}", shell_words::quote(profile));
    for word in session_args.session.to_words() {
        command.push(' ');
        command.push_str(&shell_words::quote(&word));
    }
    command
}

/// A running credential server; stopped by [`Server::stop`] or on drop.
pub struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
    profile: String,
    region: Option<String>,
}

impl Server {
    /// Resolve `args` (asking for an MFA code in the foreground if needed),
    /// listen on 127.0.0.1:`port` (0: a free port) and start answering and
    /// renewing. `waiting` names what depends on the server (`` `make` ``),
    /// for the line printed when renewal needs a new MFA code.
    pub fn start(args: &ProfileArgs, port: u16, waiting: String) -> Result<Server> {
        let session = resolve(args)?;
        let Some(expires) = session.credentials.expiration else {
            return Err(Error::Unusable(format!(
                "profile `{p}` gives long-term keys that never expire, which the credential server does not hand out; \
                 use `stsenv exec {p} -- …`, or a profile with a role, an MFA device or SSO",
                p = session.plan.profile
            )));
        };
        let listener = http::Listener::bind(port).map_err(|e| {
            Error::Unusable(format!(
                "cannot listen on 127.0.0.1:{port}: {e}; choose another --port or leave it out for a free one"
            ))
        })?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::io("cannot read the address of", "the server socket", e))?;
        let shared = Arc::new(Shared {
            token: Token::generate()?,
            current: RwLock::new(Arc::new(Current::new(&session.credentials, expires))),
            stopped: Mutex::new(false),
            wake: Condvar::new(),
            stopping: AtomicBool::new(false),
            tty: Mutex::new(None),
        });
        let max_connections = limits::raise_open_files();
        let acceptor = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("stsenv-server".into())
                .spawn(move || listener.serve(&shared, max_connections))
                .map_err(|e| Error::io("cannot start the server thread", "thread", e))?
        };
        let profile = session.plan.profile.clone();
        let region = session.plan.region.clone();
        let renewer =
            renew::Renewer::new(Arc::clone(&shared), session, waiting, !args.non_interactive);
        std::thread::Builder::new()
            .name("stsenv-renew".into())
            .spawn(move || renewer.run())
            .map_err(|e| Error::io("cannot start the renewal thread", "thread", e))?;
        Ok(Server {
            addr,
            shared,
            acceptor: Some(acceptor),
            profile,
            region,
        })
    }

    /// `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The profile whose credentials are served.
    pub fn profile(&self) -> &str {
        &self.profile
    }

    /// The variables an SDK needs to use this server: its URL and token,
    /// and the profile's region when it names one (an SDK, or AWS CLI v1,
    /// without a region cannot call anything).
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let mut env = vec![
            (URI_VAR, self.url()),
            (TOKEN_VAR, self.shared.token.as_str().to_string()),
        ];
        if let Some(region) = &self.region {
            env.push(("AWS_REGION", region.clone()));
            env.push(("AWS_DEFAULT_REGION", region.clone()));
        }
        env
    }

    /// Stop listening (the socket is closed when this returns) and stop
    /// renewing. A renewal waiting on STS or an MFA prompt is abandoned;
    /// the terminal is given back its settings if a prompt was open.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let Some(acceptor) = self.acceptor.take() else {
            return;
        };
        self.shared.stopping.store(true, Ordering::SeqCst);
        *self
            .shared
            .stopped
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = true;
        self.shared.wake.notify_all();
        // accept() does not return on its own: one connection wakes it.
        let _ = TcpStream::connect(self.addr);
        let _ = acceptor.join();
        renew::restore_terminal(&self.shared);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// State shared by the listener, the connections and the renewal thread.
struct Shared {
    token: Token,
    /// What requests are answered with; replaced whole by the renewer, so
    /// a request never waits for a renewal.
    current: RwLock<Arc<Current>>,
    /// Set once on stop; the renewer sleeps on `wake`.
    stopped: Mutex<bool>,
    wake: Condvar,
    /// Read by the accept loop.
    stopping: AtomicBool,
    /// The terminal's settings while an MFA prompt is open, to restore if
    /// the server stops mid-prompt (the prompt turns echo off).
    tty: Mutex<Option<renew::SavedTerminal>>,
}

impl Shared {
    fn current(&self) -> Arc<Current> {
        Arc::clone(&self.current.read().unwrap_or_else(|e| e.into_inner()))
    }

    fn publish(&self, current: Current) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(current);
    }
}

/// The credentials being served, rendered once per renewal.
struct Current {
    /// The 200 body.
    body: Vec<u8>,
    /// When the credentials stop working; after this, 503.
    expires: Timestamp,
    /// The 503 body once a renewal failed: what happened and the fix.
    unavailable: Option<Vec<u8>>,
}

impl Current {
    fn new(credentials: &Credentials, expires: Timestamp) -> Current {
        let mut doc = serde_json::Map::new();
        doc.insert(
            "AccessKeyId".into(),
            credentials.access_key_id.clone().into(),
        );
        doc.insert(
            "SecretAccessKey".into(),
            credentials.secret_access_key.clone().into(),
        );
        if let Some(token) = &credentials.session_token {
            doc.insert("Token".into(), token.clone().into());
        }
        doc.insert(
            "Expiration".into(),
            stsenv_core::credentials::format_rfc3339(expires).into(),
        );
        Current {
            body: serde_json::Value::Object(doc).to_string().into_bytes(),
            expires,
            unavailable: None,
        }
    }

    /// The same credentials, with the message to answer once they expire.
    fn failed(&self, message: &str) -> Current {
        let body = serde_json::json!({ "code": "CredentialsUnavailable", "message": message });
        Current {
            body: self.body.clone(),
            expires: self.expires,
            unavailable: Some(body.to_string().into_bytes()),
        }
    }
}

/// The per-run secret the client must send as `Authorization`: 256 random
/// bits from the OS, as 64 hex digits. Never printed by `Debug`.
struct Token(String);

impl Token {
    fn generate() -> Result<Token> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| {
            Error::io(
                "cannot read random bytes for the server token from",
                "the operating system",
                std::io::Error::other(e.to_string()),
            )
        })?;
        Ok(Token(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }

    fn as_str(&self) -> &str {
        &self.0
    }

    /// Constant-time comparison (the length is not secret).
    fn matches(&self, presented: &[u8]) -> bool {
        self.0.as_bytes().ct_eq(presented).into()
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(** redacted **)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_256_bit_hex() {
        let a = Token::generate().unwrap();
        let b = Token::generate().unwrap();
        assert_eq!(a.as_str().len(), 64);
        assert!(a.as_str().bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a.as_str(), b.as_str());
        assert!(a.matches(a.as_str().as_bytes()));
        assert!(!a.matches(b.as_str().as_bytes()));
        assert!(!a.matches(&a.as_str().as_bytes()[..63]));
        assert!(!format!("{a:?}").contains(a.as_str()));
    }

    #[test]
    fn the_body_is_the_container_credentials_format() {
        let expires: Timestamp = "2030-01-02T03:04:05Z".parse().unwrap();
        let creds = Credentials {
            access_key_id: "ASIAX".into(),
            secret_access_key: "s\"e\\cret".into(),
            session_token: Some("tok".into()),
            expiration: Some(expires),
        };
        let current = Current::new(&creds, expires);
        let doc: serde_json::Value = serde_json::from_slice(&current.body).unwrap();
        assert_eq!(
            doc,
            serde_json::json!({
                "AccessKeyId": "ASIAX",
                "SecretAccessKey": "s\"e\\cret",
                "Token": "tok",
                "Expiration": "2030-01-02T03:04:05Z",
            })
        );
        let failed = current.failed("run `x`");
        let doc: serde_json::Value =
            serde_json::from_slice(failed.unavailable.as_ref().unwrap()).unwrap();
        assert_eq!(doc["message"], "run `x`");
        assert_eq!(failed.body, current.body);
    }
}

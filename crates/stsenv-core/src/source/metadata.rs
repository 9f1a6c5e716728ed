//! The credentials a machine hands out: the EC2 instance role through IMDSv2
//! (`credential_source = Ec2InstanceMetadata`) and the ECS task / EKS pod
//! role through the container credentials endpoint (`credential_source =
//! EcsContainer`).
//!
//! Both are asked only when a profile names them, never as a fallback: a
//! laptop never sends a packet to 169.254.169.254. Where to ask is settled
//! when the plan is built (so `explain` shows it and it is part of the cache
//! identity); the asking itself is aws-config's own providers (IMDSv2 only,
//! no IMDSv1 fallback; the container provider's token handling), on
//! stsenv's HTTP client. What the endpoints answer is checked like any
//! other outside value before it is used.

use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use aws_config::ecs::EcsCredentialsProvider;
use aws_config::imds::credentials::ImdsCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::BehaviorVersion;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::ProvideCredentials;
use aws_smithy_async::time::SystemTimeSource;
use jiff::Timestamp;
use serde::Serialize;
use url::{Host, Url};

use crate::aws::client::{http_client, printable};
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::profile::config::AwsConfig;

/// `true` (any case) refuses every IMDS request.
pub const IMDS_DISABLED_VAR: &str = "AWS_EC2_METADATA_DISABLED";
/// The IMDS endpoint, over the profile's `ec2_metadata_service_endpoint`.
pub const IMDS_ENDPOINT_VAR: &str = "AWS_EC2_METADATA_SERVICE_ENDPOINT";
/// `IPv4` or `IPv6`, over the profile's `ec2_metadata_service_endpoint_mode`.
pub const IMDS_ENDPOINT_MODE_VAR: &str = "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE";
/// Seconds per IMDS attempt, over the profile's `metadata_service_timeout`.
pub const IMDS_TIMEOUT_VAR: &str = "AWS_METADATA_SERVICE_TIMEOUT";
/// IMDS attempts, over the profile's `metadata_service_num_attempts`.
pub const IMDS_ATTEMPTS_VAR: &str = "AWS_METADATA_SERVICE_NUM_ATTEMPTS";
/// A path on the ECS agent's address (169.254.170.2).
pub const CONTAINER_RELATIVE_URI_VAR: &str = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
/// A whole URL of a container credentials endpoint.
pub const CONTAINER_FULL_URI_VAR: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
/// The `Authorization` value for the container endpoint.
pub const CONTAINER_TOKEN_VAR: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
/// A file holding the `Authorization` value (read on every request; wins
/// over [`CONTAINER_TOKEN_VAR`]).
pub const CONTAINER_TOKEN_FILE_VAR: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";

const IMDS_IPV4: &str = "http://169.254.169.254";
const IMDS_IPV6: &str = "http://[fd00:ec2::254]";
const ECS_AGENT: &str = "http://169.254.170.2";
/// Hosts botocore allows in a plain-HTTP full URI besides loopback addresses.
const CONTAINER_HOSTS: [&str; 4] = [
    "169.254.170.2",
    "169.254.170.23",
    "fd00:ec2::23",
    "localhost",
];
/// botocore's default: one second per attempt (IMDS answers in
/// milliseconds on an instance; elsewhere nobody answers at all).
const DEFAULT_IMDS_TIMEOUT_SECS: u64 = 1;
/// botocore's default is one attempt; the Rust SDK's four. Two survive one
/// dropped packet without making a misconfigured laptop wait long.
const DEFAULT_IMDS_ATTEMPTS: u32 = 2;

/// The EC2 instance role, read from IMDSv2.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstanceMetadata {
    /// The profile naming the source. Not in the identity: the endpoint is.
    #[serde(skip)]
    pub profile: String,
    /// The IMDS base URL (no trailing slash).
    pub endpoint: String,
    /// `AWS_EC2_METADATA_DISABLED` is true: IMDS must not be asked. Not in
    /// the identity: it decides whether IMDS is asked, not what it answers.
    #[serde(skip)]
    pub disabled: bool,
    /// Seconds per connect and per read. Not in the identity (patience
    /// changes nothing in the answer).
    #[serde(skip)]
    pub timeout_secs: u64,
    /// Attempts. Not in the identity, like the timeout.
    #[serde(skip)]
    pub attempts: u32,
}

impl InstanceMetadata {
    /// Where and how to ask IMDS for `profile` (the profile naming the
    /// source). The settings are read as the SDKs read them: environment
    /// first, then `settings_profile`, the profile the user named (the SDKs
    /// take IMDS settings from the active profile, not the source's).
    /// `Err` is the problem, for the caller to put in its error.
    pub fn from_config(
        config: &AwsConfig,
        profile: &str,
        settings_profile: &str,
    ) -> std::result::Result<InstanceMetadata, String> {
        let setting = |var: &str, key: &str| {
            config.env_var(var).or_else(|| {
                let profile = config.profile(settings_profile).ok()?;
                profile
                    .get(key)
                    .map(|v| v.trim().to_string())
                    .filter(|v| !v.is_empty())
            })
        };
        let endpoint = match setting(IMDS_ENDPOINT_VAR, "ec2_metadata_service_endpoint") {
            // Kept as the URL parser normalised it: what reaches messages
            // and the cache identity is a plain URL, whatever the variable held.
            Some(url) => check_http_url(&url)
                .map_err(|p| format!("IMDS endpoint `{}` {p}", printable(&url, 200)))?
                .trim_end_matches('/')
                .to_string(),
            None => match setting(IMDS_ENDPOINT_MODE_VAR, "ec2_metadata_service_endpoint_mode")
                .map(|m| m.to_ascii_lowercase())
                .as_deref()
            {
                None | Some("ipv4") => IMDS_IPV4.to_string(),
                Some("ipv6") => IMDS_IPV6.to_string(),
                Some(other) => {
                    return Err(format!(
                        "ec2_metadata_service_endpoint_mode `{}` is neither IPv4 nor IPv6",
                        printable(other, 40)
                    ))
                }
            },
        };
        let number = |var: &str, key: &str| -> std::result::Result<Option<u64>, String> {
            setting(var, key)
                .map(|v| {
                    v.parse::<u64>()
                        .ok()
                        .filter(|n| (1..=60).contains(n))
                        .ok_or_else(|| {
                            format!(
                                "{key} = {} is not a whole number from 1 to 60",
                                printable(&v, 40)
                            )
                        })
                })
                .transpose()
        };
        Ok(InstanceMetadata {
            profile: profile.to_string(),
            endpoint,
            disabled: config
                .env_var(IMDS_DISABLED_VAR)
                .is_some_and(|v| v.eq_ignore_ascii_case("true")),
            timeout_secs: number(IMDS_TIMEOUT_VAR, "metadata_service_timeout")?
                .unwrap_or(DEFAULT_IMDS_TIMEOUT_SECS),
            attempts: number(IMDS_ATTEMPTS_VAR, "metadata_service_num_attempts")?
                .map(|n| n as u32)
                .unwrap_or(DEFAULT_IMDS_ATTEMPTS),
        })
    }

    /// One line for `stsenv explain`.
    pub fn describe(&self) -> String {
        let mut line = format!(
            "EC2 instance role credentials from IMDSv2 at {} (credential_source of `{}`)",
            self.endpoint, self.profile
        );
        if self.disabled {
            line.push_str(&format!(": disabled now by {IMDS_DISABLED_VAR}"));
        }
        line
    }

    /// Ask IMDS: a session token (PUT), the role's name, its credentials.
    pub fn obtain(&self, runtime: &tokio::runtime::Runtime) -> Result<Credentials> {
        let fail = |problem: String| Error::CredentialSource {
            profile: self.profile.clone(),
            origin: format!("EC2 instance metadata at {}", self.endpoint),
            problem,
        };
        if self.disabled {
            return Err(fail(format!(
                "{IMDS_DISABLED_VAR} is true, so stsenv may not ask; unset it, or use a profile with another credential source"
            )));
        }
        let timeout = Duration::from_secs(self.timeout_secs);
        let config = provider_config();
        let client = aws_config::imds::Client::builder()
            .configure(&config)
            .endpoint(&self.endpoint)
            .map_err(|e| fail(format!("the endpoint is not usable: {e}")))?
            .connect_timeout(timeout)
            .read_timeout(timeout)
            .max_attempts(self.attempts)
            .build();
        let provider = ImdsCredentialsProvider::builder()
            .configure(&config)
            .imds_client(client)
            .build();
        let result = runtime.block_on(provider.provide_credentials());
        let credentials = result.map_err(|err| {
            let hint = match &err {
                CredentialsError::CredentialsNotLoaded(_)
                    if err_text(&err, &[]).contains("404") =>
                {
                    "; the instance has no IAM role (instance profile) attached"
                }
                _ => "",
            };
            fail(format!("{}{hint}", err_text(&err, &[])))
        })?;
        checked(credentials).map_err(fail)
    }
}

/// The ECS task or EKS pod role, read from the container credentials endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContainerEndpoint {
    /// The profile naming the source. Not in the identity: the URL is.
    #[serde(skip)]
    pub profile: String,
    /// `http://169.254.170.2` + `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`,
    /// else `AWS_CONTAINER_CREDENTIALS_FULL_URI`, as read when the plan was
    /// built; `None`: neither is set (not in a container).
    pub uri: Option<String>,
}

impl ContainerEndpoint {
    /// The endpoint the environment of `config` names, for `profile`.
    pub fn from_config(config: &AwsConfig, profile: &str) -> ContainerEndpoint {
        let uri = match config.env_var(CONTAINER_RELATIVE_URI_VAR) {
            Some(relative) => Some(format!("{ECS_AGENT}{relative}")),
            None => config.env_var(CONTAINER_FULL_URI_VAR),
        };
        ContainerEndpoint {
            profile: profile.to_string(),
            uri,
        }
    }

    /// One line for `stsenv explain`.
    pub fn describe(&self) -> String {
        let at = match &self.uri {
            Some(uri) => printable(uri, 200),
            None => format!("{CONTAINER_FULL_URI_VAR} (not set now)"),
        };
        format!(
            "container credentials from {at} (credential_source of `{}`)",
            self.profile
        )
    }

    /// Ask the endpoint, with the authorization token of the environment.
    pub fn obtain(&self, runtime: &tokio::runtime::Runtime) -> Result<Credentials> {
        let origin = match &self.uri {
            Some(uri) => format!("the container credentials endpoint {}", printable(uri, 200)),
            None => "the container credentials endpoint".to_string(),
        };
        let fail = |problem: String| Error::CredentialSource {
            profile: self.profile.clone(),
            origin: origin.clone(),
            problem,
        };
        let Some(uri) = &self.uri else {
            return Err(fail(format!(
                "neither {CONTAINER_RELATIVE_URI_VAR} nor {CONTAINER_FULL_URI_VAR} is set; this works inside an ECS task or EKS pod only"
            )));
        };
        check_container_uri(uri).map_err(&fail)?;
        let token = check_container_token().map_err(&fail)?;
        let secrets: Vec<&str> = token.iter().map(String::as_str).collect();
        // aws-config reads the same variables (URI, token, token file) from
        // this process's environment, checks the URI once more and makes
        // the request.
        let provider = EcsCredentialsProvider::builder()
            .configure(&provider_config())
            .build();
        let credentials = runtime
            .block_on(provider.provide_credentials())
            .map_err(|err| {
                let text = err_text(&err, &secrets);
                let refused = text.contains("(401)") || text.contains("(403)");
                let hint = match refused {
                    true => format!("; the endpoint refused the authorization: check {CONTAINER_TOKEN_FILE_VAR} / {CONTAINER_TOKEN_VAR}"),
                    false => String::new(),
                };
                fail(format!("{text}{hint}"))
            })?;
        checked(credentials).map_err(fail)
    }
}

/// botocore's rule for a container endpoint URL: HTTPS anywhere; plain
/// HTTP only to a loopback address or to the ECS / EKS agents' addresses
/// (and `localhost`). A hostile value must not send a pod's token to
/// another machine in clear text.
pub fn check_container_uri(uri: &str) -> std::result::Result<(), String> {
    let shown = printable(uri, 200);
    let url = Url::parse(uri).map_err(|e| format!("`{shown}` is not a URL: {e}"))?;
    match url.scheme() {
        "https" => return Ok(()),
        "http" => {}
        other => {
            return Err(format!(
                "`{shown}`: scheme {other} is neither http nor https"
            ))
        }
    }
    let allowed = match url.host() {
        Some(Host::Ipv4(ip)) => {
            IpAddr::V4(ip).is_loopback() || CONTAINER_HOSTS.contains(&ip.to_string().as_str())
        }
        Some(Host::Ipv6(ip)) => {
            IpAddr::V6(ip).is_loopback() || CONTAINER_HOSTS.contains(&ip.to_string().as_str())
        }
        Some(Host::Domain(name)) => CONTAINER_HOSTS.contains(&name),
        None => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(format!(
            "host `{}` of `{shown}` is refused: plain HTTP may only go to a loopback address or one of {}; use https",
            url.host_str().map(|h| printable(h, 100)).unwrap_or_default(),
            CONTAINER_HOSTS.join(", ")
        ))
    }
}

/// The token the container endpoint will be sent, checked as botocore
/// checks it (no CR or LF: it becomes a header). Its value is never shown;
/// it is returned so that an endpoint echoing it back is redacted.
fn check_container_token() -> std::result::Result<Option<String>, String> {
    let (token, from) = match std::env::var_os(CONTAINER_TOKEN_FILE_VAR) {
        Some(path) => {
            // A token is a header value: 64 KiB is far more than any; a
            // FIFO or device is refused rather than blocked on.
            let read = crate::store::fsutil::read_regular(Path::new(&path), 64 << 10)
                .and_then(|bytes| bytes.ok_or_else(|| std::io::ErrorKind::NotFound.into()));
            let text = read.map_err(|e| {
                format!(
                    "cannot read {CONTAINER_TOKEN_FILE_VAR} {}: {e}",
                    printable(&path.to_string_lossy(), 200)
                )
            })?;
            (text, CONTAINER_TOKEN_FILE_VAR)
        }
        None => match std::env::var_os(CONTAINER_TOKEN_VAR) {
            Some(token) => (token.into_encoded_bytes(), CONTAINER_TOKEN_VAR),
            None => return Ok(None),
        },
    };
    if token.iter().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
        return Err(format!(
            "the token in {from} has a line break, which an HTTP header cannot carry; remove it"
        ));
    }
    Ok(Some(String::from_utf8_lossy(&token).trim().to_string()))
}

/// An http(s) URL with a host, normalised.
fn check_http_url(text: &str) -> std::result::Result<String, String> {
    let url = Url::parse(text).map_err(|e| format!("is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err("is not an http(s) URL with a host".to_string());
    }
    Ok(url.to_string())
}

/// aws-config's provider settings on stsenv's own HTTP client; nothing is
/// read from the config files (the plan already did).
fn provider_config() -> ProviderConfig {
    let mut config = ProviderConfig::empty()
        .with_http_client(http_client())
        .with_time_source(SystemTimeSource::new())
        .with_behavior_version(Some(BehaviorVersion::latest()));
    if let Some(sleep) = aws_smithy_async::rt::sleep::default_async_sleep() {
        config = config.with_sleep_impl(sleep);
    }
    config
}

/// The provider's credentials as stsenv's, refused when unusable.
fn checked(
    credentials: aws_credential_types::Credentials,
) -> std::result::Result<Credentials, String> {
    let credentials = Credentials {
        access_key_id: credentials.access_key_id().to_string(),
        secret_access_key: credentials.secret_access_key().to_string(),
        session_token: credentials.session_token().map(str::to_string),
        expiration: credentials
            .expiry()
            .and_then(|at| Timestamp::try_from(at).ok()),
    };
    credentials
        .check(Timestamp::now())
        .map_err(|problem| format!("the endpoint answered unusable credentials: {problem}"))?;
    Ok(credentials)
}

/// A provider error with its causes, on one bounded line: each cause's
/// message once (a wrapper that repeats its cause adds nothing), the
/// request's `secrets` redacted.
fn err_text(err: &CredentialsError, secrets: &[&str]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    printable(
        &crate::store::untrusted::redact(&parts.join(": "), secrets),
        500,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_hosts_follow_botocore() {
        for ok in [
            "https://example.com/creds",
            "http://127.0.0.1:8080/creds",
            "http://127.1.2.3/creds",
            "http://[::1]:9/creds",
            "http://localhost:1234/creds",
            "http://169.254.170.2/v2/credentials/x",
            "http://169.254.170.23/v1/credentials",
            "http://[fd00:ec2::23]/v1/credentials",
        ] {
            assert_eq!(check_container_uri(ok), Ok(()), "{ok}");
        }
        for bad in [
            "http://0.0.0.0:9/creds",
            "http://10.0.0.1/creds",
            "http://example.com/creds",
            "http://localhost.evil.com/creds",
            "http://169.254.169.254/latest",
            "ftp://127.0.0.1/creds",
            "not a url",
        ] {
            let err = check_container_uri(bad).unwrap_err();
            assert!(!err.contains('\n'), "{err}");
        }
        let err = check_container_uri("http://0.0.0.0:9/creds").unwrap_err();
        assert!(err.contains("0.0.0.0"), "{err}");
    }

    fn imds(vars: &[(&str, &str)], config: &str) -> std::result::Result<InstanceMetadata, String> {
        let config = AwsConfig::from_texts_with_env(config, "", vars).expect("parses");
        InstanceMetadata::from_config(&config, "src", "named")
    }

    #[test]
    fn imds_endpoint_follows_the_sdks() {
        let named = "[profile named]\nec2_metadata_service_endpoint = http://127.0.0.1:9/\n";
        assert_eq!(imds(&[], "").unwrap().endpoint, IMDS_IPV4);
        assert_eq!(
            imds(
                &[],
                "[profile named]\nec2_metadata_service_endpoint_mode = IPv6\n"
            )
            .unwrap()
            .endpoint,
            IMDS_IPV6
        );
        assert_eq!(imds(&[], named).unwrap().endpoint, "http://127.0.0.1:9");
        let env = [(IMDS_ENDPOINT_VAR, "http://127.0.0.1:7")];
        assert_eq!(imds(&env, named).unwrap().endpoint, "http://127.0.0.1:7");
        // The source profile's own settings are not the SDKs' source of IMDS settings.
        let src_only = "[profile src]\nec2_metadata_service_endpoint = http://127.0.0.1:9\n";
        assert_eq!(imds(&[], src_only).unwrap().endpoint, IMDS_IPV4);
        assert!(imds(&[(IMDS_ENDPOINT_MODE_VAR, "IPv5")], "").is_err());
        assert!(imds(&[(IMDS_ENDPOINT_VAR, "file:///etc/passwd")], "").is_err());
        assert!(imds(&[(IMDS_TIMEOUT_VAR, "soon")], "").is_err());
    }

    #[test]
    fn imds_disabled_and_patience() {
        let plain = imds(&[], "").unwrap();
        assert!(!plain.disabled);
        assert_eq!((plain.timeout_secs, plain.attempts), (1, 2));
        let set = imds(
            &[
                (IMDS_DISABLED_VAR, "TRUE"),
                (IMDS_TIMEOUT_VAR, "10"),
                (IMDS_ATTEMPTS_VAR, "3"),
            ],
            "",
        )
        .unwrap();
        assert!(set.disabled);
        assert_eq!((set.timeout_secs, set.attempts), (10, 3));
        assert_eq!(set.identity_for_test(), plain.identity_for_test());
    }

    #[test]
    fn container_uri_from_the_environment() {
        let config = AwsConfig::from_texts_with_env(
            "",
            "",
            &[
                (CONTAINER_RELATIVE_URI_VAR, "/v2/credentials/abc"),
                (CONTAINER_FULL_URI_VAR, "http://127.0.0.1:1/creds"),
            ],
        )
        .unwrap();
        let endpoint = ContainerEndpoint::from_config(&config, "task");
        assert_eq!(
            endpoint.uri.as_deref(),
            Some("http://169.254.170.2/v2/credentials/abc"),
            "the relative URI wins, as in botocore and the Rust SDK"
        );
        let none = ContainerEndpoint::from_config(&AwsConfig::from_texts("", "").unwrap(), "task");
        assert_eq!(none.uri, None);
        assert!(none.describe().contains(CONTAINER_FULL_URI_VAR));
    }

    impl InstanceMetadata {
        fn identity_for_test(&self) -> String {
            serde_json::to_string(self).unwrap()
        }
    }
}

//! The AWS client layer every service call goes through: one rustls + ring
//! HTTPS client, bounded timeouts, a current-thread runtime built only when
//! a call is needed, and SDK configuration that is entirely explicit —
//! region, credentials and endpoint come from the plan, so no client ever
//! reads a config file, the environment or instance metadata behind
//! stsenv's back (and no IMDS probe can add seconds).

use std::error::Error as StdError;
use std::sync::OnceLock;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_async::time::SystemTimeSource;
use aws_smithy_http_client::tls;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

use crate::credentials::Credentials;
use crate::error::{Error, Result};
pub use crate::store::untrusted::printable;
use crate::store::untrusted::redact;

/// Connect timeout of every call: an unreachable endpoint fails fast.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Upper bound of one operation, retries included.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(20);

/// Where one call goes: the profile it is made for (error messages), the
/// signing region and the endpoint override, if any.
#[derive(Debug, Clone, Copy)]
pub struct CallContext<'a> {
    /// The profile, named in error messages.
    pub profile: &'a str,
    /// Region for signing and endpoint resolution.
    pub region: &'a str,
    /// An endpoint URL that replaces the service's default (`None`: AWS).
    pub endpoint: Option<&'a str>,
    /// Every secret that goes into the call (secret key, session token,
    /// access token, client secret, refresh token, device code): redacted
    /// from whatever the server answers before it is shown.
    pub secrets: &'a [&'a str],
}

impl<'a> CallContext<'a> {
    /// This context, with `secrets` to redact from the server's answers.
    pub fn with_secrets(self, secrets: &'a [&'a str]) -> Self {
        CallContext { secrets, ..self }
    }

    /// Outside text (an error code, message, cause) as it may be shown:
    /// this call's secrets redacted, then escaped and bounded.
    pub fn shown(&self, text: &str, max_chars: usize) -> String {
        printable(&redact(text, self.secrets), max_chars)
    }
}

/// A current-thread tokio runtime for network calls; built only on a miss,
/// so a cache hit never pays for it.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("cannot start the async runtime", "tokio", e))
}

/// A runtime made on first use: a plan served from the cache never makes one.
#[derive(Default)]
pub struct LazyRuntime(std::cell::OnceCell<tokio::runtime::Runtime>);

impl LazyRuntime {
    /// The runtime, built on the first call.
    pub fn get(&self) -> Result<&tokio::runtime::Runtime> {
        if let Some(rt) = self.0.get() {
            return Ok(rt);
        }
        let rt = runtime()?;
        Ok(self.0.get_or_init(|| rt))
    }

    /// Whether anything needed the network (the runtime was built).
    pub fn was_used(&self) -> bool {
        self.0.get().is_some()
    }
}

/// The HTTPS client every AWS client shares (STS, SSO, OIDC, IAM, EKS,
/// IMDS, the container endpoint): rustls with ring, built once, every
/// response body capped at [`super::http_cap::MAX_RESPONSE_BYTES`].
pub fn http_client() -> SharedHttpClient {
    static CLIENT: OnceLock<SharedHttpClient> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            super::http_cap::client(
                aws_smithy_http_client::Builder::new()
                    .tls_provider(tls::Provider::Rustls(
                        tls::rustls_provider::CryptoMode::Ring,
                    ))
                    .build_https(),
            )
        })
        .clone()
}

/// A connector for a plain HTTP(S) request outside the SDK's clients (the
/// federation endpoint, the clock check): the SDK's own hyper + rustls/ring
/// stack, so no second TLS stack or HTTP client crate, with connect and read
/// timeouts; callers bound the whole exchange.
pub fn plain_connector() -> aws_smithy_http_client::Connector {
    let settings = aws_smithy_runtime_api::client::http::HttpConnectorSettings::builder()
        .connect_timeout(Duration::from_secs(3))
        .read_timeout(Duration::from_secs(10))
        .build();
    aws_smithy_http_client::Connector::builder()
        .connector_settings(settings)
        .sleep_impl(aws_smithy_async::rt::sleep::TokioSleep::new())
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build()
}

/// SDK configuration for one call, built field by field: nothing is read
/// from files or the environment here (the plan already did, once).
pub fn sdk_config(ctx: CallContext<'_>, credentials: Option<&Credentials>) -> SdkConfig {
    let mut builder = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(ctx.region.to_string()))
        .http_client(http_client())
        .time_source(SystemTimeSource::new())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .read_timeout(Duration::from_secs(10))
                .operation_attempt_timeout(Duration::from_secs(10))
                .operation_timeout(OPERATION_TIMEOUT)
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(2));
    builder.set_sleep_impl(aws_smithy_async::rt::sleep::default_async_sleep());
    builder.set_endpoint_url(ctx.endpoint.map(str::to_string));
    if let Some(creds) = credentials {
        builder =
            builder.credentials_provider(SharedCredentialsProvider::new(to_sdk_credentials(creds)));
    }
    builder.build()
}

/// Convert to the SDK's credentials type.
pub fn to_sdk_credentials(creds: &Credentials) -> aws_credential_types::Credentials {
    aws_credential_types::Credentials::new(
        creds.access_key_id.clone(),
        creds.secret_access_key.clone(),
        creds.session_token.clone(),
        creds.expiration.map(std::time::SystemTime::from),
        "stsenv",
    )
}

/// Turn an SDK error into one that names the profile, the call and what to do.
pub fn service_error<E, R>(err: SdkError<E, R>, ctx: CallContext<'_>, operation: &str) -> Error
where
    E: ProvideErrorMetadata + StdError + 'static,
    R: std::fmt::Debug + 'static,
{
    let unreachable = |reason: String| Error::Unreachable {
        profile: ctx.profile.to_string(),
        operation: operation.to_string(),
        endpoint: ctx
            .endpoint
            .map(str::to_string)
            .unwrap_or_else(|| format!("the {} endpoint", service_of(operation))),
        reason,
    };
    match &err {
        SdkError::ServiceError(service) => {
            // The SDK reads `<ErrorResponse><Error>`; some endpoints (moto, and
            // proxies in front of STS) nest it in `<Errors>`, which the SDK
            // reports as an error without code. Read the body then.
            let raw = (service.raw() as &dyn std::any::Any).downcast_ref::<HttpResponse>();
            let body = raw.and_then(|r| r.body().bytes()).unwrap_or_default();
            let body = String::from_utf8_lossy(body);
            let code = service
                .err()
                .code()
                .map(str::to_string)
                .or_else(|| xml_text(&body, "Code"))
                .or_else(|| raw.map(|r| format!("HTTP {}", r.status().as_u16())))
                .unwrap_or_else(|| "Unknown".to_string());
            let message = service
                .err()
                .message()
                .map(str::to_string)
                .or_else(|| xml_text(&body, "Message"))
                .unwrap_or_else(|| "no message".to_string());
            Error::Service {
                profile: ctx.profile.to_string(),
                operation: operation.to_string(),
                code: ctx.shown(&code, 100),
                message: ctx.shown(&message, 500),
            }
        }
        SdkError::TimeoutError(_) => unreachable("timed out".to_string()),
        SdkError::DispatchFailure(_) => unreachable(ctx.shown(&root_cause(&err), 500)),
        _ => Error::Service {
            profile: ctx.profile.to_string(),
            operation: operation.to_string(),
            code: "InvalidResponse".to_string(),
            message: ctx.shown(&root_cause(&err), 500),
        },
    }
}

/// A response that is missing what the call must return.
pub fn invalid_response(ctx: CallContext<'_>, operation: &str, what: &str) -> Error {
    Error::Service {
        profile: ctx.profile.to_string(),
        operation: operation.to_string(),
        code: "InvalidResponse".to_string(),
        message: what.to_string(),
    }
}

/// `sts` of `sts:AssumeRole`.
fn service_of(operation: &str) -> &str {
    operation.split(':').next().unwrap_or("AWS")
}

/// The text of the first `<tag>…</tag>` in an XML error body.
fn xml_text(body: &str, tag: &str) -> Option<String> {
    let start = body.find(&format!("<{tag}>"))? + tag.len() + 2;
    let len = body.get(start..)?.find(&format!("</{tag}>"))?;
    Some(body.get(start..start + len)?.trim().to_string()).filter(|t| !t.is_empty())
}

/// The innermost cause, which is the one that says what happened.
pub(crate) fn root_cause(err: &(dyn StdError + 'static)) -> String {
    let mut current = err;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_server_text_has_no_secret_and_no_control() {
        let ctx = CallContext {
            profile: "p",
            region: "us-east-1",
            endpoint: None,
            secrets: &[],
        };
        let secrets = ["FwoGZXIvYXdzEJr//SECRET+TOKEN="];
        let ctx = ctx.with_secrets(&secrets);
        let echoed = "bad token FwoGZXIvYXdzEJr//SECRET+TOKEN=\x1b]0;owned\x07";
        let shown = ctx.shown(echoed, 500);
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(!shown.contains('\x1b'), "{shown}");
        // The secret is whole when redacted, even where the bound cuts it.
        assert!(!ctx.shown(echoed, 20).contains("FwoGZ"));
    }

    #[test]
    fn xml_text_reads_nested_errors() {
        let body =
            "<Errors><Error><Code>AccessDenied</Code><Message> no </Message></Error></Errors>";
        assert_eq!(xml_text(body, "Code").as_deref(), Some("AccessDenied"));
        assert_eq!(xml_text(body, "Message").as_deref(), Some("no"));
        assert_eq!(xml_text("<Code>", "Code"), None);
    }
}

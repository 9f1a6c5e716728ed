//! Calls to AWS: SDK configuration shared by every client (one rustls + ring
//! HTTPS client, bounded timeouts, explicit region and credentials so no IMDS
//! probe ever runs) and the four STS operations.

use std::error::Error as StdError;
use std::sync::OnceLock;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_http_client::tls;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use jiff::Timestamp;

use crate::credentials::Credentials;
use crate::error::Error;
use crate::plan::AssumeRole;

/// Where a call is made from: the profile whose settings apply, and the region.
#[derive(Debug, Clone, Copy)]
pub struct CallContext<'a> {
    /// Profile for error messages and profile-level settings (endpoint_url).
    pub profile: &'a str,
    /// Region for signing and endpoint resolution.
    pub region: &'a str,
}

/// The HTTPS client every AWS client shares: rustls with ring, built once.
pub fn http_client() -> SharedHttpClient {
    static CLIENT: OnceLock<SharedHttpClient> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            aws_smithy_http_client::Builder::new()
                .tls_provider(tls::Provider::Rustls(
                    tls::rustls_provider::CryptoMode::Ring,
                ))
                .build_https()
        })
        .clone()
}

/// SDK configuration for one call: explicit region and credentials (no
/// provider chain, no IMDS), bounded timeouts, and the endpoint the SDK would
/// pick (AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, profile endpoint_url).
pub async fn sdk_config(ctx: CallContext<'_>, credentials: Option<&Credentials>) -> SdkConfig {
    let loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(ctx.region.to_string()))
        .profile_name(ctx.profile)
        .http_client(http_client())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(3))
                .read_timeout(Duration::from_secs(10))
                .operation_attempt_timeout(Duration::from_secs(10))
                .operation_timeout(Duration::from_secs(20))
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(2));
    let loader = match credentials {
        Some(creds) => loader.credentials_provider(to_sdk_credentials(creds)),
        None => loader.no_credentials(),
    };
    loader.load().await
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

async fn sts_client(ctx: CallContext<'_>, creds: &Credentials) -> aws_sdk_sts::Client {
    aws_sdk_sts::Client::new(&sdk_config(ctx, Some(creds)).await)
}

/// sts:AssumeRole.
pub async fn assume_role(
    ctx: CallContext<'_>,
    creds: &Credentials,
    role: &AssumeRole,
    token_code: Option<String>,
) -> Result<Credentials, Error> {
    let output = sts_client(ctx, creds)
        .await
        .assume_role()
        .role_arn(&role.role_arn)
        .role_session_name(&role.session_name)
        .set_external_id(role.external_id.clone())
        .set_duration_seconds(role.duration.map(|d| d as i32))
        .set_serial_number(role.mfa_serial.clone())
        .set_token_code(token_code)
        .set_source_identity(role.source_identity.clone())
        .set_policy(role.policy.clone())
        .send()
        .await
        .map_err(|e| service_error(e, ctx, "sts:AssumeRole"))?;
    convert(output.credentials, ctx, "sts:AssumeRole")
}

/// sts:GetSessionToken with an MFA code.
pub async fn session_token(
    ctx: CallContext<'_>,
    creds: &Credentials,
    mfa_serial: &str,
    token_code: String,
    duration: u32,
) -> Result<Credentials, Error> {
    let output = sts_client(ctx, creds)
        .await
        .get_session_token()
        .serial_number(mfa_serial)
        .token_code(token_code)
        .duration_seconds(duration as i32)
        .send()
        .await
        .map_err(|e| service_error(e, ctx, "sts:GetSessionToken"))?;
    convert(output.credentials, ctx, "sts:GetSessionToken")
}

/// sts:GetFederationToken.
pub async fn federation_token(
    ctx: CallContext<'_>,
    creds: &Credentials,
    name: &str,
    policy: Option<String>,
    policy_arns: &[String],
    duration: Option<u32>,
) -> Result<Credentials, Error> {
    let policy_arns = policy_arns
        .iter()
        .map(|arn| {
            aws_sdk_sts::types::PolicyDescriptorType::builder()
                .arn(arn)
                .build()
        })
        .collect::<Vec<_>>();
    let output = sts_client(ctx, creds)
        .await
        .get_federation_token()
        .name(name)
        .set_policy(policy)
        .set_policy_arns((!policy_arns.is_empty()).then_some(policy_arns))
        .set_duration_seconds(duration.map(|d| d as i32))
        .send()
        .await
        .map_err(|e| service_error(e, ctx, "sts:GetFederationToken"))?;
    convert(output.credentials, ctx, "sts:GetFederationToken")
}

/// Who a set of credentials belongs to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CallerIdentity {
    /// The 12-digit account.
    pub account: String,
    /// The caller's ARN.
    pub arn: String,
    /// The unique id (`AROA…:session`).
    pub user_id: String,
}

/// sts:GetCallerIdentity.
pub async fn caller_identity(
    ctx: CallContext<'_>,
    creds: &Credentials,
) -> Result<CallerIdentity, Error> {
    let output = sts_client(ctx, creds)
        .await
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| service_error(e, ctx, "sts:GetCallerIdentity"))?;
    Ok(CallerIdentity {
        account: output.account.unwrap_or_default(),
        arn: output.arn.unwrap_or_default(),
        user_id: output.user_id.unwrap_or_default(),
    })
}

fn convert(
    creds: Option<aws_sdk_sts::types::Credentials>,
    ctx: CallContext<'_>,
    operation: &str,
) -> Result<Credentials, Error> {
    let creds = creds.ok_or_else(|| Error::Service {
        profile: ctx.profile.to_string(),
        operation: operation.to_string(),
        code: "InvalidResponse".to_string(),
        message: "the response has no credentials".to_string(),
    })?;
    Ok(Credentials {
        access_key_id: creds.access_key_id,
        secret_access_key: creds.secret_access_key,
        session_token: Some(creds.session_token),
        expiration: Timestamp::from_second(creds.expiration.secs()).ok(),
    })
}

/// Turn an SDK error into a message that names the profile and what to do.
pub fn service_error<E, R>(err: SdkError<E, R>, ctx: CallContext<'_>, operation: &str) -> Error
where
    E: ProvideErrorMetadata + StdError + 'static,
    R: std::fmt::Debug + 'static,
{
    let unreachable = |reason: String| Error::Unreachable {
        profile: ctx.profile.to_string(),
        operation: operation.to_string(),
        endpoint: endpoint_hint(operation),
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
                code,
                message,
            }
        }
        SdkError::TimeoutError(_) => unreachable("timed out".to_string()),
        SdkError::DispatchFailure(_) => unreachable(root_cause(&err)),
        _ => Error::Service {
            profile: ctx.profile.to_string(),
            operation: operation.to_string(),
            code: "InvalidResponse".to_string(),
            message: root_cause(&err),
        },
    }
}

/// The text of the first `<tag>…</tag>` in an XML error body.
fn xml_text(body: &str, tag: &str) -> Option<String> {
    let start = body.find(&format!("<{tag}>"))? + tag.len() + 2;
    let len = body[start..].find(&format!("</{tag}>"))?;
    Some(body[start..start + len].trim().to_string()).filter(|t| !t.is_empty())
}

/// The innermost cause, which is the one that says what happened.
fn root_cause(err: &(dyn StdError + 'static)) -> String {
    let mut current = err;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

/// The endpoint variable a user would check for this service.
fn endpoint_hint(operation: &str) -> String {
    let service = operation.split(':').next().unwrap_or("sts");
    let specific = format!(
        "AWS_ENDPOINT_URL_{}",
        service.to_uppercase().replace('-', "_")
    );
    std::env::var(&specific)
        .or_else(|_| std::env::var("AWS_ENDPOINT_URL"))
        .unwrap_or_else(|_| format!("the {service} endpoint"))
}

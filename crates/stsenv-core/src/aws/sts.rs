//! The STS operations stsenv makes. Clients come from the shared
//! client layer ([`crate::aws::client`]); responses are checked before use.

use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use jiff::Timestamp;

use crate::aws::client::{invalid_response, sdk_config, service_error, CallContext};
use crate::credentials::Credentials;
use crate::error::Error;
use crate::profile::session_tags::SessionTags;

/// An STS client with `creds`.
fn client(ctx: CallContext<'_>, creds: &Credentials) -> aws_sdk_sts::Client {
    aws_sdk_sts::Client::new(&sdk_config(ctx, Some(creds)))
}

/// STS's global endpoint, where `sts_regional_endpoints = legacy` sends
/// the calls of [`LEGACY_GLOBAL_STS_REGIONS`]; it signs in us-east-1.
pub const GLOBAL_STS_ENDPOINT: &str = "https://sts.amazonaws.com";

/// The regions botocore sends to [`GLOBAL_STS_ENDPOINT`] under `legacy`
/// (botocore's `LEGACY_GLOBAL_STS_REGIONS`).
pub const LEGACY_GLOBAL_STS_REGIONS: [&str; 16] = [
    "ap-northeast-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "aws-global",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

/// The parameters of one sts:AssumeRole call.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AssumeRole {
    /// The role.
    pub role_arn: String,
    /// RoleSessionName.
    pub session_name: String,
    /// ExternalId.
    pub external_id: Option<String>,
    /// DurationSeconds (STS's default, 1 h, when `None`).
    pub duration: Option<u32>,
    /// MFA device passed to AssumeRole itself (when no MFA session step precedes).
    pub mfa_serial: Option<String>,
    /// SourceIdentity.
    pub source_identity: Option<String>,
    /// Session policy JSON.
    pub policy: Option<String>,
    /// Session tags (Tags, TransitiveTagKeys). Left out of the identity
    /// when empty, as before tags existed.
    #[serde(skip_serializing_if = "SessionTags::is_empty")]
    pub tags: SessionTags,
}

/// The parameters of one sts:GetFederationToken call.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FederationToken {
    /// Federated user name.
    pub name: String,
    /// Session policy JSON.
    pub policy: Option<String>,
    /// Managed session policies (PolicyArns).
    pub policy_arns: Vec<String>,
    /// Lifetime, when given.
    pub duration: Option<u32>,
    /// Session tags (GetFederationToken has no transitive ones). Left
    /// out of the identity when empty, as before tags existed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<(String, String)>,
}

/// STS's Tag list for `tags`.
fn sts_tags(tags: &[(String, String)]) -> Result<Option<Vec<aws_sdk_sts::types::Tag>>, Error> {
    if tags.is_empty() {
        return Ok(None);
    }
    tags.iter()
        .map(|(key, value)| {
            aws_sdk_sts::types::Tag::builder()
                .key(key)
                .value(value)
                .build()
                .map_err(|e| Error::Unusable(format!("session tag `{key}`: {e}")))
        })
        .collect::<Result<Vec<_>, Error>>()
        .map(Some)
}

/// The credentials in STS's answer to `operation`, checked, or the
/// call's error as stsenv reports it.
fn answer<O, E, R>(
    sent: Result<O, SdkError<E, R>>,
    ctx: CallContext<'_>,
    operation: &str,
    credentials: impl FnOnce(O) -> Option<aws_sdk_sts::types::Credentials>,
) -> Result<Credentials, Error>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let output = sent.map_err(|e| service_error(e, ctx, operation))?;
    convert(credentials(output), ctx, operation)
}

/// sts:AssumeRole.
pub async fn assume_role(
    ctx: CallContext<'_>,
    creds: &Credentials,
    role: &AssumeRole,
    token_code: Option<String>,
) -> Result<Credentials, Error> {
    let secrets = creds.secrets();
    let ctx = ctx.with_secrets(&secrets);
    let sent = client(ctx, creds)
        .assume_role()
        .role_arn(&role.role_arn)
        .role_session_name(&role.session_name)
        .set_external_id(role.external_id.clone())
        .set_duration_seconds(role.duration.map(|d| d as i32))
        .set_serial_number(role.mfa_serial.clone())
        .set_token_code(token_code)
        .set_source_identity(role.source_identity.clone())
        .set_policy(role.policy.clone())
        .set_tags(sts_tags(&role.tags.tags)?)
        .set_transitive_tag_keys(
            (!role.tags.transitive.is_empty()).then(|| role.tags.transitive.clone()),
        )
        .send()
        .await;
    answer(sent, ctx, "sts:AssumeRole", |o| o.credentials)
}

/// The role an sts:AssumeRoleWithWebIdentity call asks for.
pub struct WebIdentityRole<'a> {
    /// The role's ARN.
    pub role_arn: &'a str,
    /// The role session name.
    pub session_name: &'a str,
    /// The session's lifetime, when given.
    pub duration: Option<u32>,
}

/// sts:AssumeRoleWithWebIdentity: unsigned (the SDK's model has no auth
/// for it, and the client gets no credentials), the token is the credential.
pub async fn assume_role_with_web_identity(
    ctx: CallContext<'_>,
    role: &WebIdentityRole<'_>,
    token: String,
) -> Result<Credentials, Error> {
    let secrets = [token.as_str()];
    let ctx = ctx.with_secrets(&secrets);
    let sent = aws_sdk_sts::Client::new(&sdk_config(ctx, None))
        .assume_role_with_web_identity()
        .role_arn(role.role_arn)
        .role_session_name(role.session_name)
        .web_identity_token(token.clone())
        .set_duration_seconds(role.duration.map(|d| d as i32))
        .send()
        .await;
    answer(sent, ctx, "sts:AssumeRoleWithWebIdentity", |o| {
        o.credentials
    })
}

/// sts:GetSessionToken with an MFA code.
pub async fn session_token(
    ctx: CallContext<'_>,
    creds: &Credentials,
    mfa_serial: &str,
    token_code: String,
    duration: u32,
) -> Result<Credentials, Error> {
    let secrets = creds.secrets();
    let ctx = ctx.with_secrets(&secrets);
    let sent = client(ctx, creds)
        .get_session_token()
        .serial_number(mfa_serial)
        .token_code(token_code)
        .duration_seconds(duration as i32)
        .send()
        .await;
    answer(sent, ctx, "sts:GetSessionToken", |o| o.credentials)
}

/// sts:GetFederationToken.
pub async fn federation_token(
    ctx: CallContext<'_>,
    creds: &Credentials,
    federation: &FederationToken,
) -> Result<Credentials, Error> {
    let policy_arns = federation
        .policy_arns
        .iter()
        .map(|arn| {
            aws_sdk_sts::types::PolicyDescriptorType::builder()
                .arn(arn)
                .build()
        })
        .collect::<Vec<_>>();
    let secrets = creds.secrets();
    let ctx = ctx.with_secrets(&secrets);
    let sent = client(ctx, creds)
        .get_federation_token()
        .name(&federation.name)
        .set_policy(federation.policy.clone())
        .set_policy_arns((!policy_arns.is_empty()).then_some(policy_arns))
        .set_duration_seconds(federation.duration.map(|d| d as i32))
        .set_tags(sts_tags(&federation.tags)?)
        .send()
        .await;
    answer(sent, ctx, "sts:GetFederationToken", |o| o.credentials)
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
    let secrets = creds.secrets();
    let ctx = ctx.with_secrets(&secrets);
    let output = client(ctx, creds)
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
    let creds =
        creds.ok_or_else(|| invalid_response(ctx, operation, "the response has no credentials"))?;
    let credentials = Credentials {
        access_key_id: creds.access_key_id,
        secret_access_key: creds.secret_access_key,
        session_token: Some(creds.session_token),
        expiration: Timestamp::from_second(creds.expiration.secs()).ok(),
    };
    credentials
        .check(Timestamp::now())
        .map_err(|problem| invalid_response(ctx, operation, &problem.to_string()))?;
    Ok(credentials)
}

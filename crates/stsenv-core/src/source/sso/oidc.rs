//! The three sso-oidc calls of the device authorization flow (RFC 8628) and
//! of token refresh. None of them is signed: `sdk_config(ctx, None)`.

use aws_sdk_ssooidc::error::{ProvideErrorMetadata, SdkError};
use jiff::Timestamp;

use crate::aws::client::{invalid_response, sdk_config, service_error, CallContext};
use crate::error::{Error, Result};
use crate::store::untrusted::{check_verification_uri, is_user_code, shown};

/// The client name shown in the Identity Center console.
pub const CLIENT_NAME: &str = "stsenv";
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const REFRESH_GRANT: &str = "refresh_token";
/// The longest access or refresh token accepted from CreateToken: 16 KiB.
/// Identity Center's tokens are a few hundred characters.
const MAX_ACCESS_TOKEN_LEN: usize = 16 * 1024;

/// A registered public OIDC client.
#[derive(Clone)]
pub struct Registration {
    /// Client id.
    pub client_id: String,
    /// Client secret (secret).
    pub client_secret: String,
    /// When the registration expires.
    pub expires: Timestamp,
}

/// A device authorization waiting for the user's approval.
pub struct DeviceAuthorization {
    /// The code the CreateToken polls use (secret).
    pub device_code: String,
    /// The code the user checks in the browser.
    pub user_code: String,
    /// The page to open.
    pub verification_uri: String,
    /// The page with the code filled in, when given.
    pub verification_uri_complete: Option<String>,
    /// Seconds the device code stays valid.
    pub expires_in: i64,
    /// Seconds between polls.
    pub interval: i64,
}

/// A token from CreateToken.
pub struct Token {
    /// Bearer token (secret).
    pub access_token: String,
    /// Seconds it stays valid.
    pub expires_in: i64,
    /// Refresh token, when the registration asked for one (secret).
    pub refresh_token: Option<String>,
}

/// What one CreateToken poll returned.
pub enum Poll {
    /// Approved.
    Token(Token),
    /// Not yet approved.
    Pending,
    /// Poll less often.
    SlowDown,
    /// The device code expired.
    Expired,
    /// The user denied the request.
    Denied,
}

async fn client(ctx: CallContext<'_>) -> aws_sdk_ssooidc::Client {
    aws_sdk_ssooidc::Client::new(&sdk_config(ctx, None))
}

/// sso-oidc:RegisterClient, public client, with the refresh-token grant so
/// later renewals need no browser.
pub async fn register(ctx: CallContext<'_>, scopes: &[String]) -> Result<Registration> {
    let output = client(ctx)
        .await
        .register_client()
        .client_name(CLIENT_NAME)
        .client_type("public")
        .set_scopes((!scopes.is_empty()).then(|| scopes.to_vec()))
        .grant_types(DEVICE_GRANT)
        .grant_types(REFRESH_GRANT)
        .send()
        .await
        .map_err(|e| service_error(e, ctx, "sso-oidc:RegisterClient"))?;
    let missing = || invalid(ctx, "sso-oidc:RegisterClient", "no client id or secret");
    Ok(Registration {
        client_id: output.client_id.ok_or_else(missing)?,
        client_secret: output.client_secret.ok_or_else(missing)?,
        expires: Timestamp::from_second(output.client_secret_expires_at).map_err(|_| missing())?,
    })
}

/// sso-oidc:StartDeviceAuthorization, its answer checked: what it says is
/// shown on the terminal and handed to a browser opener, so a user code
/// that is not one and a verification URI that is not an https URL
/// (`file:`, `javascript:`, an option such as `--remote-debugging-port`,
/// escape sequences) are refused.
pub async fn start_device_authorization(
    ctx: CallContext<'_>,
    registration: &Registration,
    start_url: &str,
) -> Result<DeviceAuthorization> {
    let secrets = [registration.client_secret.as_str()];
    let ctx = ctx.with_secrets(&secrets);
    let output = client(ctx)
        .await
        .start_device_authorization()
        .client_id(&registration.client_id)
        .client_secret(&registration.client_secret)
        .start_url(start_url)
        .send()
        .await
        .map_err(|e| service_error(e, ctx, "sso-oidc:StartDeviceAuthorization"))?;
    let missing = || {
        invalid(
            ctx,
            "sso-oidc:StartDeviceAuthorization",
            "no device code, user code or verification URI",
        )
    };
    const OPERATION: &str = "sso-oidc:StartDeviceAuthorization";
    let user_code = output.user_code.ok_or_else(missing)?;
    if !is_user_code(&user_code) {
        return Err(invalid(
            ctx,
            OPERATION,
            &format!("a user code that is not one ({})", shown(&user_code)),
        ));
    }
    let check_uri = |uri: String, which: &str| match check_verification_uri(&uri) {
        Ok(()) => Ok(uri),
        Err(problem) => Err(invalid(
            ctx,
            OPERATION,
            &format!(
                "a {which} that stsenv will not open: {problem} ({})",
                shown(&uri)
            ),
        )),
    };
    let verification_uri = check_uri(
        output.verification_uri.ok_or_else(missing)?,
        "verificationUri",
    )?;
    let verification_uri_complete = output
        .verification_uri_complete
        .map(|uri| check_uri(uri, "verificationUriComplete"))
        .transpose()?;
    Ok(DeviceAuthorization {
        device_code: output.device_code.ok_or_else(missing)?,
        user_code,
        verification_uri,
        verification_uri_complete,
        expires_in: i64::from(output.expires_in),
        // RFC 8628: 5 s when the server does not say.
        interval: if output.interval > 0 {
            i64::from(output.interval)
        } else {
            5
        },
    })
}

/// One sso-oidc:CreateToken poll with the device code.
pub async fn poll_device_token(
    ctx: CallContext<'_>,
    registration: &Registration,
    device_code: &str,
) -> Result<Poll> {
    let secrets = [registration.client_secret.as_str(), device_code];
    let ctx = ctx.with_secrets(&secrets);
    let result = client(ctx)
        .await
        .create_token()
        .client_id(&registration.client_id)
        .client_secret(&registration.client_secret)
        .grant_type(DEVICE_GRANT)
        .device_code(device_code)
        .send()
        .await;
    match result {
        Ok(output) => Ok(Poll::Token(token(output, ctx)?)),
        Err(err) => match error_code(&err) {
            Some("AuthorizationPendingException") => Ok(Poll::Pending),
            Some("SlowDownException") => Ok(Poll::SlowDown),
            Some("ExpiredTokenException") => Ok(Poll::Expired),
            Some("AccessDeniedException") => Ok(Poll::Denied),
            _ => Err(service_error(err, ctx, "sso-oidc:CreateToken")),
        },
    }
}

/// sso-oidc:CreateToken with the refresh token. `Ok(None)` when the server
/// no longer accepts it (a new login is needed).
pub async fn refresh(
    ctx: CallContext<'_>,
    client_id: &str,
    client_secret: &str,
    refresh_token: &str,
) -> Result<Option<Token>> {
    let secrets = [client_secret, refresh_token];
    let ctx = ctx.with_secrets(&secrets);
    let result = client(ctx)
        .await
        .create_token()
        .client_id(client_id)
        .client_secret(client_secret)
        .grant_type(REFRESH_GRANT)
        .refresh_token(refresh_token)
        .send()
        .await;
    match result {
        Ok(output) => Ok(Some(token(output, ctx)?)),
        Err(err) => match error_code(&err) {
            Some(
                "InvalidGrantException"
                | "ExpiredTokenException"
                | "InvalidClientException"
                | "UnauthorizedClientException"
                | "AccessDeniedException",
            ) => Ok(None),
            _ => Err(service_error(err, ctx, "sso-oidc:CreateToken")),
        },
    }
}

fn error_code<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> Option<&str> {
    err.as_service_error().and_then(|e| e.code())
}

fn token(
    output: aws_sdk_ssooidc::operation::create_token::CreateTokenOutput,
    ctx: CallContext<'_>,
) -> Result<Token> {
    let access_token = output
        .access_token
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| invalid(ctx, "sso-oidc:CreateToken", "no access token"))?;
    if output.expires_in <= 0 {
        return Err(invalid(
            ctx,
            "sso-oidc:CreateToken",
            &format!(
                "an access token that is already expired (expiresIn = {})",
                output.expires_in
            ),
        ));
    }
    // The token is stored in the SSO cache and sent as a header: bounded.
    if access_token.len() > MAX_ACCESS_TOKEN_LEN
        || output
            .refresh_token
            .as_ref()
            .is_some_and(|t| t.len() > MAX_ACCESS_TOKEN_LEN)
    {
        return Err(invalid(
            ctx,
            "sso-oidc:CreateToken",
            &format!("a token longer than {MAX_ACCESS_TOKEN_LEN} characters"),
        ));
    }
    Ok(Token {
        access_token,
        expires_in: i64::from(output.expires_in),
        refresh_token: output.refresh_token,
    })
}

fn invalid(ctx: CallContext<'_>, operation: &str, what: &str) -> Error {
    invalid_response(ctx, operation, &format!("the response has {what}"))
}

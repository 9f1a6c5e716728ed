//! The three IAM calls key rotation needs, through the same SDK
//! configuration as the STS calls (one HTTPS client, bounded timeouts,
//! explicit credentials, AWS_ENDPOINT_URL_IAM / AWS_ENDPOINT_URL).
//! Responses are validated before anything of them is stored.

use aws_sdk_iam::error::ProvideErrorMetadata;
use jiff::Timestamp;

use crate::aws::client::{sdk_config, service_error, CallContext};
use crate::credentials::Credentials;
use crate::error::Error;
use crate::store::keystore::{validate_key_id, KeyPair};

/// One access key of an IAM user, as iam:ListAccessKeys reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKey {
    /// The key id.
    pub id: String,
    /// When it was created, when reported.
    pub created: Option<Timestamp>,
    /// `Active` or `Inactive`.
    pub status: String,
}

async fn client(ctx: CallContext<'_>, creds: &Credentials) -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::new(&sdk_config(ctx, Some(creds)))
}

/// The IAM user name in a caller ARN (`arn:aws:iam::ACCOUNT:user/path/NAME`),
/// or `None` when the ARN is not an IAM user's (root, an assumed role).
pub fn user_name_of(arn: &str) -> Option<&str> {
    let resource = arn.splitn(6, ':').nth(5)?;
    let name = resource.strip_prefix("user/")?.rsplit('/').next()?;
    is_valid_user_name(name).then_some(name)
}

/// IAM user names: 1–64 of letters, digits and `+=,.@_-`.
fn is_valid_user_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
}

/// iam:ListAccessKeys for `user`.
pub async fn list_access_keys(
    ctx: CallContext<'_>,
    creds: &Credentials,
    user: &str,
) -> Result<Vec<AccessKey>, Error> {
    const OP: &str = "iam:ListAccessKeys";
    let secrets = creds.secrets();
    let ctx = ctx.with_secrets(&secrets);
    let output = client(ctx, creds)
        .await
        .list_access_keys()
        .user_name(user)
        .send()
        .await
        .map_err(|e| service_error(e, ctx, OP))?;
    output
        .access_key_metadata
        .into_iter()
        .map(|key| {
            let id = key.access_key_id.unwrap_or_default();
            validate_key_id(&id).map_err(|p| invalid_response(ctx, OP, &p))?;
            Ok(AccessKey {
                id,
                created: key
                    .create_date
                    .and_then(|d| Timestamp::from_second(d.secs()).ok()),
                status: key
                    .status
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// iam:CreateAccessKey for `user`: the new key pair, validated.
pub async fn create_access_key(
    ctx: CallContext<'_>,
    creds: &Credentials,
    user: &str,
) -> Result<KeyPair, Error> {
    const OP: &str = "iam:CreateAccessKey";
    let secrets = creds.secrets();
    let ctx = ctx.with_secrets(&secrets);
    let output = client(ctx, creds)
        .await
        .create_access_key()
        .user_name(user)
        .send()
        .await
        .map_err(|e| service_error(e, ctx, OP))?;
    let key = output
        .access_key
        .ok_or_else(|| invalid_response(ctx, OP, "the response has no access key"))?;
    let pair = KeyPair {
        access_key_id: key.access_key_id,
        secret_access_key: key.secret_access_key,
    };
    pair.validate().map_err(|p| invalid_response(ctx, OP, &p))?;
    Ok(pair)
}

/// iam:DeleteAccessKey; `false` when IAM no longer has the key (already deleted).
pub async fn delete_access_key(
    ctx: CallContext<'_>,
    creds: &Credentials,
    user: &str,
    id: &str,
) -> Result<bool, Error> {
    const OP: &str = "iam:DeleteAccessKey";
    let secrets = creds.secrets();
    let ctx = ctx.with_secrets(&secrets);
    let result = client(ctx, creds)
        .await
        .delete_access_key()
        .user_name(user)
        .access_key_id(id)
        .send()
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(err) if err.code() == Some("NoSuchEntity") => Ok(false),
        Err(err) => match service_error(err, ctx, OP) {
            Error::Service { code, .. } if code == "NoSuchEntity" => Ok(false),
            other => Err(other),
        },
    }
}

fn invalid_response(ctx: CallContext<'_>, operation: &str, problem: &str) -> Error {
    Error::Service {
        profile: ctx.profile.to_string(),
        operation: operation.to_string(),
        code: "InvalidResponse".to_string(),
        message: problem.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::user_name_of;

    #[test]
    fn user_names_come_only_from_user_arns() {
        assert_eq!(
            user_name_of("arn:aws:iam::123456789012:user/alice"),
            Some("alice")
        );
        assert_eq!(
            user_name_of("arn:aws:iam::123456789012:user/dev/team/bob.b"),
            Some("bob.b")
        );
        assert_eq!(user_name_of("arn:aws:iam::123456789012:root"), None);
        assert_eq!(
            user_name_of("arn:aws:sts::123456789012:assumed-role/r/s"),
            None
        );
        assert_eq!(user_name_of("arn:aws:iam::1:user/bad name"), None);
        assert_eq!(user_name_of("garbage"), None);
    }
}

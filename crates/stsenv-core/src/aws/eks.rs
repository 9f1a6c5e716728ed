//! EKS authentication tokens for kubectl, as `aws eks get-token` makes them:
//! `k8s-aws-v1.` + unpadded base64url of a presigned sts:GetCallerIdentity
//! URL whose signature covers the `x-k8s-aws-id: CLUSTER` header. The EKS
//! authenticator replays the URL against STS to learn who signed it.
//!
//! Everything here is local: the URL is signed with the SDK's own SigV4
//! signer (`aws-sigv4`), so a token from cached credentials costs no network
//! call and no async runtime.

use std::borrow::Cow;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, SystemTime};

use aws_sdk_sts::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
use aws_sigv4::http_request::{
    sign, SignableBody, SignableRequest, SignatureLocation, SigningSettings,
};
use aws_sigv4::sign::v4;
use base64::Engine;
use jiff::Timestamp;
use serde_json::json;

use crate::credentials::{format_rfc3339, Credentials};
use crate::error::{Error, Result};

/// What every token starts with.
pub const TOKEN_PREFIX: &str = "k8s-aws-v1.";
/// The signed header naming the cluster (so a token for one cluster cannot
/// be replayed against another).
pub const CLUSTER_HEADER: &str = "x-k8s-aws-id";
/// `X-Amz-Expires` of the presigned URL, as `aws eks get-token` sets it.
pub const URL_EXPIRES_SECS: u64 = 60;
/// How long kubectl may reuse a token: 14 minutes, like `aws eks get-token`
/// (the EKS authenticator accepts a token for 15 minutes).
pub const TOKEN_LIFETIME_SECS: i64 = 14 * 60;
/// The variable kubectl sets for exec plugins.
pub const EXEC_INFO_VAR: &str = "KUBERNETES_EXEC_INFO";
/// The ExecCredential API version used when kubectl does not say.
pub const API_V1BETA1: &str = "client.authentication.k8s.io/v1beta1";
/// The stable ExecCredential API version.
pub const API_V1: &str = "client.authentication.k8s.io/v1";
/// Removed from kubectl in 1.24; still answered (with a warning), as the AWS CLI does.
pub const API_V1ALPHA1: &str = "client.authentication.k8s.io/v1alpha1";

/// EKS cluster names: a letter or digit, then letters, digits, `-` and `_`,
/// at most 100 characters (Outposts cluster ids, UUIDs, fit too).
pub fn validate_cluster_name(name: &str) -> Result<()> {
    let mut chars = name.chars();
    let ok = (1..=100).contains(&name.len())
        && chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Error::Unusable(format!(
            "cluster name `{name}` is not an EKS cluster name (letters, digits, - and _, at most 100)"
        )))
    }
}

/// The STS endpoint the URL points at: `configured`, the endpoint the
/// SDKs and `aws eks get-token` would use for the profile
/// ([`crate::profile::config::AwsConfig::endpoint_url`]: `AWS_ENDPOINT_URL_STS`,
/// `AWS_ENDPOINT_URL`, a `[services]` section, `endpoint_url`), else the
/// region's own STS endpoint as the SDK's endpoint rules give it
/// (`sts.REGION.amazonaws.com`, `.amazonaws.com.cn` in China).
pub fn sts_endpoint(region: &str, configured: Option<&str>) -> Result<String> {
    validate_region(region)?;
    if let Some(url) = configured {
        return validate_endpoint(url).map_err(|problem| {
            Error::Unusable(format!(
                "the configured STS endpoint `{url}` (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL or the profile's endpoint_url) is not usable: {problem}"
            ))
        });
    }
    let params = Params::builder()
        .region(region)
        .use_global_endpoint(false)
        .use_fips(false)
        .use_dual_stack(false)
        .build()
        .map_err(|e| Error::Unusable(format!("no STS endpoint for region {region}: {e}")))?;
    let resolver = DefaultResolver::new();
    let endpoint = now_or_never(resolver.resolve_endpoint(&params))
        .ok_or_else(|| Error::Unusable(format!("no STS endpoint for region {region}")))?
        .map_err(|e| Error::Unusable(format!("no STS endpoint for region {region}: {e}")))?;
    validate_endpoint(endpoint.url()).map_err(|problem| {
        Error::Unusable(format!("the STS endpoint of region {region}: {problem}"))
    })
}

/// An endpoint is an http(s) URL with a host and nothing after its path;
/// returned without a trailing `/`.
fn validate_endpoint(url: &str) -> std::result::Result<String, String> {
    let parsed = url::Url::parse(url.trim()).map_err(|e| e.to_string())?;
    if !matches!(parsed.scheme(), "https" | "http") {
        return Err("it must start with https:// or http://".to_string());
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err("it has no host".to_string());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("it must not contain a user name or password".to_string());
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err("it must not have a query or fragment".to_string());
    }
    Ok(parsed.as_str().trim_end_matches('/').to_string())
}

fn validate_region(region: &str) -> Result<()> {
    let ok = !region.is_empty()
        && region.len() <= 64
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(Error::Unusable(format!(
            "region `{region}` is not a region name like eu-west-1"
        )))
    }
}

/// The presigned sts:GetCallerIdentity URL for `cluster`, signed at `time`
/// for `region` with `credentials`, pointing at `endpoint` (from
/// [`sts_endpoint`]).
pub fn presigned_url(
    credentials: &Credentials,
    cluster: &str,
    region: &str,
    endpoint: &str,
    time: SystemTime,
) -> Result<String> {
    validate_cluster_name(cluster)?;
    validate_region(region)?;
    let unsigned = format!(
        "{}/?Action=GetCallerIdentity&Version=2011-06-15",
        endpoint.trim_end_matches('/')
    );
    let identity = crate::aws::client::to_sdk_credentials(credentials).into();
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(Duration::from_secs(URL_EXPIRES_SECS));
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("sts")
        .time(time)
        .settings(settings)
        .build()
        .map_err(|e| Error::Unusable(format!("cannot sign the EKS token: {e}")))?
        .into();
    let signing_error = |e: aws_sigv4::http_request::SigningError| {
        Error::Unusable(format!("cannot sign the EKS token: {e}"))
    };
    let request = SignableRequest::new(
        "GET",
        Cow::Borrowed(unsigned.as_str()),
        [(CLUSTER_HEADER, cluster)].into_iter(),
        SignableBody::empty(),
    )
    .map_err(signing_error)?;
    let (instructions, _signature) = sign(request, &params).map_err(signing_error)?.into_parts();
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in instructions.params() {
        query.append_pair(name, value);
    }
    Ok(format!("{unsigned}&{}", query.finish()))
}

/// The bearer token for a presigned URL.
pub fn token(presigned_url: &str) -> String {
    format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(presigned_url)
    )
}

/// The ExecCredential `apiVersion` to answer with, from the value of
/// `KUBERNETES_EXEC_INFO`, and a warning when that value was unusable
/// (v1beta1 is used then, as `aws eks get-token` does).
pub fn api_version(exec_info: Option<&str>) -> (&'static str, Option<String>) {
    let Some(raw) = exec_info.filter(|v| !v.trim().is_empty()) else {
        return (API_V1BETA1, None);
    };
    let parsed: Option<serde_json::Value> = serde_json::from_str(raw).ok();
    let Some(info) = parsed else {
        return (
            API_V1BETA1,
            Some(format!(
                "{EXEC_INFO_VAR} is not JSON; answering in {API_V1BETA1}"
            )),
        );
    };
    match info.get("apiVersion").and_then(|v| v.as_str()) {
        Some(API_V1) => (API_V1, None),
        Some(API_V1BETA1) => (API_V1BETA1, None),
        Some(API_V1ALPHA1) => (
            API_V1ALPHA1,
            Some(format!(
                "kubeconfig uses the removed API version {API_V1ALPHA1}; use {API_V1} in the user's exec stanza"
            )),
        ),
        _ => (
            API_V1BETA1,
            Some(format!(
                "{EXEC_INFO_VAR} names no known apiVersion; answering in {API_V1BETA1}"
            )),
        ),
    }
}

/// The ExecCredential document kubectl reads, with a final newline. It
/// expires 14 minutes after `now`, or when the credentials do if sooner
/// (a presigned URL stops working with the credentials that signed it).
pub fn exec_credential(
    token: &str,
    api_version: &str,
    now: Timestamp,
    credentials_expire: Option<Timestamp>,
) -> String {
    let mut expires = now.as_second() + TOKEN_LIFETIME_SECS;
    if let Some(exp) = credentials_expire {
        expires = expires.min(exp.as_second());
    }
    let expires = Timestamp::from_second(expires).unwrap_or(now);
    let doc = json!({
        "kind": "ExecCredential",
        "apiVersion": api_version,
        "spec": {},
        "status": {
            "expirationTimestamp": format_rfc3339(expires),
            "token": token,
        },
    });
    format!("{doc:#}\n")
}

/// Drive a future that is ready at once (the SDK's endpoint resolver
/// returns a ready future); `None` if it is not.
fn now_or_never<F: Future>(future: F) -> Option<F::Output> {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(out) => Some(out),
        Poll::Pending => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(token: Option<&str>) -> Credentials {
        Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: token.map(str::to_string),
            expiration: None,
        }
    }

    fn decode(token: &str) -> String {
        let body = token.strip_prefix(TOKEN_PREFIX).expect("prefix");
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(body)
            .expect("unpadded base64url");
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn regional_endpoints_follow_the_partition() {
        // The tests' own environment may set AWS_ENDPOINT_URL; the profile
        // path is what is checked here.
        if std::env::var_os("AWS_ENDPOINT_URL").is_some()
            || std::env::var_os("AWS_ENDPOINT_URL_STS").is_some()
        {
            return;
        }
        assert_eq!(
            sts_endpoint("eu-west-1", None).unwrap(),
            "https://sts.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            sts_endpoint("us-east-1", None).unwrap(),
            "https://sts.us-east-1.amazonaws.com"
        );
        assert_eq!(
            sts_endpoint("cn-north-1", None).unwrap(),
            "https://sts.cn-north-1.amazonaws.com.cn"
        );
        assert!(sts_endpoint("eu west", None).is_err());
    }

    #[test]
    fn endpoints_are_validated() {
        assert_eq!(
            validate_endpoint("http://127.0.0.1:5000/").unwrap(),
            "http://127.0.0.1:5000"
        );
        assert!(validate_endpoint("ftp://x").is_err());
        assert!(validate_endpoint("https://u:p@x").is_err());
        assert!(validate_endpoint("https://x/?a=b").is_err());
        assert!(validate_endpoint("not a url").is_err());
    }

    #[test]
    fn the_token_is_an_unpadded_base64url_presigned_url() {
        let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let url = presigned_url(
            &creds(Some("tok/en+=")),
            "my-cluster",
            "eu-west-1",
            "https://sts.eu-west-1.amazonaws.com",
            time,
        )
        .unwrap();
        let token = token(&url);
        assert!(!token.contains('=') && !token.contains('+') && !token.contains('/'));
        let decoded = decode(&token);
        assert_eq!(decoded, url);
        assert!(decoded.starts_with(
            "https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&"
        ));
        assert!(decoded.contains("X-Amz-Expires=60"));
        assert!(decoded.contains("X-Amz-Date=20231114T221320Z"));
        assert!(decoded.contains("X-Amz-SignedHeaders=host%3Bx-k8s-aws-id"));
        assert!(decoded
            .contains("X-Amz-Credential=AKIDEXAMPLE%2F20231114%2Feu-west-1%2Fsts%2Faws4_request"));
        assert!(decoded.contains("X-Amz-Security-Token=tok%2Fen%2B%3D"));
        // Signed: another cluster gives another signature.
        let other = presigned_url(
            &creds(Some("tok/en+=")),
            "other",
            "eu-west-1",
            "https://sts.eu-west-1.amazonaws.com",
            time,
        )
        .unwrap();
        let sig = |u: &str| u.split("X-Amz-Signature=").nth(1).unwrap()[..64].to_string();
        assert_ne!(sig(&url), sig(&other));
    }

    #[test]
    fn cluster_names_are_checked_before_they_reach_a_header() {
        assert!(validate_cluster_name("prod_eu-1").is_ok());
        assert!(validate_cluster_name("8a6e4bd1-5f57-4e0c-9d6a-2f1d0b6a3c11").is_ok());
        for bad in ["", "-x", "a b", "a\r\nx: y", "é", &"a".repeat(101)] {
            assert!(validate_cluster_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_api_version_follows_kubernetes_exec_info() {
        assert_eq!(api_version(None), (API_V1BETA1, None));
        let v1 = r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}"#;
        assert_eq!(api_version(Some(v1)), (API_V1, None));
        let (version, warning) = api_version(Some("{not json"));
        assert_eq!(version, API_V1BETA1);
        assert!(warning.is_some());
        let (version, warning) = api_version(Some(r#"{"apiVersion":"x/v9"}"#));
        assert_eq!(version, API_V1BETA1);
        assert!(warning.is_some());
    }

    #[test]
    fn the_exec_credential_expires_in_14_minutes_or_with_the_credentials() {
        let now = Timestamp::from_second(1_700_000_000).unwrap();
        let doc: serde_json::Value =
            serde_json::from_str(&exec_credential("k8s-aws-v1.x", API_V1, now, None)).unwrap();
        assert_eq!(doc["kind"], "ExecCredential");
        assert_eq!(doc["apiVersion"], API_V1);
        assert_eq!(doc["spec"], json!({}));
        assert_eq!(doc["status"]["token"], "k8s-aws-v1.x");
        assert_eq!(doc["status"]["expirationTimestamp"], "2023-11-14T22:27:20Z");
        let soon = Timestamp::from_second(1_700_000_300).unwrap();
        let doc: serde_json::Value =
            serde_json::from_str(&exec_credential("t", API_V1, now, Some(soon))).unwrap();
        assert_eq!(doc["status"]["expirationTimestamp"], "2023-11-14T22:18:20Z");
    }
}

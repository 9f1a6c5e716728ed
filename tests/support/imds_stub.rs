//! A stand-in for the EC2 instance metadata service (IMDSv2 only) on
//! 127.0.0.1, for `credential_source = Ec2InstanceMetadata`:
//!
//! - `PUT /latest/api/token` with `X-aws-ec2-metadata-token-ttl-seconds`
//!   (1–21600) → a session token; without a valid TTL → 400.
//! - Every `GET` needs that token in `X-aws-ec2-metadata-token`; without it
//!   (IMDSv1) or with an unknown one → 401, as on an instance that requires
//!   IMDSv2.
//! - `GET /latest/meta-data/iam/security-credentials/` → the role's name,
//!   404 when the instance has no role.
//! - `GET /latest/meta-data/iam/security-credentials/ROLE` → the role's
//!   credentials (`Code`, `LastUpdated`, `Type`, `AccessKeyId`,
//!   `SecretAccessKey`, `Token`, `Expiration`).
//!
//! Point clients at it with `AWS_EC2_METADATA_SERVICE_ENDPOINT` (or the
//! profile's `ec2_metadata_service_endpoint`). Hand it a moto IAM user's
//! keys so the credentials work against moto. Every request is recorded.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::json;

use crate::loopback_http::{self, Request, Response};

const CREDENTIALS_PATH: &str = "/latest/meta-data/iam/security-credentials/";

/// The credentials the instance role hands out.
#[derive(Debug, Clone)]
pub struct RoleCredentials {
    /// The instance profile's role name.
    pub role: String,
    /// Access key ID.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Session token.
    pub token: String,
    /// RFC 3339 expiration, e.g. `2030-01-01T00:00:00Z`.
    pub expiration: String,
}

/// One request the stand-in received.
#[derive(Debug, Clone)]
pub struct ImdsRequest {
    /// `PUT` or `GET`.
    pub method: String,
    /// The path.
    pub path: String,
    /// The `X-aws-ec2-metadata-token` header, if sent.
    pub token: Option<String>,
    /// The `X-aws-ec2-metadata-token-ttl-seconds` header, if sent.
    pub ttl: Option<String>,
    /// The status answered.
    pub status: u16,
}

/// What the stand-in serves and what it has seen.
#[derive(Debug, Default)]
pub struct ImdsState {
    /// The role and its credentials; `None`: an instance without a role.
    pub role: Option<RoleCredentials>,
    /// Every request, in order.
    pub requests: Vec<ImdsRequest>,
    tokens: HashSet<String>,
    counter: u32,
}

/// A running IMDS stand-in; its thread lives as long as the test process.
pub struct ImdsStub {
    /// `http://127.0.0.1:PORT` (the endpoint, without a trailing slash).
    pub url: String,
    state: Arc<Mutex<ImdsState>>,
}

impl ImdsStub {
    /// Start a stand-in for an instance without a role (set one with
    /// [`ImdsStub::set_role`]).
    pub fn start() -> ImdsStub {
        let state = Arc::new(Mutex::new(ImdsState::default()));
        let shared = Arc::clone(&state);
        let url = loopback_http::serve(move |request| {
            let mut state = shared.lock().unwrap_or_else(|p| p.into_inner());
            let response = handle(request, &mut state);
            let record = ImdsRequest {
                method: request.method.clone(),
                path: request.target.clone(),
                token: request.headers.get("x-aws-ec2-metadata-token").cloned(),
                ttl: request
                    .headers
                    .get("x-aws-ec2-metadata-token-ttl-seconds")
                    .cloned(),
                status: response.status,
            };
            state.requests.push(record);
            response
        });
        ImdsStub { url, state }
    }

    /// The state, to configure the stand-in or read its requests.
    pub fn state(&self) -> MutexGuard<'_, ImdsState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Serve `role` (or no role with `None`).
    pub fn set_role(&self, role: Option<RoleCredentials>) {
        self.state().role = role;
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<ImdsRequest> {
        self.state().requests.clone()
    }

    /// Forget the requests seen so far.
    pub fn clear_requests(&self) {
        self.state().requests.clear();
    }
}

fn handle(request: &Request, state: &mut ImdsState) -> Response {
    let path = request.target.split('?').next().unwrap_or_default();
    if request.method == "PUT" {
        if path != "/latest/api/token" {
            return Response::text(405, "");
        }
        let ttl = request
            .headers
            .get("x-aws-ec2-metadata-token-ttl-seconds")
            .and_then(|v| v.parse::<u32>().ok())
            .filter(|ttl| (1..=21_600).contains(ttl));
        let Some(ttl) = ttl else {
            return Response::text(400, "");
        };
        state.counter += 1;
        let token = format!("imds-session-token-{}", state.counter);
        state.tokens.insert(token.clone());
        // Like the real IMDS, the answer says how long the token lives (the
        // Rust SDK refuses a token response without it).
        return Response::text(200, token)
            .with_header("X-aws-ec2-metadata-token-ttl-seconds", ttl.to_string());
    }
    if request.method != "GET" {
        return Response::text(405, "");
    }
    // IMDSv1 (no token) is refused, as on an instance requiring IMDSv2.
    let token_ok = request
        .headers
        .get("x-aws-ec2-metadata-token")
        .is_some_and(|t| state.tokens.contains(t));
    if !token_ok {
        return Response::text(401, "");
    }
    let Some(role) = &state.role else {
        return Response::text(404, "");
    };
    if path == CREDENTIALS_PATH {
        return Response::text(200, role.role.clone());
    }
    if path.strip_prefix(CREDENTIALS_PATH) == Some(role.role.as_str()) {
        return Response::json(&json!({
            "Code": "Success",
            "LastUpdated": "2024-01-01T00:00:00Z",
            "Type": "AWS-HMAC",
            "AccessKeyId": role.access_key_id,
            "SecretAccessKey": role.secret_access_key,
            "Token": role.token,
            "Expiration": role.expiration,
        }));
    }
    Response::text(404, "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loopback_http::request;

    fn role() -> RoleCredentials {
        RoleCredentials {
            role: "web".into(),
            access_key_id: "AKIAIMDSTEST".into(),
            secret_access_key: "secret".into(),
            token: "token".into(),
            expiration: "2030-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn v2_flow_serves_the_role() {
        let stub = ImdsStub::start();
        stub.set_role(Some(role()));
        let ttl = [("X-aws-ec2-metadata-token-ttl-seconds", "21600")];
        let (status, token) = request(&stub.url, "PUT", "/latest/api/token", &ttl).unwrap();
        assert_eq!(status, 200);
        let auth = [("X-aws-ec2-metadata-token", token.as_str())];
        let (status, name) = request(&stub.url, "GET", CREDENTIALS_PATH, &auth).unwrap();
        assert_eq!((status, name.as_str()), (200, "web"));
        let path = format!("{CREDENTIALS_PATH}web");
        let (status, body) = request(&stub.url, "GET", &path, &auth).unwrap();
        assert_eq!(status, 200);
        let creds: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(creds["AccessKeyId"], "AKIAIMDSTEST");
        assert_eq!(creds["Expiration"], "2030-01-01T00:00:00Z");
        assert_eq!(stub.requests().len(), 3);
    }

    #[test]
    fn v1_and_bad_tokens_are_refused() {
        let stub = ImdsStub::start();
        stub.set_role(Some(role()));
        let (status, _) = request(&stub.url, "GET", CREDENTIALS_PATH, &[]).unwrap();
        assert_eq!(status, 401, "IMDSv1 refused");
        let bad = [("X-aws-ec2-metadata-token", "forged")];
        let (status, _) = request(&stub.url, "GET", CREDENTIALS_PATH, &bad).unwrap();
        assert_eq!(status, 401);
        let (status, _) = request(&stub.url, "PUT", "/latest/api/token", &[]).unwrap();
        assert_eq!(status, 400, "a token needs a TTL");
    }

    #[test]
    fn no_role_is_404() {
        let stub = ImdsStub::start();
        let ttl = [("X-aws-ec2-metadata-token-ttl-seconds", "60")];
        let (_, token) = request(&stub.url, "PUT", "/latest/api/token", &ttl).unwrap();
        let auth = [("X-aws-ec2-metadata-token", token.as_str())];
        let (status, _) = request(&stub.url, "GET", CREDENTIALS_PATH, &auth).unwrap();
        assert_eq!(status, 404);
    }
}

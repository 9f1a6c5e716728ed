//! A stand-in for the container credentials endpoint (ECS task roles, EKS
//! Pod Identity) on 127.0.0.1, for `credential_source = EcsContainer`:
//! `GET /creds` answers `AccessKeyId`, `SecretAccessKey`, `Token`,
//! `Expiration` and `RoleArn`. When a token is required, a request without
//! an `Authorization` header gets 401 and one with another value 403.
//!
//! Point clients at it with `AWS_CONTAINER_CREDENTIALS_FULL_URI` =
//! [`EcsStub::full_uri`] and `AWS_CONTAINER_AUTHORIZATION_TOKEN` (or
//! `_TOKEN_FILE`). Hand it a moto IAM user's keys so the credentials work
//! against moto. Every request is recorded.

use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::json;

use crate::loopback_http::{self, Request, Response};

/// The path credentials are served on.
pub const CREDENTIALS_PATH: &str = "/creds";

/// The credentials the endpoint hands out.
#[derive(Debug, Clone)]
pub struct ContainerCredentials {
    /// Access key ID.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Session token.
    pub token: String,
    /// RFC 3339 expiration.
    pub expiration: String,
}

/// One request the stand-in received.
#[derive(Debug, Clone)]
pub struct EcsRequest {
    /// The method.
    pub method: String,
    /// The path with its query.
    pub path: String,
    /// The `Authorization` header, if sent.
    pub authorization: Option<String>,
    /// The status answered.
    pub status: u16,
}

/// What the stand-in serves and what it has seen.
#[derive(Debug, Default)]
pub struct EcsState {
    /// The token `Authorization` must carry; `None`: no check.
    pub token: Option<String>,
    /// The credentials; `None`: 404.
    pub credentials: Option<ContainerCredentials>,
    /// Every request, in order.
    pub requests: Vec<EcsRequest>,
}

/// A running container endpoint; its thread lives as long as the test process.
pub struct EcsStub {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    state: Arc<Mutex<EcsState>>,
}

impl EcsStub {
    /// Start an endpoint with no credentials and no token check.
    pub fn start() -> EcsStub {
        let state = Arc::new(Mutex::new(EcsState::default()));
        let shared = Arc::clone(&state);
        let url = loopback_http::serve(move |request| {
            let mut state = shared.lock().unwrap_or_else(|p| p.into_inner());
            let response = handle(request, &state);
            state.requests.push(EcsRequest {
                method: request.method.clone(),
                path: request.target.clone(),
                authorization: request.headers.get("authorization").cloned(),
                status: response.status,
            });
            response
        });
        EcsStub { url, state }
    }

    /// `AWS_CONTAINER_CREDENTIALS_FULL_URI` for this endpoint.
    pub fn full_uri(&self) -> String {
        format!("{}{CREDENTIALS_PATH}", self.url)
    }

    /// The state, to configure the endpoint or read its requests.
    pub fn state(&self) -> MutexGuard<'_, EcsState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Serve `credentials`, requiring `token` in `Authorization` when given.
    pub fn set(&self, credentials: Option<ContainerCredentials>, token: Option<&str>) {
        let mut state = self.state();
        state.credentials = credentials;
        state.token = token.map(str::to_string);
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<EcsRequest> {
        self.state().requests.clone()
    }

    /// Forget the requests seen so far.
    pub fn clear_requests(&self) {
        self.state().requests.clear();
    }
}

fn handle(request: &Request, state: &EcsState) -> Response {
    if request.method != "GET" {
        return Response::text(405, "");
    }
    if let Some(expected) = &state.token {
        match request.headers.get("authorization") {
            None => return Response::text(401, r#"{"message":"missing authorization"}"#),
            Some(sent) if sent != expected => {
                return Response::text(403, r#"{"message":"forbidden"}"#)
            }
            Some(_) => {}
        }
    }
    let path = request.target.split('?').next().unwrap_or_default();
    match (&state.credentials, path == CREDENTIALS_PATH) {
        (Some(c), true) => Response::json(&json!({
            "AccessKeyId": c.access_key_id,
            "SecretAccessKey": c.secret_access_key,
            "Token": c.token,
            "Expiration": c.expiration,
            "RoleArn": "arn:aws:iam::123456789012:role/task-role",
        })),
        _ => Response::text(404, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loopback_http::request;

    fn stub() -> EcsStub {
        let stub = EcsStub::start();
        stub.set(
            Some(ContainerCredentials {
                access_key_id: "AKIAECSTEST".into(),
                secret_access_key: "secret".into(),
                token: "token".into(),
                expiration: "2030-01-01T00:00:00Z".into(),
            }),
            Some("tok-ecs"),
        );
        stub
    }

    #[test]
    fn serves_credentials_with_the_token() {
        let stub = stub();
        let auth = [("Authorization", "tok-ecs")];
        let (status, body) = request(&stub.url, "GET", CREDENTIALS_PATH, &auth).unwrap();
        assert_eq!(status, 200);
        let creds: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(creds["AccessKeyId"], "AKIAECSTEST");
        assert_eq!(stub.requests()[0].authorization.as_deref(), Some("tok-ecs"));
    }

    #[test]
    fn refuses_missing_and_wrong_tokens() {
        let stub = stub();
        let (status, _) = request(&stub.url, "GET", CREDENTIALS_PATH, &[]).unwrap();
        assert_eq!(status, 401);
        let wrong = [("Authorization", "other")];
        let (status, _) = request(&stub.url, "GET", CREDENTIALS_PATH, &wrong).unwrap();
        assert_eq!(status, 403);
        assert_eq!(stub.requests().len(), 2);
    }
}

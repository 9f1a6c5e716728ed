//! A stand-in for STS where moto cannot serve: an endpoint that repeats the
//! request back in its error message (as some servers and proxies do), or
//! one that answers a fixed AssumeRole body (a 50 MB session token). moto
//! stays the emulator for everything STS really does.

use std::io::Write;
use std::net::TcpListener;
use std::sync::Arc;

use crate::loopback_http::{accept_each, read_request};

/// What the stand-in answers.
#[derive(Clone)]
pub enum Mode {
    /// HTTP 403 `InvalidClientTokenId` whose message repeats the request:
    /// its security token first, then its line, headers and body.
    Echo,
    /// HTTP 200 with this body, whatever was asked.
    Answer(Arc<String>),
}

/// A running stand-in; its thread lives as long as the test process.
pub struct StsStandIn {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl StsStandIn {
    /// Start one answering as `mode` says.
    pub fn start(mode: Mode) -> StsStandIn {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        accept_each(listener, move |stream| {
            let Ok((request, body)) = read_request(&stream) else {
                return;
            };
            let (status, text) = match &mode {
                Mode::Answer(body) => ("200 OK", body.to_string()),
                Mode::Echo => {
                    let token = request.headers.get("x-amz-security-token");
                    let mut echo = format!(
                        "The security token included in the request is invalid: {}; request: {} {}",
                        token.map(String::as_str).unwrap_or("none"),
                        request.method,
                        request.target
                    );
                    let mut headers: Vec<_> = request.headers.iter().collect();
                    headers.sort();
                    for (name, value) in headers {
                        echo += &format!("; {name}: {value}");
                    }
                    echo += &format!("; body: {}", String::from_utf8_lossy(&body));
                    ("403 Forbidden", error_xml("InvalidClientTokenId", &echo))
                }
            };
            let mut stream = stream;
            // The client may stop reading early (a body over its cap).
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                text.len()
            );
            let _ = stream.write_all(text.as_bytes());
            let _ = stream.flush();
        });
        StsStandIn { url }
    }

    /// Environment pointing stsenv's STS calls here.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![("AWS_ENDPOINT_URL_STS".into(), self.url.clone())]
    }
}

/// An STS AssumeRole answer with `session_token`, valid for an hour.
pub fn assume_role_answer(session_token: &str) -> String {
    let expiration = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(3600);
    format!(
        "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>\
<Credentials><AccessKeyId>ASIASTANDINEXAMPLE01</AccessKeyId>\
<SecretAccessKey>standInSecretAccessKeyEXAMPLEEXAMPLE0001</SecretAccessKey>\
<SessionToken>{session_token}</SessionToken><Expiration>{}</Expiration></Credentials>\
<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/dev/s</Arn>\
<AssumedRoleId>AROASTANDIN:s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult>\
<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>",
        expiration.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
}

fn error_xml(code: &str, message: &str) -> String {
    let escaped = message
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>\
<Code>{code}</Code><Message>{escaped}</Message></Error><RequestId>1</RequestId></ErrorResponse>"
    )
}

//! How far the local clock is from AWS's: the `Date` header of an answer
//! from the STS endpoint, beside the local time. MFA codes (30 s windows)
//! and request signatures (5 minutes) fail on a skewed clock with errors
//! that do not say so; `stsenv doctor` measures it.

use std::time::Duration;

use aws_smithy_runtime_api::client::http::HttpConnector;
use aws_smithy_runtime_api::http::Request;
use jiff::Timestamp;

/// The longest the whole check may take.
const TIMEOUT: Duration = Duration::from_secs(8);

/// Seconds the local clock is behind (positive) or ahead (negative) of the
/// server at `endpoint`, or why it could not be measured. Any answer will
/// do (STS answers an unsigned GET with an error): only its `Date` header
/// is read, and it is checked before use.
pub fn skew(endpoint: &str) -> Result<i64, String> {
    let runtime = crate::aws::client::runtime().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        tokio::time::timeout(TIMEOUT, server_date(endpoint))
            .await
            .unwrap_or_else(|_| Err(format!("no answer within {} s", TIMEOUT.as_secs())))
    })
}

/// The GET and the difference; the local time is taken halfway, so the
/// round trip does not count as skew.
async fn server_date(endpoint: &str) -> Result<i64, String> {
    let mut request =
        Request::get(endpoint).map_err(|_| "the endpoint is not a valid URL".to_string())?;
    request
        .headers_mut()
        .insert("user-agent", concat!("stsenv/", env!("CARGO_PKG_VERSION")));
    let before = Timestamp::now();
    let response = crate::aws::client::plain_connector()
        .call(request)
        .await
        .map_err(|e| format!("cannot reach it: {}", crate::aws::client::root_cause(&e)))?;
    let after = Timestamp::now();
    let date = response
        .headers()
        .get("date")
        .ok_or_else(|| "its answer has no Date header".to_string())?;
    let server = parse_http_date(date).ok_or_else(|| {
        format!(
            "its Date header is not an HTTP date: {}",
            crate::store::untrusted::shown(date)
        )
    })?;
    let local_ms = (before.as_millisecond() + after.as_millisecond()) / 2;
    Ok((server.as_millisecond() - local_ms) / 1000)
}

/// An HTTP date (`Thu, 03 Dec 2026 09:22:36 GMT`, RFC 9110's IMF-fixdate).
fn parse_http_date(text: &str) -> Option<Timestamp> {
    if text.len() > 64 {
        return None;
    }
    jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(text)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_parse_and_junk_does_not() {
        assert_eq!(
            parse_http_date("Thu, 03 Dec 2026 09:22:36 GMT").map(|t| t.as_second()),
            Some(
                "2026-12-03T09:22:36Z"
                    .parse::<Timestamp>()
                    .unwrap()
                    .as_second()
            )
        );
        for junk in [
            "",
            "yesterday",
            "Thu, 03 Dec 2026 09:22:36 GMT\u{1b}[2J",
            &"x".repeat(100),
        ] {
            assert_eq!(parse_http_date(junk), None, "{junk:?}");
        }
    }
}

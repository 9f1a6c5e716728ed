//! A size cap on every response body the AWS clients read. The SDK reads a
//! non-streaming answer whole before parsing it; a hostile or broken
//! endpoint (STS, SSO, OIDC, IMDS, the container endpoint) answering
//! 50 MB would otherwise be read, parsed, and its fields cached and
//! exported. The cap wraps the shared HTTP client, so no client can skip it.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use http_body_util::{BodyExt, LengthLimitError, Limited};

/// The largest response body read from any AWS endpoint: 1 MiB. The
/// largest legitimate answers are a page of SSO ListAccounts (≈ 100
/// accounts, tens of KiB) and an STS answer with a session token of at
/// most [`crate::credentials::MAX_SESSION_TOKEN_LEN`]; 1 MiB is far above
/// both, and far below what would hurt.
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// Why a response was not read to its end.
#[derive(Debug)]
pub struct TooLarge;

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the response is larger than {} KiB, more than any AWS answer stsenv reads; refused",
            MAX_RESPONSE_BYTES / 1024
        )
    }
}

impl std::error::Error for TooLarge {}

/// `inner`, with every response body cut off (an error, not a truncation)
/// after [`MAX_RESPONSE_BYTES`].
pub fn client(inner: SharedHttpClient) -> SharedHttpClient {
    SharedHttpClient::new(Capped { inner })
}

#[derive(Debug)]
struct Capped {
    inner: SharedHttpClient,
}

impl HttpClient for Capped {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(CappedConnector {
            inner: self.inner.http_connector(settings, components),
        })
    }

    fn connector_metadata(
        &self,
    ) -> Option<aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata> {
        self.inner.connector_metadata()
    }
}

#[derive(Debug)]
struct CappedConnector {
    inner: SharedHttpConnector,
}

impl HttpConnector for CappedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let answer = self.inner.call(request);
        HttpConnectorFuture::new(async move {
            let mut response = answer.await?;
            let body = response.take_body();
            *response.body_mut() = capped(body);
            Ok(response)
        })
    }
}

/// `body`, failing with [`TooLarge`] once more than the cap has arrived.
fn capped(body: SdkBody) -> SdkBody {
    let limited = Limited::new(body, MAX_RESPONSE_BYTES).map_err(|e: BoxError| -> BoxError {
        if e.is::<LengthLimitError>() {
            Box::new(TooLarge)
        } else {
            e
        }
    });
    SdkBody::from_body_1_x(limited)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(body: SdkBody) -> Result<usize, String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            body.collect()
                .await
                .map(|b| b.to_bytes().len())
                .map_err(|e| e.to_string())
        })
    }

    #[test]
    fn bodies_up_to_the_cap_pass_and_larger_ones_fail() {
        let ok = vec![b'a'; MAX_RESPONSE_BYTES];
        assert_eq!(read(capped(SdkBody::from(ok))), Ok(MAX_RESPONSE_BYTES));
        let big = vec![b'a'; MAX_RESPONSE_BYTES + 1];
        let err = read(capped(SdkBody::from(big))).unwrap_err();
        assert!(err.contains("larger than 1024 KiB"), "{err}");
    }
}

//! `sdk-probe`: a long-running program on the AWS SDK for Rust's default
//! credential chain, for the credential-server tests. It builds one STS
//! client and calls sts:GetCallerIdentity until `PROBE_SECONDS` have passed,
//! `PROBE_CALLS` calls were made or `PROBE_KEYS` distinct access keys have
//! signed, printing one JSON line per call: `{"ok":true,"key":…,"arn":…}`
//! or `{"ok":false,"error":…}`. The key is read from the `Authorization`
//! header the SDK actually sent, so it is the one that signed.
//!
//! The client has no identity cache: the SDK's lazy cache would keep a
//! 900 s session until a jittered point of its last seconds, whereas the
//! tests want each call to go through the default chain (and so to the
//! credential server) to see every renewal within seconds. Exits 1 when
//! any call failed.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_config::identity::IdentityCache;
use aws_config::BehaviorVersion;
use aws_sdk_sts::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_sts::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_http_client::tls;

/// Remembers the access key of the last signed request.
#[derive(Debug, Clone, Default)]
struct SigningKey(Arc<Mutex<Option<String>>>);

impl Intercept for SigningKey {
    fn name(&self) -> &'static str {
        "SigningKey"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_sts::error::BoxError> {
        let key = context
            .request()
            .headers()
            .get("authorization")
            .and_then(|auth| auth.split("Credential=").nth(1))
            .and_then(|rest| rest.split('/').next())
            .map(str::to_string);
        *self.0.lock().expect("not poisoned") = key;
        Ok(())
    }
}

fn number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let seconds = number("PROBE_SECONDS", 60);
    let calls = number("PROBE_CALLS", 500);
    let wanted_keys = number("PROBE_KEYS", 4) as usize;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let failed = runtime.block_on(async {
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let config = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http)
            .identity_cache(IdentityCache::no_cache())
            .load()
            .await;
        let signing_key = SigningKey::default();
        let sts = aws_sdk_sts::Client::from_conf(
            aws_sdk_sts::config::Builder::from(&config)
                .interceptor(signing_key.clone())
                .build(),
        );
        let started = Instant::now();
        let mut keys: Vec<String> = Vec::new();
        let mut failed = false;
        for _ in 0..calls {
            if started.elapsed() > Duration::from_secs(seconds) || keys.len() >= wanted_keys {
                break;
            }
            let line = match sts.get_caller_identity().send().await {
                Ok(identity) => {
                    let key = signing_key.0.lock().expect("not poisoned").clone();
                    let key = key.unwrap_or_default();
                    if !keys.contains(&key) {
                        keys.push(key.clone());
                    }
                    serde_json::json!({"ok": true, "key": key, "arn": identity.arn()})
                }
                Err(err) => {
                    failed = true;
                    let error = aws_sdk_sts::error::DisplayErrorContext(&err).to_string();
                    serde_json::json!({"ok": false, "error": error})
                }
            };
            println!("{line}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        failed
    });
    std::process::exit(i32::from(failed));
}

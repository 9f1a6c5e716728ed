//! `stsenv eks-token`: the token is checked field by field, its signature is
//! recomputed independently with botocore's SigV4 query signer from the same
//! credentials, date and cluster header (moto cannot verify a presigned STS
//! GET), and the document is compared with `aws eks get-token`'s.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::{Output, Stdio};

use base64::Engine;
use serde_json::{json, Value};
use stsenv_tests::sso_stub::SsoStub;
use stsenv_tests::{succeeded, Moto, Sandbox, SWITCH_ROLE_CONFIG};

use crate::sso_login::SSO_CONFIG;
use crate::util::epoch_of;

const IAM_CONFIG: &str = "[profile iam]\nregion = eu-west-1\n";
const IAM_CREDENTIALS: &str = "\
[iam]
aws_access_key_id = AKIAI44QH8DHBEXAMPLE
aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY
";
const V1_EXEC_INFO: &str = r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}"#;

/// Recomputes the signature of a presigned GetCallerIdentity URL with
/// botocore's own SigV4 query signer, at the URL's X-Amz-Date. Secrets come
/// on stdin, never in argv.
const VERIFY_PY: &str = r#"
import base64, datetime, json, sys
from urllib.parse import urlsplit, parse_qs
import botocore.auth, botocore.awsrequest, botocore.credentials

given = json.load(sys.stdin)
url = given["url"]
parts = urlsplit(url)
query = parse_qs(parts.query)
stamp = datetime.datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ")
region = query["X-Amz-Credential"][0].split("/")[2]
botocore.auth.get_current_datetime = lambda *a, **k: stamp
creds = botocore.credentials.Credentials(
    given["access_key_id"], given["secret_access_key"], given.get("session_token"))
request = botocore.awsrequest.AWSRequest(
    method="GET",
    url=f"{parts.scheme}://{parts.netloc}{parts.path}",
    params={"Action": "GetCallerIdentity", "Version": "2011-06-15"},
    headers={"x-k8s-aws-id": given["cluster"]},
)
botocore.auth.SigV4QueryAuth(creds, "sts", region, expires=60).add_auth(request)
signed = parse_qs(urlsplit(request.url).query)
print(json.dumps({"signature": signed["X-Amz-Signature"][0], "url": request.url}))
"#;

fn iam_sandbox() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.config(IAM_CONFIG).credentials(IAM_CREDENTIALS);
    sandbox
}

fn eks_token(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Output {
    sandbox
        .stsenv()
        .arg("eks-token")
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

/// The ExecCredential on stdout, parsed.
fn exec_credential(out: &Output) -> Value {
    serde_json::from_slice(succeeded(out)).expect("ExecCredential JSON")
}

/// The presigned URL inside a token.
fn decode(token: &str) -> String {
    let body = token
        .strip_prefix("k8s-aws-v1.")
        .unwrap_or_else(|| panic!("token prefix: {token}"));
    assert!(!body.contains('='), "unpadded");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(body)
        .expect("base64url");
    String::from_utf8(bytes).unwrap()
}

fn query(url: &url::Url) -> BTreeMap<String, String> {
    url.query_pairs().into_owned().collect()
}

/// botocore's signature for `url` with these credentials and cluster.
fn botocore_signature(sandbox: &Sandbox, url: &str, creds: &Value, cluster: &str) -> String {
    let script = sandbox.path().join("verify.py");
    std::fs::write(&script, VERIFY_PY).unwrap();
    let mut child = sandbox
        .command("python3")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 with botocore (the AWS CLI's) is installed");
    let input = json!({
        "url": url,
        "access_key_id": creds["AccessKeyId"],
        "secret_access_key": creds["SecretAccessKey"],
        "session_token": creds.get("SessionToken"),
        "cluster": cluster,
    });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let answer: Value = serde_json::from_slice(succeeded(&out)).unwrap();
    answer["signature"].as_str().unwrap().to_string()
}

/// Check a token's URL and that botocore signs it identically.
fn verify(sandbox: &Sandbox, doc: &Value, creds: &Value, cluster: &str, host: &str) -> url::Url {
    let presigned = decode(doc["status"]["token"].as_str().unwrap());
    let url = url::Url::parse(&presigned).unwrap();
    let authority = match url.port() {
        Some(port) => format!("{}:{port}", url.host_str().unwrap()),
        None => url.host_str().unwrap().to_string(),
    };
    assert_eq!(authority, host, "{presigned}");
    assert_eq!(url.path(), "/");
    let q = query(&url);
    assert_eq!(q["Action"], "GetCallerIdentity");
    assert_eq!(q["Version"], "2011-06-15");
    assert_eq!(q["X-Amz-Algorithm"], "AWS4-HMAC-SHA256");
    assert_eq!(q["X-Amz-Expires"], "60");
    let signed: Vec<&str> = q["X-Amz-SignedHeaders"].split(';').collect();
    assert!(signed.contains(&"x-k8s-aws-id"), "{signed:?}");
    assert!(signed.contains(&"host"), "{signed:?}");
    assert!(
        q["X-Amz-Credential"].starts_with(&format!("{}/", creds["AccessKeyId"].as_str().unwrap()))
    );
    assert!(q["X-Amz-Credential"].ends_with("/sts/aws4_request"));
    assert_eq!(
        q.get("X-Amz-Security-Token").map(String::as_str),
        creds.get("SessionToken").and_then(Value::as_str)
    );
    let signature = &q["X-Amz-Signature"];
    assert_eq!(signature.len(), 64);
    assert_eq!(
        &botocore_signature(sandbox, &presigned, creds, cluster),
        signature,
        "botocore computes the same signature"
    );
    url
}

/// `aws eks get-token` in the same sandbox.
fn aws_get_token(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Value {
    let out = sandbox
        .command("aws")
        .args(["eks", "get-token", "--output", "json"])
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("the AWS CLI is installed (cargo xtask test installs it)");
    serde_json::from_slice(succeeded(&out)).expect("aws prints JSON")
}

/// Same document shape as the AWS CLI's: keys, kind, apiVersion, spec, and
/// a token for the same endpoint with the same query parameters.
fn assert_same_shape(ours: &Value, theirs: &Value) {
    let keys = |v: &Value| -> BTreeSet<String> { v.as_object().unwrap().keys().cloned().collect() };
    assert_eq!(keys(ours), keys(theirs));
    assert_eq!(keys(&ours["status"]), keys(&theirs["status"]));
    for field in ["kind", "apiVersion", "spec"] {
        assert_eq!(ours[field], theirs[field], "{field}");
    }
    let ours_at = epoch_of(ours["status"]["expirationTimestamp"].as_str().unwrap());
    let theirs_at = epoch_of(theirs["status"]["expirationTimestamp"].as_str().unwrap());
    assert!(
        (ours_at - theirs_at).abs() <= 60,
        "{ours_at} vs {theirs_at}"
    );
    let url =
        |doc: &Value| url::Url::parse(&decode(doc["status"]["token"].as_str().unwrap())).unwrap();
    let (a, b) = (url(ours), url(theirs));
    assert_eq!(
        (a.scheme(), a.host_str(), a.port(), a.path()),
        (b.scheme(), b.host_str(), b.port(), b.path())
    );
    let names = |u: &url::Url| -> BTreeSet<String> { query(u).into_keys().collect() };
    assert_eq!(names(&a), names(&b));
    let (qa, qb) = (query(&a), query(&b));
    for same in [
        "Action",
        "Version",
        "X-Amz-Expires",
        "X-Amz-SignedHeaders",
        "X-Amz-Algorithm",
    ] {
        assert_eq!(qa[same], qb[same], "{same}");
    }
}

#[test]
fn an_iam_user_token_matches_the_aws_cli_and_botocore_signs_it_identically() {
    let sandbox = iam_sandbox();
    let out = eks_token(&sandbox, &["iam", "--cluster-name", "prod-eu"], &[]);
    let doc = exec_credential(&out);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(doc["kind"], "ExecCredential");
    assert_eq!(doc["apiVersion"], "client.authentication.k8s.io/v1beta1");
    assert_eq!(doc["spec"], json!({}));
    let left =
        epoch_of(doc["status"]["expirationTimestamp"].as_str().unwrap()) - crate::util::now();
    assert!(
        (13 * 60..=14 * 60).contains(&left),
        "14 minutes ahead: {left}"
    );
    let creds = json!({
        "AccessKeyId": "AKIAI44QH8DHBEXAMPLE",
        "SecretAccessKey": "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
    });
    let url = verify(
        &sandbox,
        &doc,
        &creds,
        "prod-eu",
        "sts.eu-west-1.amazonaws.com",
    );
    assert!(query(&url)["X-Amz-Credential"].contains("/eu-west-1/sts/"));
    assert_same_shape(
        &doc,
        &aws_get_token(
            &sandbox,
            &["--cluster-name", "prod-eu", "--profile", "iam"],
            &[],
        ),
    );

    // kubectl asking for v1 gets v1, as from the AWS CLI.
    let exec_info = [("KUBERNETES_EXEC_INFO", V1_EXEC_INFO)];
    let out = eks_token(&sandbox, &["iam", "--cluster-name", "prod-eu"], &exec_info);
    let v1 = exec_credential(&out);
    assert_eq!(v1["apiVersion"], "client.authentication.k8s.io/v1");
    assert_same_shape(
        &v1,
        &aws_get_token(
            &sandbox,
            &["--cluster-name", "prod-eu", "--profile", "iam"],
            &exec_info,
        ),
    );

    // Something unusable: v1beta1 and a warning, like the AWS CLI.
    let out = eks_token(
        &sandbox,
        &["iam", "--cluster-name", "prod-eu"],
        &[("KUBERNETES_EXEC_INFO", "{not json")],
    );
    assert_eq!(
        exec_credential(&out)["apiVersion"],
        "client.authentication.k8s.io/v1beta1"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("KUBERNETES_EXEC_INFO"));
}

#[test]
fn the_region_and_configured_endpoints_pick_the_sts_host() {
    let sandbox = iam_sandbox();
    let creds = json!({
        "AccessKeyId": "AKIAI44QH8DHBEXAMPLE",
        "SecretAccessKey": "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
    });
    let out = eks_token(
        &sandbox,
        &["iam", "--cluster-name", "c1", "--region", "us-west-2"],
        &[],
    );
    let url = verify(
        &sandbox,
        &exec_credential(&out),
        &creds,
        "c1",
        "sts.us-west-2.amazonaws.com",
    );
    assert!(query(&url)["X-Amz-Credential"].contains("/us-west-2/sts/"));
    let out = eks_token(
        &sandbox,
        &["iam", "--cluster-name", "c1", "--region", "cn-north-1"],
        &[],
    );
    verify(
        &sandbox,
        &exec_credential(&out),
        &creds,
        "c1",
        "sts.cn-north-1.amazonaws.com.cn",
    );

    // AWS_ENDPOINT_URL_STS wins, as for `aws eks get-token`.
    let endpoint = [("AWS_ENDPOINT_URL_STS", "https://sts.vpce.example.internal")];
    let out = eks_token(&sandbox, &["iam", "--cluster-name", "c1"], &endpoint);
    let ours = exec_credential(&out);
    verify(&sandbox, &ours, &creds, "c1", "sts.vpce.example.internal");
    assert_same_shape(
        &ours,
        &aws_get_token(
            &sandbox,
            &["--cluster-name", "c1", "--profile", "iam"],
            &endpoint,
        ),
    );
    let out = eks_token(
        &sandbox,
        &["iam", "--cluster-name", "c1"],
        &[("AWS_ENDPOINT_URL_STS", "ftp://sts.example")],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("AWS_ENDPOINT_URL_STS"));
}

#[test]
fn a_role_token_is_signed_from_cached_credentials_without_any_network_call() {
    let moto = Moto::start();
    let sandbox = Sandbox::with_base_keys(&moto, SWITCH_ROLE_CONFIG);
    let out = eks_token(
        &sandbox,
        &[
            "dev",
            "--cluster-name",
            "payments",
            "--token-code",
            "123456",
        ],
        &[],
    );
    let doc = exec_credential(&out);
    let creds: Value = serde_json::from_slice(succeeded(
        &sandbox
            .stsenv()
            .args(["env", "dev", "--shell", "json", "--non-interactive"])
            .output()
            .unwrap(),
    ))
    .unwrap();
    let host = format!("127.0.0.1:{}", moto.port);
    verify(&sandbox, &doc, &creds, "payments", &host);
    // The same credentials in the AWS CLI give the same shape of token.
    let env = [
        ("AWS_ACCESS_KEY_ID", creds["AccessKeyId"].as_str().unwrap()),
        (
            "AWS_SECRET_ACCESS_KEY",
            creds["SecretAccessKey"].as_str().unwrap(),
        ),
        ("AWS_SESSION_TOKEN", creds["SessionToken"].as_str().unwrap()),
    ];
    assert_same_shape(
        &doc,
        &aws_get_token(
            &sandbox,
            &["--cluster-name", "payments", "--region", "eu-west-1"],
            &env,
        ),
    );

    // With STS gone, a cached session still gives a valid token.
    drop(moto);
    let out = eks_token(
        &sandbox,
        &["dev", "--cluster-name", "payments", "--non-interactive"],
        &[],
    );
    verify(&sandbox, &exec_credential(&out), &creds, "payments", &host);
}

#[test]
fn without_a_terminal_mfa_and_sso_are_exit_3() {
    let sandbox = Sandbox::switch_role();
    let out = eks_token(&sandbox, &["dev", "--cluster-name", "c"], &[]);
    assert_eq!(out.status.code(), Some(3));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("MFA code needed"));

    let sso = SsoStub::start();
    let sandbox = Sandbox::new();
    sandbox.config(SSO_CONFIG);
    let out = sandbox
        .stsenv()
        .envs(sso.env())
        .args(["eks-token", "ssodev", "--cluster-name", "c"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("stsenv login ssodev"));
}

#[test]
fn a_bad_cluster_name_fails_before_any_credentials_are_resolved() {
    let sandbox = Sandbox::switch_role();
    for bad in ["a b", "-x", "a\r\nx-evil: 1", ""] {
        // dev needs an MFA code: exit 1 (not 3) shows the name was checked first.
        let out = eks_token(&sandbox, &["dev", &format!("--cluster-name={bad}")], &[]);
        assert_eq!(out.status.code(), Some(1), "{bad:?}");
        assert!(out.stdout.is_empty());
        assert!(String::from_utf8_lossy(&out.stderr).contains("not an EKS cluster name"));
    }
    let missing = sandbox
        .stsenv()
        .args(["eks-token", "dev"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2), "--cluster-name is required");
}

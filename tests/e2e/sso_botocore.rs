//! Interoperability with the AWS CLI's token cache, checked against the
//! real botocore installed for the tests (AWS CLI v1, which resolves
//! sso-session profiles from `~/.aws/sso/cache` but has no `sso login`):
//! a token written by `stsenv login` is used by `aws`, which calls
//! GetRoleCredentials on the stub with it (botocore honours
//! AWS_ENDPOINT_URL_SSO) and then STS on moto.

use stsenv_tests::sso_stub::SsoStub;
use stsenv_tests::Moto;

use crate::sso_login::{read_token, sandbox, stsenv};

#[test]
fn botocore_uses_the_token_stsenv_wrote() {
    let stub = SsoStub::start();
    let moto = Moto::shared();
    let sandbox = sandbox();
    stsenv(&sandbox, &stub, &["login", "ssodev", "--no-browser"]).success();
    let token = read_token(&sandbox);
    let output = sandbox
        .command("aws")
        .envs(stub.env())
        .env("AWS_ENDPOINT_URL_STS", &moto.url)
        .args([
            "sts",
            "get-caller-identity",
            "--profile",
            "ssodev",
            "--output",
            "json",
        ])
        .output()
        .expect("the AWS CLI is installed (cargo xtask test installs it)");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "aws failed: {stderr}");
    let identity: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(identity["Arn"].is_string(), "{identity}");
    let get = stub.calls_of("GetRoleCredentials");
    assert_eq!(get.len(), 1, "botocore called the stub portal");
    assert_eq!(
        get[0].headers["x-amz-sso_bearer_token"],
        token["accessToken"].as_str().unwrap()
    );
    assert_eq!(get[0].query["account_id"], "111111111111");
    assert_eq!(get[0].query["role_name"], "Developer");
    // botocore found the token fresh: no refresh, no new login.
    assert_eq!(stub.calls_of("CreateToken").len(), 3);
}

/// botocore refreshes a token within 15 minutes of expiry with the client
/// registration and refresh token stsenv stored (so the field names match
/// what botocore reads), rewrites the file, and stsenv then reads the file
/// botocore wrote.
#[test]
fn botocore_refreshes_with_what_stsenv_stored_and_stsenv_reads_it_back() {
    let stub = SsoStub::start();
    stub.state().token_expires_in = 600;
    let moto = Moto::shared();
    let sandbox = sandbox();
    stsenv(&sandbox, &stub, &["login", "ssodev", "--no-browser"]).success();
    let before = read_token(&sandbox);
    let output = sandbox
        .command("aws")
        .envs(stub.env())
        .env("AWS_ENDPOINT_URL_STS", &moto.url)
        .args(["sts", "get-caller-identity", "--profile", "ssodev"])
        .output()
        .expect("the AWS CLI is installed");
    stsenv_tests::succeeded(&output);
    let refresh: Vec<_> = stub
        .calls_of("CreateToken")
        .into_iter()
        .filter(|c| c.body["grantType"] == "refresh_token")
        .collect();
    assert_eq!(
        refresh.len(),
        1,
        "botocore refreshed through AWS_ENDPOINT_URL_SSO_OIDC"
    );
    assert_eq!(refresh[0].body["clientId"], before["clientId"]);
    assert_eq!(refresh[0].body["clientSecret"], before["clientSecret"]);
    assert_eq!(refresh[0].body["refreshToken"], before["refreshToken"]);
    let after = read_token(&sandbox);
    assert_ne!(
        after["accessToken"], before["accessToken"],
        "botocore rewrote the file"
    );
    // stsenv uses botocore's file as is.
    stsenv(
        &sandbox,
        &stub,
        &["env", "ssodev", "--refresh", "--non-interactive"],
    )
    .success();
    let last = stub.calls_of("GetRoleCredentials").pop().unwrap();
    assert_eq!(
        last.headers["x-amz-sso_bearer_token"],
        after["accessToken"].as_str().unwrap()
    );
    assert_eq!(stub.calls_of("StartDeviceAuthorization").len(), 1);
}

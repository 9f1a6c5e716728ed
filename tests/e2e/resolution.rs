//! Which credentials and region a profile means, where the AWS SDKs define
//! it (issue 9): a source profile's static keys end the chain, keys against
//! credential_process, the region's precedence (and the one exception for a
//! region stsenv exported itself), SSO settings that contradict their
//! session, and outside credentials that are expired or blank.

use stsenv_tests::{exported_value, succeeded, Moto, Sandbox};

use crate::util::{assert_expires_in, fails, ok, on_path};

const KEYS_MID: &str =
    "aws_access_key_id = AKIAMIDKEYSMIDKEYS01\naws_secret_access_key = midsecret\n";

#[test]
fn a_source_profile_with_keys_ends_the_chain_without_clamping() {
    let moto = Moto::shared();
    let sandbox = Sandbox::with_moto(moto);
    sandbox
        .config(
            "\
[profile stop-app]
role_arn = arn:aws:iam::111111111111:role/stop-app
source_profile = stop-mid
duration_seconds = 7200

[profile stop-mid]
role_arn = arn:aws:iam::222222222222:role/stop-mid
source_profile = nowhere
",
        )
        .credentials(&format!("[stop-mid]\n{KEYS_MID}"));
    let out = sandbox
        .stsenv()
        .args(["env", "stop-app", "--shell", "bash"])
        .assert()
        .success();
    let output = out.get_output();
    assert!(
        output.stderr.is_empty(),
        "no clamp warning for a role assumed with keys: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_expires_in(
        &exported_value(&output.stdout, "AWS_CREDENTIAL_EXPIRATION").unwrap(),
        7200,
    );
    assert_eq!(
        moto.assume_role_calls("arn:aws:iam::111111111111:role/stop-app"),
        1
    );
    assert_eq!(
        moto.assume_role_calls("arn:aws:iam::222222222222:role/stop-mid"),
        0
    );
    let explain = ok(&sandbox, &["explain", "stop-app"]);
    assert!(
        explain.contains("static keys AKIA…YS01 of profile `stop-mid`"),
        "{explain}"
    );
}

/// A credential_process printing `key`.
fn process_printing(sandbox: &Sandbox, key: &str, extra: &str) -> String {
    let script = sandbox.path().join(format!("{key}.sh"));
    std::fs::write(
        &script,
        format!("#!/bin/sh\ncat <<'JSON'\n{{\"Version\": 1, \"AccessKeyId\": \"{key}\", \"SecretAccessKey\": \"s\"{extra}}}\nJSON\n"),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script.display().to_string()
}

fn key_of(sandbox: &Sandbox, profile: &str) -> String {
    let json = ok(sandbox, &["env", profile, "--shell", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    doc["AccessKeyId"].as_str().unwrap().to_string()
}

#[test]
fn keys_in_the_credentials_file_beat_credential_process_and_keys_in_the_config_do_not() {
    let sandbox = Sandbox::with_moto(Moto::shared());
    let process = process_printing(&sandbox, "AKIAPROCESSPROCESS01", "");
    sandbox
        .config(&format!(
            "[profile in-creds]\ncredential_process = {process}\n\n[profile in-config]\ncredential_process = {process}\naws_access_key_id = AKIACONFIGCONFIGCF01\naws_secret_access_key = c\n"
        ))
        .credentials("[in-creds]\naws_access_key_id = AKIACREDSCREDSCRED01\naws_secret_access_key = k\n");
    assert_eq!(key_of(&sandbox, "in-creds"), "AKIACREDSCREDSCRED01");
    assert_eq!(key_of(&sandbox, "in-config"), "AKIAPROCESSPROCESS01");
}

#[test]
fn an_expired_credential_process_answer_is_refused() {
    let sandbox = Sandbox::with_moto(Moto::shared());
    let process = process_printing(
        &sandbox,
        "AKIAEXPIREDEXPIRED01",
        ", \"SessionToken\": \"t\", \"Expiration\": \"2020-01-01T00:00:00Z\"",
    );
    sandbox.config(&format!("[profile old]\ncredential_process = {process}\n"));
    let stderr = fails(&sandbox, &["env", "old"], 1);
    assert!(
        stderr.contains("`old`") && stderr.contains("expired at 2020-01-01T00:00:00Z"),
        "{stderr}"
    );
}

#[test]
fn blank_environment_keys_are_missing_and_make_no_call() {
    let moto = Moto::shared();
    let sandbox = Sandbox::with_moto(moto);
    let role = "arn:aws:iam::555555555555:role/blank-env";
    sandbox.config(&format!(
        "[profile blank-env]\nrole_arn = {role}\ncredential_source = Environment\n"
    ));
    let out = sandbox
        .stsenv()
        .args(["env", "blank-env"])
        .env("AWS_ACCESS_KEY_ID", " ")
        .env("AWS_SECRET_ACCESS_KEY", " ")
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(out.get_output().stdout.is_empty());
    assert!(
        stderr.contains("blank-env") && stderr.contains("AWS_ACCESS_KEY_ID"),
        "{stderr}"
    );
    assert_eq!(moto.assume_role_calls(role), 0);
    // Expired environment credentials are refused before any call too.
    let out = sandbox
        .stsenv()
        .args(["env", "blank-env"])
        .env("AWS_ACCESS_KEY_ID", "AKIAENVENVENVENVENV1")
        .env("AWS_SECRET_ACCESS_KEY", "s")
        .env("AWS_SESSION_TOKEN", "t")
        .env("AWS_CREDENTIAL_EXPIRATION", "2020-01-01T00:00:00Z")
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("expired"), "{stderr}");
    assert_eq!(moto.assume_role_calls(role), 0);
}

#[test]
fn sso_settings_that_contradict_their_session_are_an_error() {
    let sandbox = Sandbox::new();
    sandbox.config(
        "\
[sso-session corp]
sso_start_url = https://corp.example/start
sso_region = eu-west-1

[profile corp-dev]
sso_session = corp
sso_start_url = https://other.example/start
sso_account_id = 111111111111
sso_role_name = Developer
",
    );
    let stderr = fails(&sandbox, &["explain", "corp-dev"], 1);
    for needle in [
        "corp-dev",
        "[sso-session corp]",
        "sso_start_url",
        "inconsistent",
        &sandbox.config_path().display().to_string(),
    ] {
        assert!(stderr.contains(needle), "`{needle}` not in {stderr}");
    }
}

const REGIONS: &str = "\
[profile reg-dev]
role_arn = arn:aws:iam::111111111111:role/reg-dev
source_profile = src
region = eu-west-1

[profile reg-prod]
role_arn = arn:aws:iam::111111111111:role/reg-prod
source_profile = src
region = eu-central-1

[profile reg-none]
role_arn = arn:aws:iam::111111111111:role/reg-none
source_profile = src
";

fn region_sandbox() -> Sandbox {
    let sandbox = Sandbox::with_moto(Moto::shared());
    sandbox.config(REGIONS).credentials(
        "[src]\naws_access_key_id = AKIASRCSRCSRCSRCSRC1\naws_secret_access_key = s\n",
    );
    sandbox
}

#[test]
fn exec_keeps_the_region_the_user_set_and_the_environment_beats_the_profile() {
    let sandbox = region_sandbox();
    let out = sandbox
        .stsenv()
        .args([
            "exec",
            "reg-dev",
            "--",
            "sh",
            "-c",
            "echo \"$AWS_REGION/$AWS_DEFAULT_REGION\"",
        ])
        .env("AWS_DEFAULT_REGION", "us-west-2")
        .assert()
        .success();
    assert_eq!(
        String::from_utf8_lossy(&out.get_output().stdout).trim(),
        "/us-west-2",
        "the user's AWS_DEFAULT_REGION is kept and none is added"
    );
    let explain = sandbox
        .stsenv()
        .args(["explain", "reg-dev"])
        .env("AWS_REGION", "ap-south-1")
        .env("AWS_DEFAULT_REGION", "us-west-2")
        .assert()
        .success();
    let explain = String::from_utf8_lossy(&explain.get_output().stdout).to_string();
    assert!(
        explain.contains("region: ap-south-1 (from AWS_REGION"),
        "{explain}"
    );
    // --region beats everything, and is exported.
    let out = sandbox
        .stsenv()
        .args([
            "env",
            "reg-dev",
            "--region",
            "ca-central-1",
            "--shell",
            "bash",
        ])
        .env("AWS_REGION", "ap-south-1")
        .assert()
        .success();
    assert_eq!(
        exported_value(&out.get_output().stdout, "AWS_REGION").as_deref(),
        Some("ca-central-1")
    );
}

#[test]
fn switching_profiles_in_a_shell_moves_the_region_stsenv_exported() {
    if !on_path("bash") {
        return;
    }
    let sandbox = region_sandbox();
    let bin = stsenv_tests::stsenv_bin().display().to_string();
    let script = format!(
        "set -e
s() {{ eval \"$('{bin}' env \"$@\" --shell bash)\"; }}
s reg-dev; echo \"dev=${{AWS_REGION-}}/${{AWS_DEFAULT_REGION-}}\"
s reg-prod; echo \"prod=${{AWS_REGION-}}/${{AWS_DEFAULT_REGION-}}\"
s reg-none; echo \"none=${{AWS_REGION-unset}}/${{AWS_DEFAULT_REGION-unset}}\"
export AWS_REGION=ap-south-1
s reg-prod; echo \"user=${{AWS_REGION-}}\"
"
    );
    let output = sandbox
        .command("bash")
        .args(["-c", &script])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(succeeded(&output)).to_string();
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        [
            "dev=eu-west-1/eu-west-1",
            "prod=eu-central-1/eu-central-1",
            "none=unset/unset",
            "user=ap-south-1",
        ],
        "{stdout}"
    );
}

/// `sts_regional_endpoints = legacy` sends a legacy region's calls to the
/// global endpoint (botocore's rule); the environment's setting wins, and a
/// configured endpoint beats both.
#[test]
fn legacy_sts_regional_endpoints_plan_the_global_endpoint() {
    let sandbox = Sandbox::new();
    sandbox
        .config(
            "[profile app]\nrole_arn = arn:aws:iam::111111111111:role/RoleA\nsource_profile = base\nregion = eu-west-1\nsts_regional_endpoints = legacy\n",
        )
        .credentials(&format!("[base]\n{KEYS_MID}"));
    let explain = |vars: &[(&str, &str)]| {
        let out = sandbox
            .stsenv()
            .envs(vars.iter().copied())
            .args(["explain", "app"])
            .output()
            .unwrap();
        String::from_utf8_lossy(succeeded(&out)).into_owned()
    };
    assert!(
        explain(&[]).contains("at https://sts.amazonaws.com"),
        "{}",
        explain(&[])
    );
    let regional = explain(&[("AWS_STS_REGIONAL_ENDPOINTS", "regional")]);
    assert!(!regional.contains("sts.amazonaws.com"), "{regional}");
    let configured = explain(&[("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9")]);
    assert!(configured.contains("at http://127.0.0.1:9"), "{configured}");
}

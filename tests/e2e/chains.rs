//! Every way to get from a source to credentials, against moto: static keys,
//! role chains, MFA sessions, federation, ad-hoc roles, credential_process
//! and `credential_source = Environment`.

use stsenv_tests::{exported_value, Moto, Sandbox, SWITCH_ROLE_CONFIG};

use crate::util::{arn, assert_expires_in, assumed_role, fails, ok};

/// Keys for a plain IAM user `src` (moto accepts any).
const SRC_CREDENTIALS: &str = "\
[src]
aws_access_key_id = AKIAEXAMPLESRC000001
aws_secret_access_key = srcsecretsrcsecretsrcsecretsrcsecret0001
";

fn sandbox(config: &str) -> Sandbox {
    let sandbox = Sandbox::with_moto(Moto::shared());
    sandbox.config(config).credentials(SRC_CREDENTIALS);
    sandbox
}

#[test]
fn static_keys_to_role() {
    let sandbox = sandbox(
        "[profile chain-a]\nrole_arn = arn:aws:iam::111111111111:role/chain-a\nsource_profile = src\n",
    );
    let out = ok(&sandbox, &["env", "chain-a", "--shell", "bash"]);
    let key = exported_value(out.as_bytes(), "AWS_ACCESS_KEY_ID").unwrap();
    assert!(key.starts_with("ASIA"), "role keys expected, got {key}");
    assert_eq!(
        exported_value(out.as_bytes(), "STSENV_PROFILE").as_deref(),
        Some("chain-a")
    );
    // STS's default lifetime when the profile sets none.
    assert_expires_in(
        &exported_value(out.as_bytes(), "AWS_CREDENTIAL_EXPIRATION").unwrap(),
        3600,
    );
    assert_eq!(
        arn(&sandbox, &["chain-a"]),
        "arn:aws:sts::111111111111:assumed-role/chain-a/stsenv-tester"
    );
}

#[test]
fn role_to_role_chain_is_clamped_to_one_hour_with_a_warning() {
    let sandbox = sandbox(
        "\
[profile chain-b1]
role_arn = arn:aws:iam::111111111111:role/chain-b1
source_profile = src

[profile chain-b2]
role_arn = arn:aws:iam::222222222222:role/chain-b2
source_profile = chain-b1
duration_seconds = 7200
",
    );
    let explain = ok(&sandbox, &["explain", "chain-b2"]);
    assert!(
        explain.contains("role/chain-b1") && explain.contains("role/chain-b2 as session"),
        "both roles in the plan:\n{explain}"
    );
    let out = sandbox
        .stsenv()
        .args(["env", "chain-b2", "--shell", "bash"])
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("warning")
            && stderr.contains("chain-b2")
            && stderr.contains("7200")
            && stderr.contains("3600"),
        "clamp warning expected on stderr, got {stderr:?}"
    );
    let stdout = &out.get_output().stdout;
    assert!(!String::from_utf8_lossy(stdout).contains("warning"));
    assert_expires_in(
        &exported_value(stdout, "AWS_CREDENTIAL_EXPIRATION").unwrap(),
        3600,
    );
    let key = exported_value(stdout, "AWS_ACCESS_KEY_ID").unwrap();
    assert_eq!(
        assumed_role(Moto::shared(), &key)["role_arn"],
        "arn:aws:iam::222222222222:role/chain-b2"
    );
    assert_eq!(
        arn(&sandbox, &["chain-b2"]),
        "arn:aws:sts::222222222222:assumed-role/chain-b2/stsenv-tester"
    );
}

#[test]
fn mfa_session_then_role() {
    let sandbox = Sandbox::with_base_keys(
        Moto::shared(),
        &SWITCH_ROLE_CONFIG.replace("role/dev", "role/chain-mfa"),
    );
    let plan = ok(&sandbox, &["explain", "dev"]);
    let session = plan
        .find("sts:GetSessionToken with MFA device arn:aws:iam::123456789012:mfa/alice")
        .unwrap_or_else(|| panic!("MFA session step expected:\n{plan}"));
    let role = plan
        .find("sts:AssumeRole arn:aws:iam::123456789012:role/chain-mfa")
        .unwrap_or_else(|| panic!("AssumeRole step expected:\n{plan}"));
    assert!(session < role, "GetSessionToken comes first:\n{plan}");
    assert!(!plan.contains("cached"), "nothing cached yet:\n{plan}");
    let endpoint = format!(" at {}", Moto::shared().url);
    assert_eq!(
        plan.matches(&endpoint).count(),
        2,
        "the endpoint override is shown on each STS step:\n{plan}"
    );

    assert_eq!(
        arn(&sandbox, &["dev", "--token-code", "123456"]),
        "arn:aws:sts::123456789012:assumed-role/chain-mfa/stsenv-tester"
    );
    // Both steps are cached now, so no code is needed.
    let plan = ok(&sandbox, &["explain", "dev"]);
    assert_eq!(plan.matches("[cached").count(), 2, "{plan}");
    assert_eq!(
        arn(&sandbox, &["dev", "--non-interactive"]),
        "arn:aws:sts::123456789012:assumed-role/chain-mfa/stsenv-tester"
    );
}

#[test]
fn mfa_serial_on_static_keys_is_get_session_token_alone() {
    let sandbox = sandbox(
        "[profile src]\nmfa_serial = arn:aws:iam::111111111111:mfa/solo\nregion = us-west-2\n",
    );
    let plan = ok(&sandbox, &["explain", "src"]);
    assert!(
        plan.contains("sts:GetSessionToken with MFA device arn:aws:iam::111111111111:mfa/solo"),
        "{plan}"
    );
    assert!(!plan.contains("AssumeRole"), "{plan}");
    assert!(plan.lines().next().unwrap().ends_with(", mfa"), "{plan}");
    let out = ok(
        &sandbox,
        &[
            "env",
            "src",
            "--shell",
            "bash",
            "--token-code",
            "654321",
            "--duration",
            "3600",
        ],
    );
    // moto answers GetSessionToken with its documentation's example session.
    let token = exported_value(out.as_bytes(), "AWS_SESSION_TOKEN").unwrap();
    assert!(
        token.starts_with("AQoEXAMPLE"),
        "GetSessionToken's token expected, got {token}"
    );
    assert_expires_in(
        &exported_value(out.as_bytes(), "AWS_CREDENTIAL_EXPIRATION").unwrap(),
        3600,
    );
    assert_eq!(
        exported_value(out.as_bytes(), "AWS_REGION").as_deref(),
        Some("us-west-2")
    );
}

#[test]
fn federation_token_with_a_policy() {
    let sandbox = sandbox("[profile src]\nregion = eu-west-1\n");
    let policy = sandbox.path().join("policy.json");
    std::fs::write(
        &policy,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
    )
    .unwrap();
    let policy = policy.display().to_string();
    let plan = ok(
        &sandbox,
        &[
            "explain",
            "src",
            "--federation",
            "fed-bob",
            "--policy",
            &policy,
        ],
    );
    assert!(
        plan.contains("sts:GetFederationToken as `fed-bob`, session policy"),
        "{plan}"
    );

    let json = ok(
        &sandbox,
        &[
            "env",
            "src",
            "--federation",
            "fed-bob",
            "--policy",
            &policy,
            "--duration",
            "1800",
            "--shell",
            "json",
        ],
    );
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["Version"], 1);
    // moto's canned GetFederationToken session, distinct from GetSessionToken's.
    assert!(
        doc["SessionToken"]
            .as_str()
            .unwrap()
            .starts_with("AQoDYXdzEPT"),
        "{doc}"
    );
    assert_expires_in(doc["Expiration"].as_str().unwrap(), 1800);
    let tokens = Moto::shared().state()["sts"]["Token"].clone();
    assert!(
        tokens
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "fed-bob"),
        "moto saw no GetFederationToken for fed-bob: {tokens}"
    );

    // The policy really is sent: moto enforces STS's 2048-character limit on it.
    let big = sandbox.path().join("big.json");
    std::fs::write(
        &big,
        format!(r#"{{"Version":"2012-10-17","Sid":"{}"}}"#, "x".repeat(2100)),
    )
    .unwrap();
    let stderr = fails(
        &sandbox,
        &[
            "env",
            "src",
            "--federation",
            "fed-big",
            "--policy",
            &big.display().to_string(),
        ],
        1,
    );
    assert!(
        stderr.contains("sts:GetFederationToken for profile `src` failed")
            && stderr.contains("2048"),
        "{stderr}"
    );
}

#[test]
fn ad_hoc_role_without_any_profile_section() {
    // Only the credentials file: no config file, no role profile.
    let sandbox = Sandbox::with_moto(Moto::shared());
    sandbox.credentials(SRC_CREDENTIALS);
    assert!(!sandbox.config_path().exists());
    let role = "arn:aws:iam::333333333333:role/chain-adhoc";
    assert_eq!(
        arn(&sandbox, &["--role-arn", role, "--source-profile", "src"]),
        "arn:aws:sts::333333333333:assumed-role/chain-adhoc/stsenv-tester"
    );
    // env records the options so the prompt hook renews the same role.
    let out = ok(
        &sandbox,
        &[
            "env",
            "--role-arn",
            role,
            "--source-profile",
            "src",
            "--shell",
            "bash",
        ],
    );
    assert_eq!(
        exported_value(out.as_bytes(), "STSENV_OPTIONS").unwrap(),
        format!("--role-arn={role} --source-profile=src")
    );
}

#[test]
fn credential_process_as_role_source() {
    let sandbox = Sandbox::with_moto(Moto::shared());
    let script = sandbox.path().join("creds.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\ncat <<'JSON'\n{\"Version\": 1, \"AccessKeyId\": \"AKIAPROCESS000000001\", \"SecretAccessKey\": \"processsecret\"}\nJSON\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    sandbox.config(&format!(
        "[profile proc]\ncredential_process = {}\n\n[profile chain-proc]\nrole_arn = arn:aws:iam::444444444444:role/chain-proc\nsource_profile = proc\n",
        script.display()
    ));
    let json = ok(&sandbox, &["env", "proc", "--shell", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["AccessKeyId"], "AKIAPROCESS000000001");
    assert_eq!(doc["SecretAccessKey"], "processsecret");
    assert_eq!(
        arn(&sandbox, &["chain-proc"]),
        "arn:aws:sts::444444444444:assumed-role/chain-proc/stsenv-tester"
    );
}

#[test]
fn credential_source_environment() {
    let sandbox = Sandbox::with_moto(Moto::shared());
    sandbox.config(
        "[profile chain-env]\nrole_arn = arn:aws:iam::555555555555:role/chain-env\ncredential_source = Environment\n",
    );
    let out = sandbox
        .stsenv()
        .args(["whoami", "chain-env", "--json"])
        .env("AWS_ACCESS_KEY_ID", "AKIAFROMENVIRONMENT1")
        .env("AWS_SECRET_ACCESS_KEY", "fromenvironment")
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(
        doc["Arn"],
        "arn:aws:sts::555555555555:assumed-role/chain-env/stsenv-tester"
    );
    // Without the variables: a clear error naming the profile.
    let stderr = fails(&sandbox, &["env", "chain-env"], 1);
    assert!(
        stderr.contains("chain-env") && stderr.contains("AWS_ACCESS_KEY_ID"),
        "{stderr}"
    );
}

#[test]
fn external_id_session_name_and_duration_are_honoured() {
    let sandbox = sandbox(
        "\
[profile chain-opts]
role_arn = arn:aws:iam::666666666666:role/chain-opts
source_profile = src
external_id = ext-4242
role_session_name = alice@example.com
duration_seconds = 1800
",
    );
    let out = ok(&sandbox, &["env", "chain-opts", "--shell", "bash"]);
    assert_expires_in(
        &exported_value(out.as_bytes(), "AWS_CREDENTIAL_EXPIRATION").unwrap(),
        1800,
    );
    let key = exported_value(out.as_bytes(), "AWS_ACCESS_KEY_ID").unwrap();
    let call = assumed_role(Moto::shared(), &key);
    assert_eq!(call["external_id"], "ext-4242");
    assert_eq!(call["session_name"], "alice@example.com");
    assert_eq!(
        arn(&sandbox, &["chain-opts"]),
        "arn:aws:sts::666666666666:assumed-role/chain-opts/alice@example.com"
    );
    // Command-line options win over the profile's keys.
    let doc = crate::util::whoami(
        &sandbox,
        &[
            "chain-opts",
            "--session-name",
            "cli-session",
            "--external-id",
            "ext-cli",
            "--duration",
            "900",
        ],
    );
    assert_eq!(
        doc["Arn"],
        "arn:aws:sts::666666666666:assumed-role/chain-opts/cli-session"
    );
    assert_expires_in(doc["Expiration"].as_str().unwrap(), 900);
}

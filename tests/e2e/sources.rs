//! The credential sources the SDKs support beyond keys, SSO and processes:
//! web identity (against moto, which implements AssumeRoleWithWebIdentity),
//! EC2 instance metadata and the container endpoint (against the loopback
//! stand-ins of `stsenv_tests`), each as a profile, as a source_profile,
//! under `exec` and in `explain`.

use stsenv_tests::ecs_stub::{ContainerCredentials, EcsStub};
use stsenv_tests::imds_stub::{ImdsStub, RoleCredentials};
use stsenv_tests::{exported_value, Moto, Sandbox};

use crate::util::{arn, fails, ok};

/// An expiry far enough ahead that nothing renews during a test.
const LATER: &str = "2099-01-01T00:00:00Z";

fn web_sandbox(token: &str) -> (Sandbox, std::path::PathBuf) {
    let sandbox = Sandbox::with_moto(Moto::shared());
    let file = sandbox.path().join("web-token");
    std::fs::write(&file, token).unwrap();
    sandbox.config(&format!(
        "\
[profile web]
role_arn = arn:aws:iam::444444444444:role/web-e2e
web_identity_token_file = {}
role_session_name = ci-run
region = eu-west-1

[profile web-app]
role_arn = arn:aws:iam::111111111111:role/web-app-e2e
source_profile = web
",
        file.display()
    ));
    (sandbox, file)
}

#[test]
fn web_identity_as_profile_as_source_under_exec_and_in_explain() {
    let (sandbox, file) = web_sandbox("tok-web-e2e-first\n");
    let explain = ok(&sandbox, &["explain", "web"]);
    assert!(
        explain.contains("web-identity")
            && explain.contains("sts:AssumeRoleWithWebIdentity arn:aws:iam::444444444444:role/web-e2e as session `ci-run`")
            && explain.contains(&file.display().to_string()),
        "{explain}"
    );
    assert!(!explain.contains("tok-web-e2e"), "the token is never shown");
    assert_eq!(
        arn(&sandbox, &["web"]),
        "arn:aws:sts::444444444444:assumed-role/web-e2e/ci-run"
    );
    assert_eq!(
        arn(&sandbox, &["web-app"]),
        "arn:aws:sts::111111111111:assumed-role/web-app-e2e/stsenv-tester"
    );
    let explain = ok(&sandbox, &["explain", "web-app"]);
    assert!(
        explain.contains("1. sts:AssumeRoleWithWebIdentity")
            && explain.contains("2. sts:AssumeRole arn:aws:iam::111111111111:role/web-app-e2e"),
        "{explain}"
    );
    let out = sandbox
        .stsenv()
        .args(["exec", "web", "--", "printenv", "AWS_SESSION_TOKEN"])
        .assert()
        .success();
    assert!(!out.get_output().stdout.is_empty());
    // The cache holds credentials, never the token.
    for entry in std::fs::read_dir(sandbox.cache_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(!text.contains("tok-web-e2e"), "{}", path.display());
        }
    }
}

#[test]
fn the_web_identity_token_is_read_again_at_every_renewal() {
    let (sandbox, file) = web_sandbox("tok-web-renew-one");
    let first = ok(&sandbox, &["env", "web", "--shell", "bash"]);
    let first_key = exported_value(first.as_bytes(), "AWS_ACCESS_KEY_ID").unwrap();
    // A cache hit reads no token: the file may be gone meanwhile.
    std::fs::remove_file(&file).unwrap();
    let hit = ok(&sandbox, &["env", "web", "--shell", "bash"]);
    assert_eq!(
        exported_value(hit.as_bytes(), "AWS_ACCESS_KEY_ID").unwrap(),
        first_key
    );
    // A renewal reads it, and says which file is missing.
    let stderr = fails(&sandbox, &["env", "web", "--refresh"], 1);
    assert!(
        stderr.contains("`web`") && stderr.contains(&file.display().to_string()),
        "{stderr}"
    );
    std::fs::write(&file, "tok-web-renew-two").unwrap();
    let renewed = ok(&sandbox, &["env", "web", "--refresh", "--shell", "bash"]);
    assert_ne!(
        exported_value(renewed.as_bytes(), "AWS_ACCESS_KEY_ID").unwrap(),
        first_key
    );
}

#[test]
fn web_identity_from_the_environment_for_the_default_profile_and_its_renewal() {
    let sandbox = Sandbox::with_moto(Moto::shared());
    let file = sandbox.path().join("ci-token");
    std::fs::write(&file, "tok-web-from-env").unwrap();
    let ci = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", file.display().to_string()),
        (
            "AWS_ROLE_ARN",
            "arn:aws:iam::444444444444:role/web-env-e2e".to_string(),
        ),
        ("AWS_ROLE_SESSION_NAME", "ci-env".to_string()),
    ];
    let out = sandbox
        .stsenv()
        .args(["env", "--shell", "bash"])
        .envs(ci.clone())
        .assert()
        .success();
    let stdout = out.get_output().stdout.clone();
    assert_eq!(
        exported_value(&stdout, "STSENV_PROFILE").as_deref(),
        Some("default")
    );
    // The prompt hook's renewal names the recorded profile; it must resolve
    // the same way.
    let session: Vec<(String, String)> = stsenv_tests::exported(&stdout)
        .into_iter()
        .filter(|(name, _)| name.starts_with("STSENV_"))
        .collect();
    let renewed = sandbox
        .stsenv()
        .args(["env", "--renew", "--refresh", "--shell", "json"])
        .envs(ci.clone())
        .envs(session)
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&renewed.get_output().stdout).unwrap();
    let role = crate::util::assumed_role(Moto::shared(), doc["AccessKeyId"].as_str().unwrap());
    assert_eq!(
        role["role_arn"],
        "arn:aws:iam::444444444444:role/web-env-e2e"
    );
    // A profile the user names ignores the variables.
    sandbox.credentials(
        "[kp]\naws_access_key_id = AKIAKPKPKPKPKPKPKPK1\naws_secret_access_key = kp\n",
    );
    let named = sandbox
        .stsenv()
        .args(["env", "kp", "--shell", "json"])
        .envs(ci)
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&named.get_output().stdout).unwrap();
    assert_eq!(doc["AccessKeyId"], "AKIAKPKPKPKPKPKPKPK1");
}

const EC2_CONFIG: &str = "\
[profile ec2]
role_arn = arn:aws:iam::111111111111:role/ec2-e2e
credential_source = Ec2InstanceMetadata
region = eu-west-1

[profile ec2-app]
role_arn = arn:aws:iam::222222222222:role/ec2-app-e2e
source_profile = ec2
";

fn imds_with_role() -> ImdsStub {
    let imds = ImdsStub::start();
    imds.set_role(Some(RoleCredentials {
        role: "instance-role".into(),
        access_key_id: "ASIAIMDSE2EIMDSE2E01".into(),
        secret_access_key: "imds-secret".into(),
        token: "imds-session".into(),
        expiration: LATER.into(),
    }));
    imds
}

/// `stsenv ARGS` with IMDS allowed and pointed at `imds`.
fn on_instance(sandbox: &Sandbox, imds: &ImdsStub, args: &[&str]) -> assert_cmd::assert::Assert {
    sandbox
        .stsenv()
        .args(args)
        .env_remove("AWS_EC2_METADATA_DISABLED")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds.url)
        .assert()
}

#[test]
fn instance_metadata_as_source_of_a_role_and_of_a_role_chain() {
    let imds = imds_with_role();
    let sandbox = Sandbox::with_moto(Moto::shared());
    sandbox.config(EC2_CONFIG);
    let out = on_instance(&sandbox, &imds, &["whoami", "ec2", "--json"]).success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(
        doc["Arn"],
        "arn:aws:sts::111111111111:assumed-role/ec2-e2e/stsenv-tester"
    );
    // IMDSv2 only: a session token first, then every GET carries it.
    let requests = imds.requests();
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("PUT", "/latest/api/token")
    );
    assert!(requests[0].ttl.is_some());
    let gets: Vec<_> = requests.iter().filter(|r| r.method == "GET").collect();
    assert!(!gets.is_empty());
    assert!(
        gets.iter().all(|r| r.token.is_some() && r.status == 200),
        "{requests:?}"
    );
    // As the source of a source profile, under exec.
    let out = on_instance(
        &sandbox,
        &imds,
        &["exec", "ec2-app", "--", "printenv", "AWS_ACCESS_KEY_ID"],
    )
    .success();
    let key = String::from_utf8_lossy(&out.get_output().stdout)
        .trim()
        .to_string();
    let role = crate::util::assumed_role(Moto::shared(), &key);
    assert_eq!(
        role["role_arn"],
        "arn:aws:iam::222222222222:role/ec2-app-e2e"
    );
    let explain = on_instance(&sandbox, &imds, &["explain", "ec2-app"]).success();
    let explain = String::from_utf8_lossy(&explain.get_output().stdout).to_string();
    assert!(
        explain.contains(&format!(
            "EC2 instance role credentials from IMDSv2 at {}",
            imds.url
        )),
        "{explain}"
    );
}

#[test]
fn instance_metadata_failures_are_clear_and_disabled_means_no_request() {
    let sandbox = Sandbox::with_moto(Moto::shared());
    sandbox.config(EC2_CONFIG);
    // The sandbox sets AWS_EC2_METADATA_DISABLED=true: nothing is asked.
    let imds = imds_with_role();
    let out = sandbox
        .stsenv()
        .args(["env", "ec2"])
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds.url)
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(out.get_output().stdout.is_empty());
    assert!(
        stderr.contains("`ec2`") && stderr.contains("AWS_EC2_METADATA_DISABLED"),
        "{stderr}"
    );
    assert!(imds.requests().is_empty(), "{:?}", imds.requests());
    // An instance without a role.
    let bare = ImdsStub::start();
    let out = on_instance(&sandbox, &bare, &["env", "ec2"]).code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(out.get_output().stdout.is_empty());
    assert!(
        stderr.contains("`ec2`") && stderr.contains("no IAM role"),
        "{stderr}"
    );
}

const TASK_CONFIG: &str = "\
[profile task]
role_arn = arn:aws:iam::111111111111:role/task-e2e
credential_source = EcsContainer
region = eu-west-1

[profile task-app]
role_arn = arn:aws:iam::333333333333:role/task-app-e2e
source_profile = task
";

fn container(token: &str) -> EcsStub {
    let ecs = EcsStub::start();
    ecs.set(
        Some(ContainerCredentials {
            access_key_id: "ASIAECSE2EECSE2EECS1".into(),
            secret_access_key: "ecs-secret".into(),
            token: "ecs-session".into(),
            expiration: LATER.into(),
        }),
        Some(token),
    );
    ecs
}

#[test]
fn container_credentials_with_a_token_or_a_token_file() {
    let ecs = container("tok-ecs-e2e");
    let sandbox = Sandbox::with_moto(Moto::shared());
    sandbox.config(TASK_CONFIG);
    let out = sandbox
        .stsenv()
        .args(["whoami", "task", "--json"])
        .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.full_uri())
        .env("AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok-ecs-e2e")
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(
        doc["Arn"],
        "arn:aws:sts::111111111111:assumed-role/task-e2e/stsenv-tester"
    );
    assert_eq!(
        ecs.requests()[0].authorization.as_deref(),
        Some("tok-ecs-e2e")
    );
    // The token file wins over the variable; as a source, under exec.
    let token_file = sandbox.path().join("ecs-token");
    std::fs::write(&token_file, "tok-ecs-e2e").unwrap();
    let out = sandbox
        .stsenv()
        .args(["exec", "task-app", "--", "printenv", "AWS_ACCESS_KEY_ID"])
        .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.full_uri())
        .env("AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok-stale")
        .env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", &token_file)
        .assert()
        .success();
    let key = String::from_utf8_lossy(&out.get_output().stdout)
        .trim()
        .to_string();
    let role = crate::util::assumed_role(Moto::shared(), &key);
    assert_eq!(
        role["role_arn"],
        "arn:aws:iam::333333333333:role/task-app-e2e"
    );
    let explain = sandbox
        .stsenv()
        .args(["explain", "task"])
        .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.full_uri())
        .assert()
        .success();
    let explain = String::from_utf8_lossy(&explain.get_output().stdout).to_string();
    assert!(
        explain.contains(&format!("container credentials from {}", ecs.full_uri())),
        "{explain}"
    );
}

#[test]
fn container_failures_are_clear() {
    let ecs = container("tok-ecs-e2e");
    let sandbox = Sandbox::with_moto(Moto::shared());
    sandbox.config(TASK_CONFIG);
    let run = |env: &[(&str, String)]| {
        let out = sandbox
            .stsenv()
            .args(["env", "task"])
            .envs(env.iter().map(|(k, v)| (*k, v.clone())))
            .assert()
            .code(1);
        assert!(out.get_output().stdout.is_empty());
        String::from_utf8_lossy(&out.get_output().stderr).to_string()
    };
    // A missing token: the endpoint refuses, stsenv says so.
    let stderr = run(&[("AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.full_uri())]);
    assert!(
        stderr.contains("`task`") && stderr.contains("401"),
        "{stderr}"
    );
    assert!(!ecs.requests().is_empty());
    // Plain HTTP to a host that is not loopback: refused before connecting.
    ecs.clear_requests();
    let port = ecs.url.rsplit(':').next().unwrap().to_string();
    let stderr = run(&[
        (
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            format!("http://0.0.0.0:{port}/creds"),
        ),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok-ecs-e2e".into()),
    ]);
    assert!(
        stderr.contains("0.0.0.0") && stderr.contains("https"),
        "{stderr}"
    );
    assert!(ecs.requests().is_empty(), "{:?}", ecs.requests());
    // Not in a container at all.
    let stderr = run(&[]);
    assert!(
        stderr.contains("`task`") && stderr.contains("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
        "{stderr}"
    );
    // A token with a line break never becomes a header.
    let stderr = run(&[
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.full_uri()),
        (
            "AWS_CONTAINER_AUTHORIZATION_TOKEN",
            "tok\nInjected: yes".into(),
        ),
    ]);
    assert!(
        stderr.contains("line break") && !stderr.contains("Injected"),
        "{stderr}"
    );
}

#[test]
fn profiles_lists_the_new_kinds() {
    let (sandbox, _file) = web_sandbox("tok-unused");
    let mut config = std::fs::read_to_string(sandbox.config_path()).unwrap();
    config.push_str(EC2_CONFIG);
    sandbox.config(&config);
    let json = ok(&sandbox, &["profiles", "--json"]);
    let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
    let kind = |name: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .map(|r| r["kind"].as_str().unwrap_or_default().to_string())
    };
    assert_eq!(kind("web").as_deref(), Some("web-identity"));
    assert_eq!(kind("web-app").as_deref(), Some("role"));
    assert_eq!(kind("ec2").as_deref(), Some("role"));
}

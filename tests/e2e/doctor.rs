//! `stsenv doctor` (issue 24): the files read, every profile's plan (one
//! broken profile of each kind, each with its fix), the cache, SSO tokens,
//! the clock against STS (moto's `Date`), and other tools' variables.

use serde_json::{json, Value};
use stsenv_tests::loopback_http::{self, Response};
use stsenv_tests::{Moto, Sandbox};

use crate::sso_login::{cli_time, write_cli_token};

/// Good profiles of the common kinds, and one broken profile of each kind
/// stsenv plans.
const CONFIG: &str = "\
[profile base]
region = eu-west-1

[profile dev]
role_arn = arn:aws:iam::123456789012:role/dev
source_profile = base

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile ssodev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Developer

[profile static-broken]
aws_access_key_id = AKIAEXAMPLEONLYKEYID

[profile mfa-broken]
aws_access_key_id = AKIAEXAMPLEMFAKEYID0
aws_secret_access_key = secretsecretsecretsecret
mfa_serial = arn:aws:iam::123456789012:mfa/alice
stsenv_mfa_duration = soon

[profile role-broken]
role_arn = arn:aws:iam::123456789012:role/dev
source_profile = nobody

[profile sso-broken]
sso_session = missing
sso_account_id = 111111111111
sso_role_name = Dev

[profile process-broken]
credential_process = \"unterminated

[profile web-identity-broken]
web_identity_token_file = /var/run/token

[profile environment-broken]
role_arn = arn:aws:iam::123456789012:role/dev
credential_source = environment

[profile instance-broken]
role_arn = arn:aws:iam::123456789012:role/dev
credential_source = Ec2InstanceMetadata
ec2_metadata_service_endpoint_mode = IPv5

[profile container-broken]
role_arn = arn:aws:iam::123456789012:role/dev
credential_source = EcsContainer
duration_seconds = forever
";

fn sandbox() -> Sandbox {
    let sandbox = Sandbox::with_moto(Moto::shared());
    sandbox
        .config(CONFIG)
        .credentials(stsenv_tests::SWITCH_ROLE_CREDENTIALS);
    sandbox
}

/// `stsenv doctor --json ARGS` with `env`: the exit code and the report.
fn doctor(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> (i32, Value) {
    let out = sandbox
        .stsenv()
        .arg("doctor")
        .arg("--json")
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("stsenv runs");
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stdout));
    });
    (out.status.code().expect("an exit code"), report)
}

/// The checks of `section`, by name.
fn checks<'a>(report: &'a Value, section: &str) -> Vec<&'a Value> {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["section"] == section)
        .collect()
}

fn check<'a>(report: &'a Value, section: &str, name: &str) -> &'a Value {
    checks(report, section)
        .into_iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {section} check named {name}: {report:#}"))
}

#[test]
fn each_broken_profile_fails_with_its_fix_and_the_rest_is_reported() {
    let sandbox = sandbox();
    write_cli_token(
        &sandbox,
        &json!({
            "startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1",
            "accessToken": "token", "expiresAt": cli_time(5400),
        }),
    );
    let (code, report) = doctor(&sandbox, &[], &[]);
    assert_eq!(code, 1, "a failed check fails the command: {report:#}");
    assert_eq!(report["ok"], false);

    let config = sandbox.config_path().display().to_string();
    assert_eq!(check(&report, "files", &config)["status"], "ok");
    assert!(check(&report, "files", "parsed")["detail"]
        .as_str()
        .unwrap()
        .starts_with("12 profile(s), 1 sso-session(s)"));

    for kind in [
        "static",
        "mfa",
        "role",
        "sso",
        "process",
        "web-identity",
        "environment",
        "instance",
        "container",
    ] {
        let broken = check(&report, "profiles", &format!("{kind}-broken"));
        assert_eq!(broken["status"], "fail", "{broken:#}");
        let fix = broken["fix"].as_str().unwrap_or_default();
        assert!(fix.len() > 20, "{kind}: no fix: {broken:#}");
    }
    let dangling = check(&report, "profiles", "role-broken");
    assert!(dangling["detail"]
        .as_str()
        .unwrap()
        .contains("source_profile = nobody"));
    assert!(dangling["fix"]
        .as_str()
        .unwrap()
        .starts_with("add a [profile nobody] section"));
    for (good, kind) in [("base", "static"), ("dev", "role"), ("ssodev", "sso")] {
        let ok = check(&report, "profiles", good);
        assert_eq!(ok["status"], "ok", "{ok:#}");
        assert!(
            ok["detail"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{kind}: ")),
            "{ok:#}"
        );
    }

    let token = check(&report, "sso", "sso-session `corp`");
    assert_eq!(token["status"], "ok");
    assert!(
        token["detail"]
            .as_str()
            .unwrap()
            .starts_with("token valid for 1h"),
        "{token:#}"
    );
    let cache = check(&report, "cache", &sandbox.cache_dir().display().to_string());
    assert_eq!(cache["status"], "ok");

    // moto's Date header against this machine's clock: the same clock.
    let clock = &checks(&report, "clock")[0];
    assert_eq!(clock["status"], "ok", "{clock:#}");
    assert!(clock["name"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1:"));
    let peers = check(&report, "environment", "peers");
    assert_eq!(peers["status"], "ok");
}

#[test]
fn peers_variables_that_shadow_stsenv_are_named() {
    let sandbox = Sandbox::new();
    sandbox
        .config("[profile base]\nregion = eu-west-1\n")
        .credentials(stsenv_tests::SWITCH_ROLE_CREDENTIALS);
    let (code, report) = doctor(
        &sandbox,
        &["--offline"],
        &[
            ("AWS_VAULT", "prod"),
            ("AWSUME_PROFILE", "ops"),
            ("AWS_PROFILE", "dev"),
        ],
    );
    assert_eq!(code, 0, "warnings alone do not fail: {report:#}");
    for name in ["AWS_VAULT", "AWSUME_PROFILE", "AWS_PROFILE"] {
        let peer = check(&report, "environment", name);
        assert_eq!(peer["status"], "warn", "{peer:#}");
        assert!(peer["fix"]
            .as_str()
            .unwrap()
            .starts_with(&format!("unset {name}")));
    }
    assert!(
        checks(&report, "clock").is_empty(),
        "--offline skips the network"
    );
}

/// A clock minutes off. moto answers with this machine's own time, so the
/// skew is made by a stand-in whose `Date` is 650 s behind: whole seconds,
/// measured against the time the request left, so a loaded machine sees
/// a little less or more; 650 keeps the reading in the 600s.
#[test]
fn a_skewed_clock_fails_with_the_fix() {
    let sandbox = Sandbox::new();
    sandbox
        .config("[profile base]\nregion = eu-west-1\n")
        .credentials(stsenv_tests::SWITCH_ROLE_CREDENTIALS);
    let url = loopback_http::serve(|_| {
        let past = jiff::Timestamp::now() - jiff::SignedDuration::from_secs(650);
        let date = past.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string();
        Response::text(403, "MissingAuthenticationToken").with_header("date", date)
    });
    let (code, report) = doctor(&sandbox, &[], &[("AWS_ENDPOINT_URL_STS", &url)]);
    assert_eq!(code, 1, "{report:#}");
    let clock = &checks(&report, "clock")[0];
    assert_eq!(clock["status"], "fail", "{clock:#}");
    let detail = clock["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("this machine's clock is 6") && detail.ends_with(" s ahead of STS's"),
        "{detail}"
    );
    assert!(clock["fix"].as_str().unwrap().contains("NTP"));
}

#[test]
fn the_text_report_has_sections_and_a_summary() {
    let sandbox = Sandbox::new();
    sandbox
        .config("[profile base]\nregion = eu-west-1\n")
        .credentials(stsenv_tests::SWITCH_ROLE_CREDENTIALS);
    let out = sandbox
        .stsenv()
        .args(["doctor", "--offline"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    for section in ["files\n", "profiles\n", "cache\n", "environment\n"] {
        assert!(text.contains(section), "{text}");
    }
    assert!(text.ends_with("0 problem(s), 0 warning(s)\n"), "{text}");
}

/// A cache directory others can write to is not used; doctor says why and
/// how to fix it, as a warning (stsenv works without the cache).
#[test]
fn an_untrusted_cache_directory_is_a_warning_with_its_fix() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = Sandbox::new();
    sandbox
        .config("[profile base]\nregion = eu-west-1\n")
        .credentials(stsenv_tests::SWITCH_ROLE_CREDENTIALS);
    let open = sandbox.path().join("open-cache");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    let dir = open.display().to_string();
    let (code, report) = doctor(&sandbox, &["--offline"], &[("STSENV_CACHE_DIR", &dir)]);
    assert_eq!(code, 0, "{report:#}");
    let cache = check(&report, "cache", &dir);
    assert_eq!(cache["status"], "warn", "{cache:#}");
    assert!(
        cache["detail"]
            .as_str()
            .unwrap()
            .contains("is open to other users (mode 0777); run `chmod 700 "),
        "{cache:#}"
    );
    assert!(cache["fix"].is_string());
}

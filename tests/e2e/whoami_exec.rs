//! `whoami` (text and JSON) and `exec`: what the child sees, exit status
//! passthrough, nesting and missing commands.

use stsenv_tests::{Moto, Sandbox};

use crate::util::{fails, ok};

/// `base` keys + a role without MFA, so no code is needed.
fn sandbox() -> Sandbox {
    Sandbox::with_base_keys(Moto::shared(), "[profile runner]\nrole_arn = arn:aws:iam::123456789012:role/runner\nsource_profile = base\nregion = eu-central-1\n")
}

#[test]
fn whoami_text_and_json() {
    let sandbox = sandbox();
    let text = ok(&sandbox, &["whoami", "runner"]);
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_string()))
            .unwrap_or_else(|| panic!("no {name} line in:\n{text}"))
    };
    assert_eq!(field("Account"), "123456789012");
    assert_eq!(
        field("Arn"),
        "arn:aws:sts::123456789012:assumed-role/runner/stsenv-tester"
    );
    assert!(field("UserId").ends_with(":stsenv-tester"));
    assert_eq!(field("Profile"), "runner");
    assert!(field("Expires").contains("(in "), "{text}");

    let doc: serde_json::Value =
        serde_json::from_str(&ok(&sandbox, &["whoami", "runner", "--json"])).unwrap();
    assert_eq!(doc["Account"], "123456789012");
    assert_eq!(
        doc["Arn"],
        "arn:aws:sts::123456789012:assumed-role/runner/stsenv-tester"
    );
    assert_eq!(doc["Profile"], "runner");
    assert!(doc["UserId"].as_str().unwrap().starts_with("AROA"));
    assert!(doc["Expiration"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn whoami_uses_aws_profile_when_no_profile_is_given() {
    let sandbox = sandbox();
    let out = sandbox
        .stsenv()
        .args(["whoami", "--json"])
        .env("AWS_PROFILE", "runner")
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(doc["Profile"], "runner");
}

/// The variables `stsenv env ARGS` exports, as a shell that evaluated them has.
fn exported_by(sandbox: &Sandbox, args: &[&str]) -> Vec<(String, String)> {
    let mut argv = vec!["env", "--shell", "bash"];
    argv.extend_from_slice(args);
    stsenv_tests::exported(ok(sandbox, &argv).as_bytes())
}

#[test]
fn whoami_without_a_profile_answers_for_the_exported_keys() {
    let sandbox = sandbox();
    let exported = exported_by(&sandbox, &["runner"]);
    // The exported keys win, as in the AWS CLI: no config lookup, even for a
    // profile that no longer exists.
    sandbox.config("");
    let out = sandbox
        .stsenv()
        .args(["whoami", "--json"])
        .envs(exported)
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(
        doc["Arn"],
        "arn:aws:sts::123456789012:assumed-role/runner/stsenv-tester"
    );
    assert_eq!(doc["Profile"], "runner");
}

#[test]
fn commands_without_a_profile_use_the_session_of_this_shell() {
    let sandbox = sandbox();
    // After `eval "$(stsenv env …)"`, AWS_PROFILE is gone and STSENV_PROFILE
    // (plus STSENV_OPTIONS for ad-hoc roles) says what is active.
    for args in [
        &["runner"][..],
        &[
            "--role-arn",
            "arn:aws:iam::123456789012:role/adhoc",
            "--source-profile",
            "base",
        ][..],
    ] {
        let mut session = exported_by(&sandbox, args);
        session.retain(|(name, _)| name.starts_with("STSENV_"));
        let out = sandbox
            .stsenv()
            .args(["exec", "--", "sh", "-c", "echo $STSENV_PROFILE"])
            .envs(session.clone())
            .assert()
            .success();
        let expected = if args[0] == "runner" {
            "runner"
        } else {
            "base"
        };
        assert_eq!(
            String::from_utf8_lossy(&out.get_output().stdout).trim(),
            expected
        );
        let doc = sandbox
            .stsenv()
            .args(["env", "--shell", "json"])
            .envs(session)
            .assert()
            .success();
        let key: serde_json::Value = serde_json::from_slice(&doc.get_output().stdout).unwrap();
        let role = crate::util::assumed_role(Moto::shared(), key["AccessKeyId"].as_str().unwrap());
        let role_name = if args[0] == "runner" {
            "runner"
        } else {
            "adhoc"
        };
        assert_eq!(
            role["role_arn"],
            format!("arn:aws:iam::123456789012:role/{role_name}")
        );
    }
}

#[test]
fn exec_passes_the_exit_status_and_the_environment() {
    let sandbox = sandbox();
    let out = sandbox
        .stsenv()
        .args(["exec", "runner", "--", "sh", "-c"])
        .arg(
            "echo \"key=$AWS_ACCESS_KEY_ID\"; echo \"token=${AWS_SESSION_TOKEN:+set}\"; \
             echo \"region=$AWS_REGION\"; echo \"profile=${AWS_PROFILE-unset}\"; \
             echo \"exec=$STSENV_EXEC\"; exit 42",
        )
        .env("AWS_PROFILE", "runner")
        .assert()
        .code(42);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("key=ASIA"), "{stdout}");
    assert_eq!(
        &lines[1..],
        [
            "token=set",
            "region=eu-central-1",
            "profile=unset",
            "exec=runner"
        ]
    );
    // argv is passed as is, never through `sh -c`.
    let out = ok(
        &sandbox,
        &[
            "exec", "runner", "--", "printf", "%s|", "a b", "$HOME", "'q'",
        ],
    );
    assert_eq!(out, "a b|$HOME|'q'|");
}

#[test]
fn exec_refuses_to_nest_without_force() {
    let sandbox = sandbox();
    let bin = stsenv_tests::stsenv_bin().display().to_string();
    let script = format!(
        "\"{bin}\" exec runner -- true; echo \"nested=$?\"; \"{bin}\" exec runner --force -- true; echo \"forced=$?\""
    );
    let out = sandbox
        .stsenv()
        .args(["exec", "runner", "--", "sh", "-c", &script])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert_eq!(stdout, "nested=1\nforced=0\n");
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("already inside `stsenv exec` for profile `runner`")
            && stderr.contains("--force"),
        "{stderr}"
    );
}

#[test]
fn exec_of_a_missing_command_is_127() {
    let sandbox = sandbox();
    let stderr = fails(
        &sandbox,
        &["exec", "runner", "--", "stsenv-test-no-such-command"],
        127,
    );
    assert!(
        stderr.contains("cannot run `stsenv-test-no-such-command`"),
        "{stderr}"
    );
}

/// Naming nothing, with keys exported and no stsenv session in the shell:
/// `exec` runs the command with those keys, as the SDKs and `whoami` use
/// them; `env` still switches the shell to `AWS_PROFILE` / `default`
/// (re-exporting the keys already there would do nothing).
#[test]
fn exec_without_a_profile_uses_exported_keys_and_env_switches() {
    let sandbox = Sandbox::new();
    sandbox.credentials(
        "[default]\naws_access_key_id = AKIADEFAULTDEFAULT01\naws_secret_access_key = d\n",
    );
    let exported = [
        ("AWS_ACCESS_KEY_ID", "AKIAEXPORTEDEXPORT01"),
        ("AWS_SECRET_ACCESS_KEY", "e"),
    ];
    let out = sandbox
        .stsenv()
        .envs(exported)
        .args(["exec", "--", "sh", "-c", "echo \"$AWS_ACCESS_KEY_ID\""])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "AKIAEXPORTEDEXPORT01"
    );
    let out = sandbox
        .stsenv()
        .envs(exported)
        .args(["env", "--shell", "bash"])
        .output()
        .unwrap();
    assert_eq!(
        stsenv_tests::exported_value(&out.stdout, "AWS_ACCESS_KEY_ID").as_deref(),
        Some("AKIADEFAULTDEFAULT01")
    );
    // Expired exported keys are refused, as the SDKs refuse them.
    let out = sandbox
        .stsenv()
        .envs(exported)
        .env("AWS_SESSION_TOKEN", "t")
        .env("AWS_CREDENTIAL_EXPIRATION", "2000-01-01T00:00:00Z")
        .args(["exec", "--", "true"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

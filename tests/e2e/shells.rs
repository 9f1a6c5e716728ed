//! The emitted code evaluated by real bash, zsh and fish, then used by the
//! AWS CLI inside the same shell: the end-to-end promise of `stsenv env`.

use std::process::Output;

use stsenv_tests::{Moto, Sandbox};

use crate::util::on_path;

const ROLE_ARN: &str = "arn:aws:sts::123456789012:assumed-role/shell-role/shell-test";

/// A role profile, and AWS_PROFILE pointing at a profile that does not
/// exist: if `env` failed to remove it, the AWS CLI would refuse to run.
fn sandbox() -> Sandbox {
    Sandbox::with_base_keys(Moto::shared(), "[profile shell-role]\nrole_arn = arn:aws:iam::123456789012:role/shell-role\nsource_profile = base\nrole_session_name = shell-test\nregion = eu-west-1\n")
}

/// Fail, rather than pass without testing anything, when the shell or the
/// AWS CLI is missing (`.ci/run` and `cargo xtask test` install them).
fn require(shell: &str) {
    for program in [shell, "aws"] {
        assert!(
            on_path(program),
            "`{program}` is not installed: apt-get install {shell}; `cargo xtask test` provides `aws`"
        );
    }
}

fn run(sandbox: &Sandbox, shell: &str, script: &str) -> Output {
    let mut command = sandbox.command(shell);
    // No rc files: the test is about the emitted code, not the user's setup.
    match shell {
        "bash" => command.args(["--norc", "--noprofile", "-c", script]),
        "zsh" => command.args(["-f", "-c", script]),
        _ => command.args(["--no-config", "-c", script]),
    };
    let output = command
        .env("AWS_PROFILE", "stale-profile-that-does-not-exist")
        .env("STSENV", stsenv_tests::stsenv_bin())
        .output()
        .expect("the shell runs");
    assert!(
        output.status.success(),
        "{shell} failed: {}\nstdout: {}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    );
    output
}

/// The script's output: the caller identity JSON, then a `left=` line.
fn check(output: &Output) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let (json, rest) = stdout
        .rsplit_once("left=")
        .unwrap_or_else(|| panic!("no left= line in {stdout}"));
    let doc: serde_json::Value = serde_json::from_str(json).expect("aws prints JSON");
    assert_eq!(doc["Arn"], ROLE_ARN);
    // After `unset`, no credential variable is left.
    assert_eq!(rest.trim(), "", "variables left after unset: {rest}");
}

#[test]
fn bash_eval_then_aws_cli() {
    require("bash");
    let sandbox = sandbox();
    let output = run(
        &sandbox,
        "bash",
        r#"set -eu
eval "$("$STSENV" env shell-role --shell bash)"
aws sts get-caller-identity --output json
eval "$("$STSENV" unset --shell bash)"
echo "left=${AWS_ACCESS_KEY_ID-}${AWS_SESSION_TOKEN-}${STSENV_PROFILE-}""#,
    );
    check(&output);
}

#[test]
fn zsh_eval_then_aws_cli() {
    require("zsh");
    let sandbox = sandbox();
    let output = run(
        &sandbox,
        "zsh",
        r#"set -eu
eval "$("$STSENV" env shell-role --shell zsh)"
aws sts get-caller-identity --output json
eval "$("$STSENV" unset --shell zsh)"
echo "left=${AWS_ACCESS_KEY_ID-}${AWS_SESSION_TOKEN-}${STSENV_PROFILE-}""#,
    );
    check(&output);
}

#[test]
fn fish_source_then_aws_cli() {
    require("fish");
    let sandbox = sandbox();
    let output = run(
        &sandbox,
        "fish",
        r#"$STSENV env shell-role --shell fish | source; or exit 1
aws sts get-caller-identity --output json; or exit 1
$STSENV unset --shell fish | source; or exit 1
echo "left=$AWS_ACCESS_KEY_ID$AWS_SESSION_TOKEN$STSENV_PROFILE""#,
    );
    check(&output);
}

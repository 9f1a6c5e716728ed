//! The rough edges a new user met in the first hour (issue 24), each
//! pinned by a test that failed before its fix.

use stsenv_tests::{exported, succeeded, Sandbox};

use crate::util::fails;

/// `stsenv exec dev aws sts …` without `--` was clap's bare "unexpected
/// argument 'aws' found"; it now says where the `--` goes, with the
/// user's own command line.
#[test]
fn exec_without_the_separator_says_to_put_it_before_the_command() {
    let sandbox = Sandbox::switch_role();
    let stderr = fails(
        &sandbox,
        &["exec", "dev", "aws", "sts", "get-caller-identity"],
        2,
    );
    assert!(
        stderr.contains(
            "put `--` before the command: \"stsenv exec dev -- aws sts get-caller-identity\""
        ),
        "{stderr}"
    );
    // With options before the profile, and with the command's first word
    // also the profile's name: the `--` goes where the line then parses.
    let stderr = fails(
        &sandbox,
        &["exec", "--region", "eu-west-1", "dev", "aws", "s3", "ls"],
        2,
    );
    assert!(
        stderr.contains("\"stsenv exec --region eu-west-1 dev -- aws s3 ls\""),
        "{stderr}"
    );
    let stderr = fails(&sandbox, &["exec", "aws", "aws", "s3", "ls"], 2);
    assert!(
        stderr.contains("\"stsenv exec aws -- aws s3 ls\""),
        "{stderr}"
    );
    // Other usage errors keep clap's message alone.
    let other = fails(&sandbox, &["exec", "dev", "--bogus", "--", "true"], 2);
    assert!(!other.contains("put `--`"), "{other}");
}

/// After `env --role-arn …/dev --source-profile base`, `status` said
/// "base: …" though the credentials are the role's.
#[test]
fn status_after_an_ad_hoc_role_names_the_role() {
    let sandbox = Sandbox::switch_role();
    let out = sandbox
        .stsenv()
        .args([
            "env",
            "--role-arn",
            "arn:aws:iam::123456789012:role/team/dev",
            "--source-profile",
            "base",
        ])
        .output()
        .expect("stsenv runs");
    let vars = exported(succeeded(&out));
    let status = |format: &[&str]| {
        let out = sandbox
            .stsenv()
            .arg("status")
            .args(format)
            .envs(vars.iter().map(|(n, v)| (n, v)))
            .output()
            .expect("stsenv runs");
        String::from_utf8(succeeded(&out).to_vec()).expect("utf-8")
    };
    let sentence = status(&[]);
    assert!(
        sentence.starts_with("role arn:aws:iam::123456789012:role/team/dev (from profile base): credentials expire in "),
        "{sentence}"
    );
    let prompt = status(&["--format", "prompt"]);
    assert!(prompt.starts_with("dev "), "{prompt}");
    let json: serde_json::Value = serde_json::from_str(&status(&["--json"])).expect("json");
    assert_eq!(json["name"], "dev");
    assert_eq!(json["profile"], "base");
}

/// `cache list` with nothing cached printed nothing at all.
#[test]
fn cache_list_with_nothing_cached_says_so() {
    let sandbox = Sandbox::switch_role();
    let out = sandbox.stsenv().args(["cache", "list"]).assert().success();
    let output = out.get_output();
    assert!(output.stdout.is_empty(), "stdout stays a (empty) list");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no cached sessions in ")
            && stderr.contains(&sandbox.cache_dir().display().to_string()),
        "{stderr}"
    );
    // `--json` stays an empty array, for scripts.
    let json = sandbox
        .stsenv()
        .args(["cache", "list", "--json"])
        .assert()
        .success();
    assert_eq!(
        String::from_utf8_lossy(&json.get_output().stdout).trim(),
        "[]"
    );
}

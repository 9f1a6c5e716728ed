//! The machine-readable outputs of `env`: `--shell json` (credential_process
//! v1) and `--shell dotenv` (the AWS CLI using `credential-process` is in `cache`).

use stsenv_tests::{Moto, Sandbox, SWITCH_ROLE_CREDENTIALS};

use crate::util::{assert_expires_in, ok};

fn sandbox() -> Sandbox {
    let sandbox = Sandbox::with_moto(Moto::shared());
    sandbox
        .config("[profile fmt]\nrole_arn = arn:aws:iam::123456789012:role/fmt\nsource_profile = base\nregion = ap-south-1\n")
        .credentials(SWITCH_ROLE_CREDENTIALS);
    sandbox
}

#[test]
fn json_is_the_credential_process_v1_shape() {
    let sandbox = sandbox();
    let doc: serde_json::Value =
        serde_json::from_str(&ok(&sandbox, &["env", "fmt", "--shell", "json"])).unwrap();
    let object = doc.as_object().unwrap();
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "AccessKeyId",
            "Expiration",
            "SecretAccessKey",
            "SessionToken",
            "Version"
        ]
    );
    assert_eq!(doc["Version"], 1);
    assert!(doc["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
    assert_expires_in(doc["Expiration"].as_str().unwrap(), 3600);
    // credential-process prints the same document (from the cache now).
    let again: serde_json::Value =
        serde_json::from_str(&ok(&sandbox, &["credential-process", "fmt"])).unwrap();
    assert_eq!(again, doc);
}

#[test]
fn dotenv_lines_are_quoted_and_complete() {
    let sandbox = sandbox();
    let out = ok(&sandbox, &["env", "fmt", "--shell", "dotenv"]);
    let pairs: Vec<(&str, &str)> = out
        .lines()
        .map(|line| {
            let (name, value) = line.split_once('=').unwrap_or_else(|| panic!("{line}"));
            let quoted = |q: char| value.len() >= 2 && value.starts_with(q) && value.ends_with(q);
            assert!(
                quoted('\'') || quoted('"'),
                "dotenv values are quoted: {line}"
            );
            (name, &value[1..value.len() - 1])
        })
        .collect();
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
            .unwrap_or_else(|| panic!("{name} missing:\n{out}"))
    };
    assert!(value("AWS_ACCESS_KEY_ID").starts_with("ASIA"));
    assert!(!value("AWS_SECRET_ACCESS_KEY").is_empty());
    assert!(!value("AWS_SESSION_TOKEN").is_empty());
    assert_eq!(value("AWS_REGION"), "ap-south-1");
    assert_eq!(value("AWS_DEFAULT_REGION"), "ap-south-1");
    assert_eq!(value("STSENV_PROFILE"), "fmt");
    assert_expires_in(value("AWS_CREDENTIAL_EXPIRATION"), 3600);
    assert!(!out.contains("export ") && !out.contains("unset "), "{out}");
}

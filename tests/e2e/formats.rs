//! The machine-readable outputs of `env`: `--shell json` (credential_process
//! v1) and `--shell dotenv` (the AWS CLI using `credential-process` is in `cache`).

use stsenv_tests::{Moto, Sandbox};

use crate::util::{assert_expires_in, ok};

fn sandbox() -> Sandbox {
    Sandbox::with_base_keys(Moto::shared(), "[profile fmt]\nrole_arn = arn:aws:iam::123456789012:role/fmt\nsource_profile = base\nregion = ap-south-1\n")
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

/// The AWS CLI's `export-credentials --format` names: `env` is bash,
/// `process` is json, `env-no-export` is `NAME=value` lines that bash and
/// a literal reader both take as the value, `windows-cmd` is `set "…"`.
#[test]
fn the_aws_clis_format_names() {
    let sandbox = sandbox();
    let bash = ok(&sandbox, &["env", "fmt", "--shell", "bash"]);
    let env = ok(&sandbox, &["env", "fmt", "--shell", "env"]);
    assert_eq!(env, bash, "env is bash (the same cached session)");
    let json = ok(&sandbox, &["env", "fmt", "--shell", "json"]);
    assert_eq!(ok(&sandbox, &["env", "fmt", "--shell", "process"]), json);

    let plain = ok(&sandbox, &["env", "fmt", "--shell", "env-no-export"]);
    let key = stsenv_tests::exported_value(bash.as_bytes(), "AWS_ACCESS_KEY_ID").unwrap();
    let token = stsenv_tests::exported_value(bash.as_bytes(), "AWS_SESSION_TOKEN").unwrap();
    assert!(
        plain.contains(&format!("\nAWS_SESSION_TOKEN={token}\n")),
        "bare, as the AWS CLI prints it:\n{plain}"
    );
    assert!(
        plain
            .lines()
            .all(|l| !l.starts_with("export ") && !l.starts_with("unset ")),
        "{plain}"
    );
    // bash reads every value back; none is exported by the lines themselves.
    let out = sandbox
        .command("bash")
        .args(["--norc", "--noprofile", "-c"])
        .arg(format!("{plain}\nprintf '%s|%s|%s' \"$AWS_ACCESS_KEY_ID\" \"$AWS_REGION\" \"$(env | grep -c '^AWS_ACCESS_KEY_ID=')\""))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(stsenv_tests::succeeded(&out)),
        format!("{key}|ap-south-1|0")
    );

    let cmd = ok(&sandbox, &["env", "fmt", "--shell", "windows-cmd"]);
    assert!(
        cmd.contains(&format!("set \"AWS_ACCESS_KEY_ID={key}\"\n")),
        "{cmd}"
    );
    assert!(
        cmd.contains("set \"AWS_PROFILE=\"\n"),
        "removes a stale profile: {cmd}"
    );
    assert!(
        cmd.lines()
            .all(|l| l.starts_with("set \"") && l.ends_with('"')),
        "{cmd}"
    );
}

/// A value cmd.exe would expand (`%` in the profile name, which the SDKs
/// allow) is refused: nothing on stdout, the variable named, no value shown.
#[test]
fn windows_cmd_refuses_what_cmd_would_change() {
    let sandbox = Sandbox::with_base_keys(
        Moto::shared(),
        "[profile 50%off]\nrole_arn = arn:aws:iam::123456789012:role/fmt\nsource_profile = base\n",
    );
    let err = crate::util::fails(&sandbox, &["env", "50%off", "--shell", "windows-cmd"], 1);
    assert!(
        err.contains("STSENV_PROFILE") && err.contains("`%`"),
        "{err}"
    );
    assert!(err.contains("--shell powershell"), "{err}");
    ok(&sandbox, &["env", "50%off", "--shell", "powershell"]);
}

//! `--write-credentials NAME`: a role session written into `[NAME]` of
//! `~/.aws/credentials`, read back by the AWS CLI (botocore) against moto,
//! every other byte of the file kept; rewritten by the prompt hook's
//! renewal; removed by `unset --write-credentials NAME`; a section of the
//! user's is never touched.

use stsenv_tests::{exported_value, Moto, Sandbox};

use crate::shell_support::{init, run_script, stdout_ok};
use crate::util::{assumed_role, fails, ok};

/// The user's credentials file: CRLF, comments, odd spacing, two profiles.
const USER_CREDENTIALS: &str = "; my keys\r\n[base]  # the IAM user\r\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\r\naws_secret_access_key   =   wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\r\n\r\n# legacy\r\n[legacy]\r\naws_access_key_id=AKIALEGACYLEGACYLEG1\r\naws_secret_access_key=legacy/secret/0000000\r\n";

const CONFIG: &str = "[profile base]\nregion = eu-west-1\n\n[profile wc]\nrole_arn = arn:aws:iam::123456789012:role/write-creds\nsource_profile = base\nregion = eu-west-1\n";

fn sandbox() -> Sandbox {
    let sandbox = Sandbox::with_moto(Moto::shared());
    sandbox.config(CONFIG).credentials(USER_CREDENTIALS);
    sandbox
}

fn read(sandbox: &Sandbox) -> String {
    std::fs::read_to_string(sandbox.credentials_path()).expect("credentials file")
}

/// What botocore (the AWS CLI v1) makes of profile `name`: the credentials
/// it loads, and who moto says signs with them.
fn botocore_identity(sandbox: &Sandbox, name: &str) -> serde_json::Value {
    let out = sandbox
        .command("aws")
        .args([
            "sts",
            "get-caller-identity",
            "--profile",
            name,
            "--output",
            "json",
        ])
        .args(["--region", "eu-west-1"])
        .output()
        .expect("the AWS CLI is installed (cargo xtask test installs it)");
    serde_json::from_slice(stsenv_tests::succeeded(&out)).expect("JSON")
}

fn botocore_credentials(sandbox: &Sandbox, name: &str) -> (String, String, String) {
    let script = "import sys, botocore.session\n\
                  c = botocore.session.Session(profile=sys.argv[1]).get_credentials().get_frozen_credentials()\n\
                  print(c.access_key); print(c.secret_key); print(c.token)\n";
    let out = sandbox
        .command("python3")
        .args(["-c", script, name])
        .output()
        .expect("python3 with botocore (the AWS CLI's) runs");
    let text = String::from_utf8(stsenv_tests::succeeded(&out).to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    (lines[0].into(), lines[1].into(), lines[2].into())
}

#[test]
fn env_writes_a_section_botocore_reads_and_unset_removes_it() {
    let sandbox = sandbox();
    let moto = Moto::shared();
    let out = sandbox
        .stsenv()
        .args([
            "env",
            "wc",
            "--shell",
            "bash",
            "--write-credentials",
            "wc-session",
        ])
        .output()
        .unwrap();
    let stdout = stsenv_tests::succeeded(&out).to_vec();
    let key = exported_value(&stdout, "AWS_ACCESS_KEY_ID").unwrap();
    let secret = exported_value(&stdout, "AWS_SECRET_ACCESS_KEY").unwrap();
    let token = exported_value(&stdout, "AWS_SESSION_TOKEN").unwrap();
    let expiration = exported_value(&stdout, "AWS_CREDENTIAL_EXPIRATION").unwrap();
    assert_eq!(
        exported_value(&stdout, "STSENV_WRITE_CREDENTIALS").as_deref(),
        Some("wc-session")
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("[wc-session]"));

    // Every byte of the user's file is still there, first; the section follows.
    let text = read(&sandbox);
    assert!(text.starts_with(USER_CREDENTIALS), "{text}");
    assert_eq!(
        &text[USER_CREDENTIALS.len()..],
        format!(
            "\r\n[wc-session]\r\naws_access_key_id = {key}\r\naws_secret_access_key = {secret}\r\naws_session_token = {token}\r\nstsenv_expiration = {expiration}\r\nstsenv_source_profile = wc\r\n"
        )
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(sandbox.credentials_path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "private: {mode:o}");
    }

    // botocore reads exactly these credentials, and moto knows them as the role's.
    assert_eq!(
        botocore_credentials(&sandbox, "wc-session"),
        (key.clone(), secret, token)
    );
    let identity = botocore_identity(&sandbox, "wc-session");
    assert!(
        identity["Arn"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:sts::123456789012:assumed-role/write-creds/"),
        "{identity}"
    );
    assert_eq!(
        assumed_role(moto, &key)["role_arn"],
        "arn:aws:iam::123456789012:role/write-creds"
    );

    // cache list shows the section.
    let list = ok(&sandbox, &["cache", "list"]);
    let row = list
        .lines()
        .find(|l| l.contains("credentials-file"))
        .unwrap_or_else(|| panic!("{list}"));
    assert!(
        row.starts_with("wc ") && row.contains("[wc-session] in ") && row.contains("expires in"),
        "{row}"
    );

    // unset removes exactly that section: the file is the user's again.
    let out = sandbox
        .stsenv()
        .args([
            "unset",
            "--shell",
            "bash",
            "--write-credentials",
            "wc-session",
        ])
        .output()
        .unwrap();
    let code = String::from_utf8(stsenv_tests::succeeded(&out).to_vec()).unwrap();
    assert!(code.contains("unset AWS_ACCESS_KEY_ID"), "{code}");
    assert_eq!(read(&sandbox), USER_CREDENTIALS);
    assert!(!ok(&sandbox, &["cache", "list"]).contains("credentials-file"));
}

#[test]
fn a_section_stsenv_did_not_write_is_refused() {
    let sandbox = sandbox();
    for name in ["legacy", "base"] {
        let err = fails(&sandbox, &["env", "wc", "--write-credentials", name], 1);
        assert!(
            err.contains(&format!("[{name}]")) && err.contains("did not write"),
            "{err}"
        );
        let err = fails(&sandbox, &["unset", "--write-credentials", name], 1);
        assert!(err.contains("did not write"), "{err}");
    }
    let err = fails(
        &sandbox,
        &["exec", "wc", "--write-credentials", "legacy", "--", "true"],
        1,
    );
    assert!(err.contains("did not write"), "{err}");
    let err = fails(&sandbox, &["env", "wc", "--write-credentials", "a b"], 1);
    assert!(err.contains("not a profile name"), "{err}");
    // Long-term keys are never copied into another section.
    let err = fails(&sandbox, &["env", "base", "--write-credentials", "copy"], 1);
    assert!(err.contains("long-term keys"), "{err}");
    assert_eq!(read(&sandbox), USER_CREDENTIALS, "nothing changed");
}

#[test]
fn exec_writes_before_the_command_runs() {
    let sandbox = sandbox();
    let out = sandbox
        .stsenv()
        .args([
            "exec",
            "wc",
            "--write-credentials",
            "wc-exec",
            "--",
            "sh",
            "-c",
        ])
        .arg("grep -c \"aws_access_key_id = $AWS_ACCESS_KEY_ID\" \"$AWS_SHARED_CREDENTIALS_FILE\"")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(stsenv_tests::succeeded(&out)),
        "1\n"
    );
    assert!(read(&sandbox).contains("[wc-exec]\r\n"));
}

/// In bash with the plugin: `stsenv_assume … --write-credentials`, then a
/// due renewal through the hook writes the new session into the section,
/// `status` names it, and `stsenv_unassume --write-credentials` removes it.
#[test]
fn the_hook_rewrites_the_section_and_unassume_removes_it() {
    let sandbox = sandbox();
    let plugin = sandbox.path().join("plugin.bash");
    std::fs::write(&plugin, init(&sandbox, "bash", &["--no-aliases"])).unwrap();
    let script = format!(
        "set -u\n. '{}'\n\
         stsenv_assume wc --write-credentials wc-hook\n\
         echo \"FIRST:$AWS_ACCESS_KEY_ID\"\n\
         stsenv status\n\
         stsenv cache clear >/dev/null 2>&1\n\
         STSENV_REFRESH_AT=1; __stsenv_hook\n\
         echo \"SECOND:$AWS_ACCESS_KEY_ID\"\n\
         grep -c \"aws_access_key_id = $AWS_ACCESS_KEY_ID\" \"$AWS_SHARED_CREDENTIALS_FILE\"\n\
         stsenv_unassume --write-credentials wc-hook\n\
         echo \"AFTER:${{STSENV_WRITE_CREDENTIALS-unset}}\"\n",
        plugin.display()
    );
    let out = stdout_ok(&run_script(&sandbox, "bash", &script));
    let value = |tag: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(tag))
            .unwrap_or_else(|| panic!("{tag} missing:\n{out}"))
            .to_string()
    };
    let (first, second) = (value("FIRST:"), value("SECOND:"));
    assert!(
        first.starts_with("ASIA") && second.starts_with("ASIA"),
        "{out}"
    );
    assert_ne!(first, second, "the hook renewed:\n{out}");
    assert!(out.contains("also written to [wc-hook] of "), "{out}");
    assert!(
        out.lines().any(|l| l == "1"),
        "the renewed key is in the file:\n{out}"
    );
    assert_eq!(value("AFTER:"), "unset");
    assert_eq!(read(&sandbox), USER_CREDENTIALS);
}

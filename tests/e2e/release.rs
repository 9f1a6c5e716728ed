//! What a release promises (issue 13): every subcommand's help ends with
//! examples, and `--version` says what the build can do.

use stsenv_tests::Sandbox;

use crate::util::ok;

#[test]
fn every_subcommand_help_ends_with_examples() {
    let sandbox = Sandbox::new();
    for command in [
        "env",
        "exec",
        "whoami",
        "init",
        "unset",
        "profiles",
        "status",
        "explain",
        "cache",
        "credential-process",
        "login",
        "logout",
        "sso",
        "completions",
    ] {
        let help = ok(&sandbox, &[command, "--help"]);
        let examples = help
            .rfind("Examples:\n")
            .unwrap_or_else(|| panic!("{command}: no examples:\n{help}"));
        let lines: Vec<&str> = help[examples..].lines().skip(1).collect();
        assert!(
            lines.len() >= 2
                && lines.iter().all(|l| l.starts_with("  stsenv ")
                    || l.starts_with("  eval ")
                    || l.starts_with("  credential_process")),
            "{command}: examples are the last thing, each a command:\n{help}"
        );
    }
}

#[test]
fn version_names_the_features() {
    let version = ok(&Sandbox::new(), &["--version"]);
    assert!(version.starts_with("stsenv "), "{version}");
    assert!(
        version.contains("features:") && version.contains("mfa_process"),
        "{version}"
    );
}

//! `stsenv __man DIR`, which `cargo xtask dist` runs on the release binary:
//! one man page per command, found independently of clap_mangen by walking
//! `--help`; the command stays out of help and completion scripts. (The
//! archive itself — pages rendered by `man -l`, completions loaded in their
//! shells — is checked by `cargo xtask dist --check`, too slow for here.)

use std::collections::BTreeSet;

use stsenv_tests::Sandbox;

use crate::util::{fails, ok, subcommands};

/// `stsenv-a-b.1` for every command path reachable from `path`.
fn expected_pages(sandbox: &Sandbox, path: &[&str], into: &mut BTreeSet<String>) {
    let mut name = vec!["stsenv"];
    name.extend_from_slice(path);
    into.insert(format!("{}.1", name.join("-")));
    for sub in subcommands(sandbox, path) {
        let mut deeper = path.to_vec();
        deeper.push(&sub);
        expected_pages(sandbox, &deeper, into);
    }
}

#[test]
fn one_page_per_command_and_nothing_on_stdout() {
    let sandbox = Sandbox::new();
    let dir = sandbox.path().join("out").join("man1");
    let stdout = ok(&sandbox, &["__man", dir.to_str().expect("utf-8 temp dir")]);
    assert_eq!(stdout, "", "__man prints nothing");

    let mut expected = BTreeSet::new();
    expected_pages(&sandbox, &[], &mut expected);
    assert!(
        expected.contains("stsenv-cache-list.1") && expected.contains("stsenv-sso-populate.1"),
        "the walk reaches nested commands: {expected:?}"
    );
    let written: BTreeSet<String> = std::fs::read_dir(&dir)
        .expect("the directory was created")
        .map(|entry| {
            entry
                .expect("dir entry")
                .file_name()
                .into_string()
                .expect("utf-8")
        })
        .collect();
    assert_eq!(written, expected);

    let env = std::fs::read_to_string(dir.join("stsenv-env.1")).expect("stsenv-env.1");
    assert!(
        env.contains(".TH stsenv-env 1 "),
        "a section 1 page titled stsenv-env:\n{env}"
    );
    assert!(
        env.contains("\\-\\-role\\-arn"),
        "options are documented:\n{env}"
    );
    assert!(
        env.contains(".SH EXAMPLES\n  eval \"$(stsenv env dev)\"\n"),
        "the help's examples are the page's EXAMPLES:\n{env}"
    );
    // Regression (issue 24): clap_mangen's synopsis dropped option values
    // (`[--role-arn]`); it shows them as the help does.
    assert!(
        env.contains("[\\fB\\-\\-role\\-arn\\fR \\fIARN\\fR]")
            && env.contains("[\\fB\\-s\\fR|\\fB\\-\\-shell\\fR \\fISHELL\\fR]"),
        "the synopsis names option values:\n{env}"
    );
    let eks = std::fs::read_to_string(dir.join("stsenv-eks-token.1")).expect("stsenv-eks-token.1");
    assert!(
        eks.contains(" \\fB\\-\\-cluster\\-name\\fR \\fINAME\\fR "),
        "a required option is shown without brackets:\n{eks}"
    );
    let top = std::fs::read_to_string(dir.join("stsenv.1")).expect("stsenv.1");
    assert!(
        top.contains("stsenv\\-env(1)"),
        "stsenv(1) names the subcommand pages:\n{top}"
    );
    assert!(
        !top.contains("__man"),
        "the packaging command is not documented:\n{top}"
    );
}

#[test]
fn the_packaging_command_is_invisible() {
    let sandbox = Sandbox::new();
    assert!(!ok(&sandbox, &["--help"]).contains("__man"));
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let script = ok(&sandbox, &["completions", shell]);
        assert!(!script.contains("__man"), "{shell} completion offers __man");
    }
}

#[test]
fn bad_arguments_and_unwritable_dirs_fail_cleanly() {
    let sandbox = Sandbox::new();
    let usage = fails(&sandbox, &["__man"], 2);
    assert!(usage.contains("usage: stsenv __man DIR"), "{usage}");
    fails(&sandbox, &["__man", "a", "b"], 2);

    let file = sandbox.path().join("not-a-dir");
    std::fs::write(&file, "").expect("write a file");
    let inside = file.join("man1");
    let err = fails(&sandbox, &["__man", inside.to_str().expect("utf-8")], 1);
    assert!(
        err.starts_with("stsenv: error: cannot write man pages to ") && err.contains("not-a-dir"),
        "{err}"
    );
}

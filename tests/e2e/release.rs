//! What a release promises (issue 13): `--version` says what the build can
//! do. (That every command's help ends with examples is checked for every
//! command, found by walking the help, in `help_contract.rs`.)

use stsenv_tests::Sandbox;

use crate::util::ok;

#[test]
fn version_names_the_features() {
    let version = ok(&Sandbox::new(), &["--version"]);
    assert!(version.starts_with("stsenv "), "{version}");
    assert!(
        version.contains("features:") && version.contains("mfa_process"),
        "{version}"
    );
}

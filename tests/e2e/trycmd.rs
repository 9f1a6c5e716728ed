//! CLI snapshots (`tests/cmd/*.toml`): help texts, `explain` on a fixture
//! config, and the wording of the commonest errors. Refresh them with
//! `TRYCMD=overwrite cargo test -p stsenv-tests --test e2e trycmd`.

use std::path::PathBuf;

use stsenv_tests::Sandbox;

fn cases_dir() -> PathBuf {
    stsenv_tests::workspace_root().join("tests/cmd")
}

#[test]
fn cli_snapshots() {
    // A private HOME and cache; the config comes from the fixtures. The
    // cases set `env.inherit = false`, so only this environment is seen.
    let sandbox = Sandbox::new();
    let fixtures = cases_dir().join("fixtures");
    let cases = trycmd::TestCases::new();
    cases
        .case(cases_dir().join("*.toml"))
        .register_bin("stsenv", stsenv_tests::stsenv_bin());
    for (name, value) in sandbox.env() {
        cases.env(name, value);
    }
    cases
        .env(
            "AWS_CONFIG_FILE",
            fixtures.join("config").display().to_string(),
        )
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            fixtures.join("credentials").display().to_string(),
        );
    cases.run();
}

#[test]
fn every_case_isolates_its_environment() {
    let mut count = 0;
    for entry in std::fs::read_dir(cases_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                text.contains("env.inherit = false"),
                "{} would see the developer's AWS_* variables; add `env.inherit = false`",
                path.display()
            );
            count += 1;
        }
    }
    assert!(count >= 5, "the snapshot cases are missing");
}

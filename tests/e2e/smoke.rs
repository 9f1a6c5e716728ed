//! The seed's story in one test: static keys + MFA → role, through moto.

use stsenv_tests::{exported_value, Sandbox};

#[test]
fn switch_role_with_mfa_then_cache_hit() {
    let sandbox = Sandbox::switch_role();
    let first = sandbox
        .stsenv()
        .args(["env", "dev", "--shell", "bash", "--token-code", "123456"])
        .assert()
        .success();
    let key = exported_value(&first.get_output().stdout, "AWS_ACCESS_KEY_ID").unwrap();
    assert!(key.starts_with("ASIA"), "temporary key expected, got {key}");
    // No terminal and no code: served from the cache, so no MFA needed.
    let second = sandbox
        .stsenv()
        .args(["env", "dev", "--shell", "bash", "--non-interactive"])
        .assert()
        .success();
    assert_eq!(
        exported_value(&second.get_output().stdout, "AWS_ACCESS_KEY_ID").unwrap(),
        key
    );
}

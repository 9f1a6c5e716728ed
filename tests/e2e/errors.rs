//! Bad input: every failure names the profile or file, exits non-zero and
//! prints nothing on stdout (so `eval "$(stsenv env …)"` evaluates nothing).

use std::time::{Duration, Instant};

use stsenv_tests::{
    exported_value, free_port, Moto, Sandbox, SWITCH_ROLE_CONFIG, SWITCH_ROLE_CREDENTIALS,
};

use crate::util::{fails, ok};

/// A sandbox with `config` and the `base` keys, on the shared emulator.
fn sandbox(config: &str) -> Sandbox {
    Sandbox::with_base_keys(Moto::shared(), config)
}

fn config_path(sandbox: &Sandbox) -> String {
    sandbox.config_path().display().to_string()
}

#[test]
fn unknown_profile_suggests_a_close_name() {
    let sandbox = sandbox(SWITCH_ROLE_CONFIG);
    let stderr = fails(&sandbox, &["env", "dve"], 1);
    assert!(
        stderr.contains(&format!(
            "profile `dve` not found in {}",
            config_path(&sandbox)
        )) && stderr.contains(&sandbox.credentials_path().display().to_string())
            && stderr.contains("did you mean `dev`?"),
        "{stderr}"
    );
    // Nothing close: point at `stsenv profiles` instead.
    let stderr = fails(&sandbox, &["whoami", "zzzzzz"], 1);
    assert!(stderr.contains("run `stsenv profiles`"), "{stderr}");
}

#[test]
fn source_profile_cycle() {
    let sandbox = sandbox(
        "[profile loop-a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = loop-b\n\
         [profile loop-b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = loop-a\n",
    );
    let stderr = fails(&sandbox, &["env", "loop-a"], 1);
    assert!(
        stderr.contains("source_profile cycle: loop-a -> loop-b -> loop-a")
            && stderr.contains(&config_path(&sandbox)),
        "{stderr}"
    );
}

#[test]
fn dangling_source_profile() {
    let sandbox =
        sandbox("[profile orphan]\nrole_arn = arn:aws:iam::1:role/o\nsource_profile = ghost\n");
    let stderr = fails(&sandbox, &["exec", "orphan", "--", "true"], 1);
    assert!(
        stderr.contains(&format!(
            "profile `orphan` has source_profile = ghost, but no such profile exists in {}",
            config_path(&sandbox)
        )),
        "{stderr}"
    );
}

#[test]
fn malformed_config_line_names_file_and_line() {
    let sandbox = sandbox("[profile dev]\nthis is not ini\n");
    let stderr = fails(&sandbox, &["env", "dev"], 1);
    assert!(
        stderr.contains(&config_path(&sandbox)) && stderr.contains("line 2"),
        "{stderr}"
    );
}

#[test]
fn role_without_source() {
    let sandbox = sandbox("[profile lonely]\nrole_arn = arn:aws:iam::1:role/lonely\n");
    let stderr = fails(&sandbox, &["env", "lonely"], 1);
    assert!(
        stderr.contains(&format!("profile `lonely` in {}", config_path(&sandbox)))
            && stderr.contains("no source_profile or credential_source"),
        "{stderr}"
    );
}

#[test]
fn invalid_durations() {
    let sandbox = sandbox(
        "[profile dur]\nrole_arn = arn:aws:iam::1:role/dur\nsource_profile = base\n\
         [profile dur-bad]\nrole_arn = arn:aws:iam::1:role/dur\nsource_profile = base\nduration_seconds = 1h\n",
    );
    let stderr = fails(&sandbox, &["env", "dur", "--duration", "100"], 1);
    assert!(
        stderr.contains("profile `dur`")
            && stderr.contains("duration 100 s is outside STS's 900–43200 s"),
        "{stderr}"
    );
    let stderr = fails(&sandbox, &["env", "dur-bad"], 1);
    assert!(
        stderr.contains("profile `dur-bad`")
            && stderr.contains("duration_seconds = 1h is not a whole number of seconds"),
        "{stderr}"
    );
    // Not a number at all: clap's usage error, exit 2.
    let stderr = fails(&sandbox, &["env", "dur", "--duration", "soon"], 2);
    assert!(stderr.contains("--duration"), "{stderr}");
}

#[test]
fn invalid_mfa_code_is_refused_before_any_call() {
    // No emulator: a network call would fail differently.
    let sandbox = Sandbox::new().endpoint(&format!("http://127.0.0.1:{}", free_port()));
    sandbox
        .config(SWITCH_ROLE_CONFIG)
        .credentials(SWITCH_ROLE_CREDENTIALS);
    let stderr = fails(&sandbox, &["env", "dev", "--token-code", "12ab"], 1);
    assert!(
        stderr.contains("--token-code") && stderr.contains("six digits"),
        "{stderr}"
    );
}

#[test]
fn mfa_needed_without_a_terminal_exits_3() {
    let sandbox = sandbox(&SWITCH_ROLE_CONFIG.replace("role/dev", "role/err-mfa"));
    let stderr = fails(&sandbox, &["env", "dev", "--non-interactive"], 3);
    assert!(
        stderr.contains("MFA code needed for dev (arn:aws:iam::123456789012:mfa/alice)"),
        "{stderr}"
    );
    // Nothing was cached by the failed attempt.
    assert!(ok(&sandbox, &["cache", "list"]).is_empty());
}

#[test]
fn sts_refusal_is_reported_with_its_code() {
    // moto enforcing IAM auth: it does not know `base`'s keys, so STS answers
    // 403 InvalidClientTokenId (what AWS says for keys it does not know).
    let strict = Moto::start_with_env(&[("INITIAL_NO_AUTH_ACTION_COUNT", "0")]);
    let sandbox = Sandbox::with_base_keys(&strict, SWITCH_ROLE_CONFIG);
    let stderr = fails(&sandbox, &["env", "dev", "--token-code", "123456"], 1);
    assert!(
        stderr.contains("sts:GetSessionToken for profile `base` failed: InvalidClientTokenId: The security token included in the request is invalid")
            && stderr.contains("the source credentials are expired or wrong"),
        "{stderr}"
    );
    let stderr = fails(&sandbox, &["whoami", "base"], 1);
    assert!(
        stderr.contains("sts:GetCallerIdentity for profile `base` failed: InvalidClientTokenId"),
        "{stderr}"
    );
}

#[test]
fn unreachable_endpoint_fails_fast() {
    let url = format!("http://127.0.0.1:{}", free_port());
    let sandbox = Sandbox::new().endpoint(&url);
    sandbox
        .config(SWITCH_ROLE_CONFIG)
        .credentials(SWITCH_ROLE_CREDENTIALS);
    let started = Instant::now();
    let stderr = fails(&sandbox, &["env", "dev", "--token-code", "123456"], 1);
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(15),
        "took {elapsed:?} to give up on a closed port"
    );
    assert!(
        stderr.contains("for profile `base`") && stderr.contains(&format!("cannot reach {url}")),
        "{stderr}"
    );
}

#[test]
fn corrupt_cache_entries_are_warned_about_and_replaced() {
    let sandbox = sandbox(&SWITCH_ROLE_CONFIG.replace("role/dev", "role/err-cache"));
    let first = ok(
        &sandbox,
        &["env", "dev", "--shell", "bash", "--token-code", "123456"],
    );
    let mut corrupted = 0;
    for entry in std::fs::read_dir(sandbox.cache_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            std::fs::write(&path, "garbage{").unwrap();
            corrupted += 1;
        }
    }
    assert_eq!(corrupted, 2, "an MFA session and a role were cached");
    let out = sandbox
        .stsenv()
        .args(["env", "dev", "--shell", "bash", "--token-code", "123456"])
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    // One line per corrupt entry, naming the file.
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("warning: ignoring unreadable cache entry"))
        .collect();
    assert_eq!(warnings.len(), corrupted, "{stderr}");
    let cache_dir = sandbox.cache_dir().display().to_string();
    assert!(warnings.iter().all(|w| w.contains(&cache_dir)), "{stderr}");
    let stdout = &out.get_output().stdout;
    let key = exported_value(stdout, "AWS_ACCESS_KEY_ID").unwrap();
    assert!(key.starts_with("ASIA"));
    assert_ne!(
        Some(key),
        exported_value(first.as_bytes(), "AWS_ACCESS_KEY_ID"),
        "fresh credentials, not the corrupt entry"
    );
    // And the cache is healthy again: served without a code or a warning.
    let out = sandbox
        .stsenv()
        .args(["env", "dev", "--non-interactive"])
        .assert()
        .success();
    assert!(out.get_output().stderr.is_empty());
}

//! The differential table. Rows follow the AWS SDKs' documentation
//! ("Shared config and credentials files", "Assume role credential
//! provider", "Process credential provider", "IMDS credential provider",
//! "Container credential provider") and botocore's `credentials.py`, which
//! is the reference: `Same` rows must resolve as botocore does.
//!
//! Placeholders (`{{keys:NAME}}`, `{{dir}}`, …) are described on
//! [`Case`]. Each NAME is its own moto IAM user, so the identity that signs
//! a call tells whose keys were used (`user:NAME` in traces).

use super::harness::{case, Case, Observed};

const ROLE_A: &str = "arn:aws:iam::111111111111:role/RoleA";
const ROLE_B: &str = "arn:aws:iam::222222222222:role/RoleB";
const MFA: &str = "arn:aws:iam::123456789012:mfa/base";
const WEB_TOKEN: &str = "tok-web-identity";

/// `credential_process` output: a shell script printing `json`.
fn script(json: &str) -> String {
    format!("#!/bin/sh\ncat <<'EOF'\n{json}\nEOF\n")
}

/// A process printing user `p`'s keys, with extra JSON fields.
fn process_keys(extra: &str) -> String {
    script(&format!(
        r#"{{"Version": 1, "AccessKeyId": "{{{{id:p}}}}", "SecretAccessKey": "{{{{secret:p}}}}"{extra}}}"#
    ))
}

/// The SSO session most SSO rows use.
const SSO_SESSION: &str = "\
[sso-session corp]
sso_start_url = https://corp.example/start
sso_region = eu-west-1
";

/// Every row.
pub fn all() -> Vec<Case> {
    let mut rows = Vec::new();
    rows.extend(chains());
    rows.extend(deliberate_roles());
    rows.extend(precedence());
    rows.extend(selection());
    rows.extend(environment());
    rows.extend(process());
    rows.extend(region());
    rows.extend(sso());
    rows.extend(imds());
    rows.extend(container());
    rows.extend(web_identity());
    rows.extend(keys_lines());
    rows.extend(endpoints());
    rows.extend(files());
    rows
}

/// A role on moto assumed with `base`'s keys, from the profile `app`.
const APP_ROLE: &str =
    "[profile app]\nrole_arn = arn:aws:iam::111111111111:role/RoleA\nsource_profile = base\nregion = eu-west-1\n";

/// How session tokens are read from the files.
fn keys_lines() -> Vec<Case> {
    vec![
        // An empty line means no token: botocore and the Rust SDK sign without one.
        case("keys/empty-session-token-signs-without-one")
            .creds("[base]\n{{keys:base}}\naws_session_token =\n")
            .profile("base")
            .same(),
        case("keys/empty-session-token-of-a-source-profile")
            .config(APP_ROLE)
            .creds("[base]\n{{keys:base}}\naws_session_token =\n")
            .profile("app")
            .same(),
        // botocore reads the old name, and before the new one.
        case("keys/aws-security-token-is-the-session-token")
            .creds("[base]\n{{keys:base}}\naws_security_token = tok-legacy\n")
            .profile("base")
            .same(),
        case("keys/aws-security-token-before-aws-session-token")
            .creds("[base]\n{{keys:base}}\naws_session_token = tok-new\naws_security_token = tok-legacy\n")
            .profile("base")
            .same(),
        case("keys/aws-security-token-in-the-config-file")
            .config("[profile base]\n{{keys:base}}\naws_security_token = tok-legacy\n")
            .profile("base")
            .same(),
    ]
}

/// Endpoint settings: every row points at moto itself, with
/// AWS_ENDPOINT_URL unset.
fn endpoints() -> Vec<Case> {
    let own = |name: &'static str| {
        case(name)
            .unset("AWS_ENDPOINT_URL")
            .creds("[base]\n{{keys:base}}\n")
    };
    vec![
        own("endpoint/profile-endpoint-url")
            .config(&format!("{APP_ROLE}endpoint_url = {{{{moto}}}}\n"))
            .profile("app")
            .same(),
        own("endpoint/services-section")
            .config(&format!(
                "{APP_ROLE}services = local\n\n[services local]\nsts =\n  endpoint_url = {{{{moto}}}}\n"
            ))
            .profile("app")
            .same(),
        own("endpoint/services-section-beats-endpoint-url")
            .config(&format!(
                "{APP_ROLE}endpoint_url = http://127.0.0.1:9\nservices = local\n\n[services local]\nsts =\n  endpoint_url = {{{{moto}}}}\n"
            ))
            .profile("app")
            .same(),
        own("endpoint/aws-endpoint-url-sts-beats-the-profile")
            .config(&format!("{APP_ROLE}endpoint_url = http://127.0.0.1:9\n"))
            .env("AWS_ENDPOINT_URL_STS", "{{moto}}")
            .profile("app")
            .same(),
        own("endpoint/aws-endpoint-url-sts-beats-aws-endpoint-url")
            .config(APP_ROLE)
            .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
            .env("AWS_ENDPOINT_URL_STS", "{{moto}}")
            .profile("app")
            .same(),
        // Both go to AWS itself (unreachable here, or refusing moto's keys).
        own("endpoint/ignore-configured-endpoint-urls-in-the-profile")
            .config(&format!(
                "{APP_ROLE}endpoint_url = {{{{moto}}}}\nignore_configured_endpoint_urls = true\n"
            ))
            .profile("app")
            .mentions(&["app"])
            .same(),
        own("endpoint/aws-ignore-configured-endpoint-urls")
            .config(&format!("{APP_ROLE}endpoint_url = {{{{moto}}}}\n"))
            .env("AWS_ENDPOINT_URL_STS", "{{moto}}")
            .env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
            .profile("app")
            .mentions(&["app"])
            .same(),
        own("endpoint/ignore-false-keeps-the-endpoint")
            .config(&format!(
                "{APP_ROLE}endpoint_url = {{{{moto}}}}\nignore_configured_endpoint_urls = false\n"
            ))
            .profile("app")
            .same(),
        // Every AssumeRole of a chain goes to the named profile's endpoint
        // (the client is the named profile's); hop's own is never used.
        own("endpoint/a-chain-uses-the-named-profiles-endpoint")
            .config(
                "\
[profile app]
role_arn = arn:aws:iam::111111111111:role/RoleA
source_profile = hop
region = eu-west-1
endpoint_url = {{moto}}

[profile hop]
role_arn = arn:aws:iam::222222222222:role/RoleB
source_profile = base
endpoint_url = http://127.0.0.1:9
",
            )
            .profile("app")
            .same(),
        // `legacy` changes nothing where an endpoint is configured, in
        // the profile or the environment (botocore: no global endpoint then).
        own("endpoint/sts-regional-endpoints-legacy-with-an-endpoint")
            .config(&format!(
                "{APP_ROLE}endpoint_url = {{{{moto}}}}\nsts_regional_endpoints = legacy\n"
            ))
            .profile("app")
            .same(),
        case("endpoint/aws-sts-regional-endpoints-legacy-with-an-endpoint")
            .config(APP_ROLE)
            .creds("[base]\n{{keys:base}}\n")
            .env("AWS_STS_REGIONAL_ENDPOINTS", "legacy")
            .profile("app")
            .same(),
    ]
}

/// How the files are read: comments, continuation lines, a byte order
/// mark, several sso-sessions, `~` in AWS_CONFIG_FILE.
fn files() -> Vec<Case> {
    let two_sessions = "\
[sso-session first]
sso_start_url = https://first.example/start
sso_region = eu-west-1

[sso-session second]
sso_start_url = https://second.example/start
sso_region = eu-central-1

[profile corp-dev]
sso_session = second
sso_account_id = 222222222222
sso_role_name = Developer
region = eu-west-1
";
    vec![
        case("files/comment-lines")
            .config(
                "# leading comment\n[profile app]\n; a comment\nrole_arn = arn:aws:iam::111111111111:role/RoleA\n  # indented comment\nsource_profile = base\nregion = eu-west-1\n",
            )
            .creds("# keys\n[base]\n; here\n{{keys:base}}\n")
            .profile("app")
            .same(),
        case("files/hash-after-a-value")
            .config(
                "[profile app]\nrole_arn = arn:aws:iam::111111111111:role/RoleA\nsource_profile = base # the IAM user\nregion = eu-west-1\n",
            )
            .creds("[base]\n{{keys:base}}\n")
            .profile("app")
            .deliberate(
                "` # text` after a value is a comment, as the Rust SDK's parser (which stsenv uses) reads it; botocore keeps it in the value",
                |o| {
                    let mut p = Vec::new();
                    if !o.stsenv.ok {
                        p.push(format!("stsenv should use source_profile `base`: {}", o.stsenv.error));
                    }
                    if o.stsenv.call("AssumeRole").map(|c| c.signer.as_str()) != Some("user:base") {
                        p.push(format!("base's keys assume the role: {:?}", o.stsenv.lines()));
                    }
                    if o.botocore.ok {
                        p.push("premise: botocore looks for a profile named `base # the IAM user`".into());
                    }
                    p
                },
            ),
        case("files/continuation-line-of-an-unused-key")
            .config(&format!("{APP_ROLE}output = json\n  more\n"))
            .creds("[base]\n{{keys:base}}\n")
            .profile("app")
            .same(),
        case("files/continuation-line-of-the-session-name")
            .config(&format!("{APP_ROLE}role_session_name = first\n  second\n"))
            .creds("[base]\n{{keys:base}}\n")
            .profile("app")
            .deliberate(
                "a value STS refuses (a session name with a line break) is an error naming the profile before any call; botocore sends it",
                |o| {
                    let mut p = o.stsenv_fails_with(&["app", "role session name"]);
                    if !o.stsenv.trace.is_empty() {
                        p.push(format!("no STS call: {:?}", o.stsenv.lines()));
                    }
                    if o.botocore.call("AssumeRole").is_none() {
                        p.push(format!("premise: botocore sends it: {:?}", o.botocore.lines()));
                    }
                    p
                },
            ),
        // Neither reads such a file; stsenv says what to fix.
        case("files/byte-order-mark")
            .config(&format!("\u{feff}{APP_ROLE}"))
            .creds("[base]\n{{keys:base}}\n")
            .profile("app")
            .mentions(&["byte order mark", "config"])
            .same(),
        case("files/two-sso-sessions")
            .config(two_sessions)
            .sso_token("second", "https://second.example/start", "eu-central-1", 28_800)
            .profile("corp-dev")
            .same(),
        case("files/aws-config-file-with-tilde")
            .config("[profile app]\n{{keys:decoy}}\n")
            .file("home/alt/config", APP_ROLE)
            .creds("[base]\n{{keys:base}}\n")
            .env("AWS_CONFIG_FILE", "~/alt/config")
            .profile("app")
            .same(),
    ]
}

fn chains() -> Vec<Case> {
    vec![
        case("chain/role-from-keys-in-credentials-file")
            .config(
                "[profile app]\nrole_arn = arn:aws:iam::111111111111:role/RoleA\nsource_profile = base\nregion = eu-west-1\n",
            )
            .creds("[base]\n{{keys:base}}\n")
            .profile("app")
            .same(),
        case("chain/role-from-keys-in-config-file")
            .config(
                "[profile app]\nrole_arn = arn:aws:iam::111111111111:role/RoleA\nsource_profile = base\nregion = eu-west-1\n\n[profile base]\n{{keys:base}}\n",
            )
            .profile("app")
            .same(),
        case("chain/role-role-keys")
            .config(
                "\
[profile app]
role_arn = arn:aws:iam::111111111111:role/RoleA
source_profile = hop
region = eu-west-1

[profile hop]
role_arn = arn:aws:iam::222222222222:role/RoleB
source_profile = base
",
            )
            .creds("[base]\n{{keys:base}}\n")
            .profile("app")
            .same(),
        case("chain/four-hops")
            .config(
                "\
[profile app]
role_arn = arn:aws:iam::111111111111:role/RoleA
source_profile = hop1
region = eu-west-1

[profile hop1]
role_arn = arn:aws:iam::222222222222:role/RoleB
source_profile = hop2

[profile hop2]
role_arn = arn:aws:iam::333333333333:role/RoleC
source_profile = base
",
            )
            .creds("[base]\n{{keys:base}}\n")
            .profile("app")
            .same(),
        // The SDKs stop at a source profile's static keys, even when it has
        // its own role_arn: one AssumeRole(RoleA) signed by mid's keys.
        case("chain/source-with-keys-and-role-stops-at-keys")
            .config(
                "\
[profile app]
role_arn = arn:aws:iam::111111111111:role/RoleA
source_profile = mid
region = eu-west-1

[profile mid]
role_arn = arn:aws:iam::222222222222:role/RoleB
source_profile = base
",
            )
            .creds("[mid]\n{{keys:mid}}\n\n[base]\n{{keys:base}}\n")
            .profile("app")
            .same(),
        case("chain/source-with-keys-and-role-dangling-source")
            .config(
                "\
[profile app]
role_arn = arn:aws:iam::111111111111:role/RoleA
source_profile = mid
region = eu-west-1

[profile mid]
role_arn = arn:aws:iam::222222222222:role/RoleB
source_profile = nowhere
",
            )
            .creds("[mid]\n{{keys:mid}}\n")
            .profile("app")
            .same(),
        case("chain/source-with-config-keys-and-role-stops-at-keys")
            .config(
                "\
[profile app]
role_arn = arn:aws:iam::111111111111:role/RoleA
source_profile = mid
region = eu-west-1

[profile mid]
{{keys:mid}}
role_arn = arn:aws:iam::222222222222:role/RoleB
source_profile = base
",
            )
            .creds("[base]\n{{keys:base}}\n")
            .profile("app")
            .same(),
        // The profile you name prefers its own role_arn over its keys.
        case("chain/named-profile-prefers-role-over-its-keys")
            .config(
                "[profile mid]\nrole_arn = arn:aws:iam::222222222222:role/RoleB\nsource_profile = base\nregion = eu-west-1\n",
            )
            .creds("[mid]\n{{keys:mid}}\n\n[base]\n{{keys:base}}\n")
            .profile("mid")
            .same(),
        case("chain/role-sourcing-itself-uses-its-keys")
            .config(
                "[profile app]\nrole_arn = arn:aws:iam::111111111111:role/RoleA\nsource_profile = app\nregion = eu-west-1\n",
            )
            .creds("[app]\n{{keys:app}}\n")
            .profile("app")
            .same(),
        case("chain/source-sourcing-itself-stops-at-its-keys")
            .config(
                "\
[profile app]
role_arn = arn:aws:iam::111111111111:role/RoleA
source_profile = mid
region = eu-west-1

[profile mid]
role_arn = arn:aws:iam::222222222222:role/RoleB
source_profile = mid
",
            )
            .creds("[mid]\n{{keys:mid}}\n")
            .profile("app")
            .same(),
        case("chain/self-source-without-keys-fails")
            .config(
                "[profile loopy]\nrole_arn = arn:aws:iam::111111111111:role/RoleA\nsource_profile = loopy\nregion = eu-west-1\n",
            )
            .profile("loopy")
            .mentions(&["loopy"])
            .same(),
        case("chain/cycle-of-two-fails")
            .config(
                "\
[profile ping]
role_arn = arn:aws:iam::111111111111:role/RoleA
source_profile = pong

[profile pong]
role_arn = arn:aws:iam::222222222222:role/RoleB
source_profile = ping
",
            )
            .profile("ping")
            .mentions(&["ping", "pong"])
            .same(),
        case("chain/cycle-of-three-fails")
            .config(
                "\
[profile one]
role_arn = arn:aws:iam::111111111111:role/RoleA
source_profile = two

[profile two]
role_arn = arn:aws:iam::222222222222:role/RoleB
source_profile = three

[profile three]
role_arn = arn:aws:iam::333333333333:role/RoleC
source_profile = one
",
            )
            .profile("one")
            .same(),
        case("chain/dangling-source-fails")
            .config(
                "[profile app]\nrole_arn = arn:aws:iam::111111111111:role/RoleA\nsource_profile = missing-base\n",
            )
            .profile("app")
            .mentions(&["missing-base"])
            .same(),
        case("chain/source-profile-and-credential-source-fails")
            .config(
                "[profile both]\nrole_arn = arn:aws:iam::111111111111:role/RoleA\nsource_profile = base\ncredential_source = Environment\n",
            )
            .creds("[base]\n{{keys:base}}\n")
            .profile("both")
            .mentions(&["both"])
            .same(),
        case("chain/role-without-source-fails")
            .config("[profile lonely]\nrole_arn = arn:aws:iam::111111111111:role/RoleA\n")
            .profile("lonely")
            .mentions(&["lonely"])
            .same(),
        case("chain/source-with-only-an-access-key-id-fails")
            .config(
                "[profile app]\nrole_arn = arn:aws:iam::111111111111:role/RoleA\nsource_profile = half\n",
            )
            .creds("[half]\naws_access_key_id = {{id:half}}\n")
            .profile("app")
            .same(),
        case("chain/source-without-credentials-fails")
            .config(
                "[profile app]\nrole_arn = arn:aws:iam::111111111111:role/RoleA\nsource_profile = empty\n\n[profile empty]\nregion = eu-west-1\n",
            )
            .profile("app")
            .mentions(&["empty"])
            .same(),
        case("chain/session-name-and-external-id")
            .config(
                "\
[profile app]
role_arn = arn:aws:iam::111111111111:role/RoleA
source_profile = base
role_session_name = alice-session
external_id = ext-123
region = eu-west-1
",
            )
            .creds("[base]\n{{keys:base}}\n")
            .profile("app")
            .same(),
        case("chain/duration-seconds")
            .config(
                "[profile app]\nrole_arn = arn:aws:iam::111111111111:role/RoleA\nsource_profile = base\nduration_seconds = 1800\nregion = eu-west-1\n",
            )
            .creds("[base]\n{{keys:base}}\n")
            .profile("app")
            .same(),
        case("chain/source-keys-with-session-token")
            .config(
                "[profile app]\nrole_arn = arn:aws:iam::111111111111:role/RoleA\nsource_profile = base\nregion = eu-west-1\n",
            )
            .creds("[base]\n{{keys:base}}\naws_session_token = tok-base\n")
            .profile("app")
            .same(),
        case("chain/role-arn-in-credentials-file")
            .creds(
                "[app]\nrole_arn = arn:aws:iam::111111111111:role/RoleA\nsource_profile = base\n\n[base]\n{{keys:base}}\n",
            )
            .profile("app")
            .same(),
        case("chain/static-keys-only")
            .creds("[base]\n{{keys:base}}\n")
            .profile("base")
            .same(),
    ]
}

/// stsenv's documented differences on roles.
fn deliberate_roles() -> Vec<Case> {
    vec![
        case("deliberate/mfa-on-role-opens-an-mfa-session")
            .config(&format!(
                "[profile app]\nrole_arn = {ROLE_A}\nsource_profile = base\nmfa_serial = {MFA}\nregion = eu-west-1\n"
            ))
            .creds("[base]\n{{keys:base}}\n")
            .profile("app")
            .mfa("123456")
            .deliberate(
                "mfa_serial on a role becomes GetSessionToken + AssumeRole: one MFA code per session, not per role or per hour",
                |o| {
                    let mut p = o.same_identity();
                    p.extend(stsenv_used_mfa_session(o, "user:base"));
                    let premise = o.botocore.call("AssumeRole");
                    if premise.and_then(|c| c.params.get("SerialNumber")).map(String::as_str) != Some(MFA) {
                        p.push(format!("premise: botocore passes the MFA to AssumeRole: {:?}", o.botocore.lines()));
                    }
                    p
                },
            ),
        case("deliberate/mfa-on-source-profile-opens-an-mfa-session")
            .config(&format!(
                "[profile app]\nrole_arn = {ROLE_A}\nsource_profile = base\nregion = eu-west-1\n\n[profile base]\nmfa_serial = {MFA}\n"
            ))
            .creds("[base]\n{{keys:base}}\n")
            .profile("app")
            .mfa("123456")
            .deliberate(
                "an mfa_serial on the source profile applies to the roles it assumes (botocore reads it only on the role)",
                |o| {
                    let mut p = o.same_identity();
                    p.extend(stsenv_used_mfa_session(o, "user:base"));
                    p
                },
            ),
        case("deliberate/mfa-on-static-profile-gets-a-session-token")
            .config(&format!("[profile base]\nmfa_serial = {MFA}\nregion = eu-west-1\n"))
            .creds("[base]\n{{keys:base}}\n")
            .profile("base")
            .mfa("123456")
            .deliberate(
                "static keys with mfa_serial give an MFA session (GetSessionToken); botocore uses the bare keys",
                |o| {
                    let mut p = Vec::new();
                    let s = &o.stsenv;
                    if s.actions() != ["GetSessionToken", "GetCallerIdentity"] {
                        p.push(format!("stsenv should call GetSessionToken first: {:?}", s.lines()));
                    } else {
                        let gst = &s.trace[0];
                        if gst.signer != "user:base" || gst.params.get("SerialNumber").map(String::as_str) != Some(MFA) {
                            p.push(format!("GetSessionToken: {}", gst.line()));
                        }
                        if s.trace[1].signer != "get-session-token-keys" {
                            p.push(format!("the session's keys sign afterwards: {}", s.trace[1].line()));
                        }
                    }
                    if o.botocore.call("GetCallerIdentity").map(|c| c.signer.as_str()) != Some("user:base") {
                        p.push(format!("premise: botocore signs with the keys: {:?}", o.botocore.lines()));
                    }
                    p
                },
            ),
        case("deliberate/chained-role-duration-clamped")
            .config(
                "\
[profile app]
role_arn = arn:aws:iam::111111111111:role/RoleA
source_profile = hop
duration_seconds = 7200
region = eu-west-1

[profile hop]
role_arn = arn:aws:iam::222222222222:role/RoleB
source_profile = base
",
            )
            .creds("[base]\n{{keys:base}}\n")
            .profile("app")
            .deliberate(
                "a chained role's duration is clamped to STS's 1 h limit with a warning, instead of failing at STS",
                |o| {
                    let mut p = o.same_identity();
                    let role_a = |side: &super::harness::Side| {
                        side.trace
                            .iter()
                            .find(|c| c.action == "AssumeRole" && c.params.get("RoleArn").map(String::as_str) == Some(ROLE_A))
                            .cloned()
                    };
                    match role_a(&o.stsenv) {
                        Some(call) if call.params.contains_key("DurationSeconds") => {
                            p.push(format!("stsenv should ask for 3600 s: {}", call.line()))
                        }
                        Some(_) => {}
                        None => p.push(format!("stsenv never assumed RoleA: {:?}", o.stsenv.lines())),
                    }
                    let warned = ["warning", "app", "7200", "3600"].iter().all(|w| o.stsenv_stderr.contains(w));
                    if !warned {
                        p.push(format!("stsenv should warn about the clamp: {:?}", o.stsenv_stderr));
                    }
                    if role_a(&o.botocore).and_then(|c| c.params.get("DurationSeconds").cloned()).as_deref() != Some("7200") {
                        p.push(format!("premise: botocore sends 7200: {:?}", o.botocore.lines()));
                    }
                    p
                },
            ),
        case("deliberate/bad-duration-seconds-is-an-error")
            .config(
                "[profile app]\nrole_arn = arn:aws:iam::111111111111:role/RoleA\nsource_profile = base\nduration_seconds = one-hour\nregion = eu-west-1\n",
            )
            .creds("[base]\n{{keys:base}}\n")
            .profile("app")
            .deliberate(
                "a duration_seconds that is not a number is an error; botocore silently drops it",
                |o| {
                    let mut p = o.stsenv_fails_with(&["app", "duration_seconds"]);
                    if !o.stsenv.trace.is_empty() {
                        p.push(format!("no STS call before the error: {:?}", o.stsenv.lines()));
                    }
                    if !o.botocore.ok {
                        p.push(format!("premise: botocore ignores it: {}", o.botocore.error));
                    }
                    p
                },
            ),
        case("deliberate/source-identity-is-sent")
            .config(
                "[profile app]\nrole_arn = arn:aws:iam::111111111111:role/RoleA\nsource_profile = base\nsource_identity = alice\nregion = eu-west-1\n",
            )
            .creds("[base]\n{{keys:base}}\n")
            .profile("app")
            .deliberate(
                "source_identity is sent with AssumeRole; botocore ignores the key",
                |o| {
                    let mut p = o.same_identity();
                    let sent = |side: &super::harness::Side| {
                        side.call("AssumeRole").and_then(|c| c.params.get("SourceIdentity").cloned())
                    };
                    if sent(&o.stsenv).as_deref() != Some("alice") {
                        p.push(format!("stsenv should send SourceIdentity=alice: {:?}", o.stsenv.lines()));
                    }
                    if sent(&o.botocore).is_some() {
                        p.push("premise: botocore sends no SourceIdentity".to_string());
                    }
                    p
                },
            ),
    ]
}

/// stsenv's MFA session: GetSessionToken (MFA) signed by `user`, then
/// AssumeRole without MFA signed by the session, then the identity call.
fn stsenv_used_mfa_session(o: &Observed, user: &str) -> Vec<String> {
    let s = &o.stsenv;
    if s.actions() != ["GetSessionToken", "AssumeRole", "GetCallerIdentity"] {
        return vec![format!(
            "stsenv should call GetSessionToken, then AssumeRole: {:?}",
            s.lines()
        )];
    }
    let mut p = Vec::new();
    let (gst, role) = (&s.trace[0], &s.trace[1]);
    if gst.signer != user
        || gst.params.get("SerialNumber").map(String::as_str) != Some(MFA)
        || gst.params.get("TokenCode").map(String::as_str) != Some("123456")
    {
        p.push(format!("GetSessionToken: {}", gst.line()));
    }
    if role.signer != "get-session-token-keys"
        || role.params.contains_key("SerialNumber")
        || role.params.contains_key("TokenCode")
    {
        p.push(format!(
            "AssumeRole with the MFA session, no code: {}",
            role.line()
        ));
    }
    p
}

/// The user whose keys signed the identity call.
fn identity_signer(side: &super::harness::Side) -> Option<&str> {
    side.call("GetCallerIdentity").map(|c| c.signer.as_str())
}

fn precedence() -> Vec<Case> {
    vec![
        case("keys/credentials-file")
            .creds("[kp]\n{{keys:kp}}\n")
            .profile("kp")
            .same(),
        case("keys/config-file")
            .config("[profile kp]\n{{keys:kp}}\n")
            .profile("kp")
            .same(),
        case("keys/profile-in-both-files-credentials-file-wins")
            .config("[profile kp]\n{{keys:inconfig}}\n")
            .creds("[kp]\n{{keys:increds}}\n")
            .profile("kp")
            .same(),
        case("keys/session-token-sent")
            .creds("[kp]\n{{keys:kp}}\naws_session_token = tok-static\n")
            .profile("kp")
            .same(),
        case("keys/split-id-in-config-secret-in-credentials")
            .config("[profile kp]\naws_access_key_id = {{id:kp}}\n")
            .creds("[kp]\naws_secret_access_key = {{secret:kp}}\n")
            .profile("kp")
            .deliberate(
                SPLIT_KEYS_REASON,
                split_keys_merged,
            ),
        case("keys/split-id-in-credentials-secret-in-config")
            .config("[profile kp]\naws_secret_access_key = {{secret:kp}}\n")
            .creds("[kp]\naws_access_key_id = {{id:kp}}\n")
            .profile("kp")
            .deliberate(
                SPLIT_KEYS_REASON,
                split_keys_merged,
            ),
        // Keys in the credentials file beat credential_process (botocore,
        // AWS CLI v1/v2, the Rust SDK for source profiles).
        case("keys/credentials-file-keys-beat-process")
            .config("[profile kp]\ncredential_process = {{dir}}/proc.sh\n")
            .creds("[kp]\n{{keys:kp}}\n")
            .file("proc.sh", &process_keys(""))
            .profile("kp")
            .same(),
        case("keys/credentials-file-keys-beat-process-in-source")
            .config(
                "[profile app]\nrole_arn = arn:aws:iam::111111111111:role/RoleA\nsource_profile = kp\nregion = eu-west-1\n\n[profile kp]\ncredential_process = {{dir}}/proc.sh\n",
            )
            .creds("[kp]\n{{keys:kp}}\n")
            .file("proc.sh", &process_keys(""))
            .profile("app")
            .same(),
        // In botocore, credential_process comes before keys of the config file.
        case("keys/process-beats-config-file-keys")
            .config("[profile kp]\n{{keys:kp}}\ncredential_process = {{dir}}/proc.sh\n")
            .file("proc.sh", &process_keys(""))
            .profile("kp")
            .same(),
        case("keys/process-beats-config-file-keys-in-source")
            .config(
                "[profile app]\nrole_arn = arn:aws:iam::111111111111:role/RoleA\nsource_profile = kp\nregion = eu-west-1\n\n[profile kp]\n{{keys:kp}}\ncredential_process = {{dir}}/proc.sh\n",
            )
            .file("proc.sh", &process_keys(""))
            .profile("app")
            .same(),
        case("keys/profile-prefix-in-credentials-file-is-not-the-profile")
            .creds("[profile kp]\n{{keys:kp}}\n")
            .profile("kp")
            .same(),
        case("keys/unprefixed-section-in-config-is-not-a-profile")
            .config("[kp]\n{{keys:kp}}\n")
            .profile("kp")
            .same(),
        case("keys/default-then-profile-default")
            .config("[default]\n{{keys:plain}}\n\n[profile default]\n{{keys:prefixed}}\n")
            .same(),
        case("keys/profile-default-then-default")
            .config("[profile default]\n{{keys:prefixed}}\n\n[default]\n{{keys:plain}}\n")
            .deliberate(
                "[profile default] wins over [default] in either order, as in the Rust SDK, whose parser stsenv uses; botocore takes whichever section comes last",
                |o| {
                    let mut p = Vec::new();
                    if identity_signer(&o.stsenv) != Some("user:prefixed") {
                        p.push(format!("stsenv should use [profile default]: {:?}", o.stsenv.lines()));
                    }
                    if identity_signer(&o.botocore) != Some("user:plain") {
                        p.push(format!("premise: botocore uses [default]: {:?}", o.botocore.lines()));
                    }
                    p
                },
            ),
        case("keys/default-from-credentials-file")
            .creds("[default]\n{{keys:dflt}}\n")
            .same(),
    ]
}

const SPLIT_KEYS_REASON: &str = "a profile in both files is merged key by key (the credentials file wins a key in both), as in the Rust SDK, whose parser stsenv uses; botocore reads the keys of each file separately and fails";

fn split_keys_merged(o: &Observed) -> Vec<String> {
    let mut p = Vec::new();
    if identity_signer(&o.stsenv) != Some("user:kp") || !o.stsenv.ok {
        p.push(format!(
            "stsenv should sign with the merged keys: {:?} {}",
            o.stsenv.lines(),
            o.stsenv.error.trim()
        ));
    }
    if o.botocore.ok {
        p.push("premise: botocore fails on split keys".to_string());
    }
    p
}

fn selection() -> Vec<Case> {
    vec![
        case("select/aws-profile")
            .creds("[kp]\n{{keys:kp}}\n\n[default]\n{{keys:dflt}}\n")
            .env("AWS_PROFILE", "kp")
            .same(),
        case("select/argument-beats-aws-profile")
            .creds("[kp]\n{{keys:kp}}\n\n[other]\n{{keys:other}}\n")
            .env("AWS_PROFILE", "other")
            .profile("kp")
            .same(),
        case("select/aws-profile-missing-fails")
            .creds("[default]\n{{keys:dflt}}\n")
            .env("AWS_PROFILE", "ghost-profile")
            .mentions(&["ghost-profile"])
            .same(),
        case("select/named-profile-missing-fails")
            .creds("[default]\n{{keys:dflt}}\n")
            .profile("ghost-profile")
            .mentions(&["ghost-profile"])
            .same(),
        case("select/aws-config-file")
            .config("[profile kp]\n{{keys:decoy}}\n")
            .file("alt/config", "[profile kp]\n{{keys:kp}}\n")
            .env("AWS_CONFIG_FILE", "{{dir}}/alt/config")
            .profile("kp")
            .same(),
        case("select/aws-shared-credentials-file")
            .creds("[kp]\n{{keys:decoy}}\n")
            .file("alt/credentials", "[kp]\n{{keys:kp}}\n")
            .env("AWS_SHARED_CREDENTIALS_FILE", "{{dir}}/alt/credentials")
            .profile("kp")
            .same(),
        case("select/tilde-in-credentials-file-path")
            .creds("[kp]\n{{keys:decoy}}\n")
            .file("home/alt/credentials", "[kp]\n{{keys:kp}}\n")
            .env("AWS_SHARED_CREDENTIALS_FILE", "~/alt/credentials")
            .profile("kp")
            .same(),
        case("select/default-file-locations")
            .config("[profile app]\nrole_arn = arn:aws:iam::111111111111:role/RoleA\nsource_profile = kp\n")
            .creds("[kp]\n{{keys:kp}}\n")
            .unset("AWS_CONFIG_FILE")
            .unset("AWS_SHARED_CREDENTIALS_FILE")
            .profile("app")
            .same(),
        case("select/missing-config-file-is-fine")
            .creds("[kp]\n{{keys:kp}}\n")
            .env("AWS_CONFIG_FILE", "{{dir}}/no/such/config")
            .profile("kp")
            .same(),
        case("select/environment-keys-beat-the-default-profile")
            .creds("[default]\n{{keys:dflt}}\n")
            .env("AWS_ACCESS_KEY_ID", "{{id:envuser}}")
            .env("AWS_SECRET_ACCESS_KEY", "{{secret:envuser}}")
            .same(),
        case("select/environment-keys-beat-aws-profile")
            .creds("[kp]\n{{keys:kp}}\n")
            .env("AWS_PROFILE", "kp")
            .env("AWS_ACCESS_KEY_ID", "{{id:envuser}}")
            .env("AWS_SECRET_ACCESS_KEY", "{{secret:envuser}}")
            .same(),
        case("select/named-profile-beats-environment-keys")
            .creds("[kp]\n{{keys:kp}}\n")
            .env("AWS_ACCESS_KEY_ID", "{{id:envuser}}")
            .env("AWS_SECRET_ACCESS_KEY", "{{secret:envuser}}")
            .profile("kp")
            .same(),
        case("select/nothing-configured-fails").same(),
        case("select/aws-default-profile-is-not-read")
            .creds("[kp]\n{{keys:kp}}\n\n[default]\n{{keys:dflt}}\n")
            .env("AWS_DEFAULT_PROFILE", "kp")
            .deliberate(
                "AWS_DEFAULT_PROFILE is botocore's legacy name; like the other SDKs stsenv reads AWS_PROFILE only (and `env` removes AWS_DEFAULT_PROFILE)",
                |o| {
                    let mut p = Vec::new();
                    if identity_signer(&o.stsenv) != Some("user:dflt") {
                        p.push(format!("stsenv should use `default`: {:?}", o.stsenv.lines()));
                    }
                    if identity_signer(&o.botocore) != Some("user:kp") {
                        p.push(format!("premise: botocore reads AWS_DEFAULT_PROFILE: {:?}", o.botocore.lines()));
                    }
                    p
                },
            ),
        case("select/garbage-line-in-config-fails")
            .config("[profile kp]\nthis line is not a key\n")
            .creds("[kp]\n{{keys:kp}}\n")
            .profile("kp")
            .same(),
    ]
}

const ENV_ROLE: &str = "\
[profile envrole]
role_arn = arn:aws:iam::111111111111:role/RoleA
credential_source = Environment
region = eu-west-1
";

fn environment() -> Vec<Case> {
    let with_keys = |name: &'static str| {
        case(name)
            .config(ENV_ROLE)
            .profile("envrole")
            .env("AWS_ACCESS_KEY_ID", "{{id:envuser}}")
            .env("AWS_SECRET_ACCESS_KEY", "{{secret:envuser}}")
    };
    vec![
        with_keys("env/credential-source-environment").same(),
        with_keys("env/session-token").env("AWS_SESSION_TOKEN", "tok-env").same(),
        // AWS_SECURITY_TOKEN is the legacy name of AWS_SESSION_TOKEN.
        with_keys("env/legacy-security-token")
            .env("AWS_SECURITY_TOKEN", "tok-legacy")
            .same(),
        with_keys("env/expired-credential-expiration-fails")
            .env("AWS_SESSION_TOKEN", "tok-env")
            .env("AWS_CREDENTIAL_EXPIRATION", "{{in:-600}}")
            .same(),
        case("env/blank-keys-are-missing")
            .config(ENV_ROLE)
            .profile("envrole")
            .env("AWS_ACCESS_KEY_ID", " ")
            .env("AWS_SECRET_ACCESS_KEY", " ")
            .deliberate(
                "blank AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY count as missing (Rust and Java SDKs); botocore signs with \" \" and only real STS refuses it",
                |o| {
                    let mut p = o.stsenv_fails_with(&["envrole", "AWS_ACCESS_KEY_ID"]);
                    if !o.stsenv.trace.is_empty() {
                        p.push(format!("no STS call with blank keys: {:?}", o.stsenv.lines()));
                    }
                    if o.botocore.call("AssumeRole").map(|c| c.signer.as_str()) != Some("key:\" \"") {
                        p.push(format!("premise: botocore signs with \" \": {:?}", o.botocore.lines()));
                    }
                    p
                },
            ),
        case("env/missing-keys-fail")
            .config(ENV_ROLE)
            .profile("envrole")
            .mentions(&["envrole"])
            .same(),
        case("env/missing-secret-fails")
            .config(ENV_ROLE)
            .profile("envrole")
            .env("AWS_ACCESS_KEY_ID", "{{id:envuser}}")
            .same(),
        case("env/empty-secret-fails")
            .config(ENV_ROLE)
            .profile("envrole")
            .env("AWS_ACCESS_KEY_ID", "{{id:envuser}}")
            .env("AWS_SECRET_ACCESS_KEY", "")
            .same(),
        // botocore checks the name case-sensitively (the Rust SDK does not).
        case("env/credential-source-name-is-case-sensitive")
            .config(
                "[profile envrole]\nrole_arn = arn:aws:iam::111111111111:role/RoleA\ncredential_source = environment\nregion = eu-west-1\n",
            )
            .profile("envrole")
            .env("AWS_ACCESS_KEY_ID", "{{id:envuser}}")
            .env("AWS_SECRET_ACCESS_KEY", "{{secret:envuser}}")
            .same(),
        case("env/unknown-credential-source-fails")
            .config(
                "[profile envrole]\nrole_arn = arn:aws:iam::111111111111:role/RoleA\ncredential_source = Bogus\n",
            )
            .profile("envrole")
            .env("AWS_ACCESS_KEY_ID", "{{id:envuser}}")
            .env("AWS_SECRET_ACCESS_KEY", "{{secret:envuser}}")
            .mentions(&["envrole", "Bogus"])
            .same(),
    ]
}

fn process() -> Vec<Case> {
    let with = |name: &'static str, script: String| {
        case(name)
            .config("[profile proc]\ncredential_process = {{dir}}/proc.sh\nregion = eu-west-1\n")
            .file("proc.sh", &script)
            .profile("proc")
    };
    vec![
        with("process/keys", process_keys("")).same(),
        with(
            "process/temporary-keys",
            process_keys(r#", "SessionToken": "tok-proc", "Expiration": "{{in:3600}}""#),
        )
        .same(),
        with(
            "process/expired-fails",
            process_keys(r#", "SessionToken": "tok-proc", "Expiration": "{{in:-600}}""#),
        )
        .same(),
        // botocore runs it again inside its 10-minute window and uses it.
        with(
            "process/expiring-soon-is-used",
            process_keys(r#", "SessionToken": "tok-proc", "Expiration": "{{in:300}}""#),
        )
        .same(),
        with("process/bad-json-fails", script("{not json")).same(),
        with(
            "process/non-zero-exit-fails",
            "#!/bin/sh\necho 'cannot get keys' >&2\nexit 3\n".to_string(),
        )
        .same(),
        with(
            "process/version-2-fails",
            script(r#"{"Version": 2, "AccessKeyId": "{{id:p}}", "SecretAccessKey": "{{secret:p}}"}"#),
        )
        .same(),
        with(
            "process/missing-secret-fails",
            script(r#"{"Version": 1, "AccessKeyId": "{{id:p}}"}"#),
        )
        .same(),
        case("process/as-source-profile")
            .config(
                "[profile app]\nrole_arn = arn:aws:iam::111111111111:role/RoleA\nsource_profile = proc\nregion = eu-west-1\n\n[profile proc]\ncredential_process = {{dir}}/proc.sh\n",
            )
            .file("proc.sh", &process_keys(""))
            .profile("app")
            .same(),
        case("process/quoted-path-with-space-and-argument")
            .config(
                "[profile proc]\ncredential_process = \"{{dir}}/my tools/proc.sh\" --profile \"a b\"\nregion = eu-west-1\n",
            )
            .file("my tools/proc.sh", &process_keys(""))
            .profile("proc")
            .same(),
        case("process/command-not-found-fails")
            .config("[profile proc]\ncredential_process = {{dir}}/nothing-here.sh\n")
            .profile("proc")
            .same(),
    ]
}

const ROLE_EU: &str = "\
[profile app]
role_arn = arn:aws:iam::111111111111:role/RoleA
source_profile = base
region = eu-west-1
";

fn region() -> Vec<Case> {
    let role = |name: &'static str| {
        case(name)
            .config(ROLE_EU)
            .creds("[base]\n{{keys:base}}\n")
            .profile("app")
    };
    vec![
        role("region/profile").same(),
        role("region/aws-default-region-beats-profile")
            .env("AWS_DEFAULT_REGION", "us-west-2")
            .same(),
        role("region/aws-region-beats-aws-default-region")
            .env("AWS_REGION", "ap-south-1")
            .env("AWS_DEFAULT_REGION", "us-west-2")
            .deliberate(AWS_REGION_REASON, aws_region_first),
        role("region/aws-region-beats-profile")
            .env("AWS_REGION", "ap-south-1")
            .deliberate(AWS_REGION_REASON, aws_region_first),
        role("region/flag-beats-environment")
            .env("AWS_DEFAULT_REGION", "us-west-2")
            .region_flag("ca-central-1")
            .same(),
        role("region/replaces-a-region-stsenv-exported")
            .env("AWS_REGION", "us-west-2")
            .env("AWS_DEFAULT_REGION", "us-west-2")
            .env("STSENV_PROFILE", "previous")
            .env("STSENV_VARS", "AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION AWS_DEFAULT_REGION STSENV_PROFILE")
            .deliberate(
                "a region stsenv itself exported for an earlier session (listed in STSENV_VARS) is replaced by the new profile's, so switching profiles moves regions",
                |o| {
                    let mut p = o.same_identity();
                    p.extend(region_everywhere(o, "eu-west-1"));
                    if o.child_env.get("AWS_DEFAULT_REGION").map(String::as_str) != Some("eu-west-1") {
                        p.push(format!("AWS_DEFAULT_REGION in the child: {:?}", o.child_env.get("AWS_DEFAULT_REGION")));
                    }
                    if o.botocore.region.as_deref() != Some("us-west-2") {
                        p.push(format!("premise: botocore keeps us-west-2: {:?}", o.botocore.region));
                    }
                    p
                },
            ),
        case("region/none-anywhere")
            .config("[profile app]\nrole_arn = arn:aws:iam::111111111111:role/RoleA\nsource_profile = base\n")
            .creds("[base]\n{{keys:base}}\n")
            .profile("app")
            .same(),
        case("region/not-inherited-from-source-profile")
            .config(
                "[profile app]\nrole_arn = arn:aws:iam::111111111111:role/RoleA\nsource_profile = base\n\n[profile base]\nregion = sa-east-1\n",
            )
            .creds("[base]\n{{keys:base}}\n")
            .profile("app")
            .same(),
        case("region/not-inherited-from-default")
            .config(
                "[default]\nregion = eu-central-1\n\n[profile app]\nrole_arn = arn:aws:iam::111111111111:role/RoleA\nsource_profile = base\n",
            )
            .creds("[base]\n{{keys:base}}\n")
            .profile("app")
            .same(),
        case("region/aws-default-region-only")
            .config("[profile app]\nrole_arn = arn:aws:iam::111111111111:role/RoleA\nsource_profile = base\n")
            .creds("[base]\n{{keys:base}}\n")
            .env("AWS_DEFAULT_REGION", "us-west-2")
            .profile("app")
            .same(),
        case("region/in-credentials-file")
            .creds("[kp]\n{{keys:kp}}\nregion = eu-north-1\n")
            .profile("kp")
            .same(),
    ]
}

const AWS_REGION_REASON: &str = "AWS_REGION comes first, as in AWS CLI v2 and the other SDKs; botocore (AWS CLI v1) reads only AWS_DEFAULT_REGION";

fn aws_region_first(o: &Observed) -> Vec<String> {
    let mut p = o.same_identity();
    p.extend(region_everywhere(o, "ap-south-1"));
    if o.botocore.region.as_deref() == Some("ap-south-1") {
        p.push("premise: botocore ignores AWS_REGION".to_string());
    }
    p
}

/// Every STS call stsenv made was signed in `region`, and the child gets it.
fn region_everywhere(o: &Observed, region: &str) -> Vec<String> {
    let mut p = Vec::new();
    if o.stsenv.trace.iter().any(|c| c.region != region) {
        p.push(format!(
            "stsenv should sign in {region}: {:?}",
            o.stsenv.lines()
        ));
    }
    if o.stsenv.region.as_deref() != Some(region) {
        p.push(format!(
            "the child should get {region}, got {:?}",
            o.stsenv.region
        ));
    }
    p
}

fn sso() -> Vec<Case> {
    let profile = "\
[profile corp-dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Developer
region = eu-west-1
";
    let session = || format!("{SSO_SESSION}\n{profile}");
    let token = |c: Case| c.sso_token("corp", "https://corp.example/start", "eu-west-1", 28_800);
    vec![
        token(case("sso/sso-session").config(&session()).profile("corp-dev")).same(),
        case("sso/legacy-keys")
            .config(
                "\
[profile corp-dev]
sso_start_url = https://legacy.example/start
sso_region = eu-west-1
sso_account_id = 111111111111
sso_role_name = Developer
region = eu-west-1
",
            )
            .sso_token("https://legacy.example/start", "https://legacy.example/start", "eu-west-1", 28_800)
            .profile("corp-dev")
            .same(),
        token(
            case("sso/start-url-inconsistent-with-session-fails")
                .config(&format!("{}sso_start_url = https://other.example/start\n", session()))
                .profile("corp-dev")
                .mentions(&["corp-dev", "sso_start_url"]),
        )
        .same(),
        token(
            case("sso/region-inconsistent-with-session-fails")
                .config(&format!("{}sso_region = us-east-2\n", session()))
                .profile("corp-dev")
                .mentions(&["corp-dev", "sso_region"]),
        )
        .same(),
        token(
            case("sso/same-values-in-profile-and-session")
                .config(&format!(
                    "{}sso_start_url = https://corp.example/start\nsso_region = eu-west-1\n",
                    session()
                ))
                .profile("corp-dev"),
        )
        .same(),
        case("sso/missing-session-section-fails")
            .config(profile)
            .profile("corp-dev")
            .mentions(&["corp"])
            .same(),
        case("sso/no-token-fails")
            .config(&session())
            .profile("corp-dev")
            .same(),
        case("sso/expired-token-fails")
            .config(&session())
            .sso_token("corp", "https://corp.example/start", "eu-west-1", -600)
            .profile("corp-dev")
            .same(),
        token(
            case("sso/role-from-sso-profile")
                .config(&format!(
                    "{}\n[profile ops]\nrole_arn = {ROLE_B}\nsource_profile = corp-dev\nregion = eu-west-1\n",
                    session()
                ))
                .profile("ops"),
        )
        .same(),
        token(
            case("sso/missing-role-name-fails")
                .config(&format!(
                    "{SSO_SESSION}\n[profile corp-dev]\nsso_session = corp\nsso_account_id = 111111111111\n"
                ))
                .profile("corp-dev"),
        )
        .same(),
    ]
}

const IMDS_ROLE: &str = "\
[profile ec2]
role_arn = arn:aws:iam::111111111111:role/RoleA
credential_source = Ec2InstanceMetadata
region = eu-west-1
";

fn imds() -> Vec<Case> {
    let on = |name: &'static str| {
        case(name)
            .config(IMDS_ROLE)
            .profile("ec2")
            .imds_role("instance")
            .unset("AWS_EC2_METADATA_DISABLED")
            .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", "{{imds}}")
    };
    vec![
        on("imds/credential-source").same(),
        case("imds/endpoint-in-profile")
            .config(&format!("{IMDS_ROLE}ec2_metadata_service_endpoint = {{{{imds}}}}\n"))
            .profile("ec2")
            .imds_role("instance")
            .unset("AWS_EC2_METADATA_DISABLED")
            .same(),
        case("imds/environment-endpoint-beats-profile")
            .config(&format!("{IMDS_ROLE}ec2_metadata_service_endpoint = http://127.0.0.1:9/\n"))
            .profile("ec2")
            .imds_role("instance")
            .unset("AWS_EC2_METADATA_DISABLED")
            .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", "{{imds}}")
            .same(),
        on("imds/disabled-fails-without-asking")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .mentions(&["ec2", "AWS_EC2_METADATA_DISABLED"])
            .same(),
        on("imds/disabled-is-case-insensitive")
            .env("AWS_EC2_METADATA_DISABLED", "TRUE")
            .mentions(&["ec2", "AWS_EC2_METADATA_DISABLED"])
            .same(),
        case("imds/instance-without-role-fails")
            .config(IMDS_ROLE)
            .profile("ec2")
            .mentions(&["ec2"])
            .unset("AWS_EC2_METADATA_DISABLED")
            .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", "{{imds}}")
            .same(),
        case("imds/as-source-of-a-role")
            .config(&format!(
                "[profile app]\nrole_arn = {ROLE_B}\nsource_profile = ec2\nregion = eu-west-1\n\n{IMDS_ROLE}"
            ))
            .profile("app")
            .imds_role("instance")
            .unset("AWS_EC2_METADATA_DISABLED")
            .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", "{{imds}}")
            .same(),
        case("imds/not-asked-for-a-profile-without-credentials")
            .config("[profile bare]\nregion = eu-west-1\n")
            .profile("bare")
            .imds_role("instance")
            .unset("AWS_EC2_METADATA_DISABLED")
            .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", "{{imds}}")
            .deliberate(
                "a profile without credentials is an error: IMDS and the container endpoint are asked only when a profile names them (credential_source), never as a fallback",
                |o| {
                    let mut p = o.stsenv_fails_with(&["bare"]);
                    if o.stsenv.imds_requests > 0 {
                        p.push(format!("stsenv asked IMDS {} times", o.stsenv.imds_requests));
                    }
                    if identity_signer(&o.botocore) != Some("user:instance") {
                        p.push(format!("premise: botocore falls back to IMDS: {}", o.botocore.error));
                    }
                    p
                },
            ),
    ]
}

const ECS_ROLE: &str = "\
[profile task]
role_arn = arn:aws:iam::111111111111:role/RoleA
credential_source = EcsContainer
region = eu-west-1
";

fn container() -> Vec<Case> {
    let task = |name: &'static str| {
        case(name)
            .config(ECS_ROLE)
            .profile("task")
            .ecs("taskuser", Some("tok-ecs"))
            .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", "{{ecs}}")
    };
    vec![
        task("container/full-uri-and-token")
            .env("AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok-ecs")
            .same(),
        task("container/token-file")
            .file("ecs-token", "tok-ecs")
            .env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "{{dir}}/ecs-token")
            .same(),
        task("container/token-file-beats-token")
            .file("ecs-token", "tok-ecs")
            .env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "{{dir}}/ecs-token")
            .env("AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok-stale")
            .same(),
        task("container/missing-token-fails").same(),
        task("container/wrong-token-fails")
            .env("AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok-wrong")
            .same(),
        task("container/localhost-is-allowed")
            .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://localhost:{{ecs_port}}/creds")
            .env("AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok-ecs")
            .same(),
        // 0.0.0.0 is not a loopback address: refused before connecting (a
        // client that connected would reach the stand-in, and show).
        task("container/non-loopback-http-host-refused")
            .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://0.0.0.0:{{ecs_port}}/creds")
            .env("AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok-ecs")
            .mentions(&["task", "0.0.0.0"])
            .same(),
        case("container/no-container-environment-fails")
            .config(ECS_ROLE)
            .profile("task")
            .mentions(&["task", "AWS_CONTAINER_CREDENTIALS_FULL_URI"])
            .same(),
        case("container/not-asked-for-a-profile-without-credentials")
            .config("[profile bare]\nregion = eu-west-1\n")
            .profile("bare")
            .ecs("taskuser", Some("tok-ecs"))
            .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", "{{ecs}}")
            .env("AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok-ecs")
            .deliberate(
                "a profile without credentials is an error: IMDS and the container endpoint are asked only when a profile names them (credential_source), never as a fallback",
                |o| {
                    let mut p = o.stsenv_fails_with(&["bare"]);
                    if o.stsenv.ecs_requests > 0 {
                        p.push(format!("stsenv asked the container endpoint {} times", o.stsenv.ecs_requests));
                    }
                    if identity_signer(&o.botocore) != Some("user:taskuser") {
                        p.push(format!("premise: botocore falls back to the container: {}", o.botocore.error));
                    }
                    p
                },
            ),
    ]
}

const WEB_PROFILE: &str = "\
[profile web]
role_arn = arn:aws:iam::444444444444:role/WebRole
web_identity_token_file = {{dir}}/web-token
role_session_name = ci-run
region = eu-west-1
";

fn web_identity() -> Vec<Case> {
    let env = |c: Case| {
        c.file("web-token", WEB_TOKEN)
            .env("AWS_WEB_IDENTITY_TOKEN_FILE", "{{dir}}/web-token")
            .env("AWS_ROLE_ARN", "arn:aws:iam::444444444444:role/WebRole")
    };
    vec![
        case("web/profile")
            .config(WEB_PROFILE)
            .file("web-token", WEB_TOKEN)
            .profile("web")
            .same(),
        env(case("web/environment-for-the-default-profile"))
            .env("AWS_ROLE_SESSION_NAME", "ci-env")
            .same(),
        env(case("web/environment-without-session-name")).same(),
        case("web/as-source-of-a-role")
            .config(&format!(
                "[profile app]\nrole_arn = {ROLE_A}\nsource_profile = web\nregion = eu-west-1\n\n{WEB_PROFILE}"
            ))
            .file("web-token", WEB_TOKEN)
            .profile("app")
            .same(),
        case("web/token-file-missing-fails")
            .config(WEB_PROFILE)
            .profile("web")
            .mentions(&["web", "web-token"])
            .same(),
        case("web/token-file-without-role-fails")
            .config("[profile web]\nweb_identity_token_file = {{dir}}/web-token\n")
            .file("web-token", WEB_TOKEN)
            .profile("web")
            .mentions(&["web", "role_arn"])
            .same(),
        case("web/token-file-beats-source-profile")
            .config(&format!("{WEB_PROFILE}source_profile = base\n"))
            .creds("[base]\n{{keys:base}}\n")
            .file("web-token", WEB_TOKEN)
            .profile("web")
            .same(),
        env(case("web/named-profile-ignores-environment"))
            .creds("[kp]\n{{keys:kp}}\n")
            .profile("kp")
            .same(),
    ]
}

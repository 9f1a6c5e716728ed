use super::*;
use crate::aws::sts::AssumeRole;
use crate::plan::step::{Call, CHAINED_ROLE_MAX_SECS};
use crate::profile::session_tags::SessionTags;
use crate::source::web_identity::WebIdentity;

const KEYS: &str = "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = secret\n";

fn plan(config: &str, credentials: &str, profile: &str) -> Result<Plan> {
    let config = AwsConfig::from_texts(config, credentials).expect("parses");
    Plan::build(&config, Some(profile), &Overrides::default())
}

fn plan_with(config: &str, profile: &str, overrides: Overrides) -> Result<Plan> {
    let config = AwsConfig::from_texts(config, "").expect("parses");
    Plan::build(&config, Some(profile), &overrides)
}

fn calls(plan: &Plan) -> Vec<&Call> {
    plan.steps.iter().map(|s| &s.call).collect()
}

fn role(plan: &Plan, i: usize) -> &AssumeRole {
    match &plan.steps[i].call {
        Call::AssumeRole(role) => role,
        other => panic!("step {i} is {other:?}"),
    }
}

#[test]
fn static_keys_alone() {
    let p = plan("", &format!("[base]\n{KEYS}"), "base").unwrap();
    assert!(matches!(&p.source, Source::Static { profile, .. } if profile == "base"));
    assert!(p.steps.is_empty());
    assert_eq!(p.kind(), ProfileKind::Static);
    assert!(!p.is_temporary());
}

#[test]
fn mfa_on_keys_is_an_mfa_session() {
    let config = "[profile base]\nmfa_serial = arn:aws:iam::1:mfa/a\nstsenv_mfa_duration = 3600\n";
    let p = plan(config, &format!("[base]\n{KEYS}"), "base").unwrap();
    assert_eq!(
        calls(&p),
        [&Call::SessionToken {
            mfa_serial: "arn:aws:iam::1:mfa/a".into(),
            duration: 3600
        }]
    );
    assert_eq!(p.kind(), ProfileKind::Mfa);
}

#[test]
fn role_with_mfa_becomes_mfa_session_then_role() {
    let config = "[profile dev]\nrole_arn = arn:aws:iam::2:role/dev\nsource_profile = base\nmfa_serial = arn:aws:iam::1:mfa/a\nexternal_id = x-1\nrole_session_name = me\nduration_seconds = 1800\nregion = eu-west-1\n";
    let p = plan(config, &format!("[base]\n{KEYS}"), "dev").unwrap();
    assert_eq!(p.steps.len(), 2);
    assert!(p.steps[0].is_mfa_session());
    assert_eq!(p.steps[0].profile, "base");
    let r = role(&p, 1);
    assert_eq!(r.role_arn, "arn:aws:iam::2:role/dev");
    assert_eq!(r.mfa_serial, None, "the MFA session carries the MFA");
    assert_eq!(r.external_id.as_deref(), Some("x-1"));
    assert_eq!(r.session_name, "me");
    assert_eq!(r.duration, Some(1800));
    assert_eq!(p.region.as_deref(), Some("eu-west-1"));
    assert_eq!(p.kind(), ProfileKind::Role);
    assert!(p.warnings.is_empty());
}

#[test]
fn mfa_process_rides_on_the_step_that_asks_for_the_code() {
    let creds = format!("[base]\n{KEYS}");
    let config = "[profile base]\nmfa_process = base-otp\n[profile dev]\nrole_arn = arn:aws:iam::2:role/dev\nsource_profile = base\nmfa_serial = arn:aws:iam::1:mfa/a\nmfa_process = ykman oath accounts code\n[profile ops]\nrole_arn = arn:aws:iam::2:role/ops\nsource_profile = base\nmfa_serial = arn:aws:iam::1:mfa/a\n";
    let dev = plan(config, &creds, "dev").unwrap();
    assert_eq!(
        dev.steps[0].mfa_process.as_deref(),
        Some("ykman oath accounts code"),
        "the role names the device, its mfa_process wins"
    );
    assert_eq!(dev.steps[1].mfa_process, None, "no code is asked there");
    assert!(dev.steps[0]
        .describe()
        .contains("mfa_process `ykman oath accounts code`"));
    let ops = plan(config, &creds, "ops").unwrap();
    assert_eq!(ops.steps[0].mfa_process.as_deref(), Some("base-otp"));
    // Not part of the cache identity: both share one MFA session.
    assert_eq!(dev.steps[0].identity(), ops.steps[0].identity());
}

#[test]
fn two_roles_share_one_mfa_session_step() {
    let config = "[profile a]\nrole_arn = arn:aws:iam::2:role/a\nsource_profile = base\nmfa_serial = arn:aws:iam::1:mfa/m\n[profile b]\nrole_arn = arn:aws:iam::2:role/b\nsource_profile = base\nmfa_serial = arn:aws:iam::1:mfa/m\n";
    let creds = format!("[base]\n{KEYS}");
    let a = plan(config, &creds, "a").unwrap();
    let b = plan(config, &creds, "b").unwrap();
    assert_eq!(a.steps[0].identity(), b.steps[0].identity());
    assert_ne!(a.steps[1].identity(), b.steps[1].identity());
}

#[test]
fn chained_roles_are_clamped_with_a_warning() {
    let config = "[profile r1]\nrole_arn = arn:aws:iam::2:role/one\nsource_profile = base\n[profile r2]\nrole_arn = arn:aws:iam::3:role/two\nsource_profile = r1\nduration_seconds = 7200\n";
    let p = plan(config, &format!("[base]\n{KEYS}"), "r2").unwrap();
    assert_eq!(p.steps.len(), 2);
    assert_eq!(role(&p, 1).duration, Some(CHAINED_ROLE_MAX_SECS));
    assert_eq!(p.warnings.len(), 1);
    assert!(p.warnings[0].contains("r2"), "{:?}", p.warnings);
}

#[test]
fn a_role_may_use_its_own_keys() {
    let config = "[profile self]\nrole_arn = arn:aws:iam::2:role/s\nsource_profile = self\n";
    let p = plan(config, &format!("[self]\n{KEYS}"), "self").unwrap();
    assert!(matches!(&p.source, Source::Static { profile, .. } if profile == "self"));
    assert_eq!(p.steps.len(), 1);
}

#[test]
fn environment_and_process_sources() {
    let config = "[profile e]\nrole_arn = arn:aws:iam::2:role/e\ncredential_source = Environment\n[profile p]\ncredential_process = /bin/creds --x 'a b'\n";
    let e = plan(config, "", "e").unwrap();
    assert!(matches!(e.source, Source::Environment { .. }));
    let p = plan(config, "", "p").unwrap();
    assert!(
        matches!(&p.source, Source::Process { command, .. } if command == "/bin/creds --x 'a b'")
    );
    assert_eq!(p.kind(), ProfileKind::Process);
}

#[test]
fn sso_profiles_read_their_session() {
    let config = "[sso-session corp]\nsso_start_url = https://corp/start\nsso_region = eu-west-1\n[profile s]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Dev\n[profile r]\nrole_arn = arn:aws:iam::2:role/r\nsource_profile = s\nduration_seconds = 7200\n";
    let s = plan(config, "", "s").unwrap();
    let Source::Sso(role) = &s.source else {
        panic!("{:?}", s.source)
    };
    assert_eq!(role.start_url, "https://corp/start");
    assert_eq!(role.sso_region, "eu-west-1");
    assert_eq!(role.session.as_deref(), Some("corp"));
    assert!(s.source.is_cached());
    // A role on top of SSO role credentials is role chaining.
    let r = plan(config, "", "r").unwrap();
    assert_eq!(r.warnings.len(), 1);
}

#[test]
fn ad_hoc_role_from_the_command_line() {
    let config = "[profile base]\nregion = us-west-2\n";
    let config = AwsConfig::from_texts(config, &format!("[base]\n{KEYS}")).unwrap();
    let overrides = Overrides {
        role_arn: Some("arn:aws:iam::2:role/x".into()),
        source_profile: Some("base".into()),
        mfa_serial: Some("arn:aws:iam::1:mfa/m".into()),
        session_name: Some("cli".into()),
        ..Overrides::default()
    };
    let p = Plan::build(&config, None, &overrides).unwrap();
    assert_eq!(p.profile, "base");
    assert_eq!(p.steps.len(), 2);
    assert!(p.steps[0].is_mfa_session());
    assert_eq!(role(&p, 1).session_name, "cli");
    assert_eq!(p.region.as_deref(), Some("us-west-2"));
}

#[test]
fn federation_needs_long_term_keys() {
    let config = "[profile base]\n";
    let overrides = Overrides {
        federation: Some("fed".into()),
        duration: Some(3600),
        ..Overrides::default()
    };
    let config_set = AwsConfig::from_texts(config, &format!("[base]\n{KEYS}")).unwrap();
    let p = Plan::build(&config_set, Some("base"), &overrides).unwrap();
    assert!(
        matches!(&p.steps[0].call, Call::FederationToken(f) if f.name == "fed" && f.duration == Some(3600))
    );
    let role = "[profile r]\nrole_arn = arn:aws:iam::2:role/r\nsource_profile = base\n";
    let config_set = AwsConfig::from_texts(role, &format!("[base]\n{KEYS}")).unwrap();
    let err = Plan::build(&config_set, Some("r"), &overrides).unwrap_err();
    assert!(err.to_string().contains("GetFederationToken"), "{err}");
    assert!(
        !err.to_string().contains("--"),
        "no CLI flags in core: {err}"
    );
}

#[test]
fn every_plan_error_names_profile_and_file() {
    let creds = format!("[base]\n{KEYS}");
    let cases: [(&str, &str, &str); 12] = [
        ("", "missing", "not found"),
        ("[profile a]\nrole_arn = arn:aws:iam::2:role/a\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::2:role/b\nsource_profile = a\n", "a", "cycle"),
        ("[profile a]\nrole_arn = arn:aws:iam::2:role/a\nsource_profile = nobody\n", "a", "no such profile"),
        ("[profile a]\nrole_arn = arn:aws:iam::2:role/a\n", "a", "no source_profile"),
        ("[profile a]\nrole_arn = arn:aws:iam::2:role/a\nsource_profile = base\ncredential_source = Environment\n", "a", "both"),
        ("[profile a]\nrole_arn = not-an-arn\nsource_profile = base\n", "a", "not an ARN"),
        ("[profile a]\nrole_arn = arn:aws:iam::2:role/a\nsource_profile = base\nduration_seconds = 60\n", "a", "900"),
        ("[profile a]\nrole_arn = arn:aws:iam::2:role/a\nsource_profile = base\nduration_seconds = soon\n", "a", "whole number"),
        ("[profile a]\nrole_arn = arn:aws:iam::2:role/a\nsource_profile = base\nrole_session_name = has space\n", "a", "session name"),
        ("[profile a]\nregion = x\n", "a", "no credentials"),
        ("[profile a]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = r\n", "a", "no [sso-session nope]"),
        ("[profile a]\nrole_arn = arn:aws:iam::2:role/a\ncredential_source = Ec2Magic\n", "a", "Ec2Magic"),
    ];
    for (config, profile, needle) in cases {
        let err = plan(config, &creds, profile).unwrap_err().to_string();
        assert!(err.contains(needle), "{profile}: `{needle}` not in: {err}");
        assert!(err.contains("/stsenv-in-memory/"), "no file named: {err}");
        assert!(
            err.contains(&format!("`{profile}`")) || err.contains(profile),
            "{err}"
        );
    }
}

#[test]
fn suggestions_for_typos() {
    let err = plan("[profile dev]\nregion = x\n", "", "dve").unwrap_err();
    assert!(err.to_string().contains("did you mean `dev`"), "{err}");
}

#[test]
fn a_bad_region_override_is_refused() {
    let overrides = Overrides {
        region: Some("eu west".into()),
        ..Overrides::default()
    };
    let err = plan_with(&format!("[profile base]\n{KEYS}"), "base", overrides).unwrap_err();
    assert!(err.to_string().contains("region"), "{err}");
}

#[test]
fn endpoints_are_part_of_the_step() {
    let config = "[profile a]\nrole_arn = arn:aws:iam::2:role/r\nsource_profile = base\nendpoint_url = http://127.0.0.1:1\n[profile b]\nrole_arn = arn:aws:iam::2:role/r\nsource_profile = base\n";
    if std::env::var_os("AWS_ENDPOINT_URL").is_some()
        || std::env::var_os("AWS_ENDPOINT_URL_STS").is_some()
    {
        return; // the environment would override both profiles' endpoints
    }
    let creds = format!("[base]\n{KEYS}");
    let a = plan(config, &creds, "a").unwrap();
    let b = plan(config, &creds, "b").unwrap();
    assert_eq!(a.steps[0].endpoint.as_deref(), Some("http://127.0.0.1:1"));
    assert_eq!(b.steps[0].endpoint, None);
    assert_ne!(
        crate::plan::resolve::final_key(&a),
        crate::plan::resolve::final_key(&b),
        "different endpoints must never share a cache entry"
    );
}

fn plan_env(
    config: &str,
    credentials: &str,
    vars: &[(&str, &str)],
    profile: Option<&str>,
    overrides: Overrides,
) -> Result<Plan> {
    let config = AwsConfig::from_texts_with_env(config, credentials, vars).expect("parses");
    Plan::build(&config, profile, &overrides)
}

#[test]
fn whether_a_profile_plans_never_depends_on_credentials_in_the_environment() {
    // `init` keys its cache of the profiles that plan without these
    // variables (they change with every session and renewal).
    let config = "[default]\nregion = eu-west-1\n\
        [profile regiononly]\nregion = eu-west-1\n\
        [profile empty]\n\
        [profile keys]\naws_access_key_id = AKIAKEYSKEYSKEYSKEY1\naws_secret_access_key = s\n\
        [profile role]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = keys\n\
        [profile env]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Environment\n\
        [profile badsource]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Nope\n\
        [profile cycle]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = cycle\n\
        [profile process]\ncredential_process = /bin/true\n\
        [profile web]\nrole_arn = arn:aws:iam::1:role/r\nweb_identity_token_file = /t\n\
        [profile sso]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\nsso_account_id = 123456789012\nsso_role_name = R\n\
        [profile mfa]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = keys\nmfa_serial = arn:aws:iam::1:mfa/a\n";
    let session = [
        ("AWS_ACCESS_KEY_ID", "ASIAENVENVENVENVENV1"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
        ("AWS_SESSION_TOKEN", "token"),
        ("AWS_SECURITY_TOKEN", "token"),
        ("AWS_CREDENTIAL_EXPIRATION", "2000-01-01T00:00:00Z"),
    ];
    let broken = [("AWS_ACCESS_KEY_ID", " "), ("AWS_SECRET_ACCESS_KEY", "a b")];
    let plans = |vars: &[(&str, &str)]| -> Vec<(String, bool)> {
        let config = AwsConfig::from_texts_with_env(config, "", vars).expect("parses");
        config
            .profile_names()
            .into_iter()
            .map(|name| {
                let ok = Plan::build(&config, Some(name), &Overrides::default()).is_ok();
                (name.to_string(), ok)
            })
            .collect()
    };
    let without = plans(&[]);
    assert!(without.iter().any(|(_, ok)| *ok) && without.iter().any(|(_, ok)| !*ok));
    assert_eq!(plans(&session), without);
    assert_eq!(plans(&broken), without);
}

const MID_KEYS: &str = "aws_access_key_id = AKIAMIDMIDMIDMIDMID1\naws_secret_access_key = mid\n";

#[test]
fn a_source_profile_with_keys_ends_the_chain() {
    // mid has keys AND its own role whose source does not even exist:
    // the SDKs sign one AssumeRole(RoleA) with mid's keys.
    let config = "[profile app]\nrole_arn = arn:aws:iam::1:role/RoleA\nsource_profile = mid\nduration_seconds = 7200\n[profile mid]\nrole_arn = arn:aws:iam::2:role/RoleB\nsource_profile = nowhere\n";
    let p = plan(config, &format!("[mid]\n{MID_KEYS}"), "app").unwrap();
    assert!(
        matches!(&p.source, Source::Static { profile, keys } if profile == "mid" && keys.access_key_id == "AKIAMIDMIDMIDMIDMID1")
    );
    assert_eq!(p.steps.len(), 1);
    assert_eq!(role(&p, 0).role_arn, "arn:aws:iam::1:role/RoleA");
    assert_eq!(role(&p, 0).duration, Some(7200), "not chained: no clamp");
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    // Keys in the config file stop it too, and so does a source naming itself.
    let in_config = "[profile app]\nrole_arn = arn:aws:iam::1:role/RoleA\nsource_profile = mid\n[profile mid]\naws_access_key_id = AKIAMIDMIDMIDMIDMID1\naws_secret_access_key = mid\nrole_arn = arn:aws:iam::2:role/RoleB\nsource_profile = mid\n";
    let p = plan(in_config, "", "app").unwrap();
    assert_eq!(p.steps.len(), 1);
    assert!(matches!(&p.source, Source::Static { profile, .. } if profile == "mid"));
}

#[test]
fn the_named_profile_prefers_its_role_over_its_keys() {
    let config = "[profile mid]\nrole_arn = arn:aws:iam::2:role/RoleB\nsource_profile = base\n";
    let creds = format!("[mid]\n{MID_KEYS}\n[base]\n{KEYS}");
    let p = plan(config, &creds, "mid").unwrap();
    assert!(matches!(&p.source, Source::Static { profile, .. } if profile == "base"));
    assert_eq!(role(&p, 0).role_arn, "arn:aws:iam::2:role/RoleB");
    // ... and an ad-hoc role treats it as a source: its keys.
    let overrides = Overrides {
        role_arn: Some("arn:aws:iam::3:role/x".into()),
        ..Overrides::default()
    };
    let config_set = AwsConfig::from_texts(config, &creds).unwrap();
    let p = Plan::build(&config_set, Some("mid"), &overrides).unwrap();
    assert!(matches!(&p.source, Source::Static { profile, .. } if profile == "mid"));
    assert_eq!(p.steps.len(), 1);
}

#[test]
fn a_role_naming_itself_needs_keys() {
    let config = "[profile loopy]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = loopy\ncredential_process = /bin/true\n";
    let err = plan(config, "", "loopy").unwrap_err().to_string();
    assert!(err.contains("loopy") && err.contains("itself"), "{err}");
}

#[test]
fn credentials_file_keys_beat_credential_process_and_config_keys_do_not() {
    let process = "[profile kp]\ncredential_process = /bin/creds\n";
    let p = plan(process, &format!("[kp]\n{KEYS}"), "kp").unwrap();
    assert!(matches!(p.source, Source::Static { .. }), "{:?}", p.source);
    let both_in_config = format!("[profile kp]\ncredential_process = /bin/creds\n{KEYS}");
    let p = plan(&both_in_config, "", "kp").unwrap();
    assert!(matches!(p.source, Source::Process { .. }), "{:?}", p.source);
    // The same rules for a source profile.
    let role = "[profile app]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = kp\n";
    let p = plan(&format!("{role}{process}"), &format!("[kp]\n{KEYS}"), "app").unwrap();
    assert!(matches!(p.source, Source::Static { .. }), "{:?}", p.source);
    let p = plan(&format!("{role}{both_in_config}"), "", "app").unwrap();
    assert!(matches!(p.source, Source::Process { .. }), "{:?}", p.source);
}

#[test]
fn region_precedence() {
    let config = format!("[profile base]\nregion = eu-west-1\n{KEYS}");
    let with = |region: Option<&str>, environment_region: Option<&str>| {
        let overrides = Overrides {
            region: region.map(str::to_string),
            environment_region: environment_region.map(str::to_string),
            ..Overrides::default()
        };
        let p = plan_with(&config, "base", overrides).unwrap();
        (p.region, p.region_origin)
    };
    assert_eq!(
        with(Some("ca-central-1"), Some("us-west-2")),
        (Some("ca-central-1".into()), RegionOrigin::Override)
    );
    assert_eq!(
        with(None, Some("us-west-2")),
        (Some("us-west-2".into()), RegionOrigin::Environment)
    );
    assert_eq!(
        with(None, None),
        (Some("eu-west-1".into()), RegionOrigin::Profile)
    );
    let p = plan_with(
        &format!("[profile base]\n{KEYS}"),
        "base",
        Overrides::default(),
    )
    .unwrap();
    assert_eq!((p.region, p.region_origin), (None, RegionOrigin::Nowhere));
    assert_eq!(
        plan_with(
            &format!("[profile base]\n{KEYS}"),
            "base",
            Overrides::default()
        )
        .unwrap()
        .sts_region(),
        "us-east-1"
    );
    let bad = Overrides {
        environment_region: Some("eu west $(x)".into()),
        ..Overrides::default()
    };
    let err = plan_with(&config, "base", bad).unwrap_err().to_string();
    assert!(err.contains("AWS_REGION") && err.contains("base"), "{err}");
}

#[test]
fn sso_values_inconsistent_with_the_session_are_refused() {
    let session = "[sso-session corp]\nsso_start_url = https://corp/start\nsso_region = eu-west-1\n[profile s]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Dev\n";
    for (extra, key) in [
        ("sso_start_url = https://other/start\n", "sso_start_url"),
        ("sso_region = us-east-2\n", "sso_region"),
    ] {
        let err = plan(&format!("{session}{extra}"), "", "s")
            .unwrap_err()
            .to_string();
        for needle in [
            "`s`",
            "corp",
            key,
            "inconsistent",
            "/stsenv-in-memory/config",
        ] {
            assert!(err.contains(needle), "`{needle}` not in: {err}");
        }
    }
    let same = format!("{session}sso_start_url = https://corp/start\nsso_region = eu-west-1\n");
    assert!(plan(&same, "", "s").is_ok());
}

#[test]
fn environment_source_reads_the_configs_environment() {
    let config = "[profile e]\nrole_arn = arn:aws:iam::2:role/e\ncredential_source = Environment\n";
    let keys_of = |vars: &[(&str, &str)]| {
        let p = plan_env(config, "", vars, Some("e"), Overrides::default()).unwrap();
        match p.source {
            Source::Environment {
                keys, expiration, ..
            } => (keys, expiration),
            other => panic!("{other:?}"),
        }
    };
    let blank = keys_of(&[("AWS_ACCESS_KEY_ID", " "), ("AWS_SECRET_ACCESS_KEY", " ")]);
    assert!(blank.0.is_none(), "blank keys are missing");
    let (keys, expiration) = keys_of(&[
        ("AWS_ACCESS_KEY_ID", "AKIAENV"),
        ("AWS_SECRET_ACCESS_KEY", "s"),
        ("AWS_SECURITY_TOKEN", "legacy"),
        ("AWS_CREDENTIAL_EXPIRATION", "2020-01-01T00:00:00Z"),
    ]);
    assert_eq!(keys.unwrap().session_token.as_deref(), Some("legacy"));
    assert!(expiration.is_some());
    // The names are botocore's, case and all.
    let lower = "[profile e]\nrole_arn = arn:aws:iam::2:role/e\ncredential_source = environment\n";
    let err = plan(lower, "", "e").unwrap_err().to_string();
    assert!(
        err.contains("Ec2InstanceMetadata") && err.contains("environment"),
        "{err}"
    );
}

#[test]
fn machine_sources_are_planned_without_asking() {
    let config = "[profile ec2]\nrole_arn = arn:aws:iam::2:role/r\ncredential_source = Ec2InstanceMetadata\n[profile task]\nrole_arn = arn:aws:iam::2:role/r\ncredential_source = EcsContainer\nduration_seconds = 7200\n";
    let vars = [
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9/"),
        (
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://127.0.0.1:8/creds",
        ),
    ];
    let ec2 = plan_env(config, "", &vars, Some("ec2"), Overrides::default()).unwrap();
    assert!(
        matches!(&ec2.source, Source::Imds(imds) if imds.endpoint == "http://127.0.0.1:9" && imds.profile == "ec2")
    );
    assert!(!ec2.source.is_cached());
    assert_eq!(ec2.kind(), ProfileKind::Role);
    let task = plan_env(config, "", &vars, Some("task"), Overrides::default()).unwrap();
    assert!(
        matches!(&task.source, Source::Container(c) if c.uri.as_deref() == Some("http://127.0.0.1:8/creds"))
    );
    // An instance or task role assuming a role is not role chaining.
    assert_eq!(role(&task, 0).duration, Some(7200));
    assert!(task.warnings.is_empty());
    // Different endpoints, different cache entries.
    let other = plan_env(
        config,
        "",
        &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:10")],
        Some("ec2"),
        Overrides::default(),
    )
    .unwrap();
    assert_ne!(
        crate::plan::resolve::final_key(&ec2),
        crate::plan::resolve::final_key(&other)
    );
}

const WEB: &str = "[profile web]\nrole_arn = arn:aws:iam::4:role/Web\nweb_identity_token_file = /run/token\nrole_session_name = ci-run\nduration_seconds = 1800\n";

fn web(plan: &Plan) -> &WebIdentity {
    match &plan.source {
        Source::WebIdentity(web) => web,
        other => panic!("{other:?}"),
    }
}

#[test]
fn web_identity_profiles() {
    let p = plan(WEB, "", "web").unwrap();
    let w = web(&p);
    assert_eq!(
        (w.role_arn.as_str(), w.session_name.as_str(), w.duration),
        ("arn:aws:iam::4:role/Web", "ci-run", Some(1800))
    );
    assert_eq!(w.token_file, PathBuf::from("/run/token"));
    assert!(p.steps.is_empty());
    assert_eq!(p.kind(), ProfileKind::WebIdentity);
    assert!(p.source.is_cached() && p.is_temporary());
    // The token file wins over a source_profile in the same profile.
    let with_source = format!("{WEB}source_profile = base\n");
    let p = plan(&with_source, &format!("[base]\n{KEYS}"), "web").unwrap();
    assert!(matches!(p.source, Source::WebIdentity(_)));
    // As a source profile: the role on top is role chaining.
    let chained = format!(
        "{WEB}[profile app]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = web\nduration_seconds = 7200\n"
    );
    let p = plan(&chained, "", "app").unwrap();
    assert_eq!(web(&p).session_name, "ci-run");
    assert_eq!(role(&p, 0).duration, Some(CHAINED_ROLE_MAX_SECS));
    assert_eq!(p.warnings.len(), 1);
    // Without a role there is nothing to assume.
    let err = plan(
        "[profile web]\nweb_identity_token_file = /run/token\n",
        "",
        "web",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("`web`") && err.contains("role_arn"), "{err}");
}

#[test]
fn web_identity_from_the_environment_only_for_the_default_profile() {
    let vars = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", "/env/token"),
        ("AWS_ROLE_ARN", "arn:aws:iam::4:role/FromEnv"),
        ("AWS_ROLE_SESSION_NAME", "ci-env"),
    ];
    // No config at all: a CI runner.
    let p = plan_env("", "", &vars, None, Overrides::default()).unwrap();
    assert_eq!(p.profile, "default");
    let w = web(&p);
    assert_eq!(
        (w.role_arn.as_str(), w.session_name.as_str()),
        ("arn:aws:iam::4:role/FromEnv", "ci-env")
    );
    // Naming the default profile (a renewal does) changes nothing.
    let p = plan_env("", "", &vars, Some("default"), Overrides::default()).unwrap();
    assert!(matches!(p.source, Source::WebIdentity(_)));
    // Each variable beats the profile's key; the profile fills the rest.
    let config = "[default]\nweb_identity_token_file = /profile/token\nrole_arn = arn:aws:iam::4:role/FromProfile\nregion = eu-west-1\n";
    let p = plan_env(config, "", &vars[..1], None, Overrides::default()).unwrap();
    let w = web(&p);
    assert_eq!(w.token_file, PathBuf::from("/env/token"));
    assert_eq!(w.role_arn, "arn:aws:iam::4:role/FromProfile");
    // The environment beats the default profile's keys, not its role.
    let keys = format!("[default]\n{KEYS}");
    let p = plan_env("", &keys, &vars, None, Overrides::default()).unwrap();
    assert!(matches!(p.source, Source::WebIdentity(_)));
    let role = "[default]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = base\n";
    let p = plan_env(
        role,
        &format!("[base]\n{KEYS}"),
        &vars,
        None,
        Overrides::default(),
    )
    .unwrap();
    assert!(matches!(p.source, Source::Static { .. }));
    // A profile the user names ignores the variables, and so does a source profile.
    let named = format!("[kp]\n{KEYS}");
    let p = plan_env("", &named, &vars, Some("kp"), Overrides::default()).unwrap();
    assert!(matches!(p.source, Source::Static { .. }));
    let err = plan_env("", "", &vars, Some("kp"), Overrides::default()).unwrap_err();
    assert!(err.to_string().contains("not found"), "{err}");
    // AWS_ROLE_ARN alone is nothing.
    let err = plan_env("", "", &vars[1..], None, Overrides::default()).unwrap_err();
    assert!(err.to_string().contains("not found"), "{err}");
}

#[test]
fn web_identity_identity_holds_no_token_and_follows_the_file() {
    let a = plan(WEB, "", "web").unwrap();
    let b = plan(&WEB.replace("/run/token", "/run/other"), "", "web").unwrap();
    assert_ne!(a.source.identity(), b.source.identity());
    assert!(a.source.identity().contains("/run/token"));
    let overrides = Overrides {
        session_name: Some("cli".into()),
        duration: Some(900),
        ..Overrides::default()
    };
    let c = plan_with(WEB, "web", overrides).unwrap();
    assert_eq!(
        (web(&c).session_name.as_str(), web(&c).duration),
        ("cli", Some(900))
    );
}

/// `[profile base]` with keys and a chain `c0` ← `c1` ← … of `depth` roles.
fn chain_config(depth: usize) -> String {
    let mut text = format!("[profile base]\n{KEYS}");
    for i in 0..depth {
        let source = match i {
            0 => "base".to_string(),
            _ => format!("c{}", i - 1),
        };
        text += &format!(
            "[profile c{i}]\nrole_arn = arn:aws:iam::1:role/r{i}\nsource_profile = {source}\n"
        );
    }
    text
}

#[test]
fn a_chain_of_any_depth_plans_without_recursion() {
    // Deep enough that a walk recursing once per profile overflows a test
    // thread's stack (2 MiB).
    const DEPTH: usize = 20_000;
    let config = AwsConfig::from_texts(&chain_config(DEPTH), "").unwrap();
    let deepest = format!("c{}", DEPTH - 1);
    let p = Plan::build(&config, Some(&deepest), &Overrides::default()).unwrap();
    assert_eq!(p.steps.len(), DEPTH);
    assert_eq!(role(&p, 0).role_arn, "arn:aws:iam::1:role/r0");
    assert_eq!(
        role(&p, DEPTH - 1).role_arn,
        format!("arn:aws:iam::1:role/r{}", DEPTH - 1)
    );
    assert!(matches!(&p.source, Source::Static { profile, .. } if profile == "base"));
    // A cycle at the bottom of a deep chain is found, and named.
    let cyclic = chain_config(DEPTH).replace(
        "source_profile = base\n",
        &format!("source_profile = c{}\n", DEPTH - 1),
    );
    let config = AwsConfig::from_texts(&cyclic, "").unwrap();
    match Plan::build(&config, Some("c5"), &Overrides::default()) {
        Err(Error::SourceCycle { chain, .. }) => {
            assert_eq!(chain.len(), DEPTH + 1);
            assert_eq!(chain.first(), chain.last());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn which_build_answers_as_each_plan_does() {
    // Shared chains, broken ones (deep down, dangling, cyclic), MFA
    // sessions under roles, keys ending a chain, instance metadata whose
    // settings come from the target, role chaining clamps.
    let config = format!(
        "{}[profile broken]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = nowhere\n\
         [profile on-broken]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = broken\n\
         [profile loop-a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = loop-b\n\
         [profile loop-b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = loop-a\n\
         [profile mfa]\nrole_arn = arn:aws:iam::1:role/m\nsource_profile = base\nmfa_serial = arn:aws:iam::1:mfa/u\n\
         [profile on-mfa]\nrole_arn = arn:aws:iam::1:role/o\nsource_profile = mfa\nduration_seconds = 7200\n\
         [profile bad-duration]\nrole_arn = arn:aws:iam::1:role/d\nsource_profile = c3\nduration_seconds = 60\n\
         [profile on-bad]\nrole_arn = arn:aws:iam::1:role/e\nsource_profile = bad-duration\n\
         [profile imds]\nrole_arn = arn:aws:iam::1:role/i\ncredential_source = Ec2InstanceMetadata\n\
         [profile on-imds]\nrole_arn = arn:aws:iam::1:role/j\nsource_profile = imds\nec2_metadata_service_endpoint_mode = bogus\n\
         [profile on-imds-ok]\nrole_arn = arn:aws:iam::1:role/k\nsource_profile = imds\n\
         [profile keys-and-role]\nrole_arn = arn:aws:iam::1:role/kr\nsource_profile = base\n{KEYS}\
         [profile on-keys-and-role]\nrole_arn = arn:aws:iam::1:role/okr\nsource_profile = keys-and-role\n\
         [profile nothing]\nregion = eu-west-1\n",
        chain_config(50)
    );
    let config = AwsConfig::from_texts(&config, "").unwrap();
    let names = config.profile_names();
    // Every order: a profile planned early or late in the list.
    for order in [names.clone(), names.iter().rev().copied().collect()] {
        let shared = Plan::which_build(&config, &order);
        let each: Vec<bool> = order
            .iter()
            .map(|n| Plan::build(&config, Some(n), &Overrides::default()).is_ok())
            .collect();
        assert_eq!(shared, each, "{order:?}");
    }
    // What a listing shows, from plans made together: what each whole
    // plan says.
    let briefs = Plan::briefs(&config, &names);
    for (name, brief) in names.iter().zip(briefs) {
        let whole = Plan::build(&config, Some(name), &Overrides::default()).ok();
        assert_eq!(brief, whole.as_ref().map(Brief::of), "{name}");
        if let (Some(brief), Some(whole)) = (brief, whole) {
            assert_eq!(brief.kind, whole.kind(), "{name}");
        }
    }
    // One at a time, as the picker draws rows (a screenful, then more as
    // the user scrolls or filters), in an order that starts deep down a
    // chain and comes back to its top: the same answers.
    let briefs = Briefs::new(&config);
    let mut order = names.clone();
    order.sort_by_key(|n| std::cmp::Reverse(n.to_string()));
    for name in order.iter().chain(names.iter()) {
        let whole = Plan::build(&config, Some(name), &Overrides::default()).ok();
        assert_eq!(briefs.of(name), whole.as_ref().map(Brief::of), "{name}");
    }
    let ok = |name: &str| Plan::which_build(&config, &[name])[0];
    assert!(ok("c49") && ok("on-mfa") && ok("on-imds-ok") && ok("on-keys-and-role"));
    assert!(!ok("on-broken") && !ok("loop-a") && !ok("on-bad") && !ok("on-imds") && !ok("nothing"));
}

#[test]
fn old_and_empty_session_token_lines_read_as_botocore_reads_them() {
    let token = |creds: &str| {
        let p = plan("", creds, "t").unwrap();
        match p.source {
            Source::Static { keys, .. } => keys.session_token,
            other => panic!("{other:?}"),
        }
    };
    // An empty line means no token: the SDKs sign without one.
    assert_eq!(token(&format!("[t]\n{KEYS}aws_session_token =\n")), None);
    // The old name is botocore's first choice.
    assert_eq!(
        token(&format!("[t]\n{KEYS}aws_security_token = old\n")).as_deref(),
        Some("old")
    );
    assert_eq!(
        token(&format!(
            "[t]\n{KEYS}aws_session_token = new\naws_security_token = old\n"
        ))
        .as_deref(),
        Some("old")
    );
}

#[test]
fn every_assume_role_of_a_chain_goes_to_the_named_profiles_endpoint() {
    let config = "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\nendpoint_url = http://127.0.0.1:1\n\
        [profile b]\nrole_arn = arn:aws:iam::2:role/b\nsource_profile = c\nendpoint_url = http://127.0.0.1:2\n\
        [profile c]\nrole_arn = arn:aws:iam::3:role/c\nsource_profile = base\n";
    let p = plan_env(
        config,
        &format!("[base]\n{KEYS}"),
        &[],
        Some("a"),
        Overrides::default(),
    )
    .unwrap();
    let endpoints: Vec<_> = p.steps.iter().map(|s| s.endpoint.as_deref()).collect();
    assert_eq!(endpoints, [Some("http://127.0.0.1:1"); 3]);
}

#[test]
fn legacy_regional_endpoints_send_legacy_regions_to_the_global_endpoint() {
    let config = "[profile r]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = base\nregion = eu-west-1\nsts_regional_endpoints = legacy\n\
        [profile new]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = base\nregion = ap-east-1\nsts_regional_endpoints = legacy\n\
        [profile bad]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = base\nsts_regional_endpoints = sometimes\n";
    let creds = format!("[base]\n{KEYS}");
    let endpoint = |vars: &[(&str, &str)], profile| {
        plan_env(config, &creds, vars, Some(profile), Overrides::default())
            .map(|p| p.steps[0].endpoint.clone())
    };
    let global = Some(crate::aws::sts::GLOBAL_STS_ENDPOINT.to_string());
    assert_eq!(endpoint(&[], "r").unwrap(), global);
    // A region that never had the global endpoint stays regional.
    assert_eq!(endpoint(&[], "new").unwrap(), None);
    // The environment wins over the profile, as in botocore.
    assert_eq!(
        endpoint(&[("AWS_STS_REGIONAL_ENDPOINTS", "regional")], "r").unwrap(),
        None
    );
    assert_eq!(
        endpoint(&[("AWS_STS_REGIONAL_ENDPOINTS", "legacy")], "bad").unwrap(),
        global
    );
    // A configured endpoint beats it.
    assert_eq!(
        endpoint(&[("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:3")], "r")
            .unwrap()
            .as_deref(),
        Some("http://127.0.0.1:3")
    );
    let err = endpoint(&[], "bad").unwrap_err().to_string();
    assert!(
        err.contains("profile `bad`") && err.contains("sts_regional_endpoints"),
        "{err}"
    );
}

#[test]
fn session_tags_come_from_each_profile_and_the_overrides_top_the_target() {
    let config = format!(
        "[profile base]\n{KEYS}\n[profile mid]\nrole_arn = arn:aws:iam::123456789012:role/mid\nsource_profile = base\nsession_tags = Team=ops, Env=dev\ntransitive_session_tags = Team\n\n[profile top]\nrole_arn = arn:aws:iam::123456789012:role/top\nsource_profile = mid\nsession_tags = Cost=1\n"
    );
    let tags = |pairs: &[(&str, &str)], transitive: &[&str]| SessionTags {
        tags: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        transitive: transitive.iter().map(|k| k.to_string()).collect(),
    };
    let p = plan_with(&config, "top", Overrides::default()).unwrap();
    assert_eq!(
        role(&p, 0).tags,
        tags(&[("Team", "ops"), ("Env", "dev")], &["Team"])
    );
    assert_eq!(role(&p, 1).tags, tags(&[("Cost", "1")], &[]));
    let description = p.steps[0].describe();
    assert!(
        description.ends_with(", session tags Team=ops, Env=dev (transitive: Team)"),
        "{description}"
    );
    // The overrides replace a key of the target's own tags, and add.
    let overrides = Overrides {
        session_tags: tags(&[("cost", "2"), ("Who", "me")], &["Who"]),
        ..Overrides::default()
    };
    let p = plan_with(&config, "top", overrides).unwrap();
    assert_eq!(
        role(&p, 0).tags,
        tags(&[("Team", "ops"), ("Env", "dev")], &["Team"])
    );
    assert_eq!(
        role(&p, 1).tags,
        tags(&[("cost", "2"), ("Who", "me")], &["Who"])
    );
    // Different tags, a different session.
    let plain = plan_with(&config, "top", Overrides::default()).unwrap();
    assert_ne!(p.steps[1].identity(), plain.steps[1].identity());
    // Federated users get the tags, not transitive keys (STS has none for them).
    let overrides = Overrides {
        federation: Some("fed".into()),
        session_tags: tags(&[("Team", "x")], &["Team"]),
        ..Overrides::default()
    };
    let p = plan_with(&config, "base", overrides).unwrap();
    assert!(
        matches!(&p.steps[0].call, Call::FederationToken(f) if f.tags == [("Team".to_string(), "x".to_string())])
    );
}

#[test]
fn bad_session_tags_fail_at_planning_naming_the_profile() {
    for (line, expected) in [
        ("session_tags = Team", "Key=Value"),
        ("session_tags = aws:x=1", "reserves"),
        ("session_tags = A=1,a=2", "twice"),
        ("session_tags = A=x;y", "`;`"),
        (
            "transitive_session_tags = Team",
            "not one of the session tags",
        ),
    ] {
        let config = format!(
            "[profile base]\n{KEYS}\n[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\nsource_profile = base\n{line}\n"
        );
        let err = plan_with(&config, "dev", Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("profile `dev`") && err.contains(expected),
            "{line}: {err}"
        );
    }
    let too_many: Vec<String> = (0..51).map(|i| format!("k{i}=v")).collect();
    let config = format!(
        "[profile base]\n{KEYS}\n[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\nsource_profile = base\nsession_tags = {}\n",
        too_many.join(",")
    );
    let err = plan_with(&config, "dev", Overrides::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("at most 50"), "{err}");
}

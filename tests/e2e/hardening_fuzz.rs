//! Random and mutated config and credentials files (non-UTF-8, huge lines,
//! odd section headers, non-ASCII keys) and random `credential_process`
//! outputs, fed to `explain`, `env` and `profiles`: stsenv never panics or
//! dies of a signal, and never prints on stdout when it fails (stdout may
//! be `eval`ed).
//!
//! The runs are cut off from the network: in a network namespace of their
//! own where `unshare -n` works, and in any case every AWS endpoint points
//! at a closed loopback port. Commands in the generated files come from a
//! fixed harmless set.

use std::process::Output;
use std::time::Duration;

use proptest::prelude::*;
use stsenv_tests::{free_port, stsenv_bin, Sandbox};

/// Section headers the parser accepts, some odd.
const HEADERS: [&str; 14] = [
    "[default]",
    "[profile dev]",
    "[profile base]",
    "[ profile  dev ]",
    "[profile proc]",
    "[profile sso]",
    "[profile dév]",
    "[sso-session corp]",
    "[services s]",
    "[profile -h]",
    "[base]",
    "[dev]",
    "[profile default]",
    "[profile a b]",
];

/// Section headers that are broken.
const BAD_HEADERS: [&str; 6] = [
    "[profile]",
    "[]",
    "[",
    "]",
    "[[profile dev]]",
    "[profile dev",
];

/// Keys with values that mean something to them (and values that should
/// not), so that random lines reach deep into planning.
const KEY_VALUES: [(&str, &[&str]); 22] = [
    (
        "aws_access_key_id",
        &[
            "AKIAIOSFODNN7EXAMPLE",
            "ÄKIAé€ñ日本語🦀x",
            "AKIA🦀🦀",
            "AK",
            "",
        ],
    ),
    (
        "aws_secret_access_key",
        &[
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "sé",
            "",
            "a'b\"c",
        ],
    ),
    ("aws_session_token", &["FwoGZXIvYXdzE", "", "t\u{1b}[2J"]),
    (
        "role_arn",
        &[
            "arn:aws:iam::123456789012:role/x",
            "arn:aws:iam::1:role/",
            "garbage",
            "arn:aws:iam::123456789012:role/é",
            "",
        ],
    ),
    (
        "source_profile",
        &[
            "base", "dev", "default", "proc", "sso", "missing", "dév", "",
        ],
    ),
    (
        "mfa_serial",
        &[
            "arn:aws:iam::123456789012:mfa/alice",
            "GAHT12345678",
            "é",
            "",
        ],
    ),
    (
        "credential_source",
        &[
            "Environment",
            "Ec2InstanceMetadata",
            "EcsContainer",
            "bogus",
        ],
    ),
    ("region", &["eu-west-1", "", "é", "us-east-1 ", "x"]),
    (
        "duration_seconds",
        &["3600", "-1", "99999999999999999999999", "abc", "0", "1e3"],
    ),
    (
        "stsenv_mfa_duration",
        &["900", "-5", "abc", "99999999999999"],
    ),
    ("external_id", &["x", "é", "-dash", "$(touch pwned)"]),
    (
        "role_session_name",
        &[
            "a",
            "ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé",
            "",
            "-x",
        ],
    ),
    ("source_identity", &["me", "é", ""]),
    (
        "stsenv_alias",
        &["x", "é", "a b", "$(touch pwned)", "-h", ""],
    ),
    ("sso_session", &["corp", "missing", ""]),
    ("sso_start_url", &["http://127.0.0.1:1/start", "", "é"]),
    ("sso_region", &["eu-west-1", "", "é"]),
    ("sso_account_id", &["111111111111", "1", "é", ""]),
    ("sso_role_name", &["R", "a\nb", "é", ""]),
    ("sso_registration_scopes", &["sso:account:access", ",", ""]),
    ("endpoint_url", &["http://127.0.0.1:1", ""]),
    ("clé", &["é"]),
];

/// Keys and values alone, for lines that pair them at random.
const KEYS: [&str; 6] = ["AWS_ACCESS_KEY_ID", "é", "", "sts", "s3", "role_arn"];

const VALUES: [&str; 7] = [
    "dev",
    "base",
    "ÄKIAé€ñ日本語🦀x",
    "99999999999999999999999",
    "endpoint_url = http://127.0.0.1:1",
    "$(touch pwned)",
    "",
];

/// Commands a generated `credential_process` may run: all harmless.
const PROCESSES: [&str; 5] = [
    "cat OUT",
    "false",
    "/nonexistent/command",
    "cat /dev/null",
    "true",
];

/// A well-formed line: a key, `=`, a value, a newline.
fn line() -> impl Strategy<Value = Vec<u8>> {
    let value = prop_oneof![
        6 => proptest::sample::select(&VALUES[..]).prop_map(|v| v.as_bytes().to_vec()),
        1 => proptest::collection::vec(any::<u8>().prop_filter("one line", |b| *b != b'\n' && *b != b'\r'), 0..24),
        1 => Just(vec![b'x'; 200_000]),
    ];
    let key = prop_oneof![
        6 => proptest::sample::select(&KEYS[..]).prop_map(str::to_string),
        1 => "[a-z_é]{1,6}",
    ];
    let sep = proptest::sample::select(&[" = ", " = ", "=", " =", "\t=\t"][..]);
    let meaningful = proptest::sample::select(&KEY_VALUES[..])
        .prop_flat_map(|(k, values)| (Just(k), proptest::sample::select(values)));
    prop_oneof![
        12 => (meaningful, sep.clone()).prop_map(|((k, v), s)| [k, s, v].concat().into_bytes()),
        4 => (key, sep, value).prop_map(|(k, s, v)| [k.as_bytes(), s.as_bytes(), &v].concat()),
        1 => proptest::sample::select(&PROCESSES[..])
            .prop_map(|p| format!("credential_process = {p}").into_bytes()),
        1 => Just(b"# comment ; [profile x]".to_vec()),
    ]
    .prop_map(|l| [l, b"\n".to_vec()].concat())
}

/// A malformed line: a broken header, a stray continuation, no `=`, raw
/// bytes, a CR or no line end.
fn bad_line() -> impl Strategy<Value = Vec<u8>> {
    let end = proptest::sample::select(&["\n", "\r\n", "\r", ""][..]);
    prop_oneof![
        proptest::sample::select(&BAD_HEADERS[..]).prop_map(|h| h.as_bytes().to_vec()),
        (
            proptest::sample::select(&KEYS[..]),
            proptest::collection::vec(any::<u8>(), 0..12)
        )
            .prop_map(|(k, v)| [b"  ", k.as_bytes(), b" = ", &v].concat()),
        proptest::sample::select(&KEYS[..]).prop_map(|k| [k, " : x"].concat().into_bytes()),
        proptest::collection::vec(any::<u8>(), 0..40),
    ]
    .prop_flat_map(move |l| {
        end.clone()
            .prop_map(move |e| [l.clone(), e.as_bytes().to_vec()].concat())
    })
}

/// Valid config files to mutate, so that random lines land in files whose
/// profiles otherwise resolve.
const CONFIGS: [&str; 3] = [
    "",
    stsenv_tests::SWITCH_ROLE_CONFIG,
    "[profile proc]\ncredential_process = cat OUT\n[profile sso]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = R\n[sso-session corp]\nsso_start_url = http://127.0.0.1:1/start\nsso_region = eu-west-1\n[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = proc\n",
];

/// Valid credentials files to mutate.
const CREDENTIALS: [&str; 3] = [
    "",
    stsenv_tests::SWITCH_ROLE_CREDENTIALS,
    "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = s\n[dev]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = s\naws_session_token = t\n",
];

/// A section: a header and a few lines.
fn section() -> impl Strategy<Value = Vec<u8>> {
    (
        proptest::sample::select(&HEADERS[..]),
        proptest::collection::vec(line(), 0..6),
    )
        .prop_map(|(header, lines)| [header.as_bytes(), b"\n", &lines.concat()].concat())
}

/// Lines and bytes to insert, each at a random place.
type Damage = (
    Vec<(proptest::sample::Index, Vec<u8>)>,
    Vec<(proptest::sample::Index, u8)>,
);

/// Damage to a file: lines (well-formed or not) and bytes inserted at
/// random places.
fn damage() -> impl Strategy<Value = Damage> {
    (
        proptest::collection::vec(
            (
                any::<proptest::sample::Index>(),
                prop_oneof![line(), bad_line()],
            ),
            0..4,
        ),
        proptest::collection::vec((any::<proptest::sample::Index>(), any::<u8>()), 0..3),
    )
}

/// `template` with some values swapped for others its key can take
/// (`choices[i]` decides for line `i`: replace or not, and with which).
fn mutate(template: &str, choices: &[(bool, proptest::sample::Index)]) -> String {
    template
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let key = line.split('=').next().unwrap_or_default().trim();
            let known = KEY_VALUES.iter().find(|(k, _)| *k == key);
            match (known, choices.get(i)) {
                (Some((k, values)), Some((true, which))) => {
                    format!("{k} = {}\n", which.get(values))
                }
                _ => format!("{line}\n"),
            }
        })
        .collect()
}

/// One of `templates` with some values mutated and random sections
/// appended, and in one file out of four, damaged.
fn file(templates: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    (
        proptest::sample::select(templates),
        proptest::collection::vec(
            (
                proptest::bool::weighted(0.3),
                any::<proptest::sample::Index>(),
            ),
            16,
        ),
        proptest::collection::vec(section(), 0..3),
        proptest::option::weighted(0.25, damage()),
    )
        .prop_map(|(template, choices, sections, damage)| {
            let mut file = [mutate(template, &choices).as_bytes(), &sections.concat()].concat();
            let (lines, bytes) = damage.unwrap_or_default();
            for (at, line) in lines {
                let at = at.index(file.len() + 1);
                file.splice(at..at, line);
            }
            for (at, byte) in bytes {
                let at = at.index(file.len() + 1);
                file.insert(at, byte);
            }
            file
        })
}

/// What a generated `credential_process` prints.
fn process_output() -> impl Strategy<Value = Vec<u8>> {
    let text = prop_oneof![
        proptest::sample::select(&["AKIAX", "", "a\nb", "x'y", "ÄKIA", "$(touch pwned)"][..])
            .prop_map(str::to_string),
        ".{0,12}",
    ];
    let expiration = proptest::sample::select(
        &[
            "2099-01-01T00:00:00Z",
            "2001-01-01T00:00:00Z",
            "soon",
            "",
            "2099-13-45T99:99:99Z",
        ][..],
    );
    let version = proptest::sample::select(&["1", "2", "\"1\"", "-1", "1e400", "null"][..]);
    let json = (version, text.clone(), text.clone(), text, expiration).prop_map(|(v, k, s, t, e)| {
        format!(
            r#"{{"Version":{v},"AccessKeyId":{},"SecretAccessKey":{},"SessionToken":{},"Expiration":"{e}"}}"#,
            serde_json::Value::from(k),
            serde_json::Value::from(s),
            serde_json::Value::from(t)
        )
        .into_bytes()
    });
    prop_oneof![
        4 => json.clone(),
        1 => json.prop_flat_map(|j| { let n = j.len(); (Just(j), 0..n) }).prop_map(|(j, n)| j[..n].to_vec()),
        1 => proptest::collection::vec(any::<u8>(), 0..64),
    ]
}

/// The prefix that runs a command without network, when the system allows it.
fn isolation() -> &'static [&'static str] {
    static ISOLATION: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    ISOLATION.get_or_init(|| {
        for prefix in [&["unshare", "-n", "--"][..], &["unshare", "-rn", "--"]] {
            let works = std::process::Command::new(prefix[0])
                .args(&prefix[1..])
                .arg("true")
                .status()
                .is_ok_and(|s| s.success());
            if works {
                return prefix.to_vec();
            }
        }
        eprintln!("note: unshare -n is not available; relying on dead loopback endpoints only");
        Vec::new()
    })
}

fn run(sandbox: &Sandbox, dead: &str, args: &[&str]) -> Output {
    let prefix = isolation();
    let mut cmd = match prefix.split_first() {
        Some((program, rest)) => {
            let mut cmd = sandbox.command(program);
            cmd.args(rest).arg(stsenv_bin());
            cmd
        }
        None => sandbox.command(stsenv_bin()),
    };
    let mut child = cmd
        .args(args)
        .envs([
            ("AWS_ENDPOINT_URL", dead),
            ("AWS_ENDPOINT_URL_STS", dead),
            ("AWS_ENDPOINT_URL_SSO", dead),
            ("AWS_ENDPOINT_URL_SSO_OIDC", dead),
            ("STSENV_PROCESS_TIMEOUT", "5"),
        ])
        .current_dir(sandbox.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("stsenv starts");
    // Drained while it runs: a large answer must not fill the pipe and
    // look like a hang.
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
    );
    // A hang is a finding too: give up after the suite's ceiling.
    let deadline = std::time::Instant::now() + stsenv_tests::PATIENCE;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("stsenv {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

fn check(
    config: &[u8],
    credentials: &[u8],
    output: &[u8],
    profile: &str,
) -> Result<(), TestCaseError> {
    let sandbox = Sandbox::new();
    let out_path = sandbox.path().join("out.json");
    std::fs::write(&out_path, output).unwrap();
    // `cat OUT` in a generated file reads the generated output.
    let replace = |bytes: &[u8]| -> Vec<u8> {
        let needle = b"cat OUT";
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i..].starts_with(needle) {
                out.extend_from_slice(format!("cat {}", out_path.display()).as_bytes());
                i += needle.len();
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        out
    };
    std::fs::write(sandbox.config_path(), replace(config)).unwrap();
    std::fs::write(sandbox.credentials_path(), replace(credentials)).unwrap();
    let dead = format!("http://127.0.0.1:{}", free_port());
    let mut commands: Vec<Vec<String>> = [
        &["profiles"][..],
        &["profiles", "--names"],
        &["env", "--shell", "dotenv", "--non-interactive"],
    ]
    .iter()
    .map(|a| a.iter().map(|s| s.to_string()).collect())
    .collect();
    // The asked-for profile, then (below) up to two the files define.
    let per_profile = |p: &str| -> Vec<Vec<String>> {
        vec![
            vec!["explain".into(), p.into()],
            vec![
                "env".into(),
                p.into(),
                "--shell".into(),
                "bash".into(),
                "--non-interactive".into(),
            ],
        ]
    };
    commands.extend(per_profile(profile));
    let mut i = 0;
    while i < commands.len() {
        let args: Vec<&str> = commands[i].iter().map(String::as_str).collect();
        let out = run(&sandbox, &dead, &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        prop_assert!(
            out.status.code().is_some(),
            "{:?} died of a signal: {}",
            args,
            stderr
        );
        prop_assert_ne!(
            out.status.code(),
            Some(101),
            "{:?} panicked: {}",
            args,
            stderr
        );
        if !out.status.success() {
            prop_assert!(
                out.stdout.is_empty(),
                "{:?} failed with stdout {:?}",
                args,
                String::from_utf8_lossy(&out.stdout)
            );
        } else if args == ["profiles", "--names"] {
            for name in String::from_utf8_lossy(&out.stdout).lines().take(2) {
                commands.extend(per_profile(name));
            }
        }
        i += 1;
    }
    prop_assert!(!sandbox.path().join("pwned").exists());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn no_panic_and_no_stdout_on_failure(
        config in file(&CONFIGS),
        credentials in file(&CREDENTIALS),
        output in process_output(),
        profile in proptest::sample::select(&["dev", "base", "proc", "default", "sso", "dév", "-h"][..]),
    ) {
        check(&config, &credentials, &output, profile)?;
    }
}

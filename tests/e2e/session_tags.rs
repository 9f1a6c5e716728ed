//! Session tags on the wire: moto accepts AssumeRole's Tags and
//! TransitiveTagKeys without keeping them, so the observable is moto's own
//! request recorder (`MOTO_ENABLE_RECORDING`), which logs every request
//! exactly as the emulator received it.

use std::path::Path;

use base64::Engine;
use stsenv_tests::{Moto, Sandbox};

use crate::util::{fails, ok};

const CONFIG: &str = "[profile base]\nregion = eu-west-1\n\n[profile tagged]\nrole_arn = arn:aws:iam::123456789012:role/tagged\nsource_profile = base\nregion = eu-west-1\nsession_tags = Team=ops, Project=x:y/z@w\ntransitive_session_tags = Team\n";

/// A private moto recording every request into a file (kept beside the
/// emulator: both live as long as the test).
fn recording_moto() -> (Moto, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap().keep();
    let recording = dir.join("recording");
    let moto = Moto::start_with_env(&[
        ("MOTO_ENABLE_RECORDING", "true"),
        ("MOTO_RECORDER_FILEPATH", recording.to_str().unwrap()),
    ]);
    (moto, recording)
}

/// The form parameters of every STS `action` request moto recorded.
fn recorded(file: &Path, action: &str) -> Vec<Vec<(String, String)>> {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    text.lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).expect("a JSON line"))
        .filter_map(|entry| {
            let body = entry["body"].as_str()?;
            let body = match entry["body_encoded"].as_bool() {
                Some(true) => base64::engine::general_purpose::STANDARD
                    .decode(body)
                    .expect("base64"),
                _ => body.as_bytes().to_vec(),
            };
            let params: Vec<(String, String)> = url::form_urlencoded::parse(&body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            params
                .iter()
                .any(|(k, v)| k == "Action" && v == action)
                .then_some(params)
        })
        .collect()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The tags of one request, in order, and its transitive keys.
fn tags_of(params: &[(String, String)]) -> (Vec<(String, String)>, Vec<String>) {
    let tags = (1..)
        .map_while(|i| {
            let key = param(params, &format!("Tags.member.{i}.Key"))?;
            let value = param(params, &format!("Tags.member.{i}.Value"))?;
            Some((key.to_string(), value.to_string()))
        })
        .collect();
    let transitive = (1..)
        .map_while(|i| param(params, &format!("TransitiveTagKeys.member.{i}")).map(str::to_string))
        .collect();
    (tags, transitive)
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn tags_reach_sts_and_make_their_own_session() {
    let (moto, recording) = recording_moto();
    let sandbox = Sandbox::with_base_keys(&moto, CONFIG);

    // The profile's tags, then the environment's and the flags on top.
    ok(&sandbox, &["env", "tagged", "--shell", "json"]);
    let calls = recorded(&recording, "AssumeRole");
    assert_eq!(calls.len(), 1);
    assert_eq!(
        tags_of(&calls[0]),
        (
            pairs(&[("Team", "ops"), ("Project", "x:y/z@w")]),
            vec!["Team".to_string()]
        )
    );
    let out = sandbox
        .stsenv()
        .env("AWS_SESSION_TAGS", "Project=env,Cost=42")
        .args([
            "env",
            "tagged",
            "--shell",
            "bash",
            "--session-tag",
            "Who=me me",
            "--transitive-tag",
            "Who",
        ])
        .output()
        .unwrap();
    let code = String::from_utf8(stsenv_tests::succeeded(&out).to_vec()).unwrap();
    let calls = recorded(&recording, "AssumeRole");
    assert_eq!(calls.len(), 2, "different tags, a different session");
    assert_eq!(
        tags_of(&calls[1]),
        (
            pairs(&[
                ("Team", "ops"),
                ("Project", "env"),
                ("Cost", "42"),
                ("Who", "me me")
            ]),
            vec!["Team".to_string(), "Who".to_string()]
        )
    );
    // The flags are recorded for renewal (in bash: the code evaluated, then
    // the hook's `env --renew`), and the same tags hit the cache.
    assert!(code.contains("--transitive-tag=Who"), "{code}");
    let renew = sandbox
        .command("bash")
        .env("AWS_SESSION_TAGS", "Project=env,Cost=42")
        .args(["--norc", "--noprofile", "-c"])
        .arg(format!(
            "eval \"$1\" && '{}' env --renew --shell bash >/dev/null && echo \"renewed $STSENV_PROFILE\"",
            stsenv_tests::stsenv_bin().display()
        ))
        .arg("bash")
        .arg(&code)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(stsenv_tests::succeeded(&renew)),
        "renewed tagged\n"
    );
    assert_eq!(
        recorded(&recording, "AssumeRole").len(),
        2,
        "renewal reused the tagged session"
    );

    // explain shows them.
    let explain = ok(&sandbox, &["explain", "tagged", "--session-tag", "Who=me"]);
    assert!(
        explain.contains("session tags Team=ops, Project=x:y/z@w, Who=me (transitive: Team)"),
        "{explain}"
    );

    // Tags on GetFederationToken (no transitive keys there).
    ok(
        &sandbox,
        &[
            "env",
            "base",
            "--federation",
            "fed",
            "--session-tag",
            "Team=fed",
            "--shell",
            "json",
        ],
    );
    let fed = recorded(&recording, "GetFederationToken");
    assert_eq!(fed.len(), 1);
    assert_eq!(tags_of(&fed[0]), (pairs(&[("Team", "fed")]), Vec::new()));
    assert_eq!(param(&fed[0], "Name"), Some("fed"));
}

#[test]
fn bad_tags_are_refused_before_any_call() {
    let (moto, recording) = recording_moto();
    let sandbox = Sandbox::with_base_keys(&moto, CONFIG);
    let long = format!("Team={}", "v".repeat(257));
    for (args, expected) in [
        (vec!["--session-tag", "Team"], "KEY=VALUE"),
        (vec!["--session-tag", long.as_str()], "at most 256"),
        (vec!["--session-tag", "Bad*Key=1"], "`*`"),
        (
            vec!["--transitive-tag", "Nope"],
            "not one of the session tags",
        ),
    ] {
        let mut all = vec!["env", "tagged"];
        all.extend(args);
        let err = fails(&sandbox, &all, 1);
        assert!(err.contains(expected), "{all:?}: {err}");
    }
    let err = sandbox
        .stsenv()
        .env("AWS_SESSION_TAGS", "aws:x=1")
        .args(["env", "tagged"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&err.stderr).contains("reserves"));
    assert!(err.stdout.is_empty());
    assert!(
        recorded(&recording, "AssumeRole").is_empty()
            && recorded(&recording, "GetCallerIdentity").is_empty(),
        "no call was made"
    );
    // The recorder was on: a good call is there.
    ok(&sandbox, &["env", "tagged"]);
    assert_eq!(recorded(&recording, "AssumeRole").len(), 1);
}

//! `stsenv keys …` against a real Secret Service (gnome-keyring on a
//! private D-Bus session bus, see `stsenv_tests::keyring`) and moto's IAM
//! and STS: import keeps every other byte of the AWS files, a failure
//! before the keystore confirms leaves them identical, rotation replaces
//! the key in IAM and in the keystore, `kill -9` at any step of it leaves a
//! working key stored, and no secret ever reaches argv, stdout or stderr.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use stsenv_tests::{keyring, stsenv_bin, Moto, Sandbox};

use crate::util::on_path;

/// The user's config: CRLF, a comment, a role sourced from `base` with MFA.
pub(crate) const CONFIG: &str = "# my AWS setup\r\n[profile base]\r\nregion = eu-west-1\r\n\r\n[profile dev]\r\nrole_arn = arn:aws:iam::123456789012:role/dev\r\nsource_profile = base\r\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\r\nregion = eu-west-1\r\n";

/// The config after import: one line added to `[profile base]`.
pub(crate) const CONFIG_MARKED: &str = "# my AWS setup\r\n[profile base]\r\nregion = eu-west-1\r\nstsenv_keyring = true\r\n\r\n[profile dev]\r\nrole_arn = arn:aws:iam::123456789012:role/dev\r\nsource_profile = base\r\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\r\nregion = eu-west-1\r\n";

/// A session bus that knows no activatable services.
const BUS_WITHOUT_SERVICES: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:tmpdir=/tmp</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy></busconfig>
"#;

/// An IAM user in moto with one access key.
pub(crate) struct IamUser {
    pub(crate) name: String,
    pub(crate) key: String,
    pub(crate) secret: String,
}

impl IamUser {
    pub(crate) fn arn(&self) -> String {
        format!("arn:aws:iam::123456789012:user/{}", self.name)
    }

    /// The credentials file: comments, CRLF, odd spacing and case, another
    /// profile with keys, and a key after the two that move.
    pub(crate) fn credentials(&self) -> String {
        format!(
            "; keys\r\n[other]\r\naws_access_key_id = AKIAOTHEROTHEROTHER1\r\naws_secret_access_key = other/secret/value/0000\r\n\r\n[ base ]  # mine\r\nAWS_ACCESS_KEY_ID={}\r\n# rotated monthly\r\naws_secret_access_key   =   {}   \r\noutput = json\r\n",
            self.key, self.secret
        )
    }

    /// The credentials file after import: exactly two lines fewer.
    pub(crate) fn credentials_imported(&self) -> String {
        "; keys\r\n[other]\r\naws_access_key_id = AKIAOTHEROTHEROTHER1\r\naws_secret_access_key = other/secret/value/0000\r\n\r\n[ base ]  # mine\r\n# rotated monthly\r\noutput = json\r\n".to_string()
    }
}

/// One call to moto's IAM query API (moto checks no signature, only the
/// service named in the credential scope).
pub(crate) fn iam(moto: &Moto, params: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", moto.port)).expect("moto listens");
    let body = format!("{params}&Version=2010-05-08");
    write!(
        stream,
        "POST / HTTP/1.0\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/x-www-form-urlencoded\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0\r\nContent-Length: {}\r\n\r\n{body}",
        moto.port,
        body.len()
    )
    .expect("request sent");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response");
    assert!(
        response.starts_with("HTTP/1.0 200") || response.starts_with("HTTP/1.1 200"),
        "{response}"
    );
    response
}

/// Every `<tag>…</tag>` text in `xml`.
pub(crate) fn xml_all(xml: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    xml.split(&open)
        .skip(1)
        .filter_map(|rest| rest.split(&close).next().map(str::to_string))
        .collect()
}

/// A new IAM user (unique per call: the emulator is shared) with one key.
pub(crate) fn new_user(moto: &Moto) -> IamUser {
    static N: AtomicUsize = AtomicUsize::new(0);
    let name = format!(
        "user{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    iam(moto, &format!("Action=CreateUser&UserName={name}"));
    let created = iam(moto, &format!("Action=CreateAccessKey&UserName={name}"));
    IamUser {
        key: xml_all(&created, "AccessKeyId").remove(0),
        secret: xml_all(&created, "SecretAccessKey").remove(0),
        name,
    }
}

/// The user's access key ids in IAM.
pub(crate) fn iam_keys(moto: &Moto, user: &str) -> Vec<String> {
    let mut keys = xml_all(
        &iam(moto, &format!("Action=ListAccessKeys&UserName={user}")),
        "AccessKeyId",
    );
    keys.sort();
    keys
}

/// A sandbox whose `base` profile holds `user`'s keys in the files.
pub(crate) fn setup(moto: &Moto) -> (Sandbox, IamUser) {
    let user = new_user(moto);
    let sandbox = Sandbox::with_moto(moto);
    sandbox.config(CONFIG).credentials(&user.credentials());
    (sandbox, user)
}

pub(crate) fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path).expect("readable")
}

/// The passphrase of the file keystore in these tests.
pub(crate) const PASSPHRASE: &str = "correct horse battery staple";

/// The keystore a test drives: the OS one (the sandbox's own Secret
/// Service) or the encrypted file (the passphrase in the environment, never
/// a D-Bus address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keystore {
    Os,
    File,
}

/// The OS keystore.
const OS: Keystore = Keystore::Os;

impl Keystore {
    /// `stsenv` with this keystore as the default.
    pub(crate) fn stsenv(self, sandbox: &Sandbox) -> assert_cmd::Command {
        match self {
            Keystore::Os => sandbox.keyring_stsenv(),
            Keystore::File => {
                let mut cmd = sandbox.stsenv();
                cmd.env("STSENV_KEYSTORE", "file")
                    .env("STSENV_KEYSTORE_PASSPHRASE", PASSPHRASE);
                cmd
            }
        }
    }

    /// `stsenv ARGS`; the whole output.
    pub(crate) fn run(self, sandbox: &Sandbox, args: &[&str]) -> std::process::Output {
        self.stsenv(sandbox).args(args).output().expect("runs")
    }

    /// `stsenv ARGS` killed at the kill point `step` (debug builds): it
    /// must not finish; its output.
    pub(crate) fn killed_at(
        self,
        sandbox: &Sandbox,
        step: &str,
        args: &[&str],
    ) -> std::process::Output {
        let killed = self
            .stsenv(sandbox)
            .env("STSENV_TEST_KILL_AT", step)
            .args(args)
            .output()
            .expect("runs");
        assert!(
            !killed.status.success(),
            "{step}: the kill point was reached"
        );
        killed
    }

    /// Like [`Keystore::run`], asserting success; stdout.
    pub(crate) fn ok(self, sandbox: &Sandbox, args: &[&str]) -> String {
        let out = self.run(sandbox, args);
        String::from_utf8(stsenv_tests::succeeded(&out).to_vec()).expect("utf-8")
    }

    /// The key id and secret the keystore hands out for `base`
    /// (credential-process prints them).
    pub(crate) fn stored(self, sandbox: &Sandbox) -> (String, String) {
        let doc: serde_json::Value =
            serde_json::from_str(&self.ok(sandbox, &["credential-process", "base"])).expect("JSON");
        let field = |name: &str| doc[name].as_str().expect(name).to_string();
        (field("AccessKeyId"), field("SecretAccessKey"))
    }

    /// Whom `profile` signs as.
    pub(crate) fn arn(self, sandbox: &Sandbox, profile: &str) -> String {
        let doc: serde_json::Value =
            serde_json::from_str(&self.ok(sandbox, &["whoami", profile, "--json"])).expect("JSON");
        doc["Arn"].as_str().expect("an ARN").to_string()
    }
}

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn import_moves_the_keys_and_keeps_every_other_byte() {
    if !keyring::available() {
        return;
    }
    let moto = Moto::shared();
    let (sandbox, user) = setup(moto);
    let out = OS.run(&sandbox, &["keys", "import", "base"]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    assert!(!stdout.contains(&user.secret) && !stderr.contains(&user.secret));
    let offered = stdout
        .lines()
        .find(|l| l.starts_with("credential_process = "))
        .unwrap_or_else(|| panic!("no credential_process line offered: {stdout}"));
    assert_eq!(
        offered,
        "credential_process = stsenv credential-process base"
    );
    assert!(stdout.contains(&user.arn()), "{stdout}");

    // Byte-exact: two lines gone from one file, one line added to the other.
    assert_eq!(
        read(sandbox.credentials_path()),
        user.credentials_imported()
    );
    assert_eq!(read(sandbox.config_path()), CONFIG_MARKED);
    // The backup is the previous file without the two key lines.
    let backup = sandbox.home().join(".aws/credentials.bak");
    assert_eq!(read(&backup), user.credentials_imported());
    let mode = std::fs::metadata(&backup).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "the backup holds other keys: private");
    assert_eq!(read(sandbox.home().join(".aws/config.bak")), CONFIG);

    // The keystore serves it; listings say so, with no secret.
    let list = OS.ok(&sandbox, &["keys", "list"]);
    assert!(
        list.starts_with("base") && list.contains("keys in keyring"),
        "{list}"
    );
    assert!(!list.contains(&user.key), "key ids are masked: {list}");
    let profiles = OS.ok(&sandbox, &["profiles"]);
    let base_row = profiles.lines().find(|l| l.starts_with("base")).unwrap();
    assert!(base_row.contains("keys in keyring"), "{profiles}");
    let explain = OS.ok(&sandbox, &["explain", "dev"]);
    assert!(
        explain.contains("1. keys in keyring: profile `base`"),
        "{explain}"
    );
    assert!(
        explain.contains("2. sts:GetSessionToken with MFA"),
        "{explain}"
    );
    assert_eq!(OS.arn(&sandbox, "base"), user.arn());
    assert_eq!(OS.stored(&sandbox).0, user.key);

    // A role sourced from the keyring profile, through an MFA session.
    let env = OS.ok(
        &sandbox,
        &["env", "dev", "--shell", "bash", "--token-code", "123456"],
    );
    let key = stsenv_tests::exported_value(env.as_bytes(), "AWS_ACCESS_KEY_ID").unwrap();
    assert!(key.starts_with("ASIA"), "{env}");
    assert_eq!(
        crate::util::assumed_role(moto, &key)["role_arn"],
        "arn:aws:iam::123456789012:role/dev"
    );
    // GetFederationToken needs long-term keys: keyring ones are.
    let name = format!("fed-{}", user.name);
    OS.ok(
        &sandbox,
        &["env", "base", "--federation", &name, "--shell", "json"],
    );
    let tokens = moto.state()["sts"]["Token"].clone();
    assert!(
        tokens
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == name.as_str()),
        "moto saw no GetFederationToken for {name}: {tokens}"
    );

    // The AWS CLI, through the offered line.
    assert!(
        on_path("aws"),
        "the AWS CLI is needed (cargo xtask test installs it)"
    );
    let with_line = CONFIG_MARKED.replace(
        "stsenv_keyring = true\r\n",
        &format!("stsenv_keyring = true\r\n{offered}\r\n"),
    );
    sandbox.config(&with_line);
    let bin_dir = stsenv_bin().parent().unwrap().display().to_string();
    let path = format!("{bin_dir}:{}", std::env::var("PATH").unwrap_or_default());
    let out = sandbox
        .keyring_command()
        .env("PATH", path)
        .args([
            "aws",
            "sts",
            "get-caller-identity",
            "--profile",
            "base",
            "--output",
            "json",
        ])
        .output()
        .unwrap();
    let identity: serde_json::Value =
        serde_json::from_slice(stsenv_tests::succeeded(&out)).expect("JSON");
    assert_eq!(identity["Arn"], user.arn());
    // stsenv itself still takes the keyring, not the line pointing back at it.
    assert_eq!(OS.arn(&sandbox, "base"), user.arn());
}

/// The command exists to take keys out of plaintext: after it, no byte of
/// the secret is left anywhere in the sandbox (HOME with the AWS files and
/// their backups, the cache), wherever the keys were (credentials or
/// config file), and neither backup holds a key line.
#[test]
fn import_leaves_no_byte_of_the_secret_on_disk() {
    if !keyring::available() {
        return;
    }
    let moto = Moto::shared();
    // The keys in the credentials file, then in the config file.
    let (sandbox, user) = setup(moto);
    let (in_config, config_user) = setup(moto);
    in_config.credentials("");
    let keys = format!(
        "aws_access_key_id = {}\r\naws_secret_access_key = {}\r\n",
        config_user.key, config_user.secret
    );
    in_config.config(&CONFIG.replace(
        "[profile base]\r\nregion = eu-west-1\r\n",
        &format!("[profile base]\r\nregion = eu-west-1\r\n{keys}"),
    ));
    for (sandbox, user) in [(&sandbox, &user), (&in_config, &config_user)] {
        OS.ok(sandbox, &["keys", "import", "base"]);
        assert_eq!(OS.stored(sandbox).0, user.key);
        let left = stsenv_tests::files_containing(sandbox.path(), &user.secret);
        assert!(left.is_empty(), "the secret is still in {left:?}");
        for backup in [".aws/credentials.bak", ".aws/config.bak"] {
            let Ok(text) = std::fs::read_to_string(sandbox.home().join(backup)) else {
                continue;
            };
            assert!(
                !text.contains(&user.key),
                "{backup} keeps the key line: {text}"
            );
        }
    }
}

#[test]
fn import_failures_before_the_confirmation_leave_the_files_identical() {
    if !keyring::available() {
        return;
    }
    let moto = Moto::shared();
    let (sandbox, user) = setup(moto);
    let unchanged = |sandbox: &Sandbox| {
        assert_eq!(read(sandbox.credentials_path()), user.credentials());
        assert_eq!(read(sandbox.config_path()), CONFIG);
        assert!(!sandbox.home().join(".aws/credentials.bak").exists());
    };

    // No Secret Service at all (no session bus): a clear error, no fallback.
    let err = crate::util::fails(&sandbox, &["keys", "import", "base"], 1);
    assert!(err.contains("profile `base`"), "{err}");
    assert!(
        err.contains("Secret Service") && err.contains("gnome-keyring"),
        "{err}"
    );
    assert!(err.contains("never falls back"), "{err}");
    unchanged(&sandbox);

    // A session bus on which no Secret Service answers (and none can be activated).
    let conf = sandbox.path().join("bus.conf");
    std::fs::write(&conf, BUS_WITHOUT_SERVICES).unwrap();
    let out = sandbox
        .command("dbus-run-session")
        .arg(format!("--config-file={}", conf.display()))
        .arg("--")
        .arg(stsenv_bin())
        .args(["keys", "import", "base"])
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert!(!out.status.success() && out.stdout.is_empty());
    assert!(
        err.contains("no Secret Service answers on the D-Bus session bus"),
        "{err}"
    );
    assert!(err.contains("gnome-keyring"), "{err}");
    unchanged(&sandbox);

    // The keys cannot be verified (STS unreachable).
    let dead = Sandbox::new().endpoint(&format!("http://127.0.0.1:{}", stsenv_tests::free_port()));
    dead.config(CONFIG).credentials(&user.credentials());
    let out = OS.run(&dead, &["keys", "import", "base"]);
    assert!(!out.status.success() && out.stdout.is_empty());
    assert!(
        text(&out.stderr).contains("sts:GetCallerIdentity"),
        "{}",
        text(&out.stderr)
    );
    unchanged(&dead);
    assert_eq!(OS.ok(&dead, &["keys", "list", "--json"]), "[]\n");

    // Killed after verifying, before storing.
    OS.killed_at(&sandbox, "import-verified", &["keys", "import", "base"]);
    unchanged(&sandbox);
    assert_eq!(OS.ok(&sandbox, &["keys", "list", "--json"]), "[]\n");

    // Killed after the keystore confirmed, before any file was written:
    // the files are intact and a second run finishes the job.
    OS.killed_at(&sandbox, "import-stored", &["keys", "import", "base"]);
    unchanged(&sandbox);
    assert!(OS
        .ok(&sandbox, &["keys", "list"])
        .contains("keys in keyring, but the profile lacks"));

    // Killed between the two files: marked, keys still in the credentials
    // file (they win over the mark), and the profile works throughout.
    OS.killed_at(&sandbox, "import-marked", &["keys", "import", "base"]);
    assert_eq!(read(sandbox.config_path()), CONFIG_MARKED);
    assert_eq!(read(sandbox.credentials_path()), user.credentials());
    assert_eq!(OS.arn(&sandbox, "base"), user.arn());
    OS.ok(&sandbox, &["keys", "import", "base"]);
    assert_eq!(
        read(sandbox.credentials_path()),
        user.credentials_imported()
    );
    assert_eq!(read(sandbox.config_path()), CONFIG_MARKED);
    assert_eq!(OS.arn(&sandbox, "base"), user.arn());
}

#[test]
fn rotate_replaces_the_key_in_iam_and_in_the_keystore() {
    if !keyring::available() {
        return;
    }
    let moto = Moto::shared();
    let (sandbox, user) = setup(moto);
    OS.ok(&sandbox, &["keys", "import", "base"]);
    let out = OS.run(&sandbox, &["keys", "rotate", "base"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("Rotated the access key of profile `base`"));
    let new = OS.stored(&sandbox).0;
    assert_ne!(new, user.key);
    assert!(new.starts_with("AKIA"), "{new}");
    // What the AWS CLI sees in IAM: the new key only.
    let listed = sandbox
        .command("aws")
        .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .args([
            "iam",
            "list-access-keys",
            "--user-name",
            &user.name,
            "--output",
            "json",
        ])
        .output()
        .unwrap();
    let listed: serde_json::Value =
        serde_json::from_slice(stsenv_tests::succeeded(&listed)).expect("JSON");
    let ids: Vec<&str> = listed["AccessKeyMetadata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["AccessKeyId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [new.as_str()]);
    assert_eq!(OS.arn(&sandbox, "base"), user.arn());
    // The files were not touched by the rotation.
    assert_eq!(
        read(sandbox.credentials_path()),
        user.credentials_imported()
    );
}

#[test]
fn rotate_with_mfa_goes_through_the_mfa_session() {
    if !keyring::available() {
        return;
    }
    let moto = Moto::start();
    let (sandbox, user) = setup(&moto);
    let config = CONFIG.replace(
        "region = eu-west-1\r\n\r\n[profile dev]",
        "region = eu-west-1\r\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\r\n\r\n[profile dev]",
    );
    sandbox.config(&config);
    OS.ok(&sandbox, &["keys", "import", "base"]);
    // No terminal and no code: nothing happens, exit 3 like every MFA need.
    let out = OS.run(&sandbox, &["keys", "rotate", "base"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert_eq!(iam_keys(&moto, &user.name), std::slice::from_ref(&user.key));
    let sessions = moto.session_token_calls();
    OS.ok(
        &sandbox,
        &["keys", "rotate", "base", "--token-code", "123456"],
    );
    assert_eq!(moto.session_token_calls(), sessions + 1, "one MFA session");
    // credential-process would give the MFA session: compare the listing with IAM.
    let keys = iam_keys(&moto, &user.name);
    assert_eq!(keys.len(), 1);
    assert_ne!(keys[0], user.key);
    let list: serde_json::Value =
        serde_json::from_str(&OS.ok(&sandbox, &["keys", "list", "--json"])).expect("JSON");
    assert_eq!(list[0]["access_key_id"], mask(&keys[0]));
    // The cached MFA session is reused by the next rotation: no code asked.
    OS.ok(&sandbox, &["keys", "rotate", "base"]);
    assert_eq!(moto.session_token_calls(), sessions + 1);
}

/// How stsenv shows a key id: `AKIA…WXYZ`.
pub(crate) fn mask(id: &str) -> String {
    format!("{}…{}", &id[..4], &id[id.len() - 4..])
}

#[test]
fn rotate_killed_at_any_step_leaves_a_working_key_stored() {
    if !keyring::available() {
        return;
    }
    rotate_killed_at_any_step(OS, |_, _| {});
}

/// `keys rotate` killed at each of its steps (a sandbox each, in
/// parallel): after every kill a working key, one IAM knows, is stored and
/// what the killed run said last names it; running it again finishes:
/// one key in IAM, the stored one, new. `also` checks what is particular
/// to the keystore, after that.
pub(crate) fn rotate_killed_at_any_step(keystore: Keystore, also: impl Fn(&Sandbox, &str) + Sync) {
    let moto = Moto::shared();
    let steps = [
        "started", "created", "pending", "verified", "stored", "deleted",
    ];
    let also = &also;
    std::thread::scope(|scope| {
        for step in steps {
            scope.spawn(move || {
                let (sandbox, user) = setup(moto);
                keystore.ok(&sandbox, &["keys", "import", "base"]);
                let killed = keystore.killed_at(&sandbox, step, &["keys", "rotate", "base"]);
                assert_eq!(
                    keystore.arn(&sandbox, "base"),
                    user.arn(),
                    "after a kill at {step}"
                );
                let (stored, _) = keystore.stored(&sandbox);
                assert!(iam_keys(moto, &user.name).contains(&stored), "{step}");
                let said = text(&killed.stderr);
                if let Some(last) = said.lines().rfind(|l| l.starts_with("stsenv: ")) {
                    assert!(last.contains(&mask(&stored)), "{step}: {last} vs {stored}");
                }
                let again = keystore.run(&sandbox, &["keys", "rotate", "base"]);
                assert!(again.status.success(), "{step}: {}", text(&again.stderr));
                let (stored, _) = keystore.stored(&sandbox);
                assert_ne!(stored, user.key, "{step}");
                assert_eq!(iam_keys(moto, &user.name), [stored], "{step}");
                assert_eq!(keystore.arn(&sandbox, "base"), user.arn(), "{step}");
                also(&sandbox, step);
            });
        }
    });
}

#[test]
fn secrets_never_reach_argv_stdout_or_stderr() {
    if !keyring::available() {
        return;
    }
    assert!(
        on_path("strace"),
        "strace is needed (apt-get install strace)"
    );
    let moto = Moto::shared();
    let (sandbox, user) = setup(moto);
    let added = new_user(moto);
    let traced = |args: &[&str], stdin: &str, name: &str| {
        let trace = sandbox.path().join(format!("{name}.trace"));
        let out = sandbox
            .command("strace")
            .args(["-f", "-qq", "-e", "trace=execve", "-s", "4096", "-o"])
            .arg(&trace)
            .arg("sh")
            .arg(keyring::session_script())
            .arg(stsenv_bin())
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                child.stdin.take().unwrap().write_all(stdin.as_bytes())?;
                child.wait_with_output()
            })
            .unwrap();
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        let trace = read(trace);
        let program = format!("execve(\"{}\"", stsenv_bin().display());
        assert!(
            trace.contains(&program),
            "{name}: strace did not see stsenv start"
        );
        trace + &text(&out.stdout) + &text(&out.stderr)
    };
    let import = traced(&["keys", "import", "base"], "", "import");
    assert!(!import.contains(&user.secret), "import leaked the secret");
    let add = traced(
        &["keys", "add", "other-user", "--stdin"],
        &format!("{}\n{}\n", added.key, added.secret),
        "add",
    );
    assert!(!add.contains(&added.secret), "add leaked the secret");
    let rotate = traced(&["keys", "rotate", "base"], "", "rotate");
    let new_secret = {
        let doc: serde_json::Value =
            serde_json::from_str(&OS.ok(&sandbox, &["credential-process", "base"])).unwrap();
        doc["SecretAccessKey"].as_str().unwrap().to_string()
    };
    assert_ne!(new_secret, user.secret);
    assert!(
        !rotate.contains(&new_secret),
        "rotate leaked the new secret"
    );
    assert!(
        !rotate.contains(&user.secret),
        "rotate leaked the old secret"
    );
    let whoami = traced(&["whoami", "base"], "", "whoami");
    assert!(!whoami.contains(&new_secret), "whoami leaked the secret");
}

#[test]
fn keys_add_asks_on_the_terminal_without_echo() {
    if !keyring::available() || !on_path("tmux") {
        assert!(
            std::env::var_os("CI").is_none() || on_path("tmux"),
            "tmux is needed"
        );
        return;
    }
    let moto = Moto::shared();
    let user = new_user(moto);
    let sandbox = Sandbox::with_moto(moto);
    sandbox.config("[profile base]\nregion = eu-west-1\n");
    let socket = sandbox.path().join("tmux.sock");
    let tmux = |args: &[&str]| {
        sandbox
            .command("tmux")
            .env("TERM", "xterm-256color")
            .arg("-S")
            .arg(&socket)
            .args(args)
            .output()
            .expect("tmux runs")
    };
    let command = format!(
        "sh {} {} keys add laptop; echo EXIT=$?; sleep 60",
        keyring::session_script().display(),
        stsenv_bin().display()
    );
    let started = tmux(&[
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-x",
        "150",
        "-y",
        "30",
        &command,
    ]);
    assert!(started.status.success(), "{}", text(&started.stderr));
    let wait_for = |needle: &str| {
        let deadline = Instant::now() + stsenv_tests::PATIENCE;
        loop {
            let screen = text(&tmux(&["capture-pane", "-p", "-t", "0", "-J"]).stdout);
            if screen.contains(needle) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "waited for {needle:?}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    wait_for("AWS access key ID for laptop:");
    assert!(tmux(&["send-keys", "-t", "0", "-l", &user.key])
        .status
        .success());
    assert!(tmux(&["send-keys", "-t", "0", "Enter"]).status.success());
    wait_for("AWS secret access key for laptop (not shown):");
    assert!(tmux(&["send-keys", "-t", "0", "-l", &user.secret])
        .status
        .success());
    assert!(tmux(&["send-keys", "-t", "0", "Enter"]).status.success());
    let screen = wait_for("EXIT=");
    let _ = tmux(&["kill-server"]);
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(screen.contains("Stored the access key"), "{screen}");
    assert!(
        !screen.contains(&user.secret),
        "the secret was echoed:\n{screen}"
    );
    assert!(
        !screen.contains(&user.key),
        "the key id was echoed:\n{screen}"
    );
    assert_eq!(
        read(sandbox.config_path()),
        "[profile base]\nregion = eu-west-1\n\n[profile laptop]\nstsenv_keyring = true\n"
    );
    assert_eq!(OS.arn(&sandbox, "laptop"), user.arn());
}

#[test]
fn remove_forgets_the_key_and_the_mark() {
    if !keyring::available() {
        return;
    }
    let (sandbox, user) = setup(Moto::shared());
    OS.ok(&sandbox, &["keys", "import", "base"]);
    // Without a terminal to confirm on, nothing is removed.
    let out = OS.run(&sandbox, &["keys", "remove", "base"]);
    assert!(!out.status.success() && out.stdout.is_empty());
    assert!(text(&out.stderr).contains("--yes"), "{}", text(&out.stderr));
    assert_eq!(OS.stored(&sandbox).0, user.key);
    OS.ok(&sandbox, &["keys", "remove", "base", "--yes"]);
    assert_eq!(
        read(sandbox.config_path()),
        CONFIG,
        "the mark is gone, nothing else"
    );
    assert_eq!(OS.ok(&sandbox, &["keys", "list", "--json"]), "[]\n");
    let out = OS.run(&sandbox, &["whoami", "base"]);
    assert!(!out.status.success() && out.stdout.is_empty());
    assert!(text(&out.stderr).contains("profile `base`"));
}

#[test]
fn a_marked_profile_without_stored_keys_says_what_to_do() {
    if !keyring::available() {
        return;
    }
    let sandbox = Sandbox::with_moto(Moto::shared());
    sandbox.config("[profile base]\nstsenv_keyring = true\n[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\nsource_profile = base\n");
    let out = OS.run(&sandbox, &["env", "dev"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(
        err.contains("profile `base`: marked stsenv_keyring = true, but the Secret Service keystore holds no keys for it: run `stsenv keys add base`"),
        "{err}"
    );
}

#[test]
fn rotate_stops_when_the_user_already_has_two_keys() {
    if !keyring::available() {
        return;
    }
    let moto = Moto::shared();
    let (sandbox, user) = setup(moto);
    OS.ok(&sandbox, &["keys", "import", "base"]);
    let other = xml_all(
        &iam(
            moto,
            &format!("Action=CreateAccessKey&UserName={}", user.name),
        ),
        "AccessKeyId",
    )
    .remove(0);
    let out = OS.run(&sandbox, &["keys", "rotate", "base"]);
    assert!(!out.status.success() && out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(err.contains("already has two access keys"), "{err}");
    assert!(err.contains(&format!("--access-key-id {other}")), "{err}");
    let mut both = vec![user.key.clone(), other];
    both.sort();
    assert_eq!(
        iam_keys(moto, &user.name),
        both,
        "nothing created or deleted"
    );
    assert_eq!(OS.stored(&sandbox).0, user.key);
}

#[test]
fn rotate_starts_over_when_the_pending_key_was_deleted_in_iam() {
    if !keyring::available() {
        return;
    }
    let moto = Moto::shared();
    let (sandbox, user) = setup(moto);
    OS.ok(&sandbox, &["keys", "import", "base"]);
    let killed = sandbox
        .keyring_stsenv()
        .env("STSENV_TEST_KILL_AT", "pending")
        .args(["keys", "rotate", "base"])
        .output()
        .unwrap();
    assert!(!killed.status.success());
    let pending = iam_keys(moto, &user.name)
        .into_iter()
        .find(|k| *k != user.key)
        .expect("the pending key exists in IAM");
    iam(
        moto,
        &format!(
            "Action=DeleteAccessKey&UserName={}&AccessKeyId={pending}",
            user.name
        ),
    );
    OS.ok(&sandbox, &["keys", "rotate", "base"]);
    let stored = OS.stored(&sandbox).0;
    assert!(
        stored != user.key && stored != pending,
        "a fresh key: {stored}"
    );
    assert_eq!(iam_keys(moto, &user.name), [stored]);
}

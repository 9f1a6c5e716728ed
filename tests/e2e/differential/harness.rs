//! Runs one [`Case`] through botocore (`tests/support/botocore_case.py`)
//! and through stsenv, against the same moto, and records what each did:
//! the identity that answered sts:GetCallerIdentity, every STS call with the
//! identity that signed it (moto's request recorder), the region, and which
//! loopback stand-ins (IMDS, container endpoint, SSO portal) were asked.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::{json, Value};
use stsenv_tests::ecs_stub::{ContainerCredentials, EcsStub};
use stsenv_tests::imds_stub::{ImdsStub, RoleCredentials};
use stsenv_tests::sso_stub::SsoStub;
use stsenv_tests::{stsenv_bin, workspace_root, Moto, Sandbox};

/// The keys moto's GetSessionToken always answers.
const SESSION_TOKEN_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
/// The prefix of the SSO stand-in's role credentials.
const SSO_KEY_PREFIX: &str = "ASIASSOSTUB";
/// The STS actions a trace keeps (moto also records the IAM set-up calls).
const STS_ACTIONS: [&str; 5] = [
    "AssumeRole",
    "AssumeRoleWithWebIdentity",
    "GetSessionToken",
    "GetFederationToken",
    "GetCallerIdentity",
];

/// What stsenv must do, compared with botocore.
pub enum Expect {
    /// The same identity signs the same STS calls in the same region, or both fail.
    Same,
    /// A documented difference; `check` asserts what stsenv does on purpose.
    Deliberate {
        /// Why, as the table in docs/profiles.md states it.
        reason: &'static str,
        /// Problems found (empty: as intended).
        check: fn(&Observed) -> Vec<String>,
    },
}

/// An SSO token the case puts in `~/.aws/sso/cache` before resolving.
pub struct SsoToken {
    /// sso-session name, or the start URL for legacy profiles (hashed for the file name).
    pub key: String,
    /// `startUrl` in the file.
    pub start_url: String,
    /// `region` in the file.
    pub region: String,
    /// Seconds until it expires (negative: expired).
    pub expires_in: i64,
}

/// One row of the differential table. Texts may use placeholders:
/// `{{keys:NAME}}` (both key lines of moto IAM user NAME), `{{id:NAME}}`,
/// `{{secret:NAME}}`, `{{dir}}` (the sandbox root), `{{imds}}` (the IMDS
/// stand-in), `{{ecs}}` (the container endpoint's full URI), `{{ecs_port}}`,
/// `{{moto}}` (the worker's STS emulator, for rows that configure endpoints
/// themselves), `{{in:SECONDS}}` (an RFC 3339 time that far from now).
pub struct Case {
    /// `group/what`, unique.
    pub name: &'static str,
    config: String,
    credentials: String,
    files: Vec<(String, String)>,
    env: Vec<(String, Option<String>)>,
    profile: Option<String>,
    args: Vec<String>,
    region_flag: Option<String>,
    mfa_code: Option<String>,
    imds_user: Option<String>,
    ecs: Option<(String, Option<String>)>,
    sso_tokens: Vec<SsoToken>,
    mentions: Vec<String>,
    /// The expectation.
    pub expect: Expect,
}

/// Start a row.
pub fn case(name: &'static str) -> Case {
    Case {
        name,
        config: String::new(),
        credentials: String::new(),
        files: Vec::new(),
        env: Vec::new(),
        profile: None,
        args: Vec::new(),
        region_flag: None,
        mfa_code: None,
        imds_user: None,
        ecs: None,
        sso_tokens: Vec::new(),
        mentions: Vec::new(),
        expect: Expect::Same,
    }
}

impl Case {
    /// `~/.aws/config`.
    pub fn config(mut self, text: &str) -> Case {
        self.config = text.to_string();
        self
    }

    /// `~/.aws/credentials`.
    pub fn creds(mut self, text: &str) -> Case {
        self.credentials = text.to_string();
        self
    }

    /// Another file under the sandbox root; `*.sh` files are made executable.
    pub fn file(mut self, path: &str, text: &str) -> Case {
        self.files.push((path.to_string(), text.to_string()));
        self
    }

    /// Set an environment variable for both sides.
    pub fn env(mut self, name: &str, value: &str) -> Case {
        self.env.push((name.to_string(), Some(value.to_string())));
        self
    }

    /// Remove a variable of the sandbox's environment.
    pub fn unset(mut self, name: &str) -> Case {
        self.env.push((name.to_string(), None));
        self
    }

    /// Name the profile (stsenv's PROFILE argument, botocore's `profile=`);
    /// without it both use the environment's choice.
    pub fn profile(mut self, name: &str) -> Case {
        self.profile = Some(name.to_string());
        self
    }

    /// Extra options for stsenv's whoami and exec.
    pub fn args(mut self, args: &[&str]) -> Case {
        self.args.extend(args.iter().map(|a| a.to_string()));
        self
    }

    /// `--region R` for stsenv, and `aws --region R` for botocore.
    pub fn region_flag(mut self, region: &str) -> Case {
        self.region_flag = Some(region.to_string());
        self
    }

    /// The MFA code: `--token-code` for stsenv, botocore's prompt's answer.
    pub fn mfa(mut self, code: &str) -> Case {
        self.mfa_code = Some(code.to_string());
        self.args(&["--token-code", code])
    }

    /// The IMDS stand-in serves the keys of user `user` as role `ec2-role`.
    pub fn imds_role(mut self, user: &str) -> Case {
        self.imds_user = Some(user.to_string());
        self
    }

    /// The container endpoint serves the keys of `user`, requiring `token`.
    pub fn ecs(mut self, user: &str, token: Option<&str>) -> Case {
        self.ecs = Some((user.to_string(), token.map(str::to_string)));
        self
    }

    /// An SSO token for `key` (sso-session name or start URL), valid for `expires_in` s.
    pub fn sso_token(mut self, key: &str, start_url: &str, region: &str, expires_in: i64) -> Case {
        self.sso_tokens.push(SsoToken {
            key: key.to_string(),
            start_url: start_url.to_string(),
            region: region.to_string(),
            expires_in,
        });
        self
    }

    /// Words stsenv's error must contain when both fail (profile names, keys).
    pub fn mentions(mut self, words: &[&str]) -> Case {
        self.mentions.extend(words.iter().map(|w| w.to_string()));
        self
    }

    /// stsenv must match botocore.
    pub fn same(self) -> Case {
        self
    }

    /// stsenv differs on purpose; `check` says how.
    pub fn deliberate(mut self, reason: &'static str, check: fn(&Observed) -> Vec<String>) -> Case {
        self.expect = Expect::Deliberate { reason, check };
        self
    }

    /// The IAM user names the row refers to.
    fn users(&self) -> Vec<String> {
        let mut names = Vec::new();
        let texts = [&self.config, &self.credentials]
            .into_iter()
            .chain(self.files.iter().map(|(_, t)| t))
            .chain(self.env.iter().filter_map(|(_, v)| v.as_ref()));
        for text in texts {
            let mut rest = text.as_str();
            while let Some(start) = rest.find("{{") {
                let after = &rest[start + 2..];
                let end = after.find("}}").unwrap_or(after.len());
                if let Some((kind, name)) = after[..end].split_once(':') {
                    if matches!(kind, "keys" | "id" | "secret") {
                        names.push(name.to_string());
                    }
                }
                rest = &after[end.min(after.len())..];
            }
        }
        names.extend(self.imds_user.iter().cloned());
        names.extend(self.ecs.iter().map(|(u, _)| u.clone()));
        names.sort();
        names.dedup();
        names
    }
}

/// One moto IAM user's access key.
#[derive(Clone, Debug)]
pub struct Keys {
    /// AccessKeyId.
    pub id: String,
    /// SecretAccessKey.
    pub secret: String,
}

/// One STS call as moto received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// `AssumeRole`, `GetCallerIdentity`, …
    pub action: String,
    /// The request's parameters (without Action and Version), session names
    /// normalised (`<default>` for botocore's and stsenv's own defaults) and
    /// STS's default 3600 s duration dropped.
    pub params: BTreeMap<String, String>,
    /// Who signed it: `user:NAME`, `role:ARN`, `sso-role-credentials`,
    /// `get-session-token-keys`, `unsigned`, or `key:"…"` for keys nobody issued.
    pub signer: String,
    /// The SigV4 scope's region (empty when unsigned).
    pub region: String,
    /// `X-Amz-Security-Token`: the literal when the test wrote it (`tok-…`),
    /// `issued` for one STS or a stand-in issued, empty when none was sent.
    pub token: String,
}

impl Call {
    /// One line, for reports and comparison.
    pub fn line(&self) -> String {
        let mut line = self.action.clone();
        for (k, v) in &self.params {
            line.push_str(&format!(" {k}={v}"));
        }
        line.push_str(&format!(" by {}", self.signer));
        if !self.region.is_empty() {
            line.push_str(&format!(" in {}", self.region));
        }
        if !self.token.is_empty() {
            line.push_str(&format!(" +token({})", self.token));
        }
        line
    }
}

/// What one side did.
#[derive(Debug, Default)]
pub struct Side {
    /// sts:GetCallerIdentity succeeded.
    pub ok: bool,
    /// The identity's ARN, session name normalised.
    pub arn: Option<String>,
    /// botocore's `Class: message`, or stsenv's stderr.
    pub error: String,
    /// The STS calls, in order.
    pub trace: Vec<Call>,
    /// botocore: the session's region; stsenv: the region `exec` gives the
    /// child (`AWS_REGION`, else `AWS_DEFAULT_REGION`).
    pub region: Option<String>,
    /// When the credentials expire (epoch seconds).
    pub expires: Option<i64>,
    /// Requests the IMDS stand-in answered.
    pub imds_requests: usize,
    /// Requests the container endpoint answered.
    pub ecs_requests: usize,
    /// SSO GetRoleCredentials calls: `ACCOUNT/ROLE`.
    pub sso_calls: Vec<String>,
}

impl Side {
    /// The calls as lines.
    pub fn lines(&self) -> Vec<String> {
        self.trace.iter().map(Call::line).collect()
    }

    /// The first call of `action`.
    pub fn call(&self, action: &str) -> Option<&Call> {
        self.trace.iter().find(|c| c.action == action)
    }

    /// The actions, in order.
    pub fn actions(&self) -> Vec<&str> {
        self.trace.iter().map(|c| c.action.as_str()).collect()
    }

    fn outcome(&self) -> String {
        match (&self.arn, self.ok) {
            (Some(arn), true) => format!("ok {arn}"),
            _ => format!("fails: {}", first_line(&self.error)),
        }
    }
}

/// Both sides of one row.
#[derive(Debug, Default)]
pub struct Observed {
    /// botocore.
    pub botocore: Side,
    /// stsenv (`whoami --json`, then `exec -- printenv` when that succeeded).
    pub stsenv: Side,
    /// stsenv whoami's stdout.
    pub stsenv_stdout: String,
    /// stsenv whoami's stderr.
    pub stsenv_stderr: String,
    /// The environment `stsenv exec` gave the child.
    pub child_env: BTreeMap<String, String>,
    /// Whose keys `stsenv exec` gave the child (as [`Call::signer`]).
    pub child_signer: Option<String>,
    /// The environment both sides ran with.
    pub env: BTreeMap<String, String>,
}

impl Observed {
    /// Everything both sides did, for `STSENV_DIFF_SHOW=1`.
    pub fn describe(&self) -> String {
        let side = |name: &str, s: &Side| {
            let mut text = format!(
                "  {name}: {} | region {:?} | expires {:?} | imds {} ecs {} sso {:?}\n",
                s.outcome(),
                s.region,
                s.expires,
                s.imds_requests,
                s.ecs_requests,
                s.sso_calls
            );
            for line in s.lines() {
                text.push_str(&format!("      {line}\n"));
            }
            text
        };
        side("botocore", &self.botocore) + &side("stsenv  ", &self.stsenv)
    }

    /// Both succeeded with the same identity.
    pub fn same_identity(&self) -> Vec<String> {
        let (b, s) = (&self.botocore, &self.stsenv);
        if b.ok && s.ok && b.arn == s.arn {
            return Vec::new();
        }
        vec![format!(
            "identity: botocore {} / stsenv {}",
            b.outcome(),
            s.outcome()
        )]
    }

    /// stsenv failed cleanly (nothing on stdout) with all of `words` in its error.
    pub fn stsenv_fails_with(&self, words: &[&str]) -> Vec<String> {
        let mut problems = Vec::new();
        if self.stsenv.ok {
            problems.push(format!("stsenv should fail, got {}", self.stsenv.outcome()));
            return problems;
        }
        if !self.stsenv_stdout.trim().is_empty() {
            problems.push(format!(
                "stsenv printed on stdout: {:?}",
                self.stsenv_stdout
            ));
        }
        for word in words {
            if !self.stsenv_stderr.contains(word) {
                problems.push(format!(
                    "stsenv's error should mention `{word}`: {}",
                    first_line(&self.stsenv_stderr)
                ));
            }
        }
        problems
    }
}

fn first_line(text: &str) -> String {
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    line.chars().take(220).collect()
}

/// `assumed-role/R/botocore-session-123` and `…/stsenv-tester` → `…/<default>`.
fn normalize_arn(arn: &str) -> String {
    match arn.rsplit_once('/') {
        Some((head, session)) if arn.contains(":assumed-role/") => {
            format!("{head}/{}", normalize_session(session))
        }
        _ => arn.to_string(),
    }
}

fn normalize_session(name: &str) -> String {
    let botocore_default = name
        .strip_prefix("botocore-session-")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    if botocore_default || name == "stsenv-tester" {
        "<default>".to_string()
    } else {
        name.to_string()
    }
}

/// The python interpreter with botocore (`cargo xtask test` puts the venv first on PATH).
fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let out = Command::new("python3")
            .args(["-c", "import sys, botocore; print(sys.executable)"])
            .output()
            .expect("python3 runs; `cargo xtask test` installs boto3 into a venv");
        assert!(
            out.status.success(),
            "python3 with botocore is needed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
    })
}

fn helper_script() -> PathBuf {
    workspace_root().join("tests/support/botocore_case.py")
}

/// The python helper in `--serve` mode: one request per line, each with the
/// complete environment to resolve in, one JSON answer per line.
struct Botocore {
    child: std::process::Child,
    answers: std::io::BufReader<std::process::ChildStdout>,
}

impl Botocore {
    fn start(home: &Path) -> Botocore {
        let mut child = Command::new(python())
            .arg(helper_script())
            .arg("--serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", home)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python helper starts");
        let answers = std::io::BufReader::new(child.stdout.take().expect("stdout"));
        Botocore { child, answers }
    }

    /// `request` with `env` as the whole environment; the JSON answer.
    fn ask(&mut self, env: &BTreeMap<String, String>, request: Value) -> Value {
        use std::io::BufRead;
        let mut request = request;
        request["env"] = json!(env);
        let stdin = self.child.stdin.as_mut().expect("stdin");
        writeln!(stdin, "{request}").expect("request written to botocore_case.py");
        let mut line = String::new();
        self.answers
            .read_line(&mut line)
            .expect("botocore_case.py answers");
        serde_json::from_str(&line).unwrap_or_else(|e| {
            panic!("botocore_case.py answered no JSON ({e}): {line:?} (its stderr is above)")
        })
    }
}

impl Drop for Botocore {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One thread's private emulators: moto with its request recorder on, and
/// the SSO, IMDS and container stand-ins. Rows run one at a time on a
/// worker, so everything recorded between two reads belongs to one run.
pub struct Worker {
    moto: Moto,
    recording: PathBuf,
    offset: usize,
    sso: SsoStub,
    imds: ImdsStub,
    ecs: EcsStub,
    users: HashMap<String, Keys>,
    botocore: Botocore,
    _dir: tempfile::TempDir,
}

impl Worker {
    /// Start the emulators and create the IAM users of `cases` (indexed).
    pub fn start(cases: &[(usize, &Case)]) -> Worker {
        let dir = tempfile::tempdir().expect("temp dir");
        let recording = dir.path().join("moto-recording.jsonl");
        let moto = Moto::start_with_env(&[
            ("MOTO_ENABLE_RECORDING", "true"),
            ("MOTO_RECORDER_FILEPATH", &recording.display().to_string()),
        ]);
        let names: Vec<String> = cases
            .iter()
            .flat_map(|(i, case)| case.users().into_iter().map(move |u| format!("c{i}-{u}")))
            .collect();
        let env: BTreeMap<String, String> = [
            ("PATH", std::env::var("PATH").unwrap_or_default()),
            ("HOME", dir.path().display().to_string()),
            ("AWS_ENDPOINT_URL", moto.url.clone()),
            ("AWS_EC2_METADATA_DISABLED", "true".to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let mut botocore = Botocore::start(dir.path());
        let created = botocore.ask(&env, json!({"op": "users", "names": names}));
        let users = created
            .as_object()
            .expect("users answer is an object")
            .iter()
            .map(|(name, keys)| {
                let text = |k: &str| keys[k].as_str().expect("key field").to_string();
                (
                    name.clone(),
                    Keys {
                        id: text("id"),
                        secret: text("secret"),
                    },
                )
            })
            .collect();
        let mut worker = Worker {
            moto,
            recording,
            offset: 0,
            sso: SsoStub::start(),
            imds: ImdsStub::start(),
            ecs: EcsStub::start(),
            users,
            botocore,
            _dir: dir,
        };
        worker.take_trace(&HashMap::new());
        worker
    }

    /// Run row `index` on both sides.
    pub fn observe(&mut self, index: usize, case: &Case) -> Observed {
        let users: HashMap<String, Keys> = case
            .users()
            .into_iter()
            .map(|u| {
                let keys = self.users[&format!("c{index}-{u}")].clone();
                (u, keys)
            })
            .collect();
        let sandbox = Sandbox::new().endpoint(&self.moto.url);
        let ctx = Render {
            dir: sandbox.path().display().to_string(),
            users: &users,
            imds: self.imds.url.clone(),
            ecs: self.ecs.full_uri(),
            moto: self.moto.url.clone(),
        };
        sandbox.config(&ctx.render(&case.config));
        sandbox.credentials(&ctx.render(&case.credentials));
        for (path, text) in &case.files {
            write_file(&sandbox.path().join(path), &ctx.render(text));
        }
        let mut env: BTreeMap<String, String> = sandbox.env().into_iter().collect();
        env.extend(self.sso.env());
        // botocore gives IMDS 1 s and one attempt by default: on a loaded
        // machine that is a flaky row, not a difference.
        env.insert("AWS_METADATA_SERVICE_TIMEOUT".into(), "10".into());
        for (name, value) in &case.env {
            match value {
                Some(v) => env.insert(name.clone(), ctx.render(v)),
                None => env.remove(name),
            };
        }
        self.imds
            .set_role(case.imds_user.as_ref().map(|u| RoleCredentials {
                role: "ec2-role".into(),
                access_key_id: users[u].id.clone(),
                secret_access_key: users[u].secret.clone(),
                token: "tok-imds".into(),
                expiration: ctx.render("{{in:21600}}"),
            }));
        let ecs = case.ecs.as_ref().map(|(u, _)| ContainerCredentials {
            access_key_id: users[u].id.clone(),
            secret_access_key: users[u].secret.clone(),
            token: "tok-ecs-session".into(),
            expiration: ctx.render("{{in:21600}}"),
        });
        self.ecs
            .set(ecs, case.ecs.as_ref().and_then(|(_, t)| t.as_deref()));
        let sso_tokens: Vec<Value> = case
            .sso_tokens
            .iter()
            .enumerate()
            .map(|(n, t)| {
                let token = format!("sso-access-{index}-{n}");
                self.sso.accept_access_token(&token);
                json!({"key": t.key, "start_url": t.start_url, "region": t.region,
                       "token": token, "expires_in": t.expires_in})
            })
            .collect();

        let mut observed = Observed {
            env: env.clone(),
            ..Observed::default()
        };

        // botocore
        self.reset_standins();
        let sso_before = self.sso.calls_of("GetRoleCredentials").len();
        let answer = self.botocore.ask(
            &env,
            json!({
                "op": "resolve",
                "profile": case.profile,
                "region_override": case.region_flag,
                "mfa_code": case.mfa_code,
                "sso_tokens": sso_tokens,
            }),
        );
        let b = &mut observed.botocore;
        b.ok = answer["ok"] == true;
        b.arn = answer["arn"].as_str().map(normalize_arn);
        b.error = format!(
            "{}: {}",
            answer["error"].as_str().unwrap_or_default(),
            answer["message"].as_str().unwrap_or_default()
        );
        b.region = answer["region"].as_str().map(str::to_string);
        b.expires = answer["expires"].as_i64();
        b.trace = self.take_trace(&users);
        b.imds_requests = self.imds.requests().len();
        b.ecs_requests = self.ecs.requests().len();
        b.sso_calls = self.sso_calls_since(sso_before);

        // stsenv whoami
        self.reset_standins();
        let sso_before = self.sso.calls_of("GetRoleCredentials").len();
        let mut whoami: Vec<String> = vec!["whoami".into(), "--json".into()];
        whoami.extend(case.profile.iter().cloned());
        whoami.extend(self.stsenv_options(case));
        let out = stsenv(&env, &whoami);
        observed.stsenv_stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        observed.stsenv_stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let s = &mut observed.stsenv;
        s.ok = out.status.success();
        s.error = observed.stsenv_stderr.clone();
        if s.ok {
            match serde_json::from_slice::<Value>(&out.stdout) {
                Ok(doc) => s.arn = doc["Arn"].as_str().map(normalize_arn),
                Err(e) => {
                    s.ok = false;
                    s.error = format!("whoami --json printed no JSON: {e}");
                }
            }
        }
        s.trace = self.take_trace(&users);
        s.imds_requests = self.imds.requests().len();
        s.ecs_requests = self.ecs.requests().len();
        s.sso_calls = self.sso_calls_since(sso_before);

        // stsenv exec: the child's environment (region, expiration)
        if observed.stsenv.ok {
            let mut exec: Vec<String> = vec!["exec".into()];
            exec.extend(case.profile.iter().cloned());
            exec.extend(self.stsenv_options(case));
            exec.extend(["--".into(), "printenv".into()]);
            let out = stsenv(&env, &exec);
            if out.status.success() {
                observed.child_env = String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .filter_map(|l| l.split_once('='))
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                let child = &observed.child_env;
                observed.stsenv.region = child
                    .get("AWS_REGION")
                    .or_else(|| child.get("AWS_DEFAULT_REGION"))
                    .cloned();
                observed.stsenv.expires = child
                    .get("AWS_CREDENTIAL_EXPIRATION")
                    .and_then(|e| e.parse::<jiff::Timestamp>().ok())
                    .map(|t| t.as_second());
                let by_key: HashMap<&str, &str> = users
                    .iter()
                    .map(|(name, keys)| (keys.id.as_str(), name.as_str()))
                    .collect();
                observed.child_signer = child
                    .get("AWS_ACCESS_KEY_ID")
                    .map(|key| self.signer_of(key, &by_key, &mut None));
            } else {
                observed.stsenv.ok = false;
                observed.stsenv.error = format!(
                    "whoami worked but exec failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            self.take_trace(&users);
        }
        observed
    }

    fn stsenv_options(&self, case: &Case) -> Vec<String> {
        let mut args = case.args.clone();
        if let Some(region) = &case.region_flag {
            args.extend(["--region".to_string(), region.clone()]);
        }
        args
    }

    fn reset_standins(&self) {
        self.imds.clear_requests();
        self.ecs.clear_requests();
    }

    fn sso_calls_since(&self, before: usize) -> Vec<String> {
        self.sso.calls_of("GetRoleCredentials")[before..]
            .iter()
            .map(|c| {
                format!(
                    "{}/{}",
                    c.query.get("account_id").cloned().unwrap_or_default(),
                    c.query.get("role_name").cloned().unwrap_or_default()
                )
            })
            .collect()
    }

    /// The STS calls moto recorded since the last read.
    fn take_trace(&mut self, users: &HashMap<String, Keys>) -> Vec<Call> {
        let text = std::fs::read_to_string(&self.recording).unwrap_or_default();
        let new = text.get(self.offset..).unwrap_or_default().to_string();
        self.offset = text.len();
        let by_key: HashMap<&str, &str> = users
            .iter()
            .map(|(name, keys)| (keys.id.as_str(), name.as_str()))
            .collect();
        let mut roles: Option<HashMap<String, String>> = None;
        let mut calls = Vec::new();
        for line in new.lines() {
            let Ok(entry) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            let body = match (entry["body"].as_str(), entry["body_encoded"] == true) {
                (Some(b), true) => String::from_utf8_lossy(&base64_decode(b)).into_owned(),
                (Some(b), false) => b.to_string(),
                (None, _) => String::new(),
            };
            let mut params: BTreeMap<String, String> = form_decode(&body).into_iter().collect();
            let Some(action) = params.remove("Action") else {
                continue;
            };
            if !STS_ACTIONS.contains(&action.as_str()) {
                continue;
            }
            params.remove("Version");
            if let Some(name) = params.get_mut("RoleSessionName") {
                *name = normalize_session(name);
            }
            if action.starts_with("AssumeRole")
                && params.get("DurationSeconds").map(String::as_str) == Some("3600")
            {
                params.remove("DurationSeconds");
            }
            let headers: HashMap<String, String> = entry["headers"]
                .as_object()
                .map(|h| {
                    h.iter()
                        .map(|(k, v)| (k.to_lowercase(), v.as_str().unwrap_or("").to_string()))
                        .collect()
                })
                .unwrap_or_default();
            let (key, region) = headers
                .get("authorization")
                .and_then(|auth| auth.split_once("Credential="))
                .map(|(_, rest)| {
                    let mut scope = rest.split('/');
                    let key = scope.next().unwrap_or_default().to_string();
                    let _date = scope.next();
                    (Some(key), scope.next().unwrap_or_default().to_string())
                })
                .unwrap_or((None, String::new()));
            let signer = match key {
                None => "unsigned".to_string(),
                Some(key) => self.signer_of(&key, &by_key, &mut roles),
            };
            let token = match headers.get("x-amz-security-token") {
                None => String::new(),
                Some(t) if t.starts_with("tok-") => t.clone(),
                Some(_) => "issued".to_string(),
            };
            calls.push(Call {
                action,
                params,
                signer,
                region,
                token,
            });
        }
        calls
    }

    /// Whose key `key` is: `user:NAME`, `role:ARN`, … (see [`Call::signer`]).
    fn signer_of(
        &self,
        key: &str,
        by_key: &HashMap<&str, &str>,
        roles: &mut Option<HashMap<String, String>>,
    ) -> String {
        if let Some(name) = by_key.get(key) {
            format!("user:{name}")
        } else if key == SESSION_TOKEN_KEY {
            "get-session-token-keys".to_string()
        } else if key.starts_with(SSO_KEY_PREFIX) {
            "sso-role-credentials".to_string()
        } else {
            let roles = roles.get_or_insert_with(|| self.assumed_roles());
            match roles.get(key) {
                Some(arn) => format!("role:{arn}"),
                None => format!("key:{key:?}"),
            }
        }
    }

    /// moto's AssumeRole records: access key → role ARN.
    fn assumed_roles(&self) -> HashMap<String, String> {
        self.moto.state()["sts"]["AssumedRole"]
            .as_array()
            .map(|records| {
                records
                    .iter()
                    .filter_map(|r| {
                        Some((
                            r["access_key_id"].as_str()?.to_string(),
                            r["role_arn"].as_str()?.to_string(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn stsenv(env: &BTreeMap<String, String>, args: &[String]) -> std::process::Output {
    Command::new(stsenv_bin())
        .args(args)
        .env_clear()
        .envs(env)
        .stdin(Stdio::null())
        .output()
        .expect("stsenv runs")
}

fn write_file(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write file");
    if path.extension().is_some_and(|e| e == "sh") {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
}

struct Render<'a> {
    dir: String,
    users: &'a HashMap<String, Keys>,
    imds: String,
    ecs: String,
    moto: String,
}

impl Render<'_> {
    fn render(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after
                .find("}}")
                .unwrap_or_else(|| panic!("unclosed {{{{ in {text:?}"));
            out.push_str(&self.value(&after[..end]));
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        out
    }

    fn value(&self, placeholder: &str) -> String {
        let user = |name: &str| {
            self.users
                .get(name)
                .unwrap_or_else(|| panic!("no user {name}"))
        };
        match placeholder.split_once(':') {
            Some(("keys", name)) => format!(
                "aws_access_key_id = {}\naws_secret_access_key = {}",
                user(name).id,
                user(name).secret
            ),
            Some(("id", name)) => user(name).id.clone(),
            Some(("secret", name)) => user(name).secret.clone(),
            Some(("in", secs)) => {
                let secs: i64 = secs.parse().expect("{{in:SECONDS}}");
                let at = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(secs);
                at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
            }
            None if placeholder == "dir" => self.dir.clone(),
            None if placeholder == "imds" => self.imds.clone(),
            None if placeholder == "moto" => self.moto.clone(),
            None if placeholder == "ecs" => self.ecs.clone(),
            None if placeholder == "ecs_port" => self
                .ecs
                .rsplit_once(':')
                .and_then(|(_, rest)| rest.split('/').next())
                .unwrap_or_default()
                .to_string(),
            _ => panic!("unknown placeholder {{{{{placeholder}}}}}"),
        }
    }
}

/// Compare a `Same` row; every difference is one line.
pub fn compare_same(case: &Case, o: &Observed) -> Vec<String> {
    let (b, s) = (&o.botocore, &o.stsenv);
    let mut problems = Vec::new();
    if b.ok != s.ok || b.arn != s.arn {
        problems.push(format!(
            "outcome: botocore {} / stsenv {}",
            b.outcome(),
            s.outcome()
        ));
    }
    if b.lines() != s.lines() {
        problems.push(format!(
            "STS calls differ:\n        botocore: {}\n        stsenv:   {}",
            b.lines().join("\n                  "),
            s.lines().join("\n                  ")
        ));
    }
    if b.ok && s.ok {
        problems.extend(exec_uses_whoamis_keys(o));
        if b.region != s.region {
            problems.push(format!(
                "region: botocore {:?} / stsenv exports {:?} to the child",
                b.region, s.region
            ));
        }
        problems.extend(user_region_kept(case, o));
        match (b.expires, s.expires) {
            (Some(x), Some(y)) if (x - y).abs() > 300 => problems.push(format!(
                "expiration: botocore {x} / stsenv {y} (epoch seconds)"
            )),
            (Some(_), None) | (None, Some(_)) => problems.push(format!(
                "expiration: botocore {:?} / stsenv {:?}",
                b.expires, s.expires
            )),
            _ => {}
        }
    }
    if !b.ok && !s.ok {
        let words: Vec<&str> = case.mentions.iter().map(String::as_str).collect();
        problems.extend(o.stsenv_fails_with(&words));
    }
    if (b.imds_requests > 0) != (s.imds_requests > 0) {
        problems.push(format!(
            "IMDS requests: botocore {} / stsenv {}",
            b.imds_requests, s.imds_requests
        ));
    }
    if (b.ecs_requests > 0) != (s.ecs_requests > 0) {
        problems.push(format!(
            "container endpoint requests: botocore {} / stsenv {}",
            b.ecs_requests, s.ecs_requests
        ));
    }
    if b.sso_calls != s.sso_calls {
        problems.push(format!(
            "SSO GetRoleCredentials: botocore {:?} / stsenv {:?}",
            b.sso_calls, s.sso_calls
        ));
    }
    problems
}

/// `stsenv exec` hands the child the credentials `whoami` signed with.
pub fn exec_uses_whoamis_keys(o: &Observed) -> Vec<String> {
    let whoami = o
        .stsenv
        .trace
        .iter()
        .rev()
        .find(|c| c.action == "GetCallerIdentity")
        .map(|c| c.signer.clone());
    match (&o.child_signer, whoami) {
        (Some(child), Some(whoami)) if *child != whoami => vec![format!(
            "exec gave the child the keys of {child}, whoami signed as {whoami}"
        )],
        _ => Vec::new(),
    }
}

/// A region variable the user set (not one stsenv exported, listed in
/// STSENV_VARS) reaches the child unchanged unless `--region` was given.
pub fn user_region_kept(case: &Case, o: &Observed) -> Vec<String> {
    if case.region_flag.is_some() || o.child_env.is_empty() {
        return Vec::new();
    }
    let ours = o.env.get("STSENV_VARS").cloned().unwrap_or_default();
    ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .into_iter()
        .filter(|v| !ours.split_whitespace().any(|n| n == *v))
        .filter_map(|v| {
            let set = o.env.get(v)?;
            let child = o.child_env.get(v);
            (child != Some(set)).then(|| format!("{v}={set} was changed to {child:?} in the child"))
        })
        .collect()
}

/// Secrets never appear in stsenv's messages.
pub fn no_secrets_in_stderr(o: &Observed, secrets: &[String]) -> Vec<String> {
    secrets
        .iter()
        .filter(|s| o.stsenv_stderr.contains(s.as_str()))
        .map(|_| "a secret access key appears in stsenv's stderr".to_string())
        .collect()
}

impl Worker {
    /// The secrets of row `index`'s users.
    pub fn secrets(&self, index: usize, case: &Case) -> Vec<String> {
        case.users()
            .iter()
            .map(|u| self.users[&format!("c{index}-{u}")].secret.clone())
            .collect()
    }
}

fn form_decode(body: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect()
}

/// Standard base64, padded or not; what does not decode is empty.
fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(text.trim()))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoders() {
        assert_eq!(
            base64_decode("QWN0aW9uPUFzc3VtZVJvbGU="),
            b"Action=AssumeRole"
        );
        assert_eq!(
            form_decode("RoleArn=arn%3Aaws%2Fx+y"),
            [("RoleArn".to_string(), "arn:aws/x y".to_string())]
        );
        assert_eq!(
            normalize_arn("arn:aws:sts::1:assumed-role/R/botocore-session-17"),
            "arn:aws:sts::1:assumed-role/R/<default>"
        );
        assert_eq!(normalize_session("ci"), "ci");
    }
}

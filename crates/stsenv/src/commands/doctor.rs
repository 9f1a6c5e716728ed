//! `stsenv doctor`: what a newcomer runs first. It checks, without asking
//! for anything: which AWS files were read, whether each profile's plan
//! builds (and the fix when it does not), the cache directory, the SSO
//! tokens and their expiry, the clock against STS's, and the variables of
//! other tools that may shadow stsenv's credentials.
//!
//! Exit status: 0 when nothing failed (warnings allowed), 1 when a check
//! failed. Nothing on stdout is meant for `eval`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use jiff::Timestamp;
use serde::Serialize;
use stsenv_core::plan::source::Source;
use stsenv_core::plan::{Overrides, Plan};
use stsenv_core::profile::config::{default_profile_name, AwsConfig, Service};
use stsenv_core::source::login::{self, LoginSession};
use stsenv_core::source::sso::SsoSession;
use stsenv_core::store::cache::Cache;
use stsenv_core::store::untrusted;
use stsenv_core::Error;

use crate::cli::DoctorArgs;
use crate::error::{core_report, CliResult};
use crate::output::{self, human_duration};

/// How far the clock may be off before MFA codes (30 s steps, a window or
/// two of tolerance) start failing.
const SKEW_WARN_SECS: i64 = 30;
/// Beyond this, AWS refuses every signature (5 minutes).
const SKEW_FAIL_SECS: i64 = 300;

/// The variables of other credential tools (and the SDKs' own profile
/// variable) that decide which credentials a command gets.
const PEER_VARS: [(&str, &str); 4] = [
    (
        "AWS_VAULT",
        "this shell runs inside an aws-vault session: its keys are exported, and `stsenv whoami` without a profile answers for them",
    ),
    (
        "AWSUME_PROFILE",
        "awsume exported credentials in this shell: `stsenv whoami` without a profile answers for them",
    ),
    (
        "AWS_PROFILE",
        "`stsenv env`, `exec` and the SDKs use this profile when none is named",
    ),
    (
        "AWS_DEFAULT_PROFILE",
        "the AWS CLI v1 reads it; stsenv does not, and `stsenv env` removes it",
    ),
];

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Status {
    Ok,
    Warn,
    Fail,
}

/// One line of the report.
#[derive(Debug, Serialize)]
struct Check {
    /// The group it belongs to (`profiles`, `clock`, …).
    section: &'static str,
    /// What was checked (a path, a profile, a variable).
    name: String,
    status: Status,
    /// What was found.
    detail: String,
    /// What to do, when something is wrong.
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<String>,
}

impl Check {
    fn new(
        section: &'static str,
        name: impl Into<String>,
        status: Status,
        detail: String,
    ) -> Check {
        Check {
            section,
            name: name.into(),
            status,
            detail,
            fix: None,
        }
    }

    fn fix(mut self, fix: impl Into<String>) -> Check {
        self.fix = Some(fix.into());
        self
    }
}

/// Run `stsenv doctor`.
pub fn run(args: DoctorArgs) -> CliResult {
    let mut checks = Vec::new();
    let config = files(&mut checks);
    if let Some(config) = &config {
        // Each profile planned once, for both checks.
        let plans: Vec<(&str, Result<Plan, Error>)> = config
            .profile_names()
            .into_iter()
            .map(|name| (name, Plan::build(config, Some(name), &Overrides::default())))
            .collect();
        checks.extend(profiles(config, plans.iter()));
        checks.extend(login_tokens(plans.iter().map(|(_, plan)| plan)));
        checks.extend(sso_tokens(config, plans.into_iter().map(|(_, plan)| plan)));
    }
    checks.push(cache());
    if !args.offline {
        checks.push(clock(config.as_ref()));
    }
    checks.extend(peers());
    let failed = checks.iter().any(|check| check.status == Status::Fail);
    let text = if args.json {
        let doc = serde_json::json!({"ok": !failed, "checks": checks});
        format!("{doc:#}\n")
    } else {
        render(&checks)
    };
    output::print(&text)?;
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The two AWS files: which paths, whether they exist, and the parse.
fn files(checks: &mut Vec<Check>) -> Option<AwsConfig> {
    let paths = [
        (
            stsenv_core::profile::config::config_file_path(),
            "AWS_CONFIG_FILE",
        ),
        (
            stsenv_core::profile::config::credentials_file_path(),
            "AWS_SHARED_CREDENTIALS_FILE",
        ),
    ];
    for (path, var) in &paths {
        let origin = match std::env::var_os(var) {
            Some(_) => format!(" (from {var})"),
            None => String::new(),
        };
        checks.push(match std::fs::metadata(path) {
            Ok(meta) => Check::new(
                "files",
                shown(path),
                Status::Ok,
                format!("read, {} bytes{origin}", meta.len()),
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Check::new(
                "files",
                shown(path),
                Status::Ok,
                format!("not there, which is fine{origin}"),
            ),
            Err(e) => Check::new(
                "files",
                shown(path),
                Status::Fail,
                format!("cannot be read: {e}{origin}"),
            )
            .fix(format!(
                "make it readable by you (chmod 600 {})",
                shown(path)
            )),
        });
    }
    match AwsConfig::load() {
        Ok(config) => {
            let count = config.profile_names().len();
            let sessions = config.sso_session_names().len();
            checks.push(Check::new(
                "files",
                "parsed",
                if count == 0 { Status::Warn } else { Status::Ok },
                format!("{count} profile(s), {sessions} sso-session(s)"),
            ));
            if count == 0 {
                let last = checks.len() - 1;
                checks[last].fix = Some(
                    "add a profile to ~/.aws/config (see docs/profiles.md), or run `aws configure`"
                        .into(),
                );
            }
            Some(config)
        }
        Err(err) => {
            checks.push(Check::new(
                "files",
                "parsed",
                Status::Fail,
                core_report(&err),
            ));
            None
        }
    }
}

/// Each profile's kind, and whether its plan builds.
fn profiles<'a>(
    config: &AwsConfig,
    plans: impl Iterator<Item = &'a (&'a str, Result<Plan, Error>)>,
) -> Vec<Check> {
    plans
        .map(|(name, plan)| match plan {
            Ok(plan) => planned(name, plan),
            Err(err) => {
                let fix = fix_for(err).unwrap_or_else(|| {
                    format!(
                        "edit [profile {name}] in {} as the message says, then check it with `stsenv explain {}`",
                        config.file_of(name).display(),
                        shell_words::quote(name)
                    )
                });
                Check::new("profiles", *name, Status::Fail, core_report(err)).fix(fix)
            }
        })
        .collect()
}

/// A profile whose plan builds; a `credential_process` is also checked to
/// be a command line at all (the plan keeps it as written, and it is
/// split only when it runs).
fn planned(name: &str, plan: &Plan) -> Check {
    // The last step says what the credentials are (the role); a plan
    // without steps is its source.
    let what = plan
        .steps
        .last()
        .map_or_else(|| plan.source.describe(), |step| step.describe());
    let detail = format!("{}: {what}", plan.kind().as_str());
    if let Source::Process { command, .. } = &plan.source {
        let problem = match shell_words::split(command) {
            Ok(words) if words.is_empty() => Some("the command is empty".to_string()),
            Ok(_) => None,
            Err(e) => Some(format!("the command cannot be split into words: {e}")),
        };
        if let Some(problem) = problem {
            return Check::new("profiles", name, Status::Fail, format!("{detail}; {problem}")).fix(
                "write the command as you would type it in a shell, quotes closed, e.g. `credential_process = /usr/local/bin/get-creds --profile x`",
            );
        }
    }
    Check::new("profiles", name, Status::Ok, detail)
}

/// What to do about a profile that does not plan, where the message itself
/// does not already say it.
fn fix_for(err: &Error) -> Option<String> {
    match err {
        Error::DanglingSource {
            source_name, file, ..
        } => Some(format!(
            "add a [profile {source_name}] section with keys to {}, or point source_profile at an existing profile",
            file.display()
        )),
        Error::MissingEnvironmentCredentials { .. } => Some(
            "export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY before using it, or use source_profile instead".into(),
        ),
        Error::UnknownSsoSession { name, file, .. } => Some(format!(
            "add an [sso-session {name}] section with sso_start_url and sso_region to {}",
            file.display()
        )),
        _ => None,
    }
}

/// The SSO sessions the profiles use, and their tokens.
fn sso_tokens(config: &AwsConfig, plans: impl Iterator<Item = Result<Plan, Error>>) -> Vec<Check> {
    let mut sessions: BTreeMap<String, SsoSession> = BTreeMap::new();
    for name in config.sso_session_names() {
        if let Ok(session) = SsoSession::named(config, name) {
            sessions.insert(session.cache_name().to_string(), session);
        }
    }
    for plan in plans {
        if let Ok(Plan {
            source: Source::Sso(role),
            ..
        }) = plan
        {
            let session = SsoSession::of_role(&role);
            sessions
                .entry(session.cache_name().to_string())
                .or_insert(session);
        }
    }
    let now = Timestamp::now();
    sessions
        .values()
        .map(|session| token_check(session, now))
        .collect()
}

/// One SSO session's token: there, valid for how long, renewable.
fn token_check(session: &SsoSession, now: Timestamp) -> Check {
    let name = session.display();
    let login = match &session.name {
        Some(name) => format!("stsenv login --sso-session {}", shell_words::quote(name)),
        None => format!(
            "stsenv login {}",
            shell_words::quote(session.profile.as_deref().unwrap_or_default())
        ),
    };
    let Some(token) = session.cached_token() else {
        return Check::new(
            "sso",
            name,
            Status::Warn,
            format!("no token in {}", session.token_path().display()),
        )
        .fix(format!("run `{login}`"));
    };
    let left = token
        .expires()
        .map(|expires| expires.as_second() - now.as_second());
    match left {
        Some(left) if left > 0 => Check::new(
            "sso",
            name,
            Status::Ok,
            format!("token valid for {}", human_duration(left)),
        ),
        _ if token.can_refresh(now) => Check::new(
            "sso",
            name,
            Status::Ok,
            "token expired; it is renewed with its refresh token on next use".into(),
        ),
        _ => Check::new("sso", name, Status::Warn, "token expired".into())
            .fix(format!("run `{login}`")),
    }
}

/// The `aws login` sessions the profiles use: cached credentials there,
/// valid for how long, renewable with the refresh token.
fn login_tokens<'a>(plans: impl Iterator<Item = &'a Result<Plan, Error>>) -> Vec<Check> {
    let mut sessions: BTreeMap<String, &LoginSession> = BTreeMap::new();
    for plan in plans {
        if let Ok(Plan {
            source: Source::Login(session),
            ..
        }) = plan
        {
            sessions
                .entry(session.session_arn.clone())
                .or_insert(session);
        }
    }
    let now = Timestamp::now();
    sessions
        .values()
        .map(|session| login_check(session, now))
        .collect()
}

/// One `aws login` session's cached token.
fn login_check(session: &LoginSession, now: Timestamp) -> Check {
    let name = untrusted::printable(&session.session_arn, usize::MAX);
    let login = format!(
        "run `stsenv login {}` (or `aws login`)",
        shell_words::quote(&session.profile)
    );
    let path = session.token_path();
    let Some(token) = login::load(&path) else {
        return Check::new(
            "login",
            name,
            Status::Warn,
            format!("no token in {}", shown(&path)),
        )
        .fix(login);
    };
    let left = token
        .credentials()
        .and_then(|creds| creds.seconds_left(now));
    match left {
        Some(left) if left > 0 => Check::new(
            "login",
            name,
            Status::Ok,
            format!("credentials valid for {}", human_duration(left)),
        ),
        _ if token.refresh_token.is_some() => Check::new(
            "login",
            name,
            Status::Ok,
            "credentials expired; renewed with the refresh token on next use (while the sign-in lasts, up to 12 h)".into(),
        ),
        _ => Check::new("login", name, Status::Warn, "credentials expired and no refresh token".into())
            .fix(login),
    }
}

/// The cache directory: where, whether it is used, what it holds.
fn cache() -> Check {
    let cache = Cache::from_env();
    let dir = shown(cache.dir());
    if let Some(reason) = cache.refusal() {
        return Check::new("cache", dir, Status::Warn, format!("not used: {reason}"))
            .fix("stsenv works without it, but asks for MFA codes again every time; fix the directory as the message says");
    }
    if !cache.dir().exists() {
        return Check::new(
            "cache",
            dir,
            Status::Ok,
            "not created yet (it is, 0700, on first use)".into(),
        );
    }
    let now = Timestamp::now();
    let entries = cache.list();
    let live = entries
        .iter()
        .filter(|(_, entry)| {
            entry
                .credentials
                .seconds_left(now)
                .is_none_or(|left| left > 0)
        })
        .count();
    Check::new(
        "cache",
        dir,
        Status::Ok,
        format!("{} cached session(s), {live} still valid", entries.len()),
    )
}

/// The local clock against the `Date` of an answer from STS.
fn clock(config: Option<&AwsConfig>) -> Check {
    let endpoint = match sts_endpoint(config) {
        Ok(endpoint) => endpoint,
        Err(err) => {
            return Check::new(
                "clock",
                "STS",
                Status::Warn,
                format!("not checked: {}", core_report(&err)),
            )
        }
    };
    let name = endpoint.clone();
    match stsenv_core::aws::clock::skew(&endpoint) {
        Ok(skew) if skew.abs() >= SKEW_FAIL_SECS => Check::new(
            "clock",
            name,
            Status::Fail,
            off_by(skew),
        )
        .fix("set the clock (enable NTP: `timedatectl set-ntp true`); AWS refuses signatures 5 minutes off"),
        Ok(skew) if skew.abs() > SKEW_WARN_SECS => Check::new("clock", name, Status::Warn, off_by(skew))
            .fix("set the clock (enable NTP); MFA codes fail when it is off by more than about 30 s"),
        Ok(skew) => Check::new("clock", name, Status::Ok, off_by(skew)),
        Err(reason) => Check::new(
            "clock",
            name,
            Status::Warn,
            format!("not checked: {reason}"),
        )
        .fix("check the network (or pass --offline to skip this check)"),
    }
}

/// "3 s behind" / "2 s ahead".
fn off_by(skew: i64) -> String {
    match skew {
        0 => "in step with STS (within a second)".into(),
        s if s > 0 => format!("this machine's clock is {s} s behind STS's"),
        s => format!("this machine's clock is {} s ahead of STS's", -s),
    }
}

/// The STS endpoint the default profile would call.
fn sts_endpoint(config: Option<&AwsConfig>) -> Result<String, Error> {
    let default = default_profile_name();
    let region = ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .into_iter()
        .find_map(|name| std::env::var(name).ok().filter(|r| !r.trim().is_empty()))
        .or_else(|| {
            config
                .and_then(|config| config.profile(&default).ok())
                .and_then(|profile| profile.get("region").map(str::to_string))
        })
        .unwrap_or_else(|| "us-east-1".to_string());
    let configured = config.and_then(|config| config.endpoint_url(Some(&default), Service::Sts));
    stsenv_core::aws::eks::sts_endpoint(region.trim(), configured.as_deref())
}

/// Other tools' variables that may shadow stsenv's credentials.
fn peers() -> Vec<Check> {
    let mut checks: Vec<Check> = PEER_VARS
        .iter()
        .filter_map(|(name, effect)| {
            let value = std::env::var(name).ok().filter(|v| !v.is_empty())?;
            let shown_value = stsenv_core::store::untrusted::shown(&value);
            Some(
                Check::new(
                    "environment",
                    *name,
                    Status::Warn,
                    format!("set to {shown_value}: {effect}"),
                )
                .fix(format!("unset {name} if you mean stsenv's credentials")),
            )
        })
        .collect();
    if std::env::var_os("AWS_ACCESS_KEY_ID").is_some()
        && std::env::var_os("STSENV_PROFILE").is_none()
    {
        checks.push(
            Check::new(
                "environment",
                "AWS_ACCESS_KEY_ID",
                Status::Warn,
                "set, but not by stsenv: every SDK uses these keys before any profile".into(),
            )
            .fix(
                "unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN if they are stale",
            ),
        );
    }
    if checks.is_empty() {
        checks.push(Check::new(
            "environment",
            "peers",
            Status::Ok,
            "none of AWS_VAULT, AWSUME_PROFILE, AWS_PROFILE, AWS_DEFAULT_PROFILE is set".into(),
        ));
    }
    checks
}

/// A path for the report, made printable.
fn shown(path: &Path) -> String {
    untrusted::printable(&path.display().to_string(), usize::MAX)
}

/// The report for humans: one block per section, one line per check, the
/// fix indented below.
fn render(checks: &[Check]) -> String {
    let mut text = String::new();
    let mut section = "";
    for check in checks {
        if check.section != section {
            section = check.section;
            text += &format!("{section}\n");
        }
        let mark = match check.status {
            Status::Ok => "ok  ",
            Status::Warn => "warn",
            Status::Fail => "FAIL",
        };
        text += &format!("  {mark}  {}: {}\n", check.name, check.detail);
        if let Some(fix) = &check.fix {
            text += &format!("        fix: {fix}\n");
        }
    }
    let failed = checks.iter().filter(|c| c.status == Status::Fail).count();
    let warned = checks.iter().filter(|c| c.status == Status::Warn).count();
    text += &format!("{failed} problem(s), {warned} warning(s)\n");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_groups_by_section_and_counts() {
        let checks = vec![
            Check::new("profiles", "dev", Status::Ok, "role".into()),
            Check::new("profiles", "bad", Status::Fail, "broken".into()).fix("mend it"),
            Check::new("clock", "STS", Status::Warn, "off".into()),
        ];
        let text = render(&checks);
        assert_eq!(
            text,
            "profiles\n  ok    dev: role\n  FAIL  bad: broken\n        fix: mend it\nclock\n  warn  STS: off\n1 problem(s), 1 warning(s)\n"
        );
        assert_eq!(off_by(-3), "this machine's clock is 3 s ahead of STS's");
    }
}

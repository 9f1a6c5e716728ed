//! The scale table: the same commands on a 10-profile config and on the
//! configs people have at scale, as ratios measured in the same run.
//!
//! The large configs are 5,000 role profiles in `config` (what `sso
//! populate` writes for a large organisation), in two variants: long-term
//! keys in `credentials` (the usual setup: an IAM user's keys next to a big
//! config) and keys taken from the environment (no secret in either file).
//! Every command asks for a late profile, so nothing is found early by
//! accident. Then the shapes that used to stall a shell: a 2,000- and a
//! 10,000-deep `source_profile` chain, and 50,000 profiles.
//!
//! On a busy machine a ratio of two medians taken minutes apart says
//! little, so the commands of one row run interleaved, round by round
//! (small, large, large, small, …), and each median comes from the same
//! rounds.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::util;

/// Rounds per row (after one warm-up round).
const ROUNDS: usize = 25;
/// Role profiles in the large configs.
const BIG: usize = 5000;
/// Profiles in the huge config.
const HUGE: usize = 50_000;
/// The long `source_profile` chain, and the one that must not crash.
const DEEP: usize = 2000;
const DEEPER: usize = 10_000;

/// Long-term keys of the moto account (moto accepts any).
const KEYS: (&str, &str) = (
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
);

/// One home: its environment and the late profile commands ask for.
struct Home {
    env: Vec<(String, String)>,
    late: String,
    /// How many profiles its files hold.
    profiles: usize,
    /// A cache directory removed before every run (a command that finds
    /// no index, as the first one after the config changed).
    fresh: Option<PathBuf>,
}

impl Home {
    /// Remove the cache directory that is removed before every run.
    fn clear_fresh(&self) {
        if let Some(dir) = &self.fresh {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// What one [`timed`] run of `run` came to: its time, or what happened.
fn outcome(run: Run<'_>) -> String {
    match timed(run) {
        (Some(took), _) => format!("{took:.0} ms"),
        (None, why) => why,
    }
}

/// A command of a row, run without a shell.
struct Run<'a> {
    home: &'a Home,
    argv: Vec<String>,
}

impl Run<'_> {
    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.argv[0]);
        cmd.args(&self.argv[1..])
            .env_clear()
            .envs(self.home.env.iter().cloned())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        cmd
    }

    /// Whether it succeeds (checked once, before timing).
    fn works(&self) -> bool {
        let out = self.command().stderr(Stdio::piped()).output();
        match out {
            Ok(out) if out.status.success() => true,
            Ok(out) => {
                eprintln!(
                    "bench: `{}` failed: {}",
                    self.argv.join(" "),
                    String::from_utf8_lossy(&out.stderr).trim()
                );
                false
            }
            Err(err) => {
                eprintln!("bench: `{}`: {err}", self.argv[0]);
                false
            }
        }
    }
}

/// Medians in ms of `runs`, run interleaved for [`ROUNDS`] rounds; `None`
/// for a command that fails.
fn interleaved(runs: &[Run<'_>], rounds: usize) -> Vec<Option<f64>> {
    let ok: Vec<bool> = runs.iter().map(Run::works).collect();
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); runs.len()];
    for round in 0..=rounds {
        // Alternate the order, so that no command always runs right after
        // the same one.
        let order: Vec<usize> = if round % 2 == 0 {
            (0..runs.len()).collect()
        } else {
            (0..runs.len()).rev().collect()
        };
        for i in order {
            if !ok[i] {
                continue;
            }
            runs[i].home.clear_fresh();
            let started = Instant::now();
            let status = runs[i].command().status();
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            if round > 0 && status.is_ok_and(|s| s.success()) {
                times[i].push(ms);
            }
        }
    }
    times.into_iter().map(median).collect()
}

fn median(mut times: Vec<f64>) -> Option<f64> {
    if times.is_empty() {
        return None;
    }
    times.sort_by(f64::total_cmp);
    Some(times[times.len() / 2])
}

/// The homes, written under `work`.
struct Homes {
    small: Home,
    keys: Home,
    env: Home,
    huge: Home,
    deep: Home,
    deeper: Home,
}

/// A home under `work/name` with these files; `base` holds keys in the
/// credentials file unless `env_keys`, where it takes them from the
/// environment.
fn home(
    work: &Path,
    name: &str,
    base_env: &[(String, String)],
    config: String,
    env_keys: bool,
    late: String,
) -> util::Result<Home> {
    let root = work.join(name);
    let aws = root.join(".aws");
    std::fs::create_dir_all(&aws).map_err(|e| e.to_string())?;
    let credentials = if env_keys {
        String::new()
    } else {
        format!(
            "[base]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            KEYS.0, KEYS.1
        )
    };
    let config_profiles = config
        .lines()
        .filter(|l| l.starts_with("[profile "))
        .count();
    std::fs::write(aws.join("config"), config).map_err(|e| e.to_string())?;
    std::fs::write(aws.join("credentials"), credentials).map_err(|e| e.to_string())?;
    let path = |p: PathBuf| p.display().to_string();
    let mut env: Vec<(String, String)> = base_env
        .iter()
        .filter(|(k, _)| {
            ![
                "HOME",
                "AWS_CONFIG_FILE",
                "AWS_SHARED_CREDENTIALS_FILE",
                "STSENV_CACHE_DIR",
            ]
            .contains(&k.as_str())
        })
        .cloned()
        .collect();
    env.extend([
        ("HOME".to_string(), path(root.clone())),
        ("AWS_CONFIG_FILE".to_string(), path(aws.join("config"))),
        (
            "AWS_SHARED_CREDENTIALS_FILE".to_string(),
            path(aws.join("credentials")),
        ),
        ("STSENV_CACHE_DIR".to_string(), path(root.join("cache"))),
    ]);
    if env_keys {
        env.push(("AWS_ACCESS_KEY_ID".into(), KEYS.0.into()));
        env.push(("AWS_SECRET_ACCESS_KEY".into(), KEYS.1.into()));
    }
    Ok(Home {
        env,
        late,
        // Every profile of these homes has a section in `config`.
        profiles: config_profiles,
        fresh: None,
    })
}

/// `[profile base]` (its keys elsewhere) and `count` roles from it.
fn roles(count: usize, env_keys: bool) -> String {
    let mut text = if env_keys {
        String::from("[profile base]\nregion = eu-west-1\ncredential_source = Environment\nrole_arn = arn:aws:iam::123456789012:role/base\n")
    } else {
        String::from("[profile base]\nregion = eu-west-1\n")
    };
    for i in 0..count {
        text += &format!(
            "\n[profile team-{i:04}-admin]\nrole_arn = arn:aws:iam::{:012}:role/admin\nsource_profile = base\nregion = eu-west-1\n",
            100_000_000_000u64 + i as u64
        );
    }
    text
}

/// A chain `chain-0` ← `chain-1` ← … of `depth` roles on `base`.
fn chain(depth: usize) -> String {
    let mut text = String::from("[profile base]\nregion = eu-west-1\n");
    for i in 0..depth {
        let source = if i == 0 {
            "base".to_string()
        } else {
            format!("chain-{}", i - 1)
        };
        text += &format!(
            "\n[profile chain-{i}]\nrole_arn = arn:aws:iam::123456789012:role/c{i}\nsource_profile = {source}\n"
        );
    }
    text
}

fn write_homes(work: &Path, base_env: &[(String, String)]) -> util::Result<Homes> {
    let late = |n: usize| format!("team-{:04}-admin", n - 1);
    let small = home(work, "small", base_env, roles(9, false), false, late(9))?;
    let keys = home(work, "keys", base_env, roles(BIG, false), false, late(BIG))?;
    let env = home(work, "env", base_env, roles(BIG, true), true, late(BIG))?;
    let huge = home(
        work,
        "huge",
        base_env,
        roles(HUGE, false),
        false,
        late(HUGE),
    )?;
    let deep = home(work, "deep", base_env, chain(DEEP), false, String::new())?;
    let deeper = home(
        work,
        "deeper",
        base_env,
        chain(DEEPER),
        false,
        String::new(),
    )?;
    // A file changed in the last two seconds is parsed, not indexed: let
    // them settle, so that the rows measure the usual case.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    Ok(Homes {
        small,
        keys,
        env,
        huge,
        deep,
        deeper,
    })
}

/// One line of the table.
struct Line {
    scenario: String,
    small: Option<f64>,
    keys: Option<f64>,
    env: Option<f64>,
    goal: &'static str,
}

/// Run the scale rows and print their table.
pub fn run(stsenv: &Path, work: &Path, base_env: &[(String, String)]) -> util::Result {
    let homes = write_homes(work, base_env)?;
    let s = stsenv.display().to_string();
    let argv = |words: &[&str]| -> Vec<String> { words.iter().map(|w| w.to_string()).collect() };
    // Warm every cache: the role credentials of each late profile, the
    // config index and `init`'s lists.
    for home in [&homes.small, &homes.keys, &homes.env] {
        for words in [
            vec![s.as_str(), "env", &home.late],
            vec![s.as_str(), "init", "bash"],
        ] {
            Run {
                home,
                argv: argv(&words),
            }
            .works();
        }
    }
    let three = |make: &dyn Fn(&Home) -> Vec<String>| -> [Option<f64>; 3] {
        let runs: Vec<Run<'_>> = [&homes.small, &homes.keys, &homes.env]
            .into_iter()
            .map(|home| Run {
                home,
                argv: make(home),
            })
            .collect();
        let t = interleaved(&runs, ROUNDS);
        [t[0], t[1], t[2]]
    };
    let mut lines = Vec::new();
    let mut row = |scenario: &str, goal: &'static str, [small, keys, env]: [Option<f64>; 3]| {
        lines.push(Line {
            scenario: scenario.to_string(),
            small,
            keys,
            env,
            goal,
        });
    };
    row(
        "`env` cache hit",
        "≤ 1.5×",
        three(&|h| argv(&[&s, "env", &h.late, "--shell", "bash"])),
    );
    row(
        "`exec -- true` (cache hit)",
        "≤ 1.5×",
        three(&|h| argv(&[&s, "exec", &h.late, "--", "true"])),
    );
    row(
        "`init bash`",
        "≤ 2×",
        three(&|_| argv(&[&s, "init", "bash"])),
    );
    let colds = [&homes.small, &homes.keys, &homes.env].map(cold);
    let runs: Vec<Run<'_>> = colds
        .iter()
        .map(|home| Run {
            home,
            argv: argv(&[&s, "init", "bash"]),
        })
        .collect();
    let t = interleaved(&runs, ROUNDS / 3);
    row(
        "`init bash`, no index yet (the first after a config change)",
        "—",
        [t[0], t[1], t[2]],
    );
    row(
        "`profiles --names`",
        "≤ 10 ms",
        three(&|_| argv(&[&s, "profiles", "--names"])),
    );
    row("picker: first frame", "≤ 10 ms", picker_rows(&s, &homes));
    for shell in ["bash", "zsh", "fish"] {
        if !util::on_path(shell) {
            continue;
        }
        row(
            &format!("new interactive {shell}: the plugin's cost"),
            "≤ 10 ms",
            plugin_cost(&s, shell, &homes),
        );
    }
    print_lines(&lines);
    floor(&s, &homes.small);
    deep_and_wide(&s, &homes);
    Ok(())
}

/// The picker's first frame: the time from spawning `stsenv env --pick`
/// on a new pseudo-terminal until the whole frame has been written to it:
/// the prompt line and every row under it (a row is a line: the frame
/// shows up to [`PICKER_ROWS`] profiles). The prompt alone is not enough:
/// it is written before the rows are worked out. Python spawns stsenv in a
/// new session with the terminal as its stdin, stdout and stderr
/// (`posix_spawn`, `setsid`), so the terminal is its controlling one and
/// `/dev/tty` opens, and reads what stsenv writes.
fn picker_rows(s: &str, homes: &Homes) -> [Option<f64>; 3] {
    const SCRIPT: &str = r#"
import os, sys, time, signal
lines = int(sys.argv[1])
argv = sys.argv[2:]
master, slave = os.openpty()
name = os.ttyname(slave)
os.close(slave)
start = time.monotonic()
pid = os.posix_spawn(argv[0], argv, os.environ, setsid=True, file_actions=[
    (os.POSIX_SPAWN_OPEN, 0, name, os.O_RDWR, 0),
    (os.POSIX_SPAWN_DUP2, 0, 1),
    (os.POSIX_SPAWN_DUP2, 0, 2),
])
seen = b""
def frame():
    at = seen.find(b"type to filter")
    return at >= 0 and seen.count(b"\n", at) >= lines
while not frame():
    try:
        chunk = os.read(master, 65536)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
ms = (time.monotonic() - start) * 1000
os.kill(pid, signal.SIGKILL)
os.waitpid(pid, 0)
if not frame():
    sys.exit(1)
print(ms)
"#;
    if !util::on_path("python3") {
        return [None; 3];
    }
    let mut out = [None; 3];
    let homes = [&homes.small, &homes.keys, &homes.env];
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); 3];
    for round in 0..=ROUNDS {
        for (i, home) in homes.iter().enumerate() {
            // The prompt's line and one per row.
            let lines = 1 + home.profiles.min(PICKER_ROWS);
            let output = Command::new("python3")
                .args(["-c", SCRIPT, &lines.to_string(), s, "env", "--pick"])
                .args(["--shell", "bash"])
                .env_clear()
                .envs(home.env.iter().cloned())
                .stdin(Stdio::null())
                .stderr(Stdio::null())
                .output();
            let ms = output.ok().filter(|o| o.status.success()).and_then(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .trim()
                    .parse::<f64>()
                    .ok()
            });
            if let (Some(ms), true) = (ms, round > 0) {
                times[i].push(ms);
            }
        }
    }
    for (i, t) in times.into_iter().enumerate() {
        out[i] = median(t);
    }
    out
}

/// The most rows the picker draws at once.
const PICKER_ROWS: usize = 15;

/// What loading the plugin adds to starting an interactive `shell`: the
/// median with it minus the median without it, from the same rounds.
fn plugin_cost(s: &str, shell: &str, homes: &Homes) -> [Option<f64>; 3] {
    let q = util::shell_quote(s);
    let (with, without): (Vec<String>, Vec<String>) = match shell {
        "bash" => (
            vec![
                "bash".into(),
                "--norc".into(),
                "--noprofile".into(),
                "-i".into(),
                "-c".into(),
                format!("eval \"$({q} init bash)\""),
            ],
            vec![
                "bash".into(),
                "--norc".into(),
                "--noprofile".into(),
                "-i".into(),
                "-c".into(),
                ":".into(),
            ],
        ),
        "zsh" => (
            vec![
                "zsh".into(),
                "-f".into(),
                "-i".into(),
                "-c".into(),
                format!("eval \"$({q} init zsh)\""),
            ],
            vec![
                "zsh".into(),
                "-f".into(),
                "-i".into(),
                "-c".into(),
                ":".into(),
            ],
        ),
        _ => (
            vec![
                "fish".into(),
                "--no-config".into(),
                "-i".into(),
                "-c".into(),
                format!("{q} init fish | source"),
            ],
            vec![
                "fish".into(),
                "--no-config".into(),
                "-i".into(),
                "-c".into(),
                "true".into(),
            ],
        ),
    };
    let mut out = [None; 3];
    for (i, home) in [&homes.small, &homes.keys, &homes.env].iter().enumerate() {
        let runs = [
            Run {
                home,
                argv: with.clone(),
            },
            Run {
                home,
                argv: without.clone(),
            },
        ];
        let t = interleaved(&runs, ROUNDS);
        out[i] = t[0].zip(t[1]).map(|(a, b)| a - b);
    }
    out
}

fn ms(t: Option<f64>) -> String {
    t.map(|t| format!("{t:.1} ms"))
        .unwrap_or_else(|| "n/a".into())
}

fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "—".into(),
    }
}

fn print_lines(lines: &[Line]) {
    println!(
        "\nAt scale: medians of {ROUNDS} interleaved rounds (the three configs of a row take turns, so their ratio comes from the same moments):\n"
    );
    println!("| scenario | 10 profiles | 5,000 + keys in `credentials` | ratio | 5,000, keys from the environment | ratio | goal |");
    println!("|---|---:|---:|---:|---:|---:|---|");
    for l in lines {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            l.scenario,
            ms(l.small),
            ms(l.keys),
            ratio(l.keys, l.small),
            ms(l.env),
            ratio(l.env, l.small),
            l.goal
        );
    }
}

/// The cache hit against the process floor (`stsenv --version`).
fn floor(s: &str, small: &Home) {
    let runs = [
        Run {
            home: small,
            argv: vec![
                s.into(),
                "env".into(),
                small.late.clone(),
                "--shell".into(),
                "bash".into(),
            ],
        },
        Run {
            home: small,
            argv: vec![s.into(), "--version".into()],
        },
    ];
    // A ratio near 1.2 between two ~1 ms processes: the median of 150
    // rounds (about a second) is steady where 50 swung by ±0.05.
    let t = interleaved(&runs, ROUNDS * 6);
    println!(
        "\nThe cache hit against the process floor (same rounds): `env` cache hit {}, `stsenv --version` {}: {} (goal ≤ 1.2×).",
        ms(t[0]),
        ms(t[1]),
        ratio(t[0], t[1])
    );
}

/// `home` with a cache directory of its own that is removed before every
/// run: each run parses the files, writes the index and plans every
/// profile, as the first command after the config changed does.
fn cold(home: &Home) -> Home {
    let dir = home
        .env
        .iter()
        .find(|(k, _)| k == "STSENV_CACHE_DIR")
        .map(|(_, v)| PathBuf::from(format!("{v}-cold")))
        .unwrap_or_else(|| PathBuf::from("/dev/null/stsenv-bench"));
    let mut env: Vec<(String, String)> = home
        .env
        .iter()
        .filter(|(k, _)| k != "STSENV_CACHE_DIR")
        .cloned()
        .collect();
    env.push(("STSENV_CACHE_DIR".into(), dir.display().to_string()));
    Home {
        env,
        late: home.late.clone(),
        profiles: home.profiles,
        fresh: Some(dir),
    }
}

/// Deep chains and 50,000 profiles: `init bash` cold (no index yet: the
/// first command after the config changed parses the files, writes the
/// index and plans every profile) and warm (the index and `init`'s lists
/// there), each beside the 10-profile config in the same state.
fn deep_and_wide(s: &str, homes: &Homes) {
    fn init<'a>(s: &str, home: &'a Home) -> Run<'a> {
        Run {
            home,
            argv: vec![s.into(), "init".into(), "bash".into()],
        }
    }
    // What a large config's first `init bash` leaves for later: planning
    // every profile and writing the functions file, when the plugin first
    // needs a function.
    fn functions_file<'a>(s: &str, home: &'a Home) -> Run<'a> {
        Run {
            home,
            argv: vec![
                s.into(),
                "init".into(),
                "bash".into(),
                "--functions-file".into(),
            ],
        }
    }
    println!("\nDeep and wide configs, `init bash` (keys in `credentials`):\n");
    println!("| config | cold: no index yet | ratio to 10 profiles | left for the first use (`--functions-file`, cold, one run) | warm | ratio | goal |");
    println!("|---|---:|---:|---:|---:|---:|---|");
    let small_cold = cold(&homes.small);
    for (name, home, goal) in [
        (format!("{DEEP}-deep chain"), &homes.deep, "≤ 50 ms"),
        (format!("{HUGE} profiles"), &homes.huge, "≤ 5×"),
    ] {
        let home_cold = cold(home);
        // One run first: a config that stalls `init` for long is reported
        // as such, not timed again and again.
        let (once, why) = timed(init(s, &home_cold));
        let c = match once {
            Some(t) if t <= 10_000.0 => {
                let rounds = if t > 1000.0 { 3 } else { 7 };
                let c = interleaved(&[init(s, &home_cold), init(s, &small_cold)], rounds);
                [c[0], c[1]]
            }
            _ => {
                eprintln!("bench: {name}, cold `init`: {why}");
                [once, None]
            }
        };
        let later = outcome(functions_file(s, &home_cold));
        // Warm: the runs above left this home's own cache untouched, so
        // one run writes the functions file, and the timed ones find it.
        timed(functions_file(s, home));
        let w = interleaved(&[init(s, home), init(s, &homes.small)], 7);
        println!(
            "| {name} | {} | {} | {later} | {} | {} | {goal} |",
            ms(c[0]),
            ratio(c[0], c[1]),
            ms(w[0]),
            ratio(w[0], w[1])
        );
    }
    // zsh leaves its functions for first use as bash does; fish takes the
    // names at start-up (its completion lists the directory), so its first
    // `init` plans every profile. One run each, reported.
    let home_cold = cold(&homes.huge);
    let once = |words: &[&str]| {
        outcome(Run {
            home: &home_cold,
            argv: words.iter().map(|w| w.to_string()).collect(),
        })
    };
    println!(
        "\n{HUGE} profiles with no index yet, one run each: `init zsh` {} (its functions left for first use: `init zsh --functions-file` {}), `init fish` {} (fish needs the names at start-up).",
        once(&[s, "init", "zsh"]),
        once(&[s, "init", "zsh", "--functions-file"]),
        once(&[s, "init", "fish"])
    );
    // 10,000 deep: one run of each, its outcome.
    let home_cold = cold(&homes.deeper);
    let outcomes: Vec<String> = [init(s, &home_cold), functions_file(s, &home_cold)]
        .into_iter()
        .map(|run| match timed(run) {
            (Some(took), _) => format!("exit 0 in {took:.0} ms"),
            (None, why) => why,
        })
        .collect();
    println!(
        "\n{DEEPER}-deep chain with no index yet: `init bash` {}, `init bash --functions-file` (plans every profile) {} (goal: a clear error or a correct plan, never a crash).",
        outcomes[0], outcomes[1]
    );
}

/// One run of `run` (its home's fresh cache directory removed first, as
/// [`interleaved`] does), stopped after [`LIMIT_SECS`]: its time in ms
/// when it succeeded, else what happened.
fn timed(run: Run<'_>) -> (Option<f64>, String) {
    run.home.clear_fresh();
    let started = Instant::now();
    let mut child = match run.command().stderr(Stdio::piped()).spawn() {
        Ok(child) => child,
        Err(err) => return (None, format!("did not run: {err}")),
    };
    let limit = std::time::Duration::from_secs(LIMIT_SECS);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                let took = started.elapsed().as_secs_f64() * 1000.0;
                if status.success() {
                    return (Some(took), String::new());
                }
                let mut stderr = String::new();
                if let Some(mut pipe) = child.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
                }
                let first = stderr.lines().next().unwrap_or("").to_string();
                return (None, format!("{status} after {took:.0} ms: {first}"));
            }
            Ok(None) if started.elapsed() < limit => {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return (
                    None,
                    format!("still running after {LIMIT_SECS} s (stopped)"),
                );
            }
        }
    }
}

/// How long one run of a deep or wide config may take.
const LIMIT_SECS: u64 = 120;

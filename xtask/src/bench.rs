//! `cargo xtask bench`: whole-process timings of stsenv against local moto,
//! side by side with what a user would otherwise run (the AWS CLI + jq
//! function of a hand-written `.bash_profile`, awsume, and `aws eks
//! get-token` for kubectl tokens). Prints a markdown table of medians.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

pub mod link_order;
mod scale;
mod server;

use crate::moto::Moto;
use crate::util::{self, on_path};
use crate::venv;

/// Runs per measurement (after warm-up).
const RUNS: usize = 30;

/// One row of the table.
struct Row {
    scenario: &'static str,
    stsenv: Option<f64>,
    peer: Option<(&'static str, Option<f64>)>,
}

/// Run the benchmark (`server`: only the credential server's load test).
pub fn run(args: &[String]) -> util::Result {
    if args.iter().any(|a| a == "server") {
        return run_server_only();
    }
    if args.iter().any(|a| a == "scale") {
        return run_scale_only();
    }
    let tools = venv::ensure()?;
    let peers = peer_venv()?;
    util::cargo(&["build", "--release", "-p", "stsenv"], &[])?;
    let stsenv = util::target_dir().join("release").join("stsenv");
    let work = tempdir()?;
    let _scratch = Scratch(work.clone());
    let moto = Moto::start(&tools)?;
    let env = sandbox_env(&work, &moto.url, &tools, peers.as_deref());
    write_profiles(&work)?;
    let bench = Bench {
        env: &env,
        hyperfine: on_path("hyperfine"),
    };

    // Warm the caches: the MFA session (one code) and the roles.
    bench.check(&[&stsenv_str(&stsenv), "env", "dev", "--token-code", "123456"])?;
    bench.check(&[&stsenv_str(&stsenv), "env", "plain"])?;
    let s = stsenv_str(&stsenv);
    let aws_jq = "aws sts assume-role --profile base --role-arn arn:aws:iam::123456789012:role/plain \
        --role-session-name bench --output json | jq -r '.Credentials | \"export AWS_ACCESS_KEY_ID=\\(.AccessKeyId) AWS_SECRET_ACCESS_KEY=\\(.SecretAccessKey) AWS_SESSION_TOKEN=\\(.SessionToken)\"'";
    // awsumepy is what the `awsume` shell function runs; it has no role cache.
    let moto_curl = format!(
        "curl -s -o /dev/null -X POST {} -d 'Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/plain&RoleSessionName=bench'",
        moto.url
    );
    let has_awsume = peers.as_ref().is_some_and(|p| p.join("awsumepy").exists());
    let awsume = |args: &str| has_awsume.then(|| bench.shell(&format!("awsumepy {args}")));

    let mut rows = vec![
        Row {
            scenario: "`env` cache hit",
            stsenv: bench.direct(&[&s, "env", "plain", "--shell", "bash"]),
            peer: Some(("awsume (no role cache)", awsume("plain -s").flatten())),
        },
        Row {
            scenario: "cold AssumeRole",
            stsenv: bench.direct(&[&s, "env", "plain", "--shell", "bash", "--no-cache"]),
            peer: Some(("aws sts assume-role + jq", bench.shell(aws_jq))),
        },
        Row {
            scenario: "role from cached MFA session",
            stsenv: bench.direct(&[&s, "env", "dev", "--refresh", "--non-interactive"]),
            peer: None,
        },
        // kubectl runs the exec plugin on every command. Both sign locally
        // from cached role credentials (the AWS CLI keeps them in ~/.aws/cli/cache).
        Row {
            scenario: "`eks-token` (cache hit)",
            stsenv: bench.direct(&[&s, "eks-token", "plain", "--cluster-name", "bench"]),
            peer: Some((
                "aws eks get-token",
                bench.direct(&[
                    "aws",
                    "eks",
                    "get-token",
                    "--cluster-name",
                    "bench",
                    "--profile",
                    "plain",
                ]),
            )),
        },
        Row {
            scenario: "`exec -- true` (cache hit)",
            stsenv: bench.direct(&[&s, "exec", "plain", "--", "true"]),
            peer: None,
        },
        // The same with a credential server for the child: the cost of
        // starting and stopping it (and the signal set-up), per command.
        Row {
            scenario: "`exec --server -- true` (cache hit)",
            stsenv: bench.direct(&[&s, "exec", "--server", "plain", "--", "true"]),
            peer: None,
        },
        Row {
            scenario: "`init bash`",
            stsenv: bench.direct(&[&s, "init", "bash"]),
            peer: None,
        },
        // The floors the rows above stand on: starting the binary at all,
        // and moto's own time for one AssumeRole (no SDK, no signing).
        Row {
            scenario: "floor: `stsenv --version`",
            stsenv: bench.direct(&[&s, "--version"]),
            peer: None,
        },
        Row {
            scenario: "floor: moto AssumeRole via curl",
            stsenv: None,
            peer: on_path("curl").then_some(("curl", bench.shell(&moto_curl))),
        },
    ];
    // A new shell loading the plugin, and then one of its functions there.
    let new_bash = |bin: &str, function: &str| {
        format!("bash --norc --noprofile -c 'eval \"$({bin} init bash)\" && type {function} >/dev/null'")
    };
    rows.push(Row {
        scenario: "new bash with the plugin",
        stsenv: bench.shell(&new_bash(&s, "plain_assume")),
        peer: None,
    });

    print_table(&rows, bench.hyperfine);
    scale::run(&stsenv, &work, &env)?;
    match server::measure(&stsenv, "plain", &env) {
        Ok(report) => print_server(&report),
        Err(err) => eprintln!("bench: credential server not measured: {err}"),
    }
    Ok(())
}

/// The scale table alone (`cargo xtask bench scale`).
fn run_scale_only() -> util::Result {
    one_part(scale::run)
}

/// The credential server's load test alone (`cargo xtask bench server`).
fn run_server_only() -> util::Result {
    one_part(|stsenv, work, env| {
        write_profiles(work)?;
        print_server(&server::measure(stsenv, "plain", env)?);
        Ok(())
    })
}

/// Run one part of the benchmark: a release build, a scratch directory
/// and moto, handed to `part`.
fn one_part(part: impl FnOnce(&Path, &Path, &[(String, String)]) -> util::Result) -> util::Result {
    let tools = venv::ensure()?;
    util::cargo(&["build", "--release", "-p", "stsenv"], &[])?;
    let stsenv = util::target_dir().join("release").join("stsenv");
    let work = tempdir()?;
    let _scratch = Scratch(work.clone());
    let moto = Moto::start(&tools)?;
    let env = sandbox_env(&work, &moto.url, &tools, None);
    part(&stsenv, &work, &env)
}

fn print_server(report: &server::Report) {
    let ms = |(p50, p99): (f64, f64)| format!("{p50:.3} ms | {p99:.3} ms");
    println!(
        "\nCredential server (`stsenv serve`): {} requests from {} concurrent clients on 127.0.0.1:\n",
        server::REQUESTS,
        server::CLIENTS
    );
    println!("| requests | p50 | p99 |");
    println!("|---|---:|---:|");
    println!("| new connection each | {} |", ms(report.fresh));
    println!("| kept-alive connections | {} |", ms(report.kept));
    match report.flooded {
        Some(flooded) => println!(
            "| new connection each, one client, while another user holds {} idle connections ({} requests) | {} |",
            server::FLOOD,
            server::FLOOD_REQUESTS,
            ms(flooded)
        ),
        None => println!("| under an idle-connection flood | not measured (no python3) | |"),
    }
    let mib = |kib: u64| kib as f64 / 1024.0;
    let (rss, peak) = report.rss_kib;
    println!(
        "\nServer RSS: {:.1} MiB before the load, {:.1} MiB after it (peak {:.1} MiB).",
        mib(report.idle_kib),
        mib(rss),
        mib(peak)
    );
}

fn stsenv_str(path: &Path) -> String {
    path.display().to_string()
}

struct Bench<'a> {
    env: &'a [(String, String)],
    hyperfine: bool,
}

impl Bench<'_> {
    /// Median wall time in ms of `argv`, run without a shell; `None` when it fails.
    fn direct(&self, argv: &[&str]) -> Option<f64> {
        if self.check(argv).is_err() {
            return None;
        }
        let line = argv
            .iter()
            .map(|a| util::shell_quote(a))
            .collect::<Vec<_>>()
            .join(" ");
        if self.hyperfine {
            self.hyperfine(&line, true)
        } else {
            self.loop_median(|| {
                let mut cmd = Command::new(argv[0]);
                cmd.args(&argv[1..]);
                cmd
            })
        }
    }

    /// Median wall time in ms of a shell pipeline (the shell's own start-up included).
    fn shell(&self, script: &str) -> Option<f64> {
        if self.check(&["sh", "-c", script]).is_err() {
            return None;
        }
        if self.hyperfine {
            self.hyperfine(script, false)
        } else {
            self.loop_median(|| {
                let mut cmd = Command::new("sh");
                cmd.args(["-c", script]);
                cmd
            })
        }
    }

    fn check(&self, argv: &[&str]) -> util::Result {
        let output = Command::new(argv[0])
            .args(&argv[1..])
            .env_clear()
            .envs(self.env.iter().cloned())
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("{}: {e}", argv[0]))?;
        if output.status.success() {
            Ok(())
        } else {
            let message = format!(
                "`{}` failed: {}",
                argv.join(" "),
                String::from_utf8_lossy(&output.stderr).trim()
            );
            eprintln!("bench: {message}");
            Err(message)
        }
    }

    fn hyperfine(&self, command: &str, no_shell: bool) -> Option<f64> {
        let json = std::env::temp_dir().join(format!("stsenv-bench-{}.json", std::process::id()));
        let mut cmd = Command::new("hyperfine");
        cmd.args([
            "--warmup",
            "3",
            "--runs",
            &RUNS.to_string(),
            "--style",
            "none",
            "--export-json",
        ])
        .arg(&json);
        if no_shell {
            cmd.arg("-N");
        }
        cmd.arg(command)
            .env_clear()
            .envs(self.env.iter().cloned())
            .stdout(Stdio::null());
        util::run(&mut cmd).ok()?;
        let text = std::fs::read_to_string(&json).ok()?;
        let _ = std::fs::remove_file(&json);
        let doc: serde_json::Value = serde_json::from_str(&text).ok()?;
        doc["results"][0]["median"].as_f64().map(|s| s * 1000.0)
    }

    fn loop_median(&self, make: impl Fn() -> Command) -> Option<f64> {
        let mut times: Vec<f64> = (0..RUNS + 3)
            .map(|_| {
                let started = Instant::now();
                let status = make()
                    .env_clear()
                    .envs(self.env.iter().cloned())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
                status
                    .ok()
                    .map(|_| started.elapsed().as_secs_f64() * 1000.0)
            })
            .collect::<Option<_>>()?;
        times.drain(..3);
        times.sort_by(f64::total_cmp);
        Some(times[times.len() / 2])
    }
}

fn print_table(rows: &[Row], hyperfine: bool) {
    let ms = |t: Option<f64>| {
        t.map(|t| format!("{t:.1} ms"))
            .unwrap_or_else(|| "n/a".into())
    };
    println!(
        "\nMedians of {RUNS} whole-process runs against moto on 127.0.0.1 ({}):\n",
        if hyperfine { "hyperfine" } else { "xtask loop" }
    );
    println!("| scenario | stsenv | peer | peer time | peer / stsenv |");
    println!("|---|---:|---|---:|---:|");
    for row in rows {
        let (name, time) = row.peer.unwrap_or(("—", None));
        let ratio = match (row.stsenv, time) {
            (Some(a), Some(b)) if a > 0.0 => format!("{:.0}×", b / a),
            _ => "—".into(),
        };
        let peer_time = if row.peer.is_some() {
            ms(time)
        } else {
            "—".into()
        };
        println!(
            "| {} | {} | {} | {} | {} |",
            row.scenario,
            ms(row.stsenv),
            name,
            peer_time,
            ratio
        );
    }
    println!("\n`aws configure export-credentials` needs AWS CLI v2, which is not on PyPI; not measured.");
}

/// awsume (and the AWS CLI, for the jq function) in target/bench-venv.
fn peer_venv() -> util::Result<Option<PathBuf>> {
    let venv = util::target_dir().join("bench-venv");
    let bin = venv.join("bin");
    if !bin.join("awsume").exists() {
        eprintln!(
            "xtask: installing awsume and awscli into {}",
            venv.display()
        );
        let created =
            util::run(Command::new("python3").args(["-m", "venv"]).arg(&venv)).and_then(|()| {
                util::run(Command::new(bin.join("pip")).args([
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "awsume",
                    "awscli",
                ]))
            });
        if let Err(err) = created {
            eprintln!("xtask: peers unavailable ({err}); measuring stsenv only");
            return Ok(None);
        }
    }
    Ok(Some(bin))
}

fn sandbox_env(
    work: &Path,
    moto_url: &str,
    tools: &venv::Tools,
    peers: Option<&Path>,
) -> Vec<(String, String)> {
    let home = work.join("home");
    let mut path = std::env::var("PATH").unwrap_or_default();
    if let Some(bin) = &tools.bin_dir {
        path = format!("{}:{path}", bin.display());
    }
    if let Some(bin) = peers {
        path = format!("{}:{path}", bin.display());
    }
    vec![
        ("HOME".into(), home.display().to_string()),
        ("PATH".into(), path),
        (
            "AWS_CONFIG_FILE".into(),
            home.join(".aws/config").display().to_string(),
        ),
        (
            "AWS_SHARED_CREDENTIALS_FILE".into(),
            home.join(".aws/credentials").display().to_string(),
        ),
        (
            "STSENV_CACHE_DIR".into(),
            work.join("cache").display().to_string(),
        ),
        ("AWS_ENDPOINT_URL".into(), moto_url.to_string()),
        ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
        ("USER".into(), "bench".into()),
    ]
}

fn write_profiles(work: &Path) -> util::Result {
    let aws = work.join("home/.aws");
    std::fs::create_dir_all(&aws).map_err(|e| e.to_string())?;
    std::fs::write(
        aws.join("config"),
        "[profile base]\nregion = us-east-1\n\n\
         [profile plain]\nrole_arn = arn:aws:iam::123456789012:role/plain\nsource_profile = base\nregion = us-east-1\n\n\
         [profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\nsource_profile = base\n\
         mfa_serial = arn:aws:iam::123456789012:mfa/bench\nregion = us-east-1\n",
    )
    .map_err(|e| e.to_string())?;
    std::fs::write(
        aws.join("credentials"),
        "[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    )
    .map_err(|e| e.to_string())
}

fn tempdir() -> util::Result<PathBuf> {
    let dir = util::target_dir().join(format!("bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    Ok(dir)
}

/// The benchmark's scratch directory, removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

//! The prompt hook, measured rather than assumed: with fresh
//! credentials 200 prompts start no process; when due exactly one renewal;
//! on failure one stderr line and a minute of back-off. bash and zsh run
//! real prompts (interactive, reading from a pipe); fish has no prompt
//! without a terminal, so its test emits the `fish_prompt` event.

use stsenv_tests::{stsenv_bin, Moto, Sandbox};

use crate::keys::CONFIG;

use crate::shell_support::{
    count, counting_fake, init, now, run_interactive, run_script, shell_command, stdout_ok,
    with_binary, SHELLS,
};

const PROMPTS: usize = 200;

/// Plugin code (hook only) using `fake` as the binary, saved to a file.
fn plugin_file(sandbox: &Sandbox, shell: &str, fake: &std::path::Path) -> std::path::PathBuf {
    let code = with_binary(&init(sandbox, shell, &["--no-aliases"]), fake);
    let file = sandbox.path().join(format!("plugin.{shell}"));
    std::fs::write(&file, code).unwrap();
    file
}

/// A session of `prompts` prompts in `shell` with STSENV_* preset, then a
/// line printing `RESULT:<refresh_at>:<key>`.
fn session(
    sandbox: &Sandbox,
    shell: &str,
    plugin: &std::path::Path,
    refresh_at: i64,
    prompts: usize,
) -> std::process::Output {
    session_with(sandbox, shell, plugin, refresh_at, prompts, DEV)
}

/// The session `dev` of the switch-role sandbox.
const DEV: &[(&str, &str)] = &[("STSENV_PROFILE", "dev")];

/// Like [`session`], with `vars` (STSENV_PROFILE among them) exported
/// before the plugin is loaded.
fn session_with(
    sandbox: &Sandbox,
    shell: &str,
    plugin: &std::path::Path,
    refresh_at: i64,
    prompts: usize,
    vars: &[(&str, &str)],
) -> std::process::Output {
    let print = match shell {
        "fish" => "echo \"RESULT:$STSENV_REFRESH_AT:$AWS_ACCESS_KEY_ID\"",
        _ => "echo \"RESULT:$STSENV_REFRESH_AT:${AWS_ACCESS_KEY_ID-}\"",
    };
    match shell {
        "fish" => {
            let script = format!(
                "{}set -gx STSENV_REFRESH_AT {refresh_at}\nset -gx AWS_ACCESS_KEY_ID old\n\
                 source '{}'\nset i 0\nwhile test $i -lt {prompts}\n    emit fish_prompt\n    set i (math $i + 1)\nend\n{print}\n",
                vars.iter()
                    .map(|(name, value)| format!("set -gx {name} {value}\n"))
                    .collect::<String>(),
                plugin.display()
            );
            run_script(sandbox, "fish", &script)
        }
        _ => {
            let mut lines = format!(
                "set -u\nexport{} STSENV_REFRESH_AT={refresh_at} AWS_ACCESS_KEY_ID=old\n. '{}'\n",
                vars.iter()
                    .map(|(name, value)| format!(" {name}={value}"))
                    .collect::<String>(),
                plugin.display()
            );
            // One prompt per line read, plus the first; the setup lines ran
            // before the hook was registered.
            for _ in 0..prompts.saturating_sub(1) {
                lines.push_str(":\n");
            }
            lines.push_str(print);
            lines.push('\n');
            run_interactive(sandbox, shell, &lines)
        }
    }
}

fn result(out: &std::process::Output) -> (i64, String) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.split("RESULT:").nth(1))
        .unwrap_or_else(|| {
            panic!(
                "no RESULT in {stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let (at, key) = line.split_once(':').unwrap();
    (at.parse().unwrap(), key.to_string())
}

fn stsenv_lines(out: &std::process::Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains("stsenv:"))
        .map(str::to_string)
        .collect()
}

#[test]
fn fresh_credentials_cost_no_process_over_200_prompts() {
    for shell in SHELLS {
        let sandbox = Sandbox::switch_role();
        let (fake, counter) = counting_fake(sandbox.path(), "exit 99");
        let plugin = plugin_file(&sandbox, shell, &fake);
        let out = session(&sandbox, shell, &plugin, now() + 3600, PROMPTS);
        let (at, key) = result(&out);
        assert_eq!(count(&counter), 0, "{shell}: the hook ran stsenv");
        assert_eq!((at > now(), key.as_str()), (true, "old"), "{shell}");
        assert!(
            stsenv_lines(&out).is_empty(),
            "{shell}: {:?}",
            stsenv_lines(&out)
        );
    }
}

/// Count every execve of a whole session with strace: the shell itself and
/// nothing else. Skipped when ptrace is not allowed (some containers).
#[test]
fn fresh_credentials_strace_sees_only_the_shell() {
    if !crate::util::strace_works() {
        eprintln!("strace unavailable or ptrace not permitted; skipped");
        return;
    }
    for shell in SHELLS {
        let sandbox = Sandbox::switch_role();
        let (fake, _) = counting_fake(sandbox.path(), "exit 99");
        let plugin = plugin_file(&sandbox, shell, &fake);
        let trace = sandbox.path().join("trace");
        // The loop of prompts, as a script; the hook is what runs in it.
        let body = match shell {
            "fish" => format!(
                "set -gx STSENV_REFRESH_AT {}\nsource '{}'\nset i 0\nwhile test $i -lt {PROMPTS}\n    emit fish_prompt\n    set i (math $i + 1)\nend\n",
                now() + 3600,
                plugin.display()
            ),
            _ => format!(
                "set -u\nexport STSENV_REFRESH_AT={}\n. '{}'\nfor ((i = 0; i < {PROMPTS}; i++)); do\n    for c in \"${{PROMPT_COMMAND[@]-}}\" \"${{precmd_functions[@]-}}\"; do\n        [ -n \"$c\" ] && eval \"$c\"\n    done\ndone\necho \"$i\"\n",
                now() + 3600,
                plugin.display()
            ),
        };
        let file = sandbox.path().join(format!("loop.{shell}"));
        std::fs::write(&file, body).unwrap();
        let mut cmd = shell_command(&sandbox, "strace");
        cmd.args([
            "-f",
            "-qq",
            "-e",
            "trace=execve,fork,vfork,clone,clone3",
            "-o",
        ])
        .arg(&trace)
        .arg(shell);
        if shell == "fish" {
            cmd.arg("--no-config");
        } else if shell == "zsh" {
            cmd.arg("-f");
        }
        let out = cmd.arg(&file).output().unwrap();
        stdout_ok(&out);
        let trace = std::fs::read_to_string(&trace).unwrap();
        let spawns: Vec<&str> = trace
            .lines()
            .filter(|l| {
                !l.contains("resumed")
                    && (l.contains("execve(") || l.contains("fork(") || l.contains("clone"))
            })
            .collect();
        // Only the execve of the shell itself (fish may start threads:
        // clone with CLONE_THREAD is not a process).
        let processes: Vec<&&str> = spawns
            .iter()
            .filter(|l| !l.contains("CLONE_THREAD"))
            .collect();
        assert_eq!(processes.len(), 1, "{shell}: {processes:#?}");
    }
}

#[test]
fn due_credentials_are_renewed_once() {
    for shell in SHELLS {
        let sandbox = Sandbox::switch_role();
        // Fill the cache so that the renewal needs no MFA code.
        sandbox
            .stsenv()
            .args(["env", "dev", "--token-code", "123456"])
            .assert()
            .success();
        let real = stsenv_bin().display().to_string();
        let (fake, counter) = counting_fake(sandbox.path(), &format!("exec '{real}' \"$@\""));
        let plugin = plugin_file(&sandbox, shell, &fake);
        let out = session(&sandbox, shell, &plugin, now() - 1, 5);
        let (at, key) = result(&out);
        assert_eq!(
            count(&counter),
            1,
            "{shell}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let calls = std::fs::read_to_string(&counter).unwrap();
        assert_eq!(
            calls.trim(),
            format!("env --renew --shell {shell}"),
            "{shell}"
        );
        assert!(key.starts_with("ASIA"), "{shell}: renewed key, got {key}");
        assert!(
            at > now() + 600,
            "{shell}: refresh pushed to the new session"
        );
        assert!(
            stsenv_lines(&out).is_empty(),
            "{shell}: silent: {:?}",
            stsenv_lines(&out)
        );
    }
}

/// The one line of stsenv's the session printed on stderr (zsh's prompt
/// may stand before it on the same line).
fn one_line(out: &std::process::Output, shell: &str) -> String {
    let mut lines = stsenv_lines(out);
    assert_eq!(lines.len(), 1, "{shell}: {lines:?}");
    lines.remove(0)
}

#[test]
fn failed_renewal_says_one_line_then_backs_off() {
    for shell in SHELLS {
        // Empty cache and no terminal: renewal needs an MFA code, exit 3.
        let sandbox = Sandbox::switch_role();
        let real = stsenv_bin().display().to_string();
        let (fake, counter) = counting_fake(sandbox.path(), &format!("exec '{real}' \"$@\""));
        let plugin = plugin_file(&sandbox, shell, &fake);
        let before = now();
        let out = session(&sandbox, shell, &plugin, before - 1, 5);
        let (at, key) = result(&out);
        assert_eq!(count(&counter), 1, "{shell}: one try, then back-off");
        assert_eq!(key, "old", "{shell}: the old credentials stay");
        assert!(
            (before + 59..=now() + 60).contains(&at),
            "{shell}: back-off to now+60, got {at}"
        );
        let line = one_line(&out, shell);
        assert!(line.contains("dev needs an MFA code"), "{shell}: {line}");
    }
}

/// `base`'s keys are in the encrypted file keystore and the shell has no
/// passphrase: the renewal cannot open them and the hook says that (it
/// said "MFA code or login") and what to run.
#[test]
fn a_renewal_that_needs_the_keystore_passphrase_names_it() {
    let (sandbox, _user) = crate::keys::setup(Moto::shared());
    sandbox.config(&format!(
        "{CONFIG}[profile ops]\r\nrole_arn = arn:aws:iam::123456789012:role/ops\r\nsource_profile = base\r\n"
    ));
    let file_keystore = [("STSENV_PROFILE", "ops"), ("STSENV_KEYSTORE", "file")];
    crate::keys::Keystore::File.ok(&sandbox, &["keys", "import", "base"]);
    // `env --renew` tells the passphrase apart by its exit status;
    // every other command keeps 3 for any human need.
    let without_passphrase = |args: &[&str]| {
        let out = sandbox.stsenv().envs(file_keystore).args(args).output();
        out.unwrap()
    };
    let renew = without_passphrase(&["env", "--renew"]);
    let stderr = String::from_utf8_lossy(&renew.stderr);
    assert_eq!(renew.status.code(), Some(4), "{stderr}");
    assert!(renew.stdout.is_empty());
    assert!(stderr.contains("STSENV_KEYSTORE_PASSPHRASE"), "{stderr}");
    assert_eq!(
        without_passphrase(&["whoami", "ops"]).status.code(),
        Some(3)
    );
    for shell in SHELLS {
        let plugin = plugin_file(&sandbox, shell, stsenv_bin());
        let out = session_with(&sandbox, shell, &plugin, now() - 1, 2, &file_keystore);
        assert_eq!(result(&out).1, "old", "{shell}: the old credentials stay");
        let line = one_line(&out, shell);
        assert!(
            line.ends_with("stsenv: ops needs the keystore passphrase to renew; run: stsenv_assume ops (it asks for it), or set STSENV_KEYSTORE_PASSPHRASE"),
            "{shell}: {line}"
        );
    }
}

#[test]
fn hook_keeps_the_exit_status_and_ignores_junk() {
    let sandbox = Sandbox::new();
    let bash = "set -u\neval \"$(stsenv init bash)\"\nSTSENV_REFRESH_AT='a[$(touch pwned)]'\n\
                (exit 7); __stsenv_hook; echo \"status=$?\"\nunset STSENV_REFRESH_AT\n(exit 5); __stsenv_hook; echo \"status=$?\"\n";
    assert_eq!(
        stdout_ok(&run_script(&sandbox, "bash", bash)),
        "status=7\nstatus=5\n"
    );
    let zsh =
        "setopt nounset\neval \"$(stsenv init zsh)\"\nSTSENV_REFRESH_AT='a[$(touch pwned)]'\n\
               (exit 7); __stsenv_hook; echo \"status=$?\"\n";
    assert_eq!(stdout_ok(&run_script(&sandbox, "zsh", zsh)), "status=7\n");
    let fish = "stsenv init fish | source\nset -gx STSENV_REFRESH_AT '(touch pwned)'\n\
                false; emit fish_prompt; __stsenv_hook; echo ran\n";
    let out = run_script(&sandbox, "fish", fish);
    assert_eq!(stdout_ok(&out), "ran\n");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!sandbox.path().join("pwned").exists());
}

/// The hook's in-process cost with fresh credentials: 10 000 calls in one
/// shell, minus an empty loop, per call. Printed for the record (run with
/// `--nocapture`); the bound is loose because CI machines are shared.
#[test]
fn hook_cost_when_fresh_is_measured() {
    const CALLS: u32 = 10_000;
    let sandbox = Sandbox::new();
    for shell in SHELLS {
        let script = match shell {
            "fish" => format!(
                "stsenv init fish --no-aliases | source\nset -gx STSENV_REFRESH_AT {}\n\
                 function __empty; end\n\
                 set t0 (date +%s%N)\nfor i in (seq {CALLS}); __empty; end\nset t1 (date +%s%N)\n\
                 for i in (seq {CALLS}); __stsenv_hook; end\nset t2 (date +%s%N)\n\
                 echo (math \"(($t2 - $t1) - ($t1 - $t0)) / {CALLS}\")\n",
                now() + 3600
            ),
            _ => format!(
                "eval \"$(stsenv init {shell} --no-aliases)\"\nexport STSENV_REFRESH_AT={}\n\
                 __empty() {{ :; }}\n\
                 t0=$(date +%s%N)\nfor ((i = 0; i < {CALLS}; i++)); do __empty; done\nt1=$(date +%s%N)\n\
                 for ((i = 0; i < {CALLS}; i++)); do __stsenv_hook; done\nt2=$(date +%s%N)\n\
                 echo $(( ((t2 - t1) - (t1 - t0)) / {CALLS} ))\n",
                now() + 3600
            ),
        };
        let out = stdout_ok(&run_script(&sandbox, shell, &script));
        let nanos: f64 = out
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{shell}: {out}"));
        eprintln!(
            "{shell}: hook with fresh credentials: {:.1} µs per prompt",
            nanos / 1000.0
        );
        assert!(nanos < 2_000_000.0, "{shell}: {nanos} ns per call");
    }
}

/// bash 4.2–5.0 have no $EPOCHSECONDS: the plugin falls back to printf's
/// `%(%s)T`. Simulated by unsetting EPOCHSECONDS before loading it.
#[test]
fn bash_clock_without_epochseconds_uses_printf() {
    bash_clock_reads_the_time("", "printf");
}

/// bash 3.2 has neither: the plugin counts $SECONDS from the epoch time
/// `stsenv init` wrote in. Forced through the version parameter.
#[test]
fn bash_clock_of_bash_3_counts_seconds_from_init() {
    bash_clock_reads_the_time("__stsenv_pick_clock 3 2\n", "SECONDS0");
}

/// Without EPOCHSECONDS and after `setup`, bash's `__stsenv_clock` is the
/// one that contains `marker`, and it reads the time.
fn bash_clock_reads_the_time(setup: &str, marker: &str) {
    let sandbox = Sandbox::new();
    let script = format!(
        "set -u\nunset EPOCHSECONDS\neval \"$(stsenv init bash --no-aliases)\"\n\
         {setup}declare -f __stsenv_clock | grep -c {marker}\n__stsenv_clock\necho \"$__stsenv_now\"\n"
    );
    // Bracketed by the test's clock: a loaded machine may take seconds to run it.
    let before = now();
    let out = stdout_ok(&run_script(&sandbox, "bash", &script));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "1", "{out}");
    let clock: i64 = lines[1].parse().unwrap();
    assert!(
        (before - 1..=now() + 1).contains(&clock),
        "{clock} not within [{before}, {}]",
        now()
    );
}

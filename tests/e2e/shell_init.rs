//! The code `stsenv init` prints, as the shells see it: every combination
//! of `--no-aliases` / `--no-hook`, with profile names chosen to break
//! naive quoting, rendered and then checked by `shellcheck --enable=all`
//! (bash), evaluated under strict flags (bash `-euo pipefail`, zsh
//! `nounset errreturn`, fish `--no-execute` then sourced), and used.
//! Also: an install path full of shell syntax never runs, a profile named
//! like a flag is assumed as a profile, and help text never reaches `eval`.

use std::path::Path;

use stsenv_tests::{stsenv_bin, Moto, Sandbox, SWITCH_ROLE_CREDENTIALS};

use crate::shell_support::{init, run_script, set_executable, stdout_ok};
use crate::util::on_path;

/// Profiles whose names and aliases stress function naming and quoting.
const ODD_PROFILES: &str = "\
[profile -h]
role_arn = arn:aws:iam::123456789012:role/init-dash-h
source_profile = base

[profile --no-cache]
role_arn = arn:aws:iam::123456789012:role/init-no-cache
source_profile = base

[profile it's $(touch pwned) `x`]
role_arn = arn:aws:iam::123456789012:role/init-odd
source_profile = base

[profile 9lives.eu]
role_arn = arn:aws:iam::123456789012:role/init-9
source_profile = base
stsenv_alias = nine

[profile assume]
role_arn = arn:aws:iam::123456789012:role/init-assume
source_profile = base
";

const FLAG_SETS: [&[&str]; 4] = [
    &[],
    &["--no-aliases"],
    &["--no-hook"],
    &["--no-aliases", "--no-hook"],
];

fn odd_sandbox() -> Sandbox {
    Sandbox::with_base_keys(Moto::shared(), ODD_PROFILES)
}

/// The odd profiles, alone (their functions are in the plugin) and among
/// 300 others in a settled config (the functions are in a file in the
/// cache dir, which the plugin sources).
fn odd_sandboxes() -> [Sandbox; 2] {
    let many = Sandbox::with_moto(Moto::shared());
    let mut config = ODD_PROFILES.to_string();
    for i in 0..300 {
        config += &format!(
            "\n[profile filler-{i}]\nrole_arn = arn:aws:iam::123456789012:role/filler\nsource_profile = base\n"
        );
    }
    many.config(&config).credentials(SWITCH_ROLE_CREDENTIALS);
    // A config changed in the last two seconds is not trusted by its stat.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    [odd_sandbox(), many]
}

/// The files of generated functions `init` left in the sandbox's cache.
fn functions_files(sandbox: &Sandbox) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(sandbox.cache_dir())
        .map(|dir| {
            dir.flatten()
                .map(|item| item.path())
                .filter(|p| p.to_string_lossy().contains("/functions-"))
                .collect()
        })
        .unwrap_or_default()
}

/// shellcheck's optional checks that do not fit a plugin meant to be
/// `eval`ed into the user's shell, each with the reason.
const SHELLCHECK_EXCLUDED: &str = "\
SC2250,\
SC2312";
// SC2250 (braces around every variable): the template uses them; generated
//   one-line functions use "$@", which needs none.
// SC2312 (a command substitution's status is masked by another command):
//   the plugin checks $? explicitly where it matters (`|| return`).

#[test]
fn rendered_bash_passes_shellcheck_with_every_optional_check() {
    if !on_path("shellcheck") {
        panic!("shellcheck is not installed: apt-get install shellcheck");
    }
    for (many, sandbox) in odd_sandboxes().iter().enumerate() {
        for flags in FLAG_SETS {
            let code = init(sandbox, "bash", flags);
            let file = sandbox.path().join("init.bash");
            std::fs::write(&file, &code).unwrap();
            let mut files = vec![file];
            if many == 1 && !flags.contains(&"--no-aliases") {
                let sourced = functions_files(sandbox);
                assert_eq!(sourced.len(), 1, "{sourced:?}");
                assert!(code.contains(&*sourced[0].to_string_lossy()));
                files.extend(sourced);
            }
            let out = sandbox
                .command("shellcheck")
                .args([
                    "--shell=bash",
                    "--enable=all",
                    "--exclude",
                    SHELLCHECK_EXCLUDED,
                ])
                .args(&files)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "init bash {flags:?} ({many}):\n{}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
    }
}

#[test]
fn rendered_plugins_load_under_strict_flags() {
    for sandbox in &odd_sandboxes() {
        plugins_load_under_strict_flags(sandbox);
    }
}

fn plugins_load_under_strict_flags(sandbox: &Sandbox) {
    for flags in FLAG_SETS {
        let args = flags.join(" ");
        let bash = format!(
            "set -euo pipefail\neval \"$(stsenv init bash {args})\"\n\
             type stsenv_assume >/dev/null\n__stsenv_hook\necho loaded\n"
        );
        assert_eq!(
            stdout_ok(&run_script(sandbox, "bash", &bash)),
            "loaded\n",
            "bash {flags:?}"
        );
        let zsh = format!(
            "setopt nounset errreturn\neval \"$(stsenv init zsh {args})\"\n\
             whence stsenv_assume >/dev/null\n__stsenv_hook\necho loaded\n"
        );
        assert_eq!(
            stdout_ok(&run_script(sandbox, "zsh", &zsh)),
            "loaded\n",
            "zsh {flags:?}"
        );
        let code = init(sandbox, "fish", flags);
        let file = sandbox.path().join("init.fish");
        std::fs::write(&file, &code).unwrap();
        let sourced = functions_files(sandbox)
            .into_iter()
            .filter(|f| f.to_string_lossy().contains("/functions-fish-"));
        let parse = sandbox
            .command("fish")
            .arg("--no-execute")
            .arg(&file)
            .args(sourced)
            .output()
            .unwrap();
        assert!(
            parse.status.success(),
            "fish --no-execute {flags:?}: {}",
            String::from_utf8_lossy(&parse.stderr)
        );
        let fish = format!(
            "stsenv init fish {args} | source\nfunctions -q stsenv_assume\n__stsenv_hook\necho loaded\n"
        );
        let out = run_script(sandbox, "fish", &fish);
        assert_eq!(stdout_ok(&out), "loaded\n", "fish {flags:?}");
        assert!(
            out.stderr.is_empty(),
            "fish {flags:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(
        !sandbox.path().join("pwned").exists(),
        "a profile name ran as code"
    );
}

#[test]
fn functions_of_flag_like_profiles_assume_those_profiles() {
    for sandbox in &odd_sandboxes() {
        flag_like_profiles_are_assumed(sandbox);
    }
}

fn flag_like_profiles_are_assumed(sandbox: &Sandbox) {
    let mut code = init(sandbox, "bash", &[]);
    for file in functions_files(sandbox) {
        code += &std::fs::read_to_string(file).unwrap();
    }
    // `-h` → `_h_assume`; `--no-cache` → `__no_cache_assume`.
    let script = "set -euo pipefail\neval \"$(stsenv init bash)\"\n\
        _h_assume --token-code 123456 --no-cache\necho \"h=$STSENV_PROFILE\"\n\
        __no_cache_assume\necho \"nc=$STSENV_PROFILE\"\nnine_assume\necho \"nine=$STSENV_PROFILE\"\n";
    assert!(code.contains("_h_assume()"), "{code}");
    let out = stdout_ok(&run_script(sandbox, "bash", script));
    assert_eq!(out, "h=-h\nnc=--no-cache\nnine=9lives.eu\n");
    let fish = "stsenv init fish | source\n_h_assume\necho \"h=$STSENV_PROFILE\"\n";
    assert_eq!(stdout_ok(&run_script(sandbox, "fish", fish)), "h=-h\n");
    let zsh = "eval \"$(stsenv init zsh)\"\n__no_cache_assume\necho \"nc=$STSENV_PROFILE\"\n";
    assert_eq!(
        stdout_ok(&run_script(sandbox, "zsh", zsh)),
        "nc=--no-cache\n"
    );
    assert!(!sandbox.path().join("pwned").exists());
}

#[test]
fn help_and_usage_errors_never_reach_eval() {
    let sandbox = odd_sandbox();
    for shell in ["bash", "zsh"] {
        let script = format!(
            "eval \"$(stsenv init {shell})\"\nstsenv_assume -h 2>help.txt; echo \"h=$?\"\n\
             stsenv_assume --bogus 2>/dev/null; echo \"bogus=$?\"\n\
             stsenv_assume --version 2>/dev/null; echo \"v=$?\"\necho \"profile=${{STSENV_PROFILE-none}}\"\n"
        );
        let out = stdout_ok(&run_script(&sandbox, shell, &script));
        assert_eq!(out, "h=0\nbogus=2\nv=2\nprofile=none\n", "{shell}");
        let help = std::fs::read_to_string(sandbox.path().join("help.txt")).unwrap();
        assert!(
            help.contains("Usage: stsenv env"),
            "{shell}: help goes to stderr: {help}"
        );
    }
    let fish = "stsenv init fish | source\nstsenv_assume -h 2>/dev/null; echo \"h=$status\"\n\
                set -q STSENV_PROFILE; and echo set; or echo unset\n";
    assert_eq!(
        stdout_ok(&run_script(&sandbox, "fish", fish)),
        "h=0\nunset\n"
    );
    // Direct use still prints help on stdout, like any CLI.
    let out = sandbox.stsenv().args(["env", "-h"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("Usage: stsenv env"));
    // A usage error leaves stdout empty.
    let out = sandbox.stsenv().args(["env", "--bogus"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

/// A copy of the binary in a directory whose name is shell syntax.
fn hostile_install(sandbox: &Sandbox) -> std::path::PathBuf {
    let dir = sandbox
        .path()
        .join("inst $(touch pwned) 'q' `touch pwned2`");
    std::fs::create_dir_all(&dir).unwrap();
    let bin = dir.join("stsenv");
    std::fs::copy(stsenv_bin(), &bin).unwrap();
    set_executable(&bin);
    bin
}

fn run_with(sandbox: &Sandbox, shell: &str, bin: &Path, script: &str) -> std::process::Output {
    let file = sandbox.path().join(format!("hostile.{shell}"));
    std::fs::write(&file, script).unwrap();
    let mut cmd = sandbox.command(shell);
    match shell {
        "bash" => cmd.args(["--norc", "--noprofile"]),
        "zsh" => cmd.arg("-f"),
        _ => cmd.arg("--no-config"),
    };
    cmd.arg(&file)
        .env("STSENV", bin)
        .current_dir(sandbox.path())
        .output()
        .unwrap()
}

#[test]
fn an_install_path_full_of_shell_syntax_is_inert_and_completes() {
    let sandbox = odd_sandbox();
    let bin = hostile_install(&sandbox);
    // bash: load the plugin, then ask the registered completion function
    // for candidates as TAB would.
    let bash = "eval \"$(\"$STSENV\" init bash)\"\n\
        COMP_WORDS=(stsenv explain 9li); COMP_CWORD=2; COMP_TYPE=9\n\
        _stsenv_complete stsenv 9li stsenv\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
    let out = run_with(&sandbox, "bash", &bin, bash);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("9lives.eu"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let zsh = "eval \"$(\"$STSENV\" init zsh)\"\necho loaded\n";
    assert_eq!(stdout_ok(&run_with(&sandbox, "zsh", &bin, zsh)), "loaded\n");
    let fish = "$STSENV init fish | source\ncomplete -C 'stsenv explain 9li'\n";
    let out = stdout_ok(&run_with(&sandbox, "fish", &bin, fish));
    assert!(out.contains("9lives.eu"), "{out}");
    for planted in ["pwned", "pwned2"] {
        assert!(!sandbox.path().join(planted).exists(), "{planted} ran");
    }
}

//! Each plugin in its real shell: init, `<alias>_assume` against moto,
//! `stsenv_assume`, a failing assume that leaves the shell alone, status,
//! unassume; bash and zsh under `set -u`. Plus the static checks
//! (shellcheck, `zsh -n`, `fish --no-execute`) and the init contract.

use stsenv_tests::{workspace_root, Sandbox, SWITCH_ROLE_CONFIG, SWITCH_ROLE_CREDENTIALS};

use crate::shell_support::{init, run_script, stdout_ok, SHELLS};

/// The same story in each shell's syntax; prints `key=value` lines to check.
fn story(shell: &str) -> &'static str {
    match shell {
        "bash" | "zsh" => {
            r#"
set -eu
[ -n "${ZSH_VERSION-}" ] && setopt nounset
eval "$(stsenv init SHELL)"
dev_assume --token-code 123456
echo "profile=$STSENV_PROFILE"
echo "key=${AWS_ACCESS_KEY_ID:0:4}"
echo "region=$AWS_REGION"
echo "status=$(stsenv status --format prompt)"
first=$AWS_ACCESS_KEY_ID
if stsenv_assume no-such-profile 2>/dev/null; then echo "bad=assumed"; fi
[ "$AWS_ACCESS_KEY_ID" = "$first" ] && echo "kept=yes"
__stsenv_hook
echo "hook=$?"
stsenv_unassume
echo "after=${AWS_ACCESS_KEY_ID-unset}/${STSENV_PROFILE-unset}"
stsenv status >/dev/null || echo "status_exit=$?"
stsenv_assume dev --non-interactive
echo "cached=$STSENV_PROFILE"
assume dev --non-interactive
echo "assume=$STSENV_PROFILE"
"#
        }
        "fish" => {
            r#"
stsenv init fish | source
dev_assume --token-code 123456; or exit 1
echo "profile=$STSENV_PROFILE"
echo "key="(string sub -l 4 -- $AWS_ACCESS_KEY_ID)
echo "region=$AWS_REGION"
echo "status="(stsenv status --format prompt)
set first $AWS_ACCESS_KEY_ID
if stsenv_assume no-such-profile 2>/dev/null; echo "bad=assumed"; end
test "$AWS_ACCESS_KEY_ID" = "$first"; and echo "kept=yes"
__stsenv_hook
echo "hook=$status"
stsenv_unassume
set -q AWS_ACCESS_KEY_ID; and echo "after=set"; or echo "after=unset/unset"
stsenv status >/dev/null; or echo "status_exit=$status"
stsenv_assume dev --non-interactive; or exit 1
echo "cached=$STSENV_PROFILE"
assume dev --non-interactive; or exit 1
echo "assume=$STSENV_PROFILE"
"#
        }
        other => panic!("{other}"),
    }
}

#[test]
fn plugins_assume_status_unassume_in_real_shells() {
    for shell in SHELLS {
        let sandbox = Sandbox::switch_role();
        let out = run_script(&sandbox, shell, &story(shell).replace("SHELL", shell));
        let stdout = stdout_ok(&out);
        for expected in [
            "profile=dev",
            "key=ASIA",
            "region=eu-west-1",
            "kept=yes",
            "hook=0",
            "after=unset/unset",
            "status_exit=1",
            "cached=dev",
            "assume=dev",
        ] {
            assert!(
                stdout.lines().any(|l| l == expected),
                "{shell}: no line {expected:?} in\n{stdout}\nstderr:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let status = stdout.lines().find(|l| l.starts_with("status=")).unwrap();
        assert!(
            status.starts_with("status=dev ") && status.ends_with('m'),
            "{shell}: {status}"
        );
        assert!(
            !stdout.contains("bad="),
            "{shell}: failing assume succeeded"
        );
    }
}

#[test]
fn init_defines_one_function_per_assumable_profile() {
    let sandbox = Sandbox::new();
    sandbox.config(
        "[profile dev]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = base\n\
         [profile my-prod.eu]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = base\nstsenv_alias = prod\n\
         [profile prod]\nrole_arn = arn:aws:iam::1:role/c\nsource_profile = base\n\
         [profile broken]\nsource_profile = nowhere\nrole_arn = arn:aws:iam::1:role/d\n\
         [profile stsenv]\nrole_arn = arn:aws:iam::1:role/e\nsource_profile = base\n",
    );
    sandbox.credentials("[base]\naws_access_key_id = AKIA1\naws_secret_access_key = s\n");
    let bash = init(&sandbox, "bash", &[]);
    for line in [
        "dev_assume() { stsenv_assume '--profile=dev' \"$@\"; }",
        "prod_assume() { stsenv_assume '--profile=my-prod.eu' \"$@\"; }",
        "prod_2_assume() { stsenv_assume '--profile=prod' \"$@\"; }",
        "stsenv_2_assume() { stsenv_assume '--profile=stsenv' \"$@\"; }",
        "base_assume() { stsenv_assume '--profile=base' \"$@\"; }",
    ] {
        assert!(bash.lines().any(|l| l == line), "missing {line:?}");
    }
    assert!(
        !bash.contains("broken"),
        "a profile whose plan fails gets no function"
    );
    // Deterministic: the same output twice.
    assert_eq!(
        bash.lines()
            .filter(|l| l.contains("_assume()"))
            .collect::<Vec<_>>(),
        init(&sandbox, "bash", &[])
            .lines()
            .filter(|l| l.contains("_assume()"))
            .collect::<Vec<_>>()
    );
    let bare = init(&sandbox, "bash", &["--no-aliases", "--no-hook"]);
    assert!(!bare.contains("dev_assume") && !bare.contains("\nassume()"));
    assert!(!bare.lines().any(|l| l == "__stsenv_register_hook"));
    assert!(bare.contains("stsenv_assume()"), "the core functions stay");
    let fish = init(&sandbox, "fish", &[]);
    assert!(fish.contains("function prod_assume --description 'stsenv_assume my-prod.eu'\n    stsenv_assume '--profile=my-prod.eu' $argv\nend"));
    let pwsh = init(&sandbox, "powershell", &[]);
    assert!(
        pwsh.contains("function global:prod_assume { stsenv_assume '--profile=my-prod.eu' @args }")
    );
    assert!(pwsh.contains("$global:__StsenvBin = '"));
}

#[test]
fn init_survives_a_broken_config() {
    let sandbox = Sandbox::new();
    sandbox.config("[profile dev\nthis is = not ini [[\n");
    let out = sandbox.stsenv().args(["init", "bash"]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("stsenv_assume()"));
}

#[test]
fn assume_shorthand_leaves_an_existing_command_alone() {
    let sandbox = Sandbox::new();
    let script = "assume() { echo mine; }\neval \"$(stsenv init bash)\"\nassume\n";
    assert_eq!(stdout_ok(&run_script(&sandbox, "bash", script)), "mine\n");
    let script = "function assume; echo mine; end\nstsenv init fish | source\nassume\n";
    assert_eq!(stdout_ok(&run_script(&sandbox, "fish", script)), "mine\n");
}

#[test]
fn evaluating_init_twice_registers_the_hook_once() {
    let sandbox = Sandbox::new();
    let bash = "set -u\neval \"$(stsenv init bash)\"\neval \"$(stsenv init bash)\"\n\
                printf '%s\\n' \"${PROMPT_COMMAND[@]}\"\n";
    assert_eq!(
        stdout_ok(&run_script(&sandbox, "bash", bash)),
        "__stsenv_hook\n"
    );
    // A string PROMPT_COMMAND is kept (bash 5.1 turns it into an array).
    let bash =
        "PROMPT_COMMAND='echo mine'\neval \"$(stsenv init bash)\"\neval \"$(stsenv init bash)\"\n\
                printf '%s\\n' \"${PROMPT_COMMAND[@]}\"\n";
    assert_eq!(
        stdout_ok(&run_script(&sandbox, "bash", bash)),
        "echo mine\n__stsenv_hook\n"
    );
    let zsh = "setopt nounset\neval \"$(stsenv init zsh)\"\neval \"$(stsenv init zsh)\"\n\
               print -l $precmd_functions\n";
    assert_eq!(
        stdout_ok(&run_script(&sandbox, "zsh", zsh)),
        "__stsenv_hook\n"
    );
    let fish = "stsenv init fish | source\nstsenv init fish | source\n\
                functions --handlers-type generic | string match -e stsenv\n";
    assert_eq!(
        stdout_ok(&run_script(&sandbox, "fish", fish)),
        "fish_prompt __stsenv_prompt_hook\n"
    );
}

#[test]
fn plugin_files_pass_their_shells_checks() {
    let root = workspace_root();
    let shell_dir = root.join("shell");
    let check = |program: &str, args: &[&str], file: &str| {
        let out = std::process::Command::new(program)
            .args(args)
            .arg(shell_dir.join(file))
            .output()
            .unwrap_or_else(|e| panic!("{program}: {e}"));
        assert!(
            out.status.success(),
            "{program} {file}:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    check(
        "shellcheck",
        &["--shell=bash", "--severity=style"],
        "stsenv.bash",
    );
    check("bash", &["-n"], "stsenv.bash");
    check("zsh", &["-n"], "stsenv.zsh");
    check("fish", &["--no-execute"], "stsenv.fish");
}

#[test]
fn generated_init_scripts_parse() {
    let sandbox = Sandbox::new();
    sandbox
        .config(SWITCH_ROLE_CONFIG)
        .credentials(SWITCH_ROLE_CREDENTIALS);
    for (shell, program, args) in [
        ("bash", "bash", &["-n"][..]),
        ("zsh", "zsh", &["-n"][..]),
        ("fish", "fish", &["--no-execute"][..]),
    ] {
        let file = sandbox.path().join(format!("init.{shell}"));
        std::fs::write(&file, init(&sandbox, shell, &[])).unwrap();
        let out = std::process::Command::new(program)
            .args(args)
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{shell}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

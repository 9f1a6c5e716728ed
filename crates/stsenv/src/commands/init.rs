//! `stsenv init SHELL`: print the shell plugin (DESIGN §6).
//!
//! The output is, in order: the binary's absolute path (quoted by the
//! shell's own escaper, so the hook never searches PATH and works with any
//! install location), the plugin file from `shell/` embedded at build time,
//! one `<alias>_assume` function per assumable profile, the `assume`
//! shorthand, the hook registration and the completion registration.

use std::collections::BTreeSet;
use std::process::ExitCode;

use clap_complete::env::EnvCompleter;
use stsenv_core::config::AwsConfig;
use stsenv_core::plan::{Overrides, Plan};
use stsenv_core::{Error, Result};

use crate::cli::InitArgs;
use crate::cli::InitShell;
use crate::emit::{self, is_valid_name};

const BASH: &str = include_str!("../../../../shell/stsenv.bash");
const ZSH: &str = include_str!("../../../../shell/stsenv.zsh");
const FISH: &str = include_str!("../../../../shell/stsenv.fish");
const POWERSHELL: &str = include_str!("../../../../shell/stsenv.ps1");

/// The environment variable that turns a run of stsenv into a completion
/// request. Not clap's default `COMPLETE`: a name that generic may be set
/// for other reasons, and stsenv would then print completions instead of
/// running.
pub const COMPLETE_VAR: &str = "_STSENV_COMPLETE";

/// Function names the plugin defines itself; a profile alias never takes them.
const RESERVED: [&str; 3] = ["stsenv_assume", "stsenv_unassume", "assume"];

/// Run `stsenv init`.
pub fn run(args: InitArgs) -> Result<ExitCode> {
    let exe = std::env::current_exe()
        .map_err(|e| Error::io("cannot find the stsenv binary", "current_exe", e))?;
    let exe = exe.to_str().ok_or_else(|| {
        Error::InvalidInput(format!(
            "the path of stsenv is not UTF-8: {}",
            exe.display()
        ))
    })?;
    let functions = if args.no_aliases {
        Vec::new()
    } else {
        // A broken config must not break the user's shell start-up: the
        // plugin still loads, without per-profile functions.
        match AwsConfig::load() {
            Ok(config) => assume_functions(&config),
            Err(err) => {
                stsenv_core::warn(&format!("no <profile>_assume functions: {err}"));
                Vec::new()
            }
        }
    };
    print!("{}", script(args.shell, exe, &functions, &args));
    Ok(ExitCode::SUCCESS)
}

/// One `<alias>_assume` function: its name and the profile it assumes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumeFunction {
    /// The function name, a valid identifier ending in `_assume`.
    pub name: String,
    /// The profile it passes to `stsenv_assume`.
    pub profile: String,
}

/// The `<alias>_assume` functions for every profile whose plan builds.
///
/// Deterministic: profiles with an explicit `stsenv_alias` claim their name
/// first, then the others in sorted order; a name already taken gets `_2`,
/// `_3`, … so re-running init in another shell gives the same functions.
pub fn assume_functions(config: &AwsConfig) -> Vec<AssumeFunction> {
    let mut candidates: Vec<(bool, String, &str)> = config
        .profile_names()
        .into_iter()
        .filter(|name| Plan::build(config, Some(name), &Overrides::default()).is_ok())
        .map(|name| {
            let explicit = config
                .profile(name)
                .ok()
                .and_then(|profile| profile.get("stsenv_alias"))
                .map(str::trim)
                .filter(|alias| !alias.is_empty());
            match explicit {
                Some(alias) => (false, identifier(alias), name),
                None => (true, identifier(name), name),
            }
        })
        .collect();
    // `false` (explicit alias) sorts first; the sort is stable in names.
    candidates.sort_by_key(|(derived, _, _)| *derived);
    let mut taken: BTreeSet<String> = RESERVED.iter().map(|s| s.to_string()).collect();
    let mut functions = Vec::new();
    for (_, alias, profile) in candidates {
        let mut name = format!("{alias}_assume");
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{alias}_{n}_assume");
            n += 1;
        }
        // `identifier` makes valid names; the check keeps that promise
        // visible where the name meets the shell.
        if !is_valid_name(&name) {
            stsenv_core::warn(&format!(
                "no function for profile `{profile}`: `{name}` is not a valid name"
            ));
            continue;
        }
        taken.insert(name.clone());
        functions.push(AssumeFunction {
            name,
            profile: profile.to_string(),
        });
    }
    functions.sort_by(|a, b| a.profile.cmp(&b.profile));
    functions
}

/// `text` as an identifier: every character outside `[A-Za-z0-9_]` becomes
/// `_`, and a leading digit gets a `_` in front (names are validated, never
/// escaped, DESIGN §7).
pub fn identifier(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

/// The whole init script for `shell`.
pub fn script(
    shell: InitShell,
    exe: &str,
    functions: &[AssumeFunction],
    args: &InitArgs,
) -> String {
    let mut out = String::new();
    let header = "stsenv init: the stsenv shell plugin; see `stsenv init --help`";
    match shell {
        InitShell::Bash => {
            out += &format!("# {header}\n_STSENV_BIN={}\n", emit::posix::quote(exe));
            // bash 3.2 has no clock builtin: the hook counts from this moment.
            out += &format!("_STSENV_EPOCH0={}\n", jiff::Timestamp::now().as_second());
            out += BASH;
        }
        InitShell::Zsh => {
            out += &format!("# {header}\n_STSENV_BIN={}\n", emit::posix::quote(exe));
            out += ZSH;
        }
        InitShell::Fish => {
            out += &format!(
                "# {header}\nset -g __stsenv_bin {}\n",
                emit::fish::quote(exe)
            );
            out += FISH;
        }
        InitShell::Powershell => {
            out += &format!(
                "# {header}\n$global:__StsenvBin = {}\n",
                emit::powershell::quote(exe)
            );
            out += POWERSHELL;
        }
    }
    out += "\n";
    if !args.no_aliases {
        for function in functions {
            out += &assume_function(shell, function);
        }
        out += shorthand(shell);
    }
    if !args.no_hook {
        out += "__stsenv_register_hook\n";
    }
    out += &completion_registration(shell, exe);
    out
}

fn assume_function(shell: InitShell, function: &AssumeFunction) -> String {
    let AssumeFunction { name, profile } = function;
    match shell {
        InitShell::Bash | InitShell::Zsh => format!(
            "{name}() {{ stsenv_assume {} \"$@\"; }}\n",
            emit::posix::quote(profile)
        ),
        InitShell::Fish => format!(
            "function {name} --description {}\n    stsenv_assume {} $argv\nend\n",
            emit::fish::quote(&format!("stsenv_assume {profile}")),
            emit::fish::quote(profile)
        ),
        InitShell::Powershell => format!(
            "function global:{name} {{ stsenv_assume {} @args }}\n",
            emit::powershell::quote(profile)
        ),
    }
}

/// `assume`, only when nothing of that name exists (it is a common name:
/// other tools ship an `assume` command).
fn shorthand(shell: InitShell) -> &'static str {
    match shell {
        InitShell::Bash => {
            "if ! type assume >/dev/null 2>&1; then\n    assume() { stsenv_assume \"$@\"; }\nfi\n"
        }
        InitShell::Zsh => {
            "if ! whence assume >/dev/null 2>&1; then\n    assume() { stsenv_assume \"$@\"; }\nfi\n"
        }
        InitShell::Fish => {
            "if not type -q assume\n    function assume --description 'stsenv_assume'\n        stsenv_assume $argv\n    end\nend\n"
        }
        InitShell::Powershell => {
            "if (-not (Get-Command assume -ErrorAction SilentlyContinue)) {\n    function global:assume { stsenv_assume @args }\n}\n"
        }
    }
}

/// Completion of `stsenv …`, profile names included: clap_complete's
/// dynamic engine calls this binary (`_STSENV_COMPLETE=SHELL stsenv -- words`) on TAB,
/// so profiles added later complete without re-running init.
fn completion_registration(shell: InitShell, exe: &str) -> String {
    let mut buf = Vec::new();
    let completer: &dyn EnvCompleter = match shell {
        InitShell::Bash => &clap_complete::env::Bash,
        InitShell::Zsh => &clap_complete::env::Zsh,
        InitShell::Fish => &clap_complete::env::Fish,
        InitShell::Powershell => &clap_complete::env::Powershell,
    };
    completer
        .write_registration(COMPLETE_VAR, "stsenv", "stsenv", exe, &mut buf)
        .expect("writing to a Vec cannot fail");
    let registration = String::from_utf8_lossy(&buf);
    match shell {
        // compdef exists only after compinit; without it, skip quietly
        // rather than print an error at every shell start.
        InitShell::Zsh => format!(
            "if (( $+functions[compdef] )); then\n{}\nfi\n",
            registration.trim_end()
        ),
        _ => registration.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_valid() {
        assert_eq!(identifier("foo-bar.baz"), "foo_bar_baz");
        assert_eq!(identifier("9lives"), "_9lives");
        assert_eq!(identifier("prod ü"), "prod__");
        for text in ["a", "-", "1", "é", "a b"] {
            assert!(is_valid_name(&identifier(text)), "{text}");
        }
    }

    #[test]
    fn embedded_plugins_define_the_functions() {
        for plugin in [BASH, ZSH, FISH, POWERSHELL] {
            for name in ["stsenv_assume", "stsenv_unassume", "__stsenv_hook"] {
                assert!(plugin.contains(name), "{name}");
            }
        }
    }
}

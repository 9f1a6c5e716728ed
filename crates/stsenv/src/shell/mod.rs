//! Everything about writing shell code: the shells stsenv knows, the env
//! code each understands (quoting, set, unset), the plugin `stsenv init`
//! prints (one template file per shell in `shell/` at the repository root,
//! filled in here), the `<alias>_assume` functions and their names.
//!
//! One file per shell. Adding a shell means one file here, one template,
//! and one variant in [`Shell`] (and in [`OutputFormat`]).

mod bash;
mod dotenv;
mod env_no_export;
mod fish;
mod posix;
mod powershell;
#[cfg(test)]
mod roundtrip;
mod windows_cmd;
mod zsh;

use std::collections::BTreeSet;

use clap::ValueEnum;

/// Shells with a plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    /// bash 3.2 and later
    Bash,
    /// zsh
    Zsh,
    /// fish 3.1 and later
    Fish,
    /// PowerShell 7 and Windows PowerShell 5.1
    Powershell,
}

/// What `stsenv env` and `stsenv unset` can print. `env`, `env-no-export`,
/// `powershell`, `windows-cmd` and `process` are the names of the AWS
/// CLI's `configure export-credentials --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// bash code (`export NAME='value'`)
    Bash,
    /// zsh code
    Zsh,
    /// fish code (`set -gx NAME 'value'`)
    Fish,
    /// PowerShell code (`$env:NAME = 'value'`)
    Powershell,
    /// credential_process v1 JSON
    Json,
    /// a .env file (`NAME='value'`)
    Dotenv,
    /// the same as bash (the AWS CLI's name)
    Env,
    /// `NAME=value` lines without `export` (quoted only where a shell needs it)
    EnvNoExport,
    /// cmd.exe code (`set "NAME=value"`; refuses values cmd.exe cannot keep literal)
    WindowsCmd,
    /// the same as json (the AWS CLI's name)
    Process,
}

/// Code that sets and removes environment variables in one language.
pub trait EnvSyntax {
    /// Code setting `name` to `value`, ending with a newline.
    fn set(&self, name: &str, value: &str) -> String;
    /// Code removing `name`, ending with a newline (empty where the format
    /// cannot remove).
    fn unset(&self, name: &str) -> String;
    /// [`EnvSyntax::set`]'s code appended to `out` (a syntax that can
    /// write it without an intermediate string says so here: the cache
    /// hit renders every line into one buffer).
    fn set_into(&self, out: &mut String, name: &str, value: &str) {
        out.push_str(&self.set(name, value));
    }
    /// [`EnvSyntax::unset`]'s code appended to `out`.
    fn unset_into(&self, out: &mut String, name: &str) {
        out.push_str(&self.unset(name));
    }
    /// What joins two statements on one line.
    fn separator(&self) -> &'static str {
        "; "
    }
    /// Why `value` cannot be written in this syntax so that it reads back
    /// byte for byte (never quoting the value: it may be a secret), or
    /// `None` when it can. A refused change prints nothing.
    fn refuse(&self, value: &str) -> Option<String> {
        let _ = value;
        None
    }
}

/// A shell's plugin: its template and the code generated into it.
pub trait Plugin: EnvSyntax {
    /// `value` quoted so that the shell reads it back byte for byte and
    /// runs nothing in it.
    fn quote(&self, value: &str) -> String;
    /// The template file, embedded at build time.
    fn template(&self) -> &'static str;
    /// One `<alias>_assume` function. The profile travels as one quoted
    /// `--profile=NAME` word, so a name like `-h` is never read as a flag.
    fn assume_function(&self, function: &AssumeFunction) -> String;
    /// Code that reads the function definitions in the file at `path` (see
    /// [`render_functions`]) when it is still there; `None` for a shell
    /// whose plugin always carries them itself.
    fn source_file(&self, path: &str) -> Option<String> {
        let _ = path;
        None
    }

    /// Code that gets the functions file (or autoload directory) from
    /// `stsenv init SHELL --functions-file` when a function is first
    /// needed, and reads it then: for a shell that loads its functions
    /// lazily anyway (bash, zsh), so
    /// that `init` need not plan every profile of a large config before
    /// the shell can start. `None` for a shell that needs its functions
    /// (or their names) at start-up.
    fn source_later(&self) -> Option<String> {
        None
    }

    /// The functions as files of a directory the shell autoloads them
    /// from, one per function (file name, text): defining thousands of
    /// functions at start-up is most of a shell's start, autoloading one
    /// costs nothing until it is used. `None` for a shell that reads one
    /// file instead.
    fn autoload_files(&self, functions: &[AssumeFunction]) -> Option<Vec<(String, String)>> {
        let _ = functions;
        None
    }

    /// Code that autoloads the functions from the directory at `path`
    /// (what [`Plugin::autoload_files`] wrote) when it is still there, at
    /// once (fish) or when a function is first needed (zsh).
    fn autoload_dir(&self, path: &str) -> Option<String> {
        let _ = path;
        None
    }
}

impl Shell {
    /// The shell's plugin.
    pub fn plugin(self) -> &'static dyn Plugin {
        match self {
            Shell::Bash => &bash::BASH,
            Shell::Zsh => &zsh::ZSH,
            Shell::Fish => &fish::Fish,
            Shell::Powershell => &powershell::PowerShell,
        }
    }

    /// The name the user types (`stsenv init NAME`).
    pub fn name(self) -> String {
        value_name(&self)
    }

    /// clap_complete's name for the shell (static completion scripts).
    pub fn completion_shell(self) -> clap_complete::Shell {
        match self {
            Shell::Bash => clap_complete::Shell::Bash,
            Shell::Zsh => clap_complete::Shell::Zsh,
            Shell::Fish => clap_complete::Shell::Fish,
            Shell::Powershell => clap_complete::Shell::PowerShell,
        }
    }
}

impl OutputFormat {
    /// The env-code syntax of the format; `None` for JSON, which is not env code.
    pub fn syntax(self) -> Option<&'static dyn EnvSyntax> {
        match self {
            OutputFormat::Bash | OutputFormat::Env => Some(&bash::BASH),
            OutputFormat::Zsh => Some(&zsh::ZSH),
            OutputFormat::Fish => Some(&fish::Fish),
            OutputFormat::Powershell => Some(&powershell::PowerShell),
            OutputFormat::Dotenv => Some(&dotenv::Dotenv),
            OutputFormat::EnvNoExport => Some(&env_no_export::EnvNoExport),
            OutputFormat::WindowsCmd => Some(&windows_cmd::WindowsCmd),
            OutputFormat::Json | OutputFormat::Process => None,
        }
    }

    /// The format matching the user's login shell (`$SHELL`), bash when unknown.
    pub fn from_env() -> OutputFormat {
        let shell = std::env::var("SHELL").unwrap_or_default();
        match shell.rsplit('/').next().unwrap_or_default() {
            "zsh" => OutputFormat::Zsh,
            "fish" => OutputFormat::Fish,
            "pwsh" | "powershell" => OutputFormat::Powershell,
            _ => OutputFormat::Bash,
        }
    }

    /// The name the user types (`--shell NAME`).
    pub fn name(self) -> String {
        value_name(&self)
    }
}

/// The name clap gives `value` on the command line.
fn value_name(value: &impl ValueEnum) -> String {
    value
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

/// A change to the environment: variables to set, then variables to remove.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct EnvChange {
    /// Names and values to set, in order.
    pub set: Vec<(&'static str, String)>,
    /// Names to remove.
    pub unset: Vec<&'static str>,
}

impl EnvChange {
    /// Check that every value can be written in `syntax`; the error names
    /// the variable and says why, never showing the value.
    pub fn check(&self, syntax: &dyn EnvSyntax) -> Result<(), String> {
        for (name, value) in &self.set {
            if let Some(why) = syntax.refuse(value) {
                return Err(format!("{name} cannot be written in this format: {why}"));
            }
        }
        Ok(())
    }

    /// The change as code, one statement per line.
    pub fn render(&self, syntax: &dyn EnvSyntax) -> String {
        // One buffer, sized for the usual quoting, for every line.
        let size = self
            .set
            .iter()
            .map(|(name, value)| name.len() + value.len() + 16)
            .chain(self.unset.iter().map(|name| name.len() + 16))
            .sum();
        let mut out = String::with_capacity(size);
        for (name, value) in &self.set {
            debug_assert!(is_valid_name(name), "invalid env name {name}");
            syntax.set_into(&mut out, name, value);
        }
        for name in &self.unset {
            syntax.unset_into(&mut out, name);
        }
        out
    }

    /// The same code on one line (for the clipboard: one paste, one history
    /// entry). dotenv keeps its lines: the format has no separator.
    pub fn render_one_line(&self, syntax: &dyn EnvSyntax) -> String {
        let statements: Vec<String> = self
            .statements(syntax)
            .map(|s| s.trim_end_matches('\n').to_string())
            .filter(|s| !s.is_empty())
            .collect();
        statements.join(syntax.separator()) + "\n"
    }

    fn statements<'a>(&'a self, syntax: &'a dyn EnvSyntax) -> impl Iterator<Item = String> + 'a {
        let sets = self.set.iter().map(|(name, value)| {
            debug_assert!(is_valid_name(name), "invalid env name {name}");
            syntax.set(name, value)
        });
        sets.chain(self.unset.iter().map(|name| syntax.unset(name)))
    }
}

/// Whether `name` is a portable identifier: `[A-Za-z_][A-Za-z0-9_]*`.
/// Names (variables, functions) are validated, never escaped.
pub fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// One `<alias>_assume` function: its name and the profile it assumes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumeFunction {
    /// The function name, a valid identifier ending in `_assume`.
    pub name: String,
    /// The profile it passes to `stsenv_assume`.
    pub profile: String,
}

/// Function names the plugin defines itself; a profile alias never takes them.
const RESERVED: [&str; 3] = ["stsenv_assume", "stsenv_unassume", "assume"];

/// Name the `<alias>_assume` functions of `profiles` (name and explicit
/// `stsenv_alias`, if any). Deterministic: explicit aliases claim their
/// names first, then the others in the order given; a name already taken
/// gets `_2`, `_3`, … so every shell gets the same functions.
pub fn assume_functions<'a>(
    profiles: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
) -> Vec<AssumeFunction> {
    let mut candidates: Vec<(bool, String, &str)> = profiles
        .into_iter()
        .map(
            |(profile, alias)| match alias.map(str::trim).filter(|a| !a.is_empty()) {
                Some(alias) => (false, identifier(alias), profile),
                None => (true, identifier(profile), profile),
            },
        )
        .collect();
    // `false` (explicit alias) sorts first; the sort is stable.
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
/// `_`, and a name not starting with a letter or `_` gets a `_` in front.
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

/// What `stsenv init` fills into a template.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// The absolute path of the stsenv binary.
    pub bin: String,
    /// Now, in epoch seconds (bash 3.2's clock counts from it).
    pub epoch: i64,
    /// The `<alias>_assume` functions (and with them the `assume` shorthand).
    pub functions: Functions,
    /// Whether to register the prompt hook.
    pub hook: bool,
}

/// Where the plugin gets its `<alias>_assume` functions from.
#[derive(Debug, Clone)]
pub enum Functions {
    /// None at all, nor the `assume` shorthand (`init --no-aliases`).
    None,
    /// Defined in the plugin itself.
    Inline(Vec<AssumeFunction>),
    /// Defined by sourcing the file at this path, which holds what
    /// [`render_functions`] wrote (thousands of definitions: a shell reads
    /// a file faster than the same text through `eval "$(…)"`). The shell's
    /// plugin must have a [`Plugin::source_file`].
    File(String),
    /// Autoloaded from the directory at this path, which holds what
    /// [`Plugin::autoload_files`] wrote (fish, zsh).
    Dir(String),
    /// From a file stsenv writes when a function is first needed (see
    /// [`Plugin::source_later`]).
    Later,
}

/// The definitions of `functions` in `shell`'s syntax, one per line.
pub fn render_functions(shell: Shell, functions: &[AssumeFunction]) -> String {
    let plugin = shell.plugin();
    functions
        .iter()
        .filter(|f| is_valid_name(&f.name))
        .map(|f| plugin.assume_function(f))
        .collect()
}

/// The whole plugin for `shell`.
pub fn render_init(shell: Shell, options: &InitOptions) -> String {
    let plugin = shell.plugin();
    let functions = match &options.functions {
        Functions::None => String::new(),
        Functions::Inline(functions) => {
            render_functions(shell, functions) + "__stsenv_define_shorthand\n"
        }
        Functions::File(path) => {
            plugin.source_file(path).unwrap_or_default() + "__stsenv_define_shorthand\n"
        }
        Functions::Dir(path) => {
            plugin.autoload_dir(path).unwrap_or_default() + "__stsenv_define_shorthand\n"
        }
        Functions::Later => {
            plugin.source_later().unwrap_or_default() + "__stsenv_define_shorthand\n"
        }
    };
    let hook = if options.hook {
        "__stsenv_register_hook\n"
    } else {
        ""
    };
    plugin
        .template()
        .replace("'@STSENV_BIN@'", &plugin.quote(&options.bin))
        .replace("'@STSENV_EPOCH@'", &options.epoch.to_string())
        .replace("# @STSENV_FUNCTIONS@\n", &functions)
        .replace("# @STSENV_HOOK@\n", hook)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `render` writes into one buffer; every syntax must still print
    /// exactly its `set`/`unset` lines, in order.
    #[test]
    fn render_is_the_set_and_unset_lines_in_order() {
        let change = EnvChange {
            set: vec![
                ("A", "it's".into()),
                ("B", String::new()),
                ("C", "x y".into()),
            ],
            unset: vec!["D", "E"],
        };
        for format in OutputFormat::value_variants() {
            let Some(syntax) = format.syntax() else {
                continue;
            };
            let expected: String = [
                syntax.set("A", "it's"),
                syntax.set("B", ""),
                syntax.set("C", "x y"),
                syntax.unset("D"),
                syntax.unset("E"),
            ]
            .concat();
            assert_eq!(change.render(syntax), expected, "{format:?}");
        }
    }

    #[test]
    fn names_are_validated() {
        assert!(is_valid_name("AWS_REGION"));
        assert!(is_valid_name("_x1"));
        assert!(!is_valid_name("1x"));
        assert!(!is_valid_name("A-B"));
        assert!(!is_valid_name(""));
    }

    #[test]
    fn identifiers_are_valid() {
        assert_eq!(identifier("foo-bar.baz"), "foo_bar_baz");
        assert_eq!(identifier("9lives"), "_9lives");
        assert_eq!(identifier("prod ü"), "prod__");
        for text in ["a", "-", "1", "é", "a b", "--no-cache", "-h"] {
            assert!(is_valid_name(&identifier(text)), "{text}");
        }
    }

    #[test]
    fn aliases_first_then_clashes_numbered() {
        let functions = assume_functions([
            ("a-b", None),
            ("a_b", None),
            ("x", Some("a_b")),
            ("assume", None),
        ]);
        let names: Vec<(&str, &str)> = functions
            .iter()
            .map(|f| (f.profile.as_str(), f.name.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("a-b", "a_b_2_assume"),
                ("a_b", "a_b_3_assume"),
                ("assume", "assume_assume"),
                ("x", "a_b_assume"),
            ]
        );
    }

    /// Only bash reads its functions file lazily, so only its plugin can
    /// leave the file for later (zsh and fish take the names at start-up).
    #[test]
    fn only_a_lazily_reading_plugin_leaves_its_functions_for_later() {
        let lazy = [Shell::Bash, Shell::Zsh];
        for shell in Shell::value_variants() {
            let later = shell.plugin().source_later();
            assert_eq!(later.is_some(), lazy.contains(shell), "{shell:?}");
        }
        for shell in lazy {
            let out = render_init(
                shell,
                &InitOptions {
                    bin: "/bin/stsenv".into(),
                    epoch: 1,
                    functions: Functions::Later,
                    hook: false,
                },
            );
            assert!(
                out.contains("\n__stsenv_functions_from later\n__stsenv_define_shorthand\n"),
                "{shell:?}: {out}"
            );
        }
    }

    #[test]
    fn every_template_is_filled_in() {
        for shell in Shell::value_variants() {
            let out = render_init(
                *shell,
                &InitOptions {
                    bin: "/opt/st's $(x)/stsenv".into(),
                    epoch: 1,
                    functions: Functions::Inline(vec![AssumeFunction {
                        name: "dev_assume".into(),
                        profile: "-h".into(),
                    }]),
                    hook: true,
                },
            );
            assert!(!out.contains("@STSENV"), "{shell:?}: {out}");
            for name in [
                "stsenv_assume",
                "stsenv_unassume",
                "__stsenv_hook",
                "dev_assume",
            ] {
                assert!(out.contains(name), "{shell:?} lacks {name}");
            }
            assert!(out.contains("__stsenv_register_hook\n"));
        }
    }
}

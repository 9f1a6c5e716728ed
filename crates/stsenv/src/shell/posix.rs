//! What bash and zsh share: single-quote quoting (each `'` written as
//! `'\''`), `export`/`unset`, and POSIX function syntax. Each of the two
//! has its own file for its template.

use super::{AssumeFunction, EnvSyntax, Plugin};

/// Quote `value` for bash/zsh so that it reads back byte for byte.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    quote_into(&mut out, value);
    out
}

/// [`quote`], appended to `out`.
pub fn quote_into(out: &mut String, value: &str) {
    out.push('\'');
    let mut parts = value.split('\'');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    for part in parts {
        out.push_str(r"'\''");
        out.push_str(part);
    }
    out.push('\'');
}

/// A POSIX-family shell: bash or zsh, told apart by their templates.
pub struct PosixShell {
    /// The plugin template.
    pub template: &'static str,
    /// Whether the template reads a functions file (bash) or autoloads a
    /// functions directory (zsh) lazily, through its
    /// `__stsenv_functions_from PATH`, rather than at once.
    pub lazy_functions: bool,
    /// Whether the shell autoloads functions from a directory (zsh's
    /// `fpath`: one file per function, its body).
    pub autoload: bool,
}

impl EnvSyntax for PosixShell {
    fn set(&self, name: &str, value: &str) -> String {
        let mut out = String::new();
        self.set_into(&mut out, name, value);
        out
    }

    fn unset(&self, name: &str) -> String {
        let mut out = String::new();
        self.unset_into(&mut out, name);
        out
    }

    fn set_into(&self, out: &mut String, name: &str, value: &str) {
        out.push_str("export ");
        out.push_str(name);
        out.push('=');
        quote_into(out, value);
        out.push('\n');
    }

    fn unset_into(&self, out: &mut String, name: &str) {
        out.push_str("unset ");
        out.push_str(name);
        out.push('\n');
    }
}

impl Plugin for PosixShell {
    fn quote(&self, value: &str) -> String {
        quote(value)
    }

    fn template(&self) -> &'static str {
        self.template
    }

    fn assume_function(&self, function: &AssumeFunction) -> String {
        let AssumeFunction { name, profile } = function;
        format!(
            "{name}() {{ stsenv_assume {} \"$@\"; }}\n",
            quote(&format!("--profile={profile}"))
        )
    }

    fn autoload_files(&self, functions: &[AssumeFunction]) -> Option<Vec<(String, String)>> {
        self.autoload.then(|| {
            functions
                .iter()
                .map(|AssumeFunction { name, profile }| {
                    let body = format!(
                        "stsenv_assume {} \"$@\"\n",
                        quote(&format!("--profile={profile}"))
                    );
                    (name.clone(), body)
                })
                .collect()
        })
    }

    /// The template's loader puts the directory first in `fpath` and
    /// marks its files for autoloading when a function is first needed
    /// (zsh's `__stsenv_functions_from`).
    fn autoload_dir(&self, path: &str) -> Option<String> {
        self.autoload
            .then(|| format!("__stsenv_functions_from {}\n", quote(path)))
    }

    fn source_file(&self, path: &str) -> Option<String> {
        let path = quote(path);
        Some(if self.lazy_functions {
            format!("__stsenv_functions_from {path}\n")
        } else {
            format!("if [[ -r {path} ]]; then\n    . {path}\nfi\n")
        })
    }

    /// The file is read lazily anyway: `later` tells the loader to ask
    /// stsenv for it then.
    fn source_later(&self) -> Option<String> {
        self.lazy_functions
            .then(|| "__stsenv_functions_from later\n".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_single_quotes() {
        assert_eq!(quote("a'b"), r"'a'\''b'");
        assert_eq!(quote("$x `y` \\"), r"'$x `y` \'");
    }

    #[test]
    fn quotes_into_a_buffer_as_before() {
        for (value, quoted) in [
            ("", "''"),
            ("'", r#"''\'''"#),
            ("''a'", r#"''\'''\''a'\'''"#),
            ("plain", "'plain'"),
        ] {
            assert_eq!(quote(value), quoted);
            let mut out = String::from("x=");
            quote_into(&mut out, value);
            assert_eq!(out, format!("x={quoted}"));
        }
        let bash = crate::shell::bash::BASH;
        assert_eq!(bash.set("A", "it's"), "export A='it'\\''s'\n");
        let mut out = String::new();
        bash.set_into(&mut out, "A", "it's");
        bash.unset_into(&mut out, "B");
        assert_eq!(out, "export A='it'\\''s'\nunset B\n");
    }
}

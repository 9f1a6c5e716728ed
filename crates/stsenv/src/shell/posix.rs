//! What bash and zsh share: single-quote quoting (each `'` written as
//! `'\''`), `export`/`unset`, and POSIX function syntax. Each of the two
//! has its own file for its template.

use super::{AssumeFunction, EnvSyntax, Plugin};

/// Quote `value` for bash/zsh so that it reads back byte for byte.
pub fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// A POSIX-family shell: bash or zsh, told apart by their templates.
pub struct PosixShell {
    /// The plugin template.
    pub template: &'static str,
    /// Whether the template reads a functions file lazily, through its
    /// `__stsenv_functions_from PATH` (bash), rather than at once.
    pub lazy_functions: bool,
    /// Whether the shell autoloads functions from a directory (zsh's
    /// `fpath`: one file per function, its body).
    pub autoload: bool,
}

impl EnvSyntax for PosixShell {
    fn set(&self, name: &str, value: &str) -> String {
        format!("export {name}={}\n", quote(value))
    }

    fn unset(&self, name: &str) -> String {
        format!("unset {name}\n")
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

    /// `fpath` first, then every file there marked for autoloading (a
    /// glob, unsorted: no name is parsed or defined until it is used).
    /// No `.` qualifier: it would stat each of thousands of files (8 ms
    /// of a shell's start at 5,000), and the directory is stsenv's own,
    /// private, holding only the files `init` wrote.
    fn autoload_dir(&self, path: &str) -> Option<String> {
        let path = quote(path);
        self.autoload.then(|| {
            format!(
                "if [[ -d {path} ]]; then\n    fpath=({path} \"${{fpath[@]}}\")\n    autoload -Uz -- {path}/*(NoN:t)\nfi\n"
            )
        })
    }

    fn source_file(&self, path: &str) -> Option<String> {
        let path = quote(path);
        Some(if self.lazy_functions {
            format!("__stsenv_functions_from {path}\n")
        } else {
            format!("if [[ -r {path} ]]; then\n    . {path}\nfi\n")
        })
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
}

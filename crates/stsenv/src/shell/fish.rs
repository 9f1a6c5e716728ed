//! fish: single quotes where `\` and `'` are escaped with a backslash
//! (POSIX `'\''` quoting is wrong in fish), `set -gx`/`set -e`, fish
//! functions, and its plugin template (`shell/stsenv.fish`).

use super::{AssumeFunction, EnvSyntax, Plugin};

/// The fish plugin.
pub struct Fish;

/// Quote `value` for fish so that it reads back byte for byte.
pub fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', r"\\").replace('\'', r"\'"))
}

impl EnvSyntax for Fish {
    fn set(&self, name: &str, value: &str) -> String {
        format!("set -gx {name} {}\n", quote(value))
    }

    /// `set -e` of a variable that is not set returns 4; `or true` keeps
    /// `stsenv env … | source` (and the plugin) at status 0.
    fn unset(&self, name: &str) -> String {
        format!("set -e {name}; or true\n")
    }
}

impl Plugin for Fish {
    fn quote(&self, value: &str) -> String {
        quote(value)
    }

    fn template(&self) -> &'static str {
        include_str!("../../../../shell/stsenv.fish")
    }

    fn assume_function(&self, function: &AssumeFunction) -> String {
        let AssumeFunction { name, profile } = function;
        format!(
            "function {name} --description {}\n    stsenv_assume {} $argv\nend\n",
            quote(&format!("stsenv_assume {profile}")),
            quote(&format!("--profile={profile}"))
        )
    }

    fn autoload_files(&self, functions: &[AssumeFunction]) -> Option<Vec<(String, String)>> {
        Some(
            functions
                .iter()
                .map(|f| (format!("{}.fish", f.name), self.assume_function(f)))
                .collect(),
        )
    }

    /// First in `fish_function_path` (once, however often the plugin is
    /// read): fish then loads a function from its file when it is first
    /// called, and completes the names from the file names.
    fn autoload_dir(&self, path: &str) -> Option<String> {
        let path = quote(path);
        Some(format!(
            "if test -d {path}; and not contains -- {path} $fish_function_path\n    set -g fish_function_path {path} $fish_function_path\nend\n"
        ))
    }

    fn source_file(&self, path: &str) -> Option<String> {
        let path = quote(path);
        Some(format!("if test -r {path}\n    source {path}\nend\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_backslash_before_quote() {
        assert_eq!(quote(r"a\'b\"), r"'a\\\'b\\'");
    }
}

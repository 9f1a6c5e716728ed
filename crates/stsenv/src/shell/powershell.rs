//! PowerShell: single-quoted strings where `'` and the smart quotes
//! U+2018–U+201B (which PowerShell also treats as quotes) are doubled,
//! `$env:` assignments, global functions, and its plugin template
//! (`shell/stsenv.ps1`).

use super::{AssumeFunction, EnvSyntax, Plugin};

/// The PowerShell plugin.
pub struct PowerShell;

/// Quote `value` for PowerShell so that it reads back byte for byte.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if matches!(c, '\'' | '\u{2018}'..='\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

impl EnvSyntax for PowerShell {
    fn set(&self, name: &str, value: &str) -> String {
        format!("$env:{name} = {}\n", quote(value))
    }

    fn unset(&self, name: &str) -> String {
        format!("Remove-Item Env:{name} -ErrorAction SilentlyContinue\n")
    }
}

impl Plugin for PowerShell {
    fn quote(&self, value: &str) -> String {
        quote(value)
    }

    fn template(&self) -> &'static str {
        include_str!("../../../../shell/stsenv.ps1")
    }

    fn assume_function(&self, function: &AssumeFunction) -> String {
        let AssumeFunction { name, profile } = function;
        format!(
            "function global:{name} {{ stsenv_assume {} @args }}\n",
            quote(&format!("--profile={profile}"))
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_all_single_quote_forms() {
        assert_eq!(quote("it's \u{2019}x"), "'it''s \u{2019}\u{2019}x'");
    }
}

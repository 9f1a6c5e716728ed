//! PowerShell: single-quoted strings where `'` and the smart quotes
//! U+2018–U+201B (which PowerShell also treats as quotes) are doubled.

use super::Emitter;

/// The PowerShell emitter.
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

impl Emitter for PowerShell {
    fn set(&self, name: &str, value: &str) -> String {
        format!("$env:{name} = {}\n", quote(value))
    }

    fn unset(&self, name: &str) -> String {
        format!("Remove-Item Env:{name} -ErrorAction SilentlyContinue\n")
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

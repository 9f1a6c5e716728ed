//! What an MFA code looks like, checked before it reaches STS: the same
//! rule for `--token-code`, the terminal and `mfa_process`.

/// An MFA code as typed: exactly six ASCII digits (surrounding blanks allowed).
pub fn validate_token_code(code: &str) -> std::result::Result<String, &'static str> {
    let code = code.trim();
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code.to_string())
    } else {
        Err("the MFA code must be the six digits your device shows")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_codes_are_six_digits() {
        assert_eq!(validate_token_code(" 123456\n").unwrap(), "123456");
        assert!(validate_token_code("12345").is_err());
        assert!(validate_token_code("12345a").is_err());
        assert!(validate_token_code("1234567").is_err());
        assert!(validate_token_code("１２３４５６").is_err());
    }
}

use std::sync::LazyLock;

use data_encoding::{Encoding, Specification};
use zeroize::Zeroizing;

use crate::{OtpError, Secret};

/// The smallest secret OathDesk accepts: Entra's own QR carries 80 bits.
pub const MIN_SECRET_BITS: usize = 80;

/// How a bare secret was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecretEncoding {
    Base32,
    Hex,
}

/// RFC 4648 base32 that tolerates lowercase, missing padding and non-zero
/// trailing bits, as real-world generators produce them.
static LENIENT_BASE32: LazyLock<Encoding> = LazyLock::new(|| {
    let mut spec = Specification::new();
    spec.symbols.push_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
    spec.translate.from.push_str("abcdefghijklmnopqrstuvwxyz");
    spec.translate.to.push_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    spec.check_trailing_bits = false;
    spec.encoding().expect("valid base32 specification")
});

/// Removes what people put between characters: spaces, tabs, dashes.
fn compact(input: &str) -> Zeroizing<String> {
    Zeroizing::new(
        input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect(),
    )
}

fn strip_hex_prefix(s: &str) -> Option<&str> {
    s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"))
}

fn check_length(secret: Secret) -> Result<Secret, OtpError> {
    if secret.bits() < MIN_SECRET_BITS {
        return Err(OtpError::TooShort {
            bits: secret.bits(),
        });
    }
    Ok(secret)
}

/// Decodes base32 in any case, with or without `=` padding, ignoring spaces
/// and dashes.
pub fn parse_base32(input: &str) -> Result<Secret, OtpError> {
    let text = compact(input);
    let body = text.trim_end_matches('=');
    if body.is_empty() {
        return Err(OtpError::Empty);
    }
    if let Some(pos) = body
        .chars()
        .position(|c| !c.is_ascii_alphanumeric() || "0189".contains(c))
    {
        return Err(OtpError::InvalidBase32(format!(
            "character {} is not allowed",
            pos + 1
        )));
    }
    let bytes = LENIENT_BASE32.decode(body.as_bytes()).map_err(|_| {
        OtpError::InvalidBase32(format!("{} characters is not a valid length", body.len()))
    })?;
    check_length(Secret::new(bytes))
}

/// Decodes hex, with or without a `0x` prefix, ignoring spaces, dashes and
/// colons.
pub fn parse_hex(input: &str) -> Result<Secret, OtpError> {
    let text = compact(input);
    let body = strip_hex_prefix(&text).unwrap_or(&text);
    let body: Zeroizing<String> = Zeroizing::new(body.chars().filter(|c| *c != ':').collect());
    if body.is_empty() {
        return Err(OtpError::Empty);
    }
    if let Some(pos) = body.chars().position(|c| !c.is_ascii_hexdigit()) {
        return Err(OtpError::InvalidHex(format!(
            "character {} is not allowed",
            pos + 1
        )));
    }
    if !body.len().is_multiple_of(2) {
        return Err(OtpError::InvalidHex(format!(
            "{} digits is an odd number",
            body.len()
        )));
    }
    let bytes = hex::decode(body.as_bytes()).map_err(|e| OtpError::InvalidHex(e.to_string()))?;
    check_length(Secret::new(bytes))
}

/// Reads a bare secret. With `hint`, only that encoding is tried. Without it,
/// a `0x` prefix means hex; otherwise an input that decodes both ways is
/// reported as [`OtpError::AmbiguousEncoding`] rather than guessed.
pub fn parse_secret(
    input: &str,
    hint: Option<SecretEncoding>,
) -> Result<(Secret, SecretEncoding), OtpError> {
    match hint {
        Some(SecretEncoding::Base32) => {
            return parse_base32(input).map(|s| (s, SecretEncoding::Base32));
        }
        Some(SecretEncoding::Hex) => return parse_hex(input).map(|s| (s, SecretEncoding::Hex)),
        None => {}
    }
    if compact(input).is_empty() {
        return Err(OtpError::Empty);
    }
    if strip_hex_prefix(&compact(input)).is_some() {
        return parse_hex(input).map(|s| (s, SecretEncoding::Hex));
    }
    match (parse_base32(input), parse_hex(input)) {
        (Ok(_), Ok(_)) => Err(OtpError::AmbiguousEncoding),
        (Ok(s), Err(_)) => Ok((s, SecretEncoding::Base32)),
        (Err(_), Ok(s)) => Ok((s, SecretEncoding::Hex)),
        (Err(b32), Err(hex_err)) => Err(pick_more_helpful(input, b32, hex_err)),
    }
}

/// When neither decoding works, report the one the input most resembles.
fn pick_more_helpful(input: &str, b32: OtpError, hex_err: OtpError) -> OtpError {
    if matches!(b32, OtpError::TooShort { .. }) {
        return b32;
    }
    if matches!(hex_err, OtpError::TooShort { .. }) {
        return hex_err;
    }
    let looks_hex = compact(input).chars().all(|c| c.is_ascii_hexdigit());
    if looks_hex { hex_err } else { b32 }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_B32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn base32_is_lenient_about_case_spaces_and_padding() {
        let want = Secret::from_slice(b"12345678901234567890");
        for input in [
            RFC_B32,
            "gezdgnbvgy3tqojqgezdgnbvgy3tqojq",
            "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ",
            "gezd-gnbv-gy3t-qojq-gezd-gnbv-gy3t-qojq",
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ====",
        ] {
            assert_eq!(parse_base32(input).unwrap(), want, "{input}");
        }
    }

    #[test]
    fn entra_sixteen_lowercase_chars_are_80_bits() {
        let s = parse_base32("jbswy3dpehpk3pxp").unwrap();
        assert_eq!(s.bits(), 80);
    }

    #[test]
    fn base32_rejects_digits_outside_alphabet() {
        assert!(matches!(
            parse_base32("GEZDGNBVGY3TQOJ1"),
            Err(OtpError::InvalidBase32(_))
        ));
    }

    #[test]
    fn hex_with_prefix_and_spaces() {
        let want = Secret::from_slice(b"12345678901234567890");
        for input in [
            "3132333435363738393031323334353637383930",
            "0x3132333435363738393031323334353637383930",
            "31 32 33 34 35 36 37 38 39 30 31 32 33 34 35 36 37 38 39 30",
            "31:32:33:34:35:36:37:38:39:30:31:32:33:34:35:36:37:38:39:30",
        ] {
            assert_eq!(parse_hex(input).unwrap(), want, "{input}");
        }
    }

    #[test]
    fn too_short_is_reported_with_size() {
        assert_eq!(
            parse_base32("JBSWY3DP").unwrap_err(),
            OtpError::TooShort { bits: 40 }
        );
    }

    #[test]
    fn autodetect_picks_the_only_valid_encoding() {
        let (_, enc) = parse_secret("3132333435363738393031323334353637383930", None).unwrap();
        assert_eq!(enc, SecretEncoding::Hex);
        let (_, enc) = parse_secret(RFC_B32, None).unwrap();
        assert_eq!(enc, SecretEncoding::Base32);
        let (_, enc) = parse_secret("0xabcdef2345abcdef2345", None).unwrap();
        assert_eq!(enc, SecretEncoding::Hex);
    }

    #[test]
    fn input_valid_both_ways_is_ambiguous_unless_told() {
        let both = "ABCDEF2345ABCDEF2345ABCDEF234567";
        assert_eq!(
            parse_secret(both, None).unwrap_err(),
            OtpError::AmbiguousEncoding
        );
        assert_eq!(
            parse_secret(both, Some(SecretEncoding::Hex)).unwrap().1,
            SecretEncoding::Hex
        );
        assert_eq!(
            parse_secret(both, Some(SecretEncoding::Base32)).unwrap().1,
            SecretEncoding::Base32
        );
    }

    #[test]
    fn errors_never_echo_the_input() {
        let err = parse_secret("ZZZZ!ZZZZZZZZZZZZZZ", None)
            .unwrap_err()
            .to_string();
        assert!(!err.contains("ZZZZ"), "{err}");
    }
}

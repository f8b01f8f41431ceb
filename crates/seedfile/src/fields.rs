//! Field readers the text formats share. Their errors name the field,
//! never its value when that value is a secret.

use std::str::FromStr;

use oathdesk_otp::{Algorithm, Secret, parse_base32, parse_hex};

/// Where a format expects hex first: Token2's CSV writes hex seeds,
/// Entra's CSV and Graph's JSON base32.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Prefer {
    Base32,
    Hex,
}

/// The secret written in `text`, and whether it was hex. A value that
/// reads both ways is taken in the format's own encoding.
pub(crate) fn secret(text: &str, prefer: Prefer) -> Result<(Secret, bool), String> {
    let b32 = |t: &str| parse_base32(t).map(|s| (s, false));
    let hex = |t: &str| parse_hex(t).map(|s| (s, true));
    type Reader = fn(&str) -> Result<(Secret, bool), oathdesk_otp::OtpError>;
    let (first, second): (Reader, Reader) = match prefer {
        Prefer::Base32 => (b32, hex),
        Prefer::Hex => (hex, b32),
    };
    first(text)
        .or_else(|e| second(text).map_err(|_| e))
        .map_err(|e| {
            // OtpError texts name positions and lengths, not the value.
            format!("the secret key is neither base32 nor hex: {e}")
        })
}

/// A time step in whole seconds (`"30"` or `30`).
pub(crate) fn period(text: &str) -> Result<u64, String> {
    text.trim().parse().map_err(|_| {
        format!(
            "the time interval {:?} is not a number of seconds",
            text.trim()
        )
    })
}

/// A hash name as vendors write it (`hmacsha1`, `SHA256`, `sha-1` …).
pub(crate) fn algorithm(text: &str) -> Result<Algorithm, String> {
    Algorithm::from_str(text.trim()).map_err(|_| {
        format!(
            "the hash function {:?} is unknown; use hmacsha1 or hmacsha256",
            text.trim()
        )
    })
}

/// `Some(trimmed)` unless blank.
pub(crate) fn optional(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

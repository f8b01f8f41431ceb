use thiserror::Error;

/// Everything that can be wrong with operator input, each with a message that
/// says what to do. Messages never contain secret material.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum OtpError {
    #[error("the secret is empty: paste the base32 secret or scan the QR code again")]
    Empty,
    #[error("the secret is not valid base32 (letters A-Z and digits 2-7): {0}")]
    InvalidBase32(String),
    #[error("the secret is not valid hex (0-9, a-f, an even number of digits): {0}")]
    InvalidHex(String),
    #[error(
        "the input is valid both as hex and as base32; say which it is \
         (for example --encoding hex or --encoding base32)"
    )]
    AmbiguousEncoding,
    #[error("the secret is only {bits} bits; at least 80 bits are needed (16 base32 characters)")]
    TooShort { bits: usize },
    #[error("not an otpauth:// URI: {0}")]
    InvalidUri(String),
    #[error("unsupported algorithm {0:?}: use SHA1, SHA256 or SHA512")]
    UnknownAlgorithm(String),
    #[error("digits must be between 4 and 10, not {0}")]
    InvalidDigits(u32),
    #[error("the period must be between 1 and 86400 seconds, not {0}")]
    InvalidPeriod(u64),
    #[error("{0}")]
    NotASecret(String),
}

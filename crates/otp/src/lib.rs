//! OATH core for OathDesk: everything the rest of the app trusts about
//! secrets and one-time codes, with no I/O.
//!
//! - [`Secret`] keeps seed bytes in zeroizing memory and never prints them.
//! - [`parse_secret`] reads base32, hex and `otpauth://` input the way
//!   operators actually paste it.
//! - [`OtpAuthUri`] parses and emits Google's Key Uri Format, including
//!   Microsoft Entra's non-conforming variant.
//! - [`classify`] tells an operator what they scanned and what to do next.
//! - [`hotp`]/[`totp`] compute RFC 4226/6238 codes; [`find_drift`] measures
//!   how far a token's clock has wandered.

mod algorithm;
mod classify;
mod code;
mod drift;
mod encoding;
mod error;
mod generate;
mod secret;
mod uri;

pub use algorithm::Algorithm;
pub use classify::{Classification, InputKind, classify};
pub use code::{CodeParams, TotpCode, hotp, totp, totp_at};
pub use drift::{DriftMatch, find_drift};
pub use encoding::{SecretEncoding, parse_base32, parse_hex, parse_secret};
pub use error::OtpError;
pub use generate::generate_secret;
pub use secret::Secret;
pub use uri::{OtpAuthUri, OtpKind};

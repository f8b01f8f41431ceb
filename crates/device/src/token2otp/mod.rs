//! The OTP applet on Token2 PIN+ FIDO keys (over PC/SC and over USB HID
//! with Token2's framing, [`crate::hid`]). Facts from Token2's own host
//! tool (token2/T2F2_TOTP_Authenticator) and token2/keyroost, summed up in
//! `TOKEN2-OTP-APPLET.md`: entries addressed by (issuer, account), written
//! sealed to the key's P-256 key ([`seal`]); the key has no clock, so every
//! read carries the host's time.
//!
//! `SET_DEVICE_TYPE` (`80 C5 02 01`, which can switch off the key's USB
//! interfaces) has no builder here: no call of this module can send it.

pub mod codec;
pub mod entry;
pub mod seal;
mod session;
#[cfg(test)]
mod tests;

pub use codec::{DeviceConfig, FIDO_AID, OTP_AID, Page, Token2OtpError};
pub use entry::{Entry, EntryName, MAX_FIELD, NewEntry, OtpHash};

/// The entries a PIN+ key holds at once (Token2's feature matrix: 50 OTP
/// records).
pub const MAX_ENTRIES: u32 = 50;
pub use seal::DeviceKey;
pub use session::{MAX_PAGES, Token2OtpSession};

/// How refusals name these keys.
const FAMILY: &str = "Token2 PIN+ key";

//! YKOATH (YubiKey OATH applet and compatibles). Facts from Yubico's public
//! YKOATH description: SELECT the applet, PUT/LIST/CALCULATE/DELETE
//! credentials as TLV. The applet has no clock: the host sends the time
//! with each calculation.

pub mod codec;
mod name;
mod session;
#[cfg(test)]
mod tests;

pub use codec::{AID, CredentialInfo};
pub use name::{CredentialName, DEFAULT_PERIOD, MAX_NAME_BYTES, MAX_PERIOD};
pub use session::YkOathSession;

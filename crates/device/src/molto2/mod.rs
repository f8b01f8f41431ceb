//! Token2 Molto2v2 (USB CCID, 100 slots). The SM4 key is derived from the
//! customer key; a wrong key answers `63 Cx` (or, as Token2's spec reads
//! it, `63 NN`) with the tries left; key changes wait for a press of ▲ on
//! the device.

pub mod codec;
mod input;
mod session;
#[cfg(test)]
mod tests;

pub use crate::BurnStep;
pub use crate::token2::codec::Info;
pub use codec::SlotInfo;
pub use input::{CustomerKey, MAX_TITLE_BYTES, Molto2Settings, SLOTS, Slot, Title};
pub use session::Molto2Session;

/// How refusals name this device.
const FAMILY: &str = "Molto2";

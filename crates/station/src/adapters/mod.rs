//! The ports implemented over the real parts: tokens through crate
//! `device` (one adapter per family), and Entra through crate `entra`.

mod device;
mod entra;
mod molto2;
mod oath_applet;
mod pin_plus;
mod single_profile;

pub use device::{CUSTOMER_KEY_ENV, PcscReaders, customer_key_text, open_token, watch_readers};
pub use entra::GraphTenant;

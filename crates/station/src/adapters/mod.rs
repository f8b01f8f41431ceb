//! The ports implemented over the real parts: PC/SC tokens through crate
//! `device`, and Entra through crate `entra`.

mod device;
mod entra;

pub use device::{PcscTokenDesk, open_token};
pub use entra::GraphTenant;

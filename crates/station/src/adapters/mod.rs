//! The ports implemented over the real parts: PC/SC tokens through crate
//! `device`, and Entra through crate `entra`.

mod device;
mod entra;

pub use device::PcscTokenDesk;
pub use entra::GraphTenant;

//! Token2 protocols: the single-profile programmable tokens.

pub mod codec;
pub mod crypto;
mod session;

pub use session::{BurnStep, Settings, Token2Session};

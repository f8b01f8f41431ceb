//! Token2 protocols: the single-profile programmable tokens. Their crypto
//! and status words are shared with the Molto2 ([`crate::molto2`]).

pub mod codec;
pub mod crypto;
mod session;
#[cfg(test)]
mod tests;

pub use crate::BurnStep;
pub use codec::Info;
pub(crate) use session::read_info;
pub use session::{Settings, Token2Session};

/// How refusals name these tokens.
const FAMILY: &str = "single-profile Token2 token";

//! Talking to OATH hardware tokens the way their vendors' tools do.
//!
//! - Sans-IO codecs per family ([`token2`]): bytes in, typed results out.
//! - One [`transport::Transport`] seam; [`pcsc`] implements it over a real
//!   PC/SC service. T=0 chaining is handled once, in [`transport::exchange`].
//! - [`profiles`]: one TOML file per model; input is checked against the
//!   profile before any APDU is sent, and unknown tokens are never written.
//! - Every [`DeviceError`] says what the token holds afterwards.

pub mod apdu;
mod desk;
mod error;
pub mod hid;
pub mod molto2;
pub mod pcsc;
pub mod profiles;
pub mod token2;
pub mod transport;
pub mod ykoath;

pub use desk::{Desk, OpenToken};
pub use error::{DeviceError, DeviceErrorKind, TokenState};

//! Talking to OATH hardware tokens the way their vendors' tools do.
//!
//! - Per family a sans-IO codec (bytes in, typed results out) beside a
//!   session that owns the transport: [`token2`] (single-profile),
//!   [`molto2`], [`ykoath`], [`token2otp`] (Token2 PIN+ keys). [`identify`]
//!   tells them apart on a reader.
//! - Wire values are enums of what the device accepts ([`wire`]); input
//!   types and builders refuse anything else with
//!   [`DeviceErrorKind::BadInput`] before any APDU is sent.
//! - One [`transport::Transport`] seam; [`pcsc`] implements it over a real
//!   PC/SC service, [`hid::HidTransport`] over USB HID (`hid_desk` on
//!   desks). T=0 chaining is handled once, in [`transport::exchange`].
//! - [`profiles`]: one TOML file per model, for what the desk offers.
//! - Every [`DeviceError`] says what the token holds afterwards.

pub mod apdu;
mod error;
pub mod hid;
#[cfg(any(target_os = "linux", target_os = "windows", target_os = "macos"))]
pub mod hid_desk;
pub mod identify;
pub mod molto2;
pub mod pcsc;
pub mod platform;
pub mod profiles;
pub mod token2;
pub mod token2otp;
pub mod transport;
pub mod wire;
pub mod ykoath;

#[cfg(test)]
mod testing;

pub use error::{DeviceError, DeviceErrorKind, TokenState};

/// Progress through a burn, for the GUI's step list. Shared by the
/// single-profile tokens and the Molto2 (which alone has a title step).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BurnStep {
    Authenticate,
    WriteSettingsAndClock,
    WriteSeed,
    WriteTitle,
}

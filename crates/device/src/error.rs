//! Device errors always say what the token holds afterwards, because the
//! operator's next step depends on it, and never confuse a lost link with
//! a locked token, nor a value the token cannot take with a token that
//! cannot be written.

use crate::platform::{self, Os};
use crate::token2::codec::Token2Error;
use crate::token2otp::codec::Token2OtpError;
use crate::transport::TransportError;

/// What the token holds after an operation stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenState {
    Untouched,
    ConfiguredNoSeed,
    SeedWritten,
    /// The link was lost during a write: it may or may not have landed.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceErrorKind {
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The token answered with an error status (kept in the value) or an
    /// answer that cannot be read.
    #[error(transparent)]
    Refused(#[from] Token2Error),
    /// An unknown model, or one OathDesk never writes.
    #[error("{0}")]
    NotWritable(String),
    /// A value from the operator (or a file) this token cannot take,
    /// refused before any APDU; the message says what is allowed.
    #[error("{0}")]
    BadInput(String),
    /// A Molto2 refused the customer key.
    #[error("the token refused the customer key: {tries_left} tries left before it locks itself")]
    KeyRefused { tries_left: u8 },
    /// A YKOATH applet with an access password (SW 6982): OathDesk does not
    /// unlock it.
    #[error("the OATH application on this key is protected by a password (6982)")]
    PasswordProtected,
    /// A YKOATH applet with no room for another credential (SW 6A84).
    #[error("the key holds no more credentials (6A84)")]
    Full,
    /// A Molto2 slot that already holds a seed; the vendor's tool refuses
    /// to write over one, and so does OathDesk.
    #[error("slot {slot} already holds a seed")]
    SlotInUse { slot: u8 },
    /// A Token2 PIN+ key's OTP applet refused, for a reason the operator
    /// can act on (the status word is in the message).
    #[error(transparent)]
    OtpApplet(#[from] Token2OtpError),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}")]
pub struct DeviceError {
    pub state: TokenState,
    pub kind: DeviceErrorKind,
}

impl DeviceError {
    pub fn new(state: TokenState, kind: impl Into<DeviceErrorKind>) -> Self {
        DeviceError {
            state,
            kind: kind.into(),
        }
    }

    /// A value refused before anything was sent.
    pub(crate) fn bad_input(why: impl Into<String>) -> Self {
        DeviceError::new(TokenState::Untouched, DeviceErrorKind::BadInput(why.into()))
    }

    /// What the operator should do now.
    pub fn next_step(&self) -> String {
        use DeviceErrorKind as K;
        match (&self.kind, self.state) {
            (K::Transport(t), state) => transport_step(t, state).into(),
            (K::Refused(r), state) => refused_step(r, state).into(),
            (K::NotWritable(_), _) => "Use a supported programmable token.".into(),
            (K::BadInput(_), _) => "Change it and try again; nothing was written.".into(),
            (K::KeyRefused { tries_left: 0 }, _) => {
                "The token is locked: only a factory reset (which wipes every profile) recovers it.".into()
            }
            (K::KeyRefused { .. }, _) => {
                "Check the customer key before trying again; do not guess.".into()
            }
            (K::PasswordProtected, _) => "Remove the OATH password with the key vendor's tool (for a YubiKey: Yubico Authenticator), then try again; nothing was written.".into(),
            (K::Full, _) => "Delete a credential this key no longer needs, or use another key; nothing was written.".into(),
            (K::SlotInUse { .. }, _) => {
                "Delete that slot's seed first, or choose a free slot; nothing was written.".into()
            }
            (K::OtpApplet(e), _) => otp_step(e).into(),
        }
    }

    /// Maps a transport failure on a read: nothing was written.
    pub(crate) fn reading(before: TokenState) -> impl Fn(TransportError) -> DeviceError {
        move |e| DeviceError::new(before, e)
    }

    /// Maps a transport failure during a write: if the command may have
    /// reached the token, its contents are unknown.
    pub(crate) fn writing(before: TokenState) -> impl Fn(TransportError) -> DeviceError {
        move |e| {
            let state = match e {
                TransportError::Unavailable(_)
                | TransportError::NoService(_)
                | TransportError::Held(_) => before,
                TransportError::LinkLost(_) | TransportError::Malformed => TokenState::Unknown,
            };
            DeviceError::new(state, e)
        }
    }

    /// Maps a token's refusal: it holds what it held before.
    pub(crate) fn refused(state: TokenState) -> impl Fn(Token2Error) -> DeviceError {
        move |e| DeviceError::new(state, e)
    }
}

fn transport_step(e: &TransportError, state: TokenState) -> &'static str {
    match (e, state) {
        (TransportError::NoService(_), _) => platform::service_step(Os::here()),
        (TransportError::Held(_), _) => platform::held_step(Os::here()),
        (TransportError::Unavailable(_), _) => platform::unavailable_step(Os::here()),
        (_, TokenState::Untouched) => "Hold the token still on the reader and try again.",
        _ => "Hold the token still on the reader and burn it again: its contents are not certain.",
    }
}

fn otp_step(e: &Token2OtpError) -> &'static str {
    use Token2OtpError as E;
    match e {
        E::TouchTimeout => "Touch the key when it blinks, then try again.",
        E::EntryMissing(_) => {
            "That entry is not on the key: read the key's list again; nothing was changed."
        }
        E::HidUnsupported => {
            "This model does not offer its OTP entries over USB HID: use it on an NFC reader or through its USB smart-card (CCID) interface."
        }
        E::PinRequired => {
            "The key wants its PIN, or the PIN was wrong: check the PIN with the key's owner before trying again; do not guess."
        }
        E::PinBlocked => {
            "The key's PIN is blocked: only a reset with Token2's tool (which wipes the key) recovers it; use another key."
        }
        E::ConditionsNotSatisfied => {
            "The key refused this in its current state: take it out, put it back, and try again."
        }
    }
}

fn refused_step(e: &Token2Error, state: TokenState) -> &'static str {
    match (e, state) {
        (Token2Error::AuthFailed, _) => {
            "This token does not accept the programming key; it may be locked or not a programmable model."
        }
        (_, TokenState::ConfiguredNoSeed) => {
            "The settings were written but not the seed: burn the token again."
        }
        (_, TokenState::SeedWritten) => {
            "The seed was written but not its title: the codes are right; the slot shows no name."
        }
        _ => "Check the token model and its settings, then try again.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_its_own_next_step() {
        let untouched = |k: DeviceErrorKind| DeviceError::new(TokenState::Untouched, k).next_step();
        let not_writable = untouched(DeviceErrorKind::NotWritable("unknown model".into()));
        assert_eq!(not_writable, "Use a supported programmable token.");
        for kind in [
            DeviceErrorKind::BadInput("x".into()),
            DeviceErrorKind::PasswordProtected,
            DeviceErrorKind::Full,
            DeviceErrorKind::SlotInUse { slot: 3 },
            DeviceErrorKind::KeyRefused { tries_left: 2 },
            Token2OtpError::TouchTimeout.into(),
        ] {
            assert_ne!(untouched(kind.clone()), not_writable, "{kind}");
        }
        assert_eq!(
            untouched(DeviceErrorKind::BadInput("x".into())),
            "Change it and try again; nothing was written."
        );
    }

    #[test]
    fn what_the_os_keeps_from_the_desk_has_the_os_fix_and_leaves_the_token_as_it_was() {
        let here = Os::here();
        for (e, step) in [
            (
                TransportError::NoService("PC/SC".into()),
                platform::service_step(here),
            ),
            (
                TransportError::Held("reader".into()),
                platform::held_step(here),
            ),
            (
                TransportError::Unavailable("PC/SC".into()),
                platform::unavailable_step(here),
            ),
        ] {
            let failed = DeviceError::writing(TokenState::Untouched)(e.clone());
            assert_eq!(failed.state, TokenState::Untouched, "{e}");
            assert_eq!(failed.next_step(), step, "{e}");
        }
    }
}

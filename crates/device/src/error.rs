//! Device errors always say what the token holds afterwards, because the
//! operator's next step depends on it, and never confuse a lost link with
//! a locked token.

use crate::token2::codec::Token2Error;
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
    #[error(transparent)]
    Refused(#[from] Token2Error),
    #[error("{0}")]
    NotWritable(String),
    /// A Molto2 refused the customer key.
    #[error("the token refused the customer key: {tries_left} tries left before it locks itself")]
    KeyRefused { tries_left: u8 },
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

    /// What the operator should do now.
    pub fn next_step(&self) -> String {
        match (&self.kind, self.state) {
            (DeviceErrorKind::Transport(TransportError::Unavailable(_)), _) => {
                "Check that the reader is connected and the PC/SC service (pcscd) is running.".into()
            }
            (DeviceErrorKind::Transport(_), TokenState::Untouched) => {
                "Hold the token still on the reader and try again.".into()
            }
            (DeviceErrorKind::Transport(_), _) => {
                "Hold the token still on the reader and burn it again: its contents are not certain.".into()
            }
            (DeviceErrorKind::Refused(Token2Error::AuthFailed), _) => {
                "This token does not accept the programming key; it may be locked or not a programmable model.".into()
            }
            (DeviceErrorKind::Refused(_), TokenState::ConfiguredNoSeed) => {
                "The settings were written but not the seed: burn the token again.".into()
            }
            (DeviceErrorKind::Refused(_), _) => "Check the token model and its settings, then try again.".into(),
            (DeviceErrorKind::NotWritable(_), _) => "Use a supported programmable token.".into(),
            (DeviceErrorKind::KeyRefused { tries_left: 0 }, _) => {
                "The token is locked: only a factory reset (which wipes every profile) recovers it.".into()
            }
            (DeviceErrorKind::KeyRefused { .. }, _) => {
                "Check the customer key before trying again; do not guess.".into()
            }
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
                TransportError::Unavailable(_) => before,
                TransportError::LinkLost(_) | TransportError::Malformed => TokenState::Unknown,
            };
            DeviceError::new(state, e)
        }
    }
}

//! Every command failure as one shape the UI can show: what happened, what
//! to do, what the token now holds, and which journal entry to resume.
//! Built from the core's typed errors, which never carry secret material.

use oathdesk_entra::{EntraError, ErrorKind};
use oathdesk_station::StationError;
use oathdesk_station::ports::{TokenFailure, TokenState};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct AppError {
    /// bad_input | not_found | token | directory | clock | storage | keyring | signin | internal,
    /// and for a seed file's keys pgp_key_missing | pgp_passphrase_missing | pgp_key_wrong |
    /// pskc_key_missing | pskc_passphrase_missing | pskc_key_wrong | pskc_passphrase_wrong
    pub kind: &'static str,
    pub message: String,
    pub next_step: Option<String>,
    pub token_state: Option<TokenState>,
    pub enrolment: Option<String>,
}

pub type CommandResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(kind: &'static str, message: impl Into<String>, next_step: Option<&str>) -> Self {
        AppError {
            kind,
            message: message.into(),
            next_step: next_step.map(str::to_string),
            token_state: None,
            enrolment: None,
        }
    }

    pub fn bad_input(message: impl Into<String>, next_step: &str) -> Self {
        Self::new("bad_input", message, Some(next_step))
    }
}

impl From<StationError> for AppError {
    fn from(e: StationError) -> Self {
        match e {
            StationError::BadInput(m) => AppError::new("bad_input", m, None),
            StationError::NotFound(m) => AppError::new("not_found", m, None),
            StationError::Storage(m) => AppError::new("storage", m, None),
            StationError::Keyring(m) => AppError::new("keyring", m, None),
            StationError::Clock(m) => AppError::new("clock", m, Some("Fix this computer's time.")),
            StationError::SignIn(e) => e.into(),
            StationError::Token(f) => AppError {
                kind: "token",
                message: f.message,
                next_step: Some(f.next_step),
                token_state: Some(f.state),
                enrolment: None,
            },
            StationError::Directory { failure, enrolment } => {
                let mut message = format!("Entra: {}", failure.message);
                if let Some(id) = &failure.request_id {
                    message.push_str(&format!(" (request-id {id})"));
                }
                AppError {
                    kind: "directory",
                    message,
                    next_step: Some(failure.next_step),
                    token_state: None,
                    enrolment,
                }
            }
        }
    }
}

impl From<TokenFailure> for AppError {
    fn from(f: TokenFailure) -> Self {
        StationError::Token(f).into()
    }
}

impl From<EntraError> for AppError {
    fn from(e: EntraError) -> Self {
        let next = e.next_step();
        if e.kind == ErrorKind::Cancelled {
            return AppError::new("cancelled", "The sign-in was cancelled.", Some(&next));
        }
        let mut message = format!("Entra: {}", e.message);
        if let Some(id) = &e.request_id {
            message.push_str(&format!(" (request-id {id})"));
        }
        AppError::new("directory", message, Some(&next))
    }
}

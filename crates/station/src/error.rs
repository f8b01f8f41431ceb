use thiserror::Error;

use crate::ports::{DirectoryFailure, TokenFailure, TokenState};

/// What went wrong in a station workflow, with what to do next. Messages
/// never carry secret material.
#[derive(Debug, Error)]
pub enum StationError {
    /// The operator's input cannot work; nothing was touched.
    #[error("{0}")]
    BadInput(String),
    #[error("{0}")]
    NotFound(String),
    #[error("storage: {0}")]
    Storage(String),
    #[error("{0}")]
    Keyring(String),
    /// The host clock cannot be trusted to set a token.
    #[error("{0}")]
    Clock(String),
    /// A token operation failed; the failure says what the token now holds.
    #[error("{}", token_message(.0))]
    Token(TokenFailure),
    /// Signing in or out failed: cancelled, refused, the keyring locked …
    #[error("{} {}", .0.message, .0.next_step())]
    SignIn(#[source] oathdesk_entra::EntraError),
    /// Entra refused or could not be reached. `enrolment` names the journal
    /// entry to resume, when there is one.
    #[error("{}", directory_message(.failure, .enrolment.as_deref()))]
    Directory {
        failure: DirectoryFailure,
        enrolment: Option<String>,
    },
}

fn token_message(f: &TokenFailure) -> String {
    let state = match f.state {
        TokenState::Untouched => "The token was not changed.",
        TokenState::ConfiguredNoSeed => {
            "The token's settings and clock were written, its seed was not."
        }
        TokenState::SeedWritten => "The seed was written to the token.",
        TokenState::Unknown => {
            "The link was lost during a write, so the token's contents are unknown."
        }
    };
    format!("{} {state} {}", f.message, f.next_step)
}

fn directory_message(f: &DirectoryFailure, enrolment: Option<&str>) -> String {
    let mut msg = format!("Entra: {} {}", f.message, f.next_step);
    if let Some(id) = &f.request_id {
        msg.push_str(&format!(" (request-id {id})"));
    }
    if let Some(e) = enrolment {
        msg.push_str(&format!(
            " The enrolment is kept in the journal: resume it with id {e}."
        ));
    }
    msg
}

/// A directory failure outside an enrolment (nothing to resume).
impl From<DirectoryFailure> for StationError {
    fn from(failure: DirectoryFailure) -> Self {
        StationError::Directory {
            failure,
            enrolment: None,
        }
    }
}

/// Code parameters out of range (from a record, a card or Entra): no code
/// can be computed, so nothing further is sent.
impl From<oathdesk_otp::OtpError> for StationError {
    fn from(e: oathdesk_otp::OtpError) -> Self {
        StationError::BadInput(format!("no code can be computed: {e}"))
    }
}

impl From<rusqlite::Error> for StationError {
    fn from(e: rusqlite::Error) -> Self {
        StationError::Storage(e.to_string())
    }
}

impl From<csv::Error> for StationError {
    fn from(e: csv::Error) -> Self {
        StationError::Storage(e.to_string())
    }
}

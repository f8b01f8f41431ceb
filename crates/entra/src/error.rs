//! Graph errors as types, each with the operator's next step and the
//! `request-id` Microsoft support asks for. Never holds secret material.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The operator lacks a permission; `role` names the Entra role.
    MissingPermission,
    SignInNeeded,
    NotFound,
    UserNotFound,
    GuestUser,
    MethodLimit,
    AlreadyAssigned,
    DuplicateSerial,
    WrongCode,
    SecretRejected,
    MustUnassignFirst,
    /// Throttled, 5xx or network: retried until the deadline, then given up.
    Unavailable,
    /// The operator stopped a sign-in that was waiting for the browser.
    Cancelled,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{message}")]
pub struct EntraError {
    pub kind: ErrorKind,
    pub message: String,
    pub status: Option<u16>,
    pub request_id: Option<String>,
    /// For `MissingPermission`: the role that grants it.
    pub role: Option<&'static str>,
}

impl EntraError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        EntraError {
            kind,
            message: message.into(),
            status: None,
            request_id: None,
            role: None,
        }
    }

    /// What the operator should do now.
    pub fn next_step(&self) -> String {
        match self.kind {
            ErrorKind::MissingPermission => format!(
                "Ask an administrator for the {} role (or the permission it grants), then sign in again.",
                self.role.unwrap_or("required")
            ),
            ErrorKind::SignInNeeded => "Sign in again.".into(),
            ErrorKind::NotFound => "Refresh the list; it may have been removed meanwhile.".into(),
            ErrorKind::UserNotFound => "Check the user's sign-in name (UPN).".into(),
            ErrorKind::GuestUser => {
                "Guests cannot have hardware tokens; choose a member account.".into()
            }
            ErrorKind::MethodLimit => {
                "Remove one of the user's OATH tokens or authenticator apps first.".into()
            }
            ErrorKind::AlreadyAssigned => "Unassign the token from its current user first.".into(),
            ErrorKind::DuplicateSerial => {
                "This serial is already in the inventory: use that entry or delete it.".into()
            }
            ErrorKind::WrongCode => {
                "Check the token's clock and settings, then resync or retry activation.".into()
            }
            ErrorKind::SecretRejected => {
                "Use a fresh secret (base32, up to 128 characters).".into()
            }
            ErrorKind::MustUnassignFirst => {
                "Unassign the token from its user, then delete it.".into()
            }
            ErrorKind::Unavailable => {
                "Microsoft Graph is unavailable or throttling; try again in a minute.".into()
            }
            ErrorKind::Cancelled => "Press Sign in when you are ready.".into(),
            ErrorKind::Other => {
                "Try again; if it persists, give Microsoft support the request id.".into()
            }
        }
    }

    /// Maps a Graph error response. The codes for duplicate serial, wrong
    /// code and already-assigned are not documented, so the message is read
    /// too.
    pub fn from_graph(status: u16, code: &str, message: &str, request_id: Option<String>) -> Self {
        let m = message.to_ascii_lowercase();
        let (kind, role) = match (status, code) {
            (401, _) => (ErrorKind::SignInNeeded, None),
            (403, _) => (ErrorKind::MissingPermission, Some(role_for(message))),
            (429 | 500..=599, _) => (ErrorKind::Unavailable, None),
            (404, c) if c.contains("ResourceNotFound") || m.contains("user") => {
                (ErrorKind::UserNotFound, None)
            }
            (404, _) => (ErrorKind::NotFound, None),
            (409, _) => (ErrorKind::DuplicateSerial, None),
            _ if m.contains("guest") => (ErrorKind::GuestUser, None),
            _ if m.contains("maximum number") => (ErrorKind::MethodLimit, None),
            _ if m.contains("already assigned") => (ErrorKind::AlreadyAssigned, None),
            _ if m.contains("verification code") => (ErrorKind::WrongCode, None),
            _ if m.contains("secret") => (ErrorKind::SecretRejected, None),
            _ if m.contains("serial") && m.contains("exist") => (ErrorKind::DuplicateSerial, None),
            _ if m.contains("unassign") => (ErrorKind::MustUnassignFirst, None),
            _ => (ErrorKind::Other, None),
        };
        EntraError {
            kind,
            message: message.to_string(),
            status: Some(status),
            request_id,
            role,
        }
    }
}

/// The Entra role that grants the permission a 403 names.
fn role_for(message: &str) -> &'static str {
    if message.contains("Privileged Authentication Administrator") {
        "Privileged Authentication Administrator"
    } else if message.contains("UserAuthenticationMethod") {
        "Authentication Administrator"
    } else if message.contains("User.Read") || message.contains("GroupMember.Read") {
        "Directory Readers"
    } else {
        "Authentication Policy Administrator"
    }
}

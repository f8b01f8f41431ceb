//! Errors that say where (line or record) and what, never the secret.

use std::fmt;

/// Where in the file a record is: a CSV line (the header is line 1) or
/// the n-th record of a JSON array or a PSKC container (from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    Line(u64),
    Record(usize),
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Line(n) => write!(f, "line {n}"),
            Place::Record(n) => write!(f, "record {n}"),
        }
    }
}

/// Which key or passphrase a file needs that was not given, or that was
/// given and does not open it: so a window can show the right field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyIssue {
    /// OpenPGP-encrypted, and no secret key was given.
    PgpKeyMissing,
    /// The OpenPGP secret key needs its passphrase; none was given.
    PgpPassphraseMissing,
    /// The OpenPGP key or its passphrase does not open the file.
    PgpKeyWrong,
    /// PSKC under a pre-shared key, and none was given.
    PskcKeyMissing,
    /// PSKC under a passphrase (PBKDF2), and none was given.
    PskcPassphraseMissing,
    /// The PSKC key or passphrase does not open the file (or the key
    /// file holds no AES key).
    PskcKeyWrong,
}

/// Why a file or one of its records cannot be imported. Built only from
/// fixed text, names and numbers: a secret never reaches one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
pub struct SeedError {
    /// The record concerned; `None` for the whole file.
    pub place: Option<Place>,
    pub message: String,
    /// Set when a key or passphrase is missing or wrong.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<KeyIssue>,
}

impl fmt::Display for SeedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.place {
            Some(p) => write!(f, "{p}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl SeedError {
    /// A problem with the whole file.
    pub fn file(message: impl Into<String>) -> Self {
        SeedError {
            place: None,
            message: message.into(),
            key: None,
        }
    }

    /// A problem with the file's key or passphrase.
    pub fn key(issue: KeyIssue, message: impl Into<String>) -> Self {
        SeedError {
            key: Some(issue),
            ..SeedError::file(message)
        }
    }

    /// A problem with the record at `place`.
    pub fn at(place: Place, message: impl Into<String>) -> Self {
        SeedError {
            place: Some(place),
            message: message.into(),
            key: None,
        }
    }
}

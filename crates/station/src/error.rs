use thiserror::Error;

/// What went wrong in a station workflow, with what to do next. Messages
/// never carry secret material.
#[derive(Debug, Error)]
pub enum StationError {
    #[error("{0}")]
    BadInput(String),
    #[error("{0}")]
    NotFound(String),
    #[error("storage: {0}")]
    Storage(String),
    #[error("{0}")]
    Keyring(String),
    #[error("{0}")]
    Clock(String),
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

//! Time formatting for people and exports.

use time::{OffsetDateTime, format_description::well_known::Rfc3339};

/// RFC 3339 UTC for a Unix time; the raw number if it is out of range.
pub fn rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| unix.to_string())
}

//! This desk's record of what it burnt: per token serial (and slot), the
//! settings written beside the seed. A single-profile token's clock write
//! must carry its settings and the token cannot report them, so a resync
//! looks here first. Never holds a secret.

use oathdesk_otp::{Algorithm, CodeParams};
use rusqlite::{Connection, OptionalExtension, params};

use crate::StationError;
use crate::ports::TokenSettings;

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS burnt_settings (
  serial TEXT NOT NULL, slot INTEGER NOT NULL, algorithm TEXT NOT NULL,
  digits INTEGER NOT NULL, period INTEGER NOT NULL, display_timeout INTEGER NOT NULL,
  at INTEGER NOT NULL, PRIMARY KEY (serial, slot));
";

/// The slot column: -1 for a token's only seed.
fn slot_key(slot: Option<u8>) -> i64 {
    slot.map_or(-1, i64::from)
}

/// Remembers what a burn wrote (replacing an older burn of the same place).
pub(crate) fn remember(
    db: &Connection,
    at: i64,
    serial: &str,
    slot: Option<u8>,
    s: &TokenSettings,
) -> Result<(), StationError> {
    db.execute(
        "INSERT INTO burnt_settings (serial, slot, algorithm, digits, period, display_timeout, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT(serial, slot) DO UPDATE SET algorithm = ?3, digits = ?4, period = ?5,
           display_timeout = ?6, at = ?7",
        params![
            serial,
            slot_key(slot),
            s.params.algorithm.to_string(),
            s.params.digits,
            s.params.period,
            s.display_timeout,
            at
        ],
    )?;
    Ok(())
}

/// What this desk last burnt at `serial`/`slot`, if it did.
pub(crate) fn recall(
    db: &Connection,
    serial: &str,
    slot: Option<u8>,
) -> Result<Option<TokenSettings>, StationError> {
    let row = db
        .query_row(
            "SELECT algorithm, digits, period, display_timeout FROM burnt_settings
             WHERE serial = ?1 AND slot = ?2",
            params![serial, slot_key(slot)],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, u32>(1)?,
                    r.get::<_, u64>(2)?,
                    r.get::<_, u64>(3)?,
                ))
            },
        )
        .optional()?;
    let Some((algorithm, digits, period, display_timeout)) = row else {
        return Ok(None);
    };
    let algorithm: Algorithm = algorithm.parse().map_err(|_| {
        StationError::Storage(format!("burnt_settings: unknown algorithm {algorithm}"))
    })?;
    Ok(Some(TokenSettings {
        params: CodeParams {
            algorithm,
            digits,
            period,
        },
        display_timeout,
    }))
}

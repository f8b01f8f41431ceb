//! The enrolment journal: one row per enrolment with the step it reached,
//! so that a crash or a lost network between burn and activation loses
//! nothing and `resume` neither re-burns nor creates a duplicate.
//!
//! The token's secret is kept only sealed (ChaCha20-Poly1305 under a key
//! derived from the OS keyring), only from burn until Entra confirms
//! `activated`, and is then erased.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use oathdesk_otp::{Algorithm, CodeParams, Secret};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::StationError;
use crate::ports::{Placement, directory_serial};

/// How far an enrolment got. Each step is recorded after it succeeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrolState {
    /// The user was checked; nothing touched yet.
    Started,
    /// Clock set and seed written to the token; secret sealed here.
    Burned,
    /// Created in the Entra inventory (device id known).
    Created,
    /// Assigned to the user.
    Assigned,
    /// Entra confirmed `activated`; the secret is gone from the journal.
    Activated,
    /// Given up by the operator; the secret is gone.
    Abandoned,
}

impl EnrolState {
    fn as_str(self) -> &'static str {
        match self {
            EnrolState::Started => "started",
            EnrolState::Burned => "burned",
            EnrolState::Created => "created",
            EnrolState::Assigned => "assigned",
            EnrolState::Activated => "activated",
            EnrolState::Abandoned => "abandoned",
        }
    }

    fn parse(s: &str) -> Result<Self, StationError> {
        Ok(match s {
            "started" => EnrolState::Started,
            "burned" => EnrolState::Burned,
            "created" => EnrolState::Created,
            "assigned" => EnrolState::Assigned,
            "activated" => EnrolState::Activated,
            "abandoned" => EnrolState::Abandoned,
            other => {
                return Err(StationError::Storage(format!(
                    "unknown journal state {other:?}"
                )));
            }
        })
    }

    /// True while the enrolment still needs work.
    pub fn is_pending(self) -> bool {
        !matches!(self, EnrolState::Activated | EnrolState::Abandoned)
    }
}

/// What is known when an enrolment starts.
pub struct NewEnrolment<'a> {
    pub operator: &'a str,
    pub user: &'a str,
    pub user_id: &'a str,
    pub reader: &'a str,
    pub serial: &'a str,
    pub model: &'a str,
    pub manufacturer: &'a str,
    pub params: CodeParams,
    /// For a re-seed: the registration to remove before creating the new one.
    pub replaces_device_id: Option<&'a str>,
    /// Where on the token, and with what display timeout, the seed goes
    /// (kept so a resume re-burns exactly the same place).
    pub place: &'a Placement,
    pub display_timeout: u64,
}

/// One enrolment as the journal knows it. Never carries the secret.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Enrolment {
    pub id: String,
    pub operator: String,
    pub user: String,
    /// The user's directory object id.
    pub user_id: Option<String>,
    pub reader: Option<String>,
    pub serial: Option<String>,
    pub model: Option<String>,
    pub manufacturer: Option<String>,
    pub params: CodeParams,
    pub state: EnrolState,
    pub device_id: Option<String>,
    /// A re-seed replaces this older registration of the same token.
    pub replaces_device_id: Option<String>,
    pub has_sealed_secret: bool,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub place: Placement,
    pub display_timeout: u64,
}

impl Enrolment {
    /// The serial Entra knows this seed by (see [`directory_serial`]).
    pub fn directory_serial(&self) -> String {
        directory_serial(self.serial.as_deref().unwrap_or_default(), self.place.slot)
    }
}

/// Where a burn puts the seed and how long the display stays on, as the
/// journal's `place` column holds it (JSON, no secret).
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredPlace {
    #[serde(flatten)]
    place: Placement,
    display_timeout: u64,
}

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS enrolments (
  id TEXT PRIMARY KEY, operator TEXT NOT NULL, user_upn TEXT NOT NULL, user_id TEXT, reader TEXT,
  serial TEXT, model TEXT, manufacturer TEXT,
  algorithm TEXT NOT NULL, digits INTEGER NOT NULL, period INTEGER NOT NULL,
  state TEXT NOT NULL, device_id TEXT, replaces_device_id TEXT, sealed BLOB, last_error TEXT,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, place TEXT);
";

/// Adds the columns later versions need to a journal made by an earlier one.
pub(crate) fn migrate(db: &Connection) -> Result<(), StationError> {
    let has_place: bool = db.query_row(
        "SELECT COUNT(*) > 0 FROM pragma_table_info('enrolments') WHERE name = 'place'",
        [],
        |r| r.get(0),
    )?;
    if !has_place {
        db.execute_batch("ALTER TABLE enrolments ADD COLUMN place TEXT;")?;
    }
    Ok(())
}

const COLUMNS: &str = "id, operator, user_upn, reader, serial, model, manufacturer, algorithm, \
     digits, period, state, device_id, sealed IS NOT NULL, last_error, created_at, updated_at, user_id, replaces_device_id, place";

pub struct Journal {
    cipher: ChaCha20Poly1305,
}

impl Journal {
    pub(crate) fn new(key: Zeroizing<[u8; 32]>) -> Self {
        Journal {
            cipher: ChaCha20Poly1305::new(key.as_slice().into()),
        }
    }

    /// Records a new enrolment with its token and sealed secret — before
    /// anything is written to the token, so a crash at any later point loses
    /// nothing — and returns it.
    pub fn start(
        &self,
        db: &Connection,
        now: i64,
        new: &NewEnrolment<'_>,
        secret: &Secret,
    ) -> Result<Enrolment, StationError> {
        let id = new_id();
        let sealed = self.seal(&id, secret)?;
        let p = new.params;
        db.execute(
            "INSERT INTO enrolments (id, operator, user_upn, user_id, reader, serial, model,
               manufacturer, algorithm, digits, period, state, sealed, created_at, updated_at,
               replaces_device_id, place)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'started', ?12, ?13, ?13, ?14, ?15)",
            params![
                id,
                new.operator,
                new.user,
                new.user_id,
                new.reader,
                new.serial,
                new.model,
                new.manufacturer,
                p.algorithm.uri_name(),
                p.digits,
                p.period,
                sealed,
                now,
                new.replaces_device_id,
                serde_json::to_string(&StoredPlace {
                    place: new.place.clone(),
                    display_timeout: new.display_timeout,
                })
                .expect("serialisable place")
            ],
        )?;
        self.get(db, &id)
    }

    /// Moves to `state`, remembering the Entra device id once known. Reaching
    /// a final state erases the sealed secret in the same statement.
    pub fn advance(
        &self,
        db: &Connection,
        id: &str,
        now: i64,
        state: EnrolState,
        device_id: Option<&str>,
    ) -> Result<(), StationError> {
        let erase = !state.is_pending();
        db.execute(
            "UPDATE enrolments SET state = ?2, device_id = COALESCE(?3, device_id), last_error = NULL,
               sealed = CASE WHEN ?4 THEN NULL ELSE sealed END, updated_at = ?5 WHERE id = ?1",
            params![id, state.as_str(), device_id, erase, now],
        )?;
        if erase {
            // Sealed blobs leave free pages behind: scrub them.
            db.execute_batch("PRAGMA secure_delete = ON; VACUUM;")?;
        }
        Ok(())
    }

    /// Notes why the last attempt stopped (never secret material).
    pub fn record_error(
        &self,
        db: &Connection,
        id: &str,
        now: i64,
        error: &str,
    ) -> Result<(), StationError> {
        // Graph's text may quote what it was sent: keep nothing secret-shaped.
        db.execute(
            "UPDATE enrolments SET last_error = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, crate::scrub::scrub(error), now],
        )?;
        Ok(())
    }

    pub fn get(&self, db: &Connection, id: &str) -> Result<Enrolment, StationError> {
        db.query_row(
            &format!("SELECT {COLUMNS} FROM enrolments WHERE id = ?1"),
            [id],
            read_row,
        )
        .optional()?
        .ok_or_else(|| StationError::NotFound(format!("no enrolment {id} in the journal")))
    }

    /// All enrolments, newest first.
    pub fn list(
        &self,
        db: &Connection,
        pending_only: bool,
    ) -> Result<Vec<Enrolment>, StationError> {
        let filter = if pending_only {
            "WHERE state NOT IN ('activated', 'abandoned')"
        } else {
            ""
        };
        let mut stmt = db.prepare(&format!(
            "SELECT {COLUMNS} FROM enrolments {filter} ORDER BY created_at DESC, rowid DESC"
        ))?;
        let rows = stmt.query_map([], read_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The sealed secret of a burnt, unconfirmed enrolment.
    pub fn unseal(&self, db: &Connection, id: &str) -> Result<Secret, StationError> {
        let sealed: Option<Vec<u8>> = db
            .query_row("SELECT sealed FROM enrolments WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?
            .flatten();
        let sealed = sealed.ok_or_else(|| {
            StationError::NotFound(format!(
                "enrolment {id} holds no secret (not burnt, or already confirmed)"
            ))
        })?;
        if sealed.len() < 12 {
            return Err(StationError::Storage("the sealed secret is damaged".into()));
        }
        let (nonce, ct) = sealed.split_at(12);
        let plain = self
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: id.as_bytes(),
                },
            )
            .map_err(|_| {
                StationError::Storage(
                    "the sealed secret cannot be opened with this keyring's key".into(),
                )
            })?;
        Ok(Secret::new(plain))
    }

    fn seal(&self, id: &str, secret: &Secret) -> Result<Vec<u8>, StationError> {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).expect("OS random number generator");
        let ct = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: secret.expose(),
                    aad: id.as_bytes(),
                },
            )
            .map_err(|_| StationError::Storage("sealing failed".into()))?;
        Ok([nonce.as_slice(), &ct].concat())
    }
}

fn new_id() -> String {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).expect("OS random number generator");
    hex::encode(b)
}

fn read_row(r: &Row<'_>) -> rusqlite::Result<Enrolment> {
    let bad = |col: usize, e: Box<dyn std::error::Error + Send + Sync>| {
        rusqlite::Error::FromSqlConversionFailure(col, rusqlite::types::Type::Text, e)
    };
    let algorithm: String = r.get(7)?;
    let state: String = r.get(10)?;
    let place: Option<String> = r.get(18)?;
    // Journals from before placements were kept burnt single-slot tokens
    // with the display timeout every burn then used.
    let place = match place {
        Some(text) => serde_json::from_str(&text).map_err(|e| bad(18, Box::new(e)))?,
        None => StoredPlace {
            place: Placement::default(),
            display_timeout: 30,
        },
    };
    Ok(Enrolment {
        id: r.get(0)?,
        operator: r.get(1)?,
        user: r.get(2)?,
        reader: r.get(3)?,
        serial: r.get(4)?,
        model: r.get(5)?,
        manufacturer: r.get(6)?,
        params: CodeParams {
            algorithm: algorithm
                .parse::<Algorithm>()
                .map_err(|e| bad(7, Box::new(e)))?,
            digits: r.get(8)?,
            period: r.get(9)?,
        },
        state: EnrolState::parse(&state).map_err(|e| bad(10, Box::new(e)))?,
        device_id: r.get(11)?,
        has_sealed_secret: r.get(12)?,
        last_error: r.get(13)?,
        created_at: r.get(14)?,
        updated_at: r.get(15)?,
        user_id: r.get(16)?,
        replaces_device_id: r.get(17)?,
        place: place.place,
        display_timeout: place.display_timeout,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new() -> NewEnrolment<'static> {
        NewEnrolment {
            operator: "op",
            user: "jane@x.com",
            user_id: "u-1",
            reader: "r0",
            serial: "8659612000001",
            model: "OTPC-P1-i",
            manufacturer: "Token2",
            params: CodeParams::default(),
            replaces_device_id: None,
            place: &NO_PLACE,
            display_timeout: 30,
        }
    }

    static NO_PLACE: Placement = Placement {
        slot: None,
        label: None,
        touch: false,
        replace: false,
    };

    fn setup() -> (Connection, Journal) {
        let db = Connection::open_in_memory().unwrap();
        db.execute_batch(SCHEMA).unwrap();
        (db, Journal::new(Zeroizing::new([9u8; 32])))
    }

    #[test]
    fn secret_is_sealed_until_activation_then_erased() {
        let (db, j) = setup();
        let secret = Secret::from_slice(b"journal-canary-secret");
        let e = j.start(&db, 1, &new(), &secret).unwrap();
        assert_eq!(e.state, EnrolState::Started);
        assert_eq!(e.serial.as_deref(), Some("8659612000001"));
        assert_eq!(e.user_id.as_deref(), Some("u-1"));
        let raw: Vec<u8> = db
            .query_row("SELECT sealed FROM enrolments", [], |r| r.get(0))
            .unwrap();
        assert!(
            !raw.windows(8).any(|w| w == &b"journal-"[..]),
            "stored in clear"
        );
        assert_eq!(j.unseal(&db, &e.id).unwrap(), secret);
        j.advance(&db, &e.id, 2, EnrolState::Burned, None).unwrap();
        j.advance(&db, &e.id, 3, EnrolState::Created, Some("dev-1"))
            .unwrap();
        assert!(j.get(&db, &e.id).unwrap().has_sealed_secret);
        assert_eq!(j.list(&db, true).unwrap().len(), 1);
        j.advance(&db, &e.id, 4, EnrolState::Activated, None)
            .unwrap();
        let done = j.get(&db, &e.id).unwrap();
        assert_eq!(done.device_id.as_deref(), Some("dev-1"));
        assert!(!done.has_sealed_secret);
        assert!(j.unseal(&db, &e.id).is_err());
        assert!(j.list(&db, true).unwrap().is_empty());
    }

    #[test]
    fn another_key_cannot_unseal() {
        let (db, j) = setup();
        let e = j
            .start(&db, 1, &new(), &Secret::from_slice(b"0123456789"))
            .unwrap();
        let other = Journal::new(Zeroizing::new([1u8; 32]));
        assert!(matches!(
            other.unseal(&db, &e.id),
            Err(StationError::Storage(_))
        ));
    }
}

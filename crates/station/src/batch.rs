//! The batch queue: the users of one batch, in order, each with where their
//! enrolment stands. It lives in the station's SQLite file beside the
//! journal, so a batch survives a crash or an app restart; each user's
//! enrolment itself is the journal's (linked by id), so a resumed batch
//! finishes an enrolment from the step it reached instead of starting a
//! second one. No secret is ever kept here.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::StationError;

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS batches (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, operator TEXT NOT NULL, algorithm TEXT NOT NULL,
  period INTEGER NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS batch_users (
  batch_id TEXT NOT NULL, position INTEGER NOT NULL, upn TEXT NOT NULL, display_name TEXT,
  serial TEXT, model TEXT, status TEXT NOT NULL, enrolment_id TEXT, token_serial TEXT,
  reason TEXT, next_step TEXT, updated_at INTEGER NOT NULL,
  PRIMARY KEY (batch_id, position));
";

/// Where one user of a batch stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueStatus {
    /// Not started: the next token placed may be theirs.
    Waiting,
    /// A token is being enrolled for them (or was, when the desk stopped).
    Enrolling,
    /// Their token is activated in Entra.
    Done,
    /// Parked after a failure, with the next step; the queue went on.
    Failed,
    /// Refused before any burn (guest, disabled, at the method limit, unknown).
    Refused,
    /// Left out by the operator.
    Skipped,
}

impl QueueStatus {
    fn as_str(self) -> &'static str {
        match self {
            QueueStatus::Waiting => "waiting",
            QueueStatus::Enrolling => "enrolling",
            QueueStatus::Done => "done",
            QueueStatus::Failed => "failed",
            QueueStatus::Refused => "refused",
            QueueStatus::Skipped => "skipped",
        }
    }

    fn parse(s: &str) -> Result<Self, StationError> {
        [
            QueueStatus::Waiting,
            QueueStatus::Enrolling,
            QueueStatus::Done,
            QueueStatus::Failed,
            QueueStatus::Refused,
            QueueStatus::Skipped,
        ]
        .into_iter()
        .find(|q| q.as_str() == s)
        .ok_or_else(|| StationError::Storage(format!("unknown batch status {s:?}")))
    }
}

/// A user as the batch's source lists them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Listed {
    pub upn: String,
    pub display_name: Option<String>,
    /// The token meant for this user, when the list names one: only a
    /// token with this serial is enrolled for them.
    pub serial: Option<String>,
    pub model: Option<String>,
}

/// One user of a batch and where they stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueuedUser {
    /// Its place in the queue, from 1 (as the operator counts).
    pub position: u32,
    #[serde(flatten)]
    pub listed: Listed,
    pub status: QueueStatus,
    /// The journal's enrolment for them, once one began.
    pub enrolment_id: Option<String>,
    /// The serial (as Entra knows it) of the token enrolled for them.
    pub token_serial: Option<String>,
    /// Why they were refused, skipped or parked.
    pub reason: Option<String>,
    pub next_step: Option<String>,
    pub updated_at: i64,
}

/// A batch and its settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchInfo {
    pub id: String,
    pub name: String,
    pub operator: String,
    pub algorithm: String,
    pub period: u64,
    pub created_at: i64,
}

/// A change to one queued user.
#[derive(Debug, Clone, Default)]
pub struct Update<'a> {
    pub status: Option<QueueStatus>,
    pub enrolment_id: Option<&'a str>,
    pub token_serial: Option<&'a str>,
    /// `Some(None)` clears the reason and next step.
    pub reason: Option<Option<(&'a str, &'a str)>>,
    pub upn: Option<&'a str>,
}

pub(crate) fn create(
    db: &mut Connection,
    info: &BatchInfo,
    users: &[(Listed, QueueStatus, Option<String>)],
) -> Result<(), StationError> {
    let tx = db.transaction()?;
    tx.execute(
        "INSERT INTO batches (id, name, operator, algorithm, period, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![info.id, info.name, info.operator, info.algorithm, info.period as i64, info.created_at],
    )?;
    for (i, (l, status, reason)) in users.iter().enumerate() {
        tx.execute(
            "INSERT INTO batch_users (batch_id, position, upn, display_name, serial, model, status, reason, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![info.id, i as i64 + 1, l.upn, l.display_name, l.serial, l.model, status.as_str(), reason, info.created_at],
        )?;
    }
    tx.commit()?;
    Ok(())
}

pub(crate) fn info(db: &Connection, id: &str) -> Result<BatchInfo, StationError> {
    db.query_row(
        "SELECT id, name, operator, algorithm, period, created_at FROM batches WHERE id = ?1",
        [id],
        |r| {
            Ok(BatchInfo {
                id: r.get(0)?,
                name: r.get(1)?,
                operator: r.get(2)?,
                algorithm: r.get(3)?,
                period: r.get::<_, i64>(4)? as u64,
                created_at: r.get(5)?,
            })
        },
    )
    .optional()?
    .ok_or_else(|| StationError::NotFound(format!("no batch {id} on this desk")))
}

/// Every batch, newest first.
pub(crate) fn list(db: &Connection) -> Result<Vec<String>, StationError> {
    let mut stmt = db.prepare("SELECT id FROM batches ORDER BY created_at DESC, rowid DESC")?;
    let ids = stmt.query_map([], |r| r.get(0))?;
    Ok(ids.collect::<Result<_, _>>()?)
}

pub(crate) fn users(db: &Connection, id: &str) -> Result<Vec<QueuedUser>, StationError> {
    let mut stmt = db.prepare(
        "SELECT position, upn, display_name, serial, model, status, enrolment_id, token_serial, reason, next_step, updated_at
         FROM batch_users WHERE batch_id = ?1 ORDER BY position",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok((
            QueuedUser {
                position: r.get::<_, i64>(0)? as u32,
                listed: Listed {
                    upn: r.get(1)?,
                    display_name: r.get(2)?,
                    serial: r.get(3)?,
                    model: r.get(4)?,
                },
                status: QueueStatus::Waiting,
                enrolment_id: r.get(6)?,
                token_serial: r.get(7)?,
                reason: r.get(8)?,
                next_step: r.get(9)?,
                updated_at: r.get(10)?,
            },
            r.get::<_, String>(5)?,
        ))
    })?;
    rows.map(|row| {
        let (user, status) = row?;
        Ok(QueuedUser {
            status: QueueStatus::parse(&status)?,
            ..user
        })
    })
    .collect()
}

pub(crate) fn update(
    db: &Connection,
    id: &str,
    position: u32,
    now: i64,
    u: &Update<'_>,
) -> Result<(), StationError> {
    let changed = db.execute(
        "UPDATE batch_users SET
           status = COALESCE(?3, status),
           enrolment_id = COALESCE(?4, enrolment_id),
           token_serial = COALESCE(?5, token_serial),
           reason = CASE WHEN ?6 THEN ?7 ELSE reason END,
           next_step = CASE WHEN ?6 THEN ?8 ELSE next_step END,
           upn = COALESCE(?9, upn),
           updated_at = ?10
         WHERE batch_id = ?1 AND position = ?2",
        params![
            id,
            position as i64,
            u.status.map(QueueStatus::as_str),
            u.enrolment_id,
            u.token_serial,
            u.reason.is_some(),
            u.reason.flatten().map(|r| r.0),
            u.reason.flatten().map(|r| r.1),
            u.upn,
            now,
        ],
    )?;
    if changed == 0 {
        return Err(StationError::NotFound(format!(
            "batch {id} has no user at position {position}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Connection {
        let db = Connection::open_in_memory().unwrap();
        db.execute_batch(SCHEMA).unwrap();
        db
    }

    fn listed(upn: &str) -> Listed {
        Listed {
            upn: upn.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_batch_keeps_its_users_in_order_and_their_progress() {
        let mut db = db();
        let info = BatchInfo {
            id: "b1".into(),
            name: "March starters".into(),
            operator: "op".into(),
            algorithm: "sha1".into(),
            period: 30,
            created_at: 100,
        };
        let users = [
            (listed("a@x"), QueueStatus::Waiting, None),
            (listed("g@x"), QueueStatus::Refused, Some("a guest".into())),
        ];
        create(&mut db, &info, &users).unwrap();
        let change = Update {
            status: Some(QueueStatus::Failed),
            enrolment_id: Some("e1"),
            token_serial: Some("S1"),
            reason: Some(Some(("Graph down", "Retry"))),
            ..Default::default()
        };
        update(&db, "b1", 1, 200, &change).unwrap();
        let read = super::users(&db, "b1").unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(
            (read[0].position, read[1].position),
            (1, 2),
            "numbered from 1"
        );
        assert_eq!(
            (
                read[0].status,
                read[0].enrolment_id.as_deref(),
                read[0].next_step.as_deref()
            ),
            (QueueStatus::Failed, Some("e1"), Some("Retry"))
        );
        assert_eq!(read[1].reason.as_deref(), Some("a guest"));
        let cleared = Update {
            status: Some(QueueStatus::Done),
            reason: Some(None),
            ..Default::default()
        };
        update(&db, "b1", 1, 300, &cleared).unwrap();
        let read = super::users(&db, "b1").unwrap();
        assert_eq!(
            (read[0].status, read[0].reason.as_deref()),
            (QueueStatus::Done, None)
        );
        assert_eq!(read[0].enrolment_id.as_deref(), Some("e1"), "kept");
        assert_eq!(super::info(&db, "b1").unwrap().name, "March starters");
        assert!(matches!(
            update(&db, "b1", 9, 1, &cleared),
            Err(StationError::NotFound(_))
        ));
    }
}

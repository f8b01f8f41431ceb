//! The audit log: who did what to which token, for whom, with what outcome.
//!
//! Append-only (SQLite triggers refuse UPDATE and DELETE) and chained: each
//! record's MAC covers the previous record's MAC, keyed with a key from the
//! OS keyring, and the head of the chain is itself MACed. Editing, removing
//! or truncating records is therefore detected by [`AuditLog::verify`], even
//! by someone who can write the database file. Never holds a secret.

use hmac::{Hmac, Mac};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::StationError;
use crate::audit_anchor::{AuditAnchor, Head};

/// What was done: every write to a token or to Entra, and the few reads
/// that matter (revealing a secret). A closed set, so an export can be
/// filtered and no caller invents a spelling.
///
/// Records written before actions were typed hold free text; the aliases
/// read those spellings, so an existing log still lists and exports (the
/// chain's MACs cover the stored text, which is never rewritten).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum AuditAction {
    /// A seed (with settings and clock) written to a token.
    #[default]
    #[serde(alias = "enrol:burn")]
    Burn,
    /// A token's clock set, its seed and settings kept.
    #[serde(alias = "resync")]
    SetClock,
    /// A seed deleted from a token (a Molto2 slot, a YKOATH credential).
    DeleteSeed,
    /// A secret shown to the operator.
    #[serde(alias = "reveal secret")]
    RevealSecret,
    /// A token created in Entra's inventory.
    #[serde(alias = "enrol:create")]
    Create,
    /// A token created in Entra's inventory from a file (one record per token).
    Import,
    #[serde(alias = "enrol:assign")]
    Assign,
    #[serde(alias = "enrol:activate")]
    Activate,
    /// Entra read back `activated`: the enrolment is finished.
    #[serde(alias = "enrol:verify")]
    Verify,
    #[serde(alias = "unassign token")]
    Unassign,
    #[serde(alias = "delete token", alias = "enrol:remove-old")]
    Delete,
    /// An unfinished enrolment given up by the operator.
    #[serde(alias = "abandon enrolment")]
    AbandonEnrolment,
    SignIn,
    SignOut,
}

impl AuditAction {
    /// The name used in exports (the serde spelling).
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Burn => "burn",
            AuditAction::SetClock => "set-clock",
            AuditAction::DeleteSeed => "delete-seed",
            AuditAction::RevealSecret => "reveal-secret",
            AuditAction::Create => "create",
            AuditAction::Import => "import",
            AuditAction::Assign => "assign",
            AuditAction::Activate => "activate",
            AuditAction::Verify => "verify",
            AuditAction::Unassign => "unassign",
            AuditAction::Delete => "delete",
            AuditAction::AbandonEnrolment => "abandon-enrolment",
            AuditAction::SignIn => "sign-in",
            AuditAction::SignOut => "sign-out",
        }
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an audited action ended.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    #[default]
    Ok,
    Failed,
}

impl Outcome {
    pub fn of<T, E>(result: &Result<T, E>) -> Outcome {
        if result.is_ok() {
            Outcome::Ok
        } else {
            Outcome::Failed
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Failed => "failed",
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an operator asks to record. `detail` is free text for humans and
/// must never contain secret material (callers pass only sizes and names).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct AuditEntry {
    pub operator: String,
    pub action: AuditAction,
    pub serial: Option<String>,
    pub model: Option<String>,
    pub user: Option<String>,
    pub request_id: Option<String>,
    pub outcome: Outcome,
    pub drift_seconds: Option<i64>,
    pub detail: Option<String>,
}

/// A stored record: the entry plus its place in the chain.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AuditRecord {
    pub seq: i64,
    /// Unix time.
    pub at: i64,
    #[serde(flatten)]
    pub entry: AuditEntry,
    pub mac: String,
}

/// Where a verification found the chain broken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum AuditProblem {
    /// The record's content does not match its MAC: edited.
    Edited { seq: i64 },
    /// A sequence number is missing: a record was removed.
    Missing { seq: i64 },
    /// The last records were removed, or the head was tampered with.
    Truncated { expected_last: i64, found_last: i64 },
    /// No record is left, though the keyring says `anchored` were written.
    Wiped { anchored: i64 },
    /// The log ends at `found_last`, though the keyring says it reached
    /// `anchored`: an older copy was put back, or its end was cut off.
    RolledBack { anchored: i64, found_last: i64 },
    /// Record `seq` is not the one the keyring anchored: the log was
    /// replaced by another history.
    Replaced { seq: i64 },
}

impl std::fmt::Display for AuditProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuditProblem::Edited { seq } => write!(f, "record {seq} was edited"),
            AuditProblem::Missing { seq } => write!(f, "record {seq} was removed"),
            AuditProblem::Truncated {
                expected_last,
                found_last,
            } => write!(
                f,
                "the log ends at record {found_last}, not {expected_last}: records were cut off"
            ),
            AuditProblem::Wiped { anchored } => write!(
                f,
                "the log is empty, but the keyring records that {anchored} records were written: it was wiped"
            ),
            AuditProblem::RolledBack {
                anchored,
                found_last,
            } => write!(
                f,
                "the log ends at record {found_last}, but the keyring records {anchored}: an older copy was put back or its end was cut off"
            ),
            AuditProblem::Replaced { seq } => write!(
                f,
                "record {seq} is not the one the keyring anchored: the log was replaced"
            ),
        }
    }
}

pub struct AuditLog {
    key: Zeroizing<[u8; 32]>,
    /// The chain's head outside the database (the OS keyring).
    anchor: Box<dyn AuditAnchor>,
}

const GENESIS: &str = "oathdesk-audit-genesis";

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, body TEXT NOT NULL, mac TEXT NOT NULL);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TABLE IF NOT EXISTS audit_head (id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL, mac TEXT NOT NULL, head_mac TEXT NOT NULL);
";

impl AuditLog {
    pub(crate) fn new(key: Zeroizing<[u8; 32]>, anchor: Box<dyn AuditAnchor>) -> Self {
        AuditLog { key, anchor }
    }

    fn mac(&self, parts: &[&[u8]]) -> String {
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(self.key.as_slice()).expect("any key");
        for p in parts {
            m.update(&(p.len() as u64).to_be_bytes());
            m.update(p);
        }
        hex::encode(m.finalize().into_bytes())
    }

    fn record_mac(&self, prev: &str, seq: i64, at: i64, body: &str) -> String {
        self.mac(&[
            prev.as_bytes(),
            &seq.to_be_bytes(),
            &at.to_be_bytes(),
            body.as_bytes(),
        ])
    }

    fn head_mac(&self, seq: i64, mac: &str) -> String {
        self.mac(&[b"head", &seq.to_be_bytes(), mac.as_bytes()])
    }

    /// Appends `entry` at time `at` and returns its sequence number.
    pub fn append(
        &self,
        db: &mut Connection,
        at: i64,
        entry: &AuditEntry,
    ) -> Result<i64, StationError> {
        let body = serde_json::to_string(entry).expect("serialisable entry");
        // Immediate: the write lock is taken before the head is read, so a
        // forwarder writing its cursor meanwhile makes this wait, not fail.
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let (last_seq, last_mac) = head(&tx)?.unwrap_or((0, GENESIS.to_string()));
        // A log that no longer agrees with the keyring's head keeps that
        // head: a record appended after a wipe or a rollback is kept, but it
        // does not make the damage disappear from `verify`.
        let agrees = self.against_anchor(&tx, last_seq)?.is_none();
        let seq = last_seq + 1;
        let mac = self.record_mac(&last_mac, seq, at, &body);
        tx.execute(
            "INSERT INTO audit (seq, at, body, mac) VALUES (?1, ?2, ?3, ?4)",
            params![seq, at, body, mac],
        )?;
        tx.execute(
            "INSERT INTO audit_head (id, seq, mac, head_mac) VALUES (1, ?1, ?2, ?3)
             ON CONFLICT(id) DO UPDATE SET seq = ?1, mac = ?2, head_mac = ?3",
            params![seq, mac, self.head_mac(seq, &mac)],
        )?;
        tx.commit()?;
        // After the commit: a crash in between leaves the keyring one
        // record behind, which verification accepts (records can only be
        // added with the key); never ahead of what was written.
        if agrees {
            self.anchor.advance(&Head { seq, mac })?;
        }
        Ok(seq)
    }

    /// All records, oldest first.
    pub fn list(&self, db: &Connection) -> Result<Vec<AuditRecord>, StationError> {
        records_after(db, 0, i64::MAX)
    }

    /// Checks every record and the head. An empty result means intact.
    pub fn verify(&self, db: &Connection) -> Result<Vec<AuditProblem>, StationError> {
        let mut problems = Vec::new();
        let mut stmt = db.prepare("SELECT seq, at, body, mac FROM audit ORDER BY seq")?;
        let mut rows = stmt.query([])?;
        let (mut prev_mac, mut expected) = (GENESIS.to_string(), 1i64);
        while let Some(r) = rows.next()? {
            let (seq, at, body, mac): (i64, i64, String, String) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
            if seq != expected {
                problems.push(AuditProblem::Missing { seq: expected });
            }
            if self.record_mac(&prev_mac, seq, at, &body) != mac {
                problems.push(AuditProblem::Edited { seq });
            }
            prev_mac = mac;
            expected = seq + 1;
        }
        let found_last = expected - 1;
        let head_ok = match head_with_mac(db)? {
            Some((seq, mac, head_mac)) => {
                self.head_mac(seq, &mac) == head_mac && seq == found_last && mac == prev_mac
            }
            None => found_last == 0,
        };
        if !head_ok {
            let expected_last = head_with_mac(db)?.map_or(0, |h| h.0);
            problems.push(AuditProblem::Truncated {
                expected_last,
                found_last,
            });
        }
        problems.extend(self.against_anchor(db, found_last)?);
        Ok(problems)
    }

    /// Compares the database with the head the keyring holds. The database
    /// may be ahead (a crash between commit and keyring write), never behind
    /// or different.
    fn against_anchor(
        &self,
        db: &Connection,
        found_last: i64,
    ) -> Result<Option<AuditProblem>, StationError> {
        let Some(anchored) = self.anchor.read()? else {
            return Ok(None);
        };
        if found_last == 0 {
            return Ok(Some(AuditProblem::Wiped {
                anchored: anchored.seq,
            }));
        }
        if found_last < anchored.seq {
            return Ok(Some(AuditProblem::RolledBack {
                anchored: anchored.seq,
                found_last,
            }));
        }
        let mac: Option<String> = db
            .query_row(
                "SELECT mac FROM audit WHERE seq = ?1",
                [anchored.seq],
                |r| r.get(0),
            )
            .optional()?;
        Ok((mac.as_deref() != Some(anchored.mac.as_str()))
            .then_some(AuditProblem::Replaced { seq: anchored.seq }))
    }
}

/// Up to `limit` records after `seq`, oldest first (what a forwarding
/// sink has not had yet).
pub(crate) fn records_after(
    db: &Connection,
    seq: i64,
    limit: i64,
) -> Result<Vec<AuditRecord>, StationError> {
    let mut stmt =
        db.prepare("SELECT seq, at, body, mac FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2")?;
    let rows = stmt.query_map([seq, limit], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, at, body, mac) = row?;
        let entry = serde_json::from_str(&body)
            .map_err(|e| StationError::Storage(format!("audit record {seq} is unreadable: {e}")))?;
        out.push(AuditRecord {
            seq,
            at,
            entry,
            mac,
        });
    }
    Ok(out)
}

fn head(db: &Connection) -> Result<Option<(i64, String)>, StationError> {
    Ok(head_with_mac(db)?.map(|(s, m, _)| (s, m)))
}

fn head_with_mac(db: &Connection) -> Result<Option<(i64, String, String)>, StationError> {
    Ok(db
        .query_row(
            "SELECT seq, mac, head_mac FROM audit_head WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
}

/// Writes records as CSV with a header row; times in RFC 3339 UTC.
pub fn export_csv(records: &[AuditRecord], out: impl std::io::Write) -> Result<(), StationError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "seq",
        "time",
        "operator",
        "action",
        "serial",
        "model",
        "user",
        "request_id",
        "outcome",
        "drift_seconds",
        "detail",
        "mac",
    ])?;
    for r in records {
        let e = &r.entry;
        let opt = |o: &Option<String>| o.clone().unwrap_or_default();
        w.write_record([
            r.seq.to_string(),
            crate::time_fmt::rfc3339(r.at),
            e.operator.clone(),
            e.action.as_str().to_string(),
            opt(&e.serial),
            opt(&e.model),
            opt(&e.user),
            opt(&e.request_id),
            e.outcome.as_str().to_string(),
            e.drift_seconds.map(|d| d.to_string()).unwrap_or_default(),
            opt(&e.detail),
            r.mac.clone(),
        ])?;
    }
    w.flush()
        .map_err(|e| StationError::Storage(e.to_string()))?;
    Ok(())
}

/// Writes one JSON object per line.
pub fn export_json_lines(
    records: &[AuditRecord],
    mut out: impl std::io::Write,
) -> Result<(), StationError> {
    for r in records {
        let line = serde_json::to_string(r).expect("serialisable record");
        writeln!(out, "{line}").map_err(|e| StationError::Storage(e.to_string()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit_anchor::MemoryAnchor;

    fn setup() -> (Connection, AuditLog) {
        let db = Connection::open_in_memory().unwrap();
        db.execute_batch(SCHEMA).unwrap();
        (db, log_with(Default::default()))
    }

    /// The log with key 7…7 and its head kept in `anchor`.
    fn log_with(anchor: std::sync::Arc<MemoryAnchor>) -> AuditLog {
        AuditLog::new(Zeroizing::new([7u8; 32]), Box::new(anchor))
    }

    fn entry(action: AuditAction) -> AuditEntry {
        AuditEntry {
            operator: "op@contoso.com".into(),
            action,
            serial: Some("8659612000001".into()),
            outcome: Outcome::Ok,
            ..Default::default()
        }
    }

    fn filled() -> (Connection, AuditLog) {
        let (mut db, log) = setup();
        let actions = [
            AuditAction::Burn,
            AuditAction::Create,
            AuditAction::Activate,
        ];
        for (i, a) in actions.into_iter().enumerate() {
            assert_eq!(
                log.append(&mut db, 1000 + i as i64, &entry(a)).unwrap(),
                i as i64 + 1
            );
        }
        (db, log)
    }

    /// Bypasses the append-only triggers, as an attacker editing the file would.
    fn tamper(db: &Connection, sql: &str) {
        db.execute_batch(&format!(
            "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; {sql}"
        ))
        .unwrap();
    }

    #[test]
    fn intact_log_verifies() {
        let (db, log) = filled();
        assert!(log.verify(&db).unwrap().is_empty());
        assert_eq!(log.list(&db).unwrap().len(), 3);
    }

    #[test]
    fn update_and_delete_are_refused() {
        let (db, _) = filled();
        assert!(db.execute("UPDATE audit SET at = 0", []).is_err());
        assert!(db.execute("DELETE FROM audit", []).is_err());
    }

    #[test]
    fn edited_record_is_detected() {
        let (db, log) = filled();
        tamper(
            &db,
            "UPDATE audit SET body = replace(body, 'create', 'delete') WHERE seq = 2;",
        );
        assert_eq!(
            log.verify(&db).unwrap(),
            vec![AuditProblem::Edited { seq: 2 }]
        );
    }

    #[test]
    fn removed_record_is_detected() {
        let (db, log) = filled();
        tamper(&db, "DELETE FROM audit WHERE seq = 2;");
        let problems = log.verify(&db).unwrap();
        assert!(
            problems.contains(&AuditProblem::Missing { seq: 2 }),
            "{problems:?}"
        );
    }

    #[test]
    fn truncated_tail_is_detected_even_if_head_is_rewritten() {
        let (db, log) = filled();
        tamper(
            &db,
            "DELETE FROM audit WHERE seq = 3; UPDATE audit_head SET seq = 2, mac = (SELECT mac FROM audit WHERE seq = 2);",
        );
        let problems = log.verify(&db).unwrap();
        assert_eq!(
            problems,
            vec![
                AuditProblem::Truncated {
                    expected_last: 2,
                    found_last: 2
                },
                AuditProblem::RolledBack {
                    anchored: 3,
                    found_last: 2
                }
            ]
        );
    }

    /// Triggers dropped, every record and the head row deleted: the file
    /// alone would verify as an empty log; the keyring's head says not.
    #[test]
    fn a_wiped_log_is_detected() {
        let (db, log) = filled();
        tamper(&db, "DELETE FROM audit; DELETE FROM audit_head;");
        let problems = log.verify(&db).unwrap();
        assert_eq!(problems, vec![AuditProblem::Wiped { anchored: 3 }]);
        assert!(problems[0].to_string().contains("wiped"));
        // A record written afterwards is kept, and does not heal the log.
        let mut db = db;
        log.append(&mut db, 2000, &entry(AuditAction::Burn))
            .unwrap();
        assert_eq!(
            log.verify(&db).unwrap(),
            vec![AuditProblem::RolledBack {
                anchored: 3,
                found_last: 1
            }]
        );
    }

    /// An older copy of the file put back verifies on its own; not against
    /// the keyring's head.
    #[test]
    fn an_older_copy_put_back_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        let (file, older) = (dir.path().join("a.sqlite"), dir.path().join("b.sqlite"));
        let log = log_with(Default::default());
        let mut db = Connection::open(&file).unwrap();
        db.execute_batch(SCHEMA).unwrap();
        for a in [AuditAction::Burn, AuditAction::Create] {
            log.append(&mut db, 1000, &entry(a)).unwrap();
        }
        std::fs::copy(&file, &older).unwrap();
        log.append(&mut db, 1001, &entry(AuditAction::Activate))
            .unwrap();
        assert!(log.verify(&db).unwrap().is_empty());
        let put_back = Connection::open(&older).unwrap();
        assert_eq!(
            log.verify(&put_back).unwrap(),
            vec![AuditProblem::RolledBack {
                anchored: 3,
                found_last: 2
            }]
        );
    }

    /// A whole other history written with the key (say, on another copy)
    /// does not pass for this one.
    #[test]
    fn another_history_of_the_same_length_is_detected() {
        let anchor: std::sync::Arc<MemoryAnchor> = Default::default();
        let log = log_with(anchor.clone());
        let (mut db, mut other) = (
            Connection::open_in_memory().unwrap(),
            Connection::open_in_memory().unwrap(),
        );
        db.execute_batch(SCHEMA).unwrap();
        other.execute_batch(SCHEMA).unwrap();
        let elsewhere = log_with(Default::default());
        for a in [AuditAction::Burn, AuditAction::Create] {
            log.append(&mut db, 1000, &entry(a)).unwrap();
            elsewhere.append(&mut other, 2000, &entry(a)).unwrap();
        }
        assert_eq!(
            log.verify(&other).unwrap(),
            vec![AuditProblem::Replaced { seq: 2 }]
        );
        // A crash between the commit and the keyring write leaves the
        // database one record ahead: that is no problem.
        anchor
            .advance(&Head {
                seq: 1,
                mac: log.list(&db).unwrap()[0].mac.clone(),
            })
            .unwrap();
        assert!(log.verify(&db).unwrap().is_empty());
    }

    #[test]
    fn records_from_before_typed_actions_still_list_and_verify() {
        let (mut db, log) = setup();
        let legacy = [
            ("enrol:burn", AuditAction::Burn),
            ("enrol:remove-old", AuditAction::Delete),
            ("resync", AuditAction::SetClock),
            ("reveal secret", AuditAction::RevealSecret),
            ("abandon enrolment", AuditAction::AbandonEnrolment),
            ("unassign token", AuditAction::Unassign),
            ("delete token", AuditAction::Delete),
        ];
        for (i, (text, _)) in legacy.iter().enumerate() {
            // What the log stored then: the action and outcome as free text.
            let body = serde_json::json!({"operator": "op", "action": text, "outcome": "failed"});
            append_raw(&mut db, &log, i as i64 + 1, &body.to_string());
        }
        assert!(log.verify(&db).unwrap().is_empty());
        let listed = log.list(&db).unwrap();
        for (record, (_, action)) in listed.iter().zip(legacy) {
            assert_eq!(record.entry.action, action);
            assert_eq!(record.entry.outcome, Outcome::Failed);
        }
    }

    /// Appends a stored body as an older version of `append` wrote it.
    fn append_raw(db: &mut Connection, log: &AuditLog, seq: i64, body: &str) {
        let prev = head(db).unwrap().map_or(GENESIS.to_string(), |h| h.1);
        let mac = log.record_mac(&prev, seq, 1000, body);
        db.execute(
            "INSERT INTO audit (seq, at, body, mac) VALUES (?1, 1000, ?2, ?3)",
            params![seq, body, mac],
        )
        .unwrap();
        db.execute(
            "INSERT INTO audit_head (id, seq, mac, head_mac) VALUES (1, ?1, ?2, ?3)
             ON CONFLICT(id) DO UPDATE SET seq = ?1, mac = ?2, head_mac = ?3",
            params![seq, mac, log.head_mac(seq, &mac)],
        )
        .unwrap();
    }

    #[test]
    fn exports_csv_and_json_lines() {
        let (db, log) = filled();
        let records = log.list(&db).unwrap();
        let mut csv_out = Vec::new();
        export_csv(&records, &mut csv_out).unwrap();
        let text = String::from_utf8(csv_out).unwrap();
        assert_eq!(text.lines().count(), 4);
        assert!(text.lines().nth(2).unwrap().contains("create"));
        let mut jl = Vec::new();
        export_json_lines(&records, &mut jl).unwrap();
        let back: Vec<AuditRecord> = String::from_utf8(jl)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(back, records);
    }
}

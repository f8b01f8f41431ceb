//! The station's SQLite file: the enrolment journal and the audit log side
//! by side, both keyed from the OS keyring.

use std::path::Path;

use rusqlite::Connection;

use crate::StationError;
use crate::audit::{self, AuditEntry, AuditLog, AuditProblem, AuditRecord};
use crate::batch::{self, BatchInfo, Listed, QueueStatus, QueuedUser, Update};
use crate::burn_record;
use crate::journal::{self, EnrolState, Enrolment, Journal, NewEnrolment};
use crate::keys::{KeyStore, derive};
use crate::ports::TokenSettings;
use oathdesk_otp::Secret;

/// The journal and audit log over one database connection.
pub struct Records {
    pub(crate) db: Connection,
    pub journal: Journal,
    pub audit: AuditLog,
}

impl Records {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path, keys: &dyn KeyStore) -> Result<Self, StationError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| {
                StationError::Storage(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        Self::with_connection(Connection::open(path)?, keys)
    }

    /// An in-memory database, for tests and demo mode.
    pub fn in_memory(keys: &dyn KeyStore) -> Result<Self, StationError> {
        Self::with_connection(Connection::open_in_memory()?, keys)
    }

    fn with_connection(db: Connection, keys: &dyn KeyStore) -> Result<Self, StationError> {
        db.execute_batch("PRAGMA journal_mode = WAL; PRAGMA secure_delete = ON;")?;
        // The audit forwarder writes its cursors from its own connection.
        db.busy_timeout(std::time::Duration::from_secs(5))?;
        db.execute_batch(journal::SCHEMA)?;
        journal::migrate(&db)?;
        db.execute_batch(audit::SCHEMA)?;
        db.execute_batch(burn_record::SCHEMA)?;
        db.execute_batch(batch::SCHEMA)?;
        let master = keys.master_key()?;
        Ok(Records {
            db,
            journal: Journal::new(derive(&master, "oathdesk journal seal v1")),
            audit: AuditLog::new(
                derive(&master, "oathdesk audit chain v1"),
                keys.audit_anchor()?,
            ),
        })
    }

    /// The database connection, for the journal's and audit log's methods.
    pub fn db(&mut self) -> &mut Connection {
        &mut self.db
    }

    /// Enrolments, newest first (only those still needing work if `pending_only`).
    pub fn enrolments(&self, pending_only: bool) -> Result<Vec<Enrolment>, StationError> {
        self.journal.list(&self.db, pending_only)
    }

    /// The audit log, oldest first.
    pub fn audit_records(&self) -> Result<Vec<AuditRecord>, StationError> {
        self.audit.list(&self.db)
    }

    /// Problems found in the audit chain; empty when intact.
    pub fn verify_audit(&self) -> Result<Vec<AuditProblem>, StationError> {
        self.audit.verify(&self.db)
    }

    /// Starts an enrolment (secret sealed) stamped now.
    pub fn start_enrolment(
        &self,
        new: &NewEnrolment<'_>,
        secret: &Secret,
    ) -> Result<Enrolment, StationError> {
        self.journal.start(&self.db, now(), new, secret)
    }

    pub fn enrolment(&self, id: &str) -> Result<Enrolment, StationError> {
        self.journal.get(&self.db, id)
    }

    pub fn advance_enrolment(
        &self,
        id: &str,
        state: EnrolState,
        device_id: Option<&str>,
    ) -> Result<(), StationError> {
        self.journal.advance(&self.db, id, now(), state, device_id)
    }

    /// Gives up an enrolment that cannot be resumed; its secret is erased.
    pub fn abandon_enrolment(&self, id: &str, why: &str) -> Result<(), StationError> {
        self.journal
            .advance(&self.db, id, now(), EnrolState::Abandoned, None)?;
        self.journal.record_error(&self.db, id, now(), why)
    }

    pub fn note_enrolment_error(&self, id: &str, why: &str) -> Result<(), StationError> {
        self.journal.record_error(&self.db, id, now(), why)
    }

    pub fn unseal(&self, id: &str) -> Result<Secret, StationError> {
        self.journal.unseal(&self.db, id)
    }

    /// Remembers the settings a burn wrote at `serial`/`slot`.
    pub fn remember_burn(
        &self,
        serial: &str,
        slot: Option<u8>,
        settings: &TokenSettings,
    ) -> Result<(), StationError> {
        burn_record::remember(&self.db, now(), serial, slot, settings)
    }

    /// The settings this desk last burnt at `serial`/`slot`, if it did.
    pub fn burnt_settings(
        &self,
        serial: &str,
        slot: Option<u8>,
    ) -> Result<Option<TokenSettings>, StationError> {
        burn_record::recall(&self.db, serial, slot)
    }

    /// Saves a new batch with its users (each waiting or refused), at once.
    pub fn create_batch(
        &mut self,
        info: &BatchInfo,
        users: &[(Listed, QueueStatus, Option<String>)],
    ) -> Result<(), StationError> {
        batch::create(&mut self.db, info, users)
    }

    pub fn batch(&self, id: &str) -> Result<BatchInfo, StationError> {
        batch::info(&self.db, id)
    }

    /// Every batch's id, newest first.
    pub fn batches(&self) -> Result<Vec<String>, StationError> {
        batch::list(&self.db)
    }

    /// The batch's users in queue order.
    pub fn batch_users(&self, id: &str) -> Result<Vec<QueuedUser>, StationError> {
        batch::users(&self.db, id)
    }

    pub fn update_batch_user(
        &self,
        id: &str,
        position: u32,
        change: &Update<'_>,
    ) -> Result<(), StationError> {
        batch::update(&self.db, id, position, now(), change)
    }

    /// Appends an audit record stamped `now`.
    pub fn log(&mut self, now: i64, entry: &AuditEntry) -> Result<i64, StationError> {
        self.audit.append(&mut self.db, now, entry)
    }
}

fn now() -> i64 {
    crate::clock::now_unix() as i64
}

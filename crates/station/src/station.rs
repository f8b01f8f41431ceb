//! The station: one desk's records, held seeds and operator, shared by every
//! workflow. The GUI and the CLI each hold one.

use std::sync::{Mutex, MutexGuard};

use crate::audit::AuditEntry;
use crate::forward::{Forwarder, Forwarding};
use crate::keys::KeyStore;
use crate::pending::PendingSeeds;
use crate::{Records, StationConfig, StationError};

pub struct Station {
    config: StationConfig,
    records: Mutex<Records>,
    /// Seeds scanned but not yet burnt (GUI flow).
    pub seeds: PendingSeeds,
    /// Sends each audit record on to the configured collectors.
    forwarder: Option<Forwarder>,
}

impl Station {
    /// Opens the station's database in `config.data_dir`, forwarding the
    /// audit log where `OATHDESK_AUDIT_FORWARD` says.
    pub fn open(config: StationConfig, keys: &dyn KeyStore) -> Result<Self, StationError> {
        Self::open_forwarding(config, keys, Forwarding::from_env()?)
    }

    /// [`Station::open`], forwarding as `forwarding` says.
    pub fn open_forwarding(
        config: StationConfig,
        keys: &dyn KeyStore,
        forwarding: Forwarding,
    ) -> Result<Self, StationError> {
        let records = Records::open(&config.database_path(), keys)?;
        let forwarder = match forwarding.sinks.is_empty() {
            true => None,
            false => Some(Forwarder::start(&config.database_path(), forwarding)?),
        };
        if let Some(f) = &forwarder {
            // Whatever an earlier run could not deliver goes now.
            f.nudge();
        }
        Ok(Station {
            config,
            records: Mutex::new(records),
            seeds: PendingSeeds::default(),
            forwarder,
        })
    }

    /// A station whose records live in memory (demo mode, tests).
    pub fn in_memory(config: StationConfig, keys: &dyn KeyStore) -> Result<Self, StationError> {
        Ok(Station {
            config,
            records: Mutex::new(Records::in_memory(keys)?),
            seeds: PendingSeeds::default(),
            forwarder: None,
        })
    }

    pub fn config(&self) -> &StationConfig {
        &self.config
    }

    pub fn operator(&self) -> &str {
        &self.config.operator
    }

    /// The records, for reading or for a workflow step.
    pub fn records(&self) -> MutexGuard<'_, Records> {
        self.records
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Appends an audit record for this operator, stamped now.
    pub fn audit(&self, mut entry: AuditEntry) -> Result<(), StationError> {
        if entry.operator.is_empty() {
            entry.operator = self.config.operator.clone();
        }
        self.records()
            .log(crate::clock::now_unix() as i64, &entry)?;
        if let Some(f) = &self.forwarder {
            f.nudge();
        }
        Ok(())
    }
}

//! The audit chain's head kept outside the database: the number of records
//! and the last record's MAC, beside the audit key in the OS keyring,
//! advanced with every append. Whoever can write `station.sqlite` can drop
//! its triggers and delete rows, or put back an older copy of the file; the
//! keyring still says how long the chain was and how it ended, so a wipe, a
//! rollback or a cut tail fails verification.

use std::sync::Mutex;

use crate::StationError;

/// Where the chain ended when it was last appended to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The last record's sequence number (the number of records).
    pub seq: i64,
    /// That record's MAC.
    pub mac: String,
}

impl Head {
    fn encode(&self) -> String {
        format!("{}:{}", self.seq, self.mac)
    }

    fn decode(text: &str) -> Option<Head> {
        let (seq, mac) = text.split_once(':')?;
        let seq = seq.parse().ok().filter(|s| *s > 0)?;
        let hex_mac = mac.len() == 64 && mac.bytes().all(|b| b.is_ascii_hexdigit());
        hex_mac.then(|| Head {
            seq,
            mac: mac.to_string(),
        })
    }
}

/// Holds the chain's head where the database cannot reach it.
pub trait AuditAnchor: Send {
    /// The head last written, if any record was ever appended here.
    fn read(&self) -> Result<Option<Head>, StationError>;
    /// Records the new head after an append.
    fn advance(&self, head: &Head) -> Result<(), StationError>;
}

/// The head in the OS keyring, under the station key's profile.
pub struct KeyringAnchor {
    entry: keyring::Entry,
}

impl KeyringAnchor {
    pub(crate) fn new(service: &str, profile: &str) -> Result<Self, StationError> {
        let account = format!("audit-head:{profile}");
        let entry = oathdesk_entra::os_keyring::entry(service, &account).map_err(|e| {
            StationError::Keyring(format!(
                "the OS keyring is not available to keep the audit log's head ({e})"
            ))
        })?;
        Ok(KeyringAnchor { entry })
    }
}

fn unavailable(e: keyring::Error) -> StationError {
    StationError::Keyring(format!(
        "the OS keyring is not available to keep the audit log's head ({e}); {}",
        crate::keys::keyring_step(oathdesk_device::platform::Os::here())
    ))
}

impl AuditAnchor for KeyringAnchor {
    fn read(&self) -> Result<Option<Head>, StationError> {
        match self.entry.get_password() {
            Ok(text) => Head::decode(&text).map(Some).ok_or_else(|| {
                StationError::Keyring(
                    "the audit log's head in the keyring is damaged; keep this station's files and report it"
                        .into(),
                )
            }),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    fn advance(&self, head: &Head) -> Result<(), StationError> {
        self.entry.set_password(&head.encode()).map_err(unavailable)
    }
}

/// The head in memory, for the life of the process (tests, demo mode);
/// shared by every database opened with the same memory key store.
#[derive(Default)]
pub struct MemoryAnchor(Mutex<Option<Head>>);

impl AuditAnchor for std::sync::Arc<MemoryAnchor> {
    fn read(&self) -> Result<Option<Head>, StationError> {
        Ok(self.0.lock().unwrap_or_else(|p| p.into_inner()).clone())
    }

    fn advance(&self, head: &Head) -> Result<(), StationError> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(head.clone());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_reads_back_and_a_damaged_one_does_not() {
        let head = Head {
            seq: 12,
            mac: "ab".repeat(32),
        };
        assert_eq!(Head::decode(&head.encode()), Some(head));
        for bad in ["", "12", "0:ab", "x:ab", &format!("12:{}", "zz".repeat(32))] {
            assert_eq!(Head::decode(bad), None, "{bad}");
        }
    }
}

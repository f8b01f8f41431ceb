//! The station's one secret of its own: a master key kept in the OS keyring.
//! Two keys are derived from it: one seals secrets in the enrolment journal,
//! one chains the audit log (so an edit cannot be re-chained without it).

use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use oathdesk_device::platform::Os;

use crate::StationError;
use crate::audit_anchor::{AuditAnchor, KeyringAnchor, MemoryAnchor};

/// Where the master key lives. The keyring is the real one; the in-memory
/// store is for unit tests only.
pub trait KeyStore: Send + Sync {
    /// Returns the stored master key, creating and storing one on first use.
    fn master_key(&self) -> Result<Zeroizing<[u8; 32]>, StationError>;
    /// Where the audit chain's head is kept, beside the key.
    fn audit_anchor(&self) -> Result<Box<dyn AuditAnchor>, StationError>;
}

/// The OS keyring (Secret Service on Linux, Keychain, Credential Manager).
pub struct KeyringStore {
    service: String,
    profile: String,
    account: String,
}

impl KeyringStore {
    /// `profile` separates installations (e.g. one per data directory).
    pub fn new(profile: &str) -> Self {
        KeyringStore {
            service: "OathDesk".into(),
            profile: profile.into(),
            account: format!("station-key:{profile}"),
        }
    }

    /// Asks the keyring, without creating anything, whether this
    /// installation's key is there: `Ok(false)` when the keyring answered
    /// that it has none yet (the desk makes one on its first start).
    pub fn probe(&self) -> Result<bool, StationError> {
        match self.entry()?.get_secret() {
            Ok(bytes) => {
                drop(Zeroizing::new(bytes));
                Ok(true)
            }
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(keyring_error(e)),
        }
    }

    fn entry(&self) -> Result<keyring::Entry, StationError> {
        oathdesk_entra::os_keyring::entry(&self.service, &self.account).map_err(unavailable)
    }
}

fn keyring_error(e: keyring::Error) -> StationError {
    unavailable(e.to_string())
}

fn unavailable(e: String) -> StationError {
    StationError::Keyring(format!(
        "the OS keyring is not available ({e}); {}",
        keyring_step(Os::here())
    ))
}

/// What gives the desk its keyring back on `os`: said with every keyring
/// failure (the key, the audit log's head).
pub fn keyring_step(os: Os) -> &'static str {
    match os {
        Os::Linux | Os::Other => {
            "unlock your login keyring (the Secret Service: GNOME Keyring or KWallet; \
             in a remote shell, a D-Bus session with one unlocked) and try again"
        }
        Os::Windows => {
            "sign in to Windows with your own account (Credential Manager keeps the desk's key \
             per user; a guest or service account has none) and try again"
        }
        Os::MacOs => {
            "allow OathDesk when macOS asks for keychain access (Always Allow); if it was denied, \
             open Keychain Access, find the OathDesk item and allow OathDesk under Access Control, \
             then try again"
        }
    }
}

impl KeyStore for KeyringStore {
    fn master_key(&self) -> Result<Zeroizing<[u8; 32]>, StationError> {
        let entry = self.entry()?;
        match entry.get_secret() {
            Ok(bytes) => {
                let bytes = Zeroizing::new(bytes);
                let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
                    StationError::Keyring("the station key in the keyring is damaged".into())
                })?;
                Ok(Zeroizing::new(key))
            }
            Err(keyring::Error::NoEntry) => {
                let key = random_key();
                entry.set_secret(key.as_slice()).map_err(keyring_error)?;
                Ok(key)
            }
            Err(e) => Err(keyring_error(e)),
        }
    }

    fn audit_anchor(&self) -> Result<Box<dyn AuditAnchor>, StationError> {
        Ok(Box::new(KeyringAnchor::new(&self.service, &self.profile)?))
    }
}

/// A key (and the audit head beside it) held in memory for the life of the
/// process: unit tests and demo mode.
pub struct MemoryKeyStore(Zeroizing<[u8; 32]>, std::sync::Arc<MemoryAnchor>);

impl MemoryKeyStore {
    pub fn new() -> Self {
        MemoryKeyStore(random_key(), Default::default())
    }
}

impl Default for MemoryKeyStore {
    fn default() -> Self {
        Self::new()
    }
}

impl KeyStore for MemoryKeyStore {
    fn master_key(&self) -> Result<Zeroizing<[u8; 32]>, StationError> {
        Ok(self.0.clone())
    }

    fn audit_anchor(&self) -> Result<Box<dyn AuditAnchor>, StationError> {
        Ok(Box::new(self.1.clone()))
    }
}

fn random_key() -> Zeroizing<[u8; 32]> {
    let mut key = Zeroizing::new([0u8; 32]);
    getrandom::fill(key.as_mut_slice()).expect("the OS random number generator is available");
    key
}

/// A purpose-bound key derived from the master key.
pub(crate) fn derive(master: &[u8; 32], purpose: &str) -> Zeroizing<[u8; 32]> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(master).expect("any key length");
    mac.update(purpose.as_bytes());
    Zeroizing::new(mac.finalize().into_bytes().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_os_says_what_gives_the_keyring_back() {
        assert!(keyring_step(Os::Linux).contains("Secret Service"));
        assert!(keyring_step(Os::Windows).contains("Credential Manager"));
        assert!(keyring_step(Os::MacOs).contains("Keychain Access"));
        let message = unavailable("locked".into()).to_string();
        assert!(message.contains("(locked)"), "{message}");
        assert!(message.contains(keyring_step(Os::here())), "{message}");
    }
}

//! Where the station keeps its files and who is operating it.

use std::path::PathBuf;

/// Settings every workflow shares.
#[derive(Debug, Clone)]
pub struct StationConfig {
    /// Holds `station.sqlite` (journal + audit log). Never holds a secret in clear.
    pub data_dir: PathBuf,
    /// Who is at the desk, for the audit log: the signed-in UPN, else the OS user.
    pub operator: String,
}

impl StationConfig {
    /// `OATHDESK_DATA_DIR`, else the platform's data directory + `oathdesk`.
    pub fn from_env() -> Self {
        let data_dir = std::env::var_os("OATHDESK_DATA_DIR")
            .map(PathBuf::from)
            .or_else(|| dirs::data_dir().map(|d| d.join("oathdesk")))
            .unwrap_or_else(|| PathBuf::from(".oathdesk"));
        // Unix names the login USER; Windows names it USERNAME.
        let user = std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .unwrap_or_else(|_| "unknown".into());
        StationConfig {
            data_dir,
            operator: format!("local:{user}"),
        }
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("station.sqlite")
    }

    /// Names this installation's key in the OS keyring, so two data
    /// directories (e.g. a test run and a real desk) never share a key.
    pub fn key_profile(&self) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(self.data_dir.to_string_lossy().as_bytes());
        hex::encode(&digest[..8])
    }
}

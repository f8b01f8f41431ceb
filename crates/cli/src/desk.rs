//! What every station command needs: the station's records, the readers,
//! and Entra — configured from the environment.
//!
//! - `OATHDESK_DATA_DIR`: where the journal and audit log live.
//! - `OATHDESK_GRAPH_URL`: the Graph root (default Microsoft's; a loopback
//!   `http://` URL selects the sandbox).
//! - `OATHDESK_AUTHORITY`: the identity platform (default Microsoft's).
//!   Either pointing elsewhere is said on stderr before any Entra command.
//! - `OATHDESK_ACCESS_TOKEN`: a Graph access token for scripts; otherwise
//!   the session of `oathdesk-cli login`.

use std::sync::Arc;

use oathdesk_station::adapters::{DeskReaders, GraphTenant, Touch};
use oathdesk_station::keys::KeyringStore;
use oathdesk_station::workflow::{Progress, StepStatus};
use oathdesk_station::{Station, StationConfig, sign_in};

use crate::output::CliError;

/// The station, with the signed-in operator (if any) named in the audit log.
pub fn station() -> Result<Station, CliError> {
    let config = sign_in::operator_config();
    let keys = KeyringStore::new(&config.key_profile());
    Ok(Station::open(config, &keys)?)
}

/// The desk's readers: PC/SC readers and Token2 keys over USB HID. Either
/// may be missing; a command that finds neither says so from the readers'
/// own error. A key waiting for a touch is said on stderr.
pub fn tokens() -> Result<DeskReaders, CliError> {
    Ok(DeskReaders::connect(Arc::new(|reader: &str, touch| {
        if touch == Touch::Needed {
            eprintln!("touch: touch the key on {reader}");
        }
    })))
}

/// Entra, as the operator (see [`sign_in::tenant`]). When the environment
/// points it away from Microsoft, stderr says so first.
pub fn tenant() -> Result<GraphTenant, CliError> {
    if let Some(elsewhere) = sign_in::not_microsoft() {
        eprintln!(
            "notice: not Microsoft's Entra: {elsewhere} (from OATHDESK_GRAPH_URL / OATHDESK_AUTHORITY)"
        );
    }
    sign_in::tenant(&StationConfig::from_env())
        .map_err(|e| CliError::input("graph_url", format!("{e}; check OATHDESK_GRAPH_URL")))
}

/// Prints each workflow step to stderr as one JSON line, so a person sees
/// the progress and a script (or a test) can follow it.
pub fn progress_to_stderr(event: Progress) {
    let line = serde_json::to_string(&event).expect("serialisable progress");
    eprintln!("progress: {line}");
    if let StepStatus::Failed { message, next_step } = &event.status {
        eprintln!("  {message} {next_step}");
    }
}

/// Prints what the operator must know after a write (e.g. a Molto2 still
/// opened by its factory key) to stderr.
pub fn warn(warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}

//! What every station command needs: the station's records, the readers,
//! and Entra — configured from the environment.
//!
//! - `OATHDESK_DATA_DIR`: where the journal and audit log live.
//! - `OATHDESK_GRAPH_URL`: the Graph root (default Microsoft's; a loopback
//!   `http://` URL selects the sandbox).
//! - `OATHDESK_ACCESS_TOKEN`: a Graph access token for scripts; otherwise
//!   the session of `oathdesk-cli login`.

use oathdesk_entra::signin::{KeyringTokenStore, RefreshingToken};
use oathdesk_entra::{GraphClient, StaticToken};
use oathdesk_station::adapters::{GraphTenant, PcscTokenDesk};
use oathdesk_station::keys::KeyringStore;
use oathdesk_station::workflow::{Progress, StepStatus};
use oathdesk_station::{Station, StationConfig};

use crate::output::CliError;

/// The station, with the signed-in operator (if any) named in the audit log.
pub fn station() -> Result<Station, CliError> {
    let mut config = StationConfig::from_env();
    if let Some(upn) = crate::signin_commands::remembered_operator() {
        config.operator = upn;
    }
    let keys = KeyringStore::new(&config.key_profile());
    Ok(Station::open(config, &keys)?)
}

pub fn tokens() -> Result<PcscTokenDesk, CliError> {
    PcscTokenDesk::connect()
        .map_err(|f| CliError::failure("reader", format!("{} {}", f.message, f.next_step)))
}

/// Entra, as the operator: `OATHDESK_ACCESS_TOKEN` if set (scripts),
/// else the signed-in session (`oathdesk-cli login`). Without either,
/// unauthenticated: enough for the host-clock check, refused by Graph calls.
pub fn tenant() -> Result<GraphTenant, CliError> {
    let url = std::env::var("OATHDESK_GRAPH_URL")
        .unwrap_or_else(|_| "https://graph.microsoft.com".into());
    let builder = GraphClient::builder().graph_base(&url);
    let builder = match (
        std::env::var("OATHDESK_ACCESS_TOKEN"),
        crate::signin_commands::remembered(),
    ) {
        (Ok(token), _) => builder.token_source(StaticToken(token)),
        (Err(_), Some(a)) => {
            builder.token_source(RefreshingToken::new(a.clone(), KeyringTokenStore::new(&a)))
        }
        (Err(_), None) => builder.token_source(StaticToken(String::new())),
    };
    let client = builder
        .build()
        .map_err(|e| CliError::input("graph_url", format!("{e}; check OATHDESK_GRAPH_URL")))?;
    Ok(GraphTenant { client })
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

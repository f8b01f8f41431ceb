//! The operator's remembered sign-in and the Graph tenant built from it,
//! shared by the CLI and the desktop app so both act as the same operator.
//!
//! The settings (authority, tenant, client id, UPN — nothing secret) are a
//! small JSON file in the data directory; the refresh token lives in the OS
//! keyring (see `oathdesk_entra::signin`).

use std::path::PathBuf;

use oathdesk_entra::signin::{Authority, KeyringTokenStore, RefreshingToken};
use oathdesk_entra::{EntraError, GraphClient, StaticToken};
use serde_json::json;

use crate::StationConfig;
use crate::StationError;
use crate::adapters::GraphTenant;

/// Microsoft's identity platform, unless `OATHDESK_AUTHORITY` says otherwise.
pub const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com";
/// Microsoft Graph, unless `OATHDESK_GRAPH_URL` says otherwise.
pub const DEFAULT_GRAPH: &str = "https://graph.microsoft.com";

/// What is remembered of the last sign-in.
#[derive(Debug, Clone)]
pub struct RememberedSignIn {
    pub authority: Authority,
    /// The signed-in operator; absent until a sign-in completed.
    pub upn: Option<String>,
}

fn settings_path(config: &StationConfig) -> PathBuf {
    config.data_dir.join("signin.json")
}

/// The remembered sign-in settings, if any.
pub fn remembered(config: &StationConfig) -> Option<RememberedSignIn> {
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(settings_path(config)).ok()?).ok()?;
    Some(RememberedSignIn {
        authority: Authority {
            authority: v["authority"].as_str()?.into(),
            tenant: v["tenant"].as_str()?.into(),
            client_id: v["client_id"].as_str()?.into(),
        },
        upn: v["upn"].as_str().map(str::to_string),
    })
}

/// Remembers `authority` (and the operator, once signed in).
pub fn remember(
    config: &StationConfig,
    authority: &Authority,
    upn: Option<&str>,
) -> Result<(), StationError> {
    let path = settings_path(config);
    let body = json!({"authority": authority.authority, "tenant": authority.tenant,
        "client_id": authority.client_id, "upn": upn});
    std::fs::create_dir_all(&config.data_dir)
        .and_then(|_| std::fs::write(&path, body.to_string()))
        .map_err(|e| StationError::Storage(format!("cannot write {}: {e}", path.display())))
}

/// Forgets the settings file (the caller clears the keyring entry).
pub fn forget(config: &StationConfig) {
    let _ = std::fs::remove_file(settings_path(config));
}

/// The configuration from the environment, with the signed-in operator (if
/// any) as the one the audit log names.
pub fn operator_config() -> StationConfig {
    let mut config = StationConfig::from_env();
    if let Some(upn) = remembered(&config).and_then(|r| r.upn) {
        config.operator = upn;
    }
    config
}

/// `OATHDESK_GRAPH_URL`, else Microsoft Graph.
pub fn graph_url() -> String {
    std::env::var("OATHDESK_GRAPH_URL").unwrap_or_else(|_| DEFAULT_GRAPH.into())
}

/// `OATHDESK_AUTHORITY`, else Microsoft's identity platform.
pub fn authority_url() -> String {
    std::env::var("OATHDESK_AUTHORITY").unwrap_or_else(|_| DEFAULT_AUTHORITY.into())
}

/// Entra, as the operator: `OATHDESK_ACCESS_TOKEN` if set (scripts), else
/// the remembered sign-in (refresh token from the keyring). Without either,
/// unauthenticated: enough for the host-clock check, refused by Graph calls.
pub fn tenant(config: &StationConfig) -> Result<GraphTenant, EntraError> {
    let builder = GraphClient::builder().graph_base(&graph_url());
    let builder = match (std::env::var("OATHDESK_ACCESS_TOKEN"), remembered(config)) {
        (Ok(token), _) => builder.token_source(StaticToken(token)),
        (Err(_), Some(r)) => builder.token_source(RefreshingToken::new(
            r.authority.clone(),
            KeyringTokenStore::new(&r.authority),
        )),
        (Err(_), None) => builder.token_source(StaticToken(String::new())),
    };
    Ok(GraphTenant {
        client: builder.build()?,
    })
}

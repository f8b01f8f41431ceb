//! The operator's sign-in, one path for the CLI and the desktop app: sign
//! in (browser with PKCE, or device code), who am I, sign out, and the
//! Graph tenant built from the remembered sign-in, so both shells act as
//! the same operator and forget the same things. Signing in and out is
//! audited, failures too.
//!
//! The settings (authority, tenant, client id, UPN — nothing secret) are a
//! small JSON file in the data directory; the refresh token lives in the OS
//! keyring (see `oathdesk_entra::signin`).

use std::path::PathBuf;

pub use oathdesk_entra::signin::{Authority, BrowserOpener, SignInCancel, SystemBrowser};
use oathdesk_entra::signin::{KeyringTokenStore, RefreshingToken, login_device_code, login_pkce};
use oathdesk_entra::{EntraError, GraphClient, StaticToken};
use serde::Serialize;
use serde_json::json;

use crate::adapters::GraphTenant;
use crate::audit::{AuditAction, AuditEntry, Outcome};
use crate::ports::{Directory, UserMatch};
use crate::{Station, StationConfig, StationError};

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

/// The remembered sign-in settings, if any. The authority is never taken
/// from the file: it is Microsoft's unless this run's environment says
/// otherwise, so a sandbox used once is not signed in to again silently.
pub fn remembered(config: &StationConfig) -> Option<RememberedSignIn> {
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(settings_path(config)).ok()?).ok()?;
    Some(RememberedSignIn {
        authority: Authority {
            authority: authority_url(),
            tenant: v["tenant"].as_str()?.into(),
            client_id: v["client_id"].as_str()?.into(),
        },
        upn: v["upn"].as_str().map(str::to_string),
    })
}

/// Remembers `authority`'s tenant and client id (and the operator, once
/// signed in); not its URL, which each run takes from its environment.
pub fn remember(
    config: &StationConfig,
    authority: &Authority,
    upn: Option<&str>,
) -> Result<(), StationError> {
    let path = settings_path(config);
    let body = json!({"tenant": authority.tenant, "client_id": authority.client_id, "upn": upn});
    std::fs::create_dir_all(&config.data_dir)
        .and_then(|_| std::fs::write(&path, body.to_string()))
        .map_err(|e| StationError::Storage(format!("cannot write {}: {e}", path.display())))
}

/// Where this run reaches Entra when it is not Microsoft: `Graph at …`,
/// `sign-in at …`, from `OATHDESK_GRAPH_URL` and `OATHDESK_AUTHORITY`.
/// The window shows it in the DEMO frame and the CLI says it on stderr, so
/// a desk never talks to a fake tenant silently.
pub fn not_microsoft() -> Option<String> {
    let elsewhere: Vec<String> = [
        ("Graph", graph_url(), "graph.microsoft.com"),
        ("sign-in", authority_url(), "login.microsoftonline.com"),
    ]
    .into_iter()
    .filter(|(_, url, host)| !is_microsoft(url, host))
    .map(|(what, url, _)| format!("{what} at {url}"))
    .collect();
    (!elsewhere.is_empty()).then(|| elsewhere.join(", "))
}

fn is_microsoft(url: &str, host: &str) -> bool {
    url::Url::parse(url.trim())
        .is_ok_and(|u| u.scheme() == "https" && u.host_str() == Some(host) && u.port().is_none())
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
    Ok(GraphTenant::new(builder.build()?))
}

/// How the operator proves who they are.
pub enum SignInWith<'a> {
    /// A browser page (PKCE, redirect to loopback), opened by `opener`;
    /// waits until the browser comes back or `cancel` is used.
    Browser {
        opener: &'a dyn BrowserOpener,
        cancel: &'a SignInCancel,
    },
    /// A code entered on another device: `show` gets the code and where to
    /// enter it. For machines without a browser.
    DeviceCode(&'a mut dyn FnMut(&str, &str)),
}

impl SignInWith<'_> {
    fn name(&self) -> &'static str {
        match self {
            SignInWith::Browser { .. } => "browser",
            SignInWith::DeviceCode(_) => "device code",
        }
    }
}

/// Who signed in, where.
#[derive(Debug, Clone, Serialize)]
pub struct SignedIn {
    pub upn: String,
    pub display_name: Option<String>,
    pub tenant: String,
}

/// Signs the operator in to `authority`: the refresh token goes to the OS
/// keyring, the operator's UPN is remembered (and named by the audit log
/// from now on), and the sign-in is audited, whether it worked or not.
pub fn sign_in(
    station: &Station,
    authority: &Authority,
    with: SignInWith<'_>,
) -> Result<SignedIn, StationError> {
    let how = with.name();
    let result = sign_in_as(station.config(), authority, with);
    station.audit(AuditEntry {
        // Empty on failure: the station's current operator is named.
        operator: result.as_ref().map(|s| s.upn.clone()).unwrap_or_default(),
        action: AuditAction::SignIn,
        outcome: Outcome::of(&result),
        detail: Some(session_detail(&authority.tenant, how, &result)),
        ..Default::default()
    })?;
    result
}

fn sign_in_as(
    config: &StationConfig,
    authority: &Authority,
    with: SignInWith<'_>,
) -> Result<SignedIn, StationError> {
    let store = KeyringTokenStore::new(authority);
    let access = match with {
        SignInWith::Browser { opener, cancel } => login_pkce(authority, opener, &store, cancel),
        SignInWith::DeviceCode(show) => login_device_code(authority, &store, show),
    }
    .map_err(StationError::SignIn)?;
    let client = GraphClient::builder()
        .graph_base(&graph_url())
        .token_source(StaticToken(access.to_string()))
        .build()
        .map_err(StationError::SignIn)?;
    let me = GraphTenant::new(client).signed_in_user()?;
    remember(config, authority, Some(&me.upn))?;
    Ok(SignedIn {
        upn: me.upn,
        display_name: me.display_name,
        tenant: authority.tenant.clone(),
    })
}

/// The operator Entra is being called as.
pub fn who_am_i(tenant: &dyn Directory) -> Result<UserMatch, StationError> {
    Ok(tenant.signed_in_user()?)
}

/// Signs the operator out: the refresh token leaves the keyring and the
/// operator is forgotten; the tenant and client id stay for the next
/// sign-in (they are settings, not the session). Audited.
pub fn sign_out(station: &Station) -> Result<(), StationError> {
    let config = station.config();
    let signed_in = remembered(config);
    let result = forget_session(config, signed_in.as_ref());
    let (operator, tenant) = match signed_in {
        Some(r) => (r.upn.unwrap_or_default(), r.authority.tenant),
        None => (String::new(), "none remembered".into()),
    };
    station.audit(AuditEntry {
        operator,
        action: AuditAction::SignOut,
        outcome: Outcome::of(&result),
        detail: Some(session_detail(&tenant, "sign-out", &result)),
        ..Default::default()
    })?;
    result
}

fn forget_session(
    config: &StationConfig,
    signed_in: Option<&RememberedSignIn>,
) -> Result<(), StationError> {
    let Some(r) = signed_in else { return Ok(()) };
    oathdesk_entra::signin::sign_out(&KeyringTokenStore::new(&r.authority))
        .map_err(StationError::SignIn)?;
    remember(config, &r.authority, None)
}

/// What the audit log says of a sign-in or sign-out: where, how, and on
/// failure what kind (never a token or a code).
fn session_detail<T>(tenant: &str, how: &str, result: &Result<T, StationError>) -> String {
    match result {
        Ok(_) => format!("tenant {tenant}, {how}"),
        Err(StationError::SignIn(e)) => format!("tenant {tenant}, {how}: {:?}", e.kind),
        Err(_) => format!("tenant {tenant}, {how}: failed"),
    }
}

//! The sandbox's Microsoft identity platform, as a standard public client
//! (MSAL, or the desk's own `oauth2` client) sees Entra's: OpenID Connect
//! discovery and its keys, authorization code with PKCE (S256 only) on a
//! loopback redirect, the token endpoint (authorization code, refresh,
//! device code) with id_tokens and `client_info`, the device code
//! endpoint, and `/v1.0/me`. Access and refresh tokens are opaque and carry
//! the scopes asked for, limited to what the tenant grants the operator.

mod authorize;
mod discovery;
mod errors;
mod id_token;
mod token;

use std::collections::{HashMap, HashSet};

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use super::reply::guid;
use super::routes::Shared;
use super::tenant::Tenant;

pub use token::approve;

/// The identity platform's paths under `/{tenant}`.
pub(crate) fn routes() -> axum::Router<Shared> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(discovery::configuration),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(discovery::keys))
        .route("/{tenant}/oauth2/v2.0/authorize", get(authorize::authorize))
        .route("/{tenant}/oauth2/v2.0/logout", get(authorize::logout))
        .route("/{tenant}/oauth2/v2.0/token", post(token::token))
        .route("/{tenant}/oauth2/v2.0/devicecode", post(token::devicecode))
}

/// What a sign-in granted: to whom, for which app, with which scopes (as
/// asked at the authorize or device code endpoint). Codes, refresh tokens
/// and device codes each carry one.
#[derive(Clone)]
struct Grant {
    operator: String,
    client_id: String,
    scopes: Vec<String>,
}

impl Grant {
    fn new(operator: String, client_id: String, scopes: &str) -> Grant {
        Grant {
            operator,
            client_id,
            scopes: Grant::split(scopes),
        }
    }

    /// Scope names without their resource (`https://graph.microsoft.com/`).
    fn split(scopes: &str) -> Vec<String> {
        scopes
            .split_whitespace()
            .map(|s| s.rsplit('/').next().unwrap_or(s).to_string())
            .collect()
    }

    /// Scope names compare without regard to case, as on Entra.
    fn contains(scopes: &[String], scope: &str) -> bool {
        scopes.iter().any(|s| s.eq_ignore_ascii_case(scope))
    }

    fn has(&self, scope: &str) -> bool {
        Grant::contains(&self.scopes, scope)
    }
}

/// An authorization code not yet redeemed.
struct Code {
    grant: Grant,
    challenge: String,
    redirect: String,
    nonce: Option<String>,
}

/// A device code: asked for, then approved by the operator.
struct DeviceLogin {
    user_code: String,
    client_id: String,
    scopes: String,
    approved: bool,
}

/// Sign-in state: the tenant id, codes, refresh tokens, device codes.
pub struct Logins {
    tenant_id: String,
    /// `https` when the sandbox serves TLS (which MSAL insists on).
    scheme: &'static str,
    codes: HashMap<String, Code>,
    /// Codes already redeemed, which Entra tells apart from unknown ones.
    redeemed: HashSet<String>,
    refresh: HashMap<String, Grant>,
    /// Refresh tokens revoked on use (`Faults::revoke_used_refresh_tokens`).
    revoked: HashSet<String>,
    device: HashMap<String, DeviceLogin>,
    /// Access token → the operator it was issued to.
    pub access: HashMap<String, String>,
}

impl Default for Logins {
    fn default() -> Self {
        Logins {
            tenant_id: guid(),
            scheme: "http",
            codes: HashMap::new(),
            redeemed: HashSet::new(),
            refresh: HashMap::new(),
            revoked: HashSet::new(),
            device: HashMap::new(),
            access: HashMap::new(),
        }
    }
}

impl Logins {
    /// The tenant's id (`tid`), a GUID new with each sandbox.
    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }

    /// The sandbox answers over TLS: the URLs it hands out say `https`.
    pub(crate) fn serve_https(&mut self) {
        self.scheme = "https";
    }
}

fn random() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("OS random number generator");
    hex::encode(b)
}

fn lock(s: &Shared) -> std::sync::MutexGuard<'_, Tenant> {
    s.lock().unwrap_or_else(|p| p.into_inner())
}

/// The sandbox's own root as the client reached it, for the URLs and the
/// issuer it hands out (Entra's are `https://login.microsoftonline.com`).
fn base_url(headers: &HeaderMap, logins: &Logins) -> String {
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("{}://{host}", logins.scheme)
}

/// `GET /v1.0/me`: the signed-in operator.
pub async fn me(State(s): State<Shared>, headers: HeaderMap) -> Response {
    let t = lock(&s);
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match token
        .and_then(|tok| t.logins.access.get(tok))
        .and_then(|upn| t.user(upn))
    {
        Some(u) => Json(serde_json::to_value(u).expect("user json")).into_response(),
        None => super::routes::error(
            401,
            "InvalidAuthenticationToken",
            "Access token is empty or invalid.",
        ),
    }
}

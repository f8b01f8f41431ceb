//! The sandbox's Microsoft identity platform endpoints: authorization code
//! with PKCE (S256 only) on a loopback redirect, the token endpoint
//! (authorization code, refresh with rotation, device code), the device
//! code endpoint, and `/v1.0/me`. Tokens are opaque and carry the scopes
//! asked for, limited to what the tenant grants the operator.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::routes::Shared;
use super::tenant::OPERATOR_SCOPES;

/// The identity platform's paths under `/{tenant}`.
pub(crate) fn routes() -> axum::Router<Shared> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/{tenant}/oauth2/v2.0/authorize", get(authorize))
        .route("/{tenant}/oauth2/v2.0/token", post(token))
        .route("/{tenant}/oauth2/v2.0/devicecode", post(devicecode))
}

/// Sign-in state: codes and refresh tokens issued, device codes pending.
#[derive(Default)]
pub struct Logins {
    codes: HashMap<String, (String, String, String)>,
    refresh: HashMap<String, String>,
    device: HashMap<String, (String, bool)>,
    /// Access token → the operator it was issued to.
    pub access: HashMap<String, String>,
}

fn random() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("OS random number generator");
    hex::encode(b)
}

fn oauth_error(code: &str, description: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": code, "error_description": description})),
    )
        .into_response()
}

fn loopback(uri: &str) -> bool {
    uri.starts_with("http://localhost:") || uri.starts_with("http://127.0.0.1:")
}

/// `GET /{tenant}/oauth2/v2.0/authorize`: the operator configured in the
/// seed signs in at once and is redirected with a code.
pub async fn authorize(
    State(s): State<Shared>,
    Path(_tenant): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    if get("response_type") != "code"
        || get("code_challenge_method") != "S256"
        || get("code_challenge").is_empty()
    {
        return oauth_error(
            "invalid_request",
            "authorization code with PKCE (S256) is required",
        );
    }
    let redirect = get("redirect_uri");
    if !loopback(&redirect) {
        return oauth_error(
            "invalid_request",
            "redirect_uri must be a loopback http URL",
        );
    }
    let mut t = s.lock().unwrap_or_else(|p| p.into_inner());
    let Some(operator) = t.operator.clone() else {
        return oauth_error("access_denied", "no operator can sign in to this sandbox");
    };
    let code = random();
    t.logins.codes.insert(
        code.clone(),
        (operator, get("code_challenge"), redirect.clone()),
    );
    let location = format!(
        "{redirect}?code={code}&state={}",
        percent_encoding::utf8_percent_encode(&get("state"), percent_encoding::NON_ALPHANUMERIC)
    );
    let mut resp = StatusCode::FOUND.into_response();
    resp.headers_mut().insert(
        "location",
        HeaderValue::from_str(&location).expect("ascii location"),
    );
    resp
}

/// `POST /{tenant}/oauth2/v2.0/devicecode`.
pub async fn devicecode(State(s): State<Shared>, Path(_tenant): Path<String>) -> Response {
    let (device_code, user_code) = (random(), random()[..8].to_uppercase());
    s.lock()
        .unwrap_or_else(|p| p.into_inner())
        .logins
        .device
        .insert(device_code.clone(), (user_code.clone(), false));
    Json(json!({"device_code": device_code, "user_code": user_code, "verification_uri": "https://microsoft.com/devicelogin",
        "expires_in": 900, "interval": 1, "message": format!("Enter {user_code} at https://microsoft.com/devicelogin")}))
    .into_response()
}

/// Test hook: the operator approves a device code.
pub async fn approve(State(s): State<Shared>, Path(user_code): Path<String>) -> Response {
    let mut t = s.lock().unwrap_or_else(|p| p.into_inner());
    let found = t.logins.device.values_mut().find(|(u, _)| *u == user_code);
    match found {
        Some(entry) => {
            entry.1 = true;
            StatusCode::NO_CONTENT.into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `POST /{tenant}/oauth2/v2.0/token`.
pub async fn token(
    State(s): State<Shared>,
    Path(_tenant): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let mut t = s.lock().unwrap_or_else(|p| p.into_inner());
    let operator = match get("grant_type").as_str() {
        "authorization_code" => match t.logins.codes.remove(&get("code")) {
            Some((op, challenge, redirect)) => {
                let verifier_hash = data_encoding::BASE64URL_NOPAD
                    .encode(&Sha256::digest(get("code_verifier").as_bytes()));
                if verifier_hash != challenge || redirect != get("redirect_uri") {
                    return oauth_error("invalid_grant", "PKCE verification failed");
                }
                op
            }
            None => return oauth_error("invalid_grant", "unknown or used authorization code"),
        },
        "refresh_token" => match t.logins.refresh.remove(&get("refresh_token")) {
            Some(op) => op,
            None => {
                return oauth_error(
                    "invalid_grant",
                    "the refresh token is invalid or was already used",
                );
            }
        },
        "urn:ietf:params:oauth:grant-type:device_code" => {
            match t.logins.device.get(&get("device_code")) {
                Some((_, true)) => {
                    t.logins.device.remove(&get("device_code"));
                    t.operator.clone().unwrap_or_default()
                }
                Some((_, false)) => {
                    return oauth_error("authorization_pending", "the user has not signed in yet");
                }
                None => return oauth_error("expired_token", "unknown device code"),
            }
        }
        _ => return oauth_error("unsupported_grant_type", "unsupported grant"),
    };
    let asked: Vec<String> = get("scope")
        .split_whitespace()
        .map(|s| s.rsplit('/').next().unwrap_or(s).to_string())
        .collect();
    let granted: Vec<String> = OPERATOR_SCOPES
        .iter()
        .filter(|s| asked.is_empty() || asked.iter().any(|a| a == *s))
        .map(|s| s.to_string())
        .collect();
    let (access, refresh) = (random(), random());
    t.tokens.insert(access.clone(), granted.clone());
    t.logins.access.insert(access.clone(), operator.clone());
    t.logins.refresh.insert(refresh.clone(), operator);
    Json(json!({"token_type": "Bearer", "access_token": access, "refresh_token": refresh, "expires_in": 3600, "scope": granted.join(" ")}))
        .into_response()
}

/// `GET /v1.0/me`: the signed-in operator.
pub async fn me(State(s): State<Shared>, headers: HeaderMap) -> Response {
    let t = s.lock().unwrap_or_else(|p| p.into_inner());
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match token.and_then(|tok| t.logins.access.get(tok)).and_then(|upn| t.user(upn)) {
        Some(u) => Json(serde_json::to_value(u).expect("user json")).into_response(),
        None => (StatusCode::UNAUTHORIZED, Json(json!({"error": {"code": "InvalidAuthenticationToken", "message": "Access token is empty or invalid."}}))).into_response(),
    }
}

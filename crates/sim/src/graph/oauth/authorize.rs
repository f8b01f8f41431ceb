//! `GET /{tenant}/oauth2/v2.0/authorize`: the operator configured in the
//! seed signs in at once. Errors go back to the app's `redirect_uri` once
//! that is known to be registered; before that (no client, no or an
//! unregistered redirect) the browser gets an error page, as on Entra.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::Response;

use super::super::routes::Shared;
use super::errors::{found, page, to_redirect};
use super::{Code, Grant, lock, random};

/// The redirects every sandbox app has registered: loopback `http` on any
/// port (Entra ignores the port of a loopback redirect), as a desktop app
/// that opens the system browser registers. Parsed, not prefix-matched, so
/// `http://localhost:1@elsewhere/` is not mistaken for loopback.
fn registered(uri: &str) -> Option<url::Url> {
    let url = url::Url::parse(uri).ok()?;
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1"));
    let plain = url.username().is_empty() && url.password().is_none();
    (url.scheme() == "http" && loopback && plain && url.fragment().is_none()).then_some(url)
}

/// What the sandbox supports of an authorize request that names a
/// registered redirect: an error to send back to it, or `None`.
fn refusal(p: &dyn Fn(&str) -> Option<String>) -> Option<(&'static str, u32, String)> {
    let Some(response_type) = p("response_type") else {
        return Some(missing("response_type"));
    };
    if response_type != "code" {
        let m = format!("response_type '{response_type}' is not enabled for the application.");
        return Some(("unsupported_response_type", 70005, m));
    }
    if p("scope").is_none() {
        return Some(missing("scope"));
    }
    if p("response_mode").is_some_and(|m| m != "query") {
        let m = "The sandbox answers with response_mode 'query' only.".to_string();
        return Some(("invalid_request", 70007, m));
    }
    // Stricter than Entra on purpose: the desk always uses PKCE with S256.
    if p("code_challenge").is_none() {
        return Some(missing("code_challenge"));
    }
    if p("code_challenge_method").as_deref() != Some("S256") {
        let m = "The sandbox accepts code_challenge_method 'S256' only.".to_string();
        return Some(("invalid_request", 90100, m));
    }
    None
}

fn missing(name: &str) -> (&'static str, u32, String) {
    let m = format!("The request body must contain the following parameter: '{name}'.");
    ("invalid_request", 900144, m)
}

pub async fn authorize(
    State(s): State<Shared>,
    Path(_tenant): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let p = |k: &str| q.get(k).filter(|v| !v.is_empty()).cloned();
    let Some(client_id) = p("client_id") else {
        return page(
            900144,
            "The request body must contain the following parameter: 'client_id'.",
        );
    };
    let Some(given) = p("redirect_uri") else {
        return page(900971, "No reply address provided.");
    };
    let Some(redirect) = registered(&given) else {
        let m = format!(
            "The redirect URI '{given}' specified in the request does not match the redirect URIs configured for the application '{client_id}'."
        );
        return page(50011, &m);
    };
    let state = p("state");
    if let Some((error, code, m)) = refusal(&p) {
        return to_redirect(&redirect, state.as_deref(), error, code, &m);
    }
    let mut t = lock(&s);
    let Some(operator) = t.operator.clone() else {
        let m = "No account can sign in to this sandbox: its seed names no operator.";
        return to_redirect(&redirect, state.as_deref(), "access_denied", 50034, m);
    };
    let code = random();
    let scopes = p("scope").unwrap_or_default();
    t.logins.codes.insert(
        code.clone(),
        Code {
            grant: Grant::new(operator, client_id, &scopes),
            challenge: p("code_challenge").unwrap_or_default(),
            redirect: given,
            nonce: p("nonce"),
        },
    );
    let mut target = redirect;
    target.query_pairs_mut().append_pair("code", &code);
    if let Some(state) = &state {
        target.query_pairs_mut().append_pair("state", state);
    }
    found(&target)
}

/// `GET /{tenant}/oauth2/v2.0/logout` (the `end_session_endpoint`): back to
/// a registered `post_logout_redirect_uri`, else a signed-out page. The
/// sandbox keeps no browser session, so there is nothing else to end.
pub async fn logout(
    Path(_tenant): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    use axum::response::IntoResponse;
    match q
        .get("post_logout_redirect_uri")
        .and_then(|u| registered(u))
    {
        Some(mut target) => {
            if let Some(state) = q.get("state") {
                target.query_pairs_mut().append_pair("state", state);
            }
            found(&target)
        }
        None => (
            [("content-type", "text/html; charset=utf-8")],
            "<!DOCTYPE html><html><body>You signed out of your account.</body></html>",
        )
            .into_response(),
    }
}

//! The identity platform's error answers, in the shapes Entra uses: the
//! token and device code endpoints answer JSON with an `AADSTS` code, a
//! trace and correlation id and a timestamp; the authorize endpoint sends
//! the error back to a validated `redirect_uri`, or shows an error page
//! when it cannot trust the redirect (it never redirects to one it did not
//! validate, so a crafted link cannot bounce the browser anywhere).

use axum::Json;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::guid;

/// `YYYY-MM-DD HH:MM:SSZ`, as Entra writes `timestamp`.
fn timestamp() -> String {
    let t = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// A token or device code endpoint error: OAuth `error`, the `AADSTS`
/// number and its message. The message never quotes a token or code.
pub(super) struct Refused {
    status: u16,
    error: &'static str,
    code: u32,
    message: String,
}

pub(super) fn aad(status: u16, error: &'static str, code: u32, message: &str) -> Refused {
    Refused {
        status,
        error,
        code,
        message: message.to_string(),
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let (trace, correlation, at) = (guid(), guid(), timestamp());
        let (code, message) = (self.code, &self.message);
        let description = format!(
            "AADSTS{code}: {message}\r\nTrace ID: {trace}\r\nCorrelation ID: {correlation}\r\nTimestamp: {at}"
        );
        let body = json!({
            "error": self.error,
            "error_description": description,
            "error_codes": [code],
            "timestamp": at,
            "trace_id": trace,
            "correlation_id": correlation,
            "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
        });
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        (status, Json(body)).into_response()
    }
}

/// A required parameter is absent: `invalid_request`, AADSTS900144.
pub(super) fn missing(name: &str) -> Refused {
    aad(
        400,
        "invalid_request",
        900144,
        &format!("The request body must contain the following parameter: '{name}'."),
    )
}

/// An authorize error sent back to the app: `error`, `error_description`
/// and `state` added to the (already validated) `redirect`.
pub(super) fn to_redirect(
    redirect: &url::Url,
    state: Option<&str>,
    error: &str,
    code: u32,
    message: &str,
) -> Response {
    let mut target = redirect.clone();
    {
        let mut q = target.query_pairs_mut();
        q.append_pair("error", error);
        q.append_pair(
            "error_description",
            &format!("AADSTS{code}: {message}\r\nTrace ID: {}", guid()),
        );
        if let Some(state) = state {
            q.append_pair("state", state);
        }
    }
    found(&target)
}

/// A 302 to `target`.
pub(super) fn found(target: &url::Url) -> Response {
    let mut resp = StatusCode::FOUND.into_response();
    resp.headers_mut().insert(
        "location",
        HeaderValue::from_str(target.as_str()).expect("a URL is ASCII"),
    );
    resp
}

/// The page the browser shows when the request cannot be answered at the
/// app's redirect (no client, no or an unregistered `redirect_uri`).
pub(super) fn page(code: u32, message: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body>\
         <h1>Sorry, but we're having trouble signing you in.</h1>\
         <p>AADSTS{code}: {}</p><p>Trace ID: {}</p></body></html>",
        html_escape(message),
        guid()
    );
    (
        StatusCode::BAD_REQUEST,
        [("content-type", "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

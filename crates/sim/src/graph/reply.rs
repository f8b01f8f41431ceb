//! How the sandbox answers, as Microsoft Graph does: every answer carries a
//! `request-id` header and echoes the caller's `client-request-id`; every
//! failure is Graph's JSON error naming that same request id and an ISO
//! 8601 date, whatever went wrong (an unknown path, a wrong method, a body
//! that is not JSON); and a request's body is read only once the caller
//! has been authenticated. Typed Graph clients depend on each of these.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::routes::Shared;

/// The ids of the call being answered, set by [`stamp`] for its handler.
#[derive(Clone)]
struct Call {
    request_id: String,
    client_request_id: String,
}

tokio::task_local! {
    static CALL: Call;
}

/// A random (version 4) GUID, as Graph's request ids and Entra's trace
/// and correlation ids are.
pub(crate) fn guid() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("OS random number generator");
    b[6] = (b[6] & 0x0F) | 0x40;
    b[8] = (b[8] & 0x3F) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// The caller's own `client-request-id`, if it is a plausible one.
fn client_request_id(headers: &HeaderMap) -> Option<String> {
    let id = headers.get("client-request-id")?.to_str().ok()?;
    let plausible = !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    plausible.then(|| id.to_string())
}

/// Middleware: gives each call its request id, puts it (and the client's
/// id) on the answer, and keeps which call each id answered so a test can
/// match an audit record to its own call.
pub(crate) async fn stamp(
    State(s): State<Shared>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let request_id = guid();
    let call = Call {
        client_request_id: client_request_id(req.headers()).unwrap_or_else(|| request_id.clone()),
        request_id: request_id.clone(),
    };
    let what = format!("{} {}", req.method(), req.uri().path());
    let client_id = call.client_request_id.clone();
    let mut resp = CALL.scope(call, next.run(req)).await;
    let headers = resp.headers_mut();
    for (name, value) in [
        ("request-id", &request_id),
        ("client-request-id", &client_id),
    ] {
        headers.insert(name, HeaderValue::from_str(value).expect("ascii id"));
    }
    let mut t = super::routes::lock(&s);
    if t.answered.len() >= ANSWERED_KEPT {
        t.answered.drain(..ANSWERED_KEPT / 2);
    }
    t.answered.push((request_id, what));
    resp
}

/// How many answered calls the sandbox remembers: a long demo or bench run
/// must not grow without end; tests look at far fewer.
const ANSWERED_KEPT: usize = 20_000;

/// The ids of the call in progress (fresh ones outside [`stamp`]).
fn this_call() -> Call {
    CALL.try_with(Call::clone).unwrap_or_else(|_| {
        let id = guid();
        Call {
            request_id: id.clone(),
            client_request_id: id,
        }
    })
}

/// UTC now as Graph writes `innerError.date`: `2026-12-01T09:00:00`.
fn graph_date() -> String {
    let now = time::OffsetDateTime::now_utc();
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    now.format(&format).expect("a date in range")
}

/// Graph's error answer: `{"error":{"code","message","innerError":{…}}}`.
pub(crate) fn error(status: u16, code: &str, message: &str) -> Response {
    let call = this_call();
    let body = json!({"error": {"code": code, "message": message, "innerError": {
        "date": graph_date(),
        "request-id": call.request_id,
        "client-request-id": call.client_request_id,
    }}});
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, axum::Json(body)).into_response()
}

/// A success, with a JSON body or none.
pub(crate) fn ok(status: StatusCode, body: Option<Value>) -> Response {
    match body {
        Some(b) => (status, axum::Json(b)).into_response(),
        None => status.into_response(),
    }
}

/// The request's body as a JSON object, or the error Graph answers: 415
/// unless the content type is JSON, 400 unless it parses to an object.
/// Called after the caller is authenticated, never before.
pub(crate) fn json_object(headers: &HeaderMap, body: &[u8]) -> Result<Value, Response> {
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let media = content_type.split(';').next().unwrap_or_default().trim();
    if !media.eq_ignore_ascii_case("application/json") {
        return Err(error(
            415,
            "UnsupportedMediaType",
            "The content type of the request is not supported: send application/json.",
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        _ => Err(error(
            400,
            "BadRequest",
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
        )),
    }
}

/// No route: Graph names the first path segment it could not resolve.
pub(crate) async fn no_such_path(uri: axum::http::Uri) -> Response {
    let segment = uri.path().rsplit('/').find(|s| !s.is_empty()).unwrap_or("");
    error(
        400,
        "BadRequest",
        &format!("Resource not found for the segment '{segment}'."),
    )
}

/// A known path asked with a method it does not take.
pub(crate) async fn wrong_method() -> Response {
    error(
        405,
        "notAllowed",
        "The HTTP method in the request is not allowed on the resource.",
    )
}

//! The HTTP face of the sandbox: Graph beta paths, JSON shapes, status
//! codes and error bodies, plus `/_sandbox/*` controls for tests.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::tenant::{Faults, Refusal, Tenant};

pub(crate) type Shared = Arc<Mutex<Tenant>>;

const INVENTORY: &str = "/beta/directory/authenticationMethodDevices/hardwareOathDevices";
const METHODS: &str = "/beta/users/{user}/authentication/hardwareOathMethods";
const POLICY: &str =
    "/beta/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/hardwareOath";
const SCOPE_POLICY: &str = "Policy.ReadWrite.AuthenticationMethod";
const SCOPE_METHODS: &str = "UserAuthenticationMethod.ReadWrite.All";
const SCOPE_USERS: &str = "User.Read.All";

pub fn router(state: Shared) -> Router {
    Router::new()
        .route(
            INVENTORY,
            get(list_devices).post(create_device).patch(bulk_create),
        )
        .route(
            &format!("{INVENTORY}/{{id}}"),
            get(get_device).delete(delete_device).patch(update_device),
        )
        .route(
            &format!("{METHODS}/assignAndActivate"),
            post(assign_and_activate),
        )
        .route(
            &format!("{METHODS}/assignAndActivateBySerialNumber"),
            post(assign_and_activate),
        )
        .route(&format!("{METHODS}/{{id}}/deactivate"), post(deactivate))
        .route(POLICY, get(get_policy).patch(set_policy))
        .route("/v1.0/users", get(search_users))
        .route("/v1.0/me", get(super::oauth::me))
        .merge(super::oauth::routes())
        .merge(controls(state.clone()))
        .route(
            "/beta/users/{user}/authentication/hardwareOathMethods",
            get(user_methods).post(assign),
        )
        .route(
            "/beta/users/{user}/authentication/hardwareOathMethods/{id}",
            axum::routing::delete(unassign),
        )
        .route(
            "/beta/users/{user}/authentication/hardwareOathMethods/{id}/activate",
            post(activate),
        )
        .route("/v1.0/users/{user}", get(get_user))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            log_request_id,
        ))
        .with_state(state)
}

/// The header `/_sandbox/*` wants, with the run's control secret.
pub const CONTROL_HEADER: &str = "x-sandbox-control";

/// The test controls: approving a device code, faults, a token's secret.
/// They answer 404, as if absent, without the run's control secret: a page
/// or a program that finds the port cannot read secrets or set faults.
fn controls(state: Shared) -> Router<Shared> {
    Router::new()
        .route("/_sandbox/approve/{user_code}", post(super::oauth::approve))
        .route("/_sandbox/faults", post(set_faults))
        .route("/_sandbox/device/{serial}", get(inspect_device))
        .route_layer(axum::middleware::from_fn_with_state(
            state,
            with_control_secret,
        ))
}

async fn with_control_secret(
    State(s): State<Shared>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let given = req
        .headers()
        .get(CONTROL_HEADER)
        .map(|v| v.as_bytes().to_vec());
    let want = lock(&s).control_secret.clone();
    let matches = given.is_some_and(|g| {
        use subtle::ConstantTimeEq;
        g.len() == want.len() && bool::from(g.ct_eq(want.as_bytes()))
    });
    if !matches {
        return StatusCode::NOT_FOUND.into_response();
    }
    next.run(req).await
}

/// Keeps which call each request id answered (`POST /beta/users/…`), so a
/// test can tell whether an audit record names the id of its own call.
async fn log_request_id(
    State(s): State<Shared>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let call = format!("{} {}", req.method(), req.uri().path());
    let resp = next.run(req).await;
    if let Some(id) = resp
        .headers()
        .get("request-id")
        .and_then(|v| v.to_str().ok())
    {
        lock(&s).answered.push((id.to_string(), call));
    }
    resp
}

pub(crate) fn error(status: u16, code: &str, message: &str) -> Response {
    let id = request_id();
    let body = json!({"error": {"code": code, "message": message,
        "innerError": {"request-id": id, "date": httpdate::fmt_http_date(std::time::SystemTime::now())}}});
    let mut resp = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        Json(body),
    )
        .into_response();
    resp.headers_mut()
        .insert("request-id", HeaderValue::from_str(&id).expect("ascii"));
    resp
}

fn refused(r: Refusal) -> Response {
    error(r.0, r.1, &r.2)
}

fn request_id() -> String {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).expect("OS random number generator");
    format!("sandbox-{}", hex::encode(b))
}

fn ok(status: StatusCode, body: Option<Value>) -> Response {
    let mut resp = match body {
        Some(b) => (status, Json(b)).into_response(),
        None => status.into_response(),
    };
    resp.headers_mut().insert(
        "request-id",
        HeaderValue::from_str(&request_id()).expect("ascii"),
    );
    resp
}

/// Latency, bearer token and scope, throttling and injected failures, in
/// that order. `Err` is the response to send instead.
async fn gate(
    state: &Shared,
    headers: &HeaderMap,
    kind: &str,
    scope: &str,
) -> Result<(), Response> {
    let latency = state
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .faults
        .latency_ms;
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let mut t = state.lock().unwrap_or_else(|p| p.into_inner());
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some(scopes) = token.and_then(|tok| t.tokens.get(tok)) else {
        return Err(error(
            401,
            "InvalidAuthenticationToken",
            "Access token is empty or invalid.",
        ));
    };
    if !scopes.iter().any(|s| s == scope) {
        return Err(error(
            403,
            "Authorization_RequestDenied",
            &format!("Insufficient privileges to complete the operation: {scope} is required."),
        ));
    }
    if let Some(role) = token.and_then(|tok| t.missing_role(tok, scope)) {
        let message = format!(
            "Insufficient privileges to complete the operation: {scope} requires the {role} role."
        );
        return Err(error(403, "Authorization_RequestDenied", &message));
    }
    t.requests += 1;
    if t.faults.throttle_every > 0 && t.requests.is_multiple_of(t.faults.throttle_every) {
        let mut resp = error(429, "TooManyRequests", "Too many requests.");
        resp.headers_mut()
            .insert("retry-after", HeaderValue::from_static("0.05"));
        return Err(resp);
    }
    if t.take_fault(kind, false) {
        return Err(error(
            503,
            "serviceNotAvailable",
            "The service is temporarily unavailable.",
        ));
    }
    Ok(())
}

/// Managing an administrator's methods needs a privileged role.
fn privileged(state: &Shared, headers: &HeaderMap, user: &str) -> Option<Response> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))?;
    lock(state).needs_privileged(token, user).then(|| {
        error(403, "Authorization_RequestDenied", &format!(
            "Insufficient privileges to complete the operation: {user} is an administrator; managing their methods requires the Privileged Authentication Administrator role."
        ))
    })
}

/// After the work is done: an injected "response lost" failure, if any.
fn lost_after(state: &Shared, kind: &str) -> Option<Response> {
    let mut t = state.lock().unwrap_or_else(|p| p.into_inner());
    t.take_fault(kind, true).then(|| {
        error(
            503,
            "serviceNotAvailable",
            "The service is temporarily unavailable.",
        )
    })
}

fn lock(state: &Shared) -> std::sync::MutexGuard<'_, Tenant> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

async fn list_devices(
    State(s): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    if let Err(r) = gate(&s, &headers, "list", SCOPE_POLICY).await {
        return r;
    }
    let t = lock(&s);
    let filter = q.get("$filter").map(|f| parse_filter(f));
    let matching: Vec<Value> = t
        .devices
        .iter()
        .filter(|d| match &filter {
            Some(Some((field, value))) if field == "serialNumber" => &d.serial == value,
            Some(Some((field, value))) if field == "status" => &d.status == value,
            _ => true,
        })
        .map(|d| d.to_json(&t.users))
        .collect();
    let top: usize = q
        .get("$top")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100)
        .clamp(1, 999);
    let skip: usize = q
        .get("$skiptoken")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let page: Vec<Value> = matching.iter().skip(skip).take(top).cloned().collect();
    let mut body = json!({"value": page});
    if skip + top < matching.len() {
        let host = headers
            .get("host")
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1");
        let mut next = format!(
            "http://{host}{INVENTORY}?$top={top}&$skiptoken={}",
            skip + top
        );
        if let Some(f) = q.get("$filter") {
            next.push_str(&format!(
                "&$filter={}",
                percent_encoding::utf8_percent_encode(f, percent_encoding::NON_ALPHANUMERIC)
            ));
        }
        body["@odata.nextLink"] = json!(next);
    }
    ok(StatusCode::OK, Some(body))
}

/// `field eq 'value'` (quotes doubled inside the value).
fn parse_filter(f: &str) -> Option<(String, String)> {
    let (field, rest) = f.split_once(" eq ")?;
    let value = rest
        .trim()
        .strip_prefix('\'')?
        .strip_suffix('\'')?
        .replace("''", "'");
    Some((field.trim().to_string(), value))
}

async fn create_device(
    State(s): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Err(r) = gate(&s, &headers, "create", SCOPE_POLICY).await {
        return r;
    }
    let created = {
        let mut t = lock(&s);
        t.create(&body).map(|d| d.to_json(&t.users))
    };
    match created {
        Err(r) => refused(r),
        Ok(json) => lost_after(&s, "create").unwrap_or_else(|| ok(StatusCode::CREATED, Some(json))),
    }
}

async fn get_device(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = gate(&s, &headers, "get", SCOPE_POLICY).await {
        return r;
    }
    let t = lock(&s);
    match t.device(&id) {
        Some(d) => ok(StatusCode::OK, Some(d.to_json(&t.users))),
        None => error(404, "itemNotFound", "hardware OATH device not found"),
    }
}

async fn delete_device(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = gate(&s, &headers, "delete", SCOPE_POLICY).await {
        return r;
    }
    let done = lock(&s).delete(&id);
    match done {
        Err(r) => refused(r),
        Ok(()) => lost_after(&s, "delete").unwrap_or_else(|| ok(StatusCode::NO_CONTENT, None)),
    }
}

async fn user_methods(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(user): Path<String>,
) -> Response {
    if let Err(r) = gate(&s, &headers, "methods", SCOPE_METHODS).await {
        return r;
    }
    let t = lock(&s);
    let Some(u) = t.user(&user) else {
        return error(404, "Request_ResourceNotFound", "user not found");
    };
    let value: Vec<Value> = t
        .devices
        .iter()
        .filter(|d| d.assigned_to.as_deref() == Some(u.id.as_str()))
        .map(|d| json!({"id": d.id, "displayName": d.display_name, "device": d.to_json(&t.users)}))
        .collect();
    ok(StatusCode::OK, Some(json!({"value": value})))
}

async fn assign(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(user): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    if let Err(r) = gate(&s, &headers, "assign", SCOPE_METHODS).await {
        return r;
    }
    if let Some(r) = privileged(&s, &headers, &user) {
        return r;
    }
    let id = body["device"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let done = {
        let mut t = lock(&s);
        t.assign(&user, &id)
            .map(|d| json!({"id": d.id, "device": d.to_json(&t.users)}))
    };
    match done {
        Err(r) => refused(r),
        Ok(json) => lost_after(&s, "assign").unwrap_or_else(|| ok(StatusCode::CREATED, Some(json))),
    }
}

async fn unassign(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path((user, id)): Path<(String, String)>,
) -> Response {
    if let Err(r) = gate(&s, &headers, "unassign", SCOPE_METHODS).await {
        return r;
    }
    if let Some(r) = privileged(&s, &headers, &user) {
        return r;
    }
    let done = lock(&s).unassign(&user, &id);
    match done {
        Err(r) => refused(r),
        Ok(()) => lost_after(&s, "unassign").unwrap_or_else(|| ok(StatusCode::NO_CONTENT, None)),
    }
}

async fn activate(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path((user, id)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> Response {
    if let Err(r) = gate(&s, &headers, "activate", SCOPE_METHODS).await {
        return r;
    }
    if let Some(r) = privileged(&s, &headers, &user) {
        return r;
    }
    let code = body["verificationCode"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let done = lock(&s).activate(&user, &id, &code, now);
    match done {
        Err(r) => refused(r),
        Ok(()) => lost_after(&s, "activate").unwrap_or_else(|| ok(StatusCode::NO_CONTENT, None)),
    }
}

async fn get_user(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(user): Path<String>,
) -> Response {
    if let Err(r) = gate(&s, &headers, "user", SCOPE_USERS).await {
        return r;
    }
    let t = lock(&s);
    match t.user(&user) {
        Some(u) => ok(
            StatusCode::OK,
            Some(serde_json::to_value(u).expect("user json")),
        ),
        None => error(
            404,
            "Request_ResourceNotFound",
            &format!("Resource '{user}' does not exist"),
        ),
    }
}

async fn set_faults(State(s): State<Shared>, Json(f): Json<Faults>) -> Response {
    lock(&s).faults = f;
    StatusCode::NO_CONTENT.into_response()
}

/// Test hook: what the sandbox stored for a serial (never in Graph itself).
async fn inspect_device(State(s): State<Shared>, Path(serial): Path<String>) -> Response {
    let t = lock(&s);
    match t.by_serial(&serial) {
        Some(d) => Json(json!({
            "id": d.id, "status": d.status, "assignedTo": d.assigned_to, "driftSteps": d.drift_steps,
            "secretSha256": hex::encode(Sha256::digest(d.secret.expose())),
            "secretBase32": d.secret.to_base32().as_str(),
            "count": t.devices.iter().filter(|x| x.serial == serial).count(),
        }))
        .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Answers a change: the refusal, a lost response, or `status` with no body.
fn changed(s: &Shared, kind: &str, done: Result<(), Refusal>, status: StatusCode) -> Response {
    match done {
        Err(r) => refused(r),
        Ok(()) => lost_after(s, kind).unwrap_or_else(|| ok(status, None)),
    }
}

async fn update_device(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    if let Err(r) = gate(&s, &headers, "update", SCOPE_POLICY).await {
        return r;
    }
    let done = lock(&s).update(&id, &body);
    changed(&s, "update", done, StatusCode::NO_CONTENT)
}

/// `{"@context":"#$delta","value":[{"@contentId":"1", …}]}`: creates each
/// item, answering each by its content id.
async fn bulk_create(
    State(s): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Err(r) = gate(&s, &headers, "bulk", SCOPE_POLICY).await {
        return r;
    }
    let items = body["value"].as_array().cloned().unwrap_or_default();
    let mut t = lock(&s);
    let results: Vec<Value> = items
        .iter()
        .map(|item| {
            let content_id = item["@contentId"].clone();
            match t.create(item) {
                Ok(d) => json!({"@contentId": content_id, "id": d.id, "serialNumber": d.serial}),
                Err((status, code, message)) => json!({"@contentId": content_id, "status": status, "error": {"code": code, "message": message}}),
            }
        })
        .collect();
    ok(StatusCode::OK, Some(json!({"value": results})))
}

async fn deactivate(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path((user, id)): Path<(String, String)>,
) -> Response {
    if let Err(r) = gate(&s, &headers, "deactivate", SCOPE_METHODS).await {
        return r;
    }
    if let Some(r) = privileged(&s, &headers, &user) {
        return r;
    }
    let done = lock(&s).deactivate(&user, &id);
    changed(&s, "deactivate", done, StatusCode::NO_CONTENT)
}

/// Both `assignAndActivate` (`device.id`) and `…BySerialNumber`.
async fn assign_and_activate(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(user): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    if let Err(r) = gate(&s, &headers, "activate", SCOPE_METHODS).await {
        return r;
    }
    if let Some(r) = privileged(&s, &headers, &user) {
        return r;
    }
    let code = body["verificationCode"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let done = {
        let mut t = lock(&s);
        let id = match (body["device"]["id"].as_str(), body["serialNumber"].as_str()) {
            (Some(id), _) => Some(id.to_string()),
            (None, Some(serial)) => t.by_serial(serial).map(|d| d.id.clone()),
            _ => None,
        };
        match id {
            None => Err((
                404,
                "itemNotFound",
                "hardware OATH device not found".to_string(),
            )),
            Some(id) => t
                .assign(&user, &id)
                .and_then(|_| t.activate(&user, &id, &code, now_unix())),
        }
    };
    changed(&s, "activate", done, StatusCode::NO_CONTENT)
}

async fn get_policy(State(s): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(r) = gate(&s, &headers, "policy", SCOPE_POLICY).await {
        return r;
    }
    let state = lock(&s).policy_state.clone();
    ok(
        StatusCode::OK,
        Some(
            json!({"@odata.type": "#microsoft.graph.hardwareOathAuthenticationMethodConfiguration", "id": "HardwareOath", "state": state}),
        ),
    )
}

async fn set_policy(
    State(s): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Err(r) = gate(&s, &headers, "policy", SCOPE_POLICY).await {
        return r;
    }
    if body["@odata.type"].as_str()
        != Some("#microsoft.graph.hardwareOathAuthenticationMethodConfiguration")
    {
        return error(400, "invalidRequest", "@odata.type is required");
    }
    match body["state"].as_str() {
        Some(st @ ("enabled" | "disabled")) => {
            lock(&s).policy_state = st.into();
            ok(StatusCode::NO_CONTENT, None)
        }
        _ => error(400, "invalidRequest", "state must be enabled or disabled"),
    }
}

/// `$filter=startswith(userPrincipalName,'x')` (quotes doubled inside).
async fn search_users(
    State(s): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    if let Err(r) = gate(&s, &headers, "user", SCOPE_USERS).await {
        return r;
    }
    let prefix = q
        .get("$filter")
        .and_then(|f| f.strip_prefix("startswith(userPrincipalName,'"))
        .and_then(|f| f.strip_suffix("')"))
        .map(|p| p.replace("''", "'").to_ascii_lowercase())
        .unwrap_or_default();
    let t = lock(&s);
    let value: Vec<Value> = t
        .users
        .iter()
        .filter(|u| u.upn.to_ascii_lowercase().starts_with(&prefix))
        .map(|u| serde_json::to_value(u).expect("user json"))
        .collect();
    ok(StatusCode::OK, Some(json!({"value": value})))
}

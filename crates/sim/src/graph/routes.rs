//! The HTTP face of the sandbox: Graph beta paths, the gate every call
//! passes (latency, bearer token, scope, role, throttling, faults), the
//! policy and user paths, and `/_sandbox/*` controls for tests. The device
//! and user-method handlers are in `inventory` and `methods`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::groups;
use super::inventory;
use super::methods;
pub(crate) use super::reply::{error, ok};
use super::tenant::{Faults, Refusal, Tenant};

pub(crate) type Shared = Arc<Mutex<Tenant>>;

pub(crate) const INVENTORY: &str =
    "/beta/directory/authenticationMethodDevices/hardwareOathDevices";
const METHODS: &str = "/beta/users/{user}/authentication/hardwareOathMethods";
const MY_METHODS: &str = "/beta/me/authentication/hardwareOathMethods";
const POLICY: &str =
    "/beta/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/hardwareOath";
pub(crate) const SCOPE_POLICY: &str = "Policy.ReadWrite.AuthenticationMethod";
pub(crate) const SCOPE_METHODS: &str = "UserAuthenticationMethod.ReadWrite.All";
const SCOPE_USERS: &str = "User.Read.All";
pub(crate) const SCOPE_GROUPS: &str = "GroupMember.Read.All";

pub fn router(state: Shared) -> Router {
    Router::new()
        .route(
            INVENTORY,
            get(inventory::list)
                .post(inventory::create)
                .patch(inventory::bulk_create),
        )
        .route(
            &format!("{INVENTORY}/{{id}}"),
            get(inventory::get)
                .delete(inventory::delete)
                .patch(inventory::update),
        )
        .route(
            &format!("{METHODS}/assignAndActivate"),
            post(methods::assign_and_activate),
        )
        .route(
            &format!("{METHODS}/assignAndActivateBySerialNumber"),
            post(methods::assign_and_activate),
        )
        .route(METHODS, get(methods::list).post(methods::assign))
        .route(
            &format!("{METHODS}/{{id}}"),
            get(methods::get).delete(methods::unassign),
        )
        .route(
            &format!("{METHODS}/{{id}}/activate"),
            post(methods::activate),
        )
        .route(
            &format!("{METHODS}/{{id}}/deactivate"),
            post(methods::deactivate),
        )
        .route(MY_METHODS, get(methods::list_mine))
        .route(&format!("{MY_METHODS}/{{id}}"), get(methods::get_mine))
        .route(POLICY, get(get_policy).patch(set_policy))
        .route("/v1.0/users", get(search_users))
        .route("/v1.0/users/{user}", get(get_user))
        .route("/v1.0/me", get(super::oauth::me))
        .route("/v1.0/groups", get(groups::list))
        .route("/v1.0/groups/{id}", get(groups::get))
        .route(
            "/v1.0/groups/{id}/members/microsoft.graph.user",
            get(groups::user_members),
        )
        .merge(super::oauth::routes())
        .merge(controls(state.clone()))
        .fallback(super::reply::no_such_path)
        .method_not_allowed_fallback(super::reply::wrong_method)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            super::reply::stamp,
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

pub(crate) fn refused(r: Refusal) -> Response {
    error(r.0, r.1, &r.2)
}

/// The bearer token of a request, if any.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
}

/// Latency, bearer token and scope, throttling and injected failures, in
/// that order. `Err` is the response to send instead.
pub(crate) async fn gate(
    state: &Shared,
    headers: &HeaderMap,
    kind: &str,
    scope: &str,
) -> Result<(), Response> {
    let latency = lock(state).faults.latency_ms;
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let mut t = lock(state);
    authorized(&t, headers, scope)?;
    t.requests += 1;
    if t.faults.throttle_every > 0 && t.requests.is_multiple_of(t.faults.throttle_every) {
        let mut resp = error(429, "TooManyRequests", "Too many requests.");
        let wait = HeaderValue::from(t.faults.retry_after_seconds);
        resp.headers_mut().insert("retry-after", wait);
        return Err(resp);
    }
    if t.take_fault(kind, false) {
        return Err(unavailable());
    }
    Ok(())
}

/// 401 without a known bearer token, 403 without `scope` or its role.
pub(crate) fn authorized(t: &Tenant, headers: &HeaderMap, scope: &str) -> Result<(), Response> {
    let token = bearer(headers);
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
    Ok(())
}

fn unavailable() -> Response {
    error(
        503,
        "serviceNotAvailable",
        "The service is temporarily unavailable.",
    )
}

/// After the work is done: an injected "response lost" failure, if any.
pub(crate) fn lost_after(state: &Shared, kind: &str) -> Option<Response> {
    lock(state).take_fault(kind, true).then(unavailable)
}

/// Answers a change: the refusal, a lost response, or `status` with `body`.
pub(crate) fn changed(
    s: &Shared,
    kind: &str,
    done: Result<Option<Value>, Refusal>,
    status: StatusCode,
) -> Response {
    match done {
        Err(r) => refused(r),
        Ok(body) => lost_after(s, kind).unwrap_or_else(|| ok(status, body)),
    }
}

pub(crate) fn lock(state: &Shared) -> std::sync::MutexGuard<'_, Tenant> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

/// The properties `/v1.0/users/{id}` returns without `$select` that this
/// sandbox knows: Graph's default set leaves out `userType` and
/// `accountEnabled`, which must be asked for.
const DEFAULT_USER_PROPERTIES: [&str; 3] = ["id", "displayName", "userPrincipalName"];

/// `user` with only the properties `$select` names (Graph's default set
/// without one); property names are matched ignoring case, as Graph does.
pub(crate) fn selected(user: Value, select: Option<&String>) -> Value {
    let wanted: Vec<&str> = match select {
        Some(list) => list.split(',').map(str::trim).collect(),
        None => DEFAULT_USER_PROPERTIES.to_vec(),
    };
    let Value::Object(all) = user else {
        return user;
    };
    Value::Object(
        all.into_iter()
            .filter(|(k, _)| wanted.iter().any(|w| w.eq_ignore_ascii_case(k)))
            .collect(),
    )
}

async fn get_user(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(user): Path<String>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    if let Err(r) = gate(&s, &headers, "user", SCOPE_USERS).await {
        return r;
    }
    let t = lock(&s);
    match t.user(&user) {
        Some(u) => ok(
            StatusCode::OK,
            Some(selected(
                serde_json::to_value(u).expect("user json"),
                q.get("$select"),
            )),
        ),
        None => error(
            404,
            "Request_ResourceNotFound",
            &format!("Resource '{user}' does not exist"),
        ),
    }
}

async fn set_faults(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let faults = super::reply::json_object(&headers, &body).and_then(|v| {
        serde_json::from_value::<Faults>(v).map_err(|e| error(400, "BadRequest", &e.to_string()))
    });
    match faults {
        Ok(f) => {
            lock(&s).faults = f;
            StatusCode::NO_CONTENT.into_response()
        }
        Err(r) => r,
    }
}

/// Test hook: what the sandbox stored for a serial (never in Graph itself).
async fn inspect_device(State(s): State<Shared>, Path(serial): Path<String>) -> Response {
    let t = lock(&s);
    match t.by_serial(&serial) {
        Some(d) => axum::Json(json!({
            "id": d.id, "status": d.status, "assignedTo": d.assigned_to, "driftSteps": d.drift_steps,
            "displayName": d.display_name,
            "secretSha256": hex::encode(Sha256::digest(d.secret.expose())),
            "secretBase32": d.secret.to_base32().as_str(),
            "count": t.devices.iter().filter(|x| x.serial == serial).count(),
        }))
        .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

const POLICY_TYPE: &str = "#microsoft.graph.hardwareOathAuthenticationMethodConfiguration";

async fn get_policy(State(s): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(r) = gate(&s, &headers, "policy", SCOPE_POLICY).await {
        return r;
    }
    let state = lock(&s).policy_state.clone();
    ok(
        StatusCode::OK,
        Some(json!({"@odata.type": POLICY_TYPE, "id": "HardwareOath", "state": state})),
    )
}

async fn set_policy(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(r) = gate(&s, &headers, "policy", SCOPE_POLICY).await {
        return r;
    }
    let body = match super::reply::json_object(&headers, &body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if body["@odata.type"].as_str() != Some(POLICY_TYPE) {
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

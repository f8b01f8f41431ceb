//! `/beta/users/{u}/authentication/hardwareOathMethods` and the signed-in
//! operator's own `/beta/me/…`: a user's hardware OATH methods — list, get,
//! assign, unassign, activate (with the `displayName` that names the
//! token), deactivate, and assign-and-activate by id or serial.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::reply::json_object;
use super::routes::{SCOPE_METHODS, Shared, bearer, changed, error, gate, lock, ok};
use super::tenant::{Device, Refusal, Tenant, now_unix};

/// A device as the user's method: `hardwareOathAuthenticationMethod`.
fn method(t: &Tenant, d: &Device) -> Value {
    let created = d.assigned_at.map(|at| {
        time::OffsetDateTime::from_unix_timestamp(at as i64)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
    });
    json!({
        "@odata.type": "#microsoft.graph.hardwareOathAuthenticationMethod",
        "id": d.id,
        "createdDateTime": created.flatten(),
        "device": d.to_json(&t.users),
    })
}

/// The gate, then managing an administrator's methods needs a privileged
/// role.
async fn admitted(s: &Shared, headers: &HeaderMap, kind: &str, user: &str) -> Result<(), Response> {
    gate(s, headers, kind, SCOPE_METHODS).await?;
    match privileged(s, headers, user) {
        Some(r) => Err(r),
        None => Ok(()),
    }
}

fn privileged(state: &Shared, headers: &HeaderMap, user: &str) -> Option<Response> {
    let token = bearer(headers)?;
    lock(state).needs_privileged(token, user).then(|| {
        error(403, "Authorization_RequestDenied", &format!(
            "Insufficient privileges to complete the operation: {user} is an administrator; managing their methods requires the Privileged Authentication Administrator role."
        ))
    })
}

/// The methods of `user`, or 404 when there is no such user.
fn methods_of(t: &Tenant, user: &str) -> Result<Vec<Value>, Response> {
    let u = t
        .user(user)
        .ok_or_else(|| error(404, "Request_ResourceNotFound", "user not found"))?;
    Ok(t.devices
        .iter()
        .filter(|d| d.assigned_to.as_deref() == Some(u.id.as_str()))
        .map(|d| method(t, d))
        .collect())
}

fn one_of(t: &Tenant, user: &str, id: &str) -> Response {
    match methods_of(t, user) {
        Err(r) => r,
        Ok(all) => match all.into_iter().find(|m| m["id"] == id) {
            Some(m) => ok(StatusCode::OK, Some(m)),
            None => error(
                404,
                "itemNotFound",
                "The device is not assigned to this user",
            ),
        },
    }
}

pub(crate) async fn list(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(user): Path<String>,
) -> Response {
    if let Err(r) = gate(&s, &headers, "methods", SCOPE_METHODS).await {
        return r;
    }
    match methods_of(&lock(&s), &user) {
        Ok(value) => ok(StatusCode::OK, Some(json!({"value": value}))),
        Err(r) => r,
    }
}

pub(crate) async fn get(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path((user, id)): Path<(String, String)>,
) -> Response {
    if let Err(r) = gate(&s, &headers, "methods", SCOPE_METHODS).await {
        return r;
    }
    one_of(&lock(&s), &user, &id)
}

/// The UPN the bearer token was issued to by the sign-in endpoints.
fn me(s: &Shared, headers: &HeaderMap) -> Result<String, Response> {
    bearer(headers)
        .and_then(|tok| lock(s).logins.access.get(tok).cloned())
        .ok_or_else(|| {
            error(
                400,
                "BadRequest",
                "/me request is only valid with delegated authentication flow.",
            )
        })
}

pub(crate) async fn list_mine(State(s): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(r) = gate(&s, &headers, "methods", SCOPE_METHODS).await {
        return r;
    }
    match me(&s, &headers).and_then(|upn| methods_of(&lock(&s), &upn)) {
        Ok(value) => ok(StatusCode::OK, Some(json!({"value": value}))),
        Err(r) => r,
    }
}

pub(crate) async fn get_mine(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = gate(&s, &headers, "methods", SCOPE_METHODS).await {
        return r;
    }
    match me(&s, &headers) {
        Ok(upn) => one_of(&lock(&s), &upn, &id),
        Err(r) => r,
    }
}

pub(crate) async fn assign(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(user): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(r) = admitted(&s, &headers, "assign", &user).await {
        return r;
    }
    let body = match json_object(&headers, &body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(id) = body["device"]["id"].as_str() else {
        return error(400, "invalidRequest", "device.id is required");
    };
    let done = {
        let mut t = lock(&s);
        t.assign(&user, id).map(|d| Some(method(&t, &d)))
    };
    changed(&s, "assign", done, StatusCode::CREATED)
}

pub(crate) async fn unassign(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path((user, id)): Path<(String, String)>,
) -> Response {
    if let Err(r) = admitted(&s, &headers, "unassign", &user).await {
        return r;
    }
    let done = lock(&s).unassign(&user, &id).map(|()| None);
    changed(&s, "unassign", done, StatusCode::NO_CONTENT)
}

/// `verificationCode` (six digits, as a string) and the optional
/// `displayName` an activation names the token with.
fn activation(body: &Value) -> Result<(String, Option<String>), Response> {
    let code = body["verificationCode"]
        .as_str()
        .ok_or_else(|| error(400, "invalidRequest", "verificationCode is required"))?;
    let name = match &body["displayName"] {
        Value::Null => None,
        Value::String(n) => Some(n.clone()),
        _ => return Err(error(400, "invalidRequest", "displayName must be a string")),
    };
    Ok((code.to_string(), name))
}

/// Activates `id` for `user` and, on success, names it `name`.
fn activate_named(
    t: &mut Tenant,
    user: &str,
    id: &str,
    code: &str,
    name: Option<String>,
) -> Result<Option<Value>, Refusal> {
    t.activate(user, id, code, now_unix())?;
    if let (Some(n), Some(d)) = (name, t.devices.iter_mut().find(|d| d.id == id)) {
        d.display_name = Some(n);
    }
    Ok(None)
}

pub(crate) async fn activate(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path((user, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    if let Err(r) = admitted(&s, &headers, "activate", &user).await {
        return r;
    }
    let (code, name) = match json_object(&headers, &body).and_then(|b| activation(&b)) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let done = activate_named(&mut lock(&s), &user, &id, &code, name);
    changed(&s, "activate", done, StatusCode::NO_CONTENT)
}

pub(crate) async fn deactivate(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path((user, id)): Path<(String, String)>,
) -> Response {
    if let Err(r) = admitted(&s, &headers, "deactivate", &user).await {
        return r;
    }
    let done = lock(&s).deactivate(&user, &id).map(|()| None);
    changed(&s, "deactivate", done, StatusCode::NO_CONTENT)
}

/// Both `assignAndActivate` (`device.id`) and `…BySerialNumber`.
pub(crate) async fn assign_and_activate(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(user): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(r) = admitted(&s, &headers, "activate", &user).await {
        return r;
    }
    let body = match json_object(&headers, &body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let (code, name) = match activation(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
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
                .and_then(|_| activate_named(&mut t, &user, &id, &code, name)),
        }
    };
    changed(&s, "activate", done, StatusCode::NO_CONTENT)
}

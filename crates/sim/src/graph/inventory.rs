//! `/beta/directory/authenticationMethodDevices/hardwareOathDevices`: the
//! tenant's hardware OATH inventory — list with OData queries, get, create
//! (one, or many in a `$delta` body by POST or PATCH), update and delete.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::query::ListQuery;
use super::reply::json_object;
use super::routes::{
    INVENTORY, SCOPE_METHODS, SCOPE_POLICY, Shared, authorized, changed, error, gate, lock, ok,
};
use super::tenant::{Refusal, Tenant};

pub(crate) async fn list(
    State(s): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Err(r) = gate(&s, &headers, "list", SCOPE_POLICY).await {
        return r;
    }
    let query = match ListQuery::parse(&q) {
        Ok(query) => query,
        Err(why) => return error(400, "invalidRequest", &why),
    };
    let t = lock(&s);
    let matching: Vec<Value> = t
        .devices
        .iter()
        .map(|d| d.to_json(&t.users))
        .filter(|d| query.keeps(d))
        .collect();
    let page: Vec<Value> = matching
        .iter()
        .skip(query.skip)
        .take(query.top)
        .map(|d| query.shape(d.clone()))
        .collect();
    let mut body = json!({"value": page});
    if query.count {
        body["@odata.count"] = json!(matching.len());
    }
    if query.skip + query.top < matching.len() {
        body["@odata.nextLink"] = json!(next_link(&headers, INVENTORY, &q, query.skip + query.top));
    }
    ok(StatusCode::OK, Some(body))
}

/// The same query of `path` from item `skip` on, as an absolute link.
pub(crate) fn next_link(
    headers: &HeaderMap,
    path: &str,
    q: &HashMap<String, String>,
    skip: usize,
) -> String {
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let mut link = url_query(q.iter().filter(|(k, _)| *k != "$skiptoken"));
    link.push_str(&format!("$skiptoken={skip}"));
    format!("http://{host}{path}?{link}")
}

fn url_query<'a>(pairs: impl Iterator<Item = (&'a String, &'a String)>) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    pairs
        .map(|(k, v)| format!("{k}={}&", utf8_percent_encode(v, NON_ALPHANUMERIC)))
        .collect()
}

pub(crate) async fn get(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = gate(&s, &headers, "get", SCOPE_POLICY).await {
        return r;
    }
    let t = lock(&s);
    if id == "$count" {
        return count(&t);
    }
    match t.device(&id) {
        Some(d) => ok(StatusCode::OK, Some(d.to_json(&t.users))),
        None => error(404, "itemNotFound", "hardware OATH device not found"),
    }
}

/// `…/hardwareOathDevices/$count`: the number of devices, as plain text.
fn count(t: &Tenant) -> Response {
    let mut resp = t.devices.len().to_string().into_response();
    resp.headers_mut().insert(
        "content-type",
        axum::http::HeaderValue::from_static("text/plain"),
    );
    resp
}

/// One device, or — with `"@context": "#$delta"` — many, as the docs'
/// example sends them by POST.
pub(crate) async fn create(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(r) = gate(&s, &headers, "create", SCOPE_POLICY).await {
        return r;
    }
    let body = match json_object(&headers, &body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if body.get("@context").is_some() {
        return bulk(&s, &headers, &body);
    }
    let created = {
        let mut t = lock(&s);
        may_assign(&t, &headers, std::slice::from_ref(&body))
            .and_then(|()| t.create(&body).map_err(super::routes::refused))
            .map(|d| d.to_json(&t.users))
    };
    match created {
        Err(r) => r,
        Ok(json) => changed(&s, "create", Ok(Some(json)), StatusCode::CREATED),
    }
}

/// The docs' heading: `PATCH …/hardwareOathDevices` with a `$delta` body.
pub(crate) async fn bulk_create(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(r) = gate(&s, &headers, "bulk", SCOPE_POLICY).await {
        return r;
    }
    match json_object(&headers, &body) {
        Ok(body) => bulk(&s, &headers, &body),
        Err(r) => r,
    }
}

/// Creates every item that passes Entra's rules; 201 with `value[]` of
/// hardwareOathAuthenticationMethod objects, each with its `device`, for
/// the items created. An item refused is left out (which Entra does with a
/// partly bad batch is not documented, so a client must check its serials
/// against the answer); a batch of which nothing could be created is a 400
/// naming the first item's reason.
fn bulk(s: &Shared, headers: &HeaderMap, body: &Value) -> Response {
    if body["@context"].as_str() != Some("#$delta") {
        return error(400, "invalidRequest", "@context must be #$delta");
    }
    let Some(items) = body["value"].as_array().filter(|v| !v.is_empty()) else {
        return error(
            400,
            "invalidRequest",
            "value must list the devices to create",
        );
    };
    let mut t = lock(s);
    if let Err(r) = may_assign(&t, headers, items) {
        return r;
    }
    let outcomes: Vec<Result<Value, Refusal>> = items
        .iter()
        .map(|item| {
            t.create(item)
                .map(|d| json!({"@odata.type": "#microsoft.graph.hardwareOathAuthenticationMethod", "id": d.id, "device": d.to_json(&t.users)}))
        })
        .collect();
    drop(t);
    let created: Vec<Value> = outcomes
        .iter()
        .filter_map(|o| o.as_ref().ok().cloned())
        .collect();
    match outcomes.into_iter().find_map(Result::err) {
        Some(first) if created.is_empty() => super::routes::refused(first),
        _ => changed(
            s,
            "bulk",
            Ok(Some(json!({"value": created}))),
            StatusCode::CREATED,
        ),
    }
}

/// Creating with `assignTo` also assigns: the caller needs what assigning
/// needs (UserAuthenticationMethod.ReadWrite.All and its role).
fn may_assign(t: &Tenant, headers: &HeaderMap, items: &[Value]) -> Result<(), Response> {
    if items.iter().any(|i| !i["assignTo"].is_null()) {
        authorized(t, headers, SCOPE_METHODS)?;
    }
    Ok(())
}

pub(crate) async fn update(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(r) = gate(&s, &headers, "update", SCOPE_POLICY).await {
        return r;
    }
    let body = match json_object(&headers, &body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let done = lock(&s).update(&id, &body).map(|()| None);
    changed(&s, "update", done, StatusCode::NO_CONTENT)
}

pub(crate) async fn delete(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = gate(&s, &headers, "delete", SCOPE_POLICY).await {
        return r;
    }
    let done = lock(&s).delete(&id).map(|()| None);
    changed(&s, "delete", done, StatusCode::NO_CONTENT)
}

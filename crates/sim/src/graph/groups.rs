//! Groups, as far as a batch reads them: `GET /v1.0/groups` with
//! `$filter=displayName eq '…'`, one group by id, and its direct user
//! members through the OData cast `/members/microsoft.graph.user` (100 a
//! page unless `$top` says up to 999, with `@odata.nextLink`). A group is
//! made of the users whose seed names it; its id is a GUID derived from its
//! name, so a test can say it. Options Graph would refuse here are 400s.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::inventory::next_link;
use super::routes::{SCOPE_GROUPS, Shared, error, gate, lock, ok, selected};
use super::tenant::Tenant;

/// The object id the sandbox gives the group named `name`.
pub fn group_id(name: &str) -> String {
    let h = hex::encode(Sha256::digest(format!("group:{name}").as_bytes()));
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Every group some user is in, by name, in the order first met.
fn names(t: &Tenant) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for g in t.users.iter().flat_map(|u| &u.groups) {
        if !out.contains(g) {
            out.push(g.clone());
        }
    }
    out
}

fn group_json(name: &str) -> Value {
    json!({"id": group_id(name), "displayName": name, "securityEnabled": true,
        "mailEnabled": false, "groupTypes": []})
}

fn not_found(id: &str) -> Response {
    error(
        404,
        "Request_ResourceNotFound",
        &format!(
            "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
        ),
    )
}

/// Only the options this sandbox implements; Graph would answer others,
/// but a client of ours sending them is a bug to find.
fn refuse_unknown(q: &HashMap<String, String>, known: &[&str]) -> Result<(), Response> {
    match q.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(error(
            400,
            "Request_BadRequest",
            &format!("Unsupported query option '{k}'."),
        )),
        None => Ok(()),
    }
}

/// `displayName eq 'x'` (quotes doubled inside), the one filter supported.
fn display_name_filter(f: &str) -> Option<String> {
    let rest = f.trim().strip_prefix("displayName eq '")?;
    let inner = rest.strip_suffix('\'')?;
    Some(inner.replace("''", "'"))
}

pub(crate) async fn list(
    State(s): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Err(r) = gate(&s, &headers, "group", SCOPE_GROUPS).await {
        return r;
    }
    if let Err(r) = refuse_unknown(&q, &["$filter", "$select"]) {
        return r;
    }
    let wanted = match q.get("$filter") {
        None => None,
        Some(f) => match display_name_filter(f) {
            Some(name) => Some(name),
            None => {
                return error(
                    400,
                    "Request_UnsupportedQuery",
                    &format!("Unsupported or invalid query filter clause: {f}"),
                );
            }
        },
    };
    let t = lock(&s);
    let value: Vec<Value> = names(&t)
        .iter()
        .filter(|n| wanted.as_ref().is_none_or(|w| w.eq_ignore_ascii_case(n)))
        .map(|n| select(group_json(n), q.get("$select")))
        .collect();
    ok(StatusCode::OK, Some(json!({"value": value})))
}

/// Without `$select`, every property the sandbox has.
fn select(group: Value, wanted: Option<&String>) -> Value {
    match wanted {
        Some(_) => selected(group, wanted),
        None => group,
    }
}

pub(crate) async fn get(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Err(r) = gate(&s, &headers, "group", SCOPE_GROUPS).await {
        return r;
    }
    if let Err(r) = refuse_unknown(&q, &["$select"]) {
        return r;
    }
    let t = lock(&s);
    match names(&t).into_iter().find(|n| group_id(n) == id) {
        Some(n) => ok(
            StatusCode::OK,
            Some(select(group_json(&n), q.get("$select"))),
        ),
        None => not_found(&id),
    }
}

pub(crate) async fn user_members(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Err(r) = gate(&s, &headers, "members", SCOPE_GROUPS).await {
        return r;
    }
    if let Err(r) = refuse_unknown(&q, &["$select", "$top", "$skiptoken"]) {
        return r;
    }
    let top = match q.get("$top").map(|t| super::query::top(t)).transpose() {
        Ok(top) => top.unwrap_or(100),
        Err(why) => return error(400, "Request_BadRequest", &why),
    };
    let skip = match q.get("$skiptoken").map(|v| v.parse::<usize>()).transpose() {
        Ok(skip) => skip.unwrap_or(0),
        Err(_) => return error(400, "Request_BadRequest", "Invalid $skiptoken."),
    };
    let t = lock(&s);
    let Some(name) = names(&t).into_iter().find(|n| group_id(n) == id) else {
        return not_found(&id);
    };
    let members: Vec<_> = t
        .users
        .iter()
        .filter(|u| u.groups.contains(&name))
        .collect();
    let page: Vec<Value> = members
        .iter()
        .skip(skip)
        .take(top)
        .map(|u| {
            let mut v = selected(
                serde_json::to_value(u).expect("user json"),
                q.get("$select"),
            );
            v["@odata.type"] = json!("#microsoft.graph.user");
            v
        })
        .collect();
    let mut body = json!({"value": page});
    if skip + top < members.len() {
        let path = format!("/v1.0/groups/{id}/members/microsoft.graph.user");
        body["@odata.nextLink"] = json!(next_link(&headers, &path, &q, skip + top));
    }
    ok(StatusCode::OK, Some(body))
}

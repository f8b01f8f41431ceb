//! OpenID Connect discovery: `/{tenant}/v2.0/.well-known/openid-configuration`
//! and the keys it names, with the sandbox's own address in every URL so a
//! standard client configured with only the authority finds the rest.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::super::routes::Shared;
use super::{base_url, id_token, lock};

/// The aliases that name no one tenant; their documents keep Entra's
/// literal `{tenantid}` placeholder in the issuer.
const ALIASES: [&str; 3] = ["common", "organizations", "consumers"];

/// The tenant segment URLs use: the tenant id, or the alias asked for.
fn segment(tenant: &str, tenant_id: &str) -> String {
    if ALIASES.contains(&tenant) {
        tenant.to_string()
    } else {
        tenant_id.to_string()
    }
}

/// `GET /{tenant}/v2.0/.well-known/openid-configuration`.
pub async fn configuration(
    State(s): State<Shared>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (tenant_id, base) = {
        let t = lock(&s);
        (
            t.logins.tenant_id().to_string(),
            base_url(&headers, &t.logins),
        )
    };
    let issuer_tenant = if ALIASES.contains(&tenant.as_str()) {
        "{tenantid}".to_string()
    } else {
        tenant_id.clone()
    };
    let authority = format!("{base}/{}", segment(&tenant, &tenant_id));
    Json(json!({
        "issuer": format!("{base}/{issuer_tenant}/v2.0"),
        "authorization_endpoint": format!("{authority}/oauth2/v2.0/authorize"),
        "token_endpoint": format!("{authority}/oauth2/v2.0/token"),
        "device_authorization_endpoint": format!("{authority}/oauth2/v2.0/devicecode"),
        "end_session_endpoint": format!("{authority}/oauth2/v2.0/logout"),
        "jwks_uri": format!("{authority}/discovery/v2.0/keys"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "preferred_username", "name", "tid", "ver", "oid"],
        "request_uri_parameter_supported": false,
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "tenant_region_scope": "WW",
        "cloud_instance_name": "microsoftonline.com",
        "msgraph_host": "graph.microsoft.com",
    }))
    .into_response()
}

/// `GET /{tenant}/discovery/v2.0/keys`.
pub async fn keys(
    State(s): State<Shared>,
    Path(_tenant): Path<String>,
    headers: HeaderMap,
) -> Response {
    let issuer = {
        let t = lock(&s);
        format!(
            "{}/{}/v2.0",
            base_url(&headers, &t.logins),
            t.logins.tenant_id()
        )
    };
    Json(id_token::jwks(&issuer)).into_response()
}

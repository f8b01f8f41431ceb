//! `POST /{tenant}/oauth2/v2.0/token` for the authorization code, refresh
//! token and device code grants, and `POST …/devicecode`. Each grant asks
//! for the parameters Entra asks for and refuses with Entra's `error` and
//! `AADSTS` code; the answer carries an id_token when `openid` was granted,
//! a refresh token when `offline_access` was, and `client_info` on request.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Form, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::super::routes::Shared;
use super::super::tenant::{OPERATOR_SCOPES, Tenant};
use super::errors::{Refused, aad, missing};
use super::id_token::{self, Subject};
use super::{DeviceLogin, Grant, base_url, lock, random};

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

type Params = HashMap<String, String>;

/// A non-empty form parameter.
fn param(f: &Params, k: &str) -> Option<String> {
    f.get(k).filter(|v| !v.is_empty()).cloned()
}

fn need(f: &Params, k: &str) -> Result<String, Refused> {
    param(f, k).ok_or_else(|| missing(k))
}

fn invalid_grant(code: u32, message: &str) -> Refused {
    aad(400, "invalid_grant", code, message)
}

pub async fn token(
    State(s): State<Shared>,
    Path(_tenant): Path<String>,
    headers: HeaderMap,
    Form(f): Form<Params>,
) -> Response {
    redeem(&s, &f, &headers).unwrap_or_else(IntoResponse::into_response)
}

fn redeem(s: &Shared, f: &Params, headers: &HeaderMap) -> Result<Response, Refused> {
    let grant_type = need(f, "grant_type")?;
    let client_id = need(f, "client_id")?;
    let mut t = lock(s);
    let (grant, nonce) = match grant_type.as_str() {
        "authorization_code" => by_code(&mut t, f, &client_id)?,
        "refresh_token" => (by_refresh(&mut t, f, &client_id)?, None),
        DEVICE_GRANT => (by_device(&mut t, f, &client_id)?, None),
        other => {
            let m = format!("The app requested an unsupported grant type '{other}'.");
            return Err(aad(400, "unsupported_grant_type", 70003, &m));
        }
    };
    // The device code grant takes no `scope`: it gets what was asked for
    // at the device code endpoint.
    let asked = param(f, "scope").map(|s| Grant::split(&s));
    let asked = asked.unwrap_or_else(|| grant.scopes.clone());
    let issue = Issue {
        grant: &grant,
        asked: &asked,
        nonce: nonce.as_deref(),
        issuer: &format!(
            "{}/{}/v2.0",
            base_url(headers, &t.logins),
            t.logins.tenant_id()
        ),
        client_info: param(f, "client_info").as_deref() == Some("1"),
    };
    issue.answer(&mut t)
}

/// The authorization code grant: a code used once, by the client it was
/// issued to, from the same redirect, with the PKCE verifier.
fn by_code(
    t: &mut Tenant,
    f: &Params,
    client_id: &str,
) -> Result<(Grant, Option<String>), Refused> {
    let code = need(f, "code")?;
    let redirect = need(f, "redirect_uri")?;
    need(f, "scope")?;
    let Some(issued) = t.logins.codes.remove(&code) else {
        return Err(if t.logins.redeemed.contains(&code) {
            invalid_grant(
                54005,
                "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
            )
        } else {
            invalid_grant(
                70000,
                "The provided value for the 'code' parameter is not valid.",
            )
        });
    };
    t.logins.redeemed.insert(code);
    if issued.grant.client_id != client_id {
        return Err(invalid_grant(
            70000,
            "The provided authorization code was issued to a different client.",
        ));
    }
    if issued.redirect != redirect {
        let m = format!(
            "The reply address '{redirect}' does not match the reply address '{}' provided when requesting Authorization code.",
            issued.redirect
        );
        return Err(invalid_grant(500112, &m));
    }
    let verifier = need(f, "code_verifier")?;
    let hash = data_encoding::BASE64URL_NOPAD.encode(&Sha256::digest(verifier.as_bytes()));
    if hash != issued.challenge {
        return Err(invalid_grant(
            501481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
        ));
    }
    Ok((issued.grant, issued.nonce))
}

/// The refresh token grant. Entra does not revoke a public client's
/// refresh token when it issues the next one; `Faults::revoke_used_refresh_tokens`
/// makes the sandbox do so, to prove a client keeps the rotated one.
fn by_refresh(t: &mut Tenant, f: &Params, client_id: &str) -> Result<Grant, Refused> {
    let token = need(f, "refresh_token")?;
    need(f, "scope")?;
    if t.logins.revoked.contains(&token) {
        return Err(invalid_grant(
            70008,
            "The provided authorization code or refresh token has expired due to inactivity or was revoked.",
        ));
    }
    let Some(grant) = t.logins.refresh.get(&token).cloned() else {
        return Err(invalid_grant(
            9002313,
            "Invalid request. Request is malformed or invalid.",
        ));
    };
    if grant.client_id != client_id {
        return Err(invalid_grant(
            70000,
            "The refresh token was issued to a different client.",
        ));
    }
    if t.faults.revoke_used_refresh_tokens {
        t.logins.refresh.remove(&token);
        t.logins.revoked.insert(token);
    }
    Ok(grant)
}

/// The device code grant, polled until the operator approves the code.
fn by_device(t: &mut Tenant, f: &Params, client_id: &str) -> Result<Grant, Refused> {
    let device_code = need(f, "device_code")?;
    let Some(login) = t.logins.device.get(&device_code) else {
        let m = "The device_code sent is not recognised.";
        return Err(aad(400, "bad_verification_code", 70018, m));
    };
    if login.client_id != client_id {
        return Err(invalid_grant(
            70000,
            "The device code was issued to a different client.",
        ));
    }
    if !login.approved {
        let m = "OAuth 2.0 device flow error. Authorization is pending. Continue polling.";
        return Err(aad(400, "authorization_pending", 70016, m));
    }
    let login = t
        .logins
        .device
        .remove(&device_code)
        .expect("looked up above");
    let Some(operator) = t.operator.clone() else {
        return Err(invalid_grant(
            50034,
            "The user account does not exist in the directory.",
        ));
    };
    Ok(Grant::new(operator, login.client_id, &login.scopes))
}

/// What a successful grant answers with.
struct Issue<'a> {
    grant: &'a Grant,
    /// The scopes this request asked for (only those granted count).
    asked: &'a [String],
    nonce: Option<&'a str>,
    issuer: &'a str,
    client_info: bool,
}

impl Issue<'_> {
    fn wants(&self, scope: &str) -> bool {
        self.grant.has(scope) && Grant::contains(self.asked, scope)
    }

    fn answer(&self, t: &mut Tenant) -> Result<Response, Refused> {
        let (openid, info) = (self.wants("openid"), self.client_info);
        if (openid || info) && t.user(&self.grant.operator).is_none() {
            let m = "The user account does not exist in the directory.";
            return Err(invalid_grant(50034, m));
        }
        let granted: Vec<String> = OPERATOR_SCOPES
            .iter()
            .filter(|s| self.wants(s))
            .map(|s| s.to_string())
            .collect();
        let access = random();
        t.tokens.insert(access.clone(), granted.clone());
        let g = self.grant;
        t.logins.access.insert(access.clone(), g.operator.clone());
        // As Entra words it: Graph's scopes by name, then the OpenID ones.
        let oidc = ["openid", "profile", "email"]
            .into_iter()
            .filter(|s| self.wants(s));
        let scope: Vec<&str> = granted.iter().map(String::as_str).chain(oidc).collect();
        let mut body = json!({"token_type": "Bearer", "scope": scope.join(" "),
            "expires_in": 3600, "ext_expires_in": 3600, "access_token": access});
        if g.has("offline_access") {
            let refresh = random();
            t.logins.refresh.insert(refresh.clone(), g.clone());
            body["refresh_token"] = json!(refresh);
        }
        if let Some(user) = t.user(&g.operator).filter(|_| openid || info) {
            let tenant_id = t.logins.tenant_id();
            if openid {
                body["id_token"] = json!(id_token::issue(&Subject {
                    user,
                    tenant_id,
                    client_id: &g.client_id,
                    issuer: self.issuer,
                    nonce: self.nonce,
                    profile: self.wants("profile"),
                }));
            }
            if info {
                body["client_info"] = json!(id_token::client_info(user, tenant_id));
            }
        }
        Ok(Json(body).into_response())
    }
}

/// `POST /{tenant}/oauth2/v2.0/devicecode`: `client_id` and `scope` required.
pub async fn devicecode(
    State(s): State<Shared>,
    Path(_tenant): Path<String>,
    Form(f): Form<Params>,
) -> Response {
    let (client_id, scopes) = match (need(&f, "client_id"), need(&f, "scope")) {
        (Ok(c), Ok(s)) => (c, s),
        (Err(e), _) | (_, Err(e)) => return e.into_response(),
    };
    let (device_code, user_code) = (random(), random()[..8].to_uppercase());
    lock(&s).logins.device.insert(
        device_code.clone(),
        DeviceLogin {
            user_code: user_code.clone(),
            client_id,
            scopes,
            approved: false,
        },
    );
    let uri = "https://microsoft.com/devicelogin";
    Json(json!({"device_code": device_code, "user_code": user_code, "verification_uri": uri,
        "expires_in": 900, "interval": 1,
        "message": format!("To sign in, use a web browser to open the page {uri} and enter the code {user_code} to authenticate.")}))
    .into_response()
}

/// Test hook: the operator approves a device code.
pub async fn approve(State(s): State<Shared>, Path(user_code): Path<String>) -> Response {
    let mut t = lock(&s);
    let found = t
        .logins
        .device
        .values_mut()
        .find(|d| d.user_code == user_code);
    match found {
        Some(login) => {
            login.approved = true;
            axum::http::StatusCode::NO_CONTENT.into_response()
        }
        None => axum::http::StatusCode::NOT_FOUND.into_response(),
    }
}

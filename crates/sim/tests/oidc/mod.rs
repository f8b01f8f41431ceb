//! Plays a standard public client against the sandbox's identity platform
//! over HTTP: discovery, the browser leg of the code flow, token requests,
//! and verifying id_tokens against the published keys as a relying party.
#![allow(dead_code)]

use oathdesk_sim::graph::{Sandbox, SeedUser, TenantSeed};
use reqwest::blocking::{Client, Response};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub const CLIENT: &str = "0c1a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8";
pub const OPERATOR_ID: &str = "7d2f3a10-5b6c-4d8e-9f01-23456789abcd";
pub const REDIRECT: &str = "http://localhost:8400/";
pub const SCOPES: &str = "openid profile offline_access https://graph.microsoft.com/User.Read.All";

pub fn sandbox() -> Sandbox {
    let mut seed = TenantSeed::with_operator(
        "unused",
        vec![SeedUser::member(OPERATOR_ID, "helpdesk@contoso.com")],
    );
    seed.operator = Some("helpdesk@contoso.com".into());
    Sandbox::start(seed, 0).unwrap()
}

pub fn http() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn tenant_id(s: &Sandbox) -> String {
    s.tenant().logins.tenant_id().to_string()
}

/// A PKCE pair: (verifier, S256 challenge).
pub fn pkce() -> (String, String) {
    let verifier = "a-verifier-of-at-least-43-characters-for-the-pkce-rfc".to_string();
    let challenge = data_encoding::BASE64URL_NOPAD.encode(&Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

/// The authorize request with `params` (pairs with an empty value left out).
pub fn authorize(s: &Sandbox, params: &[(&str, &str)]) -> Response {
    let params: Vec<_> = params.iter().filter(|(_, v)| !v.is_empty()).collect();
    http()
        .get(format!("{}/contoso/oauth2/v2.0/authorize", s.base_url()))
        .query(&params)
        .send()
        .unwrap()
}

/// The query parameter `k` of a redirect's `location`.
pub fn location_param(resp: &Response, k: &str) -> Option<String> {
    let location = resp.headers().get("location")?.to_str().ok()?;
    let url = url::Url::parse(location).ok()?;
    url.query_pairs()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.into_owned())
}

/// Signs in through the browser leg: the code (and its verifier) for
/// `scope`, with `nonce` if not empty.
pub fn code(s: &Sandbox, scope: &str, nonce: &str) -> (String, String) {
    let (verifier, challenge) = pkce();
    let resp = authorize(
        s,
        &[
            ("client_id", CLIENT),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("scope", scope),
            ("state", "st-1"),
            ("nonce", nonce),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    assert_eq!(resp.status().as_u16(), 302);
    assert_eq!(location_param(&resp, "state").as_deref(), Some("st-1"));
    (location_param(&resp, "code").expect("a code"), verifier)
}

/// A token endpoint request: (status, JSON body).
pub fn token(s: &Sandbox, form: &[(&str, &str)]) -> (u16, Value) {
    post(s, "token", form)
}

pub fn post(s: &Sandbox, endpoint: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let resp = http()
        .post(format!("{}/contoso/oauth2/v2.0/{endpoint}", s.base_url()))
        .form(form)
        .send()
        .unwrap();
    (resp.status().as_u16(), resp.json().unwrap())
}

/// Redeems a fresh code for `scope`: the token response.
pub fn sign_in(s: &Sandbox, scope: &str, nonce: &str, client_info: bool) -> Value {
    let (code, verifier) = code(s, scope, nonce);
    let (status, body) = token(
        s,
        &[
            ("client_id", CLIENT),
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
            ("scope", scope),
            ("client_info", if client_info { "1" } else { "" }),
        ],
    );
    assert_eq!(status, 200, "{body}");
    body
}

pub fn get_json(url: &str) -> Value {
    let resp = http().get(url).send().unwrap();
    assert_eq!(resp.status().as_u16(), 200, "{url}");
    resp.json().unwrap()
}

/// Verifies `id_token` as a relying party does: the key the header's `kid`
/// names in the JWKS that discovery points to, RS256, `aud`, `iss`, `exp`
/// and `nbf`. Returns the claims.
pub fn verify(s: &Sandbox, id_token: &str) -> Value {
    use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
    let config = get_json(&format!(
        "{}/contoso/v2.0/.well-known/openid-configuration",
        s.base_url()
    ));
    let jwks = get_json(config["jwks_uri"].as_str().unwrap());
    let header = decode_header(id_token).unwrap();
    assert_eq!(header.alg, Algorithm::RS256);
    let kid = header.kid.expect("a kid");
    let jwk = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid.as_str())
        .expect("the kid is published");
    let key =
        DecodingKey::from_rsa_components(jwk["n"].as_str().unwrap(), jwk["e"].as_str().unwrap())
            .unwrap();
    let mut v = Validation::new(Algorithm::RS256);
    v.set_audience(&[CLIENT]);
    v.set_issuer(&[config["issuer"].as_str().unwrap()]);
    v.validate_nbf = true;
    v.set_required_spec_claims(&["exp", "nbf", "iat", "aud", "iss", "sub"]);
    decode::<Value>(id_token, &key, &v).unwrap().claims
}

/// Decodes base64url (with or without padding, as MSAL accepts it).
pub fn b64url_json(s: &str) -> Value {
    let bytes = data_encoding::BASE64URL_NOPAD
        .decode(s.trim_end_matches('=').as_bytes())
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// Asserts an Entra error body: `error`, the AADSTS code first in both the
/// description and `error_codes`, and the diagnostics fields.
pub fn assert_aad(body: &Value, error: &str, code: u32, starts: &str) {
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["error_codes"], serde_json::json!([code]), "{body}");
    let description = body["error_description"].as_str().unwrap();
    let prefix = format!("AADSTS{code}: {starts}");
    assert!(description.starts_with(&prefix), "{description}");
    let (trace, correlation) = (
        body["trace_id"].as_str().unwrap(),
        body["correlation_id"].as_str().unwrap(),
    );
    for id in [trace, correlation] {
        assert!(is_guid(id), "{id}");
    }
    assert!(description.contains(&format!("\r\nTrace ID: {trace}")));
    assert!(description.contains(&format!("\r\nCorrelation ID: {correlation}")));
    let at = body["timestamp"].as_str().unwrap();
    assert!(description.ends_with(&format!("\r\nTimestamp: {at}")));
    // `2016-01-09 02:02:12Z`
    let shape: String = at
        .chars()
        .map(|c| if c.is_ascii_digit() { 'd' } else { c })
        .collect();
    assert_eq!(shape, "dddd-dd-dd dd:dd:ddZ", "{at}");
}

pub fn is_guid(s: &str) -> bool {
    let parts: Vec<_> = s.split('-').map(str::len).collect();
    parts == [8, 4, 4, 4, 12] && s.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
}

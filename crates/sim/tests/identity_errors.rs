//! The sandbox's identity platform refuses as Entra does: the parameters
//! Entra requires, the `error` values and AADSTS codes of its token and
//! device code endpoints, and authorize errors sent back only to a
//! registered redirect, with an error page for anything else.

mod oidc;

use oidc::*;

const CODE_GRANT: &str = "authorization_code";

#[test]
fn token_requests_without_client_id_are_refused_with_aadsts900144() {
    let s = sandbox();
    let (code, verifier) = code(&s, SCOPES, "");
    let (status, body) = token(
        &s,
        &[
            ("grant_type", CODE_GRANT),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
            ("scope", SCOPES),
        ],
    );
    assert_eq!(status, 400);
    assert_aad(
        &body,
        "invalid_request",
        900144,
        "The request body must contain the following parameter: 'client_id'.",
    );
    let (_, body) = token(&s, &[("client_id", CLIENT)]);
    assert_aad(
        &body,
        "invalid_request",
        900144,
        "The request body must contain the following parameter: 'grant_type'.",
    );
}

#[test]
fn code_and_refresh_grants_need_a_scope() {
    let s = sandbox();
    let (code, verifier) = code(&s, SCOPES, "");
    let (status, body) = token(
        &s,
        &[
            ("client_id", CLIENT),
            ("grant_type", CODE_GRANT),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
        ],
    );
    assert_eq!(status, 400);
    assert_aad(
        &body,
        "invalid_request",
        900144,
        "The request body must contain the following parameter: 'scope'.",
    );

    let rt = sign_in(&s, SCOPES, "", false)["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, body) = token(
        &s,
        &[
            ("client_id", CLIENT),
            ("grant_type", "refresh_token"),
            ("refresh_token", &rt),
        ],
    );
    assert_eq!(status, 400);
    assert_aad(
        &body,
        "invalid_request",
        900144,
        "The request body must contain the following parameter: 'scope'.",
    );
}

#[test]
fn the_device_code_endpoint_needs_client_id_and_scope() {
    let s = sandbox();
    for (form, name) in [
        (vec![("scope", SCOPES)], "client_id"),
        (vec![("client_id", CLIENT)], "scope"),
    ] {
        let (status, body) = post(&s, "devicecode", &form);
        assert_eq!(status, 400);
        let m = format!("The request body must contain the following parameter: '{name}'.");
        assert_aad(&body, "invalid_request", 900144, &m);
    }
}

#[test]
fn an_unknown_grant_type_is_unsupported() {
    let s = sandbox();
    let (status, body) = token(&s, &[("client_id", CLIENT), ("grant_type", "password")]);
    assert_eq!(status, 400);
    assert_aad(
        &body,
        "unsupported_grant_type",
        70003,
        "The app requested an unsupported grant type 'password'.",
    );
}

fn redeem(
    s: &oathdesk_sim::graph::Sandbox,
    client: &str,
    code: &str,
    redirect: &str,
    verifier: &str,
) -> (u16, serde_json::Value) {
    token(
        s,
        &[
            ("client_id", client),
            ("grant_type", CODE_GRANT),
            ("code", code),
            ("redirect_uri", redirect),
            ("code_verifier", verifier),
            ("scope", SCOPES),
        ],
    )
}

#[test]
fn a_bad_code_a_used_code_and_a_wrong_verifier_are_invalid_grants() {
    let s = sandbox();
    let (status, body) = redeem(&s, CLIENT, "not-a-code", REDIRECT, "v");
    assert_eq!(status, 400);
    assert_aad(
        &body,
        "invalid_grant",
        70000,
        "The provided value for the 'code' parameter is not valid.",
    );

    let (code, verifier) = code(&s, SCOPES, "");
    let (status, _) = redeem(&s, CLIENT, &code, REDIRECT, &verifier);
    assert_eq!(status, 200);
    let (_, body) = redeem(&s, CLIENT, &code, REDIRECT, &verifier);
    assert_aad(
        &body,
        "invalid_grant",
        54005,
        "OAuth2 Authorization code was already redeemed",
    );

    let (code, _) = oidc::code(&s, SCOPES, "");
    let (_, body) = redeem(
        &s,
        CLIENT,
        &code,
        REDIRECT,
        "the-wrong-verifier-of-more-than-43-characters-long",
    );
    assert_aad(
        &body,
        "invalid_grant",
        501481,
        "The Code_Verifier does not match the code_challenge",
    );
}

#[test]
fn a_code_is_redeemed_only_from_its_redirect_by_its_client() {
    let s = sandbox();
    let (code, verifier) = oidc::code(&s, SCOPES, "");
    let (_, body) = redeem(&s, CLIENT, &code, "http://localhost:9999/", &verifier);
    assert_aad(
        &body,
        "invalid_grant",
        500112,
        "The reply address 'http://localhost:9999/' does not match",
    );

    let (code, verifier) = oidc::code(&s, SCOPES, "");
    let (_, body) = redeem(&s, "another-app", &code, REDIRECT, &verifier);
    assert_eq!(body["error"], "invalid_grant", "{body}");
}

#[test]
fn an_unknown_refresh_token_is_an_invalid_grant_that_does_not_quote_it() {
    let s = sandbox();
    let (status, body) = token(
        &s,
        &[
            ("client_id", CLIENT),
            ("grant_type", "refresh_token"),
            ("refresh_token", "forged-refresh-token"),
            ("scope", SCOPES),
        ],
    );
    assert_eq!(status, 400);
    assert_aad(&body, "invalid_grant", 9002313, "Invalid request.");
    assert!(!body.to_string().contains("forged-refresh-token"));
}

#[test]
fn an_unknown_device_code_is_a_bad_verification_code() {
    let s = sandbox();
    let (status, body) = token(
        &s,
        &[
            ("client_id", CLIENT),
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("device_code", "not-issued"),
        ],
    );
    assert_eq!(status, 400);
    assert_eq!(body["error"], "bad_verification_code", "{body}");
}

/// A valid authorize request, with `change` applied (a value of "" drops
/// the parameter).
fn authorize_with(
    s: &oathdesk_sim::graph::Sandbox,
    change: &[(&str, &str)],
) -> reqwest::blocking::Response {
    let (_, challenge) = pkce();
    let mut params = vec![
        ("client_id", CLIENT),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("scope", SCOPES),
        ("state", "st-9"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    for (k, v) in change {
        params.retain(|(n, _)| n != k);
        params.push((k, v));
    }
    authorize(s, &params)
}

#[test]
fn authorize_errors_go_back_to_the_registered_redirect_with_the_state() {
    let s = sandbox();
    for (change, error, code) in [
        (("scope", ""), "invalid_request", "AADSTS900144: "),
        (
            ("response_type", "token"),
            "unsupported_response_type",
            "AADSTS70005: ",
        ),
        (("code_challenge", ""), "invalid_request", "AADSTS900144: "),
    ] {
        let resp = authorize_with(&s, &[change]);
        assert_eq!(resp.status().as_u16(), 302, "{change:?}");
        let location = resp.headers()["location"].to_str().unwrap();
        assert!(location.starts_with(REDIRECT), "{location}");
        assert_eq!(location_param(&resp, "error").as_deref(), Some(error));
        let description = location_param(&resp, "error_description").unwrap();
        assert!(description.starts_with(code), "{description}");
        assert_eq!(location_param(&resp, "state").as_deref(), Some("st-9"));
        assert!(location_param(&resp, "code").is_none());
    }
}

#[test]
fn an_unregistered_or_missing_redirect_is_an_error_page_not_a_redirect() {
    let s = sandbox();
    for (change, code) in [
        (
            ("redirect_uri", "https://elsewhere.example/cb"),
            "AADSTS50011",
        ),
        (
            ("redirect_uri", "http://localhost:8400@elsewhere.example/"),
            "AADSTS50011",
        ),
        (
            ("redirect_uri", "http://localhost.elsewhere.example:8400/"),
            "AADSTS50011",
        ),
        (("redirect_uri", ""), "AADSTS900971"),
        (("client_id", ""), "AADSTS900144"),
    ] {
        // Errors that would otherwise redirect (no scope) too.
        let resp = authorize_with(&s, &[change, ("scope", "")]);
        assert_eq!(resp.status().as_u16(), 400, "{change:?}");
        assert!(resp.headers().get("location").is_none(), "{change:?}");
        let page = resp.text().unwrap();
        assert!(page.contains(code), "{change:?}: {page}");
        assert!(!page.contains("<script"), "{page}");
    }
}

//! The sandbox's identity platform gives a standard public client what
//! Entra's does: discovery with its own URLs, id_tokens signed with a
//! published key, `client_info`, and refresh tokens that survive rotation
//! unless the fault switch revokes them.

mod oidc;

use oathdesk_sim::graph::CONTROL_HEADER;
use oidc::*;
use serde_json::json;

#[test]
fn discovery_names_the_sandboxs_own_endpoints_and_they_answer() {
    let s = sandbox();
    let (base, tid) = (s.base_url(), tenant_id(&s));
    assert!(is_guid(&tid), "{tid}");
    let c = get_json(&format!(
        "{base}/contoso/v2.0/.well-known/openid-configuration"
    ));
    assert_eq!(c["issuer"], format!("{base}/{tid}/v2.0"));
    let authority = format!("{base}/{tid}");
    for (k, path) in [
        ("authorization_endpoint", "/oauth2/v2.0/authorize"),
        ("token_endpoint", "/oauth2/v2.0/token"),
        ("device_authorization_endpoint", "/oauth2/v2.0/devicecode"),
        ("end_session_endpoint", "/oauth2/v2.0/logout"),
        ("jwks_uri", "/discovery/v2.0/keys"),
    ] {
        assert_eq!(c[k], format!("{authority}{path}"), "{k}");
    }
    assert!(
        c["response_types_supported"]
            .as_array()
            .unwrap()
            .contains(&json!("code"))
    );
    for scope in ["openid", "profile", "offline_access"] {
        assert!(
            c["scopes_supported"]
                .as_array()
                .unwrap()
                .contains(&json!(scope))
        );
    }
    assert_eq!(c["id_token_signing_alg_values_supported"], json!(["RS256"]));
    let keys = get_json(c["jwks_uri"].as_str().unwrap());
    let key = &keys["keys"][0];
    assert_eq!((&key["kty"], &key["use"]), (&json!("RSA"), &json!("sig")));
    assert!(key["kid"].as_str().is_some_and(|k| !k.is_empty()));

    // The endpoints it names are the ones that work: the devicecode one
    // under the tenant id rather than the name the client used.
    let resp = http()
        .post(c["device_authorization_endpoint"].as_str().unwrap())
        .form(&[("client_id", CLIENT), ("scope", SCOPES)])
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let logout = http()
        .get(c["end_session_endpoint"].as_str().unwrap())
        .send()
        .unwrap();
    assert_eq!(logout.status().as_u16(), 200);
}

#[test]
fn an_alias_tenant_keeps_entras_placeholder_in_the_issuer() {
    let s = sandbox();
    let base = s.base_url();
    let c = get_json(&format!(
        "{base}/organizations/v2.0/.well-known/openid-configuration"
    ));
    assert_eq!(c["issuer"], format!("{base}/{{tenantid}}/v2.0"));
    assert_eq!(
        c["token_endpoint"],
        format!("{base}/organizations/oauth2/v2.0/token")
    );
}

#[test]
fn openid_brings_an_id_token_signed_with_the_published_key() {
    let s = sandbox();
    let body = sign_in(&s, SCOPES, "n-0S6_WzA2Mj", false);
    let claims = verify(&s, body["id_token"].as_str().expect("an id_token"));
    let tid = tenant_id(&s);
    assert_eq!(claims["aud"], CLIENT);
    assert_eq!(claims["iss"], format!("{}/{tid}/v2.0", s.base_url()));
    assert_eq!(claims["tid"], tid);
    assert_eq!(claims["oid"], OPERATOR_ID);
    assert_eq!(claims["preferred_username"], "helpdesk@contoso.com");
    assert_eq!(claims["name"], "helpdesk");
    assert_eq!(claims["ver"], "2.0");
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
    assert!(
        claims["sub"]
            .as_str()
            .is_some_and(|s| !s.is_empty() && s != OPERATOR_ID)
    );
    let (iat, nbf, exp) = (
        claims["iat"].as_u64().unwrap(),
        claims["nbf"].as_u64().unwrap(),
        claims["exp"].as_u64().unwrap(),
    );
    assert!(nbf <= iat && exp > iat, "{claims}");
    assert!(body.get("client_info").is_none(), "only when client_info=1");
    assert_eq!(body["scope"], "User.Read.All openid profile");
}

#[test]
fn client_info_names_the_account_as_msal_keys_it() {
    let s = sandbox();
    let body = sign_in(&s, SCOPES, "", true);
    let info = b64url_json(body["client_info"].as_str().expect("client_info"));
    assert_eq!(info, json!({"uid": OPERATOR_ID, "utid": tenant_id(&s)}));
    let claims = verify(&s, body["id_token"].as_str().unwrap());
    assert!(claims.get("nonce").is_none(), "no nonce was asked for");
}

#[test]
fn only_the_scopes_asked_bring_id_token_claims_and_a_refresh_token() {
    let s = sandbox();
    let graph_only = "https://graph.microsoft.com/User.Read.All";
    let body = sign_in(&s, graph_only, "", false);
    assert!(body.get("id_token").is_none(), "{body}");
    assert!(body.get("refresh_token").is_none(), "no offline_access");
    assert_eq!(body["scope"], "User.Read.All");

    // `openid` without `profile`: no oid, name or preferred_username.
    let body = sign_in(&s, &format!("openid {graph_only}"), "", false);
    let claims = verify(&s, body["id_token"].as_str().unwrap());
    for claim in ["oid", "name", "preferred_username"] {
        assert!(claims.get(claim).is_none(), "{claim} in {claims}");
    }
    assert_eq!(claims["tid"], tenant_id(&s));
}

fn refresh(s: &oathdesk_sim::graph::Sandbox, token: &str) -> (u16, serde_json::Value) {
    oidc::token(
        s,
        &[
            ("client_id", CLIENT),
            ("grant_type", "refresh_token"),
            ("refresh_token", token),
            ("scope", SCOPES),
            ("client_info", "1"),
        ],
    )
}

#[test]
fn a_refresh_rotates_the_token_and_the_previous_one_keeps_working() {
    let s = sandbox();
    let first = sign_in(&s, SCOPES, "nonce-1", true);
    let first_rt = first["refresh_token"].as_str().unwrap();
    let (status, second) = refresh(&s, first_rt);
    assert_eq!(status, 200, "{second}");
    let second_rt = second["refresh_token"].as_str().unwrap();
    assert_ne!(second_rt, first_rt, "rotated");
    let claims = verify(
        &s,
        second["id_token"].as_str().expect("an id_token on refresh"),
    );
    assert_eq!(claims["oid"], OPERATOR_ID);
    assert!(
        claims.get("nonce").is_none(),
        "a nonce only answers an authorize request"
    );
    assert_eq!(second["client_info"], first["client_info"]);

    // As on Entra for a public client: the old one was not revoked.
    let (status, again) = refresh(&s, first_rt);
    assert_eq!(status, 200, "{again}");
    let me = http()
        .get(format!("{}/v1.0/me", s.base_url()))
        .bearer_auth(again["access_token"].as_str().unwrap())
        .send()
        .unwrap();
    assert_eq!(me.status().as_u16(), 200);
}

#[test]
fn the_fault_switch_revokes_a_refresh_token_once_used() {
    let s = sandbox();
    let resp = http()
        .post(format!("{}/_sandbox/faults", s.base_url()))
        .header(CONTROL_HEADER, s.control_secret())
        .json(&json!({"revoke_used_refresh_tokens": true}))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 204);
    let first = sign_in(&s, SCOPES, "", false);
    let first_rt = first["refresh_token"].as_str().unwrap();
    let (status, second) = refresh(&s, first_rt);
    assert_eq!(status, 200, "{second}");
    let (status, replay) = refresh(&s, first_rt);
    assert_eq!(status, 400);
    assert_aad(
        &replay,
        "invalid_grant",
        70008,
        "The provided authorization code or refresh token",
    );
    assert!(
        !replay.to_string().contains(first_rt),
        "the token is not quoted"
    );
    let (status, _) = refresh(&s, second["refresh_token"].as_str().unwrap());
    assert_eq!(status, 200, "the rotated one works");
}

#[test]
fn the_device_code_flow_brings_an_id_token_and_client_info() {
    let s = sandbox();
    let (status, dc) = post(
        &s,
        "devicecode",
        &[("client_id", CLIENT), ("scope", SCOPES)],
    );
    assert_eq!(status, 200, "{dc}");
    let device_code = dc["device_code"].as_str().unwrap();
    let poll = [
        ("client_id", CLIENT),
        ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
        ("device_code", device_code),
        ("client_info", "1"),
    ];
    let (status, pending) = token(&s, &poll);
    assert_eq!(status, 400);
    assert_aad(
        &pending,
        "authorization_pending",
        70016,
        "OAuth 2.0 device flow error.",
    );
    let approve = format!(
        "{}/_sandbox/approve/{}",
        s.base_url(),
        dc["user_code"].as_str().unwrap()
    );
    let resp = http()
        .post(approve)
        .header(CONTROL_HEADER, s.control_secret())
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 204);
    let (status, body) = token(&s, &poll);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        verify(&s, body["id_token"].as_str().unwrap())["oid"],
        OPERATOR_ID
    );
    assert_eq!(
        b64url_json(body["client_info"].as_str().unwrap())["uid"],
        OPERATOR_ID
    );
    assert!(body["refresh_token"].is_string());
}

#[test]
fn me_without_a_valid_token_answers_graphs_401() {
    let s = sandbox();
    let resp = http()
        .get(format!("{}/v1.0/me", s.base_url()))
        .bearer_auth("not-a-token")
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    let request_id = resp.headers()["request-id"].to_str().unwrap().to_string();
    let body: serde_json::Value = resp.json().unwrap();
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    assert_eq!(
        body["error"]["innerError"]["request-id"],
        request_id.as_str()
    );
}

#[test]
fn over_tls_the_platform_hands_out_https_urls_under_the_runs_ca() {
    let seed = oathdesk_sim::graph::TenantSeed::default();
    let s = oathdesk_sim::graph::Sandbox::start_tls(seed, 0).unwrap();
    let base = s.base_url();
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    let ca = reqwest::Certificate::from_pem(s.ca_pem().unwrap().as_bytes()).unwrap();
    let trusting = reqwest::blocking::Client::builder()
        .add_root_certificate(ca)
        .build()
        .unwrap();
    let url = format!("{base}/contoso/v2.0/.well-known/openid-configuration");
    let c: serde_json::Value = trusting.get(&url).send().unwrap().json().unwrap();
    assert_eq!(c["issuer"], format!("{base}/{}/v2.0", tenant_id(&s)));
    assert!(c["token_endpoint"].as_str().unwrap().starts_with(&base));
    // A client that does not trust the run's CA cannot connect.
    assert!(http().get(&url).send().is_err());
}

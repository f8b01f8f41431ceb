//! `oathdesk-sim graph --revoke-used-refresh-tokens` turns the fault on for
//! the whole run: a refresh token stops working once redeemed.

// Stops the real binary with kill(1) -TERM, a unix signal.
#![cfg(unix)]

mod common;

use common::Sim;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const CLIENT: &str = "0c1a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8";
const REDIRECT: &str = "http://127.0.0.1:8400/";
const SCOPES: &str = "openid offline_access https://graph.microsoft.com/User.Read.All";

fn refresh(http: &reqwest::blocking::Client, token_url: &str, rt: &str) -> (u16, Value) {
    let form = [
        ("client_id", CLIENT),
        ("grant_type", "refresh_token"),
        ("refresh_token", rt),
        ("scope", SCOPES),
    ];
    let resp = http.post(token_url).form(&form).send().unwrap();
    (resp.status().as_u16(), resp.json().unwrap())
}

#[test]
fn the_flag_revokes_each_refresh_token_once_used() {
    let seed = std::env::temp_dir().join(format!("identity-cli-seed-{}.json", std::process::id()));
    let users = json!({"users": [{"id": "u-op", "userPrincipalName": "helpdesk@contoso.com",
        "displayName": "Helpdesk"}], "operator": "helpdesk@contoso.com"});
    std::fs::write(&seed, users.to_string()).unwrap();
    let mut sim = Sim::start(&[
        "graph",
        "--tenant",
        seed.to_str().unwrap(),
        "--revoke-used-refresh-tokens",
    ]);
    let base = sim.line().strip_prefix("listening ").unwrap().to_string();
    let http = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let verifier = "a-verifier-of-at-least-43-characters-for-the-pkce-rfc";
    let challenge = data_encoding::BASE64URL_NOPAD.encode(&Sha256::digest(verifier.as_bytes()));
    let resp = http
        .get(format!("{base}/contoso/oauth2/v2.0/authorize"))
        .query(&[
            ("client_id", CLIENT),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("scope", SCOPES),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .unwrap();
    let location = url::Url::parse(resp.headers()["location"].to_str().unwrap()).unwrap();
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let token_url = format!("{base}/contoso/oauth2/v2.0/token");
    let form = [
        ("client_id", CLIENT),
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", verifier),
        ("scope", SCOPES),
    ];
    let first: Value = http
        .post(&token_url)
        .form(&form)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let first_rt = first["refresh_token"].as_str().unwrap();
    let (status, second) = refresh(&http, &token_url, first_rt);
    assert_eq!(status, 200, "{second}");
    let (status, replay) = refresh(&http, &token_url, first_rt);
    assert_eq!(
        (status, &replay["error"]),
        (400, &json!("invalid_grant")),
        "{replay}"
    );
    assert_eq!(replay["error_codes"], json!([70008]));
    sim.signal("TERM");
    assert_eq!(sim.wait().code(), Some(0));
    let _ = std::fs::remove_file(seed);
}

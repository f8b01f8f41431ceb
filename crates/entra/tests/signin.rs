//! Operator sign-in end to end against the sandbox's identity endpoints:
//! PKCE with the test playing the browser, refresh with rotation, device
//! code, and the refresh token kept in the real OS keyring (run inside
//! tests/harness/keyring-session.sh; make test does).

use oathdesk_entra::signin::{
    Authority, BrowserOpener, KeyringTokenStore, MemoryTokenStore, RefreshingToken, SignInCancel,
    TokenStore, login_device_code, login_pkce, sign_out,
};
use oathdesk_entra::{DeviceFilter, EntraError, ErrorKind, GraphClient, StaticToken, TokenSource};
use oathdesk_sim::graph::{Sandbox, SeedUser, TenantSeed};

fn sandbox() -> Sandbox {
    let mut seed = TenantSeed::with_operator(
        "unused",
        vec![
            SeedUser::member("u-op", "helpdesk@contoso.com").with_roles(&[
                "Authentication Policy Administrator",
                "Authentication Administrator",
            ]),
        ],
    );
    seed.operator = Some("helpdesk@contoso.com".into());
    Sandbox::start(seed, 0).unwrap()
}

fn authority(s: &Sandbox) -> Authority {
    Authority {
        authority: s.base_url(),
        tenant: "contoso".into(),
        client_id: "oathdesk-test".into(),
    }
}

/// Plays the browser: follows the authorize redirect to the app's loopback
/// listener, on its own thread (the app is waiting to accept it).
struct PlayBrowser {
    tamper_state: bool,
}

impl BrowserOpener for PlayBrowser {
    fn open(&self, url: &str) -> Result<(), EntraError> {
        let (url, tamper) = (url.to_string(), self.tamper_state);
        std::thread::spawn(move || {
            let http = reqwest::blocking::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let resp = http.get(&url).send().unwrap();
            assert_eq!(resp.status().as_u16(), 302, "authorize redirects");
            let mut location = resp.headers()["location"].to_str().unwrap().to_string();
            if tamper {
                location = location.replace("state=", "state=x");
            }
            http.get(location).send().unwrap();
        });
        Ok(())
    }
}

fn graph(s: &Sandbox, token: impl TokenSource + 'static) -> GraphClient {
    GraphClient::builder()
        .graph_base(&s.base_url())
        .token_source(token)
        .build()
        .unwrap()
}

#[test]
fn pkce_sign_in_then_refresh_rotates_the_token() {
    let s = sandbox();
    // Entra keeps the previous refresh token working; revoking it on use
    // proves the client keeps the rotated one.
    s.tenant().faults.revoke_used_refresh_tokens = true;
    let store = MemoryTokenStore::default();
    let access = login_pkce(
        &authority(&s),
        &PlayBrowser {
            tamper_state: false,
        },
        &store,
        &SignInCancel::default(),
    )
    .unwrap();
    let me = graph(&s, StaticToken(access.to_string())).me().unwrap();
    assert_eq!(me.user_principal_name, "helpdesk@contoso.com");
    let first_refresh = store.load().unwrap().unwrap();

    let refreshing = RefreshingToken::new(authority(&s), store);
    let c = graph(&s, refreshing);
    c.list_devices(&DeviceFilter::default()).unwrap();
    assert_eq!(c.me().unwrap().user_principal_name, "helpdesk@contoso.com");

    // The old refresh token was used up by the rotation.
    let replay = MemoryTokenStore::default();
    replay.save(&first_refresh).unwrap();
    let err = RefreshingToken::new(authority(&s), replay)
        .access_token()
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::SignInNeeded);
}

#[test]
fn a_redirect_for_another_sign_in_is_refused() {
    let s = sandbox();
    let err = login_pkce(
        &authority(&s),
        &PlayBrowser { tamper_state: true },
        &MemoryTokenStore::default(),
        &SignInCancel::default(),
    )
    .unwrap_err();
    assert!(err.message.contains("state"), "{err}");
}

#[test]
fn device_code_sign_in() {
    let s = sandbox();
    let base = s.base_url();
    let control = s.control_secret();
    let store = MemoryTokenStore::default();
    let access = login_device_code(&authority(&s), &store, &mut |user_code, uri| {
        assert!(uri.starts_with("https://"));
        let approve = format!("{base}/_sandbox/approve/{user_code}");
        reqwest::blocking::Client::new()
            .post(approve)
            .header(oathdesk_sim::graph::CONTROL_HEADER, &control)
            .send()
            .unwrap();
    })
    .unwrap();
    assert_eq!(
        graph(&s, StaticToken(access.to_string()))
            .me()
            .unwrap()
            .user_principal_name,
        "helpdesk@contoso.com"
    );
    assert!(store.load().unwrap().is_some());
}

#[test]
fn the_refresh_token_lives_in_the_os_keyring_until_sign_out() {
    let s = sandbox();
    let a = Authority {
        client_id: format!("keyring-test-{}", std::process::id()),
        ..authority(&s)
    };
    let store = KeyringTokenStore::new(&a);
    login_pkce(
        &a,
        &PlayBrowser {
            tamper_state: false,
        },
        &store,
        &SignInCancel::default(),
    )
    .unwrap();
    let kept = store.load().unwrap().expect("stored in the keyring");
    let c = graph(
        &s,
        RefreshingToken::new(a.clone(), KeyringTokenStore::new(&a)),
    );
    c.me().unwrap();
    assert_ne!(
        store.load().unwrap().unwrap().as_str(),
        kept.as_str(),
        "rotated on refresh"
    );
    sign_out(&store).unwrap();
    assert!(store.load().unwrap().is_none());
}

#[test]
fn an_operator_without_the_role_is_told_which_role_to_ask_for() {
    let mut seed = TenantSeed::with_operator(
        "unused",
        vec![SeedUser::member("u-op", "newbie@contoso.com")],
    );
    seed.operator = Some("newbie@contoso.com".into());
    let s = Sandbox::start(seed, 0).unwrap();
    let access = login_pkce(
        &authority(&s),
        &PlayBrowser {
            tamper_state: false,
        },
        &MemoryTokenStore::default(),
        &SignInCancel::default(),
    )
    .unwrap();
    let c = graph(&s, StaticToken(access.to_string()));
    let e = c.list_devices(&DeviceFilter::default()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::MissingPermission);
    assert!(
        e.next_step()
            .contains("Authentication Policy Administrator"),
        "{}",
        e.next_step()
    );
    let e = c.assign("newbie@contoso.com", "x").unwrap_err();
    assert!(
        e.next_step().contains("Authentication Administrator"),
        "{}",
        e.next_step()
    );
}

#[test]
fn managing_an_administrators_token_needs_the_privileged_role() {
    let users = vec![
        SeedUser::member("u-op", "helpdesk@contoso.com").with_roles(&[
            "Authentication Policy Administrator",
            "Authentication Administrator",
        ]),
        SeedUser::member("u-admin", "boss@contoso.com").with_roles(&["User Administrator"]),
        SeedUser::member("u-carol", "carol@contoso.com"),
    ];
    let mut seed = TenantSeed::with_operator("unused", users);
    seed.operator = Some("helpdesk@contoso.com".into());
    let s = Sandbox::start(seed, 0).unwrap();
    let access = login_pkce(
        &authority(&s),
        &PlayBrowser {
            tamper_state: false,
        },
        &MemoryTokenStore::default(),
        &SignInCancel::default(),
    )
    .unwrap();
    let c = graph(&s, StaticToken(access.to_string()));
    let secret = oathdesk_otp::generate_secret(oathdesk_otp::Algorithm::Sha1);
    let new = oathdesk_entra::NewHardwareOathDevice {
        serial_number: "ADM1",
        manufacturer: "Token2",
        model: "C302-i",
        secret: &secret,
        params: oathdesk_otp::CodeParams::default(),
        display_name: None,
        assign_to: None,
    };
    let d = c.create_device(&new).unwrap().value;
    let e = c.assign("boss@contoso.com", &d.id).unwrap_err();
    assert_eq!(e.kind, ErrorKind::MissingPermission);
    assert!(
        e.next_step()
            .contains("Privileged Authentication Administrator"),
        "{}",
        e.next_step()
    );
    c.assign("carol@contoso.com", &d.id).unwrap();
}

/// Tells the test the sign-in URL once the app opened it, and does nothing
/// else: the operator walked away from the browser.
struct WalkAway(std::sync::mpsc::Sender<String>);

impl BrowserOpener for WalkAway {
    fn open(&self, url: &str) -> Result<(), EntraError> {
        self.0.send(url.to_string()).unwrap();
        Ok(())
    }
}

/// The loopback port a sign-in URL redirects to.
fn redirect_port(sign_in_url: &str) -> u16 {
    let url = url::Url::parse(sign_in_url).unwrap();
    let redirect = url
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .unwrap()
        .1
        .into_owned();
    let redirect = url::Url::parse(&redirect).unwrap();
    assert_eq!(
        redirect.host_str(),
        Some("127.0.0.1"),
        "the redirect names the address the listener is bound to"
    );
    redirect.port().unwrap()
}

#[test]
fn cancelling_a_sign_in_that_waits_for_the_browser_ends_it() {
    let s = sandbox();
    let a = authority(&s);
    let cancel = SignInCancel::default();
    let (opened, url) = std::sync::mpsc::channel();
    let waiting = {
        let cancel = cancel.clone();
        std::thread::spawn(move || {
            login_pkce(&a, &WalkAway(opened), &MemoryTokenStore::default(), &cancel)
        })
    };
    let port = redirect_port(&url.recv().unwrap());
    cancel.cancel();
    let err = waiting.join().unwrap().unwrap_err();
    assert_eq!(err.kind, ErrorKind::Cancelled, "{err}");
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "the loopback listener is closed"
    );
}

#[test]
fn a_sign_in_cancelled_before_it_starts_opens_no_browser() {
    let s = sandbox();
    let cancel = SignInCancel::default();
    cancel.cancel();
    let (opened, url) = std::sync::mpsc::channel();
    let err = login_pkce(
        &authority(&s),
        &WalkAway(opened),
        &MemoryTokenStore::default(),
        &cancel,
    )
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Cancelled);
    assert!(url.try_recv().is_err(), "no browser was opened");
}

/// A browser that first makes an empty connection and asks for a favicon,
/// then follows the sign-in redirect.
struct NoisyBrowser(std::sync::mpsc::Sender<u16>);

impl BrowserOpener for NoisyBrowser {
    fn open(&self, url: &str) -> Result<(), EntraError> {
        let (url, favicon_status) = (url.to_string(), self.0.clone());
        std::thread::spawn(move || {
            let port = redirect_port(&url);
            drop(std::net::TcpStream::connect(("127.0.0.1", port)).unwrap());
            let http = reqwest::blocking::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let favicon = http
                .get(format!("http://localhost:{port}/favicon.ico"))
                .send()
                .unwrap();
            favicon_status.send(favicon.status().as_u16()).unwrap();
            let location = http.get(&url).send().unwrap().headers()["location"]
                .to_str()
                .unwrap()
                .to_string();
            http.get(location).send().unwrap();
        });
        Ok(())
    }
}

#[test]
fn other_requests_to_the_loopback_listener_do_not_end_the_sign_in() {
    let s = sandbox();
    let (status, favicon) = std::sync::mpsc::channel();
    let access = login_pkce(
        &authority(&s),
        &NoisyBrowser(status),
        &MemoryTokenStore::default(),
        &SignInCancel::default(),
    )
    .unwrap();
    assert_eq!(favicon.recv().unwrap(), 404);
    let me = graph(&s, StaticToken(access.to_string())).me().unwrap();
    assert_eq!(me.user_principal_name, "helpdesk@contoso.com");
}

/// An http authority that is not this machine is refused before anything
/// is sent: the operator's credentials only go over https.
#[test]
fn a_plain_http_authority_is_refused_before_anything_is_sent() {
    let a = Authority {
        authority: "http://login.example.invalid".into(),
        tenant: "contoso".into(),
        client_id: "oathdesk-test".into(),
    };
    let store = MemoryTokenStore::default();
    let mut shown = false;
    let e = login_device_code(&a, &store, &mut |_, _| shown = true).unwrap_err();
    assert!(e.message.contains("must be reached over https"), "{e}");
    assert!(!shown);
}

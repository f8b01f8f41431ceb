//! The desk window end to end, as an operator uses it: the real app in a
//! real window (Xvfb), driven through tauri-driver and WebKitWebDriver;
//! tokens are the test's own virtual tokens behind the private pcscd
//! (tests/harness/pcsc-ns.sh), Entra is the Graph sandbox on loopback, and
//! records are in SQLite keyed from the real OS keyring
//! (tests/harness/keyring-session.sh). `make test` runs it.
//!
//! Each test checks what the window says against the truth: the code the
//! virtual token now displays, and the sandbox's inventory.

// Linux only: WebKitGTK's WebKitWebDriver, Xvfb and the namespaced pcscd.
#![cfg(target_os = "linux")]

mod common;

use std::process::{Command, Stdio};

use tokio::sync::Mutex;

use common::{
    Window, children_named, mapped_libraries, processes_on, seed_sha256, write_qr, write_qr_as,
};
use fantoccini::Locator;
use oathdesk_entra::signin::{Authority, KeyringTokenStore, TokenStore};
use oathdesk_otp::{Algorithm, CodeParams, generate_secret, totp};
use oathdesk_sim::graph::{Device, Sandbox, SeedUser, TenantSeed};
use oathdesk_sim::token::pinplus::Hash as PinPlusHash;
use oathdesk_sim::token::{
    Molto2Card, PinPlusCard, Token2Card, Token2Model, TokenClock, YkOathCard,
};
use oathdesk_testkit::leaks::{assert_nowhere, files_in};
use oathdesk_testkit::screen::{Picture, Reaped};
use oathdesk_testkit::{Insert, Inserted, VirtualReader};

/// One window at a time: every app sees every reader of the shared pcscd.
static ONE_WINDOW: Mutex<()> = Mutex::const_new(());

fn host_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

fn token(reader: &VirtualReader, model: &str, suffix: &str, offset: i64) -> Inserted<Token2Card> {
    reader.insert(Token2Card::new(
        Token2Model::by_name(model).unwrap(),
        suffix,
        TokenClock::offset(offset, 0.0),
    ))
}

/// The app against the sandbox, as a scripted operator, with its own data dir.
struct RealDesk {
    sandbox: Sandbox,
    data: tempfile::TempDir,
    window: Window,
}

/// The sandbox tenant of these tests: two users, and the operator's token
/// "op" with every scope OathDesk uses.
fn contoso() -> TenantSeed {
    TenantSeed::with_operator(
        "op",
        vec![
            SeedUser::member("u-alice", "alice@contoso.com"),
            SeedUser::member("u-alan", "alan@contoso.com"),
        ],
    )
}

async fn real_desk(seed: TenantSeed) -> RealDesk {
    let sandbox = Sandbox::start(seed, 0).unwrap();
    let data = tempfile::tempdir().unwrap();
    let env = [
        ("OATHDESK_GRAPH_URL", sandbox.base_url()),
        ("OATHDESK_ACCESS_TOKEN", "op".to_string()),
        ("OATHDESK_DATA_DIR", data.path().display().to_string()),
    ];
    let window = Window::open(&[], &env).await;
    window.wait("[data-testid=desk][data-ready=true]").await;
    // A Graph URL from the environment that is not Microsoft's is never
    // silent: the window wears the DEMO frame and names it.
    let frame = window.wait("[data-testid=not-microsoft]").await;
    let named = frame.text().await.unwrap();
    assert!(named.contains(&sandbox.base_url()), "{named}");
    RealDesk {
        sandbox,
        data,
        window,
    }
}

/// Presses "Capture from screen" until the QR is read: the picture window
/// paints shortly after it is mapped, and no X event says when.
async fn capture_from_screen(w: &Window) {
    for _ in 0..20 {
        w.click("[data-testid=capture-screen]").await;
        let answer = w
            .wait("[data-testid=seed-summary], [data-testid=scan-error]")
            .await;
        if answer.attr("data-testid").await.unwrap().as_deref() == Some("seed-summary") {
            return;
        }
    }
    panic!("the QR code on the screen was never read");
}

/// Starts an enrolment from the Enrol screen: searches `query`, picks the
/// user `upn` and presses Enrol.
async fn start_enrolment(w: &Window, query: &str, upn: &str) {
    w.click("[data-testid=nav-enrol]").await;
    w.type_into("[data-testid=user-search]", query).await;
    w.click(&format!("[data-testid=user-result][data-upn=\"{upn}\"]"))
        .await;
    w.click("[data-testid=enrol-start]").await;
}

/// The sandbox holds `serial` activated, and the token shows the code of
/// the seed Entra has; returns that registration.
fn activated_and_agrees(sandbox: &Sandbox, t: &Inserted<Token2Card>, serial: &str) -> Device {
    let stored = sandbox.tenant().by_serial(serial).unwrap().clone();
    assert_eq!(stored.status, "activated");
    let now = host_now();
    let card = t.card();
    assert_eq!(
        card.display_code_at(now),
        totp(&stored.secret, &stored.params, card.clock.at(now)).ok(),
        "the token and Entra disagree"
    );
    stored
}

/// The step list ended with every step done (none failed).
async fn steps_all_done(w: &Window, last: &str) {
    let status = w
        .wait_attr(
            &format!("[data-testid=step][data-step={last}]"),
            "data-status",
            &["done", "failed"],
        )
        .await;
    assert_eq!(status, "done", "the {last} step failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn burn_from_qr_enrol_and_resync_to_success() {
    let _one = ONE_WINDOW.lock().await;
    let d = real_desk(contoso()).await;
    let w = &d.window;
    w.screenshot("desk-empty").await;

    // A token put on a reader appears on the Desk by itself.
    let reader = VirtualReader::acquire();
    let t = token(&reader, "C302-i", "700001", 40);
    let serial = t.card().serial.clone();
    w.wait(&format!("[data-testid=reader][data-serial=\"{serial}\"]"))
        .await;
    let drift = w.text("[data-testid=token-drift]").await;
    assert!(drift.contains("+4"), "drift shown as {drift:?}");
    w.screenshot("desk").await;

    // Burn from QR: the wrong QR gets the classifier's advice …
    w.click("[data-testid=nav-burn]").await;
    w.type_into("[data-testid=paste-input]", "phonefactor://activate_account?code=123456789&url=https://mobileappcommunicator.auth.microsoft.com/activate/123456789/WEU")
        .await;
    w.click("[data-testid=paste-submit]").await;
    let advice = w.text("[data-testid=scan-error]").await;
    assert!(
        advice.contains("Microsoft Authenticator"),
        "advice: {advice}"
    );

    // … the right one, shown on the screen as Entra would, is captured
    // from it and described, its secret masked until revealed …
    let secret = generate_secret(Algorithm::Sha1);
    let b32 = secret.to_base32();
    let uri = format!(
        "otpauth://totp/Contoso:jane@contoso.com?secret={}&issuer=Microsoft",
        b32.as_str()
    );
    let qr_dir = tempfile::tempdir().unwrap();
    let shown = Picture::show(&w.display, &write_qr(qr_dir.path(), &uri), (700, 60));
    capture_from_screen(w).await;
    drop(shown);
    let origin = w.text("[data-testid=seed-summary]").await;
    assert!(origin.contains("monitor"), "summary: {origin}");
    let masked = w.text("[data-testid=seed-secret]").await;
    assert!(
        !masked.contains(&b32[..8]),
        "the secret showed before reveal"
    );
    w.click("[data-testid=reveal-toggle]").await;
    let shown = w
        .text("[data-testid=seed-secret][data-revealed=true]")
        .await;
    assert_eq!(shown.replace(' ', ""), b32.as_str());
    w.click("[data-testid=reveal-toggle]").await;
    w.wait("[data-testid=seed-secret][data-revealed=false]")
        .await;

    // … and burnt: the window's code is the one the token now displays.
    w.click("[data-testid=burn-start]").await;
    let code = w.text("[data-testid=burn-code]").await;
    let host = host_now();
    let params = CodeParams::default();
    let card_shows: Vec<String> = [host, host - 30.0]
        .iter()
        .map(|h| t.card().display_code_at(*h).unwrap())
        .collect();
    assert!(
        card_shows.contains(&code),
        "window {code}, token {card_shows:?}"
    );
    assert_eq!(card_shows[0], totp(&secret, &params, host as u64).unwrap());
    w.wait("[data-testid=power-cycle-hint]").await;
    w.screenshot("burn").await;
    w.click("[data-testid=burn-done]").await;

    // Enrol: search, pick, run every step, hand over.
    w.click("[data-testid=nav-enrol]").await;
    w.wait("[data-testid=signin-state][data-signed-in=true]")
        .await;
    start_enrolment(w, "ali", "alice@contoso.com").await;
    steps_all_done(w, "verify").await;
    assert_eq!(w.text("[data-testid=handover-serial]").await, serial);
    assert!(
        w.text("[data-testid=handover-user]")
            .await
            .contains("alice@contoso.com")
    );
    w.wait("[data-testid=handover-qr] svg").await;
    w.screenshot("enrol").await;
    let stored = activated_and_agrees(&d.sandbox, &t, &serial);
    drop(t);

    // Resync: a drifted token's drift is shown first, then set right. It
    // was programmed elsewhere (SHA-256, 60 s), so nobody here knows its
    // settings: the window asks for them and the clock write keeps them.
    let held = generate_secret(Algorithm::Sha256);
    let model = Token2Model::by_name("C302-i").unwrap();
    let t = reader.insert(
        Token2Card::new(model, "700002", TokenClock::offset(75, 0.0)).holding(
            &held,
            Algorithm::Sha256,
            60,
        ),
    );
    w.click("[data-testid=nav-resync]").await;
    w.click("[data-testid=resync-read]").await;
    let drift = w.text("[data-testid=resync-drift]").await;
    assert!(drift.contains("+7"), "drift shown as {drift:?}");
    w.screenshot("resync-preview").await;
    w.click("[data-testid=resync-start]").await;
    w.wait("[data-testid=stated-settings]").await;
    let asked = w.text("[data-testid=resync-error]").await;
    assert!(asked.contains("state its algorithm"), "asked: {asked}");
    w.choose("[data-testid=stated-algorithm]", "sha256").await;
    w.choose("[data-testid=stated-period]", "60").await;
    w.choose("[data-testid=stated-timeout]", "30").await;
    w.screenshot("resync-stated-settings").await;
    w.click("[data-testid=resync-start]").await;
    let kept = w
        .text("[data-testid=resync-result][data-kind=clock_set] [data-testid=resync-kept]")
        .await;
    assert_eq!(
        kept,
        "Kept SHA-256, 60 s, display 30 s — as you stated them."
    );
    let off = t.card().clock.now() as f64 - host_now();
    assert!(off.abs() < 3.0, "token clock still {off:+.0} s off");
    let (algorithm, period, _) = t.card().settings();
    assert_eq!((algorithm, period), (Algorithm::Sha256, 60));
    let now = host_now();
    let sha256_60 = CodeParams {
        algorithm: Algorithm::Sha256,
        digits: 6,
        period: 60,
    };
    {
        let card = t.card();
        assert_eq!(
            card.display_code_at(now),
            totp(&held, &sha256_60, card.clock.at(now)).ok(),
            "the token still shows its seed's codes, now on time"
        );
    }
    w.screenshot("resync").await;

    // The other screens, with what this session did on them.
    w.click("[data-testid=nav-inventory]").await;
    w.wait(&format!(
        "[data-testid=inventory-row][data-serial=\"{serial}\"][data-status=activated]"
    ))
    .await;
    w.screenshot("inventory").await;
    w.click("[data-testid=nav-journal]").await;
    w.wait("[data-testid=audit-row]").await;
    w.click("[data-testid=audit-verify]").await;
    let verdict = w.text("[data-testid=audit-result]").await;
    assert!(verdict.contains("intact"), "audit: {verdict}");
    // The audit export says what happened to which token, and no secret.
    w.click("[data-testid=audit-export-csv]").await;
    let export = w.text("[data-testid=audit-export-path]").await;
    let exported = std::fs::read_to_string(&export).unwrap();
    assert!(exported.contains(&serial), "the export names the token");
    w.screenshot("journal").await;
    w.click("[data-testid=nav-settings]").await;
    w.wait("[data-testid=profiles-table]").await;
    w.screenshot("settings").await;
    w.close().await;

    // Neither secret this session handled is anywhere in the app's files
    // (journal, audit log, the export), WebKit's profile and caches or the
    // app's TMPDIR, in any spelling — though one was revealed on screen.
    let left = files_in(&[d.data.path(), w.profile.path()]);
    let webkit = w.profile.path().join("data");
    assert!(
        left.iter()
            .any(|(name, _)| name.starts_with(&*webkit.to_string_lossy())),
        "the scan reads WebKit's profile: {:?}",
        left.iter().map(|(n, _)| n).collect::<Vec<_>>()
    );
    for s in [&secret, &stored.secret] {
        assert_nowhere(s, &left);
    }
}

/// The app's training desk (`--demo`), with a data dir of its own (kept
/// alive by the returned guard), its tokens on the private pcscd.
async fn training_desk() -> (Window, tempfile::TempDir) {
    let data = tempfile::tempdir().unwrap();
    let env = [("OATHDESK_DATA_DIR", data.path().display().to_string())];
    (Window::open(&["--demo"], &env).await, data)
}

/// The training desk with its tokens connected in-process, as on a machine
/// without pcscd: for tests that need no PC/SC path, since every training
/// desk on the private pcscd retires the readers it used (one per token).
async fn training_desk_in_process() -> (Window, tempfile::TempDir) {
    let data = tempfile::tempdir().unwrap();
    let env = [
        ("OATHDESK_DATA_DIR", data.path().display().to_string()),
        ("OATHDESK_PCSC_HARNESS", String::new()),
    ];
    (Window::open(&["--demo"], &env).await, data)
}

/// The training desk: marked DEMO, its own virtual tokens on the readers,
/// its recorded camera, the seed-wipe warning before a resync of a restricted model, and then
/// its re-seed and re-registration for the token's user.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_mode_is_a_marked_training_desk() {
    let _one = ONE_WINDOW.lock().await;
    let (w, _data) = training_desk().await;
    w.wait("[data-testid=desk][data-ready=true]").await;
    w.wait("[data-testid=demo-badge]").await;
    w.wait("[data-testid=reader][data-serial=\"8659632100001\"]")
        .await;
    w.wait("[data-testid=reader][data-serial=\"8659610100002\"]")
        .await;
    // One token of each family, and only the readers holding them.
    w.wait("[data-testid=reader][data-serial=\"TM2D100003\"] [data-family=token2-molto2]")
        .await;
    w.wait("[data-testid=reader] [data-testid=token-family][data-family=ykoath]")
        .await;
    w.wait("[data-testid=reader] [data-testid=token-family][data-family=token2-otp]")
        .await;
    let shown = w
        .client
        .find_all(Locator::Css("[data-testid=reader]"))
        .await
        .unwrap();
    assert_eq!(shown.len(), 5, "only the readers holding a token");
    w.screenshot("demo-desk").await;

    // The training desk's camera: a recorded phone held up to it, read
    // from its first still frame.
    w.click("[data-testid=nav-burn]").await;
    w.click("[data-testid=capture-camera]").await;
    let summary = w.wait("[data-testid=seed-summary]").await;
    assert_eq!(
        summary.attr("data-account").await.unwrap().as_deref(),
        Some("lee.gu@contoso.demo")
    );
    assert_eq!(
        w.text("[data-testid=seed-origin]").await,
        "camera Training desk camera"
    );

    w.click("[data-testid=nav-resync]").await;
    w.wait("[data-testid=demo-badge]").await;
    // Two tokens on the desk: the operator picks the seed-wiping C301-i.
    let pick = w.wait("[data-testid=reader-select]").await;
    let mut restricted = None;
    for option in pick.find_all(Locator::Css("option")).await.unwrap() {
        if option.text().await.unwrap().contains("8659610100002") {
            restricted = option.attr("value").await.unwrap();
        }
    }
    pick.select_by_value(&restricted.expect("the C301-i is offered"))
        .await
        .unwrap();
    w.click("[data-testid=resync-read]").await;
    let warning = w.text("[data-testid=reseed-warning]").await;
    assert!(warning.contains("erases the seed"), "warning: {warning}");
    let start = w.wait("[data-testid=resync-start]").await;
    assert!(
        !start.is_enabled().await.unwrap(),
        "re-seed offered without confirmation"
    );
    w.screenshot("demo-resync").await;

    // Confirmed, the token is re-seeded and registered again for its user.
    w.click("[data-testid=reseed-confirm]").await;
    w.click("[data-testid=resync-start]").await;
    let result = w
        .wait("[data-testid=resync-result][data-kind=reseeded]")
        .await;
    let said = result.text().await.unwrap();
    assert!(
        said.contains("8659610100002") && said.contains("megan.bowen@contoso.demo"),
        "result: {said}"
    );
    assert_eq!(
        w.text("[data-testid=handover-serial]").await,
        "8659610100002"
    );
    w.screenshot("demo-reseeded").await;
    w.close().await;
}

/// The window process shows the page without loading a GL driver (Mesa's
/// drivers bring libLLVM, about 50 MB), while WebKit's page process still
/// has EGL to render with: see src-tauri/src/window_gl.rs.
#[tokio::test(flavor = "multi_thread")]
async fn the_window_process_draws_without_a_gl_driver() {
    let _one = ONE_WINDOW.lock().await;
    let (w, _data) = training_desk_in_process().await;
    w.wait("[data-testid=desk][data-ready=true]").await;
    w.wait("[data-testid=reader][data-serial=\"8659632100001\"]")
        .await;

    let app = std::path::Path::new(env!("CARGO_BIN_EXE_oathdesk"));
    let window = processes_on(app, &w.display);
    assert_eq!(window.len(), 1, "one app on this display: {window:?}");
    // Mesa's drivers (`*_dri.so`; `libgallium-*` from Mesa 24.2) and LLVM.
    let gl_driver = |lib: &String| {
        lib.contains("_dri.so") || lib.contains("libgallium") || lib.contains("libLLVM")
    };
    let window_libs = mapped_libraries(window[0]);
    assert!(
        window_libs.iter().any(|l| l.contains("libwebkit2gtk")),
        "the window process maps WebKit"
    );
    assert!(
        !window_libs.iter().any(gl_driver),
        "the window process loaded a GL driver: {:?}",
        window_libs
            .iter()
            .filter(|l| gl_driver(l))
            .collect::<Vec<_>>()
    );
    let pages = children_named(window[0], "WebKitWebProcess");
    assert!(
        pages
            .iter()
            .any(|pid| mapped_libraries(*pid).iter().any(gl_driver)),
        "WebKit's page process has no GL driver to render with: {pages:?}"
    );
    w.close().await;
}

/// Plays the operator's browser on a sign-in page: the sandbox's authorize
/// endpoint redirects to the app's loopback listener with a code.
fn finish_sign_in_in_the_browser(page: String) {
    let http = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let back = http.get(&page).send().unwrap();
    assert_eq!(
        back.status().as_u16(),
        302,
        "authorize redirects back to the app"
    );
    let location = back.headers()["location"].to_str().unwrap().to_string();
    assert!(http.get(location).send().unwrap().status().is_success());
}

/// The loopback port a sign-in page sends the browser back to.
fn redirect_port(page: &str) -> u16 {
    let page = url::Url::parse(page).unwrap();
    let (_, back) = page
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .unwrap();
    url::Url::parse(&back).unwrap().port().unwrap()
}

/// Waits until Settings shows the operator signed in (or out).
async fn settings_show_signed_in(w: &Window, signed_in: bool) {
    w.wait_attr(
        "[data-testid=settings-signin-state]",
        "data-signed-in",
        &[&signed_in.to_string()],
    )
    .await;
}

/// Settings, as an operator signs in: the tenant and client id saved; a
/// sign-in shows its page's address while it waits for the browser, and
/// Cancel ends it; then a sign-in finished in the browser makes the desk act
/// as that operator, whose refresh token is in the OS keyring until Sign
/// out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_from_settings_waits_for_the_browser_and_can_be_cancelled() {
    let _one = ONE_WINDOW.lock().await;
    let mut seed = TenantSeed::with_operator(
        "unused",
        vec![SeedUser::member("u-op", "helpdesk@contoso.com")],
    );
    seed.operator = Some("helpdesk@contoso.com".into());
    let sandbox = Sandbox::start(seed, 0).unwrap();
    let data = tempfile::tempdir().unwrap();
    let client_id = format!("oathdesk-e2e-{}", std::process::id());
    let env = [
        ("OATHDESK_GRAPH_URL", sandbox.base_url()),
        ("OATHDESK_AUTHORITY", sandbox.base_url()),
        ("OATHDESK_DATA_DIR", data.path().display().to_string()),
        // No real browser in tests: the window shows the address instead.
        ("BROWSER", "/bin/false".to_string()),
    ];
    let w = Window::open(&[], &env).await;
    w.click("[data-testid=nav-settings]").await;
    settings_show_signed_in(&w, false).await;
    w.type_into("[data-testid=settings-tenant]", "contoso")
        .await;
    w.type_into("[data-testid=settings-client-id]", &client_id)
        .await;
    w.click("[data-testid=settings-save]").await;
    assert_eq!(
        w.text("[data-testid=signin-result]").await,
        "Saved. Not signed in."
    );

    w.click("[data-testid=sign-in]").await;
    let first = w.text("[data-testid=sign-in-url]").await;
    assert!(
        first.starts_with(&sandbox.base_url()),
        "the sign-in page: {first}"
    );
    w.screenshot("settings-signin-waiting").await;
    w.click("[data-testid=sign-in-cancel]").await;
    assert_eq!(
        w.text("[data-testid=signin-result]").await,
        "Sign-in cancelled."
    );
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", redirect_port(&first))).is_err(),
        "the cancelled sign-in stopped listening"
    );

    w.click("[data-testid=sign-in]").await;
    let page = w.text("[data-testid=sign-in-url]").await;
    assert_ne!(page, first, "a fresh sign-in");
    tokio::task::spawn_blocking(move || finish_sign_in_in_the_browser(page))
        .await
        .unwrap();
    settings_show_signed_in(&w, true).await;
    assert_eq!(
        w.text("[data-testid=settings-signin-state]").await,
        "Signed in as helpdesk@contoso.com."
    );
    w.screenshot("settings-signed-in").await;
    let authority = Authority {
        authority: sandbox.base_url(),
        tenant: "contoso".into(),
        client_id,
    };
    let kept = KeyringTokenStore::new(&authority);
    assert!(
        kept.load().unwrap().is_some(),
        "the refresh token is in the keyring"
    );

    w.click("[data-testid=sign-out]").await;
    settings_show_signed_in(&w, false).await;
    assert!(
        kept.load().unwrap().is_none(),
        "sign out removed it from the keyring"
    );
    w.close().await;
}

/// Presses `button` and confirms, after checking the dialog names `serial`.
async fn confirmed(w: &Window, button: &str, serial: &str) {
    w.click(button).await;
    let asked = w.text("[data-testid=confirm-dialog]").await;
    assert!(
        asked.contains(serial),
        "the dialog names the token: {asked}"
    );
    w.click("[data-testid=confirm-yes]").await;
}

/// Journal and Inventory, as an operator uses them after an outage: Graph
/// stays unavailable while the token is being activated, so the enrolment
/// stops (the token is burnt, created and assigned, not yet activated) and
/// waits in the journal; when Graph is back, Resume finishes it with the same seed.
/// Then Inventory unassigns and deletes the token, each after a
/// confirmation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_enrolment_resumes_from_the_journal_and_inventory_removes_the_token() {
    let _one = ONE_WINDOW.lock().await;
    let d = real_desk(contoso()).await;
    let w = &d.window;
    let reader = VirtualReader::acquire();
    let t = token(&reader, "C302-i", "700003", 0);
    let serial = t.card().serial.clone();
    w.wait(&format!("[data-testid=reader][data-serial=\"{serial}\"]"))
        .await;
    // Every activation fails with 503 until the outage ends; the app retries
    // with backoff until it gives up.
    d.sandbox
        .tenant()
        .faults
        .fail_before
        .insert("activate".into(), u32::MAX);

    start_enrolment(w, "alan", "alan@contoso.com").await;
    let activate = w
        .wait_attr(
            "[data-testid=step][data-step=activate]",
            "data-status",
            &["done", "failed"],
        )
        .await;
    assert_eq!(activate, "failed", "activation failed during the outage");
    let told = w.text("[data-testid=enrol-error]").await;
    assert!(
        told.contains("try again"),
        "the window says what to do: {told}"
    );
    w.screenshot("enrol-interrupted").await;
    let created = d.sandbox.tenant().by_serial(&serial).unwrap().clone();
    assert_eq!(
        created.status, "assigned",
        "created and assigned, not activated"
    );

    // Graph is back; the operator resumes from the journal.
    d.sandbox.tenant().faults.fail_before.clear();
    w.click("[data-testid=nav-journal]").await;
    w.click("[data-testid=journal-resume]").await;
    steps_all_done(w, "verify").await;
    w.screenshot("journal-resumed").await;
    let stored = activated_and_agrees(&d.sandbox, &t, &serial);
    assert_eq!(stored.secret, created.secret, "resumed with the same seed");

    // Inventory: unassign, then delete, each confirmed first.
    w.click("[data-testid=nav-inventory]").await;
    let row = format!("[data-testid=inventory-row][data-serial=\"{serial}\"]");
    confirmed(
        w,
        &format!("{row}[data-status=activated] [data-testid=unassign]"),
        &serial,
    )
    .await;
    confirmed(
        w,
        &format!("{row}[data-status=available] [data-testid=delete]"),
        &serial,
    )
    .await;
    w.wait("[data-testid=inventory-empty]").await;
    assert!(
        d.sandbox.tenant().by_serial(&serial).is_none(),
        "deleted in Entra"
    );

    // The token taken off its reader leaves the Desk by itself.
    w.click("[data-testid=nav-desk]").await;
    let reader_name = reader.name();
    w.wait(&format!(
        "[data-testid=reader][data-reader=\"{reader_name}\"][data-serial=\"{serial}\"]"
    ))
    .await;
    t.remove();
    w.wait(&format!(
        "[data-testid=reader][data-reader=\"{reader_name}\"][data-serial=\"\"]"
    ))
    .await;
    w.close().await;
}

/// An Entra-style otpauth URI for `account`, with a fresh secret.
fn entra_uri(account: &str) -> String {
    let secret = generate_secret(Algorithm::Sha1);
    format!(
        "otpauth://totp/Contoso:{}?secret={}&issuer=Contoso",
        account.replace('@', "%40"),
        secret.to_base32().as_str()
    )
}

/// Waits until the X clipboard of `display` has an owner offering a PNG:
/// xclip takes it shortly after it starts and announces nothing, so this
/// asks the X server (each ask answers at once) until it says yes.
fn wait_for_clipboard_image(display: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let targets = Command::new("xclip")
            .args([
                "-display",
                display,
                "-selection",
                "clipboard",
                "-t",
                "TARGETS",
                "-o",
            ])
            .stderr(Stdio::null())
            .output()
            .expect("xclip");
        if String::from_utf8_lossy(&targets.stdout).contains("image/png") {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "xclip never took the clipboard"
        );
    }
}

/// Burn's other seed sources, as an operator uses them: a QR picture picked
/// from a file, then one copied to the clipboard (the X server's real
/// clipboard, held by xclip).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn burn_reads_a_qr_from_a_file_and_from_the_clipboard() {
    let _one = ONE_WINDOW.lock().await;
    let (w, _data) = training_desk_in_process().await;
    w.click("[data-testid=nav-burn]").await;
    let pictures = tempfile::tempdir().unwrap();

    let picked = write_qr_as(
        pictures.path(),
        "picked.png",
        &entra_uri("file@contoso.com"),
    );
    w.wait("[data-testid=file-input]")
        .await
        .send_keys(&picked.display().to_string())
        .await
        .expect("a file for the picker");
    assert_eq!(
        w.text("[data-testid=seed-account]").await,
        "file@contoso.com"
    );
    assert!(
        w.text("[data-testid=seed-origin]")
            .await
            .contains("picked.png")
    );

    let copied = write_qr_as(
        pictures.path(),
        "copied.png",
        &entra_uri("clip@contoso.com"),
    );
    let _clipboard = Reaped::spawn(
        Command::new("xclip")
            .args([
                "-display",
                &w.display,
                "-selection",
                "clipboard",
                "-t",
                "image/png",
                "-quiet",
                "-i",
            ])
            .arg(&copied)
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
    .expect("xclip (make test installs it)");
    wait_for_clipboard_image(&w.display);
    w.click("[data-testid=capture-clipboard]").await;
    w.wait("[data-testid=seed-summary][data-account=\"clip@contoso.com\"]")
        .await;
    let origin = w.text("[data-testid=seed-origin]").await;
    assert!(origin.contains("clipboard"), "from: {origin}");
    w.screenshot("burn-from-clipboard").await;
    w.close().await;
}

/// Pastes `text` on the Burn screen and waits for the seed's description.
async fn paste_seed(w: &Window, text: &str) {
    w.click("[data-testid=nav-burn]").await;
    w.type_into("[data-testid=paste-input]", text).await;
    w.click("[data-testid=paste-submit]").await;
    w.wait("[data-testid=seed-summary]").await;
}

/// Presses Burn and waits for its result; a failure fails the test with
/// what the window said.
async fn burn_and_wait(w: &Window) {
    w.click("[data-testid=burn-start]").await;
    let answer = w
        .wait("[data-testid=burn-result], [data-testid=burn-error]")
        .await;
    if answer.attr("data-testid").await.unwrap().as_deref() == Some("burn-error") {
        panic!("the burn failed: {}", answer.text().await.unwrap());
    }
}

/// Chooses SHA-256, 8 digits and 60 s on the Burn screen.
async fn choose_sha256_8_digits_60_s(w: &Window) {
    w.choose("[data-testid=setting-algorithm]", "sha256").await;
    w.choose("[data-testid=setting-digits]", "8").await;
    w.choose("[data-testid=setting-period]", "60").await;
}

/// A pasted Entra-style URI for jane with `secret`, at the default settings.
fn jane_uri(secret: &oathdesk_otp::Secret) -> String {
    format!(
        "otpauth://totp/Contoso:jane%40contoso.com?secret={}&issuer=Contoso",
        secret.to_base32().as_str()
    )
}

const SHA256_8_60: CodeParams = CodeParams {
    algorithm: Algorithm::Sha256,
    digits: 8,
    period: 60,
};

/// A Molto2 through the window: a title and settings burnt into the slot
/// asked for; an enrolment into the first free slot, registered in Entra
/// under `<serial>-NN` with the seed that slot holds; then a resync of its
/// drifted clock that leaves every slot's seed and settings as they were.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_molto2_slot_is_burnt_and_another_enrolled_then_its_clock_resynced() {
    let _one = ONE_WINDOW.lock().await;
    let d = real_desk(contoso()).await;
    let w = &d.window;
    let reader = VirtualReader::acquire();
    let t = reader.insert(Molto2Card::new("TM2E700101", TokenClock::offset(-40, 0.0)));
    let card = "[data-testid=reader][data-serial=\"TM2E700101\"]";
    assert_eq!(
        w.text(&format!("{card} [data-testid=token-family]")).await,
        "Molto2"
    );
    let slots = w.text(&format!("{card} [data-testid=token-slots]")).await;
    assert!(slots.contains("0 used, 100 free"), "slots: {slots}");
    w.screenshot("molto2-desk").await;

    // Burn: slot 7, titled VPN, SHA-256, 8 digits, 60 s.
    let secret = generate_secret(Algorithm::Sha256);
    paste_seed(w, &jane_uri(&secret)).await;
    assert_eq!(w.value("[data-testid=place-slot]").await, "0", "first free");
    w.choose("[data-testid=place-slot]", "7").await;
    w.type_into("[data-testid=place-title]", "VPN").await;
    choose_sha256_8_digits_60_s(w).await;
    w.screenshot("molto2-burn-settings").await;
    burn_and_wait(w).await;
    w.wait("[data-testid=burnt-where][data-slot=\"7\"]").await;
    let warned = w.text("[data-testid=burnt-warnings]").await;
    assert!(
        warned.contains("factory customer key"),
        "warnings: {warned}"
    );
    w.screenshot("molto2-burn").await;
    {
        let card = t.card();
        let slot = &card.slots[7];
        assert_eq!(card.seed_sha256(7), Some(seed_sha256(&secret)));
        assert_eq!(slot.title.as_deref(), Some("VPN"));
        assert_eq!(
            (slot.algorithm, slot.digits, slot.period),
            (Algorithm::Sha256, 8, 60)
        );
        let off = card.clock.now() as f64 - host_now();
        assert!(
            off.abs() < 2.0,
            "token clock {off:+.1} s off after the burn"
        );
    }
    w.click("[data-testid=burn-done]").await;

    // Enrol: the first free slot (0), registered as <serial>-00.
    w.click("[data-testid=nav-enrol]").await;
    w.type_into("[data-testid=user-search]", "ali").await;
    w.click("[data-testid=user-result][data-upn=\"alice@contoso.com\"]")
        .await;
    assert_eq!(w.value("[data-testid=place-slot]").await, "0");
    w.screenshot("molto2-enrol-form").await;
    w.click("[data-testid=enrol-start]").await;
    steps_all_done(w, "verify").await;
    assert_eq!(
        w.text("[data-testid=handover-serial]").await,
        "TM2E700101-00"
    );
    w.screenshot("molto2-enrol").await;
    let stored = d
        .sandbox
        .tenant()
        .by_serial("TM2E700101-00")
        .unwrap()
        .clone();
    assert_eq!(stored.status, "activated");
    assert_eq!(stored.assigned_to.as_deref(), Some("u-alice"));
    assert_eq!(t.card().seed_sha256(0), Some(seed_sha256(&stored.secret)));

    // Resync: the clock drifted; every slot holding a seed is set, and
    // nothing else changes.
    let before: Vec<_> = [0, 7]
        .map(|p| {
            let c = t.card();
            let s = &c.slots[p];
            (
                c.seed_sha256(p),
                s.title.clone(),
                s.algorithm,
                s.digits,
                s.period,
            )
        })
        .into();
    t.card().clock = TokenClock::offset(90, 0.0);
    w.click("[data-testid=nav-resync]").await;
    w.click("[data-testid=resync-read]").await;
    let drift = w.text("[data-testid=resync-drift]").await;
    assert!(drift.contains("+9"), "drift shown as {drift:?}");
    assert_eq!(w.value("[data-testid=resync-slot]").await, "", "every slot");
    w.screenshot("molto2-resync-preview").await;
    w.click("[data-testid=resync-start]").await;
    w.wait("[data-testid=resync-result][data-kind=clock_set]")
        .await;
    w.screenshot("molto2-resync").await;
    let off = t.card().clock.now() as f64 - host_now();
    assert!(off.abs() < 2.0, "token clock still {off:+.1} s off");
    let after: Vec<_> = [0, 7]
        .map(|p| {
            let c = t.card();
            let s = &c.slots[p];
            (
                c.seed_sha256(p),
                s.title.clone(),
                s.algorithm,
                s.digits,
                s.period,
            )
        })
        .into();
    assert_eq!(after, before, "the resync changed a slot");

    // The Desk shows the two slots in use.
    w.click("[data-testid=nav-desk]").await;
    w.wait(&format!(
        "{card} [data-testid=token-slots][data-used=\"0,7\"]"
    ))
    .await;
    w.close().await;
}

/// A YubiKey-style OATH applet through the window: a credential named from
/// the QR, with touch and the settings chosen; an enrolment (a credential
/// named after the user, registered in Entra with its secret); and a
/// resync, which has nothing to do on a key without a clock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ykoath_credential_is_burnt_and_another_enrolled_and_resync_says_there_is_no_clock() {
    let _one = ONE_WINDOW.lock().await;
    let d = real_desk(contoso()).await;
    let w = &d.window;
    let reader = VirtualReader::acquire();
    let t = reader.insert(YkOathCard::new());
    let serial = t.card().device_id();
    let card = format!("[data-testid=reader][data-serial=\"{serial}\"]");
    assert_eq!(
        w.text(&format!("{card} [data-testid=token-family]")).await,
        "YubiKey OATH"
    );
    let clock = w.text(&format!("{card} [data-testid=token-clock]")).await;
    assert!(clock.contains("no clock"), "clock: {clock}");
    w.screenshot("ykoath-desk").await;

    // Burn: the name comes from the QR; touch on; SHA-256, 8 digits, 60 s.
    let secret = generate_secret(Algorithm::Sha256);
    paste_seed(w, &jane_uri(&secret)).await;
    assert_eq!(
        w.value("[data-testid=place-name]").await,
        "Contoso:jane@contoso.com"
    );
    w.click("[data-testid=place-touch]").await;
    choose_sha256_8_digits_60_s(w).await;
    w.screenshot("ykoath-burn-settings").await;
    burn_and_wait(w).await;
    let name = "60/Contoso:jane@contoso.com";
    w.wait(&format!("[data-testid=burnt-where][data-label=\"{name}\"]"))
        .await;
    w.screenshot("ykoath-burn").await;
    {
        let card = t.card();
        let [credential] = card.credentials() else {
            panic!("one credential on the key");
        };
        assert_eq!(String::from_utf8_lossy(&credential.name), name);
        assert_eq!(credential.kind, 0x22, "TOTP with SHA-256");
        assert_eq!(credential.digits, 8);
        assert!(credential.touch, "touch required");
        let at = 1_700_000_000;
        assert_eq!(card.code(name, at), totp(&secret, &SHA256_8_60, at).ok());
    }
    w.click("[data-testid=burn-done]").await;

    // Enrol: the credential is named after the user; Entra holds its secret.
    start_enrolment(w, "alan", "alan@contoso.com").await;
    steps_all_done(w, "verify").await;
    assert_eq!(w.text("[data-testid=handover-serial]").await, serial);
    w.screenshot("ykoath-enrol").await;
    let stored = d.sandbox.tenant().by_serial(&serial).unwrap().clone();
    assert_eq!(stored.status, "activated");
    assert_eq!(stored.assigned_to.as_deref(), Some("u-alan"));
    let at = 1_700_000_000;
    assert_eq!(
        t.card().code("alan@contoso.com", at),
        totp(&stored.secret, &stored.params, at).ok(),
        "the key and Entra disagree"
    );

    // Resync: nothing to do without a clock.
    w.click("[data-testid=nav-resync]").await;
    w.click("[data-testid=resync-read]").await;
    assert!(
        w.text("[data-testid=resync-drift]")
            .await
            .contains("no clock")
    );
    w.click("[data-testid=resync-start]").await;
    let said = w
        .text("[data-testid=resync-result][data-kind=no_clock]")
        .await;
    assert!(
        said.contains("this key uses the computer's time"),
        "result: {said}"
    );
    w.screenshot("ykoath-resync").await;
    w.close().await;
}

/// What a virtual PIN+ key holds, seeds as hashes: (issuer, account,
/// SHA-256?, step, digits, touch, seed hash).
fn pinplus_entries(card: &PinPlusCard) -> Vec<(String, String, bool, u16, u8, bool, String)> {
    card.entries()
        .iter()
        .map(|e| {
            (
                e.issuer.clone(),
                e.account.clone(),
                e.hash == PinPlusHash::Sha256,
                e.step,
                e.digits,
                e.touch,
                e.seed_sha256(),
            )
        })
        .collect()
}

/// A Token2 PIN+ key's OTP applet through the window, over the private
/// pcscd as an NFC or CCID reader reaches it: an entry named from the QR,
/// with touch, SHA-256 and 60 s, whose code the window shows; an enrolment
/// (an entry named after the user, registered in Entra with its secret);
/// the key holding exactly those two entries; one deleted from the Desk
/// after a confirmation; and a resync, which has no clock to set.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pinplus_entry_is_burnt_and_another_enrolled_then_one_deleted_from_the_desk() {
    let _one = ONE_WINDOW.lock().await;
    let d = real_desk(contoso()).await;
    let w = &d.window;
    let reader = VirtualReader::acquire();
    let t = reader.insert(PinPlusCard::new(&[0x34, 0x9E, 0x20, 0x01]));
    let card = format!("[data-testid=reader][data-reader=\"{}\"]", reader.name());
    let family = w.wait(&format!("{card} [data-testid=token-family]")).await;
    assert_eq!(family.text().await.unwrap(), "Token2 PIN+ key");
    let serial = w.text(&format!("{card} [data-testid=token-serial]")).await;
    assert_eq!(serial.to_ascii_uppercase(), "349E2001");
    let clock = w.text(&format!("{card} [data-testid=token-clock]")).await;
    assert!(clock.contains("no clock"), "clock: {clock}");
    w.screenshot("pinplus-desk").await;

    // Burn: the name comes from the QR; touch on; SHA-256, 60 s.
    let secret = generate_secret(Algorithm::Sha256);
    paste_seed(w, &jane_uri(&secret)).await;
    let name = "Contoso:jane@contoso.com";
    assert_eq!(w.value("[data-testid=place-name]").await, name);
    w.click("[data-testid=place-touch]").await;
    w.choose("[data-testid=setting-algorithm]", "sha256").await;
    w.choose("[data-testid=setting-period]", "60").await;
    burn_and_wait(w).await;
    w.wait(&format!("[data-testid=burnt-where][data-label=\"{name}\"]"))
        .await;
    let shown = w.text("[data-testid=burn-code]").await;
    let now = host_now() as u64;
    let jane = (
        "Contoso".to_string(),
        "jane@contoso.com".to_string(),
        true,
        60,
        6,
        true,
        seed_sha256(&secret),
    );
    {
        let card = t.card();
        assert_eq!(
            pinplus_entries(&card),
            std::slice::from_ref(&jane),
            "exactly the entry asked for"
        );
        let codes = [now, now - 60].map(|at| card.entries()[0].code_at(at));
        assert!(
            codes.contains(&shown),
            "window showed {shown}, key computes {codes:?}"
        );
        assert!(
            card.device_type_writes().is_empty(),
            "USB interfaces left alone"
        );
    }
    w.screenshot("pinplus-burn").await;
    w.click("[data-testid=burn-done]").await;

    // Enrol: an entry named after the user; Entra holds its secret.
    start_enrolment(w, "alan", "alan@contoso.com").await;
    steps_all_done(w, "verify").await;
    assert_eq!(w.text("[data-testid=handover-serial]").await, serial);
    w.screenshot("pinplus-enrol").await;
    let stored = d.sandbox.tenant().by_serial(&serial).unwrap().clone();
    assert_eq!(stored.status, "activated");
    assert_eq!(stored.assigned_to.as_deref(), Some("u-alan"));
    let alan = (
        String::new(),
        "alan@contoso.com".to_string(),
        stored.params.algorithm == Algorithm::Sha256,
        stored.params.period as u16,
        6,
        false,
        seed_sha256(&stored.secret),
    );
    let mut held = pinplus_entries(&t.card());
    held.sort();
    assert_eq!(
        held,
        [alan.clone(), jane],
        "the key holds exactly the two entries"
    );

    // The Desk lists both; jane's is deleted after the confirmation.
    w.click("[data-testid=nav-desk]").await;
    let jane_row = format!("{card} [data-testid=held-seed][data-label=\"{name}\"]");
    w.click(&format!("{jane_row} [data-testid=delete-seed]"))
        .await;
    let asked = w.text("[data-testid=confirm-dialog]").await;
    assert!(
        asked.contains(name) && asked.contains("Inventory"),
        "asked: {asked}"
    );
    w.screenshot("pinplus-delete-confirm").await;
    w.click("[data-testid=confirm-yes]").await;
    let answer = w
        .wait("[data-testid=seed-deleted], [data-testid=delete-seed-error]")
        .await;
    let said = answer.text().await.unwrap();
    assert!(
        said.starts_with("Deleted") && said.contains(name),
        "said: {said}"
    );
    assert_eq!(pinplus_entries(&t.card()), [alan], "only jane's entry went");
    w.wait(&format!(
        "{card} [data-testid=held-seed][data-label=\"alan@contoso.com\"]"
    ))
    .await;

    // Resync: nothing to do without a clock.
    w.click("[data-testid=nav-resync]").await;
    w.click("[data-testid=resync-read]").await;
    assert!(
        w.text("[data-testid=resync-drift]")
            .await
            .contains("no clock")
    );
    w.click("[data-testid=resync-start]").await;
    let said = w
        .text("[data-testid=resync-result][data-kind=no_clock]")
        .await;
    assert!(
        said.contains("this key uses the computer's time"),
        "result: {said}"
    );
    w.close().await;
}

/// The sandbox tenant of the batch test: five new hires.
fn new_hires() -> TenantSeed {
    let users = (1..=5)
        .map(|i| SeedUser::member(&format!("u-hire{i}"), &format!("hire{i}@contoso.com")))
        .collect();
    TenantSeed::with_operator("op", users)
}

/// Waits until the batch shows `upn` as done or failed; returns which.
async fn batch_user_ended(w: &Window, upn: &str) -> String {
    w.wait_attr(
        &format!("[data-testid=batch-user][data-upn=\"{upn}\"]"),
        "data-status",
        &["done", "failed"],
    )
    .await
}

/// Starts placing tokens, on whichever reader one is placed (the only
/// token on the desk is the one the test places).
async fn run_batch(w: &Window) {
    w.click("[data-testid=batch-run]").await;
}

/// A batch of five new hires through the window, as a morning at the desk
/// goes: the CSV checked, tokens placed one after another, Graph down while
/// the third is activated (that user is parked, the queue goes on), the app
/// closed and started again, the batch taken up where it was, the parked
/// user retried from the journal, the last token placed; then five tokens
/// activated in Entra, each holding the seed Entra has, one per user, and
/// five handover sheets.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_of_five_survives_an_outage_and_a_restart() {
    let _one = ONE_WINDOW.lock().await;
    let d = real_desk(new_hires()).await;
    let w = &d.window;
    let csv = d.data.path().join("hires.csv");
    let rows: String = (1..=5)
        .map(|i| format!("hire{i}@contoso.com,Hire {i}\n"))
        .collect();
    std::fs::write(&csv, format!("upn,display name\n{rows}")).unwrap();
    w.click("[data-testid=nav-batch]").await;
    w.wait("[data-testid=batch-csv]")
        .await
        .send_keys(&csv.display().to_string())
        .await
        .unwrap();
    w.type_into("[data-testid=batch-name]", "Monday").await;
    w.click("[data-testid=batch-create]").await;
    w.wait("[data-testid=batch-counts][data-waiting=\"5\"]")
        .await;
    w.screenshot("batch-made").await;

    let reader = VirtualReader::acquire();
    run_batch(w).await;
    let mut seeds = Vec::new();
    for i in 1..=4 {
        if i == 3 {
            d.sandbox
                .tenant()
                .faults
                .fail_before
                .insert("activate".into(), u32::MAX);
        }
        let prompt = w.text("[data-testid=batch-prompt]").await;
        assert!(prompt.contains(&format!("Hire {i}")), "prompt: {prompt}");
        let t = token(&reader, "C302-i", &format!("70090{i}"), 0);
        let ended = batch_user_ended(w, &format!("hire{i}@contoso.com")).await;
        assert_eq!(ended, if i == 3 { "failed" } else { "done" }, "hire{i}");
        {
            let card = t.card();
            seeds.push((card.serial.clone(), card.seed_sha256()));
        }
        if i == 3 {
            d.sandbox.tenant().faults.fail_before.clear();
            w.screenshot("batch-parked").await;
        }
        t.remove();
        w.wait("[data-testid=batch-prompt]").await;
    }

    // The app is closed and started again on the same records.
    w.close().await;
    let env = [
        ("OATHDESK_GRAPH_URL", d.sandbox.base_url()),
        ("OATHDESK_ACCESS_TOKEN", "op".to_string()),
        ("OATHDESK_DATA_DIR", d.data.path().display().to_string()),
    ];
    let w = &Window::open(&[], &env).await;
    w.wait("[data-testid=desk][data-ready=true]").await;
    w.click("[data-testid=nav-batch]").await;
    w.wait("[data-testid=batch-counts][data-done=\"3\"][data-failed=\"1\"]")
        .await;
    w.click("[data-testid=batch-user][data-upn=\"hire3@contoso.com\"] [data-testid=batch-retry]")
        .await;
    w.wait("[data-testid=batch-turn][data-kind=enrolled]").await;
    let hire3 = "[data-testid=batch-user][data-upn=\"hire3@contoso.com\"]";
    assert_eq!(w.wait_attr(hire3, "data-status", &["done"]).await, "done");
    run_batch(w).await;
    let t = token(&reader, "C302-i", "700905", 0);
    assert_eq!(batch_user_ended(w, "hire5@contoso.com").await, "done");
    {
        let card = t.card();
        seeds.push((card.serial.clone(), card.seed_sha256()));
    }
    t.remove();
    w.wait("[data-testid=batch-counts][data-done=\"5\"][data-waiting=\"0\"]")
        .await;
    w.screenshot("batch-done").await;

    {
        let tenant = d.sandbox.tenant();
        assert_eq!(tenant.devices.len(), 5, "no duplicate");
        for (i, (serial, seed)) in seeds.iter().enumerate() {
            let stored = tenant.by_serial(serial).unwrap();
            let user = format!("u-hire{}", i + 1);
            assert_eq!(
                (stored.status.as_str(), stored.assigned_to.as_deref()),
                ("activated", Some(user.as_str()))
            );
            assert_eq!(seed.as_deref(), Some(seed_sha256(&stored.secret).as_str()));
        }
    }
    w.click("[data-testid=batch-pdf]").await;
    let saved = w.text("[data-testid=batch-exported]").await;
    let path = saved.trim_start_matches("Saved to ");
    let pdf = lopdf::Document::load(path).unwrap_or_else(|e| panic!("{saved}: {e}"));
    assert_eq!(pdf.get_pages().len(), 5, "one A4 page per user in the PDF");
    w.click("[data-testid=batch-sheets]").await;
    w.wait("[data-testid=batch-handovers]").await;
    let sheets = w
        .client
        .find_all(Locator::Css(
            "[data-testid=batch-handovers] [data-testid=handover]",
        ))
        .await
        .unwrap();
    assert_eq!(sheets.len(), 5, "one sheet per user");
    w.close().await;
}

/// Presses Preview on the Import screen and waits for its table or its
/// error; returns the error's kind, or "" for a preview.
async fn import_preview(w: &Window) -> String {
    w.click("[data-testid=import-preview]").await;
    let answer = w
        .wait("[data-testid=import-preview-table], [data-testid=import-error]")
        .await;
    answer.attr("data-kind").await.unwrap().unwrap_or_default()
}

/// No token was created: the sandbox holds none and answered no write.
fn nothing_created(sandbox: &Sandbox) {
    let tenant = sandbox.tenant();
    assert!(tenant.devices.is_empty(), "a token was created");
    assert!(
        !tenant
            .answered
            .iter()
            .any(|(_, call)| call.starts_with("POST") || call.starts_with("PATCH")),
        "Graph was asked to write: {:?}",
        tenant.answered
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_an_encrypted_pskc_and_a_hex_token2_json_from_the_inventory() {
    let _one = ONE_WINDOW.lock().await;
    let d = real_desk(contoso()).await;
    let w = &d.window;
    let files = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = files.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p.display().to_string()
    };

    // A PSKC under a pre-shared AES key, OpenPGP-armoured on top.
    let passphrase = "window import passphrase";
    let gpg = oathdesk_testkit::gpg::GpgHome::new(passphrase);
    let pskc_seed = oathdesk_otp::Secret::from_slice(b"window-pskc-seed-001");
    let aes = [0x42u8; 16];
    let pskc = oathdesk_testkit::pskc::encrypted(
        &[oathdesk_testkit::pskc::PskcToken {
            serial: "PSKC-W1",
            model: "C202",
            secret: &pskc_seed,
            period: 30,
        }],
        &aes,
        &[9; 20],
    );
    let asc = write("seeds.pskc.asc", &gpg.encrypt(pskc.as_bytes(), true));
    let pgp_key = write("operator.asc", &gpg.secret_key());
    let aes_file = write("psk.hex", b"42424242424242424242424242424242\n");

    w.click("[data-testid=nav-inventory]").await;
    w.click("[data-testid=inventory-import]").await;
    w.wait("[data-testid=import-run][disabled]").await;
    w.wait("[data-testid=import-file]")
        .await
        .send_keys(&asc)
        .await
        .expect("the seed file for the picker");
    // The OpenPGP key first: the file says so, and a wrong passphrase is
    // a clear error with nothing created.
    w.wait("[data-testid=import-pgp-key]")
        .await
        .send_keys(&pgp_key)
        .await
        .expect("the OpenPGP key for the picker");
    w.type_into("[data-testid=import-pgp-passphrase]", "not the passphrase")
        .await;
    assert_eq!(import_preview(w).await, "pgp_key_wrong");
    let said = w.text("[data-testid=import-error]").await;
    assert!(said.contains("passphrase is wrong"), "{said}");
    assert!(!said.contains(passphrase) && !said.contains("not the passphrase"));
    w.screenshot("import-wrong-passphrase").await;
    nothing_created(&d.sandbox);

    // The right passphrase: the PSKC inside asks for its pre-shared key.
    w.type_into("[data-testid=import-pgp-passphrase]", passphrase)
        .await;
    assert_eq!(import_preview(w).await, "pskc_key_missing");
    w.wait("[data-testid=import-pskc-key]")
        .await
        .send_keys(&aes_file)
        .await
        .expect("the PSKC key for the picker");
    assert_eq!(import_preview(w).await, "");
    let row = w
        .text("[data-testid=import-row][data-serial=\"PSKC-W1\"][data-plan=create]")
        .await;
    assert!(row.contains("record 1") && row.contains("C202"), "{row}");
    assert!(
        w.text("[data-testid=import-summary]")
            .await
            .contains("OpenPGP"),
        "the preview says the file was decrypted"
    );
    nothing_created(&d.sandbox);
    w.click("[data-testid=import-run]").await;
    w.wait("[data-testid=import-created][data-serial=\"PSKC-W1\"]")
        .await;
    assert!(
        w.text("[data-testid=import-report-summary]")
            .await
            .contains("Created 1, skipped 0, failed 0")
    );
    {
        let tenant = d.sandbox.tenant();
        let stored = tenant.by_serial("PSKC-W1").expect("PSKC-W1 created");
        assert_eq!(stored.secret.expose(), pskc_seed.expose());
    }

    // A Token2 JSON whose secret is hex: converted, so Import waits for
    // the operator's "I checked".
    let hex_seed = oathdesk_otp::Secret::from_slice(b"window-hex-seed-0002");
    let json = format!(
        r#"[{{"serialNumber":"HEX-W2","manufacturer":"Token2","model":"C202","secretKey":"{}","timeIntervalInSeconds":30,"hashFunction":"hmacsha1","assignTo":{{"id":"alice@contoso.com"}}}}]"#,
        &*hex_seed.to_hex()
    );
    let json_file = write("seeds.json", json.as_bytes());
    w.wait("[data-testid=import-file]")
        .await
        .send_keys(&json_file)
        .await
        .expect("the JSON for the picker");
    w.choose("[data-testid=import-format]", "token2-json").await;
    assert_eq!(import_preview(w).await, "");
    let warned = w
        .text("[data-testid=import-row][data-serial=\"HEX-W2\"] [data-testid=import-warnings]")
        .await;
    assert!(
        warned.contains("hex secret converted to base32"),
        "{warned}"
    );
    let import = w.wait("[data-testid=import-run]").await;
    assert!(
        !import.is_enabled().await.unwrap(),
        "Import waits for the checkbox"
    );
    w.screenshot("import-hex-preview").await;
    w.click("[data-testid=import-accept-hex]").await;
    w.wait("[data-testid=import-run]:not([disabled])").await;
    w.click("[data-testid=import-run]").await;
    w.wait("[data-testid=import-created][data-serial=\"HEX-W2\"]")
        .await;
    w.screenshot("import-hex-report").await;
    {
        let tenant = d.sandbox.tenant();
        let stored = tenant.by_serial("HEX-W2").expect("HEX-W2 created");
        assert_eq!(stored.secret.expose(), hex_seed.expose());
        assert_eq!(stored.assigned_to.as_deref(), Some("u-alice"));
        assert_eq!(tenant.devices.len(), 2);
    }

    // Back in the inventory, both are listed; no secret reached the data
    // directory.
    // The report is long: bring Back out from under the sticky header.
    w.client
        .execute(
            "document.querySelector('[data-testid=import-back]').scrollIntoView({block: 'center'})",
            vec![],
        )
        .await
        .unwrap();
    w.click("[data-testid=import-back]").await;
    w.wait("[data-testid=inventory-row][data-serial=\"HEX-W2\"]")
        .await;
    w.wait("[data-testid=inventory-row][data-serial=\"PSKC-W1\"]")
        .await;
    let left = files_in(&[d.data.path()]);
    assert_nowhere(&pskc_seed, &left);
    assert_nowhere(&hex_seed, &left);
    w.close().await;
}

//! Molto2 and YKOATH through the real `pcsc` crate, a private pcscd and vpcd
//! to the virtual tokens: burn, then the token shows the code OathDesk
//! computes; clock sync moves the token's clock; a wrong Molto2 key says
//! how many tries are left. Run through tests/harness/pcsc-ns.sh.

use oathdesk_device::molto2::{DEFAULT_CUSTOMER_KEY, Molto2Session};
use oathdesk_device::pcsc::PcscDesk;
use oathdesk_device::token2::codec::DisplayTimeout;
use oathdesk_device::ykoath::{YkOathSession, credential_name};
use oathdesk_device::{DeviceErrorKind, TokenState};
use oathdesk_otp::{Algorithm, CodeParams, OtpKind, Secret, totp};
use oathdesk_sim::testkit::VirtualReader;
use oathdesk_sim::token::{Molto2Card, TokenClock, YkOathCard};

fn host_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

fn now() -> u32 {
    host_now() as u32
}

#[test]
fn molto2_burn_shows_the_computed_code_and_syncs_its_clock() {
    let reader = VirtualReader::acquire();
    let t = reader.insert(Molto2Card::new(
        "MOLTO2E00001",
        TokenClock::offset(-5000, 0.0),
    ));
    let desk = PcscDesk::establish().unwrap();
    let mut m =
        Molto2Session::open(desk.connect(reader.name()).unwrap(), DEFAULT_CUSTOMER_KEY).unwrap();
    assert_eq!(m.info().serial, "MOLTO2E00001");
    let secret = Secret::from_slice(b"12345678901234567890123456789012");
    let params = CodeParams {
        algorithm: Algorithm::Sha256,
        digits: 8,
        period: 60,
    };
    m.burn(7, &secret, &params, Some("VPN"), DisplayTimeout::S60, &now)
        .unwrap();
    {
        let card = t.card();
        let host = host_now();
        assert_eq!(
            card.display_code_at(7, host).unwrap(),
            totp(&secret, &params, card.clock.at(host))
        );
        assert_eq!(card.profiles[7].title.as_deref(), Some("VPN"));
    }
    assert!(m.profile(7).unwrap().seed_present);
    let again = m
        .burn(7, &secret, &params, None, DisplayTimeout::S30, &now)
        .unwrap_err();
    assert_eq!(
        again.state,
        TokenState::Untouched,
        "a profile holding a seed is refused: {again}"
    );

    t.card().clock = TokenClock::offset(-600, 0.0);
    m.sync_clock(7, &now).unwrap();
    assert!(t.card().clock.now().abs_diff(now() as u64) <= 2);
    assert!(
        t.card().seed_sha256(7).is_some(),
        "a Molto2 keeps its seed on a clock sync"
    );

    m.delete_seed(7).unwrap();
    assert!(t.card().seed_sha256(7).is_none());
}

#[test]
fn a_wrong_molto2_key_says_how_many_tries_are_left() {
    let reader = VirtualReader::acquire();
    let _t = reader.insert(Molto2Card::new("MOLTO2E00002", TokenClock::offset(0, 0.0)));
    let desk = PcscDesk::establish().unwrap();
    let mut m =
        Molto2Session::open(desk.connect(reader.name()).unwrap(), b"NOT-THE-KEY-0000").unwrap();
    let e = m.authenticate().unwrap_err();
    assert_eq!(e.kind, DeviceErrorKind::KeyRefused { tries_left: 9 });
    assert!(e.to_string().contains("9 tries left"), "{e}");
    assert!(!e.to_string().contains("link"), "not a lost link: {e}");
    let e = m.authenticate().unwrap_err();
    assert_eq!(e.kind, DeviceErrorKind::KeyRefused { tries_left: 8 });
}

#[test]
fn molto2_customer_key_change_waits_for_the_button() {
    let reader = VirtualReader::acquire();
    let t = reader.insert(Molto2Card::new("MOLTO2E00003", TokenClock::offset(0, 0.0)));
    let desk = PcscDesk::establish().unwrap();
    let mut m =
        Molto2Session::open(desk.connect(reader.name()).unwrap(), DEFAULT_CUSTOMER_KEY).unwrap();
    m.set_customer_key(b"NEW-CUSTOMER-KEY").unwrap();
    assert!(t.card().is_waiting_for_press());
    assert!(t.card().press_up());
    m.authenticate().unwrap_err();
    drop(m);
    let mut m2 =
        Molto2Session::open(desk.connect(reader.name()).unwrap(), b"NEW-CUSTOMER-KEY").unwrap();
    m2.authenticate().unwrap();
}

#[test]
fn ykoath_put_list_calculate_delete() {
    let reader = VirtualReader::acquire();
    let t = reader.insert(YkOathCard::new());
    let desk = PcscDesk::establish().unwrap();
    let mut y = YkOathSession::select(desk.connect(reader.name()).unwrap()).unwrap();
    assert!(!y.password_protected);
    let secret = Secret::from_slice(b"JBSWY3DPEHPK3PXP");
    let name = credential_name(Some("Contoso"), "alice@contoso.com", 30);
    y.put(&name, &secret, OtpKind::Totp, &CodeParams::default(), false)
        .unwrap();
    assert_eq!(y.list().unwrap(), vec![name.clone()]);
    let at = now() as u64;
    assert_eq!(
        y.calculate(&name, at).unwrap(),
        totp(&secret, &CodeParams::default(), at)
    );
    assert_eq!(
        t.card().code(&name, at).unwrap(),
        totp(&secret, &CodeParams::default(), at)
    );
    let sixty = credential_name(None, "bob", 60);
    assert_eq!(sixty, "60/bob");
    let p60 = CodeParams {
        period: 60,
        ..CodeParams::default()
    };
    y.put(&sixty, &secret, OtpKind::Totp, &p60, false).unwrap();
    assert_eq!(y.calculate(&sixty, at).unwrap(), totp(&secret, &p60, at));
    y.delete(&name).unwrap();
    assert_eq!(y.list().unwrap(), vec![sixty]);
}

/// The desk watches readers with PC/SC's own change events: a wait started
/// before a token arrives returns with that token present.
#[test]
fn watching_the_readers_sees_a_token_arrive() {
    use oathdesk_device::pcsc::ReaderInfo;
    use std::time::Duration;
    let reader = VirtualReader::acquire();
    let desk = PcscDesk::establish().unwrap();
    let before: Vec<ReaderInfo> = desk.readers().unwrap();
    assert!(
        !before
            .iter()
            .find(|r| r.name == reader.name())
            .unwrap()
            .card_present
    );
    let name = reader.name().to_string();
    let watcher = std::thread::spawn(move || {
        let desk = PcscDesk::establish().unwrap();
        let mut known = before;
        // Other tests insert tokens on other readers; wait for ours.
        loop {
            known = desk
                .wait_for_change(&known, Duration::from_secs(20))
                .unwrap();
            if known.iter().any(|r| r.name == name && r.card_present) {
                return true;
            }
        }
    });
    let _t = reader.insert(YkOathCard::new());
    assert!(watcher.join().unwrap());
}

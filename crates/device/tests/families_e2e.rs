//! Molto2 and YKOATH through the real `pcsc` crate, a private pcscd and vpcd
//! to the virtual tokens: burn, then the token shows the code OathDesk
//! computes; clock sync moves the token's clock; a wrong Molto2 key says
//! how many tries are left. Run through tests/harness/pcsc-ns.sh.

use oathdesk_device::identify::{Identified, identify};
use oathdesk_device::molto2::{CustomerKey, Molto2Session, Molto2Settings, Slot, Title};
use oathdesk_device::pcsc::PcscService;
use oathdesk_device::profiles::Profiles;
use oathdesk_device::ykoath::{CredentialName, YkOathSession};
use oathdesk_device::{DeviceErrorKind, TokenState};
use oathdesk_otp::{Algorithm, CodeParams, OtpKind, Secret, totp};
use oathdesk_sim::token::{Molto2Card, TokenClock, YkOathCard};
use oathdesk_testkit::{Insert, VirtualReader};

fn host_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

fn now() -> u32 {
    host_now() as u32
}

fn slot(i: u8) -> Slot {
    Slot::new(i).unwrap()
}

#[test]
fn molto2_burn_shows_the_computed_code_and_syncs_its_clock() {
    let reader = VirtualReader::acquire();
    let t = reader.insert(Molto2Card::new(
        "MOLTO2E00001",
        TokenClock::offset(-5000, 0.0),
    ));
    let desk = PcscService::establish().unwrap();
    let transport = desk.connect(reader.name()).unwrap();
    let mut m = Molto2Session::open(transport, CustomerKey::factory()).unwrap();
    assert_eq!(m.info().serial, "MOLTO2E00001");
    let secret = Secret::from_slice(b"12345678901234567890123456789012");
    let params = CodeParams {
        algorithm: Algorithm::Sha256,
        digits: 8,
        period: 60,
    };
    let settings = Molto2Settings::new(&params, 60).unwrap();
    let title = Title::new("VPN").unwrap();
    m.burn(slot(7), &secret, &settings, Some(&title), &now, &mut |_| {})
        .unwrap();
    {
        let card = t.card();
        let host = host_now();
        assert_eq!(
            card.display_code_at(7, host).unwrap(),
            totp(&secret, &params, card.clock.at(host)).unwrap()
        );
        assert_eq!(card.slots[7].title.as_deref(), Some("VPN"));
    }
    let info = m.slot_info(slot(7)).unwrap();
    assert!(info.seed_present);
    assert_eq!(info.params, Some(params));
    let again = m
        .burn(slot(7), &secret, &settings, None, &now, &mut |_| {})
        .unwrap_err();
    assert_eq!(again.kind, DeviceErrorKind::SlotInUse { slot: 7 });
    assert_eq!(
        again.state,
        TokenState::Untouched,
        "a slot holding a seed is refused: {again}"
    );

    t.card().clock = TokenClock::offset(-600, 0.0);
    m.set_clock(slot(7), &now).unwrap();
    assert!(t.card().clock.now().abs_diff(now() as u64) <= 2);
    assert!(
        t.card().seed_sha256(7).is_some(),
        "a Molto2 keeps its seed on a clock sync"
    );

    m.delete_seed(slot(7)).unwrap();
    assert!(t.card().seed_sha256(7).is_none());
}

fn wrong_key() -> CustomerKey {
    CustomerKey::parse("NOT-THE-KEY-0000").unwrap()
}

#[test]
fn a_wrong_molto2_key_says_how_many_tries_are_left() {
    let reader = VirtualReader::acquire();
    let _t = reader.insert(Molto2Card::new("MOLTO2E00002", TokenClock::offset(0, 0.0)));
    let desk = PcscService::establish().unwrap();
    let mut m = Molto2Session::open(desk.connect(reader.name()).unwrap(), wrong_key()).unwrap();
    let e = m.set_clock(slot(0), &now).unwrap_err();
    assert_eq!(e.kind, DeviceErrorKind::KeyRefused { tries_left: 9 });
    assert!(e.to_string().contains("9 tries left"), "{e}");
    assert!(!e.to_string().contains("link"), "not a lost link: {e}");
    let e = m.set_clock(slot(0), &now).unwrap_err();
    assert_eq!(e.kind, DeviceErrorKind::KeyRefused { tries_left: 8 });
}

/// Token2's spec reads `63 NN` as the count, the device answers `63 Cx`:
/// both forms give the same tries left through a real pcscd.
#[test]
fn tries_left_read_the_same_in_the_iso_and_the_token2_form() {
    let reader = VirtualReader::acquire();
    let t = reader.insert(Molto2Card::new("MOLTO2E00004", TokenClock::offset(0, 0.0)));
    let desk = PcscService::establish().unwrap();
    let mut m = Molto2Session::open(desk.connect(reader.name()).unwrap(), wrong_key()).unwrap();
    let e = m.delete_seed(slot(1)).unwrap_err();
    assert_eq!(e.kind, DeviceErrorKind::KeyRefused { tries_left: 9 });
    t.card().answer_tries_as_count(true);
    let e = m.delete_seed(slot(1)).unwrap_err();
    assert_eq!(e.kind, DeviceErrorKind::KeyRefused { tries_left: 8 });
    assert_eq!(t.card().tries_left, 8);
}

#[test]
fn molto2_customer_key_change_waits_for_the_button() {
    let reader = VirtualReader::acquire();
    let t = reader.insert(Molto2Card::new("MOLTO2E00003", TokenClock::offset(0, 0.0)));
    let desk = PcscService::establish().unwrap();
    let transport = desk.connect(reader.name()).unwrap();
    let mut m = Molto2Session::open(transport, CustomerKey::factory()).unwrap();
    let new_key = CustomerKey::parse("NEW-CUSTOMER-KEY").unwrap();
    m.set_customer_key(&new_key).unwrap();
    assert!(t.card().is_waiting_for_press());
    assert!(t.card().press_up());
    m.set_clock(slot(0), &now).unwrap_err();
    drop(m);
    let mut m2 = Molto2Session::open(desk.connect(reader.name()).unwrap(), new_key).unwrap();
    assert!(!m2.uses_factory_key());
    m2.set_clock(slot(0), &now).unwrap();
}

#[test]
fn ykoath_put_list_calculate_delete() {
    let reader = VirtualReader::acquire();
    let t = reader.insert(YkOathCard::new());
    let desk = PcscService::establish().unwrap();
    let mut y = YkOathSession::select(desk.connect(reader.name()).unwrap()).unwrap();
    assert!(!y.password_protected());
    assert_eq!(y.device_id(), t.card().device_id());
    let secret = Secret::from_slice(b"JBSWY3DPEHPK3PXP");
    let name = CredentialName::new(30, "Contoso:alice@contoso.com").unwrap();
    y.put(&name, &secret, OtpKind::Totp, &CodeParams::default(), false)
        .unwrap();
    let listed: Vec<CredentialName> = y.list().unwrap().into_iter().map(|c| c.name).collect();
    assert_eq!(listed, vec![name.clone()]);
    let at = now() as u64;
    assert_eq!(
        y.calculate(&name, at).unwrap(),
        totp(&secret, &CodeParams::default(), at).unwrap()
    );
    assert_eq!(
        t.card().code(name.as_str(), at).unwrap(),
        totp(&secret, &CodeParams::default(), at).unwrap()
    );
    let sixty = CredentialName::new(60, "bob").unwrap();
    assert_eq!(sixty.as_str(), "60/bob");
    let p60 = CodeParams {
        period: 60,
        ..CodeParams::default()
    };
    y.put(&sixty, &secret, OtpKind::Totp, &p60, false).unwrap();
    assert_eq!(
        y.calculate(&sixty, at).unwrap(),
        totp(&secret, &p60, at).unwrap()
    );
    y.delete(&name).unwrap();
    let listed: Vec<CredentialName> = y.list().unwrap().into_iter().map(|c| c.name).collect();
    assert_eq!(listed, vec![sixty]);
}

/// identify() through pcscd: each family's card comes back as its own
/// session (the vpcd readers' names do not say "molto").
#[test]
fn identify_tells_the_families_apart_through_pcscd() {
    let reader = VirtualReader::acquire();
    let desk = PcscService::establish().unwrap();
    let profiles = Profiles::builtin();
    let key = CustomerKey::factory;
    let t = reader.insert(Molto2Card::new("MOLTO2E00005", TokenClock::offset(0, 0.0)));
    let transport = desk.connect(reader.name()).unwrap();
    let found = identify(reader.name(), transport, &profiles, key()).unwrap();
    assert!(matches!(found, Identified::Molto2(_)));
    drop(found);
    t.remove();
    let _t = reader.insert(YkOathCard::new());
    let transport = desk.connect(reader.name()).unwrap();
    let found = identify(reader.name(), transport, &profiles, key()).unwrap();
    assert!(matches!(found, Identified::Ykoath(_)));
}

/// The desk watches readers with PC/SC's own change events: a wait started
/// before a token arrives returns with that token present.
#[test]
fn watching_the_readers_sees_a_token_arrive() {
    use oathdesk_device::pcsc::ReaderInfo;
    use std::time::Duration;
    let reader = VirtualReader::acquire();
    let desk = PcscService::establish().unwrap();
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
        let desk = PcscService::establish().unwrap();
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

//! Molto2 inputs, codec and session against the sim's Molto2: a value the
//! device cannot take is refused with `BadInput` before any APDU after the
//! reads the session needs.

use oathdesk_otp::{Algorithm, CodeParams, Secret, totp};
use oathdesk_sim::token::{Molto2Card, TokenClock};

use super::codec::{self, tries_left};
use super::{CustomerKey, Molto2Session, Molto2Settings, Slot, Title};
use crate::apdu::Response;
use crate::testing::{Recorder, clock, instructions};
use crate::token2::codec::Token2Error;
use crate::wire::DisplayTimeout;
use crate::{BurnStep, DeviceError, DeviceErrorKind, TokenState};

fn card() -> Recorder<Molto2Card> {
    Recorder::new(Molto2Card::new(
        "MOLTO2U00001",
        TokenClock::offset(-900, 0.0),
    ))
}

fn assert_bad_input(e: &DeviceError, says: &str) {
    assert!(
        matches!(&e.kind, DeviceErrorKind::BadInput(m) if m.contains(says)),
        "{e:?} should say {says:?}"
    );
    assert_eq!(e.state, TokenState::Untouched);
}

fn p(algorithm: Algorithm, digits: u32, period: u64) -> CodeParams {
    CodeParams {
        algorithm,
        digits,
        period,
    }
}

fn sha256_8_60() -> Molto2Settings {
    Molto2Settings::new(&p(Algorithm::Sha256, 8, 60), 60).unwrap()
}

#[test]
fn slots_and_titles_outside_the_device_are_refused() {
    assert_eq!(Slot::new(99).unwrap().index(), 99);
    assert_eq!(Slot::new(7).unwrap().to_string(), "7");
    assert_bad_input(&Slot::new(100).unwrap_err(), "a Molto2 has slots 0-99");
    assert_eq!(Title::new("twelve bytes").unwrap().as_str(), "twelve bytes");
    assert_bad_input(
        &Title::new("thirteen byte").unwrap_err(),
        "a Molto2 title holds at most 12 bytes; \"thirteen byte\" is 13",
    );
    assert_bad_input(&Title::new("ééééééé").unwrap_err(), "is 14");
    assert_bad_input(&Title::new("").unwrap_err(), "cannot be empty");
}

#[test]
fn settings_refuse_what_a_slot_cannot_show() {
    assert_eq!(
        Molto2Settings::new(&p(Algorithm::Sha1, 4, 30), 15)
            .unwrap()
            .params(),
        p(Algorithm::Sha1, 4, 30)
    );
    let cases = [
        (
            p(Algorithm::Sha512, 6, 30),
            30,
            "the Molto2 takes SHA-1 or SHA-256, not SHA-512",
        ),
        (p(Algorithm::Sha1, 7, 30), 30, "4, 6, 8 or 10 digits, not 7"),
        (p(Algorithm::Sha1, 12, 30), 30, "not 12"),
        (p(Algorithm::Sha1, 6, 90), 30, "30 or 60 seconds, not 90"),
        (
            p(Algorithm::Sha1, 6, 30),
            10,
            "15, 30, 60 or 120 seconds, not 10",
        ),
    ];
    for (params, timeout, says) in cases {
        assert_bad_input(&Molto2Settings::new(&params, timeout).unwrap_err(), says);
    }
}

#[test]
fn customer_keys_are_16_ascii_or_32_hex_and_never_printed() {
    assert!(CustomerKey::factory().is_factory());
    assert!(
        CustomerKey::parse("TOKEN2MOLTO1-KEY\n")
            .unwrap()
            .is_factory()
    );
    let hex = CustomerKey::parse("544F4B454E324D4F4C544F312D4B4559").unwrap();
    assert!(hex.is_factory(), "the same 16 bytes in hex");
    let custom = CustomerKey::parse("my-secret-key-16").unwrap();
    assert!(!custom.is_factory());
    assert_eq!(format!("{custom:?}"), "CustomerKey(custom)");
    for bad in [
        "short-secret",
        "my-secret-key-16!",
        "zz4F4B454E324D4F4C544F312D4B4559",
    ] {
        let e = CustomerKey::parse(bad).unwrap_err();
        assert_bad_input(
            &e,
            "OATHDESK_CUSTOMER_KEY must be 16 ASCII characters or 32 hex digits",
        );
        assert!(!e.to_string().contains(bad), "the key is not echoed: {e}");
    }
}

/// token2/molto2-tools `tests/test_molto2.py` (`test_build_config_tlv_pinned`,
/// `test_build_sync_tlv_pinned`).
#[test]
fn config_tlv_matches_the_published_vector() {
    let s = Molto2Settings::new(&p(Algorithm::Sha1, 6, 30), 60).unwrap();
    assert_eq!(s.display_timeout, DisplayTimeout::S60);
    let hex: String = codec::config_tlv(&s, 1_700_000_000)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(hex, "81141f01020f046553f10086090a01010b01060d011e");
    assert_eq!(hex_of(&codec::clock_tlv(1_700_000_000)), "81060f046553f100");
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Whole secured APDUs under the default key, MAC included: token2/keyroost
/// `crates/keyroost-proto/tests/known_answer_vs_python.rs`
/// (`sync_time_matches_python_reference`, `set_title_matches_python_reference`).
#[test]
fn clock_and_title_apdus_match_the_published_ones() {
    let key = codec::sm4_key(&CustomerKey::factory());
    let clock = codec::write_clock(&key, Slot::new(0).unwrap(), 0x6612_3456).unwrap();
    assert_eq!(hex_of(&clock), "84d401000c81060f046612345642304790");
    let title = Title::new("hello").unwrap();
    let title = codec::write_title(&key, Slot::new(3).unwrap(), &title).unwrap();
    assert_eq!(
        hex_of(&title),
        "84d5000314aa6492e824df9e2be60917d1226ae8965af94611"
    );
}

#[test]
fn tries_left_reads_both_the_iso_and_the_token2_form() {
    assert_eq!(tries_left(0x63C7), Some(7), "ISO 7816: 63 Cx");
    assert_eq!(tries_left(0x63C0), Some(0));
    assert_eq!(tries_left(0x6307), Some(7), "Token2's spec: 63 NN");
    assert_eq!(tries_left(0x6300), Some(0));
    assert_eq!(tries_left(0x9000), None);
    assert_eq!(tries_left(0x6983), None);
}

fn block(algo: u8, step: u8, digits: u8, seed: u8) -> Response {
    let mut v = vec![0x20];
    v.extend([0; 24]);
    v.extend([algo, step, digits, seed]);
    let mut data = vec![0x95, 31, 0x70, 29];
    data.extend(v);
    Response { data, sw: 0x9000 }
}

#[test]
fn public_data_is_parsed_with_checked_bounds() {
    let slot = Slot::new(3).unwrap();
    let info = codec::parse_public_data(&block(2, 60, 8, 1), slot).unwrap();
    assert_eq!(info.params, Some(p(Algorithm::Sha256, 8, 60)));
    let blank = codec::parse_public_data(&block(0, 0, 0, 0), slot).unwrap();
    assert_eq!((blank.seed_present, blank.params), (false, None));
    for bad in [
        block(3, 30, 6, 1),
        block(1, 45, 6, 1),
        block(1, 30, 7, 1),
        block(1, 30, 6, 2),
    ] {
        assert_eq!(
            codec::parse_public_data(&bad, slot),
            Err(Token2Error::Malformed)
        );
    }
    let mut short = block(1, 30, 6, 1);
    short.data.truncate(20);
    assert_eq!(
        codec::parse_public_data(&short, slot),
        Err(Token2Error::Malformed)
    );
    for data in [vec![], vec![0x95], vec![0x95, 0xFF, 0x70, 0xFF]] {
        let r = Response { data, sw: 0x9000 };
        assert_eq!(
            codec::parse_public_data(&r, slot),
            Err(Token2Error::Malformed)
        );
    }
}

#[test]
fn a_bad_seed_sends_nothing_after_open() {
    let rec = card();
    let log = rec.log();
    let mut m = Molto2Session::open(rec, CustomerKey::factory()).unwrap();
    assert_eq!(instructions(&log), [0x41]);
    let slot = Slot::new(5).unwrap();
    for len in [0, 64] {
        let mut steps = Vec::new();
        let e = m
            .burn(
                slot,
                &Secret::new(vec![9; len]),
                &sha256_8_60(),
                Some(&Title::new("VPN").unwrap()),
                &clock,
                &mut |s| steps.push(s),
            )
            .unwrap_err();
        assert_bad_input(&e, "the Molto2 takes secrets of 1 to 63 bytes");
        assert!(steps.is_empty());
    }
    assert_eq!(instructions(&log), [0x41], "no APDU after get-info");
}

#[test]
fn burn_writes_settings_seed_title_and_then_refuses_the_used_slot() {
    let mut rec = card();
    let log = rec.log();
    let mut m = Molto2Session::open(&mut rec, CustomerKey::factory()).unwrap();
    assert!(m.uses_factory_key());
    let slot = Slot::new(42).unwrap();
    let secret = Secret::from_slice(b"12345678901234567890123456789012");
    let title = Title::new("VPN").unwrap();
    let mut steps = Vec::new();
    m.burn(
        slot,
        &secret,
        &sha256_8_60(),
        Some(&title),
        &clock,
        &mut |s| steps.push(s),
    )
    .unwrap();
    use BurnStep::*;
    assert_eq!(
        steps,
        [Authenticate, WriteSettingsAndClock, WriteSeed, WriteTitle]
    );
    assert_eq!(
        instructions(&log),
        [0x41, 0x41, 0x4B, 0xCE, 0xD4, 0xC5, 0xD5]
    );
    let info = m.slot_info(slot).unwrap();
    assert_eq!(info.params, Some(p(Algorithm::Sha256, 8, 60)));
    let sent = log.borrow().len();
    let e = m
        .burn(slot, &secret, &sha256_8_60(), None, &clock, &mut |_| {})
        .unwrap_err();
    assert_eq!(e.kind, DeviceErrorKind::SlotInUse { slot: 42 });
    assert!(
        e.next_step().contains("choose a free slot"),
        "{}",
        e.next_step()
    );
    assert_eq!(instructions(&log)[sent..], [0x41], "only the slot was read");
    drop(m);
    let host = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let shown = rec.card.display_code_at(42, host).unwrap();
    let params = p(Algorithm::Sha256, 8, 60);
    assert_eq!(
        shown,
        totp(&secret, &params, rec.card.clock.at(host)).unwrap()
    );
    assert_eq!(rec.card.slots[42].title.as_deref(), Some("VPN"));
}

#[test]
fn set_clock_sends_the_clock_alone() {
    let rec = card();
    let log = rec.log();
    let mut m = Molto2Session::open(rec, CustomerKey::factory()).unwrap();
    m.set_clock(Slot::new(1).unwrap(), &clock).unwrap();
    let apdus = log.borrow();
    let config = apdus.last().unwrap();
    assert_eq!(config[..4], [0x84, 0xD4, 0x01, 0x01]);
    assert_eq!(config[5..9], [0x81, 0x06, 0x0F, 0x04]);
    assert_eq!(config.len(), 5 + 8 + 4, "clock TLV and MAC only");
    assert_eq!(m.info().clock, clock());
}

#[test]
fn slots_lists_all_hundred_in_order() {
    let mut m = Molto2Session::open(card(), CustomerKey::factory()).unwrap();
    let slots = m.slots().unwrap();
    assert_eq!(slots.len(), 100);
    assert!(
        slots
            .iter()
            .enumerate()
            .all(|(i, s)| usize::from(s.slot.index()) == i)
    );
    assert!(slots.iter().all(|s| !s.seed_present && s.params.is_none()));
}

#[test]
fn a_wrong_key_reports_the_tries_left_in_either_form() {
    let mut rec = card();
    let wrong = CustomerKey::parse("NOT-THE-KEY-0000").unwrap();
    let mut m = Molto2Session::open(&mut rec, wrong.clone()).unwrap();
    let e = m.set_clock(Slot::new(0).unwrap(), &clock).unwrap_err();
    assert_eq!(e.kind, DeviceErrorKind::KeyRefused { tries_left: 9 });
    drop(m);
    rec.card.answer_tries_as_count(true);
    let mut m = Molto2Session::open(&mut rec, wrong).unwrap();
    let e = m.delete_seed(Slot::new(0).unwrap()).unwrap_err();
    assert_eq!(e.kind, DeviceErrorKind::KeyRefused { tries_left: 8 });
    assert_eq!(e.state, TokenState::Untouched);
}

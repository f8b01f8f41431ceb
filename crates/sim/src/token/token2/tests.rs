//! The virtual single-profile token driven with APDUs built by the host's
//! codec (independent of the sim's crypto), checked against the firmware.

use super::*;
use oathdesk_device::apdu::Response;
use oathdesk_device::token2::codec::{self, Config, DisplayTimeout};
use oathdesk_device::wire::{HashAlgorithm, TimeStep};

fn card(model: &str) -> Token2Card {
    Token2Card::new(
        Token2Model::by_name(model).unwrap(),
        "000123",
        TokenClock::offset(0, 0.0),
    )
}

fn run(c: &mut Token2Card, apdu: &[u8]) -> Response {
    Response::parse(&c.transmit(apdu)).unwrap()
}

fn auth(c: &mut Token2Card) {
    let ch = codec::parse_challenge(&run(c, &codec::get_challenge())).unwrap();
    assert!(run(c, &codec::authenticate(&ch)).is_ok());
}

fn config(clock: u32) -> Vec<u8> {
    codec::write_config(&Config {
        display_timeout: DisplayTimeout::S30,
        clock,
        algorithm: HashAlgorithm::Sha1,
        step: TimeStep::S30,
    })
    .unwrap()
}

#[test]
fn info_reports_serial_and_clock() {
    let mut c = card("C301-i");
    let info = codec::parse_info(&run(&mut c, &codec::get_info())).unwrap();
    assert_eq!(info.serial, "8659610000123");
}

#[test]
fn writes_need_authentication_and_a_good_mac() {
    let mut c = card("OTPC-P1-i");
    assert_eq!(
        run(&mut c, &config(1_700_000_000)).sw,
        0x6983,
        "the firmware answers a missing authentication 6983"
    );
    auth(&mut c);
    let mut bad = config(1_700_000_000);
    *bad.last_mut().unwrap() ^= 1;
    assert_eq!(run(&mut c, &bad).sw, 0x6983);
    assert!(run(&mut c, &config(1_700_000_000)).is_ok());
}

#[test]
fn wrong_auth_answer_is_6983() {
    let mut c = card("OTPC-P1-i");
    run(&mut c, &codec::get_challenge());
    assert_eq!(run(&mut c, &codec::authenticate(&[0; 8])).sw, 0x6983);
}

#[test]
fn stores_the_seed_and_shows_its_code() {
    let mut c = card("OTPC-P1-i");
    auth(&mut c);
    let secret = Secret::from_slice(b"12345678901234567890");
    assert!(run(&mut c, &config(59)).is_ok());
    assert!(run(&mut c, &codec::write_seed(&secret).unwrap()).is_ok());
    assert_eq!(
        c.seed_sha256().unwrap(),
        hex::encode(Sha256::digest(b"12345678901234567890"))
    );
    let host = super::super::clock::host_now();
    let want = totp(&secret, &CodeParams::default(), c.clock.at(host)).unwrap();
    assert_eq!(c.display_code_at(host).unwrap(), want);
}

#[test]
fn restricted_sync_models_lose_their_seed_on_a_clock_write() {
    for (model, keeps) in [
        ("OTPC-P1-i", true),
        ("C302-i", true),
        ("miniOTP-2-i", true),
        ("C301-i", false),
        ("miniOTP-3-i", false),
    ] {
        let mut c = card(model);
        auth(&mut c);
        run(&mut c, &config(1_700_000_000));
        run(
            &mut c,
            &codec::write_seed(&Secret::from_slice(b"12345678901234567890")).unwrap(),
        );
        assert!(c.seed_sha256().is_some());
        assert!(run(&mut c, &config(1_700_000_100)).is_ok());
        assert_eq!(c.seed_sha256().is_some(), keeps, "{model}");
    }
}

/// A secured APDU built by the host's codec (independent of the sim's MAC).
fn secured(ins: u8, p1: u8, body: &[u8]) -> Vec<u8> {
    codec::secured(&DEVICE_KEY, ins, p1, 0, body).unwrap()
}

fn encrypted(plain: &[u8]) -> Vec<u8> {
    oathdesk_device::token2::crypto::ecb_encrypt(&DEVICE_KEY, plain)
}

#[test]
fn unknown_commands_get_the_firmwares_status_words() {
    let mut c = card("OTPC-P1-i");
    auth(&mut c);
    let cases: [(&str, Vec<u8>, u16); 7] = [
        ("unknown INS", vec![0x80, 0x99, 0, 0], 0x6D00),
        ("challenge with P1 00", vec![0x80, 0x4B, 0, 0, 0], 0x6D00),
        ("unknown secured INS", secured(0xD7, 0, &[0; 16]), 0x6D00),
        (
            "seed with P1 00",
            secured(0xC5, 0, &encrypted(&[0x80; 16])),
            0x6D00,
        ),
        ("ISO SELECT", vec![0x00, 0xA4, 4, 0], 0x6E00),
        ("CLA A0", vec![0xA0, 0x41, 0, 0, 0], 0x6E00),
        (
            "CLA 84 without a MAC",
            vec![0x84, 0xD4, 0, 0, 3, 1, 2, 3],
            0x6700,
        ),
    ];
    for (what, apdu, want) in cases {
        assert_eq!(run(&mut c, &apdu).sw, want, "{what}");
    }
    assert!(c.seed_sha256().is_none(), "nothing was written");
}

#[test]
fn malformed_lengths_are_6700() {
    let mut c = card("C301-i");
    let cases: [&[u8]; 5] = [
        &[0x80, 0x41, 0],
        &[0x80, 0x41, 0, 0, 2, 2],
        &[0x80, 0x41, 0, 0, 2, 2, 0x11, 0, 0],
        &[0x80, 0x41, 0, 0, 0, 0, 2],
        &[0x80, 0xCE, 0, 0, 0x10, 1, 2, 3],
    ];
    for apdu in cases {
        assert_eq!(run(&mut c, apdu).sw, 0x6700, "{apdu:02X?}");
    }
    assert!(
        run(&mut c, &[0x80, 0x41, 0, 0, 2, 2, 0x11, 0]).is_ok(),
        "an Le may follow"
    );
}

#[test]
fn an_answer_of_the_wrong_size_or_without_a_challenge_is_6a80() {
    let mut c = card("C301-i");
    let answer = codec::authenticate(&[0; 8]);
    assert_eq!(run(&mut c, &answer).sw, 0x6A80, "no challenge asked");
    let ch = codec::parse_challenge(&run(&mut c, &codec::get_challenge())).unwrap();
    let mut short = codec::authenticate(&ch);
    short.truncate(20);
    short[4] = 15;
    assert_eq!(run(&mut c, &short).sw, 0x6A80);
    assert!(
        run(&mut c, &codec::authenticate(&ch)).is_ok(),
        "the challenge still stands"
    );
    assert_eq!(
        run(&mut c, &codec::authenticate(&ch)).sw,
        0x6A80,
        "and is spent once answered"
    );
}

#[test]
fn seeds_that_do_not_decode_are_6a80() {
    let mut c = card("OTPC-P1-i");
    auth(&mut c);
    let no_marker = encrypted(&[0x41; 16]);
    let all_zero = encrypted(&[0; 32]);
    let five_blocks = encrypted(&[0x80; 80]);
    for (what, body) in [
        ("no 80 marker", no_marker),
        ("zeros only", all_zero),
        ("over 64 bytes", five_blocks),
        ("a partial block", vec![0x11; 20]),
    ] {
        assert_eq!(run(&mut c, &secured(0xC5, 1, &body)).sw, 0x6A80, "{what}");
    }
    let short_tlv = [0x81, 0x06, 0x0F, 0x04, 0, 0, 0, 1];
    assert_eq!(run(&mut c, &secured(0xD4, 0, &short_tlv)).sw, 0x6A80);
    assert!(c.seed_sha256().is_none());
}

#[test]
fn a_seed_write_of_the_padding_alone_leaves_no_seed() {
    let mut c = card("OTPC-P1-i");
    auth(&mut c);
    let secret = Secret::from_slice(b"12345678901234567890");
    assert!(run(&mut c, &codec::write_seed(&secret).unwrap()).is_ok());
    assert!(c.seed_sha256().is_some());
    let mut padding = vec![0x80];
    padding.resize(16, 0);
    assert!(run(&mut c, &secured(0xC5, 1, &encrypted(&padding))).is_ok());
    assert_eq!(c.seed_sha256(), None);
    assert_eq!(c.display_code(), None);
}

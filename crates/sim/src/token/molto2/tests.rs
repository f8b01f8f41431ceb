//! The virtual Molto2 driven with APDUs built by the host's codec and
//! crypto (independent of the sim's own), checked against Token2's spec.

use super::*;
use oathdesk_device::apdu::{Response, command};
use oathdesk_device::token2::crypto::{self, Key};

fn run(c: &mut Molto2Card, apdu: &[u8]) -> Response {
    Response::parse(&c.transmit(apdu)).unwrap()
}

fn auth(c: &mut Molto2Card, key: &Key) -> u16 {
    let ch = run(c, &[0x80, 0x4B, 0x08, 0x00, 0x00]).data;
    run(
        c,
        &command(
            0x80,
            0xCE,
            0,
            0,
            &crypto::auth_response(key, &ch[..8]),
            None,
        )
        .unwrap(),
    )
    .sw
}

fn secured(key: &Key, ins: u8, p1: u8, p2: u8, body: &[u8]) -> Vec<u8> {
    let mut data = body.to_vec();
    data.extend_from_slice(&crypto::command_mac(key, ins, p1, p2, body).unwrap());
    command(0x84, ins, p1, p2, &data, None).unwrap()
}

fn card() -> Molto2Card {
    Molto2Card::new("MOLTO2000001", TokenClock::offset(0, 0.0))
}

#[test]
fn wrong_key_counts_down_tries_in_63cx() {
    let mut c = card();
    let wrong = crypto::molto2_key(b"NOT-THE-RIGHT-KY");
    assert_eq!(auth(&mut c, &wrong), 0x63C9);
    assert_eq!(auth(&mut c, &wrong), 0x63C8);
    let right = crypto::molto2_key(DEFAULT_CUSTOMER_KEY);
    assert_eq!(
        auth(&mut c, &right),
        0x9000,
        "a right answer resets the count"
    );
    for left in (0..MAX_TRIES).rev() {
        assert_eq!(auth(&mut c, &wrong), 0x63C0 | u16::from(left));
    }
    assert_eq!(
        auth(&mut c, &right),
        0x63C0,
        "locked out: even the right key fails"
    );
    assert_eq!(run(&mut c, &[0x80, 0x56, 0, 0, 0]).sw, 0x9060);
    assert!(c.press_up());
    assert_eq!(auth(&mut c, &right), 0x9000, "a factory reset recovers");
}

#[test]
fn key_change_waits_for_the_button() {
    let mut c = card();
    let old = crypto::molto2_key(DEFAULT_CUSTOMER_KEY);
    let new = crypto::molto2_key(b"0123456789abcdef");
    assert_eq!(auth(&mut c, &old), 0x9000);
    let mut plain = vec![0x00];
    plain.extend_from_slice(new.as_slice());
    plain.push(0x80);
    plain.resize(32, 0);
    let apdu = secured(&old, 0xD7, 0, 0, &crypto::ecb_encrypt(&old, &plain));
    assert_eq!(run(&mut c, &apdu).sw, 0x9060);
    assert!(c.is_waiting_for_press());
    assert_eq!(auth(&mut c, &new), 0x63C9, "not committed before the press");
    assert!(c.press_up());
    assert_eq!(auth(&mut c, &new), 0x9000);
    assert!(!c.press_up(), "nothing left to confirm");
}

#[test]
fn slots_take_seed_title_digits_and_delete() {
    let mut c = card();
    let key = crypto::molto2_key(DEFAULT_CUSTOMER_KEY);
    assert_eq!(auth(&mut c, &key), 0x9000);
    let t = 1_700_000_000u32.to_be_bytes();
    let config = [
        0x81, 0x14, 0x1F, 0x01, 0x02, 0x0F, 0x04, t[0], t[1], t[2], t[3], 0x86, 0x09, 0x0A, 0x01,
        0x01, 0x0B, 0x01, 0x06, 0x0D, 0x01, 0x1E,
    ];
    // Token2's published vector for 1700000000, timeout 2, SHA1, 6 digits, 30 s.
    assert_eq!(
        hex::encode(config),
        "81141f01020f046553f10086090a01010b01060d011e"
    );
    assert_eq!(
        run(&mut c, &secured(&key, 0xD4, 0x01, 42, &config)).sw,
        0x9000
    );
    let seed = crypto::ecb_encrypt(&key, &crypto::seed_pad(b"12345678901234567890"));
    assert_eq!(
        run(&mut c, &secured(&key, 0xC5, 0x01, 42, &seed)).sw,
        0x9000
    );
    let title = crypto::ecb_encrypt(&key, &crypto::seed_pad(b"VPN"));
    assert_eq!(
        run(&mut c, &secured(&key, 0xD5, 0x00, 42, &title)).sw,
        0x9000
    );
    assert_eq!(c.slots[42].title.as_deref(), Some("VPN"));
    assert_eq!(
        c.display_code_at(42, super::super::clock::host_now())
            .unwrap()
            .len(),
        6
    );
    let public = run(&mut c, &[0x80, 0x41, 0x00, 42, 0x01, 0x70]);
    assert_eq!(
        (public.data[0], *public.data.last().unwrap()),
        (0x95, 1),
        "seed present"
    );
    assert_eq!(run(&mut c, &[0x80, 0xE6, 0x00, 42, 0x00]).sw, 0x9000);
    assert_eq!(
        run(&mut c, &[0x80, 0xE6, 0x00, 42, 0x00]).sw,
        0x6A83,
        "already empty"
    );
}

#[test]
fn a_bad_mac_is_refused() {
    let mut c = card();
    let key = crypto::molto2_key(DEFAULT_CUSTOMER_KEY);
    auth(&mut c, &key);
    let mut apdu = secured(&key, 0xD4, 0x01, 0, &[0x81, 0x06, 0x0F, 0x04, 0, 0, 0, 1]);
    *apdu.last_mut().unwrap() ^= 0xFF;
    assert_eq!(run(&mut c, &apdu).sw, 0x6988);
}

fn default_key() -> Key {
    crypto::molto2_key(DEFAULT_CUSTOMER_KEY)
}

/// A device with a seed in slot 42, authenticated.
fn seeded() -> Molto2Card {
    let mut c = card();
    let key = default_key();
    assert_eq!(auth(&mut c, &key), 0x9000);
    let seed = crypto::ecb_encrypt(&key, &crypto::seed_pad(b"12345678901234567890"));
    assert!(run(&mut c, &secured(&key, 0xC5, 0x01, 42, &seed)).is_ok());
    assert!(c.seed_sha256(42).is_some());
    c
}

fn seed_present(c: &mut Molto2Card, slot: u8) -> u8 {
    *run(c, &[0x80, 0x41, 0x00, slot, 0x01, 0x70])
        .data
        .last()
        .unwrap()
}

/// MOLTO2-PROTOCOL.md §5.2 and molto2-tools `pad_seed`: an all-zero seed
/// of any length, zero-padded without the `80` marker, clears the slot.
#[test]
fn an_all_zero_seed_clears_the_slot() {
    let key = default_key();
    for len in [1usize, 16, 20, 63] {
        let mut c = seeded();
        let zeros = vec![0u8; (len / 16 + 1) * 16];
        let apdu = secured(&key, 0xC5, 0x01, 42, &crypto::ecb_encrypt(&key, &zeros));
        assert_eq!(run(&mut c, &apdu).sw, 0x9000, "{len}-byte zero seed");
        assert_eq!(c.seed_sha256(42), None, "{len}-byte zero seed");
        assert_eq!(seed_present(&mut c, 42), 0);
        assert_eq!(c.state()["slots"], serde_json::json!([]));
    }
}

/// With the `80` marker the same zeros are a seed (molto2-tools fixed its
/// tool for this: such a write did not clear the slot).
#[test]
fn a_zero_seed_with_padding_is_stored_not_a_clear() {
    let key = default_key();
    let mut c = seeded();
    let padded = crypto::seed_pad(&[0; 20]);
    let apdu = secured(&key, 0xC5, 0x01, 42, &crypto::ecb_encrypt(&key, &padded));
    assert!(run(&mut c, &apdu).is_ok());
    assert_eq!(
        c.seed_sha256(42).unwrap(),
        hex::encode(Sha256::digest([0u8; 20]))
    );
}

/// MOLTO2-PROTOCOL.md §3 and §5.4: delete, lock and unlock are issued on
/// an authenticated session; without one they are refused (`6982`) and
/// change nothing.
#[test]
fn delete_lock_and_unlock_need_authentication() {
    let mut c = seeded();
    c.power_on();
    let delete = [0x80, 0xE6, 0x00, 42, 0x00];
    let lock = [0x80, 0xD8, 0x0C, 0x02, 0x00];
    let unlock = [0x80, 0xD8, 0x0C, 0x02, 0x01, 0x01];
    for apdu in [&delete[..], &lock, &unlock] {
        assert_eq!(run(&mut c, apdu).sw, 0x6982, "{apdu:02X?}");
    }
    assert!(c.seed_sha256(42).is_some());
    assert!(!c.screen_locked);
    assert_eq!(auth(&mut c, &default_key()), 0x9000);
    assert!(run(&mut c, &lock).is_ok());
    assert_eq!(c.state()["screen_locked"], true);
    assert!(run(&mut c, &unlock).is_ok());
    assert_eq!(c.state()["screen_locked"], false);
    assert!(run(&mut c, &delete).is_ok());
    assert_eq!(c.seed_sha256(42), None);
}

fn config(timeout: u8) -> [u8; 22] {
    let t = 1_700_000_000u32.to_be_bytes();
    [
        0x81, 0x14, 0x1F, 0x01, timeout, 0x0F, 0x04, t[0], t[1], t[2], t[3], 0x86, 0x09, 0x0A,
        0x01, 0x01, 0x0B, 0x01, 0x06, 0x0D, 0x01, 0x1E,
    ]
}

#[test]
fn the_display_timeout_written_is_kept_and_shown_in_the_state() {
    let key = default_key();
    let mut c = card();
    assert_eq!(c.state()["display_timeout"], 1, "factory: 30 s");
    assert_eq!(auth(&mut c, &key), 0x9000);
    assert!(run(&mut c, &secured(&key, 0xD4, 0x01, 7, &config(3))).is_ok());
    assert_eq!(c.display_timeout, 3);
    assert_eq!(c.state()["display_timeout"], 3);
    let refused = secured(&key, 0xD4, 0x01, 7, &config(4));
    assert_eq!(run(&mut c, &refused).sw, 0x6A80);
    let clock_only = [0x81, 0x06, 0x0F, 0x04, 0x65, 0x53, 0xF1, 0x00];
    assert!(run(&mut c, &secured(&key, 0xD4, 0x01, 7, &clock_only)).is_ok());
    assert_eq!(c.state()["display_timeout"], 3, "kept by both");
}

/// Every command the device does not take is refused with the status
/// word it would send, and nothing changes.
#[test]
fn what_the_device_does_not_take_is_refused_with_its_status_word() {
    let key = default_key();
    let s = |ins, p1, p2, body: &[u8]| secured(&key, ins, p1, p2, body);
    let block = crypto::ecb_encrypt(&key, &crypto::seed_pad(b"VPN"));
    let no_marker = crypto::ecb_encrypt(&key, &[0x41; 16]);
    let two_blocks = crypto::ecb_encrypt(&key, &crypto::seed_pad(b"a title, 17 b"));
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("unknown INS", vec![0x80, 0x99, 0, 0], 0x6D00),
        ("unknown secured INS", s(0x99, 0, 0, &[0; 8]), 0x6D00),
        ("ISO CLA", vec![0x00, 0xA4, 0x04, 0x00, 0x00], 0x6E00),
        ("proprietary CLA A0", vec![0xA0, 0x41, 0, 0, 0], 0x6E00),
        ("info, P1 01", vec![0x80, 0x41, 0x01, 0x00, 0x00], 0x6A86),
        ("info, P2 05", vec![0x80, 0x41, 0x00, 0x05, 0x00], 0x6A86),
        ("slot 100", vec![0x80, 0x41, 0x00, 100, 0x01, 0x70], 0x6A86),
        (
            "unknown tag",
            vec![0x80, 0x41, 0x00, 0x00, 0x01, 0x71],
            0x6A80,
        ),
        (
            "challenge, P1 00",
            vec![0x80, 0x4B, 0x00, 0x00, 0x00],
            0x6A86,
        ),
        (
            "answer, P1 01",
            [&[0x80, 0xCE, 1, 0, 0x10][..], &[0; 16]].concat(),
            0x6A86,
        ),
        ("reset, P1 01", vec![0x80, 0x56, 0x01, 0x00, 0x00], 0x6A86),
        ("delete, P1 01", vec![0x80, 0xE6, 0x01, 42, 0x00], 0x6A86),
        (
            "delete, slot 100",
            vec![0x80, 0xE6, 0x00, 100, 0x00],
            0x6A86,
        ),
        (
            "delete with data",
            vec![0x80, 0xE6, 0x00, 42, 0x01, 0x00],
            0x6700,
        ),
        ("lock, P2 03", vec![0x80, 0xD8, 0x0C, 0x03, 0x00], 0x6A86),
        (
            "unlock byte 02",
            vec![0x80, 0xD8, 0x0C, 0x02, 0x01, 0x02],
            0x6A80,
        ),
        (
            "unlock, 2 bytes",
            vec![0x80, 0xD8, 0x0C, 0x02, 0x02, 1, 1],
            0x6700,
        ),
        ("seed, P1 00", s(0xC5, 0x00, 42, &block), 0x6A86),
        ("seed, slot 100", s(0xC5, 0x01, 100, &block), 0x6A86),
        ("config, P1 00", s(0xD4, 0x00, 42, &config(1)), 0x6A86),
        ("title, P1 01", s(0xD5, 0x01, 42, &block), 0x6A86),
        (
            "key change, P2 01",
            s(0xD7, 0x00, 0x01, &[block.clone(), block.clone()].concat()),
            0x6A86,
        ),
        (
            "a MAC alone",
            vec![0x84, 0xD4, 0x01, 42, 0x04, 1, 2, 3, 4],
            0x6700,
        ),
        (
            "shorter than a MAC",
            vec![0x84, 0xD4, 0x01, 42, 0x03, 1, 2, 3],
            0x6700,
        ),
        (
            "seed, partial block",
            s(0xC5, 0x01, 42, &[0x11; 20]),
            0x6A80,
        ),
        ("seed, no marker", s(0xC5, 0x01, 42, &no_marker), 0x6A80),
        ("title, two blocks", s(0xD5, 0x00, 42, &two_blocks), 0x6A80),
        ("title, no marker", s(0xD5, 0x00, 42, &no_marker), 0x6A80),
        (
            "config, short TLV",
            s(0xD4, 0x01, 42, &config(1)[..20]),
            0x6A80,
        ),
        ("key change, one block", s(0xD7, 0x00, 0x00, &block), 0x6A80),
        ("3 bytes", vec![0x80, 0x41, 0x00], 0x6700),
        (
            "Lc past the end",
            vec![0x80, 0x41, 0x00, 0x00, 0x02, 0x70],
            0x6700,
        ),
        (
            "extended Lc",
            vec![0x80, 0x41, 0x00, 0x00, 0x00, 0x00, 0x01, 0x70],
            0x6700,
        ),
    ];
    let mut c = card();
    assert_eq!(auth(&mut c, &key), 0x9000);
    for (what, apdu, want) in cases {
        assert_eq!(run(&mut c, &apdu).sw, want, "{what}: {apdu:02X?}");
    }
    assert!(!c.is_waiting_for_press() && !c.screen_locked);
    assert!((0..SLOTS).all(|p| c.seed_sha256(p).is_none() && c.slots[p].title.is_none()));
    assert_eq!(c.state()["display_timeout"], 1);
    assert_eq!(c.tries_left, MAX_TRIES);
}

#[test]
fn an_answer_of_the_wrong_length_spends_no_try() {
    let mut c = card();
    run(&mut c, &[0x80, 0x4B, 0x08, 0x00, 0x00]);
    let short = [&[0x80, 0xCE, 0, 0, 0x0F][..], &[0; 15]].concat();
    assert_eq!(run(&mut c, &short).sw, 0x6700);
    assert_eq!(c.tries_left, MAX_TRIES);
}

//! The virtual applet against the facts: raw APDUs built here (not by the
//! host's codec), answers checked byte for byte, codes pinned to the RFC
//! vectors. Some tests also drive it with the host's session to show that
//! host and fake agree.

mod chaining;
mod hotp_touch;
mod rename;
mod status_words;
mod vectors;

use super::tlv::tlv;
use super::*;

/// The answer's data and status word.
pub(super) fn raw(c: &mut YkOathCard, apdu: &[u8]) -> (Vec<u8>, u16) {
    let out = c.transmit(apdu);
    let (data, status) = out.split_at(out.len() - 2);
    (data.to_vec(), u16::from_be_bytes([status[0], status[1]]))
}

/// `00 INS P1 P2 [Lc data]`.
pub(super) fn apdu(ins: u8, p1: u8, p2: u8, data: &[u8]) -> Vec<u8> {
    let mut a = vec![0x00, ins, p1, p2];
    if !data.is_empty() {
        a.push(u8::try_from(data.len()).unwrap());
        a.extend_from_slice(data);
    }
    a
}

pub(super) fn run(c: &mut YkOathCard, ins: u8, p1: u8, p2: u8, data: &[u8]) -> (Vec<u8>, u16) {
    raw(c, &apdu(ins, p1, p2, data))
}

pub(super) fn select(c: &mut YkOathCard) -> (Vec<u8>, u16) {
    raw(c, &[&[0x00, 0xA4, 0x04, 0x00, 0x07][..], &AID].concat())
}

/// A selected applet of `version`.
pub(super) fn selected(version: Version) -> YkOathCard {
    let mut c = YkOathCard::with_version(version);
    assert_eq!(select(&mut c).1, 0x9000);
    c
}

/// PUT data: `71 name ‖ 73 <kind> <digits> <secret>` and any `extra`.
pub(super) fn put_data(name: &[u8], kind: u8, digits: u8, secret: &[u8], extra: &[u8]) -> Vec<u8> {
    [
        tlv(0x71, name),
        tlv(0x73, &[&[kind, digits][..], secret].concat()),
        extra.to_vec(),
    ]
    .concat()
}

pub(super) fn put(c: &mut YkOathCard, name: &str, secret: &[u8]) -> u16 {
    run(
        c,
        0x01,
        0,
        0,
        &put_data(name.as_bytes(), 0x21, 6, secret, &[]),
    )
    .1
}

/// CALCULATE (truncated) of `name` → the 31-bit value.
pub(super) fn truncated(c: &mut YkOathCard, name: &[u8], challenge: &[u8]) -> (u8, u32) {
    let data = [tlv(0x71, name), tlv(0x74, challenge)].concat();
    let (resp, status) = run(c, 0xA2, 0, 0x01, &data);
    assert_eq!(status, 0x9000);
    let [0x76, 0x05, digits, a, b, c, d] = resp[..] else {
        panic!("not a truncated response: {resp:02X?}");
    };
    (digits, u32::from_be_bytes([a, b, c, d]))
}

pub(super) const SEED: &[u8] = b"12345678901234567890";

#[test]
fn select_reports_version_salt_and_no_challenge_without_a_code() {
    let mut c = YkOathCard::with_version([5, 4, 3]);
    let (data, status) = select(&mut c);
    assert_eq!(status, 0x9000);
    assert_eq!(data[..5], [0x79, 0x03, 5, 4, 3]);
    assert_eq!(data[5..7], [0x71, 0x08]);
    assert_eq!(data.len(), 15, "no 74 challenge: no access code");
    assert_eq!(
        c.device_id(),
        data_encoding::BASE64_NOPAD.encode(&Sha256::digest(&data[7..15])[..16])
    );
}

#[test]
fn put_list_calculate_delete() {
    let mut c = selected(DEFAULT_VERSION);
    assert_eq!(put(&mut c, "Contoso:alice", SEED), 0x9000);
    let (list, status) = run(&mut c, 0xA1, 0, 0, &[]);
    assert_eq!(status, 0x9000);
    assert_eq!(list, tlv(0x72, &[&[0x21][..], b"Contoso:alice"].concat()));
    let step = 1_111_111_109u64 / 30;
    let (digits, v) = truncated(&mut c, b"Contoso:alice", &step.to_be_bytes());
    // RFC 6238's SHA-1 value at 1111111109 is 07081804 (8 digits).
    assert_eq!((digits, v % 100_000_000), (6, 7_081_804));
    assert_eq!(c.code("Contoso:alice", 1_111_111_109).unwrap(), "081804");
    let (all, status) = run(&mut c, 0xA4, 0, 0x01, &tlv(0x74, &step.to_be_bytes()));
    assert_eq!(status, 0x9000);
    let head = tlv(0x71, b"Contoso:alice");
    assert_eq!(all[..head.len()], head[..]);
    assert_eq!(all[head.len()..head.len() + 3], [0x76, 0x05, 0x06]);
    assert_eq!(
        run(&mut c, 0x02, 0, 0, &tlv(0x71, b"Contoso:alice")).1,
        0x9000
    );
    assert!(c.credentials().is_empty());
    assert_eq!(
        run(&mut c, 0x02, 0, 0, &tlv(0x71, b"Contoso:alice")).1,
        0x6984
    );
}

/// yubikit's SET CODE and VALIDATE: `73 21 <key> ‖ 74 ‖ 75`, then after
/// a reselect everything but VALIDATE and RESET is `6982`.
#[test]
fn a_password_locks_until_validated() {
    let mut c = selected(DEFAULT_VERSION);
    let key = [7u8; 16];
    let ch = [1u8; 8];
    let answer = |k: &[u8], m: &[u8]| credential::hmac(1, k, m);
    let set = |resp: &[u8]| {
        [
            tlv(0x73, &[&[0x21][..], &key].concat()),
            tlv(0x74, &ch),
            tlv(0x75, resp),
        ]
        .concat()
    };
    assert_eq!(
        run(&mut c, 0x03, 0, 0, &set(&[0; 20])).1,
        0x6984,
        "wrong proof"
    );
    assert_eq!(run(&mut c, 0x03, 0, 0, &set(&answer(&key, &ch))).1, 0x9000);
    assert!(
        run(&mut c, 0xA1, 0, 0, &[]).1 == 0x9000,
        "this session stays open"
    );
    let (sel, _) = select(&mut c);
    let challenge = sel[17..25].to_vec();
    assert_eq!(sel[15..17], [0x74, 0x08]);
    assert_eq!(sel[25..], [0x7B, 0x01, 0x21]);
    for ins in [0xA1, 0x01, 0x02, 0xA2, 0xA4, 0xA5, 0x05, 0x42] {
        assert_eq!(
            run(&mut c, ins, 0, 0, &[]).1,
            0x6982,
            "INS {ins:02X} locked"
        );
    }
    let host_ch = [9u8; 8];
    let validate = |resp: &[u8]| [tlv(0x75, resp), tlv(0x74, &host_ch)].concat();
    assert_eq!(run(&mut c, 0xA3, 0, 0, &validate(&[0; 20])).1, 0x6A80);
    let (ok, status) = run(&mut c, 0xA3, 0, 0, &validate(&answer(&key, &challenge)));
    assert_eq!(status, 0x9000);
    assert_eq!(ok, tlv(0x75, &answer(&key, &host_ch)));
    assert_eq!(run(&mut c, 0xA1, 0, 0, &[]).1, 0x9000);
}

#[test]
fn reset_wipes_everything_even_when_locked() {
    let mut c = selected(DEFAULT_VERSION);
    put(&mut c, "a", SEED);
    let key = [3u8; 16];
    let set = [
        tlv(0x73, &[&[0x21][..], &key].concat()),
        tlv(0x74, &[1; 8]),
        tlv(0x75, &credential::hmac(1, &key, &[1; 8])),
    ]
    .concat();
    assert_eq!(run(&mut c, 0x03, 0, 0, &set).1, 0x9000);
    let id = c.device_id();
    select(&mut c);
    assert_eq!(run(&mut c, 0x04, 0, 0, &[]).1, 0x6B00, "RESET needs DE AD");
    assert_eq!(run(&mut c, 0x04, 0xDE, 0xAD, &[]), (vec![], 0x9000));
    assert!(c.credentials().is_empty());
    assert_ne!(c.device_id(), id, "a new salt");
    assert_eq!(
        run(&mut c, 0xA1, 0, 0, &[]),
        (vec![], 0x9000),
        "unlocked, empty"
    );
}

/// 32 credentials before firmware 5.7.0, 64 from it; replacing one of
/// the same name needs no room.
#[test]
fn capacity_follows_the_firmware() {
    for (version, room) in [([5, 4, 3], 32), ([5, 7, 0], 64)] {
        let mut c = selected(version);
        for i in 0..room {
            assert_eq!(put(&mut c, &format!("n{i}"), SEED), 0x9000);
        }
        assert_eq!(put(&mut c, "one-more", SEED), 0x6A84, "{version:?}");
        assert_eq!(put(&mut c, "n0", b"another secret!"), 0x9000);
        assert_eq!(c.credentials().len(), room);
    }
}

//! Issue 14 item 9, first half: the bare touch property and HOTP's
//! counter (RFC 4226 Appendix D, counted by the applet itself).

use oathdesk_device::transport::FnTransport;
use oathdesk_device::ykoath::{CredentialName, YkOathSession};
use oathdesk_otp::{CodeParams, OtpKind, Secret};

use super::super::tlv::tlv;
use super::*;

/// RFC 4226 Appendix D: the truncated 31-bit values for counts 0..=9.
const TRUNCATED: [u32; 10] = [
    1_284_755_224,
    1_094_287_082,
    137_359_152,
    1_726_969_429,
    1_640_338_314,
    868_254_676,
    1_918_287_922,
    82_162_583,
    673_399_871,
    645_520_489,
];
/// … and the six-digit codes.
const CODES: [&str; 10] = [
    "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871",
    "520489",
];

fn hotp_put(imf: Option<u32>) -> Vec<u8> {
    let extra = imf.map(|n| tlv(0x7A, &n.to_be_bytes())).unwrap_or_default();
    put_data(b"hotp", 0x11, 6, SEED, &extra)
}

/// `78 02` with no length byte (yubikit's `struct.pack(">BB", 0x78, 2)`)
/// asks for a touch; CALCULATE ALL then answers `7C <digits>` for it.
#[test]
fn a_bare_touch_property_is_accepted() {
    let mut c = selected(DEFAULT_VERSION);
    let data = put_data(b"touchy", 0x21, 6, SEED, &[0x78, 0x02]);
    assert_eq!(run(&mut c, 0x01, 0, 0, &data).1, 0x9000);
    assert!(c.credentials()[0].touch);
    let (all, _) = run(&mut c, 0xA4, 0, 1, &tlv(0x74, &[0; 8]));
    assert_eq!(all, [tlv(0x71, b"touchy"), vec![0x7C, 0x01, 0x06]].concat());
}

/// A touch sent as a TLV with a length (`78 01 02`) is not the applet's
/// format: its `01` is read as the property (only increasing) and the
/// stray `02` is wrong syntax; a tag without its byte likewise.
#[test]
fn a_length_prefixed_or_cut_property_is_wrong_syntax() {
    let mut c = selected(DEFAULT_VERSION);
    for extra in [&[0x78, 0x01, 0x02][..], &[0x78], &[0x78, 0x04]] {
        let data = put_data(b"touchy", 0x21, 6, SEED, extra);
        assert_eq!(run(&mut c, 0x01, 0, 0, &data).1, 0x6A80, "{extra:02X?}");
    }
    assert!(c.credentials().is_empty());
}

/// The host's own PUT for a touch credential is accepted as such: host
/// and fake agree on the bare `78 02`.
#[test]
fn the_hosts_touch_put_is_the_applets_format() {
    let mut card = selected(DEFAULT_VERSION);
    let transport = FnTransport(|a: &[u8]| card.transmit(a));
    let mut session = YkOathSession::select(transport).unwrap();
    let name = CredentialName::new(30, "Contoso:touch").unwrap();
    let secret = Secret::from_slice(SEED);
    session
        .put(&name, &secret, OtpKind::Totp, &CodeParams::default(), true)
        .unwrap();
    drop(session);
    assert!(card.credentials()[0].touch);
}

/// HOTP from count 0: each CALCULATE uses the counter and counts up; the
/// challenge is ignored (yubikit sends an empty `74 00`).
#[test]
fn hotp_counts_up_from_zero_and_ignores_the_challenge() {
    let mut c = selected(DEFAULT_VERSION);
    assert_eq!(run(&mut c, 0x01, 0, 0, &hotp_put(None)).1, 0x9000);
    for (count, want) in TRUNCATED.iter().enumerate() {
        assert_eq!(
            c.code("hotp", 0).unwrap(),
            CODES[count],
            "next code, not counted"
        );
        let challenge = [count as u8; 8];
        let chosen: &[u8] = if count % 2 == 0 { &[] } else { &challenge };
        assert_eq!(
            truncated(&mut c, b"hotp", chosen),
            (6, *want),
            "count {count}"
        );
    }
    assert_eq!(c.credentials()[0].counter(), Some(10));
}

/// The PUT's `7A 04 <u32 BE>` is where counting starts.
#[test]
fn hotp_starts_at_the_initial_counter() {
    let mut c = selected(DEFAULT_VERSION);
    assert_eq!(run(&mut c, 0x01, 0, 0, &hotp_put(Some(5))).1, 0x9000);
    assert_eq!(truncated(&mut c, b"hotp", &[]).1, TRUNCATED[5]);
    assert_eq!(truncated(&mut c, b"hotp", &[]).1, TRUNCATED[6]);
    let imf_3 = put_data(b"hotp", 0x11, 6, SEED, &[0x7A, 0x03, 0, 0, 7]);
    assert_eq!(run(&mut c, 0x01, 0, 0, &imf_3).1, 0x6A80, "IMF is 4 bytes");
}

/// A full response (P2 `00`) is RFC 4226's HMAC-SHA-1 over the counter.
#[test]
fn hotp_full_response_is_the_rfc_hmac() {
    let mut c = selected(DEFAULT_VERSION);
    run(&mut c, 0x01, 0, 0, &hotp_put(None));
    let data = [tlv(0x71, b"hotp"), tlv(0x74, &[])].concat();
    for want in [
        "cc93cf18508d94934c64b65d8ba7667fb7cde4b0",
        "75a48a19d4cbe100644e8ac1397eea747a2d33ab",
    ] {
        let (resp, status) = run(&mut c, 0xA2, 0, 0, &data);
        assert_eq!(status, 0x9000);
        assert_eq!(resp[..3], [0x75, 21, 6]);
        assert_eq!(hex::encode(&resp[3..]), want);
    }
}

/// CALCULATE ALL names a HOTP credential with `77 <digits>` (even with a
/// touch, so yubikit still reads it as HOTP) and does not count.
#[test]
fn calculate_all_lists_hotp_without_counting() {
    let mut c = selected(DEFAULT_VERSION);
    let data = put_data(b"hotp", 0x11, 8, SEED, &[0x78, 0x02]);
    assert_eq!(run(&mut c, 0x01, 0, 0, &data).1, 0x9000);
    let (all, _) = run(&mut c, 0xA4, 0, 1, &tlv(0x74, &[0; 8]));
    assert_eq!(all, [tlv(0x71, b"hotp"), vec![0x77, 0x01, 0x08]].concat());
    assert_eq!(c.credentials()[0].counter(), Some(0));
}

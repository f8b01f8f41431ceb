//! The OTP applet's codec, seal and session against a scripted key: exact
//! APDUs, the code-present rule and paging, each status word's next step,
//! and the builder's refusals. Vectors cite their source.

use std::collections::VecDeque;

use oathdesk_otp::{Algorithm, OtpKind, Secret};
use p256::SecretKey;

use super::codec::{self, Token2OtpError};
use super::entry::delete_plaintext;
use super::seal::{self, DeviceKey};
use super::{Entry, EntryName, MAX_PAGES, NewEntry, OtpHash, Token2OtpSession};
use crate::apdu::Response;
use crate::token2::codec::Token2Error;
use crate::transport::{Transport, TransportError};
use crate::{DeviceError, DeviceErrorKind, TokenState};

pub(super) fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A key that answers from a script, in order, and records every APDU.
#[derive(Default)]
struct Scripted {
    answers: VecDeque<Result<Vec<u8>, TransportError>>,
    sent: Vec<Vec<u8>>,
}

impl Scripted {
    fn new(answers: &[&[u8]]) -> Self {
        Scripted {
            answers: answers.iter().map(|a| Ok(a.to_vec())).collect(),
            sent: vec![],
        }
    }

    fn then(mut self, answer: Result<Vec<u8>, TransportError>) -> Self {
        self.answers.push_back(answer);
        self
    }

    /// The instruction and P1 P2 of every APDU sent.
    fn headers(&self) -> Vec<[u8; 4]> {
        self.sent
            .iter()
            .map(|a| a[..4].try_into().unwrap())
            .collect()
    }
}

impl Transport for Scripted {
    fn transmit_raw(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.sent.push(apdu.to_vec());
        self.answers
            .pop_front()
            .unwrap_or_else(|| panic!("unscripted APDU {}", hex_of(apdu)))
    }
}

const OK: &[u8] = &[0x90, 0x00];
const SELECT: [u8; 4] = [0x00, 0xA4, 0x04, 0x00];

// RFC 5903 §8.1: i (the host's key here) and r (the key's), with g^r.
const RFC_I: &str = "C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433";
const RFC_R: &str = "C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53";
const RFC_GR: &str = "D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63\
                      56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB";

fn device_key_answer() -> Vec<u8> {
    [hex(RFC_GR), OK.to_vec()].concat()
}

fn name(issuer: &str, account: &str) -> EntryName {
    EntryName::new(issuer, account).unwrap()
}

fn totp(digits: u32, step: u64, touch: bool) -> Result<NewEntry, DeviceError> {
    NewEntry::totp(
        name("Test", "alice"),
        &Secret::from_slice(b"Hello"),
        Algorithm::Sha1,
        step,
        digits,
        touch,
    )
}

fn answer(data: &[u8]) -> Response {
    Response {
        data: data.to_vec(),
        sw: 0x9000,
    }
}

fn assert_malformed<T: std::fmt::Debug>(r: Result<T, DeviceError>) {
    let e = r.unwrap_err();
    assert_eq!(
        e.kind,
        DeviceErrorKind::Refused(Token2Error::Malformed),
        "{e}"
    );
}

fn assert_bad_input<T: std::fmt::Debug>(r: Result<T, DeviceError>, says: &str) {
    let e = r.unwrap_err();
    assert!(
        matches!(&e.kind, DeviceErrorKind::BadInput(m) if m.contains(says)),
        "{e:?} should say {says:?}"
    );
    assert_eq!(e.state, TokenState::Untouched);
}

/// The byte layouts of Token2's tool (token2/T2F2_TOTP_Authenticator
/// `src/proto.rs`: `read_config_apdu_form`, `extended_apdu_layout`,
/// `select_uses_short_lc`, `read_serial_request`).
#[test]
fn apdus_are_the_vendor_tools_bytes() {
    assert_eq!(hex_of(&codec::select_otp()), "00a4040008f00000014f747001");
    assert_eq!(hex_of(&codec::select_fido()), "00a4040008a0000006472f0001");
    assert_eq!(codec::get_device_key(), [0x80, 0xC5, 0x01, 0x00, 0x00]);
    assert_eq!(codec::read_config(), [0x80, 0xC5, 0x02, 0x00, 0x40]);
    assert_eq!(hex_of(&codec::enable_totp(true)), "80c5020500000101");
    assert_eq!(hex_of(&codec::enable_totp(false)), "80c5020500000100");
    assert_eq!(
        hex_of(&codec::read_all(0)),
        "80c50500000009030000000000000000"
    );
    let t = 0x0102_0304_0506_0708;
    assert_eq!(
        hex_of(&codec::read_all(t)),
        "80c50500000009030102030405060708"
    );
    assert_eq!(
        hex_of(&codec::read_next_page(t)),
        "80c505010000080102030405060708"
    );
    assert_eq!(
        hex_of(&codec::read_one(&name("ab", "c"), t).unwrap()),
        "80c5050000000e0101020304050607080261620163"
    );
    let serial = codec::read_serial();
    assert_eq!(hex_of(&serial[..9]), "80330000000012d110");
    assert_eq!(serial.len(), 7 + 18);
    assert!(serial[9..].iter().all(|b| *b == 0));
}

#[test]
fn writes_carry_an_extended_lc_and_refuse_what_it_cannot_hold() {
    let apdu = codec::write_sealed(&[7; 300]).unwrap();
    assert_eq!(hex_of(&apdu[..7]), "80c5050200012c");
    assert_eq!(apdu.len(), 7 + 300);
    assert_bad_input(codec::write_sealed(&vec![0; 65_536]), "at most 65535 bytes");
}

/// token2/T2F2_TOTP_Authenticator `src/entry.rs` (`write_entry_cleartext`).
#[test]
fn entry_plaintext_is_the_vendor_layout() {
    let e = totp(6, 30, false).unwrap();
    let want = [
        &hex("01 C1 00 1E 06 00 04")[..],
        b"Test",
        &[5],
        b"alice",
        &[5],
        b"Hello",
    ]
    .concat();
    assert_eq!(*e.plaintext(), want);
    let e = NewEntry::totp(
        name("", "bob"),
        &Secret::from_slice(&[0xAA; 64]),
        Algorithm::Sha256,
        65_535,
        10,
        true,
    )
    .unwrap();
    let p = e.plaintext();
    assert_eq!(p[..8], hex("01 C2 FF FF 0A 01 00 03"));
    assert_eq!((p[11], p.len()), (64, 12 + 64));
    let delete = delete_plaintext(&name("Test", "alice"));
    let want = [&[0u8; 6][..], &[4], b"Test", &[5], b"alice", &[0]].concat();
    assert_eq!(*delete, want);
}

#[test]
fn the_builder_refuses_what_the_key_cannot_store() {
    assert_bad_input(totp(3, 30, false), "4 to 10 digits, not 3");
    assert_bad_input(totp(11, 30, false), "4 to 10 digits, not 11");
    assert_bad_input(totp(6, 0, false), "1 to 65535 seconds, not 0");
    assert_bad_input(totp(6, 65_536, false), "not 65536");
    for (len, says) in [(0, "is 0 bytes"), (65, "is 65 bytes")] {
        let seed = Secret::new(vec![1; len]);
        let e = NewEntry::totp(name("a", "b"), &seed, Algorithm::Sha1, 30, 6, false);
        assert_bad_input(e, says);
    }
    let sha512 = NewEntry::totp(
        name("a", "b"),
        &Secret::from_slice(b"k"),
        Algorithm::Sha512,
        30,
        6,
        false,
    );
    assert_bad_input(sha512, "not SHA-512");
    assert_bad_input(EntryName::new(&"i".repeat(65), "a"), "issuer of 0 to 64");
    assert_bad_input(EntryName::new("i", ""), "account of 1 to 64");
    assert_bad_input(EntryName::new("i", &"a".repeat(65)), "has 65");
    assert_bad_input(EntryName::new("Zürich", "a"), "plain ASCII");
    assert_bad_input(EntryName::new("i", "a\nb"), "plain ASCII");
    assert!(EntryName::new(&"i".repeat(64), &"a".repeat(64)).is_ok());
}

#[test]
fn no_debug_output_shows_a_seed_or_a_code() {
    let e = NewEntry::totp(
        name("Contoso", "alice"),
        &Secret::from_slice(b"SEEDSEED"),
        Algorithm::Sha1,
        30,
        6,
        false,
    )
    .unwrap();
    let shown = format!("{e:?}");
    assert!(
        !shown.contains("SEEDSEED") && !shown.contains("83, 69, 69, 68"),
        "{shown}"
    );
    let page = codec::parse_page(&page_bytes()).unwrap();
    let shown = format!("{:?}", page.entries);
    assert!(!shown.contains("123456"), "{shown}");
}

/// A TOTP entry with its code, then a touch entry and a HOTP entry, both
/// without (token2/T2F2_TOTP_Authenticator `src/entry.rs`:
/// `parse_single_totp_page`, `hotp_entry_has_no_code_tail`,
/// `button_required_totp_has_no_code_tail`).
fn page_bytes() -> Vec<u8> {
    [
        &hex("01 C1 00 1E 06 00 04")[..],
        b"Test",
        &[5],
        b"alice",
        &[6],
        b"123456",
        &hex("01 C1 00 1E 06 01 01"),
        b"b",
        &[1],
        b"y",
        &hex("00 C1 00 00 00 00 01"),
        b"a",
        &[1],
        b"x",
    ]
    .concat()
}

#[test]
fn a_page_applies_the_code_present_rule() {
    let page = codec::parse_page(&page_bytes()).unwrap();
    assert!(!page.more);
    let e: &[Entry] = &page.entries;
    assert_eq!(e.len(), 3);
    assert_eq!((e[0].name.issuer(), e[0].name.account()), ("Test", "alice"));
    assert_eq!(
        (e[0].kind, e[0].hash, e[0].step, e[0].digits),
        (OtpKind::Totp, OtpHash::Sha1, 30, 6)
    );
    assert_eq!(e[0].code.as_deref(), Some("123456"));
    assert_eq!((e[1].touch, e[1].code.as_deref()), (true, None));
    assert_eq!((e[2].kind, e[2].code.as_deref()), (OtpKind::Hotp, None));
    let mut more = page_bytes();
    more[0] |= 0x80;
    let page = codec::parse_page(&more).unwrap();
    assert!(page.more);
    assert_eq!(
        page.entries[0].kind,
        OtpKind::Totp,
        "the bit is not the type"
    );
}

#[test]
fn malformed_pages_are_errors_never_panics() {
    let good = page_bytes();
    for cut in 1..good.len() {
        match cut {
            24 => assert_eq!(codec::parse_page(&good[..cut]).unwrap().entries.len(), 1),
            34 => assert_eq!(codec::parse_page(&good[..cut]).unwrap().entries.len(), 2),
            _ => assert_malformed(codec::parse_page(&good[..cut])),
        }
    }
    assert_malformed(codec::parse_page(&[]));
    let bad: [(usize, u8); 7] = [
        (0, 0x02),
        (1, 0xC3),
        (5, 0x02),
        (6, 65),
        (11, 0),
        (17, 11),
        (18, 2),
    ];
    for (at, value) in bad {
        let mut page = good.clone();
        page[at] = value;
        assert_malformed(codec::parse_page(&page));
    }
    let mut letters = good.clone();
    letters[19] = b'x';
    assert_malformed(codec::parse_page(&letters));
    let mut high = good;
    high[7] = 0xC3;
    assert_malformed(codec::parse_page(&high));
}

#[test]
fn read_one_always_carries_the_code_and_nothing_after() {
    let touch = [&hex("01 C2 00 3C 08 01 00 01")[..], b"z", &[8], b"01234567"].concat();
    let e = codec::parse_read_one(&answer(&touch)).unwrap();
    assert_eq!(
        (e.touch, e.code.as_deref(), e.step),
        (true, Some("01234567"), 60)
    );
    assert_eq!(e.name.issuer(), "");
    assert_malformed(codec::parse_read_one(&answer(&touch[..touch.len() - 1])));
    assert_malformed(codec::parse_read_one(&answer(&[&touch[..], &[0]].concat())));
    let no_code = [&hex("00 C1 00 00 06 00 00 01")[..], b"z", &[0]].concat();
    assert_malformed(codec::parse_read_one(&answer(&no_code)));
}

#[test]
fn serial_config_and_device_key_answers_are_checked() {
    let serial = [&[0xD1, 8][..], b"0A1b2C3d"].concat();
    assert_eq!(codec::parse_serial(&answer(&serial)).unwrap(), "0a1b2c3d");
    for bad in [
        &b"\xD1\x03abc"[..],
        b"\xD1\x02zz",
        b"\xD1\x04ab",
        b"\xD0\x02ab",
        b"\xD1",
        b"\xD1\x00",
    ] {
        assert_malformed(codec::parse_serial(&answer(bad)));
    }
    let mut bytes = vec![0x05, 0x52, 0, 0, 0, 0, 2, 1, 0, 0x11];
    let c = codec::parse_config(&answer(&bytes)).unwrap();
    assert!(c.fido_disabled() && c.ccid_disabled());
    assert_eq!(
        (c.pin_set(), c.pin_locked(), c.nfc_supported()),
        (Some(true), Some(true), Some(true))
    );
    assert_eq!(
        (c.totp_supported(), c.ccid_supported()),
        (Some(true), Some(true))
    );
    let short = codec::parse_config(&answer(&[0])).unwrap();
    assert_eq!((short.pin_set(), short.totp_supported()), (None, None));
    assert_malformed(codec::parse_config(&answer(&[])));
    bytes.resize(65, 0);
    assert_malformed(codec::parse_config(&answer(&bytes)));
    assert!(DeviceKey::parse(&answer(&hex(RFC_GR))).is_ok());
    assert_malformed(DeviceKey::parse(&answer(&hex(RFC_GR)[..63])));
    assert_malformed(DeviceKey::parse(&answer(&[0xFF; 64])));
    let mut off_curve = hex(RFC_GR);
    off_curve[63] ^= 1;
    assert_malformed(DeviceKey::parse(&answer(&off_curve)));
}

/// The key's side: the plaintext inside a blob, with the key's secret.
fn open_blob(blob: &[u8]) -> Vec<u8> {
    use cbc::cipher::{BlockDecryptMut, KeyIvInit, block_padding::Pkcs7};
    let device = SecretKey::from_slice(&hex(RFC_R)).unwrap();
    let host = DeviceKey::from_xy(&blob[..64]).unwrap();
    let key = seal::session_key(&device, host.public());
    cbc::Decryptor::<aes::Aes256>::new(key.as_ref().into(), &seal::IV.into())
        .decrypt_padded_vec_mut::<Pkcs7>(&blob[64..])
        .unwrap()
}

/// AES-256-CBC with PKCS#7 done block by block, from the spec alone.
fn cbc_by_hand(key: &[u8; 32], plaintext: &[u8]) -> Vec<u8> {
    use aes::cipher::{BlockEncrypt, KeyInit};
    let aes = aes::Aes256::new(key.into());
    let pad = 16 - plaintext.len() % 16;
    let mut data = plaintext.to_vec();
    data.extend(std::iter::repeat_n(pad as u8, pad));
    let mut chain = seal::IV;
    let mut out = Vec::new();
    for block in data.chunks(16) {
        let mut b = aes::Block::default();
        for (i, x) in b.iter_mut().enumerate() {
            *x = block[i] ^ chain[i];
        }
        aes.encrypt_block(&mut b);
        chain.copy_from_slice(&b);
        out.extend_from_slice(&b);
    }
    out
}

/// RFC 5903 §8.1's keys: host i, key g^r, shared X g^ir. The blob is the
/// RFC's g^i ‖ AES-256-CBC(SHA-256(g^ir x), IV, the vendor's plaintext).
/// (Token2's sources have no sealed vector: their tests round-trip with a
/// random key.)
#[test]
fn sealing_matches_the_spec_by_hand() {
    let host = SecretKey::from_slice(&hex(RFC_I)).unwrap();
    let device = DeviceKey::from_xy(&hex(RFC_GR)).unwrap();
    let plaintext = totp(6, 30, false).unwrap().plaintext();
    let blob = seal::seal_with(&host, &device, &plaintext);
    let gi = "DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180\
              5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3";
    let gir_x = hex("D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE");
    let key: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(&gir_x).into();
    let want = [hex(gi), cbc_by_hand(&key, &plaintext)].concat();
    assert_eq!(hex_of(&blob), hex_of(&want));
    assert_eq!(blob.len(), 64 + 32, "23 bytes pad to two blocks");
    assert_eq!(hex_of(&blob[64..]), PINNED_CIPHERTEXT);
    assert_eq!(open_blob(&blob), *plaintext);
}

/// [`sealing_matches_the_spec_by_hand`]'s ciphertext, pinned.
const PINNED_CIPHERTEXT: &str = "d39dcc689217b9fd3ea8a9e06e68bd55631ed6ffd94bddf6615e8452c4713e0d";

#[test]
fn every_write_uses_a_fresh_key() {
    let device = DeviceKey::from_xy(&hex(RFC_GR)).unwrap();
    let (a, b) = (
        seal::seal(&device, b"x").unwrap(),
        seal::seal(&device, b"x").unwrap(),
    );
    assert_ne!(a[..64], b[..64]);
    assert_ne!(a[64..], b[64..]);
    assert_eq!(
        (open_blob(&a), open_blob(&b)),
        (b"x".to_vec(), b"x".to_vec())
    );
}

#[test]
fn status_words_say_what_to_do() {
    use Token2OtpError as E;
    let cases: [(u16, DeviceErrorKind, &str); 8] = [
        (0x6FF9, E::TouchTimeout.into(), "Touch the key"),
        (0x6A84, DeviceErrorKind::Full, "Delete a credential"),
        (0x6A80, E::EntryMissing(0x6A80).into(), "not on the key"),
        (0x6A83, E::EntryMissing(0x6A83).into(), "not on the key"),
        (0x6A86, E::HidUnsupported.into(), "NFC reader"),
        (0x6982, E::PinRequired.into(), "PIN"),
        (0x6983, E::PinBlocked.into(), "blocked"),
        (0x6985, E::ConditionsNotSatisfied.into(), "take it out"),
    ];
    let mut steps = std::collections::HashSet::new();
    for (sw, kind, says) in cases {
        let e = codec::check(&Response { data: vec![], sw }, TokenState::Untouched).unwrap_err();
        assert_eq!(
            (e.kind.clone(), e.state),
            (kind, TokenState::Untouched),
            "{sw:04X}"
        );
        assert!(e.to_string().contains(&format!("{sw:04X}")), "{e}");
        assert!(e.next_step().contains(says), "{sw:04X}: {}", e.next_step());
        steps.insert(e.next_step());
    }
    assert_eq!(steps.len(), 7, "only the two not-found words share a step");
    let other = codec::check(
        &Response {
            data: vec![],
            sw: 0x6D00,
        },
        TokenState::Untouched,
    );
    assert_eq!(
        other.unwrap_err().kind,
        DeviceErrorKind::Refused(Token2Error::Unsupported(0x6D00))
    );
}

fn session_with(answers: &[&[u8]]) -> Scripted {
    let mut all: Vec<&[u8]> = vec![OK];
    all.extend_from_slice(answers);
    Scripted::new(&all)
}

#[test]
fn read_all_follows_pages_with_the_hosts_time() {
    let first = page_bytes();
    let mut more = first.clone();
    more[0] |= 0x80;
    let last = [&hex("01 C2 00 3C 08 00 00 01")[..], b"q", &[8], b"87654321"].concat();
    let mut key = session_with(&[
        &[&more[..], OK].concat(),
        &[&more[..], OK].concat(),
        &[&last[..], OK].concat(),
    ]);
    let entries = Token2OtpSession::select(&mut key)
        .unwrap()
        .read_all(1_700_000_000)
        .unwrap();
    assert_eq!(entries.len(), 7);
    assert_eq!(entries[6].code.as_deref(), Some("87654321"));
    let time = 1_700_000_000u64.to_be_bytes();
    assert_eq!(
        key.sent[1],
        [&hex("80C50500 000009 03")[..], &time].concat()
    );
    assert_eq!(key.sent[2], [&hex("80C50501 000008")[..], &time].concat());
    assert_eq!(key.sent[3], key.sent[2]);
    assert_eq!(key.sent.len(), 4);
}

#[test]
fn an_empty_key_lists_nothing_but_a_lost_page_is_an_error() {
    let mut empty = session_with(&[&[0x6A, 0x80]]);
    assert!(
        Token2OtpSession::select(&mut empty)
            .unwrap()
            .read_all(0)
            .unwrap()
            .is_empty()
    );
    let mut empty = session_with(&[&[0x6A, 0x83]]);
    assert!(
        Token2OtpSession::select(&mut empty)
            .unwrap()
            .read_all(0)
            .unwrap()
            .is_empty()
    );
    let mut more = page_bytes();
    more[0] |= 0x80;
    let mut lost = session_with(&[&[&more[..], OK].concat(), &[0x6A, 0x80]]);
    let e = Token2OtpSession::select(&mut lost)
        .unwrap()
        .read_all(0)
        .unwrap_err();
    assert_eq!(e.kind, Token2OtpError::EntryMissing(0x6A80).into());
}

#[test]
fn a_key_that_always_says_more_is_given_up_on() {
    let mut more = page_bytes();
    more[0] |= 0x80;
    let page = [&more[..], OK].concat();
    let mut key = session_with(&vec![&page[..]; MAX_PAGES]);
    assert_malformed(Token2OtpSession::select(&mut key).unwrap().read_all(0));
    assert_eq!(
        key.sent.len(),
        1 + MAX_PAGES,
        "no page asked for past the bound"
    );
}

#[test]
fn writes_are_sealed_to_the_keys_key_which_is_read_once() {
    let mut key = session_with(&[&device_key_answer(), OK, OK]);
    let mut s = Token2OtpSession::select(&mut key).unwrap();
    let entry = totp(6, 30, false).unwrap();
    s.write_entry(&entry).unwrap();
    s.delete(&name("Test", "alice")).unwrap();
    let headers = key.headers();
    assert_eq!(headers[1], [0x80, 0xC5, 0x01, 0x00]);
    assert_eq!(&headers[2..], [[0x80, 0xC5, 0x05, 0x02]; 2]);
    for apdu in &key.sent[2..] {
        let lc = usize::from(u16::from_be_bytes([apdu[5], apdu[6]]));
        assert_eq!((apdu[4], apdu.len()), (0, 7 + lc));
    }
    assert_eq!(open_blob(&key.sent[2][7..]), *entry.plaintext());
    assert_eq!(
        open_blob(&key.sent[3][7..]),
        *delete_plaintext(entry.name())
    );
}

#[test]
fn a_full_key_and_a_lost_link_during_a_write_say_what_the_key_holds() {
    let mut full = session_with(&[&device_key_answer(), &[0x6A, 0x84]]);
    let e = Token2OtpSession::select(&mut full)
        .unwrap()
        .write_entry(&totp(6, 30, false).unwrap())
        .unwrap_err();
    assert_eq!(
        (e.kind, e.state),
        (DeviceErrorKind::Full, TokenState::Untouched)
    );
    let mut lost =
        session_with(&[&device_key_answer()]).then(Err(TransportError::LinkLost("x".into())));
    let e = Token2OtpSession::select(&mut lost)
        .unwrap()
        .write_entry(&totp(6, 30, false).unwrap())
        .unwrap_err();
    assert_eq!(e.state, TokenState::Unknown);
    let mut missing = session_with(&[&device_key_answer(), &[0x6A, 0x80]]);
    let e = Token2OtpSession::select(&mut missing)
        .unwrap()
        .delete(&name("a", "b"))
        .unwrap_err();
    assert!(
        e.next_step().contains("not on the key"),
        "{}",
        e.next_step()
    );
}

#[test]
fn read_one_config_enable_and_serial() {
    let one = [
        &hex("01 C1 00 1E 06 01 04")[..],
        b"Test",
        &[5],
        b"alice",
        &[6],
        b"654321",
    ]
    .concat();
    let serial = [&[0xD1, 4][..], b"BEEF"].concat();
    let mut key = session_with(&[
        &[&one[..], OK].concat(),
        &[0x6F, 0xF9],
        &[&[0x01, 0x02][..], OK].concat(),
        OK,
        OK,
        &[&serial[..], OK].concat(),
        OK,
    ]);
    let mut s = Token2OtpSession::select(&mut key).unwrap();
    let alice = name("Test", "alice");
    assert_eq!(
        s.read_one(&alice, 59).unwrap().code.as_deref(),
        Some("654321")
    );
    let e = s.read_one(&alice, 59).unwrap_err();
    assert_eq!(e.kind, Token2OtpError::TouchTimeout.into());
    assert_eq!(s.read_config().unwrap().pin_set(), Some(true));
    s.enable_totp(true).unwrap();
    assert_eq!(s.serial().unwrap(), "beef");
    let sent = &key.sent;
    assert_eq!(sent[1][..7], hex("80C50500 000014"));
    assert_eq!(sent[1][7..16], [&[1u8][..], &59u64.to_be_bytes()].concat());
    assert_eq!(sent[4], hex("80C50205 000001 01"));
    assert_eq!(sent[5], codec::select_fido());
    assert_eq!(sent[6], codec::read_serial());
    assert_eq!(
        sent[7],
        codec::select_otp(),
        "the OTP applet is selected again"
    );
}

#[test]
fn no_call_sends_set_device_type() {
    let mut key = session_with(&[
        &device_key_answer(),
        OK,
        &[0x6A, 0x80],
        &[0x00, 0x90, 0x00],
        OK,
        OK,
        &[0xD1, 0x02, b'0', b'1', 0x90, 0x00],
        OK,
    ]);
    let mut s = Token2OtpSession::select(&mut key).unwrap();
    s.write_entry(&totp(6, 30, true).unwrap()).unwrap();
    s.read_all(1).unwrap();
    s.read_config().unwrap();
    s.enable_totp(false).unwrap();
    s.serial().unwrap();
    assert!(key.answers.is_empty());
    assert!(
        key.headers()
            .iter()
            .all(|h| h[..3] != [0x80, 0xC5, 0x02] || h[3] != 0x01)
    );
}

#[test]
fn a_key_without_the_applet_is_refused_at_select() {
    let mut none = Scripted::new(&[&[0x6A, 0x82]]);
    let e = Token2OtpSession::select(&mut none).err().unwrap();
    assert_eq!(
        e.kind,
        DeviceErrorKind::Refused(Token2Error::Status(0x6A82))
    );
    assert_eq!(none.headers(), [SELECT]);
}

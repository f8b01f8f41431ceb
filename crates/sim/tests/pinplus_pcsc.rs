//! The virtual PIN+ key through a real pcscd, with only the `pcsc` crate,
//! APDUs built here and the entry sealed here on RustCrypto (none of the
//! project's host code): its ATR, the serial over the FIDO applet, a sealed
//! write read back with the RFC 6238 code, the 3-byte-Lc write the vendor
//! tool sends (272 bytes for the longest entry), a touch entry timing out and then answering, and
//! `oathdesk-sim token --family pinplus` on a reader with its state.
//! Needs the private pcscd of `tests/harness/pcsc-ns.sh`.

mod common;

use std::ffi::CString;

use aes::Aes256;
use cbc::cipher::{BlockEncryptMut, KeyIvInit, block_padding::Pkcs7};
#[cfg(unix)]
use common::TokenSim;
use oathdesk_sim::token::pinplus::{ATR, FIDO_AID, OTP_AID};
use oathdesk_sim::token::{PinPlusCard, VirtualCard};
use oathdesk_testkit::{Insert, VirtualReader};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{PublicKey, SecretKey};
use pcsc::{Context, Protocols, Scope, ShareMode};
use sha2::{Digest, Sha256};

const IV: [u8; 16] = [
    0x9D, 0xD8, 0x91, 0x8E, 0x34, 0xF3, 0xCC, 0xAB, 0x08, 0xCB, 0x75, 0x18, 0xF7, 0x19, 0x38, 0xF1,
];
const SEED: &[u8] = b"12345678901234567890";

fn transmit(card: &pcsc::Card, apdu: &[u8]) -> (Vec<u8>, u16) {
    let mut buf = [0u8; pcsc::MAX_BUFFER_SIZE];
    let out = card.transmit(apdu, &mut buf).expect("transmit");
    let (data, sw) = out.split_at(out.len() - 2);
    (data.to_vec(), u16::from_be_bytes([sw[0], sw[1]]))
}

fn connect(reader: &VirtualReader) -> pcsc::Card {
    let ctx = Context::establish(Scope::User).unwrap();
    let name = CString::new(reader.name()).unwrap();
    ctx.connect(&name, ShareMode::Exclusive, Protocols::ANY)
        .unwrap()
}

fn select(card: &pcsc::Card, aid: &[u8]) -> (Vec<u8>, u16) {
    transmit(card, &[&[0x00, 0xA4, 0x04, 0x00, 0x08][..], aid].concat())
}

/// `80 C5 p1 p2` with the 3-byte Lc Token2's own tool always sends.
fn extended(p1: u8, p2: u8, data: &[u8]) -> Vec<u8> {
    let n = u16::try_from(data.len()).unwrap().to_be_bytes();
    [&[0x80, 0xC5, p1, p2, 0, n[0], n[1]][..], data].concat()
}

/// The sealed blob, from the facts: a fresh ephemeral key, ECDH X,
/// SHA-256, AES-256-CBC/PKCS#7 under the constant IV.
fn seal(device_xy: &[u8], plain: &[u8]) -> Vec<u8> {
    let device = PublicKey::from_sec1_bytes(&[&[4][..], device_xy].concat()).unwrap();
    let host = loop {
        let mut b = [0u8; 32];
        getrandom::fill(&mut b).unwrap();
        if let Ok(k) = SecretKey::from_slice(&b) {
            break k;
        }
    };
    let shared = p256::ecdh::diffie_hellman(host.to_nonzero_scalar(), device.as_affine());
    let key = Sha256::digest(shared.raw_secret_bytes());
    let ct = cbc::Encryptor::<Aes256>::new(key.as_slice().into(), (&IV).into())
        .encrypt_padded_vec_mut::<Pkcs7>(plain);
    let point = host.public_key().to_encoded_point(false);
    [&point.as_bytes()[1..], &ct[..]].concat()
}

fn entry(digits: u8, touch: bool, issuer: &str, account: &str) -> Vec<u8> {
    let mut p = vec![0x01, 0xC1, 0x00, 0x1E, digits, u8::from(touch)];
    for t in [issuer.as_bytes(), account.as_bytes(), SEED] {
        p.push(t.len() as u8);
        p.extend_from_slice(t);
    }
    p
}

fn read_one(card: &pcsc::Card, time: u64, issuer: &str, account: &str) -> (Vec<u8>, u16) {
    let mut body = [&[0x01][..], &time.to_be_bytes()].concat();
    for t in [issuer, account] {
        body.push(t.len() as u8);
        body.extend_from_slice(t.as_bytes());
    }
    transmit(card, &extended(0x05, 0x00, &body))
}

#[test]
fn a_sealed_write_reads_back_with_its_code_through_pcscd() {
    let reader = VirtualReader::acquire();
    let token = reader.insert(PinPlusCard::new(&[0x12, 0x34, 0x56, 0x78]));
    let card = connect(&reader);
    assert_eq!(card.status2_owned().unwrap().atr(), ATR);

    assert_eq!(select(&card, &FIDO_AID), (b"U2F_V2".to_vec(), 0x9000));
    let serial = [&[0x80, 0x33, 0x00, 0x00, 0x12, 0xD1, 0x10][..], &[0; 16]].concat();
    assert_eq!(
        transmit(&card, &serial),
        ([&[0xD1, 8][..], b"12345678"].concat(), 0x9000)
    );
    assert_eq!(select(&card, &OTP_AID), (vec![], 0x9000));

    let (xy, sw) = transmit(&card, &[0x80, 0xC5, 0x01, 0x00, 0x00]);
    assert_eq!((xy.len(), sw), (64, 0x9000));
    let write = extended(0x05, 0x02, &seal(&xy, &entry(8, false, "Contoso", "ann")));
    assert_eq!(transmit(&card, &write), (vec![], 0x9000));
    let (data, sw) = read_one(&card, 59, "Contoso", "ann");
    assert_eq!(sw, 0x9000);
    assert!(
        data.ends_with(&[&[8][..], b"94287082"].concat()),
        "{data:02X?}"
    );

    // The longest entry (64-byte names and seed) is a 272-byte blob: only
    // an extended Lc carries it.
    let mut longest = vec![0x01, 0xC2, 0x00, 0x3C, 10, 0];
    for t in [&[b'i'; 64][..], &[b'a'; 64], &[7; 64]] {
        longest.push(64);
        longest.extend_from_slice(t);
    }
    let blob = seal(&xy, &longest);
    assert_eq!(blob.len(), 272);
    assert_eq!(
        transmit(&card, &extended(0x05, 0x02, &blob)),
        (vec![], 0x9000)
    );
    let delete = [&[0u8; 6][..], &[64], &[b'i'; 64], &[64], &[b'a'; 64], &[0]].concat();
    assert_eq!(
        transmit(&card, &extended(0x05, 0x02, &seal(&xy, &delete))).1,
        0x9000
    );

    let page = [&[0x03][..], &1111111109u64.to_be_bytes()].concat();
    let (data, sw) = transmit(&card, &extended(0x05, 0x00, &page));
    assert_eq!(sw, 0x9000);
    assert_eq!(data[0] & 0x80, 0, "one page");
    assert!(data.ends_with(b"07081804"), "RFC 6238 at 1111111109");

    let state = token.card().state();
    assert_eq!(state["entries"][0]["account"], "ann");
    assert_eq!(
        state["entries"][0]["seed_sha256"],
        hex::encode(Sha256::digest(SEED))
    );
    assert_eq!(state["set_device_type_received"], false);
}

#[test]
fn a_touch_entry_times_out_then_answers_after_a_touch() {
    let reader = VirtualReader::acquire();
    let token = reader.insert(PinPlusCard::new(&[1]));
    let card = connect(&reader);
    select(&card, &OTP_AID);
    let (xy, _) = transmit(&card, &[0x80, 0xC5, 0x01, 0x00, 0x00]);
    let write = extended(0x05, 0x02, &seal(&xy, &entry(6, true, "", "vpn")));
    assert_eq!(transmit(&card, &write).1, 0x9000);
    assert_eq!(read_one(&card, 59, "", "vpn"), (vec![], 0x6FF9));
    assert!(token.card().press_button());
    let (data, sw) = read_one(&card, 59, "", "vpn");
    assert_eq!((sw, data.ends_with(b"287082")), (0x9000, true));
    let page = [&[0x03][..], &59u64.to_be_bytes()].concat();
    let (data, _) = transmit(&card, &extended(0x05, 0x00, &page));
    assert!(
        !data.ends_with(b"287082"),
        "no code for a touch entry in a page"
    );
}

// `oathdesk-sim token` runs on unix only (its control socket).
#[cfg(unix)]
#[test]
fn the_cli_puts_a_pinplus_key_on_a_reader() {
    let reader = VirtualReader::acquire();
    let t = TokenSim::start(
        reader.name(),
        reader.port(),
        &[
            "--family",
            "pinplus",
            "--serial",
            "0A0B0C",
            "--capacity",
            "1",
        ],
    );
    let state = t.control(r#"{"cmd":"state"}"#);
    assert_eq!(
        (&state["family"], &state["serial"], &state["capacity"]),
        (&"pinplus".into(), &"0A0B0C".into(), &1.into())
    );
    let card = connect(&reader);
    select(&card, &OTP_AID);
    let (xy, _) = transmit(&card, &[0x80, 0xC5, 0x01, 0x00, 0x00]);
    for (account, want) in [("a", 0x9000), ("b", 0x6A84)] {
        let write = extended(0x05, 0x02, &seal(&xy, &entry(6, false, "I", account)));
        assert_eq!(transmit(&card, &write).1, want, "{account}");
    }
    drop(card);
    t.sim.signal("TERM");
    assert_eq!(t.sim.wait().code(), Some(0));
}

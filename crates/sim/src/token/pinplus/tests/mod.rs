//! The virtual PIN+ key against the facts, with writes sealed here on the
//! RustCrypto primitives (never the fake's own unsealing), a blob pinned
//! by an independent OpenSSL computation, the vendor's plaintext vector,
//! and the RFC 4226 / 6238 code vectors.

use aes::Aes256;
use cbc::cipher::{BlockEncryptMut, KeyIvInit, block_padding::Pkcs7};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{PublicKey, SecretKey};
use sha2::{Digest, Sha256};

use super::*;

mod commands;
mod reads;
mod sealing;

pub(super) const SEED20: &[u8] = b"12345678901234567890";

/// Seals `plain` for the key with public `device_xy`, from the facts:
/// ECDH X → SHA-256 → AES-256-CBC/PKCS#7 under the constant IV.
pub(super) fn seal_with(device_xy: &[u8], host: &SecretKey, plain: &[u8]) -> Vec<u8> {
    let device = PublicKey::from_sec1_bytes(&[&[4][..], device_xy].concat()).unwrap();
    let shared = p256::ecdh::diffie_hellman(host.to_nonzero_scalar(), device.as_affine());
    let key = Sha256::digest(shared.raw_secret_bytes());
    let iv = [
        0x9D, 0xD8, 0x91, 0x8E, 0x34, 0xF3, 0xCC, 0xAB, 0x08, 0xCB, 0x75, 0x18, 0xF7, 0x19, 0x38,
        0xF1,
    ];
    let ct = cbc::Encryptor::<Aes256>::new(key.as_slice().into(), (&iv).into())
        .encrypt_padded_vec_mut::<Pkcs7>(plain);
    let point = host.public_key().to_encoded_point(false);
    [&point.as_bytes()[1..], &ct[..]].concat()
}

pub(super) fn seal(card: &PinPlusCard, plain: &[u8]) -> Vec<u8> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).unwrap();
    b[0] &= 0x7F;
    seal_with(
        &card.public_xy(),
        &SecretKey::from_slice(&b).unwrap(),
        plain,
    )
}

/// An entry's plaintext: TOTP/HOTP, SHA-1 (`C1`) or SHA-256 (`C2`).
pub(super) fn plain(
    totp: bool,
    alg: u8,
    step: u16,
    digits: u8,
    touch: bool,
    names: (&str, &str),
    seed: &[u8],
) -> Vec<u8> {
    let mut p = vec![u8::from(totp), alg];
    p.extend_from_slice(&step.to_be_bytes());
    p.extend_from_slice(&[digits, u8::from(touch)]);
    for t in [names.0.as_bytes(), names.1.as_bytes(), seed] {
        p.push(t.len() as u8);
        p.extend_from_slice(t);
    }
    p
}

pub(super) fn apdu(p1: u8, p2: u8, data: &[u8]) -> Vec<u8> {
    let n = data.len() as u16;
    [&[0x80, 0xC5, p1, p2, 0, (n >> 8) as u8, n as u8][..], data].concat()
}

pub(super) fn run(card: &mut PinPlusCard, apdu: &[u8]) -> (Vec<u8>, u16) {
    let out = card.transmit(apdu);
    let (data, sw) = out.split_at(out.len() - 2);
    (data.to_vec(), u16::from_be_bytes([sw[0], sw[1]]))
}

pub(super) fn selected() -> PinPlusCard {
    let mut card = PinPlusCard::new(&[0x12, 0x34, 0x56, 0x78]);
    let select = [&[0x00, 0xA4, 0x04, 0x00, 0x08][..], &OTP_AID].concat();
    assert_eq!(run(&mut card, &select), (vec![], 0x9000));
    card
}

pub(super) fn write(card: &mut PinPlusCard, plain: &[u8]) -> u16 {
    let blob = seal(card, plain);
    run(card, &apdu(0x05, 0x02, &blob)).1
}

pub(super) fn read_one(
    card: &mut PinPlusCard,
    time: u64,
    issuer: &str,
    account: &str,
) -> (Vec<u8>, u16) {
    let mut body = vec![0x01];
    body.extend_from_slice(&time.to_be_bytes());
    for t in [issuer, account] {
        body.push(t.len() as u8);
        body.extend_from_slice(t.as_bytes());
    }
    run(card, &apdu(0x05, 0x00, &body))
}

pub(super) fn read_all(card: &mut PinPlusCard, time: u64) -> (Vec<u8>, u16) {
    run(
        card,
        &apdu(0x05, 0x00, &[&[0x03][..], &time.to_be_bytes()].concat()),
    )
}

/// The code at the end of a read-one answer.
pub(super) fn code_of(answer: &[u8]) -> String {
    let n = usize::from(
        answer[answer.len()
            - 1
            - answer
                .iter()
                .rev()
                .take_while(|b| b.is_ascii_digit())
                .count()],
    );
    String::from_utf8(answer[answer.len() - n..].to_vec()).unwrap()
}

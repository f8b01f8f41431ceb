//! The OTP applet's codec, seal and session against a scripted key: exact
//! APDUs, the code-present rule and paging, each status word's next step,
//! and the builder's refusals. Vectors cite their source.

mod answers;
mod sealing;
mod sessions;

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

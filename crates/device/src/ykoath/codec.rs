//! YKOATH (YubiKey OATH applet and compatibles) APDUs and answers, sans-IO.
//! Data is BER-TLV with one-byte tags; every answer is parsed with checked
//! lengths, and anything the applet does not define is malformed.

use oathdesk_otp::{Algorithm, CodeParams, OtpKind, Secret};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};
use zeroize::Zeroizing;

use super::name::CredentialName;
use crate::apdu::{Response, command};
use crate::error::{DeviceError, DeviceErrorKind, TokenState};
use crate::token2::codec::{self as t2, Token2Error};

pub const AID: [u8; 7] = [0xA0, 0x00, 0x00, 0x05, 0x27, 0x21, 0x01];
/// The applet's own instruction for the rest of a `61 XX` answer.
pub const SEND_REMAINING: u8 = 0xA5;
/// Secrets are right-padded with zeros to this length.
const MIN_KEY_BYTES: usize = 14;

/// A credential as LIST names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialInfo {
    pub name: CredentialName,
    pub kind: OtpKind,
    pub algorithm: Algorithm,
}

/// What SELECT tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectInfo {
    pub version: Vec<u8>,
    pub salt: Vec<u8>,
    /// A challenge came back: an access password is set.
    pub password_protected: bool,
}

fn malformed() -> DeviceError {
    DeviceError::new(TokenState::Untouched, Token2Error::Malformed)
}

/// `tag len value`; lengths of 128..=255 take the `81 len` form.
fn tlv(tag: u8, value: &[u8]) -> Result<Vec<u8>, DeviceError> {
    let len = crate::apdu::length_byte(value.len(), "a YKOATH field")?;
    let head: &[u8] = if len < 0x80 {
        &[tag, len]
    } else {
        &[tag, 0x81, len]
    };
    Ok([head, value].concat())
}

/// Splits BER-TLV (one-byte tags, lengths up to `82 hi lo`); truncated or
/// unreadable data is malformed, never a panic.
pub fn tlvs(mut data: &[u8]) -> Result<Vec<(u8, &[u8])>, Token2Error> {
    let mut out = Vec::new();
    while let [tag, rest @ ..] = data {
        let (len, rest) = match rest {
            [0x81, n, rest @ ..] => (usize::from(*n), rest),
            [0x82, hi, lo, rest @ ..] => (usize::from(u16::from_be_bytes([*hi, *lo])), rest),
            [n, rest @ ..] if *n < 0x80 => (usize::from(*n), rest),
            _ => return Err(Token2Error::Malformed),
        };
        let value = rest.get(..len).ok_or(Token2Error::Malformed)?;
        out.push((*tag, value));
        data = &rest[len..];
    }
    Ok(out)
}

/// Maps the applet's status words: a password and a full applet have
/// their own kinds; other refusals keep their status word.
pub fn check(resp: &Response) -> Result<(), DeviceError> {
    let kind = match resp.sw {
        0x6982 => DeviceErrorKind::PasswordProtected,
        0x6A84 => DeviceErrorKind::Full,
        _ => return t2::check(resp).map_err(DeviceError::refused(TokenState::Untouched)),
    };
    Err(DeviceError::new(TokenState::Untouched, kind))
}

/// `00 A4 04 00 07 <AID>`.
pub fn select() -> Vec<u8> {
    [&[0x00, 0xA4, 0x04, 0x00, 0x07][..], &AID].concat()
}

/// `79` version and `71` salt (both required), `74` challenge when a
/// password is set.
pub fn parse_select(resp: &Response) -> Result<SelectInfo, DeviceError> {
    check(resp)?;
    let fields = tlvs(&resp.data).map_err(|_| malformed())?;
    let get = |t: u8| fields.iter().find(|f| f.0 == t).map(|f| f.1.to_vec());
    Ok(SelectInfo {
        version: get(0x79).ok_or_else(malformed)?,
        salt: get(0x71).filter(|s| !s.is_empty()).ok_or_else(malformed)?,
        password_protected: get(0x74).is_some(),
    })
}

/// Yubico's device id: base64 (standard alphabet, no padding) of the
/// first 16 bytes of SHA-256(salt).
pub fn device_id(salt: &[u8]) -> String {
    base64_nopad(&Sha256::digest(salt)[..16])
}

pub(super) fn base64_nopad(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from_be_bytes([0, b[0], b[1], b[2]]);
        for i in 0..=chunk.len() {
            let six = (n >> (18 - 6 * i)) & 0x3F;
            out.push(char::from(ALPHABET[usize::try_from(six).unwrap_or(0)]));
        }
    }
    out
}

fn type_and_algorithm(kind: OtpKind, algorithm: Algorithm) -> u8 {
    let t = match kind {
        OtpKind::Hotp => 0x10,
        OtpKind::Totp => 0x20,
    };
    let a = match algorithm {
        Algorithm::Sha1 => 1,
        Algorithm::Sha256 => 2,
        Algorithm::Sha512 => 3,
    };
    t | a
}

/// The applet's key rules: longer than the hash block → hashed; shorter
/// than 14 bytes → right-padded with zeros.
fn shape_secret(secret: &Secret, algorithm: Algorithm) -> Zeroizing<Vec<u8>> {
    let bytes = secret.expose();
    let hashed = |d: &[u8]| Zeroizing::new(d.to_vec());
    let shaped = match algorithm {
        Algorithm::Sha1 if bytes.len() > 64 => hashed(&Sha1::digest(bytes)),
        Algorithm::Sha256 if bytes.len() > 64 => hashed(&Sha256::digest(bytes)),
        Algorithm::Sha512 if bytes.len() > 128 => hashed(&Sha512::digest(bytes)),
        _ => hashed(bytes),
    };
    // Padded into a buffer of its final size: no copy is left behind.
    let len = shaped.len().max(MIN_KEY_BYTES);
    let mut key = Zeroizing::new(Vec::with_capacity(len));
    key.extend_from_slice(&shaped);
    key.resize(len, 0);
    key
}

/// Refuses what the applet cannot store, before any APDU.
fn check_put(
    name: &CredentialName,
    secret: &Secret,
    kind: OtpKind,
    params: &CodeParams,
) -> Result<(), DeviceError> {
    if !(6..=8).contains(&params.digits) {
        return Err(DeviceError::bad_input(format!(
            "a YKOATH credential shows 6, 7 or 8 digits, not {}",
            params.digits
        )));
    }
    if secret.is_empty() {
        return Err(DeviceError::bad_input(
            "a credential needs a secret; this one is empty",
        ));
    }
    match kind {
        OtpKind::Totp if params.period != name.period() => Err(DeviceError::bad_input(format!(
            "the name {name} is for codes every {} s, the settings say every {} s",
            name.period(),
            params.period
        ))),
        OtpKind::Hotp if name.label() != name.as_str() => Err(DeviceError::bad_input(
            "a HOTP credential's name carries no period",
        )),
        _ => Ok(()),
    }
}

/// PUT: `71 name ‖ 73 <type|alg> <digits> <key>` [‖ `78 02` touch].
pub fn put(
    name: &CredentialName,
    secret: &Secret,
    kind: OtpKind,
    params: &CodeParams,
    touch: bool,
) -> Result<Zeroizing<Vec<u8>>, DeviceError> {
    check_put(name, secret, kind, params)?;
    let digits = u8::try_from(params.digits)
        .map_err(|_| DeviceError::bad_input("a YKOATH credential shows 6, 7 or 8 digits"))?;
    let shaped = shape_secret(secret, params.algorithm);
    let mut key = Zeroizing::new(Vec::with_capacity(2 + shaped.len()));
    key.extend_from_slice(&[type_and_algorithm(kind, params.algorithm), digits]);
    key.extend_from_slice(&shaped);
    let (name, key) = (
        tlv(0x71, name.as_str().as_bytes())?,
        Zeroizing::new(tlv(0x73, &key)?),
    );
    let touch: &[u8] = if touch { &[0x78, 0x02] } else { &[] };
    let data = Zeroizing::new([&name[..], &key, touch].concat());
    command(0x00, 0x01, 0x00, 0x00, &data, None).map(Zeroizing::new)
}

/// `00 A1 00 00 00`.
pub fn list() -> Vec<u8> {
    vec![0x00, 0xA1, 0x00, 0x00, 0x00]
}

/// `72 <type|alg> <name>` per credential.
pub fn parse_list(resp: &Response) -> Result<Vec<CredentialInfo>, DeviceError> {
    check(resp)?;
    let fields = tlvs(&resp.data).map_err(|_| malformed())?;
    fields.into_iter().map(credential).collect()
}

fn credential((tag, value): (u8, &[u8])) -> Result<CredentialInfo, DeviceError> {
    let (0x72, [type_alg, name @ ..]) = (tag, value) else {
        return Err(malformed());
    };
    let kind = match type_alg & 0xF0 {
        0x10 => OtpKind::Hotp,
        0x20 => OtpKind::Totp,
        _ => return Err(malformed()),
    };
    let algorithm = match type_alg & 0x0F {
        1 => Algorithm::Sha1,
        2 => Algorithm::Sha256,
        3 => Algorithm::Sha512,
        _ => return Err(malformed()),
    };
    let name = std::str::from_utf8(name).map_err(|_| malformed())?;
    Ok(CredentialInfo {
        name: CredentialName::parse_for(kind, name)?,
        kind,
        algorithm,
    })
}

/// CALCULATE, truncated (P2 `01`): `71 name ‖ 74 <8-byte time step>`.
pub fn calculate(name: &CredentialName, unix_time: u64) -> Result<Vec<u8>, DeviceError> {
    let step = unix_time / name.period().max(1);
    let data = [
        tlv(0x71, name.as_str().as_bytes())?,
        tlv(0x74, &step.to_be_bytes())?,
    ]
    .concat();
    command(0x00, 0xA2, 0x00, 0x01, &data, None)
}

/// `76 <digits> <4 bytes>` → the code; digits outside 6..=10 are malformed.
pub fn parse_calculate(resp: &Response) -> Result<String, DeviceError> {
    check(resp)?;
    let fields = tlvs(&resp.data).map_err(|_| malformed())?;
    let Some(&[digits, a, b, c, d]) = fields.iter().find(|f| f.0 == 0x76).map(|f| f.1) else {
        return Err(malformed());
    };
    if !(6..=10).contains(&digits) {
        return Err(malformed());
    }
    let n = u64::from(u32::from_be_bytes([a, b, c, d]) & 0x7FFF_FFFF);
    let code = n % 10u64.pow(u32::from(digits));
    Ok(format!("{code:0w$}", w = usize::from(digits)))
}

/// DELETE: `71 name`.
pub fn delete(name: &CredentialName) -> Result<Vec<u8>, DeviceError> {
    command(
        0x00,
        0x02,
        0x00,
        0x00,
        &tlv(0x71, name.as_str().as_bytes())?,
        None,
    )
}

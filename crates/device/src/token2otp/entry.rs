//! Entries as the applet stores them: the plaintext a write seals (built
//! only from checked values) and the records read-one and read-all return.

use std::fmt;

use oathdesk_otp::{Algorithm, OtpKind, Secret};
use zeroize::Zeroizing;

use super::FAMILY;
use crate::error::{DeviceError, TokenState};
use crate::token2::codec::Token2Error;

/// The longest issuer, account and seed the applet takes.
pub const MAX_FIELD: usize = 64;

/// The HMAC hash, as the entry's algorithm byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum OtpHash {
    Sha1 = 0xC1,
    Sha256 = 0xC2,
}

impl OtpHash {
    /// SHA-1 or SHA-256; SHA-512 is `BadInput`.
    pub fn for_algorithm(a: Algorithm) -> Result<OtpHash, DeviceError> {
        match a {
            Algorithm::Sha1 => Ok(OtpHash::Sha1),
            Algorithm::Sha256 => Ok(OtpHash::Sha256),
            Algorithm::Sha512 => Err(DeviceError::bad_input(format!(
                "the {FAMILY} takes SHA-1 or SHA-256, not SHA-512"
            ))),
        }
    }

    pub fn from_wire(b: u8) -> Option<OtpHash> {
        [OtpHash::Sha1, OtpHash::Sha256]
            .into_iter()
            .find(|h| *h as u8 == b)
    }

    pub fn to_algorithm(self) -> Algorithm {
        match self {
            OtpHash::Sha1 => Algorithm::Sha1,
            OtpHash::Sha256 => Algorithm::Sha256,
        }
    }
}

fn kind_wire(kind: OtpKind) -> u8 {
    match kind {
        OtpKind::Hotp => 0x00,
        OtpKind::Totp => 0x01,
    }
}

/// What addresses an entry: issuer (ASCII, 0..=64) and account (ASCII,
/// 1..=64).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EntryName {
    issuer: String,
    account: String,
}

impl EntryName {
    /// Refuses what the applet cannot store, naming the field.
    pub fn new(issuer: &str, account: &str) -> Result<EntryName, DeviceError> {
        check_text("issuer", issuer, 0)?;
        check_text("account", account, 1)?;
        Ok(EntryName {
            issuer: issuer.into(),
            account: account.into(),
        })
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn account(&self) -> &str {
        &self.account
    }

    /// `len ‖ issuer ‖ len ‖ account` (lengths fit a byte: checked in `new`).
    pub(crate) fn wire(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(2 + self.issuer.len() + self.account.len());
        for text in [&self.issuer, &self.account] {
            out.push(text.len() as u8);
            out.extend_from_slice(text.as_bytes());
        }
        out
    }
}

fn check_text(what: &str, text: &str, min: usize) -> Result<(), DeviceError> {
    if !text.is_ascii() || text.bytes().any(|b| b.is_ascii_control()) {
        return Err(DeviceError::bad_input(format!(
            "the {FAMILY} stores the {what} as plain ASCII; {text:?} is not"
        )));
    }
    if !(min..=MAX_FIELD).contains(&text.len()) {
        return Err(DeviceError::bad_input(format!(
            "the {FAMILY} takes an {what} of {min} to {MAX_FIELD} characters; this one has {}",
            text.len()
        )));
    }
    Ok(())
}

/// An entry to write, every field checked against what the applet takes.
#[derive(Debug)]
pub struct NewEntry {
    name: EntryName,
    kind: OtpKind,
    hash: OtpHash,
    step: u16,
    digits: u8,
    touch: bool,
    seed: Secret,
}

impl NewEntry {
    /// A TOTP entry: a step of 1..=65535 s, 4..=10 digits, a seed of
    /// 1..=64 bytes; anything else is `BadInput` (never clamped).
    pub fn totp(
        name: EntryName,
        seed: &Secret,
        algorithm: Algorithm,
        step_seconds: u64,
        digits: u32,
        touch: bool,
    ) -> Result<NewEntry, DeviceError> {
        let step = u16::try_from(step_seconds)
            .ok()
            .filter(|s| *s > 0)
            .ok_or_else(|| {
                DeviceError::bad_input(format!(
                    "the {FAMILY} changes codes every 1 to 65535 seconds, not {step_seconds}"
                ))
            })?;
        let digits = u8::try_from(digits)
            .ok()
            .filter(|d| (4..=10).contains(d))
            .ok_or_else(|| {
                DeviceError::bad_input(format!("the {FAMILY} shows 4 to 10 digits, not {digits}"))
            })?;
        if !(1..=MAX_FIELD).contains(&seed.len()) {
            return Err(DeviceError::bad_input(format!(
                "the {FAMILY} takes secrets of 1 to {MAX_FIELD} bytes; this one is {} bytes",
                seed.len()
            )));
        }
        Ok(NewEntry {
            name,
            kind: OtpKind::Totp,
            hash: OtpHash::for_algorithm(algorithm)?,
            step,
            digits,
            touch,
            seed: Secret::from_slice(seed.expose()),
        })
    }

    pub fn name(&self) -> &EntryName {
        &self.name
    }

    /// `type ‖ alg ‖ step ‖ digits ‖ touch ‖ name ‖ len ‖ seed`, in a buffer
    /// of its final size that is wiped on drop: it holds the seed.
    pub(crate) fn plaintext(&self) -> Zeroizing<Vec<u8>> {
        let name = self.name.wire();
        let seed = self.seed.expose();
        let mut out = Zeroizing::new(Vec::with_capacity(6 + name.len() + 1 + seed.len()));
        out.extend_from_slice(&[kind_wire(self.kind), self.hash as u8]);
        out.extend_from_slice(&self.step.to_be_bytes());
        out.extend_from_slice(&[self.digits, u8::from(self.touch)]);
        out.extend_from_slice(&name);
        out.push(seed.len() as u8);
        out.extend_from_slice(seed);
        out
    }
}

/// A delete: six zero bytes, the name, an empty seed.
pub(crate) fn delete_plaintext(name: &EntryName) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(vec![0u8; 6]);
    out.extend_from_slice(&name.wire());
    out.push(0);
    out
}

/// An entry as the key lists it.
#[derive(Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: EntryName,
    pub kind: OtpKind,
    pub hash: OtpHash,
    /// As stored; HOTP entries list 0.
    pub step: u16,
    /// As stored; not range-checked (HOTP entries may list 0).
    pub digits: u8,
    pub touch: bool,
    /// The code at the host's time: present on read-one, and in a read-all
    /// only for TOTP entries without touch.
    pub code: Option<String>,
}

/// The code is a live credential: Debug says only whether there is one.
impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("hash", &self.hash)
            .field("step", &self.step)
            .field("digits", &self.digits)
            .field("touch", &self.touch)
            .field("code", &self.code.as_ref().map(|_| "<code>"))
            .finish()
    }
}

pub(crate) fn malformed() -> DeviceError {
    DeviceError::new(TokenState::Untouched, Token2Error::Malformed)
}

/// A checked forward reader: every read past the end is `Malformed`.
pub(crate) struct Cursor<'a>(pub &'a [u8]);

impl Cursor<'_> {
    pub fn at_end(&self) -> bool {
        self.0.is_empty()
    }

    pub fn take(&mut self, n: usize) -> Result<&[u8], DeviceError> {
        if n > self.0.len() {
            return Err(malformed());
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    pub fn byte(&mut self) -> Result<u8, DeviceError> {
        Ok(self.take(1)?[0])
    }

    /// `len ‖ text`, ASCII of `min..=64` bytes (as another tool may have
    /// written it: control characters are not refused here).
    fn text(&mut self, min: usize) -> Result<String, DeviceError> {
        let n = usize::from(self.byte()?);
        let raw = self.take(n)?;
        if !raw.is_ascii() || !(min..=MAX_FIELD).contains(&n) {
            return Err(malformed());
        }
        Ok(raw.iter().map(|b| char::from(*b)).collect())
    }

    /// `len ‖ code`: 1..=10 ASCII digits.
    fn code(&mut self) -> Result<String, DeviceError> {
        let n = usize::from(self.byte()?);
        let raw = self.take(n)?;
        if !(1..=10).contains(&n) || !raw.iter().all(u8::is_ascii_digit) {
            return Err(malformed());
        }
        Ok(raw.iter().map(|b| char::from(*b)).collect())
    }
}

/// One record; `force_code` for read-one, else the code-present rule.
pub(crate) fn parse_entry(c: &mut Cursor<'_>, force_code: bool) -> Result<Entry, DeviceError> {
    let kind = match c.byte()? {
        0x00 => OtpKind::Hotp,
        0x01 => OtpKind::Totp,
        _ => return Err(malformed()),
    };
    let hash = OtpHash::from_wire(c.byte()?).ok_or_else(malformed)?;
    let step = u16::from_be_bytes([c.byte()?, c.byte()?]);
    let digits = c.byte()?;
    let touch = match c.byte()? {
        0 => false,
        1 => true,
        _ => return Err(malformed()),
    };
    let issuer = c.text(0)?;
    let account = c.text(1)?;
    let has_code = force_code || (kind == OtpKind::Totp && !touch);
    let code = if has_code { Some(c.code()?) } else { None };
    Ok(Entry {
        name: EntryName { issuer, account },
        kind,
        hash,
        step,
        digits,
        touch,
        code,
    })
}

//! The OTP applet's APDUs and answers, sans-IO. Every `80 C5` command with
//! a body carries an extended Lc (`00 Lh Ll`), as Token2's own tool sends
//! them. Only the instructions below exist here; `SET_DEVICE_TYPE`
//! (`80 C5 02 01`) is deliberately absent.

use crate::apdu::Response;
use crate::error::{DeviceError, DeviceErrorKind, TokenState};
use crate::token2::codec::{self as t2, Token2Error};

use super::entry::{Cursor, Entry, EntryName, malformed, parse_entry};

pub const OTP_AID: [u8; 8] = [0xF0, 0x00, 0x00, 0x01, 0x4F, 0x74, 0x70, 0x01];
/// The FIDO applet, selected only to read the serial.
pub const FIDO_AID: [u8; 8] = [0xA0, 0x00, 0x00, 0x06, 0x47, 0x2F, 0x00, 0x01];
/// The most bytes read-config asks for.
pub const CONFIG_LEN: u8 = 64;

const READ_ONE: u8 = 0x01;
const READ_ALL: u8 = 0x03;
const MORE_PAGES: u8 = 0x80;

/// The applet's refusals that tell the operator what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Token2OtpError {
    #[error("the key waited for a touch and timed out (6FF9)")]
    TouchTimeout,
    #[error("no entry with this issuer and account is on the key ({0:04X})")]
    EntryMissing(u16),
    #[error("this key model does not offer its OTP applet over USB HID (6A86)")]
    HidUnsupported,
    #[error("the key wants its PIN, or the PIN given was wrong (6982)")]
    PinRequired,
    #[error("the key's PIN is blocked (6983)")]
    PinBlocked,
    #[error("the key refused the command in its current state (6985)")]
    ConditionsNotSatisfied,
}

/// Maps a status word; a refusal leaves the key as it was (`state`).
pub fn check(resp: &Response, state: TokenState) -> Result<(), DeviceError> {
    use Token2OtpError as E;
    let kind: DeviceErrorKind = match resp.sw {
        0x9000 => return Ok(()),
        0x6FF9 => E::TouchTimeout.into(),
        sw @ (0x6A80 | 0x6A83) => E::EntryMissing(sw).into(),
        0x6A84 => DeviceErrorKind::Full,
        0x6A86 => E::HidUnsupported.into(),
        0x6982 => E::PinRequired.into(),
        0x6983 => E::PinBlocked.into(),
        0x6985 => E::ConditionsNotSatisfied.into(),
        _ => t2::check(resp)
            .err()
            .unwrap_or(Token2Error::Malformed)
            .into(),
    };
    Err(DeviceError::new(state, kind))
}

/// `80 C5 P1 P2 00 Lh Ll data`; a body beyond 65535 bytes is `BadInput`.
pub fn extended(p1: u8, p2: u8, data: &[u8]) -> Result<Vec<u8>, DeviceError> {
    let lc = u16::try_from(data.len()).map_err(|_| {
        DeviceError::bad_input(format!(
            "a command to the key holds at most 65535 bytes; this one has {}",
            data.len()
        ))
    })?;
    // One allocation of the final size: the data may be sealed key material.
    let mut apdu = Vec::with_capacity(7 + data.len());
    apdu.extend_from_slice(&[0x80, 0xC5, p1, p2, 0x00]);
    apdu.extend_from_slice(&lc.to_be_bytes());
    apdu.extend_from_slice(data);
    Ok(apdu)
}

fn select(aid: &[u8; 8]) -> Vec<u8> {
    [&[0x00, 0xA4, 0x04, 0x00, 0x08][..], aid].concat()
}

/// `00 A4 04 00 08 <OTP AID>`.
pub fn select_otp() -> Vec<u8> {
    select(&OTP_AID)
}

/// `00 A4 04 00 08 <FIDO AID>`: only before [`read_serial`].
pub fn select_fido() -> Vec<u8> {
    select(&FIDO_AID)
}

/// `80 C5 01 00 00`: the key's P-256 public key.
pub fn get_device_key() -> Vec<u8> {
    vec![0x80, 0xC5, 0x01, 0x00, 0x00]
}

/// `80 C5 02 00 40`: the device-info bytes.
pub fn read_config() -> Vec<u8> {
    vec![0x80, 0xC5, 0x02, 0x00, CONFIG_LEN]
}

/// `80 C5 02 05 … 01|00`: lets the key show TOTP codes (or not).
pub fn enable_totp(on: bool) -> Vec<u8> {
    [
        &[0x80, 0xC5, 0x02, 0x05, 0x00, 0x00, 0x01][..],
        &[u8::from(on)],
    ]
    .concat()
}

/// `80 C5 05 02 … host_pub ‖ ciphertext`: a write or a delete.
pub fn write_sealed(blob: &[u8]) -> Result<Vec<u8>, DeviceError> {
    extended(0x05, 0x02, blob)
}

/// `80 C5 05 00 … 01 ‖ time ‖ name`: one entry with its code at `unix_time`.
pub fn read_one(name: &EntryName, unix_time: u64) -> Result<Vec<u8>, DeviceError> {
    let body = [&[READ_ONE][..], &unix_time.to_be_bytes(), &name.wire()].concat();
    extended(0x05, 0x00, &body)
}

/// `80 C5 05 00 … 03 ‖ time`: the first page of entries.
pub fn read_all(unix_time: u64) -> Vec<u8> {
    let body = [&[READ_ALL][..], &unix_time.to_be_bytes()].concat();
    [&[0x80, 0xC5, 0x05, 0x00, 0x00, 0x00, 0x09][..], &body].concat()
}

/// `80 C5 05 01 … time`: the next page.
pub fn read_next_page(unix_time: u64) -> Vec<u8> {
    [
        &[0x80, 0xC5, 0x05, 0x01, 0x00, 0x00, 0x08][..],
        &unix_time.to_be_bytes(),
    ]
    .concat()
}

/// `80 33 00 00 … D1 10 ‖ 16 zero bytes` to the FIDO applet.
pub fn read_serial() -> Vec<u8> {
    let mut apdu = vec![0x80, 0x33, 0x00, 0x00, 0x00, 0x00, 0x12, 0xD1, 0x10];
    apdu.resize(7 + 18, 0);
    apdu
}

/// One read-all page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub entries: Vec<Entry>,
    pub more: bool,
}

/// A page: the first byte's top bit says more pages follow (its low bits
/// are the first entry's type); entries follow back to back, each with
/// `len ‖ code` only when TOTP without touch.
pub fn parse_page(data: &[u8]) -> Result<Page, DeviceError> {
    let [first, rest @ ..] = data else {
        return Err(malformed());
    };
    let stream = [&[first & !MORE_PAGES][..], rest].concat();
    let mut c = Cursor(&stream);
    let mut entries = Vec::new();
    while !c.at_end() {
        entries.push(parse_entry(&mut c, false)?);
    }
    Ok(Page {
        entries,
        more: first & MORE_PAGES != 0,
    })
}

/// The first page: `6A80`/`6A83` there means an empty key.
pub fn parse_first_page(resp: &Response) -> Result<Page, DeviceError> {
    if matches!(resp.sw, 0x6A80 | 0x6A83) {
        return Ok(Page {
            entries: vec![],
            more: false,
        });
    }
    check(resp, TokenState::Untouched)?;
    parse_page(&resp.data)
}

/// A later page: any refusal is an error.
pub fn parse_next_page(resp: &Response) -> Result<Page, DeviceError> {
    check(resp, TokenState::Untouched)?;
    parse_page(&resp.data)
}

/// Read-one: exactly one entry, always with its code.
pub fn parse_read_one(resp: &Response) -> Result<Entry, DeviceError> {
    check(resp, TokenState::Untouched)?;
    let mut c = Cursor(&resp.data);
    let entry = parse_entry(&mut c, true)?;
    c.at_end().then_some(entry).ok_or_else(malformed)
}

/// `D1 len ‖ ASCII hex`; the serial in lower-case hex.
pub fn parse_serial(resp: &Response) -> Result<String, DeviceError> {
    check(resp, TokenState::Untouched)?;
    let [0xD1, n, rest @ ..] = resp.data.as_slice() else {
        return Err(malformed());
    };
    let hex = rest.get(..usize::from(*n)).ok_or_else(malformed)?;
    let ok = !hex.is_empty() && hex.len() % 2 == 0 && hex.iter().all(u8::is_ascii_hexdigit);
    ok.then(|| {
        hex.iter()
            .map(|b| char::from(b.to_ascii_lowercase()))
            .collect()
    })
    .ok_or_else(malformed)
}

/// The device-info bytes read-config returns (1..=64; short NFC/CCID
/// answers carry only the first). Bit meanings from Token2's tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceConfig(Vec<u8>);

impl DeviceConfig {
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    fn bit(&self, byte: usize, mask: u8) -> Option<bool> {
        self.0.get(byte).map(|b| b & mask != 0)
    }

    pub fn fido_disabled(&self) -> bool {
        self.bit(0, 0x01).unwrap_or(false)
    }

    pub fn ccid_disabled(&self) -> bool {
        self.bit(0, 0x04).unwrap_or(false)
    }

    /// `None` when the answer did not carry the config byte.
    pub fn pin_set(&self) -> Option<bool> {
        self.bit(1, 0x02)
    }

    pub fn pin_locked(&self) -> Option<bool> {
        self.bit(1, 0x40)
    }

    pub fn nfc_supported(&self) -> Option<bool> {
        self.bit(1, 0x10)
    }

    /// The extension byte's TOTP bit: this key stores TOTP entries.
    pub fn totp_supported(&self) -> Option<bool> {
        self.bit(9, 0x01)
    }

    pub fn ccid_supported(&self) -> Option<bool> {
        self.bit(9, 0x10)
    }
}

pub fn parse_config(resp: &Response) -> Result<DeviceConfig, DeviceError> {
    check(resp, TokenState::Untouched)?;
    let n = resp.data.len();
    (1..=usize::from(CONFIG_LEN))
        .contains(&n)
        .then(|| DeviceConfig(resp.data.clone()))
        .ok_or_else(malformed)
}

/// Any other answer that must be just `9000`.
pub fn parse_ok(resp: &Response, state: TokenState) -> Result<(), DeviceError> {
    check(resp, state)
}

//! Token2 Molto2v2 (USB CCID, 100 slots) command APDUs and response
//! parsing, sans-IO. Same command family, status words and MAC as the
//! single-profile tokens, but the SM4 key comes from the customer key and
//! every write names a slot in P2.

use oathdesk_otp::{CodeParams, Secret};
use zeroize::Zeroizing;

use super::input::{CustomerKey, Molto2Settings, Slot, Title};
use crate::apdu::Response;
use crate::error::{DeviceError, DeviceErrorKind};
use crate::token2::codec::{self as t2, Token2Error};
use crate::token2::crypto::{self, Key};
use crate::wire::{Digits, HashAlgorithm, TimeStep};

/// Bytes of a slot's public block (inside `95 L 70 L`) that are read.
const PUBLIC_BLOCK: usize = 29;

/// A slot's public data (no authentication needed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotInfo {
    pub slot: Slot,
    pub seed_present: bool,
    /// The codes the slot shows; `None` for a slot without a seed, whose
    /// settings bytes mean nothing (only the seed flag is reliable there).
    pub params: Option<CodeParams>,
}

/// The SM4 key: SHA-1 of the customer key, first 16 bytes.
pub fn sm4_key(customer_key: &CustomerKey) -> Key {
    crypto::molto2_key(customer_key.bytes())
}

/// `80 41 00 00 00`: serial and clock, laid out as the single-profile
/// get-info answer ([`t2::parse_info`]).
pub fn get_info() -> Vec<u8> {
    vec![0x80, 0x41, 0x00, 0x00, 0x00]
}

/// `80 41 00 p 01 70`, without an Le (the device refuses one).
pub fn public_data(slot: Slot) -> Vec<u8> {
    vec![0x80, 0x41, 0x00, slot.index(), 0x01, 0x70]
}

/// The `70` value of a `95 L 70 L …` answer, if the envelope is whole and
/// holds at least the fields read.
pub fn public_block(data: &[u8]) -> Option<&[u8]> {
    let [0x95, outer_len, outer @ ..] = data else {
        return None;
    };
    let [0x70, inner_len, inner @ ..] = outer else {
        return None;
    };
    if outer.len() != usize::from(*outer_len) {
        return None;
    }
    inner
        .get(..usize::from(*inner_len))
        .filter(|v| v.len() >= PUBLIC_BLOCK)
}

/// `flag tips(16) rtc(4) timecfg(4) algo step digits seed_present`.
pub fn parse_public_data(resp: &Response, slot: Slot) -> Result<SlotInfo, Token2Error> {
    t2::check(resp)?;
    let block = public_block(&resp.data).ok_or(Token2Error::Malformed)?;
    let &[algo, step, digits, seed] = block.get(25..29).ok_or(Token2Error::Malformed)? else {
        return Err(Token2Error::Malformed);
    };
    let seed_present = match seed {
        0 => false,
        1 => true,
        _ => return Err(Token2Error::Malformed),
    };
    let params = if seed_present {
        Some(CodeParams {
            algorithm: HashAlgorithm::from_wire(algo)
                .ok_or(Token2Error::Malformed)?
                .to_algorithm(),
            period: TimeStep::from_wire(step)
                .ok_or(Token2Error::Malformed)?
                .seconds(),
            digits: Digits::from_wire(digits)
                .ok_or(Token2Error::Malformed)?
                .count(),
        })
    } else {
        None
    };
    Ok(SlotInfo {
        slot,
        seed_present,
        params,
    })
}

/// The tries left in a `63 xx` refusal. Token2's spec reads SW2 as the
/// count; the device (and ISO 7816) answers `63 Cx` with x the count. Both
/// are read: `Cx` as x, anything else as the whole byte.
pub fn tries_left(sw: u16) -> Option<u8> {
    match sw.to_be_bytes() {
        [0x63, sw2] if sw2 & 0xF0 == 0xC0 => Some(sw2 & 0x0F),
        [0x63, sw2] => Some(sw2),
        _ => None,
    }
}

/// The answer to the key check: success, a refusal with tries left, or
/// another status.
pub fn check_auth(resp: &Response) -> Result<(), DeviceErrorKind> {
    if let Some(tries_left) = tries_left(resp.sw) {
        return Err(DeviceErrorKind::KeyRefused { tries_left });
    }
    t2::check(resp).map_err(DeviceErrorKind::from)
}

/// `81 14 | 1F 01 t | 0F 04 time | 86 09 | 0A 01 algo | 0B 01 digits | 0D 01 step`.
pub fn config_tlv(s: &Molto2Settings, clock: u32) -> Vec<u8> {
    let mut tlv = vec![0x81, 0x14, 0x1F, 0x01, s.display_timeout.wire(), 0x0F, 0x04];
    tlv.extend(clock.to_be_bytes());
    tlv.extend([0x86, 0x09, 0x0A, 0x01, s.algorithm.wire()]);
    tlv.extend([0x0B, 0x01, s.digits.wire(), 0x0D, 0x01, s.step.wire()]);
    tlv
}

/// `81 06 | 0F 04 time`: the clock alone; the slot's settings stay.
pub fn clock_tlv(clock: u32) -> Vec<u8> {
    let mut tlv = vec![0x81, 0x06, 0x0F, 0x04];
    tlv.extend(clock.to_be_bytes());
    tlv
}

/// `84 D4 01 p`: settings with the clock.
pub fn write_config(
    key: &Key,
    slot: Slot,
    s: &Molto2Settings,
    clock: u32,
) -> Result<Vec<u8>, DeviceError> {
    t2::secured(key, 0xD4, 0x01, slot.index(), &config_tlv(s, clock))
}

/// `84 D4 01 p`: the clock alone.
pub fn write_clock(key: &Key, slot: Slot, clock: u32) -> Result<Vec<u8>, DeviceError> {
    t2::secured(key, 0xD4, 0x01, slot.index(), &clock_tlv(clock))
}

/// `84 C5 01 p`: the seed (1..=63 bytes), padded and encrypted.
pub fn write_seed(
    key: &Key,
    slot: Slot,
    secret: &Secret,
) -> Result<Zeroizing<Vec<u8>>, DeviceError> {
    let ct = t2::encrypted_seed(key, secret, super::FAMILY)?;
    t2::secured(key, 0xC5, 0x01, slot.index(), &ct).map(Zeroizing::new)
}

/// `84 D5 00 p`: the title, padded to one block and encrypted.
pub fn write_title(key: &Key, slot: Slot, title: &Title) -> Result<Vec<u8>, DeviceError> {
    let ct = crypto::ecb_encrypt(key, &crypto::seed_pad(title.as_str().as_bytes()));
    t2::secured(key, 0xD5, 0x00, slot.index(), &ct)
}

/// `80 E6 00 p 00`.
pub fn delete_seed(slot: Slot) -> Vec<u8> {
    vec![0x80, 0xE6, 0x00, slot.index(), 0x00]
}

/// `6A83` (the slot held no seed) leaves it as asked: not an error.
pub fn parse_delete(resp: &Response) -> Result<(), Token2Error> {
    match resp.sw {
        0x6A83 => Ok(()),
        _ => t2::check(resp),
    }
}

/// `84 D7 00 00`: SM4-ECB(`00 ‖ SHA1(new key)[..16] ‖ 80 00…`) to 32 bytes.
pub fn change_key(key: &Key, new_key: &CustomerKey) -> Result<Vec<u8>, DeviceError> {
    let mut plain = Zeroizing::new(vec![0x00]);
    plain.extend_from_slice(sm4_key(new_key).as_slice());
    plain.push(0x80);
    plain.resize(32, 0);
    t2::secured(key, 0xD7, 0x00, 0x00, &crypto::ecb_encrypt(key, &plain))
}

/// Key change and factory reset answer `9060` until ▲ is pressed.
pub fn parse_pending(resp: &Response) -> Result<(), Token2Error> {
    match resp.sw {
        0x9060 => Ok(()),
        _ => t2::check(resp),
    }
}

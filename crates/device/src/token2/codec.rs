//! Single-profile Token2 programmable tokens (NFC, PC/SC): command APDUs
//! and response parsing, sans-IO. No applet SELECT; SM4 with the fixed
//! device key; CLA `84` commands carry a MAC.

use oathdesk_otp::{Algorithm, Secret};

use super::crypto::{self, DEVICE_KEY};
use crate::apdu::{Response, command};

/// Why a token answered with something other than success.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Token2Error {
    #[error(
        "the token refused authentication (6983): its key is not the expected one, or it is locked"
    )]
    AuthFailed,
    #[error("the token rejected the data (6A80): malformed settings or seed")]
    BadData,
    #[error("the token rejected the command length (6700)")]
    BadLength,
    #[error(
        "the token does not know this command ({0:04X}): it is not a Token2 programmable token"
    )]
    Unsupported(u16),
    #[error("the token answered {0:04X}")]
    Status(u16),
    #[error("the token's answer is too short or malformed")]
    Malformed,
}

fn check(resp: &Response) -> Result<(), Token2Error> {
    match resp.sw {
        0x9000 => Ok(()),
        0x6983 => Err(Token2Error::AuthFailed),
        0x6A80 => Err(Token2Error::BadData),
        0x6700 => Err(Token2Error::BadLength),
        sw @ (0x6D00 | 0x6E00) => Err(Token2Error::Unsupported(sw)),
        sw => Err(Token2Error::Status(sw)),
    }
}

/// What get-info tells without authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Info {
    pub serial: String,
    /// The token's clock, Unix seconds (UTC).
    pub clock: u32,
}

pub fn get_info() -> Vec<u8> {
    command(0x80, 0x41, 0x00, 0x00, &[0x02, 0x11], None)
}

/// Header (3 bytes, not checked: firmwares differ), serial length, ASCII
/// serial, separator (2 bytes, not checked), clock (u32 BE).
pub fn parse_info(resp: &Response) -> Result<Info, Token2Error> {
    check(resp)?;
    let d = &resp.data;
    let n = *d.get(3).ok_or(Token2Error::Malformed)? as usize;
    let serial = d.get(4..4 + n).ok_or(Token2Error::Malformed)?;
    let clock = d.get(4 + n + 2..4 + n + 6).ok_or(Token2Error::Malformed)?;
    let serial = String::from_utf8(serial.to_vec()).map_err(|_| Token2Error::Malformed)?;
    if serial.is_empty() || !serial.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Token2Error::Malformed);
    }
    Ok(Info {
        serial,
        clock: u32::from_be_bytes(clock.try_into().expect("4 bytes")),
    })
}

pub fn get_challenge() -> Vec<u8> {
    command(0x80, 0x4B, 0x08, 0x00, &[], Some(0x00))
}

pub fn parse_challenge(resp: &Response) -> Result<[u8; 8], Token2Error> {
    check(resp)?;
    resp.data
        .get(..8)
        .and_then(|c| c.try_into().ok())
        .ok_or(Token2Error::Malformed)
}

pub fn authenticate(challenge: &[u8; 8]) -> Vec<u8> {
    command(
        0x80,
        0xCE,
        0x00,
        0x00,
        &crypto::auth_response(&DEVICE_KEY, challenge),
        None,
    )
}

pub fn parse_ok(resp: &Response) -> Result<(), Token2Error> {
    check(resp)
}

/// How long the display stays on after a press.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisplayTimeout {
    S15 = 0,
    S30 = 1,
    S60 = 2,
    S120 = 3,
}

impl DisplayTimeout {
    pub fn from_seconds(s: u64) -> Option<Self> {
        Some(match s {
            15 => DisplayTimeout::S15,
            30 => DisplayTimeout::S30,
            60 => DisplayTimeout::S60,
            120 => DisplayTimeout::S120,
            _ => return None,
        })
    }
}

/// The settings written with the clock (always the full TLV; no digits
/// field on these models: 6 digits fixed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    pub display_timeout: DisplayTimeout,
    pub clock: u32,
    pub algorithm: Algorithm,
    /// 30 or 60.
    pub period: u8,
}

/// The config TLV: `81 11 | 1F 01 t | 0F 04 time | 86 06 | 0A 01 algo | 0D 01 step`.
pub fn config_tlv(c: &Config) -> Vec<u8> {
    let algo = match c.algorithm {
        Algorithm::Sha256 => 2,
        _ => 1,
    };
    let t = c.clock.to_be_bytes();
    vec![
        0x81,
        0x11,
        0x1F,
        0x01,
        c.display_timeout as u8,
        0x0F,
        0x04,
        t[0],
        t[1],
        t[2],
        t[3],
        0x86,
        0x06,
        0x0A,
        0x01,
        algo,
        0x0D,
        0x01,
        c.period,
    ]
}

/// A CLA `84` command: body then MAC; Lc counts both.
fn secured(ins: u8, p1: u8, p2: u8, body: &[u8]) -> Vec<u8> {
    let mac = crypto::command_mac(&DEVICE_KEY, ins, p1, p2, body);
    let mut data = body.to_vec();
    data.extend_from_slice(&mac);
    command(0x84, ins, p1, p2, &data, None)
}

pub fn write_config(c: &Config) -> Vec<u8> {
    secured(0xD4, 0x00, 0x00, &config_tlv(c))
}

/// The seed, padded and SM4-ECB encrypted. The APDU holds the secret in
/// encrypted form only.
pub fn write_seed(secret: &Secret) -> Vec<u8> {
    let ct = crypto::ecb_encrypt(&DEVICE_KEY, &crypto::seed_pad(secret.expose()));
    secured(0xC5, 0x01, 0x00, &ct)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_info_with_any_header() {
        let mut data = vec![0x95, 0x13, 0x02, 13];
        data.extend_from_slice(b"8659612001234");
        data.extend_from_slice(&[0x11, 0x04]);
        data.extend_from_slice(&1_700_000_000u32.to_be_bytes());
        let info = parse_info(&Response { data, sw: 0x9000 }).unwrap();
        assert_eq!(info.serial, "8659612001234");
        assert_eq!(info.clock, 1_700_000_000);
        assert_eq!(
            parse_info(&Response {
                data: vec![0, 0, 0, 9, b'1'],
                sw: 0x9000
            }),
            Err(Token2Error::Malformed)
        );
    }

    #[test]
    fn config_tlv_layout() {
        let c = Config {
            display_timeout: DisplayTimeout::S30,
            clock: 0x6553F100,
            algorithm: Algorithm::Sha256,
            period: 60,
        };
        let tlv = config_tlv(&c);
        assert_eq!(tlv[1] as usize, tlv.len() - 2);
        assert_eq!(hex_of(&tlv), "81111f01010f046553f10086060a01020d013c");
    }

    #[test]
    fn seed_apdu_lengths() {
        for (seed, lc) in [(20usize, 0x24u8), (32, 0x34), (10, 0x14)] {
            let apdu = write_seed(&Secret::new(vec![7; seed]));
            assert_eq!(
                &apdu[..5],
                &[0x84, 0xC5, 0x01, 0x00, lc],
                "{seed}-byte seed"
            );
            assert_eq!(apdu.len(), 5 + lc as usize);
        }
    }

    #[test]
    fn status_words_map_to_errors() {
        assert_eq!(
            parse_ok(&Response {
                data: vec![],
                sw: 0x6983
            }),
            Err(Token2Error::AuthFailed)
        );
        assert_eq!(
            parse_ok(&Response {
                data: vec![],
                sw: 0x6D00
            }),
            Err(Token2Error::Unsupported(0x6D00))
        );
    }

    fn hex_of(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }
}

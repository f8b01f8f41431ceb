//! Single-profile Token2 programmable tokens (NFC, PC/SC): command APDUs
//! and response parsing, sans-IO. No applet SELECT; SM4 with the fixed
//! device key; CLA `84` commands carry a MAC. The status words and the
//! get-info layout are shared with the Molto2, which reuses them.

use oathdesk_otp::Secret;
use zeroize::Zeroizing;

use super::crypto::{self, DEVICE_KEY};
use crate::apdu::{Response, command};
use crate::error::DeviceError;
pub use crate::wire::DisplayTimeout;
use crate::wire::{HashAlgorithm, TimeStep};

/// The most seed bytes a Token2 token takes (padded, that is 4 blocks).
pub const MAX_SEED_BYTES: usize = 63;

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

impl Token2Error {
    /// The status word the token refused with; `None` for an answer that
    /// could not be read.
    pub fn sw(&self) -> Option<u16> {
        match self {
            Token2Error::AuthFailed => Some(0x6983),
            Token2Error::BadData => Some(0x6A80),
            Token2Error::BadLength => Some(0x6700),
            Token2Error::Unsupported(sw) | Token2Error::Status(sw) => Some(*sw),
            Token2Error::Malformed => None,
        }
    }
}

/// Maps a status word; only `9000` is success.
pub fn check(resp: &Response) -> Result<(), Token2Error> {
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

/// `80 41 00 00 02 02 11`.
pub fn get_info() -> Vec<u8> {
    vec![0x80, 0x41, 0x00, 0x00, 0x02, 0x02, 0x11]
}

/// Header (3 bytes, not checked: firmwares differ), serial length, ASCII
/// serial, separator (2 bytes, not checked), clock (u32 BE).
pub fn parse_info(resp: &Response) -> Result<Info, Token2Error> {
    check(resp)?;
    let d = &resp.data;
    let n = usize::from(*d.get(3).ok_or(Token2Error::Malformed)?);
    let serial = d.get(4..4 + n).ok_or(Token2Error::Malformed)?;
    let clock: [u8; 4] = d
        .get(4 + n + 2..4 + n + 6)
        .and_then(|c| c.try_into().ok())
        .ok_or(Token2Error::Malformed)?;
    let serial = String::from_utf8(serial.to_vec()).map_err(|_| Token2Error::Malformed)?;
    if serial.is_empty() || !serial.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Token2Error::Malformed);
    }
    Ok(Info {
        serial,
        clock: u32::from_be_bytes(clock),
    })
}

/// `80 4B 08 00 00`: an 8-byte challenge.
pub fn get_challenge() -> Vec<u8> {
    vec![0x80, 0x4B, 0x08, 0x00, 0x00]
}

pub fn parse_challenge(resp: &Response) -> Result<[u8; 8], Token2Error> {
    check(resp)?;
    resp.data
        .get(..8)
        .and_then(|c| c.try_into().ok())
        .ok_or(Token2Error::Malformed)
}

/// `80 CE 00 00 10 <SM4-ECB(challenge ‖ 8 zero bytes)>` under `key`.
pub fn authenticate_with(key: &[u8; 16], challenge: &[u8; 8]) -> Vec<u8> {
    let mut apdu = vec![0x80, 0xCE, 0x00, 0x00, 0x10];
    apdu.extend(crypto::auth_response(key, challenge));
    apdu
}

/// The answer with the fixed device key.
pub fn authenticate(challenge: &[u8; 8]) -> Vec<u8> {
    authenticate_with(&DEVICE_KEY, challenge)
}

pub fn parse_ok(resp: &Response) -> Result<(), Token2Error> {
    check(resp)
}

/// The settings written with the clock (always the full TLV; no digits
/// field on these models: 6 digits fixed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    pub display_timeout: DisplayTimeout,
    pub clock: u32,
    pub algorithm: HashAlgorithm,
    pub step: TimeStep,
}

/// The config TLV: `81 11 | 1F 01 t | 0F 04 time | 86 06 | 0A 01 algo | 0D 01 step`.
pub fn config_tlv(c: &Config) -> Vec<u8> {
    let mut tlv = vec![0x81, 0x11, 0x1F, 0x01, c.display_timeout.wire(), 0x0F, 0x04];
    tlv.extend(c.clock.to_be_bytes());
    tlv.extend([0x86, 0x06, 0x0A, 0x01, c.algorithm.wire()]);
    tlv.extend([0x0D, 0x01, c.step.wire()]);
    tlv
}

/// A CLA `84` command under `key`: body then MAC; Lc counts both.
pub fn secured(
    key: &[u8; 16],
    ins: u8,
    p1: u8,
    p2: u8,
    body: &[u8],
) -> Result<Vec<u8>, DeviceError> {
    let mac = crypto::command_mac(key, ins, p1, p2, body)?;
    let mut data = Zeroizing::new(Vec::with_capacity(body.len() + mac.len()));
    data.extend_from_slice(body);
    data.extend_from_slice(&mac);
    command(0x84, ins, p1, p2, &data, None)
}

pub fn write_config(c: &Config) -> Result<Vec<u8>, DeviceError> {
    secured(&DEVICE_KEY, 0xD4, 0x00, 0x00, &config_tlv(c))
}

/// Refuses a seed the token cannot take (1..=63 bytes), naming `family`.
pub fn check_seed(secret: &Secret, family: &str) -> Result<(), DeviceError> {
    let n = secret.len();
    if (1..=MAX_SEED_BYTES).contains(&n) {
        return Ok(());
    }
    Err(DeviceError::bad_input(format!(
        "the {family} takes secrets of 1 to {MAX_SEED_BYTES} bytes (up to {} bits); this one is {n} bytes",
        MAX_SEED_BYTES * 8
    )))
}

/// The seed padded and SM4-ECB encrypted under `key`: the APDU holds the
/// secret in encrypted form only.
pub fn encrypted_seed(
    key: &[u8; 16],
    secret: &Secret,
    family: &str,
) -> Result<Zeroizing<Vec<u8>>, DeviceError> {
    check_seed(secret, family)?;
    Ok(Zeroizing::new(crypto::ecb_encrypt(
        key,
        &crypto::seed_pad(secret.expose()),
    )))
}

/// `84 C5 01 00`: the seed, encrypted with the device key (which is
/// public, so the APDU is as secret as the seed and wiped like it).
pub fn write_seed(secret: &Secret) -> Result<Zeroizing<Vec<u8>>, DeviceError> {
    let ct = encrypted_seed(&DEVICE_KEY, secret, super::FAMILY)?;
    secured(&DEVICE_KEY, 0xC5, 0x01, 0x00, &ct).map(Zeroizing::new)
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

    /// The layout, and the TLV Token2's firmware tests send for 1700000000,
    /// timeout 1 (30 s), SHA-1, 30 s (token2/openT2OTP
    /// `firmware/test/provision_test.c`, step 3).
    #[test]
    fn config_tlv_layout() {
        let c = Config {
            display_timeout: DisplayTimeout::S30,
            clock: 0x6553F100,
            algorithm: HashAlgorithm::Sha256,
            step: TimeStep::S60,
        };
        let tlv = config_tlv(&c);
        assert_eq!(usize::from(tlv[1]), tlv.len() - 2);
        assert_eq!(hex_of(&tlv), "81111f01010f046553f10086060a01020d013c");
        let published = Config {
            clock: 1_700_000_000,
            algorithm: HashAlgorithm::Sha1,
            step: TimeStep::S30,
            ..c
        };
        assert_eq!(
            hex_of(&config_tlv(&published)),
            "81111f01010f046553f10086060a01010d011e"
        );
    }

    /// Whole secured APDUs, MAC included, as Token2 publishes them:
    /// token2/keyroost `crates/keyroost-token2prog/src/lib.rs`
    /// (`set_config_golden`, `set_seed_20_byte_golden`, `set_seed_32_byte_golden`).
    #[test]
    fn secured_apdus_match_the_published_ones() {
        let config = write_config(&Config {
            display_timeout: DisplayTimeout::S60,
            clock: 0x6543_2100,
            algorithm: HashAlgorithm::Sha256,
            step: TimeStep::S60,
        })
        .unwrap();
        assert_eq!(
            hex_of(&config),
            "84d400001781111f01020f046543210086060a01020d013c37a18bf9"
        );
        let seed = write_seed(&Secret::new((0x01..=0x14).collect())).unwrap();
        assert_eq!(
            hex_of(&seed),
            "84c50100246eead21474bbf3a0a2b4c18f489e543cf48725a71ee9c3a65963e88be9405e3d5f6ea0c1"
        );
        let seed = write_seed(&Secret::new((0x10..=0x2F).collect())).unwrap();
        assert_eq!(
            hex_of(&seed),
            "84c5010034b830899cfe9de292cd26d3c7439215ce18503d57ac31735afa60eba20f64d6f7d219efc9972fed9191df027fd36a80b0880d59fa"
        );
    }

    #[test]
    fn seed_apdu_lengths() {
        for (seed, lc) in [(20usize, 0x24u8), (32, 0x34), (10, 0x14), (63, 0x44)] {
            let apdu = write_seed(&Secret::new(vec![7; seed])).unwrap();
            assert_eq!(
                &apdu[..5],
                &[0x84, 0xC5, 0x01, 0x00, lc],
                "{seed}-byte seed"
            );
            assert_eq!(apdu.len(), 5 + usize::from(lc));
        }
        for bad in [0, 64, 300] {
            assert!(write_seed(&Secret::new(vec![7; bad])).is_err(), "{bad}");
        }
    }

    #[test]
    fn status_words_map_to_errors() {
        let refused = |sw| parse_ok(&Response { data: vec![], sw });
        assert_eq!(refused(0x6983), Err(Token2Error::AuthFailed));
        assert_eq!(refused(0x6D00), Err(Token2Error::Unsupported(0x6D00)));
        assert_eq!(refused(0x6A82).unwrap_err().sw(), Some(0x6A82));
        assert_eq!(Token2Error::Malformed.sw(), None);
    }

    /// token2/keyroost `crates/keyroost-token2prog/src/lib.rs`
    /// (`answer_challenge_matches_reference`).
    #[test]
    fn auth_apdu_carries_the_published_vector() {
        let apdu = authenticate(&[0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88]);
        assert_eq!(hex_of(&apdu), "80ce0000108b7450f22721bc29985c2c460b65045d");
    }

    fn hex_of(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }
}

//! Token2 Molto2v2 (USB CCID, 100 profiles): codec and session. The SM4 key
//! is derived from the customer key; authentication failures answer
//! `63 Cx` with x the tries left; key changes and factory resets wait for a
//! press of ▲ on the device.

use oathdesk_otp::{Algorithm, CodeParams, Secret};

use crate::apdu::{Response, command};
use crate::error::{DeviceError, DeviceErrorKind, TokenState};
use crate::token2::codec::{self as t2, DisplayTimeout, Info, Token2Error};
use crate::token2::crypto::{self, Key};
use crate::transport::{Transport, exchange};

/// The factory customer key; OathDesk warns while it is still in use.
pub const DEFAULT_CUSTOMER_KEY: &[u8] = b"TOKEN2MOLTO1-KEY";
pub const PROFILES: u8 = 100;

/// A profile's public data (no authentication needed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileInfo {
    pub seed_present: bool,
    pub algorithm: Algorithm,
    pub period: u8,
    pub digits: u8,
}

pub fn public_data(profile: u8) -> Vec<u8> {
    command(0x80, 0x41, 0x00, profile, &[0x70], None)
}

/// `95 L 70 L | flag tips(16) rtc(4) timecfg(4) algo step digits seed`.
pub fn parse_public_data(r: &Response) -> Result<ProfileInfo, Token2Error> {
    if !r.is_ok() {
        return Err(Token2Error::Status(r.sw));
    }
    let v = r
        .data
        .get(4..)
        .filter(|v| r.data.first() == Some(&0x95) && v.len() >= 29)
        .ok_or(Token2Error::Malformed)?;
    Ok(ProfileInfo {
        algorithm: if v[25] == 2 {
            Algorithm::Sha256
        } else {
            Algorithm::Sha1
        },
        period: v[26],
        digits: v[27],
        seed_present: v[28] == 1,
    })
}

fn secured(key: &Key, ins: u8, p1: u8, p2: u8, body: &[u8]) -> Vec<u8> {
    let mut data = body.to_vec();
    data.extend_from_slice(&crypto::command_mac(key, ins, p1, p2, body));
    command(0x84, ins, p1, p2, &data, None)
}

/// Full settings: `81 14 | 1F 01 t | 0F 04 time | 86 09 | 0A 01 algo | 0B 01 digits | 0D 01 step`.
pub fn config_tlv(timeout: DisplayTimeout, clock: u32, params: &CodeParams) -> Vec<u8> {
    let t = clock.to_be_bytes();
    let algo = if params.algorithm == Algorithm::Sha256 {
        2
    } else {
        1
    };
    vec![
        0x81,
        0x14,
        0x1F,
        0x01,
        timeout as u8,
        0x0F,
        0x04,
        t[0],
        t[1],
        t[2],
        t[3],
        0x86,
        0x09,
        0x0A,
        0x01,
        algo,
        0x0B,
        0x01,
        params.digits as u8,
        0x0D,
        0x01,
        params.period as u8,
    ]
}

fn status(r: &Response, state: TokenState) -> Result<(), DeviceError> {
    match r.sw {
        0x9000 => Ok(()),
        sw if sw & 0xFFF0 == 0x63C0 => Err(DeviceError::new(
            state,
            DeviceErrorKind::KeyRefused {
                tries_left: (sw & 0x0F) as u8,
            },
        )),
        sw => Err(DeviceError::new(state, Token2Error::Status(sw))),
    }
}

/// A Molto2 on a transport, authenticated with a customer key on demand.
pub struct Molto2Session<T: Transport> {
    transport: T,
    key: Key,
    info: Info,
}

impl<T: Transport> Molto2Session<T> {
    /// Reads the device; `customer_key` is 16 bytes (ASCII or raw).
    pub fn open(mut transport: T, customer_key: &[u8]) -> Result<Self, DeviceError> {
        let resp = exchange(
            &mut transport,
            &command(0x80, 0x41, 0x00, 0x00, &[], Some(0)),
        )
        .map_err(DeviceError::reading(TokenState::Untouched))?;
        let info = t2::parse_info(&resp).map_err(|e| DeviceError::new(TokenState::Untouched, e))?;
        Ok(Molto2Session {
            transport,
            key: crypto::molto2_key(customer_key),
            info,
        })
    }

    pub fn info(&self) -> &Info {
        &self.info
    }

    fn send(&mut self, apdu: &[u8], before: TokenState) -> Result<Response, DeviceError> {
        exchange(&mut self.transport, apdu).map_err(DeviceError::writing(before))
    }

    pub fn profile(&mut self, p: u8) -> Result<ProfileInfo, DeviceError> {
        let r = exchange(&mut self.transport, &public_data(p))
            .map_err(DeviceError::reading(TokenState::Untouched))?;
        parse_public_data(&r).map_err(|e| DeviceError::new(TokenState::Untouched, e))
    }

    /// Challenge-response with the derived key; a refusal reports the tries left.
    pub fn authenticate(&mut self) -> Result<(), DeviceError> {
        let r = exchange(&mut self.transport, &t2::get_challenge())
            .map_err(DeviceError::reading(TokenState::Untouched))?;
        let challenge =
            t2::parse_challenge(&r).map_err(|e| DeviceError::new(TokenState::Untouched, e))?;
        let answer = command(
            0x80,
            0xCE,
            0x00,
            0x00,
            &crypto::auth_response(&self.key, &challenge),
            None,
        );
        let r = exchange(&mut self.transport, &answer)
            .map_err(DeviceError::reading(TokenState::Untouched))?;
        status(&r, TokenState::Untouched)
    }

    /// Burns profile `p`: settings with the clock, the seed, then the title.
    /// Refuses a profile that already holds a seed, as Token2's own tool
    /// does: delete it first.
    pub fn burn(
        &mut self,
        p: u8,
        secret: &Secret,
        params: &CodeParams,
        title: Option<&str>,
        timeout: DisplayTimeout,
        clock: &dyn Fn() -> u32,
    ) -> Result<(), DeviceError> {
        if self.profile(p)?.seed_present {
            return Err(DeviceError::new(
                TokenState::Untouched,
                DeviceErrorKind::NotWritable(format!(
                    "profile {p} already holds a seed; delete it first"
                )),
            ));
        }
        self.authenticate()?;
        let now = clock();
        let r = self.send(
            &secured(&self.key, 0xD4, 0x01, p, &config_tlv(timeout, now, params)),
            TokenState::Untouched,
        )?;
        status(&r, TokenState::Untouched)?;
        self.info.clock = now;
        let seed = crypto::ecb_encrypt(&self.key, &crypto::seed_pad(secret.expose()));
        let r = self.send(
            &secured(&self.key, 0xC5, 0x01, p, &seed),
            TokenState::ConfiguredNoSeed,
        )?;
        status(&r, TokenState::ConfiguredNoSeed)?;
        if let Some(t) = title {
            let ct = crypto::ecb_encrypt(&self.key, &crypto::seed_pad(t.as_bytes()));
            let r = self.send(
                &secured(&self.key, 0xD5, 0x00, p, &ct),
                TokenState::SeedWritten,
            )?;
            status(&r, TokenState::SeedWritten)?;
        }
        Ok(())
    }

    /// Sets the clock of profile `p` (keeps the seed on this model).
    pub fn sync_clock(&mut self, p: u8, clock: &dyn Fn() -> u32) -> Result<(), DeviceError> {
        self.authenticate()?;
        let now = clock();
        let t = now.to_be_bytes();
        let r = self.send(
            &secured(
                &self.key,
                0xD4,
                0x01,
                p,
                &[0x81, 0x06, 0x0F, 0x04, t[0], t[1], t[2], t[3]],
            ),
            TokenState::Untouched,
        )?;
        status(&r, TokenState::Untouched)?;
        self.info.clock = now;
        Ok(())
    }

    pub fn delete_seed(&mut self, p: u8) -> Result<(), DeviceError> {
        self.authenticate()?;
        let r = self.send(
            &command(0x80, 0xE6, 0x00, p, &[], Some(0)),
            TokenState::Untouched,
        )?;
        match r.sw {
            0x6A83 => Ok(()),
            _ => status(&r, TokenState::Untouched),
        }
    }

    /// Asks for a new customer key; the device commits it when ▲ is pressed.
    pub fn set_customer_key(&mut self, new_key: &[u8]) -> Result<(), DeviceError> {
        self.authenticate()?;
        let mut plain = zeroize::Zeroizing::new(vec![0x00]);
        plain.extend_from_slice(crypto::molto2_key(new_key).as_slice());
        plain.push(0x80);
        plain.resize(32, 0);
        let body = crypto::ecb_encrypt(&self.key, &plain);
        let r = self.send(
            &secured(&self.key, 0xD7, 0x00, 0x00, &body),
            TokenState::Untouched,
        )?;
        if r.sw == 0x9060 {
            Ok(())
        } else {
            status(&r, TokenState::Untouched)
        }
    }
}

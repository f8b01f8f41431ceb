//! A single-profile Token2 programmable token, as its published firmware
//! behaves: get-info without authentication, SM4 challenge-response with the
//! fixed device key, MAC-checked settings and seed writes, and — on the
//! restricted-sync models — a settings write that clears the seed.

use oathdesk_otp::{Algorithm, CodeParams, Secret, totp};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::command::{Command, SW_WRONG_LENGTH, sw};
use super::sm4::{self, SeedPlain};
use super::{Faults, TokenClock, VirtualCard};

/// The fixed, public SM4 key of every single-profile token
/// (token2/openT2OTP `firmware/src/token2.c`).
const DEVICE_KEY: [u8; 16] = [
    0x8A, 0xD2, 0x06, 0x88, 0x3C, 0xA3, 0x69, 0x48, 0x2A, 0xB2, 0x71, 0x82, 0xB6, 0xE8, 0x32, 0x24,
];

/// The firmware's status words (openT2OTP `firmware/include/token2.h`). It
/// answers `6983` to a missing authentication as well as to a wrong MAC or
/// answer, and `6D00` to a known INS with the wrong P1.
const SW_AUTH: u16 = 0x6983;
const SW_BAD_DATA: u16 = 0x6A80;
const SW_INS: u16 = 0x6D00;
const SW_CLA: u16 = 0x6E00;

/// A model and whether a clock write keeps its seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token2Model {
    pub name: &'static str,
    pub serial_prefix: &'static str,
    /// Only these models keep the seed on a settings/clock write.
    pub keeps_seed_on_clock_write: bool,
}

/// Serial prefixes of the single-profile models (TOKEN2.md, TIMESYNC.md).
pub const MODELS: [Token2Model; 8] = [
    Token2Model {
        name: "OTPC-P1-i",
        serial_prefix: "8659612",
        keeps_seed_on_clock_write: true,
    },
    Token2Model {
        name: "OTPC-P2-i",
        serial_prefix: "8659622",
        keeps_seed_on_clock_write: false,
    },
    Token2Model {
        name: "OTPC-P2-i-NB",
        serial_prefix: "8659621",
        keeps_seed_on_clock_write: false,
    },
    Token2Model {
        name: "miniOTP-2-i",
        serial_prefix: "8659600",
        keeps_seed_on_clock_write: true,
    },
    Token2Model {
        name: "miniOTP-3-i",
        serial_prefix: "8659601",
        keeps_seed_on_clock_write: false,
    },
    Token2Model {
        name: "miniOTP-3-i-NB",
        serial_prefix: "8659609",
        keeps_seed_on_clock_write: false,
    },
    Token2Model {
        name: "C301-i",
        serial_prefix: "8659610",
        keeps_seed_on_clock_write: false,
    },
    Token2Model {
        name: "C302-i",
        serial_prefix: "8659632",
        keeps_seed_on_clock_write: true,
    },
];

impl Token2Model {
    pub fn by_name(name: &str) -> Option<Token2Model> {
        MODELS
            .iter()
            .copied()
            .find(|m| m.name.eq_ignore_ascii_case(name))
    }

    pub fn by_serial(serial: &str) -> Option<Token2Model> {
        MODELS
            .iter()
            .copied()
            .find(|m| serial.starts_with(m.serial_prefix))
    }
}

const SW_OK: [u8; 2] = [0x90, 0x00];

pub struct Token2Card {
    pub model: Token2Model,
    pub serial: String,
    pub clock: TokenClock,
    seed: Option<Zeroizing<Vec<u8>>>,
    algorithm: Algorithm,
    period: u64,
    display_timeout: u8,
    challenge: Option<[u8; 8]>,
    authenticated: bool,
    faults: Faults,
}

impl Token2Card {
    /// A blank token of `model`; the serial is the model's prefix + `suffix`.
    pub fn new(model: Token2Model, suffix: &str, clock: TokenClock) -> Self {
        Token2Card {
            model,
            serial: format!("{}{suffix}", model.serial_prefix),
            clock,
            seed: None,
            algorithm: Algorithm::Sha1,
            period: 30,
            display_timeout: 1,
            challenge: None,
            authenticated: false,
            faults: Faults::default(),
        }
    }

    /// The token as an earlier enrolment left it: holding `seed`, showing
    /// codes with `algorithm` and `period`.
    pub fn holding(mut self, seed: &Secret, algorithm: Algorithm, period: u64) -> Self {
        self.seed = Some(Zeroizing::new(seed.expose().to_vec()));
        self.algorithm = algorithm;
        self.period = period;
        self
    }

    /// The code the token would show at host time `host_unix`.
    pub fn display_code_at(&self, host_unix: f64) -> Option<String> {
        let seed = self.seed.as_ref()?;
        let params = CodeParams {
            algorithm: self.algorithm,
            digits: 6,
            period: self.period,
        };
        totp(&Secret::from_slice(seed), &params, self.clock.at(host_unix)).ok()
    }

    pub fn display_code(&self) -> Option<String> {
        self.display_code_at(super::clock::host_now())
    }

    /// SHA-256 of the stored seed: tests compare seeds without reading them.
    pub fn seed_sha256(&self) -> Option<String> {
        self.seed
            .as_ref()
            .map(|s| hex::encode(Sha256::digest(s.as_slice())))
    }

    pub fn faults_mut(&mut self) -> &mut Faults {
        &mut self.faults
    }

    /// The fault switches and counters, for reading.
    pub fn faults_view(&self) -> &Faults {
        &self.faults
    }

    pub fn settings(&self) -> (Algorithm, u64, u8) {
        (self.algorithm, self.period, self.display_timeout)
    }

    /// The firmware's dispatcher: CLA `80` plain, CLA `84` MAC-checked,
    /// anything else `6E00`.
    fn handle(&mut self, apdu: &[u8]) -> Vec<u8> {
        let cmd = match Command::parse(apdu) {
            Ok(cmd) => cmd,
            Err(code) => return sw(code),
        };
        match (cmd.cla, cmd.ins) {
            (0x80, 0x41) => self.get_info(),
            (0x80, 0x4B) if cmd.p1 == 0x08 => self.get_challenge(),
            (0x80, 0xCE) => self.authenticate(cmd.data),
            (0x80, _) => sw(SW_INS),
            (0x84, _) => self.secured(&cmd),
            _ => sw(SW_CLA),
        }
    }

    /// A serial or clock the wire cannot carry is answered `6F00`, as a
    /// card with a broken state would, never truncated.
    fn get_info(&self) -> Vec<u8> {
        let (Ok(n), Ok(now)) = (
            u8::try_from(self.serial.len()),
            u32::try_from(self.clock.now()),
        ) else {
            return sw(0x6F00);
        };
        let mut out = vec![0x00, 0x00, 0x00, n];
        out.extend_from_slice(self.serial.as_bytes());
        out.extend_from_slice(&[0x00, 0x00]);
        out.extend_from_slice(&now.to_be_bytes());
        out.extend_from_slice(&SW_OK);
        out
    }

    fn get_challenge(&mut self) -> Vec<u8> {
        let mut c = [0u8; 8];
        getrandom::fill(&mut c).expect("OS random number generator");
        self.challenge = Some(c);
        self.authenticated = false;
        [c.as_slice(), &SW_OK].concat()
    }

    /// A challenge is good for one 16-byte answer. An answer of another
    /// size, or without a challenge, is `6A80` and leaves the challenge
    /// standing, as in the firmware.
    fn authenticate(&mut self, answer: &[u8]) -> Vec<u8> {
        if self.faults.locked {
            return sw(SW_AUTH);
        }
        if answer.len() != 16 {
            return sw(SW_BAD_DATA);
        }
        let Some(challenge) = self.challenge.take() else {
            return sw(SW_BAD_DATA);
        };
        self.authenticated = sm4::answer_is_right(&DEVICE_KEY, &challenge, answer);
        if self.authenticated {
            SW_OK.to_vec()
        } else {
            sw(SW_AUTH)
        }
    }

    /// Splits off and checks the MAC, then runs the write on the body once
    /// the session is authenticated, as the firmware does.
    fn secured(&mut self, cmd: &Command) -> Vec<u8> {
        let Some(split) = cmd.data.len().checked_sub(4) else {
            return sw(SW_WRONG_LENGTH);
        };
        let (body, mac) = cmd.data.split_at(split);
        if !sm4::mac_matches(&DEVICE_KEY, cmd.ins, cmd.p1, cmd.p2, body, mac) {
            return sw(SW_AUTH);
        }
        let write: fn(&mut Self, &[u8]) -> Result<(), u16> = match (cmd.ins, cmd.p1) {
            (0xC5, 0x01) => Self::write_seed,
            (0xD4, _) => Self::write_config,
            _ => return sw(SW_INS),
        };
        if !self.authenticated {
            return sw(SW_AUTH);
        }
        if std::mem::take(&mut self.faults.fail_next_write) {
            return sw(0x6581);
        }
        match write(self, body) {
            Ok(()) => SW_OK.to_vec(),
            Err(code) => sw(code),
        }
    }

    /// `81 11 | 1F 01 t | 0F 04 time | 86 06 | 0A 01 algo | 0D 01 step`.
    fn write_config(&mut self, body: &[u8]) -> Result<(), u16> {
        let [
            0x81,
            0x11,
            0x1F,
            0x01,
            t,
            0x0F,
            0x04,
            a,
            b,
            c,
            d,
            0x86,
            0x06,
            0x0A,
            0x01,
            algo,
            0x0D,
            0x01,
            step,
        ] = *body
        else {
            return Err(SW_BAD_DATA);
        };
        let algorithm = match algo {
            1 => Algorithm::Sha1,
            2 => Algorithm::Sha256,
            _ => return Err(SW_BAD_DATA),
        };
        if t > 3 || !(step == 30 || step == 60) {
            return Err(SW_BAD_DATA);
        }
        self.clock.set(u32::from_be_bytes([a, b, c, d]));
        (self.algorithm, self.period, self.display_timeout) = (algorithm, u64::from(step), t);
        if !self.model.keeps_seed_on_clock_write {
            self.seed = None;
        }
        Ok(())
    }

    /// 16 to 64 bytes of ciphertext holding a 0..=63-byte seed and its
    /// `80 00…` padding. A write of the padding alone leaves the token
    /// without a seed, as the firmware stores a zero-length one.
    fn write_seed(&mut self, body: &[u8]) -> Result<(), u16> {
        if body.len() > 64 {
            return Err(SW_BAD_DATA);
        }
        let plain = sm4::ecb_decrypt(&DEVICE_KEY, body).ok_or(SW_BAD_DATA)?;
        let SeedPlain::Seed(seed) = sm4::read_seed(&plain) else {
            return Err(SW_BAD_DATA);
        };
        self.seed = (!seed.is_empty()).then_some(seed);
        Ok(())
    }
}

impl VirtualCard for Token2Card {
    fn power_on(&mut self) {
        self.authenticated = false;
        self.challenge = None;
    }

    fn transmit(&mut self, apdu: &[u8]) -> Vec<u8> {
        self.handle(apdu)
    }

    fn faults(&mut self) -> &mut Faults {
        &mut self.faults
    }

    fn state(&self) -> serde_json::Value {
        serde_json::json!({
            "family": "token2",
            "model": self.model.name,
            "serial": self.serial,
            "clock": self.clock.now(),
            "display": self.display_code(),
            "seed_sha256": self.seed_sha256(),
            "algorithm": self.algorithm,
            "period": self.period,
            "display_timeout": self.display_timeout,
        })
    }
}

#[cfg(test)]
mod tests;

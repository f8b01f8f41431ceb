//! A YubiKey-style OATH applet (YKOATH): select, put, list, calculate,
//! calculate all, delete, rename, reset and an access password (set code /
//! validate). Facts from Yubico's public YKOATH description, its applet
//! source (`Yubico/ykneo-oath`) and `yubikit/oath.py`; every command it
//! does not take gets the status word a real applet gives, never `90 00`.

mod access;
mod apdu;
mod chain;
mod commands;
mod credential;
#[cfg(test)]
mod tests;
mod tlv;

use sha2::{Digest, Sha256};

use super::{Faults, VirtualCard};
use apdu::{Command, sw};
pub use chain::CHUNK;
use chain::Pending;
pub use credential::{Credential, MAX_NAME};

pub const AID: [u8; 7] = [0xA0, 0x00, 0x00, 0x05, 0x27, 0x21, 0x01];
/// Firmware version as SELECT reports it (major, minor, patch).
pub type Version = [u8; 3];
/// What a new virtual applet reports unless told otherwise.
pub const DEFAULT_VERSION: Version = [5, 7, 0];
/// RENAME exists from this firmware on (`yubikit` requires 5.3.1).
pub const RENAME_SINCE: Version = [5, 3, 1];

/// The applet's TLV tags.
mod tags {
    pub const NAME: u8 = 0x71;
    pub const NAME_LIST: u8 = 0x72;
    pub const KEY: u8 = 0x73;
    pub const CHALLENGE: u8 = 0x74;
    pub const RESPONSE: u8 = 0x75;
    pub const TRUNCATED: u8 = 0x76;
    pub const HOTP: u8 = 0x77;
    pub const PROPERTY: u8 = 0x78;
    pub const VERSION: u8 = 0x79;
    pub const IMF: u8 = 0x7A;
    pub const ALGORITHM: u8 = 0x7B;
    pub const TOUCH: u8 = 0x7C;
}

/// What a command answers: data with `90 00` (sent in pieces if long),
/// the next piece of an earlier answer, or a status word alone.
enum Reply {
    Data(Vec<u8>),
    Rest,
}

type Answer = Result<Reply, u16>;

pub struct YkOathCard {
    version: Version,
    salt: [u8; 8],
    selected: bool,
    credentials: Vec<Credential>,
    access: Option<access::AccessKey>,
    challenge: Option<[u8; 8]>,
    unlocked: bool,
    pending: Pending,
    faults: Faults,
}

fn sw(code: u16) -> Vec<u8> {
    code.to_be_bytes().to_vec()
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("OS random number generator");
    bytes
}

impl Default for YkOathCard {
    fn default() -> Self {
        Self::new()
    }
}

impl YkOathCard {
    pub fn new() -> Self {
        Self::with_version(DEFAULT_VERSION)
    }

    /// An applet reporting `version`: what it supports (RENAME, SHA-512,
    /// how many credentials) follows the version, as on real keys.
    pub fn with_version(version: Version) -> Self {
        YkOathCard {
            version,
            salt: random(),
            selected: false,
            credentials: Vec::new(),
            access: None,
            challenge: None,
            unlocked: true,
            pending: Pending::default(),
            faults: Faults::default(),
        }
    }

    pub fn version(&self) -> Version {
        self.version
    }

    /// 64 credentials on firmware 5.7.0 and later, 32 before (Yubico's
    /// YubiKey 5 technical manual).
    pub fn capacity(&self) -> usize {
        if self.version >= [5, 7, 0] { 64 } else { 32 }
    }

    /// Yubico's device id: base64 (no padding) of SHA-256(salt)[..16].
    pub fn device_id(&self) -> String {
        data_encoding::BASE64_NOPAD.encode(&Sha256::digest(self.salt)[..16])
    }

    pub fn credentials(&self) -> &[Credential] {
        &self.credentials
    }

    /// The code the key would give for `name`: a TOTP credential's at Unix
    /// time `now` (30 s unless the name says `<period>/`), a HOTP one's
    /// next (its counter is not advanced).
    pub fn code(&self, name: &str, now: u64) -> Option<String> {
        let c = self.find(name.as_bytes()).map(|i| &self.credentials[i])?;
        let msg = match c.counter() {
            Some(counter) => counter,
            None => now / period_of(name),
        };
        let v = u32::from_be_bytes(credential::truncate(&c.peek(&msg.to_be_bytes())));
        let digits = u32::from(c.digits);
        Some(format!(
            "{:0w$}",
            v % 10u32.pow(digits),
            w = c.digits as usize
        ))
    }

    fn find(&self, name: &[u8]) -> Option<usize> {
        self.credentials.iter().position(|c| c.name == name)
    }

    fn handle(&mut self, apdu: &[u8]) -> Vec<u8> {
        match Command::parse(apdu).and_then(|cmd| self.route(&cmd)) {
            Ok(Reply::Data(data)) => self.pending.start(data),
            Ok(Reply::Rest) => self.pending.next(),
            Err(code) => {
                self.pending.clear();
                sw(code)
            }
        }
    }

    /// Class, selection and the access code come first, as in Yubico's
    /// applet: a locked applet answers `6982` to all but VALIDATE and
    /// RESET, whatever the instruction.
    fn route(&mut self, cmd: &Command) -> Answer {
        if cmd.cla != 0x00 {
            return Err(sw::CLA_NOT_SUPPORTED);
        }
        // SELECT and CALCULATE ALL share INS A4; SELECT has P1 04.
        if cmd.ins == 0xA4 && cmd.p1 == 0x04 {
            return Ok(Reply::Data(self.select(cmd.data)?));
        }
        if !self.selected {
            // No applet is selected: nothing knows the instruction.
            return Err(sw::INS_NOT_SUPPORTED);
        }
        if !self.unlocked && !matches!(cmd.ins, 0xA3 | 0x04) {
            return Err(sw::AUTH_REQUIRED);
        }
        if cmd.ins == 0xA5 {
            return Ok(Reply::Rest);
        }
        self.instruction(cmd).map(Reply::Data)
    }

    fn instruction(&mut self, cmd: &Command) -> Result<Vec<u8>, u16> {
        let known = match cmd.ins {
            0x05 => self.version >= RENAME_SINCE,
            0x01..=0x04 | 0xA1..=0xA4 => true,
            _ => false,
        };
        if !known {
            return Err(sw::INS_NOT_SUPPORTED);
        }
        if !params_fit(cmd) {
            return Err(sw::WRONG_P1P2);
        }
        let truncate = cmd.p2 == 0x01;
        match cmd.ins {
            0x01 => self.put(cmd.data),
            0x02 => self.delete(cmd.data),
            0x03 => self.set_code(cmd.data),
            0x04 => Ok(self.reset()),
            0x05 => self.rename(cmd.data),
            0xA1 => Ok(self.list()),
            0xA2 => self.calculate(cmd.data, truncate),
            0xA3 => self.validate(cmd.data),
            _ => self.calculate_all(cmd.data, truncate),
        }
    }

    /// `79` version, `71` salt; with an access code also `74` challenge
    /// and `7B` its algorithm. Another AID deselects (`6A82`).
    fn select(&mut self, aid: &[u8]) -> Result<Vec<u8>, u16> {
        if aid != AID {
            self.selected = false;
            return Err(sw::NOT_FOUND);
        }
        self.selected = true;
        self.unlocked = self.access.is_none();
        self.challenge = None;
        let mut out = [
            tlv::tlv(tags::VERSION, &self.version),
            tlv::tlv(tags::NAME, &self.salt),
        ]
        .concat();
        if let Some(key) = &self.access {
            let c = random();
            self.challenge = Some(c);
            out.extend(tlv::tlv(tags::CHALLENGE, &c));
            out.extend(tlv::tlv(tags::ALGORITHM, &[key.alg()]));
        }
        Ok(out)
    }
}

/// P1 P2 as each instruction takes them: RESET `DE AD`, the two
/// calculations `00 00` (full) or `00 01` (truncated), the rest `00 00`.
fn params_fit(cmd: &Command) -> bool {
    match cmd.ins {
        0x04 => cmd.p1p2() == 0xDEAD,
        0xA2 | 0xA4 => cmd.p1 == 0 && cmd.p2 <= 1,
        _ => cmd.p1p2() == 0x0000,
    }
}

/// The period a TOTP name carries (`<period>/…`), else 30 s.
fn period_of(name: &str) -> u64 {
    name.split_once('/')
        .and_then(|(p, _)| p.parse().ok())
        .filter(|p| *p > 0)
        .unwrap_or(30)
}

impl VirtualCard for YkOathCard {
    fn power_on(&mut self) {
        self.selected = false;
        self.unlocked = self.access.is_none();
        self.challenge = None;
        self.pending.clear();
    }

    fn transmit(&mut self, apdu: &[u8]) -> Vec<u8> {
        self.handle(apdu)
    }

    fn faults(&mut self) -> &mut Faults {
        &mut self.faults
    }

    fn state(&self) -> serde_json::Value {
        let now = super::clock::host_now() as u64;
        let creds: Vec<_> = self
            .credentials
            .iter()
            .map(|c| {
                let name = String::from_utf8_lossy(&c.name).into_owned();
                let code = self.code(&name, now);
                serde_json::json!({"name": name, "code": code, "counter": c.counter()})
            })
            .collect();
        serde_json::json!({
            "family": "ykoath",
            "version": self.version,
            "credentials": creds,
            "password": self.access.is_some(),
        })
    }
}

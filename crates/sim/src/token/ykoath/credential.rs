//! One stored credential: what PUT may store (checked as the applet
//! checks it) and how the applet computes its responses — its own HMAC,
//! never the host's code.

use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Sha256, Sha512};
use zeroize::Zeroizing;

use super::apdu::sw;
use super::tlv::Reader;
use super::{Version, tags};

/// Credential names are at most 64 bytes (Yubico's YKOATH description).
pub const MAX_NAME: usize = 64;
/// Yubico's tools pad shorter secrets to 14 bytes, the applet's minimum.
const MIN_SECRET: usize = 14;
const HOTP: u8 = 0x10;
const TOTP: u8 = 0x20;
const PROP_INCREASING: u8 = 0x01;
const PROP_TOUCH: u8 = 0x02;

#[derive(Clone)]
pub struct Credential {
    pub name: Vec<u8>,
    /// Type (TOTP `0x20`, HOTP `0x10`) | algorithm (SHA1 1, SHA256 2, SHA512 3).
    pub kind: u8,
    pub digits: u8,
    secret: Zeroizing<Vec<u8>>,
    pub touch: bool,
    /// "Only increasing": a TOTP challenge may never go back.
    increasing: bool,
    last_challenge: Vec<u8>,
    /// HOTP: the counter the next calculation uses (the PUT's IMF, then
    /// one more per calculation).
    counter: u64,
}

/// HMAC over `msg` with the hash the algorithm nibble names.
pub(super) fn hmac(alg: u8, key: &[u8], msg: &[u8]) -> Vec<u8> {
    fn run<M: Mac + hmac::digest::KeyInit>(key: &[u8], msg: &[u8]) -> Vec<u8> {
        let mut m = <M as hmac::digest::KeyInit>::new_from_slice(key).expect("any key length");
        m.update(msg);
        m.finalize().into_bytes().to_vec()
    }
    match alg & 0x0F {
        2 => run::<Hmac<Sha256>>(key, msg),
        3 => run::<Hmac<Sha512>>(key, msg),
        _ => run::<Hmac<Sha1>>(key, msg),
    }
}

/// RFC 4226 dynamic truncation: four bytes, the top bit cleared (the
/// applet clears it itself before sending a truncated response).
pub(super) fn truncate(full: &[u8]) -> [u8; 4] {
    let off = usize::from(full[full.len() - 1] & 0x0F);
    let mut four = [full[off], full[off + 1], full[off + 2], full[off + 3]];
    four[0] &= 0x7F;
    four
}

/// The hash block size: longer secrets must have been hashed by the host.
fn block_size(alg: u8, version: Version) -> Result<usize, u16> {
    match alg {
        1 | 2 => Ok(64),
        // HMAC-SHA512 needs firmware 4.3.1 (Yubico's YKOATH description).
        3 if version >= [4, 3, 1] => Ok(128),
        _ => Err(sw::WRONG_SYNTAX),
    }
}

/// A name the applet can hold: 1..=64 bytes.
pub(super) fn check_name(name: &[u8]) -> Result<(), u16> {
    if name.is_empty() || name.len() > MAX_NAME {
        return Err(sw::WRONG_SYNTAX);
    }
    Ok(())
}

impl Credential {
    /// PUT data: `71 name ‖ 73 <type|alg> <digits> <secret>` [‖ `78 <prop>`]
    /// [‖ `7A 04 <counter>`], in that order and nothing else.
    pub fn from_put(data: &[u8], version: Version) -> Result<Self, u16> {
        let mut r = Reader::new(data);
        let name = r.expect(tags::NAME)?;
        check_name(name)?;
        let Some((&[kind, digits], secret)) = r.expect(tags::KEY)?.split_first_chunk::<2>() else {
            return Err(sw::WRONG_SYNTAX);
        };
        let ty = kind & 0xF0;
        let max = block_size(kind & 0x0F, version)?;
        let fits = (MIN_SECRET..=max).contains(&secret.len());
        if !(ty == HOTP || ty == TOTP) || !(6..=8).contains(&digits) || !fits {
            return Err(sw::WRONG_SYNTAX);
        }
        let props = r.bare(tags::PROPERTY)?.unwrap_or(0);
        if props & !(PROP_INCREASING | PROP_TOUCH) != 0 {
            return Err(sw::WRONG_SYNTAX);
        }
        let counter = match r.optional(tags::IMF)? {
            Some(&[a, b, c, d]) => u32::from_be_bytes([a, b, c, d]),
            Some(_) => return Err(sw::WRONG_SYNTAX),
            None => 0,
        };
        r.finish()?;
        Ok(Credential {
            name: name.to_vec(),
            kind,
            digits,
            secret: Zeroizing::new(secret.to_vec()),
            touch: props & PROP_TOUCH != 0,
            increasing: props & PROP_INCREASING != 0,
            last_challenge: Vec::new(),
            counter: u64::from(counter),
        })
    }

    pub fn is_hotp(&self) -> bool {
        self.kind & 0xF0 == HOTP
    }

    /// HOTP: the counter the next calculation will use.
    pub fn counter(&self) -> Option<u64> {
        self.is_hotp().then_some(self.counter)
    }

    /// The full HMAC for one calculation. HOTP ignores `challenge` and
    /// uses (then advances) its counter, as the applet does; TOTP takes
    /// a 1..=64-byte challenge (the host's time step).
    pub fn compute(&mut self, challenge: &[u8]) -> Result<Vec<u8>, u16> {
        if self.is_hotp() {
            let next = self.counter.checked_add(1).ok_or(sw::CONDITIONS)?;
            let full = self.peek(&self.counter.to_be_bytes());
            self.counter = next;
            return Ok(full);
        }
        if challenge.is_empty() || challenge.len() > 64 {
            return Err(sw::WRONG_SYNTAX);
        }
        if self.increasing {
            self.step_forward(challenge)?;
        }
        Ok(self.peek(challenge))
    }

    /// The HMAC over `msg`, changing nothing.
    pub(super) fn peek(&self, msg: &[u8]) -> Vec<u8> {
        hmac(self.kind, &self.secret, msg)
    }

    /// "Only increasing": a challenge below the last one (as big-endian
    /// numbers) is refused; an equal or higher one is remembered.
    fn step_forward(&mut self, challenge: &[u8]) -> Result<(), u16> {
        let width = challenge.len().max(self.last_challenge.len());
        let pad = |c: &[u8]| [vec![0; width - c.len()], c.to_vec()].concat();
        if pad(challenge) < pad(&self.last_challenge) {
            return Err(sw::AUTH_REQUIRED);
        }
        self.last_challenge = challenge.to_vec();
        Ok(())
    }
}

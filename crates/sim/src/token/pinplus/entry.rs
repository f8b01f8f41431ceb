//! One stored entry: the unsealed plaintext a write carries, the bytes a
//! read answers, and the code the key computes from the host's time.
//! Layout from TOKEN2-OTP-APPLET.md "Entry plaintext" (T2F2_TOTP_Authenticator
//! `entry.rs`, keyroost-token2otp `entry.rs`): `type ‖ algorithm ‖ step
//! u16 ‖ digits ‖ touch ‖ len ‖ issuer ‖ len ‖ account ‖ len ‖ seed`.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

pub const MAX_NAME: usize = 64;
pub const MAX_SEED: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Hotp,
    Totp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    Sha1,
    Sha256,
}

/// An entry; the seed never leaves it but as a code or a hash.
pub struct Entry {
    pub kind: Kind,
    pub hash: Hash,
    pub step: u16,
    pub digits: u8,
    pub touch: bool,
    pub issuer: String,
    pub account: String,
    seed: Zeroizing<Vec<u8>>,
    /// The HOTP moving factor; each read-one answers the code at it and
    /// moves it on.
    pub counter: u64,
}

/// What an unsealed write asks for.
pub enum Write {
    Store(Entry),
    /// Six zero bytes and an empty seed: delete (issuer, account).
    Delete {
        issuer: String,
        account: String,
    },
}

/// Reads an unsealed write; `None` for anything the key refuses.
pub fn parse_write(plain: &[u8]) -> Option<Write> {
    let (head, rest) = plain.split_at_checked(6)?;
    let mut r = Reader(rest);
    let issuer = r.name(0)?;
    let account = r.name(1)?;
    let seed_len = usize::from(r.byte()?);
    let seed = r.take(seed_len)?;
    if !r.0.is_empty() {
        return None;
    }
    if head == [0; 6] && seed_len == 0 {
        return Some(Write::Delete { issuer, account });
    }
    let kind = match head[0] {
        0x00 => Kind::Hotp,
        0x01 => Kind::Totp,
        _ => return None,
    };
    let hash = match head[1] {
        0xC1 => Hash::Sha1,
        0xC2 => Hash::Sha256,
        _ => return None,
    };
    let step = u16::from_be_bytes([head[2], head[3]]);
    let touch = match head[5] {
        0 => false,
        1 => true,
        _ => return None,
    };
    let fits = (4..=10).contains(&head[4]) && (1..=MAX_SEED).contains(&seed_len);
    if !fits || (kind == Kind::Totp && step == 0) {
        return None;
    }
    Some(Write::Store(Entry {
        kind,
        hash,
        step,
        digits: head[4],
        touch,
        issuer,
        account,
        seed: Zeroizing::new(seed.to_vec()),
        counter: 0,
    }))
}

/// Reads `len ‖ issuer ‖ len ‖ account` as a read-one names its entry.
pub fn parse_name(bytes: &[u8]) -> Option<(String, String)> {
    let mut r = Reader(bytes);
    let name = (r.name(0)?, r.name(1)?);
    r.0.is_empty().then_some(name)
}

impl Entry {
    /// The entry as a read answers it: metadata, names, and `len ‖ code`
    /// when `code` is given.
    pub fn encode(&self, code: Option<&str>) -> Vec<u8> {
        let mut out = vec![
            match self.kind {
                Kind::Hotp => 0x00,
                Kind::Totp => 0x01,
            },
            match self.hash {
                Hash::Sha1 => 0xC1,
                Hash::Sha256 => 0xC2,
            },
        ];
        out.extend_from_slice(&self.step.to_be_bytes());
        out.extend_from_slice(&[self.digits, u8::from(self.touch)]);
        for text in [&self.issuer, &self.account] {
            out.push(text.len() as u8);
            out.extend_from_slice(text.as_bytes());
        }
        if let Some(code) = code {
            out.push(code.len() as u8);
            out.extend_from_slice(code.as_bytes());
        }
        out
    }

    /// Whether a read-all page carries this entry's code: only TOTP
    /// entries that need no touch (the facts' desynchronisation trap).
    pub fn code_in_pages(&self) -> bool {
        self.kind == Kind::Totp && !self.touch
    }

    /// The code at host time `unix` (TOTP) or at the counter (HOTP).
    pub fn code_at(&self, unix: u64) -> String {
        let factor = match self.kind {
            Kind::Totp => unix / u64::from(self.step),
            Kind::Hotp => self.counter,
        };
        hotp(&self.seed, self.hash, factor, self.digits)
    }

    pub fn seed_sha256(&self) -> String {
        hex::encode(Sha256::digest(self.seed.as_slice()))
    }

    pub fn is_named(&self, issuer: &str, account: &str) -> bool {
        self.issuer == issuer && self.account == account
    }
}

/// RFC 4226 §5.3 with the entry's hash, on the key's own HMAC.
pub fn hotp(seed: &[u8], hash: Hash, counter: u64, digits: u8) -> String {
    let msg = counter.to_be_bytes();
    let mac: Zeroizing<Vec<u8>> = Zeroizing::new(match hash {
        Hash::Sha1 => mac::<Hmac<sha1::Sha1>>(seed, &msg),
        Hash::Sha256 => mac::<Hmac<Sha256>>(seed, &msg),
    });
    let at = usize::from(mac[mac.len() - 1] & 0x0F);
    let bin = u32::from_be_bytes([mac[at] & 0x7F, mac[at + 1], mac[at + 2], mac[at + 3]]);
    let code = u64::from(bin) % 10u64.pow(u32::from(digits));
    format!("{code:0width$}", width = usize::from(digits))
}

fn mac<M: Mac + hmac::digest::KeyInit>(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut m = <M as hmac::digest::KeyInit>::new_from_slice(key).expect("HMAC takes any key");
    m.update(msg);
    m.finalize().into_bytes().to_vec()
}

/// The names are ASCII; an issuer may be empty, an account may not.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(*b)
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }

    fn name(&mut self, min: usize) -> Option<String> {
        let len = usize::from(self.byte()?);
        let bytes = self.take(len)?;
        let ok = (min..=MAX_NAME).contains(&len) && bytes.is_ascii();
        ok.then(|| String::from_utf8_lossy(bytes).into_owned())
    }
}

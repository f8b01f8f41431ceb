//! A YubiKey-style OATH applet (YKOATH): select, put, list, calculate,
//! calculate all, delete, and an access password (set code / validate).
//! Facts from Yubico's public YKOATH description.

use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

use super::{Faults, VirtualCard};

pub const AID: [u8; 7] = [0xA0, 0x00, 0x00, 0x05, 0x27, 0x21, 0x01];
/// Credentials a key holds (32 on most firmware).
pub const CAPACITY: usize = 32;

#[derive(Clone)]
pub struct Credential {
    pub name: Vec<u8>,
    /// Type (TOTP `0x20`, HOTP `0x10`) | algorithm (SHA1 1, SHA256 2, SHA512 3).
    pub kind: u8,
    pub digits: u8,
    secret: zeroize::Zeroizing<Vec<u8>>,
    pub touch: bool,
}

pub struct YkOathCard {
    salt: [u8; 8],
    selected: bool,
    credentials: Vec<Credential>,
    /// Access key (PBKDF2 of the password, computed by the host).
    access_key: Option<Vec<u8>>,
    challenge: Option<[u8; 8]>,
    unlocked: bool,
    faults: Faults,
}

fn sw(code: u16) -> Vec<u8> {
    code.to_be_bytes().to_vec()
}

fn hmac(alg: u8, key: &[u8], msg: &[u8]) -> Vec<u8> {
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

/// The property tag and its require-touch value.
const PROPERTY: u8 = 0x78;
const REQUIRE_TOUCH: u8 = 0x02;

/// Splits BER-TLV with one-byte tags (lengths `LL`, `81 LL`, `82 HH LL`),
/// as the applet reads its commands.
fn tlvs(mut data: &[u8]) -> Option<Vec<(u8, &[u8])>> {
    let mut out = Vec::new();
    while let [tag, rest @ ..] = data {
        // A property (`78`) is one byte with no length, as Yubico's
        // applet takes it: `78 02` asks for a touch.
        if *tag == PROPERTY {
            let (value, rest) = rest.split_first_chunk::<1>()?;
            out.push((*tag, &value[..]));
            data = rest;
            continue;
        }
        let (len, rest) = match rest {
            [0x81, n, rest @ ..] => (usize::from(*n), rest),
            [0x82, hi, lo, rest @ ..] => (usize::from(u16::from_be_bytes([*hi, *lo])), rest),
            [n, rest @ ..] if *n < 0x80 => (usize::from(*n), rest),
            _ => return None,
        };
        out.push((*tag, rest.get(..len)?));
        data = &rest[len..];
    }
    Some(out)
}

/// One BER-TLV: a length below 128 in one byte, else `8N` and N bytes.
fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let be = value.len().to_be_bytes();
    let significant = &be[be.iter().take_while(|b| **b == 0).count()..];
    let mut out = vec![tag];
    match significant {
        [] => out.push(0),
        [n] if *n < 0x80 => out.push(*n),
        long => {
            out.push(0x80 | long.iter().fold(0u8, |n, _| n + 1));
            out.extend_from_slice(long);
        }
    }
    out.extend_from_slice(value);
    out
}

impl Default for YkOathCard {
    fn default() -> Self {
        Self::new()
    }
}

impl YkOathCard {
    pub fn new() -> Self {
        let mut salt = [0u8; 8];
        getrandom::fill(&mut salt).expect("OS random number generator");
        YkOathCard {
            salt,
            selected: false,
            credentials: Vec::new(),
            access_key: None,
            challenge: None,
            unlocked: true,
            faults: Faults::default(),
        }
    }

    /// Yubico's device id: base64 (no padding) of SHA-256(salt)[..16].
    pub fn device_id(&self) -> String {
        data_encoding::BASE64_NOPAD.encode(&Sha256::digest(self.salt)[..16])
    }

    pub fn credentials(&self) -> &[Credential] {
        &self.credentials
    }

    /// The code the key would give for `name` at Unix time `now` (TOTP, 30 s
    /// unless the name says `<period>/`).
    pub fn code(&self, name: &str, now: u64) -> Option<String> {
        let c = self
            .credentials
            .iter()
            .find(|c| c.name == name.as_bytes())?;
        let period = name
            .split_once('/')
            .and_then(|(p, _)| p.parse().ok())
            .unwrap_or(30u64);
        let full = hmac(c.kind, &c.secret, &(now / period).to_be_bytes());
        let off = (full[full.len() - 1] & 0x0F) as usize;
        let v = u32::from_be_bytes(full[off..off + 4].try_into().ok()?) & 0x7FFF_FFFF;
        Some(format!(
            "{:0w$}",
            u64::from(v) % 10u64.pow(u32::from(c.digits)),
            w = c.digits as usize
        ))
    }

    fn handle(&mut self, apdu: &[u8]) -> Vec<u8> {
        if apdu.len() < 4 {
            return sw(0x6700);
        }
        let data = apdu
            .get(5..5 + apdu.get(4).copied().unwrap_or(0) as usize)
            .unwrap_or(&[]);
        // SELECT and CALCULATE ALL share INS A4; SELECT has P1 04.
        if apdu[1] == 0xA4 && apdu[2] == 0x04 {
            return self.select(data);
        }
        if !self.selected {
            return sw(0x6D00);
        }
        if !self.unlocked && apdu[1] != 0xA3 {
            return sw(0x6982);
        }
        let Some(fields) = tlvs(data) else {
            return sw(0x6A80);
        };
        let get = |t: u8| fields.iter().find(|(tag, _)| *tag == t).map(|(_, v)| *v);
        match apdu[1] {
            0x01 => self.put(&fields),
            0x02 => self.delete(get(0x71)),
            0x03 => self.set_code(get(0x73), get(0x74), get(0x75)),
            0x04 if apdu[2..4] == [0xDE, 0xAD] => {
                *self = YkOathCard {
                    selected: true,
                    ..YkOathCard::new()
                };
                sw(0x9000)
            }
            0xA1 => self.list(),
            0xA2 => self.calculate(get(0x71), get(0x74), apdu[3] == 0x01),
            0xA3 => self.validate(get(0x75), get(0x74)),
            0xA4 => self.calculate_all(get(0x74)),
            _ => sw(0x6D00),
        }
    }

    fn select(&mut self, aid: &[u8]) -> Vec<u8> {
        if aid != AID {
            self.selected = false;
            return sw(0x6A82);
        }
        self.selected = true;
        self.unlocked = self.access_key.is_none();
        let mut out = [tlv(0x79, &[5, 7, 0]), tlv(0x71, &self.salt)].concat();
        if self.access_key.is_some() {
            let mut c = [0u8; 8];
            getrandom::fill(&mut c).expect("OS random number generator");
            self.challenge = Some(c);
            out.extend(tlv(0x74, &c));
            out.extend(tlv(0x7B, &[0x01]));
        }
        out.extend_from_slice(&[0x90, 0x00]);
        out
    }

    fn put(&mut self, fields: &[(u8, &[u8])]) -> Vec<u8> {
        let name = fields.iter().find(|f| f.0 == 0x71).map(|f| f.1.to_vec());
        let key = fields.iter().find(|f| f.0 == 0x73).map(|f| f.1);
        let (Some(name), Some(&[kind, digits, ref secret @ ..])) = (name, key) else {
            return sw(0x6A80);
        };
        if !(6..=8).contains(&digits) || name.is_empty() || name.len() > 64 {
            return sw(0x6A80);
        }
        let touch = fields
            .iter()
            .any(|f| f.0 == PROPERTY && f.1 == [REQUIRE_TOUCH]);
        self.credentials.retain(|c| c.name != name);
        if self.credentials.len() >= CAPACITY {
            return sw(0x6A84);
        }
        self.credentials.push(Credential {
            name,
            kind,
            digits,
            secret: zeroize::Zeroizing::new(secret.to_vec()),
            touch,
        });
        sw(0x9000)
    }

    fn delete(&mut self, name: Option<&[u8]>) -> Vec<u8> {
        let before = self.credentials.len();
        self.credentials.retain(|c| Some(c.name.as_slice()) != name);
        if self.credentials.len() == before {
            sw(0x6984)
        } else {
            sw(0x9000)
        }
    }

    fn list(&self) -> Vec<u8> {
        let mut out: Vec<u8> = self
            .credentials
            .iter()
            .flat_map(|c| tlv(0x72, &[&[c.kind][..], &c.name].concat()))
            .collect();
        out.extend_from_slice(&[0x90, 0x00]);
        out
    }

    fn response(c: &Credential, challenge: &[u8], truncate: bool) -> Vec<u8> {
        let full = hmac(c.kind, &c.secret, challenge);
        if !truncate {
            return tlv(0x75, &[&[c.digits][..], &full].concat());
        }
        let off = (full[full.len() - 1] & 0x0F) as usize;
        tlv(0x76, &[&[c.digits][..], &full[off..off + 4]].concat())
    }

    fn calculate(&self, name: Option<&[u8]>, challenge: Option<&[u8]>, truncate: bool) -> Vec<u8> {
        let Some(c) = self
            .credentials
            .iter()
            .find(|c| Some(c.name.as_slice()) == name)
        else {
            return sw(0x6984);
        };
        let mut out = Self::response(c, challenge.unwrap_or_default(), truncate);
        out.extend_from_slice(&[0x90, 0x00]);
        out
    }

    fn calculate_all(&self, challenge: Option<&[u8]>) -> Vec<u8> {
        let mut out = Vec::new();
        for c in &self.credentials {
            out.extend(tlv(0x71, &c.name));
            if c.touch {
                out.extend(tlv(0x7C, &[c.digits]));
            } else if c.kind & 0xF0 == 0x10 {
                out.extend(tlv(0x77, &[c.digits]));
            } else {
                out.extend(Self::response(c, challenge.unwrap_or_default(), true));
            }
        }
        out.extend_from_slice(&[0x90, 0x00]);
        out
    }

    /// Sets (or with an empty key removes) the access key; the host proves
    /// it holds the key by answering its own challenge.
    fn set_code(
        &mut self,
        key: Option<&[u8]>,
        challenge: Option<&[u8]>,
        response: Option<&[u8]>,
    ) -> Vec<u8> {
        match (key, challenge, response) {
            (Some([]), _, _) | (None, None, None) => {
                self.access_key = None;
                sw(0x9000)
            }
            (Some([alg, k @ ..]), Some(ch), Some(resp)) if hmac(*alg, k, ch) == resp => {
                self.access_key = Some(k.to_vec());
                sw(0x9000)
            }
            _ => sw(0x6A80),
        }
    }

    fn validate(&mut self, response: Option<&[u8]>, host_challenge: Option<&[u8]>) -> Vec<u8> {
        let (Some(key), Some(ch)) = (self.access_key.clone(), self.challenge.take()) else {
            return sw(0x6984);
        };
        if response != Some(hmac(1, &key, &ch).as_slice()) {
            return sw(0x6984);
        }
        self.unlocked = true;
        let mut out = tlv(0x75, &hmac(1, &key, host_challenge.unwrap_or_default()));
        out.extend_from_slice(&[0x90, 0x00]);
        out
    }
}

impl VirtualCard for YkOathCard {
    fn power_on(&mut self) {
        self.selected = false;
        self.unlocked = self.access_key.is_none();
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
                serde_json::json!({"name": name, "code": self.code(&name, now)})
            })
            .collect();
        serde_json::json!({"family": "ykoath", "credentials": creds, "password": self.access_key.is_some()})
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oathdesk_device::apdu::{Response, command};
    use oathdesk_otp::{CodeParams, Secret, totp};

    fn run(c: &mut YkOathCard, ins: u8, p2: u8, data: &[u8]) -> Response {
        Response::parse(&c.transmit(&command(0x00, ins, 0, p2, data, None).unwrap())).unwrap()
    }

    fn select(c: &mut YkOathCard) -> Response {
        Response::parse(&c.transmit(&command(0x00, 0xA4, 0x04, 0x00, &AID, None).unwrap())).unwrap()
    }

    fn put(c: &mut YkOathCard, name: &str, secret: &[u8]) -> u16 {
        let data = [
            tlv(0x71, name.as_bytes()),
            tlv(0x73, &[&[0x21, 6][..], secret].concat()),
        ]
        .concat();
        run(c, 0x01, 0, &data).sw
    }

    /// `78 02` (no length byte, as Yubico's tools send it) asks for a touch.
    #[test]
    fn a_touch_property_is_one_byte_without_a_length() {
        let mut c = YkOathCard::new();
        assert!(select(&mut c).is_ok());
        let data = [
            tlv(0x71, b"touchy"),
            tlv(0x73, &[&[0x21, 6][..], b"12345678901234"].concat()),
            vec![0x78, 0x02],
        ]
        .concat();
        assert_eq!(run(&mut c, 0x01, 0, &data).sw, 0x9000);
        assert!(c.credentials()[0].touch);
        let cut = [tlv(0x71, b"cut"), vec![0x78]].concat();
        assert_eq!(
            run(&mut c, 0x01, 0, &cut).sw,
            0x6A80,
            "a property needs its byte"
        );
    }

    #[test]
    fn put_list_calculate_delete() {
        let mut c = YkOathCard::new();
        assert!(select(&mut c).is_ok());
        assert_eq!(
            put(&mut c, "Contoso:alice", b"12345678901234567890"),
            0x9000
        );
        let list = run(&mut c, 0xA1, 0, &[]);
        assert_eq!(
            list.data,
            tlv(0x72, &[&[0x21][..], b"Contoso:alice"].concat())
        );
        let step = 1_111_111_109u64 / 30;
        let calc = run(
            &mut c,
            0xA2,
            0x01,
            &[tlv(0x71, b"Contoso:alice"), tlv(0x74, &step.to_be_bytes())].concat(),
        );
        let v = u32::from_be_bytes(calc.data[3..7].try_into().unwrap()) & 0x7FFF_FFFF;
        let want = totp(
            &Secret::from_slice(b"12345678901234567890"),
            &CodeParams::default(),
            1_111_111_109,
        )
        .unwrap();
        assert_eq!(format!("{:06}", v % 1_000_000), want);
        assert_eq!(c.code("Contoso:alice", 1_111_111_109).unwrap(), want);
        let all = run(&mut c, 0xA4, 0x01, &tlv(0x74, &step.to_be_bytes()));
        assert!(all.data.starts_with(&tlv(0x71, b"Contoso:alice")));
        assert_eq!(
            run(&mut c, 0x02, 0, &tlv(0x71, b"Contoso:alice")).sw,
            0x9000
        );
        assert!(c.credentials().is_empty());
    }

    #[test]
    fn a_password_locks_until_validated() {
        let mut c = YkOathCard::new();
        select(&mut c);
        let key = [7u8; 16];
        let ch = [1u8; 8];
        let set = [
            tlv(0x73, &[&[0x01][..], &key].concat()),
            tlv(0x74, &ch),
            tlv(0x75, &hmac(1, &key, &ch)),
        ]
        .concat();
        assert_eq!(run(&mut c, 0x03, 0, &set).sw, 0x9000);
        let sel = select(&mut c);
        let fields = tlvs(&sel.data).unwrap();
        let challenge = fields.iter().find(|f| f.0 == 0x74).unwrap().1.to_vec();
        assert_eq!(run(&mut c, 0xA1, 0, &[]).sw, 0x6982, "locked");
        let host_ch = [9u8; 8];
        let ok = run(
            &mut c,
            0xA3,
            0,
            &[tlv(0x75, &hmac(1, &key, &challenge)), tlv(0x74, &host_ch)].concat(),
        );
        assert_eq!(ok.data, tlv(0x75, &hmac(1, &key, &host_ch)));
        assert!(run(&mut c, 0xA1, 0, &[]).is_ok());
    }

    #[test]
    fn holds_at_most_32_credentials() {
        let mut c = YkOathCard::new();
        select(&mut c);
        for i in 0..CAPACITY {
            assert_eq!(put(&mut c, &format!("n{i}"), b"0123456789abcdef"), 0x9000);
        }
        assert_eq!(put(&mut c, "one-more", b"0123456789abcdef"), 0x6A84);
    }
}

//! A Token2 Molto2v2 multi-slot token (USB CCID): 100 slots (Token2 calls them profiles), an SM4
//! key derived from the customer key (SHA-1, first 16 bytes), `63 Cx`
//! authentication failures counting down the tries left, titles, digits,
//! delete seed, screen lock, and key change / factory reset that wait for a
//! press of ▲ on the device (answered `9060` until then).

use oathdesk_device::token2::crypto::{self, Key};
use oathdesk_otp::{Algorithm, CodeParams, Secret, totp};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::{Faults, TokenClock, VirtualCard};

pub const SLOTS: usize = 100;
/// Authentication tries before the device locks (recovery: factory reset).
pub const MAX_TRIES: u8 = 10;
const DEFAULT_CUSTOMER_KEY: &[u8] = b"TOKEN2MOLTO1-KEY";

#[derive(Clone, Default)]
pub struct Slot {
    seed: Option<Zeroizing<Vec<u8>>>,
    pub title: Option<String>,
    pub algorithm: Algorithm,
    pub digits: u32,
    pub period: u64,
}

/// What waits for the ▲ button.
#[derive(Clone)]
enum Pending {
    NewKey(Key),
    FactoryReset,
}

pub struct Molto2Card {
    pub serial: String,
    pub clock: TokenClock,
    key: Key,
    pub slots: Vec<Slot>,
    pub tries_left: u8,
    pub screen_locked: bool,
    challenge: Option<[u8; 8]>,
    authenticated: bool,
    pending: Option<Pending>,
    faults: Faults,
    /// Answer `63 NN` rather than `63 Cx` (see `answer_tries_as_count`).
    tries_as_count: bool,
}

fn sw(code: u16) -> Vec<u8> {
    code.to_be_bytes().to_vec()
}

const OK: [u8; 2] = [0x90, 0x00];

impl Molto2Card {
    /// A factory-fresh device (default customer key, empty slots).
    pub fn new(serial: &str, clock: TokenClock) -> Self {
        Molto2Card {
            serial: serial.into(),
            clock,
            key: crypto::molto2_key(DEFAULT_CUSTOMER_KEY),
            slots: vec![
                Slot {
                    digits: 6,
                    period: 30,
                    ..Default::default()
                };
                SLOTS
            ],
            tries_left: MAX_TRIES,
            screen_locked: false,
            challenge: None,
            authenticated: false,
            pending: None,
            faults: Faults::default(),
            tries_as_count: false,
        }
    }

    /// The button on the device: commits a pending key change or reset.
    pub fn press_up(&mut self) -> bool {
        match self.pending.take() {
            Some(Pending::NewKey(k)) => self.key = k,
            Some(Pending::FactoryReset) => {
                let form = self.tries_as_count;
                *self = Molto2Card::new(&self.serial, self.clock);
                self.tries_as_count = form;
            }
            None => return false,
        }
        true
    }

    pub fn is_waiting_for_press(&self) -> bool {
        self.pending.is_some()
    }

    pub fn seed_sha256(&self, slot: usize) -> Option<String> {
        self.slots
            .get(slot)?
            .seed
            .as_ref()
            .map(|s| hex::encode(Sha256::digest(s.as_slice())))
    }

    /// What slot `p` shows at host time `host`.
    pub fn display_code_at(&self, p: usize, host: f64) -> Option<String> {
        let prof = self.slots.get(p)?;
        let seed = prof.seed.as_ref()?;
        let params = CodeParams {
            algorithm: prof.algorithm,
            digits: prof.digits,
            period: prof.period,
        };
        totp(&Secret::from_slice(seed), &params, self.clock.at(host)).ok()
    }

    fn handle(&mut self, apdu: &[u8]) -> Vec<u8> {
        if apdu.len() < 4 {
            return sw(0x6700);
        }
        let (cla, ins, p1, p2) = (apdu[0], apdu[1], apdu[2], apdu[3]);
        match (cla, ins) {
            (0x80, 0x41) if apdu.get(5) == Some(&0x70) => self.public_data(p2),
            (0x80, 0x41) => self.info(),
            (0x80, 0x4B) => self.get_challenge(),
            (0x80, 0xCE) => self.authenticate(apdu),
            (0x80, 0x56) => {
                self.pending = Some(Pending::FactoryReset);
                sw(0x9060)
            }
            (0x80 | 0x84, 0xE6) => self.delete_seed(p2),
            (0x80, 0xD8) if p1 == 0x0C && p2 == 0x02 => {
                self.screen_locked = apdu.get(5) != Some(&0x01);
                OK.to_vec()
            }
            (0x84, 0xC5 | 0xD5 | 0xD4 | 0xD7) => self.secured(apdu),
            (0x80 | 0x84, _) => sw(0x6D00),
            _ => sw(0x6E00),
        }
    }

    /// The clock as the wire carries it; `None` past 2106.
    fn clock_u32(&self) -> Option<u32> {
        u32::try_from(self.clock.now()).ok()
    }

    /// A serial or clock the wire cannot carry is answered `6F00`, never
    /// truncated.
    fn info(&self) -> Vec<u8> {
        let (Ok(n), Some(now)) = (u8::try_from(self.serial.len()), self.clock_u32()) else {
            return sw(0x6F00);
        };
        let mut out = vec![0x00, 0x00, 0x00, n];
        out.extend_from_slice(self.serial.as_bytes());
        out.extend_from_slice(&[0x00, 0x00]);
        out.extend_from_slice(&now.to_be_bytes());
        out.extend_from_slice(&OK);
        out
    }

    /// `95 L 70 L | flag tips(16) rtc(4) timecfg(4) algo step digits seed_present`.
    /// The title comes back in plain text, zero-padded, as on the device.
    fn public_data(&self, p: u8) -> Vec<u8> {
        let Some(prof) = self.slots.get(usize::from(p)) else {
            return sw(0x6A86);
        };
        let (Some(now), Ok(step), Ok(digits)) = (
            self.clock_u32(),
            u8::try_from(prof.period),
            u8::try_from(prof.digits),
        ) else {
            return sw(0x6F00);
        };
        let mut tips = [0u8; 16];
        let title = prof.title.as_deref().unwrap_or_default().as_bytes();
        tips[..title.len().min(16)].copy_from_slice(&title[..title.len().min(16)]);
        let mut v = vec![0x20];
        v.extend_from_slice(&tips);
        v.extend_from_slice(&now.to_be_bytes());
        v.extend_from_slice(&[0u8; 4]);
        v.push(if prof.algorithm == Algorithm::Sha256 {
            2
        } else {
            1
        });
        v.extend([step, digits, u8::from(prof.seed.is_some())]);
        // 29 bytes: the lengths below cannot overflow.
        let mut out = vec![0x95, 31, 0x70, 29];
        out.extend(v);
        out.extend_from_slice(&OK);
        out
    }

    fn get_challenge(&mut self) -> Vec<u8> {
        let mut c = [0u8; 8];
        getrandom::fill(&mut c).expect("OS random number generator");
        self.challenge = Some(c);
        self.authenticated = false;
        [c.as_slice(), &OK].concat()
    }

    /// Right answer: `9000`. Wrong: `63 Cx` with x the tries left; none
    /// left: the device stays locked until a factory reset.
    fn authenticate(&mut self, apdu: &[u8]) -> Vec<u8> {
        let expected = self
            .challenge
            .take()
            .map(|c| crypto::auth_response(&self.key, &c));
        if self.tries_left == 0 || self.faults.locked {
            return self.refusal(0);
        }
        if apdu.get(5..21).is_some() && apdu.get(5..21) == expected.as_deref() {
            self.authenticated = true;
            self.tries_left = MAX_TRIES;
            return OK.to_vec();
        }
        self.tries_left -= 1;
        self.refusal(self.tries_left)
    }

    /// `63 Cx` (what the device answers), or `63 NN` as Token2's spec
    /// reads it when [`Self::answer_tries_as_count`] is on.
    fn refusal(&self, left: u8) -> Vec<u8> {
        let form = if self.tries_as_count { 0x6300 } else { 0x63C0 };
        sw(form | u16::from(left))
    }

    /// Answers a wrong key `63 NN` (Token2's spec) instead of `63 Cx`.
    pub fn answer_tries_as_count(&mut self, yes: bool) {
        self.tries_as_count = yes;
    }

    fn delete_seed(&mut self, p: u8) -> Vec<u8> {
        match self.slots.get_mut(usize::from(p)) {
            Some(prof) if prof.seed.is_some() => {
                prof.seed = None;
                OK.to_vec()
            }
            Some(_) => sw(0x6A83),
            None => sw(0x6A86),
        }
    }

    fn secured(&mut self, apdu: &[u8]) -> Vec<u8> {
        if !self.authenticated {
            return sw(0x6982);
        }
        let lc = usize::from(apdu.get(4).copied().unwrap_or(0));
        let Some(data) = apdu
            .get(5..5 + lc)
            .filter(|d| d.len() > 4 && apdu.len() == 5 + lc)
        else {
            return sw(0x6700);
        };
        let (body, mac) = data.split_at(data.len() - 4);
        if !crypto::command_mac(&self.key, apdu[1], apdu[2], apdu[3], body)
            .is_ok_and(|m| m[..] == *mac)
        {
            return sw(0x6988);
        }
        if std::mem::take(&mut self.faults.fail_next_write) {
            return sw(0x6581);
        }
        let p = usize::from(apdu[3]);
        let result = match apdu[1] {
            0xC5 => self.write_seed(p, body),
            0xD5 => self.write_title(p, body),
            0xD4 => self.write_config(p, body),
            _ => return self.change_key(body),
        };
        match result {
            Ok(()) => OK.to_vec(),
            Err(code) => sw(code),
        }
    }

    fn slot(&mut self, p: usize) -> Result<&mut Slot, u16> {
        self.slots.get_mut(p).ok_or(0x6A86)
    }

    fn write_seed(&mut self, p: usize, body: &[u8]) -> Result<(), u16> {
        let plain = crypto::ecb_decrypt(&self.key, body).ok_or(0x6A80u16)?;
        let seed = crypto::seed_unpad(&plain).ok_or(0x6A80u16)?;
        if seed.is_empty() || seed.len() > 63 {
            return Err(0x6A80);
        }
        self.slot(p)?.seed = Some(seed);
        Ok(())
    }

    fn write_title(&mut self, p: usize, body: &[u8]) -> Result<(), u16> {
        let plain = crypto::ecb_decrypt(&self.key, body).ok_or(0x6A80u16)?;
        let title = crypto::seed_unpad(&plain).ok_or(0x6A80u16)?;
        if title.len() > 12 {
            return Err(0x6A80);
        }
        self.slot(p)?.title = Some(String::from_utf8_lossy(&title).into_owned());
        Ok(())
    }

    /// Full `81 14 …` settings, or the slim `81 06 0F 04 time` clock sync.
    fn write_config(&mut self, p: usize, body: &[u8]) -> Result<(), u16> {
        match *body {
            [0x81, 0x06, 0x0F, 0x04, a, b, c, d] => {
                self.slot(p)?;
                self.clock.set(u32::from_be_bytes([a, b, c, d]));
                Ok(())
            }
            [
                0x81,
                0x14,
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
                0x09,
                0x0A,
                0x01,
                algo,
                0x0B,
                0x01,
                digits,
                0x0D,
                0x01,
                step,
            ] => {
                let algorithm = match algo {
                    1 => Algorithm::Sha1,
                    2 => Algorithm::Sha256,
                    _ => return Err(0x6A80),
                };
                if t > 3 || ![4, 6, 8, 10].contains(&digits) || !(step == 30 || step == 60) {
                    return Err(0x6A80);
                }
                let prof = self.slot(p)?;
                (prof.algorithm, prof.digits, prof.period) =
                    (algorithm, u32::from(digits), u64::from(step));
                self.clock.set(u32::from_be_bytes([a, b, c, d]));
                Ok(())
            }
            _ => Err(0x6A80),
        }
    }

    /// `00 ‖ SHA1(new key)[..16] ‖ 80 00…`, encrypted; commits on ▲.
    fn change_key(&mut self, body: &[u8]) -> Vec<u8> {
        let Some(plain) = crypto::ecb_decrypt(&self.key, body) else {
            return sw(0x6A80);
        };
        if plain.len() != 32 || plain[0] != 0 || plain[17] != 0x80 {
            return sw(0x6A80);
        }
        let mut key = Zeroizing::new([0u8; 16]);
        key.copy_from_slice(&plain[1..17]);
        self.pending = Some(Pending::NewKey(key));
        sw(0x9060)
    }
}

impl VirtualCard for Molto2Card {
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

    fn press_button(&mut self) -> bool {
        self.press_up()
    }

    fn state(&self) -> serde_json::Value {
        let host = super::clock::host_now();
        let slots: Vec<_> = (0..SLOTS)
            .filter(|p| self.slots[*p].seed.is_some())
            .map(|p| serde_json::json!({"slot": p, "display": self.display_code_at(p, host), "seed_sha256": self.seed_sha256(p), "title": self.slots[p].title}))
            .collect();
        serde_json::json!({"family": "molto2", "serial": self.serial, "clock": self.clock.now(), "tries_left": self.tries_left,
            "waiting_for_press": self.pending.is_some(), "screen_locked": self.screen_locked, "slots": slots})
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oathdesk_device::apdu::{Response, command};

    fn run(c: &mut Molto2Card, apdu: &[u8]) -> Response {
        Response::parse(&c.transmit(apdu)).unwrap()
    }

    fn auth(c: &mut Molto2Card, key: &Key) -> u16 {
        let ch = run(c, &[0x80, 0x4B, 0x08, 0x00, 0x00]).data;
        run(
            c,
            &command(
                0x80,
                0xCE,
                0,
                0,
                &crypto::auth_response(key, &ch[..8]),
                None,
            )
            .unwrap(),
        )
        .sw
    }

    fn secured(key: &Key, ins: u8, p1: u8, p2: u8, body: &[u8]) -> Vec<u8> {
        let mut data = body.to_vec();
        data.extend_from_slice(&crypto::command_mac(key, ins, p1, p2, body).unwrap());
        command(0x84, ins, p1, p2, &data, None).unwrap()
    }

    fn card() -> Molto2Card {
        Molto2Card::new("MOLTO2000001", TokenClock::offset(0, 0.0))
    }

    #[test]
    fn wrong_key_counts_down_tries_in_63cx() {
        let mut c = card();
        let wrong = crypto::molto2_key(b"NOT-THE-RIGHT-KY");
        assert_eq!(auth(&mut c, &wrong), 0x63C9);
        assert_eq!(auth(&mut c, &wrong), 0x63C8);
        let right = crypto::molto2_key(DEFAULT_CUSTOMER_KEY);
        assert_eq!(
            auth(&mut c, &right),
            0x9000,
            "a right answer resets the count"
        );
        for left in (0..MAX_TRIES).rev() {
            assert_eq!(auth(&mut c, &wrong), 0x63C0 | u16::from(left));
        }
        assert_eq!(
            auth(&mut c, &right),
            0x63C0,
            "locked out: even the right key fails"
        );
        assert_eq!(run(&mut c, &[0x80, 0x56, 0, 0, 0]).sw, 0x9060);
        assert!(c.press_up());
        assert_eq!(auth(&mut c, &right), 0x9000, "a factory reset recovers");
    }

    #[test]
    fn key_change_waits_for_the_button() {
        let mut c = card();
        let old = crypto::molto2_key(DEFAULT_CUSTOMER_KEY);
        let new = crypto::molto2_key(b"0123456789abcdef");
        assert_eq!(auth(&mut c, &old), 0x9000);
        let mut plain = vec![0x00];
        plain.extend_from_slice(new.as_slice());
        plain.push(0x80);
        plain.resize(32, 0);
        let apdu = secured(&old, 0xD7, 0, 0, &crypto::ecb_encrypt(&old, &plain));
        assert_eq!(run(&mut c, &apdu).sw, 0x9060);
        assert!(c.is_waiting_for_press());
        assert_eq!(auth(&mut c, &new), 0x63C9, "not committed before the press");
        assert!(c.press_up());
        assert_eq!(auth(&mut c, &new), 0x9000);
        assert!(!c.press_up(), "nothing left to confirm");
    }

    #[test]
    fn slots_take_seed_title_digits_and_delete() {
        let mut c = card();
        let key = crypto::molto2_key(DEFAULT_CUSTOMER_KEY);
        assert_eq!(auth(&mut c, &key), 0x9000);
        let t = 1_700_000_000u32.to_be_bytes();
        let config = [
            0x81, 0x14, 0x1F, 0x01, 0x02, 0x0F, 0x04, t[0], t[1], t[2], t[3], 0x86, 0x09, 0x0A,
            0x01, 0x01, 0x0B, 0x01, 0x06, 0x0D, 0x01, 0x1E,
        ];
        // Token2's published vector for 1700000000, timeout 2, SHA1, 6 digits, 30 s.
        assert_eq!(
            hex::encode(config),
            "81141f01020f046553f10086090a01010b01060d011e"
        );
        assert_eq!(
            run(&mut c, &secured(&key, 0xD4, 0x01, 42, &config)).sw,
            0x9000
        );
        let seed = crypto::ecb_encrypt(&key, &crypto::seed_pad(b"12345678901234567890"));
        assert_eq!(
            run(&mut c, &secured(&key, 0xC5, 0x01, 42, &seed)).sw,
            0x9000
        );
        let title = crypto::ecb_encrypt(&key, &crypto::seed_pad(b"VPN"));
        assert_eq!(
            run(&mut c, &secured(&key, 0xD5, 0x00, 42, &title)).sw,
            0x9000
        );
        assert_eq!(c.slots[42].title.as_deref(), Some("VPN"));
        assert_eq!(
            c.display_code_at(42, super::super::clock::host_now())
                .unwrap()
                .len(),
            6
        );
        let public = run(&mut c, &[0x80, 0x41, 0x00, 42, 0x01, 0x70]);
        assert_eq!(
            (public.data[0], *public.data.last().unwrap()),
            (0x95, 1),
            "seed present"
        );
        assert_eq!(run(&mut c, &[0x80, 0xE6, 0x00, 42, 0x00]).sw, 0x9000);
        assert_eq!(
            run(&mut c, &[0x80, 0xE6, 0x00, 42, 0x00]).sw,
            0x6A83,
            "already empty"
        );
    }

    #[test]
    fn a_bad_mac_is_refused() {
        let mut c = card();
        let key = crypto::molto2_key(DEFAULT_CUSTOMER_KEY);
        auth(&mut c, &key);
        let mut apdu = secured(&key, 0xD4, 0x01, 0, &[0x81, 0x06, 0x0F, 0x04, 0, 0, 0, 1]);
        *apdu.last_mut().unwrap() ^= 0xFF;
        assert_eq!(run(&mut c, &apdu).sw, 0x6988);
    }
}

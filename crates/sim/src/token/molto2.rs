//! A Token2 Molto2v2 multi-slot token (USB CCID): 100 slots (Token2 calls them profiles), an SM4
//! key derived from the customer key (SHA-1, first 16 bytes), `63 Cx`
//! authentication failures counting down the tries left, titles, digits,
//! delete seed (also by writing an all-zero seed), screen lock, and key
//! change / factory reset that wait for a press of ▲ on the device
//! (answered `9060` until then). Delete, lock and unlock need an
//! authenticated session, as Token2's spec says (MOLTO2-PROTOCOL.md §3).

use oathdesk_otp::{Algorithm, CodeParams, Secret, totp};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::command::{Command, SW_WRONG_LENGTH, sw};
use super::sm4::{self, SeedPlain, TokenKey};
use super::{Faults, TokenClock, VirtualCard};

pub const SLOTS: usize = 100;
/// Authentication tries before the device locks (recovery: factory reset).
pub const MAX_TRIES: u8 = 10;
const DEFAULT_CUSTOMER_KEY: &[u8] = b"TOKEN2MOLTO1-KEY";
/// The screen timeout of a fresh device (wire value 1 = 30 s).
const DEFAULT_DISPLAY_TIMEOUT: u8 = 1;

/// Status words. The spec names only `9000` and `63 xx`; the others are
/// ISO 7816-4's, and those its sibling firmware uses (openT2OTP `token2.h`).
const SW_NOT_AUTHENTICATED: u16 = 0x6982;
const SW_BAD_MAC: u16 = 0x6988;
const SW_BAD_DATA: u16 = 0x6A80;
const SW_EMPTY: u16 = 0x6A83;
const SW_BAD_P1P2: u16 = 0x6A86;
const SW_INS: u16 = 0x6D00;
const SW_CLA: u16 = 0x6E00;

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
    NewKey(TokenKey),
    FactoryReset,
}

pub struct Molto2Card {
    pub serial: String,
    pub clock: TokenClock,
    key: TokenKey,
    pub slots: Vec<Slot>,
    /// Wire value of the screen timeout (0 = 15 s … 3 = 120 s), device-wide.
    pub display_timeout: u8,
    pub tries_left: u8,
    pub screen_locked: bool,
    challenge: Option<[u8; 8]>,
    authenticated: bool,
    pending: Option<Pending>,
    faults: Faults,
    /// Answer `63 NN` rather than `63 Cx` (see `answer_tries_as_count`).
    tries_as_count: bool,
}

const OK: [u8; 2] = [0x90, 0x00];

impl Molto2Card {
    /// A factory-fresh device (default customer key, empty slots).
    pub fn new(serial: &str, clock: TokenClock) -> Self {
        Molto2Card {
            serial: serial.into(),
            clock,
            key: sm4::molto2_key(DEFAULT_CUSTOMER_KEY),
            slots: vec![
                Slot {
                    digits: 6,
                    period: 30,
                    ..Default::default()
                };
                SLOTS
            ],
            display_timeout: DEFAULT_DISPLAY_TIMEOUT,
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
        let cmd = match Command::parse(apdu) {
            Ok(cmd) => cmd,
            Err(code) => return sw(code),
        };
        match (cmd.cla, cmd.ins) {
            (0x80, 0x41) => self.read(&cmd),
            (0x80, 0x4B) => match (cmd.p1, cmd.p2) {
                (0x08, 0x00) => self.get_challenge(),
                _ => sw(SW_BAD_P1P2),
            },
            (0x80, 0xCE) => match (cmd.p1, cmd.p2) {
                (0x00, 0x00) => self.authenticate(cmd.data),
                _ => sw(SW_BAD_P1P2),
            },
            (0x80, 0x56) => self.factory_reset(&cmd),
            (0x80, 0xE6) => self.authenticated(&cmd, Self::delete_seed),
            (0x80, 0xD8) => self.authenticated(&cmd, Self::screen_lock),
            (0x80, _) => sw(SW_INS),
            (0x84, 0xC5 | 0xD5 | 0xD4 | 0xD7) => self.secured(&cmd),
            (0x84, _) => sw(SW_INS),
            _ => sw(SW_CLA),
        }
    }

    /// `80 41 00 00`: serial and clock, asked with no data or with the tag
    /// list `02 11` (single-profile hosts send it); `80 41 00 p 01 70`: the
    /// public data of slot p.
    fn read(&self, cmd: &Command) -> Vec<u8> {
        match (cmd.p1, cmd.p2, cmd.data) {
            (0x00, _, [0x70]) => self.public_data(cmd.p2),
            (0x00, 0x00, [] | [0x02, 0x11]) => self.info(),
            (0x00, _, [] | [0x02, 0x11]) => sw(SW_BAD_P1P2),
            (0x00, _, _) => sw(SW_BAD_DATA),
            _ => sw(SW_BAD_P1P2),
        }
    }

    /// `80 56 00 00`: no authentication (it is the way back from a
    /// lock-out); waits for ▲.
    fn factory_reset(&mut self, cmd: &Command) -> Vec<u8> {
        if (cmd.p1, cmd.p2) != (0, 0) {
            return sw(SW_BAD_P1P2);
        }
        self.pending = Some(Pending::FactoryReset);
        sw(0x9060)
    }

    /// Runs a plain command that needs an authenticated session.
    fn authenticated(&mut self, cmd: &Command, run: fn(&mut Self, &Command) -> Vec<u8>) -> Vec<u8> {
        if !self.authenticated {
            return sw(SW_NOT_AUTHENTICATED);
        }
        run(self, cmd)
    }

    /// Lock `80 D8 0C 02` without data, unlock with the data byte `01`.
    fn screen_lock(&mut self, cmd: &Command) -> Vec<u8> {
        if (cmd.p1, cmd.p2) != (0x0C, 0x02) {
            return sw(SW_BAD_P1P2);
        }
        self.screen_locked = match cmd.data {
            [] => true,
            [0x01] => false,
            [_] => return sw(SW_BAD_DATA),
            _ => return sw(SW_WRONG_LENGTH),
        };
        OK.to_vec()
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
            return sw(SW_BAD_P1P2);
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
    /// left: the device stays locked until a factory reset. An answer that
    /// is not 16 bytes is a length error and spends no try.
    fn authenticate(&mut self, answer: &[u8]) -> Vec<u8> {
        let challenge = self.challenge.take();
        if answer.len() != 16 {
            return sw(SW_WRONG_LENGTH);
        }
        if self.tries_left == 0 || self.faults.locked {
            return self.refusal(0);
        }
        if challenge.is_some_and(|c| sm4::answer_is_right(&self.key, &c, answer)) {
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

    /// `80 E6 00 p`, no data: `6A83` if the slot holds no seed.
    fn delete_seed(&mut self, cmd: &Command) -> Vec<u8> {
        if cmd.p1 != 0 {
            return sw(SW_BAD_P1P2);
        }
        if !cmd.data.is_empty() {
            return sw(SW_WRONG_LENGTH);
        }
        match self.slots.get_mut(usize::from(cmd.p2)) {
            Some(prof) if prof.seed.is_some() => {
                prof.seed = None;
                OK.to_vec()
            }
            Some(_) => sw(SW_EMPTY),
            None => sw(SW_BAD_P1P2),
        }
    }

    /// Authentication, P1/P2, Lc and the MAC, then the write on the body.
    fn secured(&mut self, cmd: &Command) -> Vec<u8> {
        if !self.authenticated {
            return sw(SW_NOT_AUTHENTICATED);
        }
        let p = usize::from(cmd.p2);
        let p1_ok = match cmd.ins {
            0xC5 | 0xD4 => cmd.p1 == 0x01 && p < SLOTS,
            0xD5 => cmd.p1 == 0x00 && p < SLOTS,
            _ => (cmd.p1, cmd.p2) == (0, 0),
        };
        if !p1_ok {
            return sw(SW_BAD_P1P2);
        }
        let Some(split) = cmd.data.len().checked_sub(4).filter(|n| *n > 0) else {
            return sw(SW_WRONG_LENGTH);
        };
        let (body, mac) = cmd.data.split_at(split);
        if !sm4::mac_matches(&self.key, cmd.ins, cmd.p1, cmd.p2, body, mac) {
            return sw(SW_BAD_MAC);
        }
        if std::mem::take(&mut self.faults.fail_next_write) {
            return sw(0x6581);
        }
        let result = match cmd.ins {
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
        self.slots.get_mut(p).ok_or(SW_BAD_P1P2)
    }

    /// A 1..=63-byte seed with `80 00…` padding; zeros throughout (Token2's
    /// documented way to clear a slot, MOLTO2-PROTOCOL.md §5.2) clear it.
    fn write_seed(&mut self, p: usize, body: &[u8]) -> Result<(), u16> {
        if body.len() > 64 {
            return Err(SW_BAD_DATA);
        }
        let plain = sm4::ecb_decrypt(&self.key, body).ok_or(SW_BAD_DATA)?;
        self.slot(p)?.seed = match sm4::read_seed(&plain) {
            SeedPlain::Clear => None,
            SeedPlain::Seed(seed) if !seed.is_empty() => Some(seed),
            SeedPlain::Seed(_) | SeedPlain::Malformed => return Err(SW_BAD_DATA),
        };
        Ok(())
    }

    /// One block: a title of at most 12 bytes and its `80 00…` padding.
    fn write_title(&mut self, p: usize, body: &[u8]) -> Result<(), u16> {
        if body.len() != sm4::BLOCK {
            return Err(SW_BAD_DATA);
        }
        let plain = sm4::ecb_decrypt(&self.key, body).ok_or(SW_BAD_DATA)?;
        let SeedPlain::Seed(title) = sm4::read_seed(&plain) else {
            return Err(SW_BAD_DATA);
        };
        if title.len() > 12 {
            return Err(SW_BAD_DATA);
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
                    _ => return Err(SW_BAD_DATA),
                };
                if t > 3 || ![4, 6, 8, 10].contains(&digits) || !(step == 30 || step == 60) {
                    return Err(SW_BAD_DATA);
                }
                let prof = self.slot(p)?;
                (prof.algorithm, prof.digits, prof.period) =
                    (algorithm, u32::from(digits), u64::from(step));
                self.display_timeout = t;
                self.clock.set(u32::from_be_bytes([a, b, c, d]));
                Ok(())
            }
            _ => Err(SW_BAD_DATA),
        }
    }

    /// `00 ‖ SHA1(new key)[..16] ‖ 80 00…`, encrypted; commits on ▲.
    fn change_key(&mut self, body: &[u8]) -> Vec<u8> {
        let Some(plain) = sm4::ecb_decrypt(&self.key, body) else {
            return sw(SW_BAD_DATA);
        };
        if plain.len() != 32
            || plain[0] != 0
            || plain[17] != 0x80
            || plain[18..].iter().any(|&b| b != 0)
        {
            return sw(SW_BAD_DATA);
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
            "waiting_for_press": self.pending.is_some(), "screen_locked": self.screen_locked,
            "display_timeout": self.display_timeout, "slots": slots})
    }
}

#[cfg(test)]
mod tests;

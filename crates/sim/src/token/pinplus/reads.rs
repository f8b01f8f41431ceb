//! Reads: one entry (`01`), all entries in pages (`03`, then `80 C5 05 01`).
//! The host sends its Unix time with each; the key has no clock to set.

use super::apdu::{Command, SW_WRONG_LENGTH};
use super::entry::{self, Kind};
use super::*;

type Answer = Result<Vec<u8>, u16>;

impl PinPlusCard {
    pub(super) fn read(&mut self, cmd: &Command) -> Answer {
        self.entry_access_for_read()?;
        match cmd.data.split_first() {
            Some((0x01, rest)) if rest.len() >= 8 => {
                let (time, name) = rest.split_at(8);
                self.read_one(unix(time), name)
            }
            Some((0x03, time)) if time.len() == 8 => {
                if self.entries.is_empty() {
                    return Err(SW_NOT_FOUND);
                }
                self.page(0, unix(time))
            }
            Some((0x01 | 0x03, _)) => Err(SW_WRONG_LENGTH),
            _ => Err(SW_NOT_FOUND),
        }
    }

    /// `80 C5 05 01 ‖ time`: the page after the last one, only straight
    /// after a page that said more follow.
    pub(super) fn next_page(&mut self, cmd: &Command, paging: Option<usize>) -> Answer {
        self.entry_access_for_read()?;
        if cmd.data.len() != 8 {
            return Err(SW_WRONG_LENGTH);
        }
        let from = paging.ok_or(SW_CONDITIONS)?;
        self.page(from, unix(cmd.data))
    }

    fn entry_access_for_read(&self) -> Result<(), u16> {
        if self.faults.locked {
            return Err(SW_PIN_BLOCKED);
        }
        if self.switches.pin_required {
            return Err(SW_PIN_REQUIRED);
        }
        if !self.totp_enabled {
            return Err(SW_CONDITIONS);
        }
        Ok(())
    }

    /// Always with the code; a touch entry first waits for a touch; a HOTP
    /// entry moves its counter on.
    fn read_one(&mut self, time: u64, name: &[u8]) -> Answer {
        let (issuer, account) = entry::parse_name(name).ok_or(SW_NOT_FOUND)?;
        let at = self.find(&issuer, &account).ok_or(SW_NOT_FOUND)?;
        if self.entries[at].touch {
            self.take_touch()?;
        }
        let e = &mut self.entries[at];
        let code = e.code_at(time);
        if e.kind == Kind::Hotp {
            e.counter += 1;
        }
        Ok(e.encode(Some(&code)))
    }

    /// Entries from `from` on, as many as fit `page_bytes` (at least one);
    /// the first byte's top bit says more pages follow.
    fn page(&mut self, from: usize, time: u64) -> Answer {
        let mut out = Vec::new();
        let mut next = from;
        for e in &self.entries[from..] {
            let code = e.code_in_pages().then(|| e.code_at(time));
            let bytes = e.encode(code.as_deref());
            if !out.is_empty() && out.len() + bytes.len() > self.page_bytes {
                break;
            }
            out.extend_from_slice(&bytes);
            next += 1;
        }
        if next < self.entries.len() {
            out[0] |= 0x80;
            self.next_page = Some(next);
        }
        Ok(out)
    }
}

fn unix(bytes: &[u8]) -> u64 {
    u64::from_be_bytes(bytes[..8].try_into().expect("eight bytes"))
}

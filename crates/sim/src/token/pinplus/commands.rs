//! SELECT, the FIDO applet's serial, and the OTP applet's configuration
//! and write commands (`80 C5 P1 P2`, TOKEN2-OTP-APPLET.md "APDUs";
//! the button-HOTP ones from keyroost-token2otp `lib.rs` `cmd`).

use zeroize::Zeroizing;

use super::apdu::{Command, SW_WRONG_LENGTH};
use super::entry::{self, Write};
use super::seal::{IV_ENTRY, IV_HOTP};
use super::*;

type Answer = Result<Vec<u8>, u16>;

/// What the FIDO applet answers a SELECT (the U2F version string, as
/// every FIDO applet over CCID/NFC answers it).
const FIDO_SELECTED: &[u8] = b"U2F_V2";
/// The serial request's fixed body: `D1 10` and 16 zero bytes.
const SERIAL_REQUEST: [u8; 18] = {
    let mut b = [0u8; 18];
    (b[0], b[1]) = (0xD1, 0x10);
    b
};

impl PinPlusCard {
    pub(super) fn select(&mut self, cmd: &Command) -> Answer {
        if (cmd.p1, cmd.p2) != (0x04, 0x00) {
            return Err(SW_P1P2);
        }
        if cmd.data == OTP_AID {
            self.applet = Applet::Otp;
            Ok(Vec::new())
        } else if cmd.data == FIDO_AID {
            self.applet = Applet::Fido;
            Ok(FIDO_SELECTED.to_vec())
        } else {
            Err(SW_NO_APPLET)
        }
    }

    /// `80 33`: `D1 len` + the serial's bytes as ASCII hex. The FIDO
    /// applet answers it over CCID; over HID the OTP interface does.
    pub(super) fn serial(&mut self, cmd: &Command) -> Answer {
        if self.interface == Interface::Ccid && self.applet != Applet::Fido {
            return Err(SW_INS);
        }
        if (cmd.p1, cmd.p2) != (0, 0) {
            return Err(SW_P1P2);
        }
        if cmd.data != SERIAL_REQUEST {
            return Err(SW_NOT_FOUND);
        }
        let text = hex::encode_upper(&self.serial);
        Ok([&[0xD1, text.len() as u8][..], text.as_bytes()].concat())
    }

    pub(super) fn otp(&mut self, cmd: &Command, paging: Option<usize>) -> Answer {
        match (self.interface, self.applet) {
            (Interface::Hid, _) if self.switches.hid_unsupported => return Err(SW_P1P2),
            (Interface::Hid, _) | (Interface::Ccid, Applet::Otp) => {}
            // What keyroost saw from the FIDO applet (`read_serial`).
            (Interface::Ccid, Applet::Fido) => return Err(SW_P1P2),
            (Interface::Ccid, Applet::None) => return Err(SW_INS),
        }
        match (cmd.p1, cmd.p2) {
            (0x01, 0x00) => no_body(cmd).map(|()| self.key.public_xy()),
            (0x02, 0x00) => self.read_config(cmd),
            (0x02, 0x01) => self.set_device_type(cmd),
            (0x02, 0x02 | 0x04 | 0x06) => self.hotp_option(cmd),
            (0x02, 0x05) => self.enable_totp(cmd),
            (0x00, 0x00) => self.write_button_hotp(cmd),
            (0x05, 0x00) => self.read(cmd),
            (0x05, 0x01) => self.next_page(cmd, paging),
            (0x05, 0x02) if cmd.data.is_empty() => self.erase_all(),
            (0x05, 0x02) => self.write(cmd),
            _ => Err(SW_P1P2),
        }
    }

    /// The device-info block (keyroost-token2otp `DeviceInfo`): interfaces
    /// disabled; HOTP options, PIN set 02, HOTP 04, NFC 10; appearance;
    /// FIDO version; extension: TOTP 01, FIDO 2.1 02, numpad 08, CCID 10.
    /// Le bytes of it (Le 0: all); no Le is a wrong length.
    fn read_config(&mut self, cmd: &Command) -> Answer {
        let le = match (cmd.data, cmd.le) {
            ([], Some(le)) => usize::from(le),
            _ => return Err(SW_WRONG_LENGTH),
        };
        let pin = if self.switches.pin_required { 0x02 } else { 0 };
        let button = if self.button_hotp.is_some() { 0x80 } else { 0 };
        let totp = if self.totp_enabled { 0x01 } else { 0 };
        let numpad = if self.hotp_numpad { 0x08 } else { 0 };
        let block = [
            self.disabled,
            self.hotp_config | pin | 0x04 | 0x10 | button,
            0,
            0,
            0,
            0,
            2,
            1,
            0,
            totp | 0x02 | numpad | 0x10,
        ];
        let n = if le == 0 {
            block.len()
        } else {
            le.min(block.len())
        };
        Ok(block[..n].to_vec())
    }

    /// The firmware obeys a disable mask, even one that bricks the key
    /// (keyroost-token2otp `set_device_type`); so does this key — loudly.
    fn set_device_type(&mut self, cmd: &Command) -> Answer {
        let [mask] = cmd.data else {
            return Err(SW_WRONG_LENGTH);
        };
        eprintln!("pinplus: SET_DEVICE_TYPE {mask:02X} received — a host must never send it");
        self.device_type_writes.push(*mask);
        self.disabled = *mask;
        Ok(Vec::new())
    }

    /// Send-Enter (02 02: config bit 01), long touch (02 04: bit 20) and
    /// numpad (02 06: extension bit 08) of the button HOTP.
    fn hotp_option(&mut self, cmd: &Command) -> Answer {
        if self.switches.hid_unsupported {
            return Err(SW_P1P2);
        }
        let on = flag(cmd)?;
        let bit = match cmd.p2 {
            0x02 => 0x01,
            0x04 => 0x20,
            _ => {
                self.hotp_numpad = on;
                return Ok(Vec::new());
            }
        };
        self.hotp_config = if on {
            self.hotp_config | bit
        } else {
            self.hotp_config & !bit
        };
        Ok(Vec::new())
    }

    fn enable_totp(&mut self, cmd: &Command) -> Answer {
        self.totp_enabled = flag(cmd)?;
        Ok(Vec::new())
    }

    /// The button-HOTP seed, sealed with the zero IV: `digits ‖ len ‖
    /// seed`, digits 6 or 8; `00 00` clears it.
    fn write_button_hotp(&mut self, cmd: &Command) -> Answer {
        if self.switches.hid_unsupported {
            return Err(SW_P1P2);
        }
        let plain = self.key.unseal(cmd.data, &IV_HOTP).ok_or(SW_NOT_FOUND)?;
        self.button_hotp = match plain.as_slice() {
            [0, 0] => None,
            [digits @ (6 | 8), len, seed @ ..]
                if usize::from(*len) == seed.len() && (1..=MAX_SEED).contains(&seed.len()) =>
            {
                Some((*digits, Zeroizing::new(seed.to_vec())))
            }
            _ => return Err(SW_NOT_FOUND),
        };
        Ok(Vec::new())
    }

    fn entry_access(&self) -> Result<(), u16> {
        if self.faults.locked {
            return Err(SW_PIN_BLOCKED);
        }
        if self.switches.pin_required {
            return Err(SW_PIN_REQUIRED);
        }
        Ok(())
    }

    /// A sealed write: store a new entry, or delete one (zero header).
    fn write(&mut self, cmd: &Command) -> Answer {
        self.entry_access()?;
        let plain = self.key.unseal(cmd.data, &IV_ENTRY).ok_or(SW_NOT_FOUND)?;
        if std::mem::take(&mut self.faults.fail_next_write) {
            return Err(SW_MEMORY);
        }
        match entry::parse_write(&plain).ok_or(SW_NOT_FOUND)? {
            Write::Delete { issuer, account } => {
                let at = self.find(&issuer, &account).ok_or(SW_NOT_FOUND)?;
                self.entries.remove(at);
            }
            // Settings cannot be edited after creation (T2F2 README FAQ):
            // the same names again are refused; delete first.
            Write::Store(e) if self.find(&e.issuer, &e.account).is_some() => {
                return Err(SW_CONDITIONS);
            }
            Write::Store(_) if self.entries.len() >= self.capacity => return Err(SW_FULL),
            Write::Store(e) => self.entries.push(e),
        }
        Ok(Vec::new())
    }

    /// A bodyless write erases every entry, once the key is touched
    /// (keyroost-token2otp `erase_all`: "the device requires a confirming
    /// button press").
    fn erase_all(&mut self) -> Answer {
        self.entry_access()?;
        self.take_touch()?;
        self.entries.clear();
        Ok(Vec::new())
    }

    pub(super) fn find(&self, issuer: &str, account: &str) -> Option<usize> {
        self.entries
            .iter()
            .position(|e| e.is_named(issuer, account))
    }
}

fn no_body(cmd: &Command) -> Result<(), u16> {
    if cmd.data.is_empty() {
        Ok(())
    } else {
        Err(SW_WRONG_LENGTH)
    }
}

/// A one-byte `00`/`01` body.
fn flag(cmd: &Command) -> Result<bool, u16> {
    match cmd.data {
        [0] => Ok(false),
        [1] => Ok(true),
        [_] => Err(SW_NOT_FOUND),
        _ => Err(SW_WRONG_LENGTH),
    }
}

//! A Token2 PIN+ key's OTP applet, as its wire facts say it behaves
//! (`/work/shared/protocols/TOKEN2-OTP-APPLET.md`, from Token2's
//! `T2F2_TOTP_Authenticator` and `keyroost`): its own P-256 key, sealed
//! entry writes it unseals itself, entries addressed by (issuer, account),
//! codes from the host time each read carries, paged read-all, a capacity
//! limit, touch-required entries, and the serial over the FIDO applet.
//! `SET_DEVICE_TYPE` is answered as the firmware does (it obeys — that is
//! why hosts must never send it) and recorded, so tests can assert it
//! never came. Every command it does not take gets a real status word.
//!
//! Touch: over PC/SC a real key holds its answer until a touch or its
//! timeout. Here a touch is armed beforehand with `press_button` (the user
//! touching while the key blinks) and consumed by the next command that
//! waits for one; with none armed the command answers the timeout, `6FF9`,
//! at once — deterministic, with no real-time wait in any test.

mod apdu;
mod commands;
mod entry;
pub mod hid;
mod reads;
mod seal;
#[cfg(test)]
mod tests;

use serde_json::json;
use zeroize::Zeroizing;

use super::{Faults, VirtualCard};
use apdu::{Command, sw};
pub use entry::{Entry, Hash, Kind, MAX_NAME, MAX_SEED, hotp};
pub use seal::{DeviceKey, IV_ENTRY, IV_HOTP};

pub const OTP_AID: [u8; 8] = [0xF0, 0x00, 0x00, 0x01, 0x4F, 0x74, 0x70, 0x01];
pub const FIDO_AID: [u8; 8] = [0xA0, 0x00, 0x00, 0x06, 0x47, 0x2F, 0x00, 0x01];
/// Entries a PIN+ key holds: "50 OTP records" in every release of Token2's
/// PIN+ feature matrix; the T2F2 README says "up to 50 TOTP profiles".
pub const DEFAULT_CAPACITY: usize = 50;
/// Bytes of entries in one read-all page. Not published; one page fits a
/// short answer (256 bytes) with room to spare, so a handful of entries
/// with long names already needs a second page.
pub const DEFAULT_PAGE_BYTES: usize = 240;

/// No Token2 FIDO key's ATR is published; this is a plausible T=1 ATR
/// (`3B 86 80 01` + historical bytes "TOKEN2" + TCK), as CCID keys give.
pub const ATR: [u8; 11] = atr(*b"TOKEN2");

const fn atr(history: [u8; 6]) -> [u8; 11] {
    let mut out = [0x3B, 0x86, 0x80, 0x01, 0, 0, 0, 0, 0, 0, 0];
    let (mut i, mut tck) = (0, 0x86 ^ 0x80 ^ 0x01);
    while i < 6 {
        out[4 + i] = history[i];
        tck ^= history[i];
        i += 1;
    }
    out[10] = tck;
    out
}

/// Which applet a CCID SELECT made current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applet {
    None,
    Otp,
    Fido,
}

/// How the host reaches the applet. Over HID the OTP interface *is* the
/// applet (no SELECT travels; the vendor tool sends `80 33` straight to
/// it), over CCID/NFC the host selects it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interface {
    Ccid,
    Hid,
}

/// Behaviours of particular models or states a test picks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Switches {
    /// "HOTP-over-HID is not supported on this model": `6A86` to every OTP
    /// command that comes over HID, and to the button-HOTP commands on any
    /// interface (the vendor sources name only this meaning of `6A86`).
    pub hid_unsupported: bool,
    /// A FIDO PIN must be verified first: entry commands answer `6982`.
    pub pin_required: bool,
}

pub struct PinPlusCard {
    key: DeviceKey,
    serial: Vec<u8>,
    entries: Vec<Entry>,
    pub capacity: usize,
    pub page_bytes: usize,
    pub switches: Switches,
    applet: Applet,
    interface: Interface,
    totp_enabled: bool,
    /// Byte 0 of the config block: interfaces disabled (FIDO 01,
    /// keyboard 02, CCID 04), as `SET_DEVICE_TYPE` leaves it.
    disabled: u8,
    /// Byte 1 and 9 bits the button-HOTP commands set.
    hotp_config: u8,
    hotp_numpad: bool,
    button_hotp: Option<(u8, Zeroizing<Vec<u8>>)>,
    touch_armed: bool,
    touch_timeouts: u32,
    /// Where the next read-all page starts, while one is being read.
    next_page: Option<usize>,
    /// Every `SET_DEVICE_TYPE` mask received, in order.
    device_type_writes: Vec<u8>,
    faults: Faults,
}

impl PinPlusCard {
    /// A blank key with a fresh P-256 key and `serial` (raw bytes; the key
    /// reports them as ASCII hex).
    pub fn new(serial: &[u8]) -> Self {
        Self::with_key(serial, DeviceKey::generate())
    }

    /// A blank key with the given device key (tests that pin a blob).
    pub fn with_key(serial: &[u8], key: DeviceKey) -> Self {
        PinPlusCard {
            key,
            serial: serial.to_vec(),
            entries: Vec::new(),
            capacity: DEFAULT_CAPACITY,
            page_bytes: DEFAULT_PAGE_BYTES,
            switches: Switches::default(),
            applet: Applet::None,
            interface: Interface::Ccid,
            totp_enabled: true,
            disabled: 0,
            hotp_config: 0,
            hotp_numpad: false,
            button_hotp: None,
            touch_armed: false,
            touch_timeouts: 0,
            next_page: None,
            device_type_writes: Vec::new(),
            faults: Faults::default(),
        }
    }

    /// The key as its HID OTP interface sees commands (see [`Interface`]).
    pub fn over_hid(mut self) -> Self {
        self.interface = Interface::Hid;
        self
    }

    /// The device's public key `X‖Y`, as `80 C5 01 00` answers it.
    pub fn public_xy(&self) -> Vec<u8> {
        self.key.public_xy()
    }

    /// Every `SET_DEVICE_TYPE` mask a host sent; empty if none ever came.
    pub fn device_type_writes(&self) -> &[u8] {
        &self.device_type_writes
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Consumes an armed touch; a command that finds none times out.
    fn take_touch(&mut self) -> Result<(), u16> {
        if std::mem::take(&mut self.touch_armed) {
            Ok(())
        } else {
            self.touch_timeouts += 1;
            Err(SW_TOUCH_TIMEOUT)
        }
    }

    fn handle(&mut self, apdu: &[u8]) -> Vec<u8> {
        let answer = Command::parse(apdu).and_then(|cmd| self.dispatch(&cmd));
        match answer {
            Ok(mut data) => {
                data.extend_from_slice(&[0x90, 0x00]);
                data
            }
            Err(code) => sw(code),
        }
    }

    fn dispatch(&mut self, cmd: &Command) -> Result<Vec<u8>, u16> {
        let paging = std::mem::take(&mut self.next_page);
        match (cmd.cla, cmd.ins) {
            (0x00, 0xA4) => self.select(cmd),
            (0x80, 0x33) => self.serial(cmd),
            (0x80, 0xC5) => self.otp(cmd, paging),
            (0x00 | 0x80, _) => Err(SW_INS),
            _ => Err(SW_CLA),
        }
    }
}

/// Status words (TOKEN2-OTP-APPLET.md "Status words"; the rest ISO 7816-4).
const SW_NOT_FOUND: u16 = 0x6A80;
const SW_FULL: u16 = 0x6A84;
const SW_P1P2: u16 = 0x6A86;
const SW_NO_APPLET: u16 = 0x6A82;
const SW_TOUCH_TIMEOUT: u16 = 0x6FF9;
const SW_PIN_REQUIRED: u16 = 0x6982;
const SW_PIN_BLOCKED: u16 = 0x6983;
const SW_CONDITIONS: u16 = 0x6985;
const SW_MEMORY: u16 = 0x6581;
const SW_INS: u16 = 0x6D00;
const SW_CLA: u16 = 0x6E00;

impl VirtualCard for PinPlusCard {
    fn atr(&self) -> Vec<u8> {
        ATR.to_vec()
    }

    /// A reset forgets the selection, a page in progress and a touch.
    fn power_on(&mut self) {
        self.applet = Applet::None;
        self.next_page = None;
        self.touch_armed = false;
    }

    fn transmit(&mut self, apdu: &[u8]) -> Vec<u8> {
        self.handle(apdu)
    }

    fn faults(&mut self) -> &mut Faults {
        &mut self.faults
    }

    /// Arms a touch for the next command that waits for one; always true.
    fn press_button(&mut self) -> bool {
        self.touch_armed = true;
        true
    }

    fn state(&self) -> serde_json::Value {
        let entries: Vec<_> = self.entries.iter().map(entry_state).collect();
        json!({"family": "pinplus", "serial": hex::encode_upper(&self.serial),
            "capacity": self.capacity, "entries": entries, "totp_enabled": self.totp_enabled,
            "set_device_type_received": !self.device_type_writes.is_empty(),
            "set_device_type_masks": self.device_type_writes, "disabled_interfaces": self.disabled,
            "touch_armed": self.touch_armed, "touch_timeouts": self.touch_timeouts,
            "button_hotp": self.button_hotp.is_some(), "interface": format!("{:?}", self.interface),
            "hid_unsupported": self.switches.hid_unsupported, "pin_required": self.switches.pin_required})
    }
}

fn entry_state(e: &Entry) -> serde_json::Value {
    json!({"issuer": e.issuer, "account": e.account,
        "type": match e.kind { Kind::Hotp => "HOTP", Kind::Totp => "TOTP" },
        "algorithm": match e.hash { Hash::Sha1 => "SHA1", Hash::Sha256 => "SHA256" },
        "digits": e.digits, "step": e.step, "touch": e.touch, "counter": e.counter,
        "seed_sha256": e.seed_sha256()})
}

/// Seeds and the device key stay out of debug output.
impl std::fmt::Debug for PinPlusCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PinPlusCard")
            .field("serial", &hex::encode_upper(&self.serial))
            .field("entries", &self.entries.len())
            .field("capacity", &self.capacity)
            .field("device_type_writes", &self.device_type_writes)
            .finish_non_exhaustive()
    }
}

//! The selected OTP applet on a transport (PC/SC, or USB HID through
//! [`crate::hid::HidTransport`]): write, read, delete entries; config and
//! serial. Refuses what the key cannot take before any APDU; every error
//! says what the key holds and what the operator should do.

use super::codec::{self, DeviceConfig, Page};
use super::entry::{Entry, EntryName, NewEntry, delete_plaintext, malformed};
use super::seal::{DeviceKey, seal};
use crate::apdu::Response;
use crate::error::{DeviceError, TokenState};
use crate::transport::{Transport, exchange};

/// Read-all pages after which a key that keeps saying "more" is given up
/// on (a key holds about 50 entries; one page holds at least one).
pub const MAX_PAGES: usize = 64;

pub struct Token2OtpSession<'t> {
    transport: &'t mut dyn Transport,
    device_key: Option<DeviceKey>,
}

impl<'t> Token2OtpSession<'t> {
    /// SELECTs the OTP applet; a key without it answers an error status.
    pub fn select(transport: &'t mut dyn Transport) -> Result<Self, DeviceError> {
        let mut s = Token2OtpSession {
            transport,
            device_key: None,
        };
        let resp = s.read(&codec::select_otp())?;
        codec::parse_ok(&resp, TokenState::Untouched)?;
        Ok(s)
    }

    fn read(&mut self, apdu: &[u8]) -> Result<Response, DeviceError> {
        exchange(self.transport, apdu).map_err(DeviceError::reading(TokenState::Untouched))
    }

    fn write(&mut self, apdu: &[u8]) -> Result<(), DeviceError> {
        let resp =
            exchange(self.transport, apdu).map_err(DeviceError::writing(TokenState::Untouched))?;
        codec::parse_ok(&resp, TokenState::Untouched)
    }

    /// The key's ECDH public key (read once per session).
    pub fn device_key(&mut self) -> Result<&DeviceKey, DeviceError> {
        if self.device_key.is_none() {
            let resp = self.read(&codec::get_device_key())?;
            self.device_key = Some(DeviceKey::parse(&resp)?);
        }
        self.device_key.as_ref().ok_or_else(malformed)
    }

    /// Seals `plaintext` to the key and writes it.
    fn write_sealed(&mut self, plaintext: &[u8]) -> Result<(), DeviceError> {
        let blob = seal(self.device_key()?, plaintext)?;
        let apdu = zeroize::Zeroizing::new(codec::write_sealed(&blob)?);
        self.write(&apdu)
    }

    /// Stores `entry` (settings cannot be edited later: delete and write
    /// again). `6A84`: the key is full.
    pub fn write_entry(&mut self, entry: &NewEntry) -> Result<(), DeviceError> {
        self.write_sealed(&entry.plaintext())
    }

    /// Deletes the entry `name`; a missing one is `EntryMissing`.
    pub fn delete(&mut self, name: &EntryName) -> Result<(), DeviceError> {
        self.write_sealed(&delete_plaintext(name))
    }

    /// One entry with its code at `unix_time` (the key has no clock). A
    /// touch entry waits for a touch (`6FF9` when none came).
    pub fn read_one(&mut self, name: &EntryName, unix_time: u64) -> Result<Entry, DeviceError> {
        let resp = self.read(&codec::read_one(name, unix_time)?)?;
        codec::parse_read_one(&resp)
    }

    /// Every entry, following pages (at most [`MAX_PAGES`]); an empty key
    /// is an empty list.
    pub fn read_all(&mut self, unix_time: u64) -> Result<Vec<Entry>, DeviceError> {
        let resp = self.read(&codec::read_all(unix_time))?;
        let Page {
            mut entries,
            mut more,
        } = codec::parse_first_page(&resp)?;
        for _ in 1..MAX_PAGES {
            if !more {
                return Ok(entries);
            }
            let resp = self.read(&codec::read_next_page(unix_time))?;
            let page = codec::parse_next_page(&resp)?;
            entries.extend(page.entries);
            more = page.more;
        }
        if more { Err(malformed()) } else { Ok(entries) }
    }

    pub fn read_config(&mut self) -> Result<DeviceConfig, DeviceError> {
        let resp = self.read(&codec::read_config())?;
        codec::parse_config(&resp)
    }

    /// Lets the key show TOTP codes (or stops it).
    pub fn enable_totp(&mut self, on: bool) -> Result<(), DeviceError> {
        self.write(&codec::enable_totp(on))
    }

    /// The serial, through the FIDO applet; the OTP applet is selected
    /// again afterwards, so the session stays usable.
    pub fn serial(&mut self) -> Result<String, DeviceError> {
        let resp = self.read(&codec::select_fido())?;
        codec::parse_ok(&resp, TokenState::Untouched)?;
        let resp = self.read(&codec::read_serial())?;
        let serial = codec::parse_serial(&resp);
        let back = self.read(&codec::select_otp())?;
        codec::parse_ok(&back, TokenState::Untouched)?;
        serial
    }
}

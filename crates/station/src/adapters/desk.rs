//! The desk's readers: the PC/SC readers and the Token2 keys plugged in
//! over USB HID, as one [`Readers`]. Either side being unavailable (no
//! pcscd, no HID access) leaves the other usable; only when both are is it
//! an error, and then PC/SC's, since a reader is what most desks have.

use std::sync::OnceLock;

use oathdesk_device::profiles::Profiles;

use super::device::{PcscReaders, choose_one};
use super::hid_keys::{HidKeyError, HidKeys, HidReaders, TouchPrompt, hid_failure};
use crate::ports::{Reader, Readers, Token, TokenFailure};

/// Connects to the PC/SC service (a test passes one that fails).
pub type ConnectPcsc = fn() -> Result<PcscReaders, TokenFailure>;

/// PC/SC readers first, then HID keys.
pub struct DeskReaders {
    /// Connected on first use, and tried again on each use until it is:
    /// pcscd may start after the app (it is socket-activated on most desks).
    pcsc: OnceLock<PcscReaders>,
    connect_pcsc: ConnectPcsc,
    hid: Result<HidReaders, TokenFailure>,
}

impl DeskReaders {
    /// The real desk: PC/SC with the built-in profiles and the customer key
    /// from the environment, and the HID keys hidapi lists. `prompt` hears
    /// when a key waits for a touch.
    pub fn connect(prompt: TouchPrompt) -> Self {
        let hid = os_hid_keys()
            .map(|keys| HidReaders::new(keys, Profiles::builtin(), prompt))
            .map_err(|e| hid_failure("", e));
        Self::new(PcscReaders::connect, hid)
    }

    pub fn new(connect_pcsc: ConnectPcsc, hid: Result<HidReaders, TokenFailure>) -> Self {
        DeskReaders {
            pcsc: OnceLock::new(),
            connect_pcsc,
            hid,
        }
    }

    fn pcsc(&self) -> Result<&PcscReaders, TokenFailure> {
        if let Some(pcsc) = self.pcsc.get() {
            return Ok(pcsc);
        }
        let connected = (self.connect_pcsc)()?;
        Ok(self.pcsc.get_or_init(|| connected))
    }

    fn hid(&self) -> Result<&HidReaders, TokenFailure> {
        self.hid.as_ref().map_err(Clone::clone)
    }

    /// What each side sees on its own: PC/SC's readers, then the HID keys
    /// (`oathdesk --check-desk` reports them apart; [`Readers::readers`]
    /// merges them).
    pub fn each_side(&self) -> DeskSides {
        DeskSides {
            pcsc: self.pcsc().and_then(|p| p.readers()),
            hid: self.hid().and_then(|h| h.readers()),
        }
    }
}

/// [`DeskReaders::each_side`]: either side may fail without the other.
pub struct DeskSides {
    pub pcsc: Result<Vec<Reader>, TokenFailure>,
    pub hid: Result<Vec<Reader>, TokenFailure>,
}

#[cfg(any(target_os = "linux", target_os = "windows", target_os = "macos"))]
fn os_hid_keys() -> Result<Box<dyn HidKeys>, HidKeyError> {
    Ok(Box::new(super::hid_keys::HidApiKeys::new()?))
}

#[cfg(not(any(target_os = "linux", target_os = "windows", target_os = "macos")))]
fn os_hid_keys() -> Result<Box<dyn HidKeys>, HidKeyError> {
    Err(oathdesk_device::transport::TransportError::Unavailable(
        "HID: no HID keys on this platform".into(),
    )
    .into())
}

impl Readers for DeskReaders {
    fn readers(&self) -> Result<Vec<Reader>, TokenFailure> {
        let pcsc = self.pcsc().and_then(|p| p.readers());
        let hid = self.hid().and_then(|h| h.readers());
        match (pcsc, hid) {
            // With no key on the HID side, PC/SC's failure (a stopped
            // service, say) is the desk's answer, not an empty desk.
            (Err(e), Err(_)) => Err(e),
            (Err(e), Ok(keys)) if keys.is_empty() => Err(e),
            (pcsc, hid) => Ok(pcsc
                .unwrap_or_default()
                .into_iter()
                .chain(hid.unwrap_or_default())
                .collect()),
        }
    }

    /// A PC/SC reader's name opens the token on it; any other name the HID
    /// key of that name (or says none is plugged in). Without HID, every
    /// name goes to PC/SC. When PC/SC itself fails, a name that is no HID
    /// key is said missing with PC/SC's failure and its fix.
    fn open(&self, reader: Option<&str>) -> Result<Box<dyn Token + '_>, TokenFailure> {
        let Some(name) = reader else {
            return self.open(Some(&choose_one(self.readers()?)?));
        };
        let named = |readers: &[Reader]| readers.iter().any(|r| r.name == name);
        let pcsc = self.pcsc().and_then(|p| p.readers());
        match (self.hid(), pcsc) {
            (Ok(hid), Ok(readers)) if !named(&readers) => hid.open(Some(name)),
            (Ok(hid), Err(down)) => match hid.readers() {
                Ok(keys) if named(&keys) => hid.open(Some(name)),
                _ => Err(TokenFailure {
                    message: format!("nothing named {name} is plugged in; {}", down.message),
                    ..down
                }),
            },
            _ => self.pcsc()?.open(Some(name)),
        }
    }
}

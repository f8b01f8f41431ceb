//! Token2 PIN+ keys plugged in over USB HID, as desk readers: each key is
//! one "reader" with its token always present, opened through the same
//! [`open_token`] as a PC/SC reader, so identification (the OTP applet's
//! SELECT), the PIN+ adapter and every workflow work unchanged.
//!
//! The HID side is a small port ([`HidKeys`]: list the keys, open one as a
//! transport) so tests drive the desk with in-process fake keys; on a desk
//! it is [`HidApiKeys`] over hidapi. Listing only asks the OS: nothing is
//! sent to a key until a workflow opens it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use oathdesk_device::TokenState;
use oathdesk_device::hid::{TOUCH_HINT_AFTER, Token2HidKey};
use oathdesk_device::profiles::Profiles;
use oathdesk_device::transport::{Transport, TransportError};

use super::device::{choose_one, open_token};
use crate::ports::{Reader, Readers, Token, TokenFailure};

#[cfg(any(target_os = "linux", target_os = "windows", target_os = "macos"))]
pub use real::HidApiKeys;

/// An opened key's APDU pipe.
pub type HidTransportBox = Box<dyn Transport + Send>;

/// Told how many busy answers a key gave so far in one exchange.
pub type OnBusy = Box<dyn FnMut(u32) + Send>;

/// Why a key could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HidKeyError {
    /// The OS refused to open the device (Linux hidraw permissions, a
    /// Windows FIDO key outside an administrator's session).
    #[error("the operating system refused to open the key ({0})")]
    AccessRefused(String),
    #[error(transparent)]
    Transport(#[from] TransportError),
}

/// The desk's HID side: the Token2 keys the OS lists, and opening one.
pub trait HidKeys: Send + Sync {
    /// The keys plugged in now, ordered by path; nothing is sent to them.
    fn keys(&self) -> Result<Vec<Token2HidKey>, HidKeyError>;
    /// Opens `key` as an APDU transport; `on_busy` hears each busy answer.
    fn open(&self, key: &Token2HidKey, on_busy: OnBusy) -> Result<HidTransportBox, HidKeyError>;
}

/// What the desk is told while a key waits for a finger on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Touch {
    /// The key has answered busy [`TOUCH_HINT_AFTER`] times: ask for a touch.
    Needed,
    /// The key answered (touched, or it gave up): the prompt can go.
    Ended,
}

/// The desk's touch prompt: the reader's name and whether a touch is needed.
pub type TouchPrompt = Arc<dyn Fn(&str, Touch) + Send + Sync>;

/// The HID keys as readers.
pub struct HidReaders {
    keys: Box<dyn HidKeys>,
    profiles: Profiles,
    prompt: TouchPrompt,
}

impl HidReaders {
    pub fn new(keys: Box<dyn HidKeys>, profiles: Profiles, prompt: TouchPrompt) -> Self {
        HidReaders {
            keys,
            profiles,
            prompt,
        }
    }

    /// Every key with the name the desk shows for it.
    fn named(&self) -> Result<Vec<(String, Token2HidKey)>, TokenFailure> {
        let keys = self.keys.keys().map_err(|e| hid_failure("", e))?;
        Ok(reader_names(&keys).into_iter().zip(keys).collect())
    }

    /// Opens the key named `reader` as an APDU transport that asks the
    /// desk for a touch after [`TOUCH_HINT_AFTER`] busy answers, and says
    /// when that exchange is over.
    pub fn transport(&self, reader: &str) -> Result<HidTransportBox, TokenFailure> {
        let keys = self.named()?;
        let Some((_, key)) = keys.iter().find(|(n, _)| n == reader) else {
            return Err(TokenFailure {
                state: TokenState::Untouched,
                message: format!("nothing named {reader} is plugged in"),
                next_step: "Plug the key or reader in again, or choose one on the Desk.".into(),
            });
        };
        let asked = Arc::new(AtomicBool::new(false));
        let on_busy = touch_after(reader.to_string(), self.prompt.clone(), asked.clone());
        let inner = self
            .keys
            .open(key, on_busy)
            .map_err(|e| hid_failure(reader, e))?;
        Ok(Box::new(TouchWait {
            inner,
            reader: reader.to_string(),
            prompt: self.prompt.clone(),
            asked,
        }))
    }
}

impl Readers for HidReaders {
    fn readers(&self) -> Result<Vec<Reader>, TokenFailure> {
        Ok(self
            .named()?
            .into_iter()
            .map(|(name, _)| Reader {
                name,
                token_present: true,
            })
            .collect())
    }

    fn open(&self, reader: Option<&str>) -> Result<Box<dyn Token + '_>, TokenFailure> {
        let name = match reader {
            Some(r) => r.to_string(),
            None => choose_one(self.readers()?)?,
        };
        let transport = self.transport(&name)?;
        open_token(name, transport, &self.profiles, None)
    }
}

/// A busy callback that asks for a touch once the key has answered busy
/// [`TOUCH_HINT_AFTER`] times in one exchange (fewer is the key thinking).
fn touch_after(reader: String, prompt: TouchPrompt, asked: Arc<AtomicBool>) -> OnBusy {
    Box::new(move |busy| {
        if busy == TOUCH_HINT_AFTER {
            asked.store(true, Ordering::SeqCst);
            prompt(&reader, Touch::Needed);
        }
    })
}

/// The key's transport, telling the desk when an exchange that asked for a
/// touch is over, whatever its outcome, so the prompt never outstays it.
struct TouchWait {
    inner: HidTransportBox,
    reader: String,
    prompt: TouchPrompt,
    asked: Arc<AtomicBool>,
}

impl Transport for TouchWait {
    fn transmit_raw(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        let answer = self.inner.transmit_raw(apdu);
        if self.asked.swap(false, Ordering::SeqCst) {
            (self.prompt)(&self.reader, Touch::Ended);
        }
        answer
    }
}

/// A HID error as the workflows report it: nothing reached the key.
pub(super) fn hid_failure(reader: &str, e: HidKeyError) -> TokenFailure {
    let next_step = match &e {
        HidKeyError::AccessRefused(_) => access_next_step(std::env::consts::OS),
        HidKeyError::Transport(_) => "Take the key out, plug it in again and retry.".into(),
    };
    let on = if reader.is_empty() {
        String::new()
    } else {
        format!("{reader}: ")
    };
    TokenFailure {
        state: TokenState::Untouched,
        message: format!("{on}{e}"),
        next_step,
    }
}

/// What lets the desk open a key on `os` (as `std::env::consts::OS` names it).
pub fn access_next_step(os: &str) -> String {
    match os {
        "linux" => "Let desk users open Token2 keys with a udev rule for vendor 349E \
            (e.g. /etc/udev/rules.d/70-token2.rules: \
            KERNEL==\"hidraw*\", ATTRS{idVendor}==\"349e\", TAG+=\"uaccess\"), \
            run `udevadm control --reload`, then take the key out and plug it in again."
            .into(),
        "windows" => "Windows may let only administrators open FIDO keys over HID: \
            run OathDesk as administrator, or put the key on an NFC reader."
            .into(),
        "macos" => "Allow OathDesk under System Settings → Privacy & Security → \
            Input Monitoring, then plug the key in again."
            .into(),
        _ => "Give this account access to the key's HID device, then plug it in again.".into(),
    }
}

/// The names the desk shows for `keys` (in order): the product and the
/// serial the OS reports (or a short form of the path when there is none),
/// marked USB. A name stays the same while its key stays plugged in; two
/// keys that would share one (a blank or duplicated serial) both carry
/// their path's short form too, so every name opens exactly one key.
pub fn reader_names(keys: &[Token2HidKey]) -> Vec<String> {
    let plain: Vec<String> = keys.iter().map(plain_name).collect();
    keys.iter()
        .zip(&plain)
        .map(|(key, name)| {
            let short = short_path(&key.path);
            match &key.serial {
                _ if plain.iter().filter(|n| *n == name).count() == 1 => name.clone(),
                Some(serial) => format!("{} {serial} (USB {short})", product(key)),
                None => format!("{} (USB {short})", product(key)),
            }
        })
        .collect()
}

fn plain_name(key: &Token2HidKey) -> String {
    match &key.serial {
        Some(serial) => format!("{} {serial} (USB)", product(key)),
        None => format!("{} (USB {})", product(key), short_path(&key.path)),
    }
}

fn product(key: &Token2HidKey) -> &str {
    match key.product.trim() {
        "" => "Token2 key",
        p => p,
    }
}

/// A short, stable form of an OS path: a Linux device node's own name
/// (`hidraw3`), otherwise 8 hex digits of the path's FNV-1a hash (Windows
/// and macOS paths are long and share their tails).
pub fn short_path(path: &str) -> String {
    if let Some(node) = path.strip_prefix("/dev/") {
        return node.to_string();
    }
    let hash = path.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    format!("{hash:08x}")
}

/// The real port over hidapi.
#[cfg(any(target_os = "linux", target_os = "windows", target_os = "macos"))]
mod real {
    use std::sync::Mutex;

    use oathdesk_device::hid::Token2HidKey;
    use oathdesk_device::hid_desk::HidApiEnumerator;
    use oathdesk_device::transport::TransportError;

    use super::{HidKeyError, HidKeys, HidTransportBox, OnBusy};

    /// The desk's HID keys through hidapi. hidapi caches its device list,
    /// so each listing refreshes it first (behind the lock: a refresh needs
    /// the enumerator to itself).
    pub struct HidApiKeys(Mutex<HidApiEnumerator>);

    impl HidApiKeys {
        pub fn new() -> Result<Self, HidKeyError> {
            Ok(HidApiKeys(Mutex::new(HidApiEnumerator::new()?)))
        }
    }

    impl HidKeys for HidApiKeys {
        fn keys(&self) -> Result<Vec<Token2HidKey>, HidKeyError> {
            let mut hid = self.0.lock().unwrap_or_else(|p| p.into_inner());
            hid.refresh()?;
            Ok(hid.token2_keys())
        }

        fn open(
            &self,
            key: &Token2HidKey,
            on_busy: OnBusy,
        ) -> Result<HidTransportBox, HidKeyError> {
            let hid = self.0.lock().unwrap_or_else(|p| p.into_inner());
            match hid.open(key, on_busy) {
                Ok(t) => Ok(Box::new(t)),
                Err(TransportError::Unavailable(m)) if refused_by_os(&m) => {
                    Err(HidKeyError::AccessRefused(m))
                }
                Err(e) => Err(e.into()),
            }
        }
    }

    /// Whether hidapi's message says the OS refused access: hidraw's
    /// strerror(EACCES), Windows' "Access is denied", IOKit's "not permitted".
    pub(super) fn refused_by_os(message: &str) -> bool {
        let m = message.to_ascii_lowercase();
        ["permission denied", "access is denied", "not permitted"]
            .iter()
            .any(|s| m.contains(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(path: &str, product: &str, serial: Option<&str>) -> Token2HidKey {
        Token2HidKey {
            path: path.into(),
            product_id: 0x0022,
            product: product.into(),
            serial: serial.map(str::to_string),
        }
    }

    #[test]
    fn a_key_is_named_by_product_and_serial_or_its_device_node() {
        let names = reader_names(&[
            key("/dev/hidraw3", "FIDO2 Security Key", Some("A1B2")),
            key("/dev/hidraw5", "FIDO2 Security Key", None),
            key("/dev/hidraw6", "  ", None),
        ]);
        assert_eq!(
            names,
            [
                "FIDO2 Security Key A1B2 (USB)",
                "FIDO2 Security Key (USB hidraw5)",
                "Token2 key (USB hidraw6)"
            ]
        );
    }

    #[test]
    fn identical_keys_get_distinct_names_that_keep_the_serial() {
        let names = reader_names(&[
            key("/dev/hidraw1", "PIN+", Some("0001")),
            key("/dev/hidraw2", "PIN+", Some("0001")),
            key("/dev/hidraw3", "PIN+", Some("0002")),
        ]);
        assert_eq!(
            names,
            [
                "PIN+ 0001 (USB hidraw1)",
                "PIN+ 0001 (USB hidraw2)",
                "PIN+ 0002 (USB)"
            ]
        );
    }

    #[test]
    fn long_paths_shorten_to_a_stable_hash() {
        let win =
            r"\\?\HID#VID_349E&PID_0022&MI_01#7&2b8f&0&0000#{4d1e55b2-f16f-11cf-88cb-001111000030}";
        let other = win.replace("2b8f", "2b90");
        assert_eq!(short_path(win), short_path(win));
        assert_ne!(short_path(win), short_path(&other));
        assert_eq!(short_path(win).len(), 8);
        assert_eq!(short_path("/dev/hidraw0"), "hidraw0");
    }

    #[test]
    fn the_next_step_after_a_refusal_says_how_on_each_desk() {
        assert!(access_next_step("linux").contains("349e"));
        assert!(access_next_step("linux").contains("udev"));
        assert!(access_next_step("linux").contains("plug it in again"));
        assert!(access_next_step("windows").contains("administrator"));
        assert!(access_next_step("macos").contains("Input Monitoring"));
    }

    #[cfg(any(target_os = "linux", target_os = "windows", target_os = "macos"))]
    #[test]
    fn hidapis_refusals_are_told_apart_from_other_failures() {
        use super::real::refused_by_os;
        assert!(refused_by_os(
            "HID: Failed to open a device with path '/dev/hidraw3': Permission denied"
        ));
        assert!(refused_by_os("HID: open_device: Access is denied."));
        assert!(refused_by_os(
            "HID: IOHIDDeviceOpen failed: (0xE00002E2) (iokit/common) not permitted"
        ));
        assert!(!refused_by_os(
            "HID: Failed to open a device with path '/dev/hidraw3': No such file or directory"
        ));
    }
}

//! The desk's real HID devices, through `hidapi` (its C backends: hidraw on
//! Linux, the native HID APIs on Windows and macOS): interrupt reports for
//! [`crate::hid::HidTransport`], and discovery of Token2 PIN+ keys.
//!
//! Discovery only reads what the operating system lists: it opens nothing
//! and sends nothing, so it cannot disturb a key (no `SET_DEVICE_TYPE`, no
//! writes). A match is confirmed later by the OTP applet's SELECT.

use std::ffi::CString;

pub use crate::hid::Token2HidKey;
use crate::hid::{HidDevice, HidEnumerator, HidInfo, HidTransport, REPORT_LEN};
use crate::transport::TransportError;

/// How long one input report is waited for. The key answers busy frames
/// while it waits for a touch, so a silent key for this long is lost.
pub const READ_TIMEOUT_MS: i32 = 5_000;

/// A HID device as listed, with the serial the OS knows (if any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub info: HidInfo,
    pub serial: Option<String>,
}

/// The Token2 keys among `listed` (VID `349E` and the FIDO usage page, or
/// the product string), one per path, ordered by path: the OS lists one
/// device per usage on some platforms.
pub fn token2_keys(listed: impl IntoIterator<Item = Listed>) -> Vec<Token2HidKey> {
    let mut keys: Vec<Token2HidKey> = listed
        .into_iter()
        .filter(|l| l.info.may_hold_token2_otp())
        .map(|l| Token2HidKey {
            path: l.info.path,
            product_id: l.info.product_id,
            product: l.info.product,
            serial: l.serial.filter(|s| !s.trim().is_empty()),
        })
        .collect();
    keys.sort_by(|a, b| a.path.cmp(&b.path));
    keys.dedup_by(|a, b| a.path == b.path);
    keys
}

fn unavailable(e: hidapi::HidError) -> TransportError {
    TransportError::Unavailable(format!("HID: {e}"))
}

fn lost(e: hidapi::HidError) -> TransportError {
    TransportError::LinkLost(format!("HID: {e}"))
}

/// The OS's HID list.
pub struct HidApiEnumerator(pub hidapi::HidApi);

impl HidApiEnumerator {
    pub fn new() -> Result<Self, TransportError> {
        hidapi::HidApi::new().map(Self).map_err(unavailable)
    }

    /// Lists the devices again: `hidapi` enumerates once, at `new`, and
    /// keeps that list, so a desk that follows plugging calls this first.
    /// Only the OS is asked; nothing is opened.
    pub fn refresh(&mut self) -> Result<(), TransportError> {
        self.0.refresh_devices().map_err(unavailable)
    }

    /// Every listed device with its serial.
    pub fn listed(&self) -> Vec<Listed> {
        self.0
            .device_list()
            .map(|d| Listed {
                info: HidInfo {
                    vendor_id: d.vendor_id(),
                    product_id: d.product_id(),
                    usage_page: d.usage_page(),
                    product: d.product_string().unwrap_or_default().to_string(),
                    path: d.path().to_string_lossy().into_owned(),
                },
                serial: d.serial_number().map(str::to_string),
            })
            .collect()
    }

    /// The Token2 keys plugged in now; nothing is sent to any of them.
    pub fn token2_keys(&self) -> Vec<Token2HidKey> {
        token2_keys(self.listed())
    }

    /// Opens `key` as an APDU transport; `on_busy` counts busy answers.
    pub fn open(
        &self,
        key: &Token2HidKey,
        on_busy: Box<dyn FnMut(u32) + Send>,
    ) -> Result<HidTransport<HidApiDevice>, TransportError> {
        let path = CString::new(key.path.as_bytes())
            .map_err(|_| TransportError::Unavailable("HID: the path holds a NUL".into()))?;
        let device = self.0.open_path(&path).map_err(unavailable)?;
        Ok(HidTransport {
            device: HidApiDevice(device),
            on_busy,
        })
    }
}

impl HidEnumerator for HidApiEnumerator {
    fn devices(&self) -> Result<Vec<HidInfo>, TransportError> {
        Ok(self.listed().into_iter().map(|l| l.info).collect())
    }
}

/// One opened key's interrupt pipes.
pub struct HidApiDevice(pub hidapi::HidDevice);

impl HidDevice for HidApiDevice {
    /// An interrupt OUT report (Windows refuses feature reports here).
    fn write_report(&mut self, report: &[u8; REPORT_LEN + 1]) -> Result<(), TransportError> {
        match self.0.write(report).map_err(lost)? {
            0 => Err(TransportError::LinkLost(
                "HID: the report was not sent".into(),
            )),
            _ => Ok(()),
        }
    }

    /// An interrupt IN report, waited for at most [`READ_TIMEOUT_MS`].
    fn read_report(&mut self) -> Result<[u8; REPORT_LEN], TransportError> {
        self.read_input().map(|(r, _)| r)
    }

    /// The report and how many bytes hidapi delivered: a short report must
    /// not pass for one padded with zeros.
    fn read_input(&mut self) -> Result<([u8; REPORT_LEN], usize), TransportError> {
        let mut buf = [0u8; REPORT_LEN];
        match self
            .0
            .read_timeout(&mut buf, READ_TIMEOUT_MS)
            .map_err(lost)?
        {
            0 => Err(TransportError::LinkLost(format!(
                "HID: no answer within {} s",
                READ_TIMEOUT_MS / 1000
            ))),
            n => Ok((buf, n)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(vid: u16, page: u16, product: &str, path: &str, serial: Option<&str>) -> Listed {
        Listed {
            info: HidInfo {
                vendor_id: vid,
                product_id: 0x0022,
                usage_page: page,
                product: product.into(),
                path: path.into(),
            },
            serial: serial.map(str::to_string),
        }
    }

    #[test]
    fn finds_token2_keys_by_usage_page_or_product_once_per_path() {
        let keys = token2_keys([
            listed(0x349E, 0xF1D0, "T2F2", "/dev/hidraw3", Some("A1")),
            listed(0x349E, 0x0001, "FIDO2 Security Key", "/dev/hidraw1", None),
            listed(0x349E, 0x0001, "FIDO2 Security Key", "/dev/hidraw1", None),
            listed(0x1050, 0xF1D0, "YubiKey", "/dev/hidraw0", Some("9")),
            listed(0x349E, 0x0001, "Keyboard", "/dev/hidraw2", None),
            listed(0x349E, 0xF1D0, "T2F2", "/dev/hidraw4", Some("  ")),
        ]);
        let paths: Vec<&str> = keys.iter().map(|k| k.path.as_str()).collect();
        assert_eq!(paths, ["/dev/hidraw1", "/dev/hidraw3", "/dev/hidraw4"]);
        assert_eq!(keys[1].serial.as_deref(), Some("A1"));
        assert_eq!(keys[2].serial, None, "a blank serial is no serial");
        assert_eq!(keys[0].product, "FIDO2 Security Key");
    }

    #[test]
    fn nothing_listed_is_no_key() {
        assert!(token2_keys(Vec::new()).is_empty());
    }
}

//! Live HID keys. hidapi has no plug/unplug events, so the desk watches the
//! OS's list of keys about once a second and says when the set changed.
//! Only the list is read: nothing is ever sent to a key from here (a key
//! may be in the middle of a burn, or waiting for a touch).

use std::time::Duration;

use oathdesk_device::hid::Token2HidKey;

use super::hid_keys::HidKeys;

/// How often the OS's list of keys is read again.
pub const HID_WATCH_EVERY: Duration = Duration::from_secs(1);

/// The keys last seen, and whether a new listing differs from them.
#[derive(Debug, Default)]
pub struct HidWatch {
    known: Vec<Token2HidKey>,
}

impl HidWatch {
    /// Starts from `now` (the keys already there are no change).
    pub fn new(now: Vec<Token2HidKey>) -> Self {
        HidWatch {
            known: normalised(now),
        }
    }

    /// Whether the keys listed `now` differ from the last ones seen (a key
    /// came, went, or came back as another device); remembers `now`. The
    /// order the OS lists them in is no change.
    pub fn changed(&mut self, now: Vec<Token2HidKey>) -> bool {
        let now = normalised(now);
        if now == self.known {
            return false;
        }
        self.known = now;
        true
    }
}

fn normalised(mut keys: Vec<Token2HidKey>) -> Vec<Token2HidKey> {
    keys.sort_by(|a, b| a.path.cmp(&b.path).then_with(|| a.serial.cmp(&b.serial)));
    keys
}

/// Runs for ever, calling `changed` whenever a key is plugged in or out.
/// A listing that fails (the OS busy re-enumerating) is skipped, not read
/// as "every key is gone".
pub fn watch_hid_keys(keys: &dyn HidKeys, mut changed: impl FnMut()) -> ! {
    let mut watch = HidWatch::new(keys.keys().unwrap_or_default());
    loop {
        std::thread::sleep(HID_WATCH_EVERY);
        if keys.keys().is_ok_and(|now| watch.changed(now)) {
            changed();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(path: &str, serial: Option<&str>) -> Token2HidKey {
        Token2HidKey {
            path: path.into(),
            product_id: 0x0022,
            product: "FIDO2 Security Key".into(),
            serial: serial.map(str::to_string),
        }
    }

    #[test]
    fn the_same_keys_are_no_change_in_any_order() {
        let mut w = HidWatch::new(vec![
            key("/dev/hidraw1", Some("A")),
            key("/dev/hidraw2", None),
        ]);
        assert!(!w.changed(vec![
            key("/dev/hidraw2", None),
            key("/dev/hidraw1", Some("A"))
        ]));
        assert!(!w.changed(vec![
            key("/dev/hidraw1", Some("A")),
            key("/dev/hidraw2", None)
        ]));
    }

    #[test]
    fn a_key_plugged_in_or_out_is_a_change_said_once() {
        let mut w = HidWatch::new(Vec::new());
        assert!(!w.changed(Vec::new()));
        assert!(w.changed(vec![key("/dev/hidraw1", Some("A"))]));
        assert!(!w.changed(vec![key("/dev/hidraw1", Some("A"))]));
        assert!(w.changed(vec![
            key("/dev/hidraw1", Some("A")),
            key("/dev/hidraw4", None)
        ]));
        assert!(w.changed(vec![key("/dev/hidraw4", None)]));
        assert!(w.changed(Vec::new()));
        assert!(!w.changed(Vec::new()));
    }

    #[test]
    fn another_key_on_the_same_path_is_a_change() {
        let mut w = HidWatch::new(vec![key("/dev/hidraw1", Some("A"))]);
        assert!(w.changed(vec![key("/dev/hidraw1", Some("B"))]));
    }
}

//! The private pcscd's vpcd reader slots (`tests/harness/pcsc-ns.sh`):
//! claiming a free one, exclusively across processes, for a virtual card.
//! The training desk places its tokens with it; tests add waiting for
//! pcscd to see a card (crate `oathdesk-testkit`).

use std::fs::{File, OpenOptions};

/// The vpcd slots the harness configures: 8 entries of 2 slots from port
/// 35963, named "Virtual PCD <entry> 00 0<slot>" by pcscd.
const SLOT_COUNT: u16 = 16;

fn slot(i: u16) -> (u16, String) {
    (35963 + i, format!("Virtual PCD {} 00 0{}", i / 2, i % 2))
}

/// vpcd cannot take another card on a slot whose card vanished in the middle
/// of a connection; such a slot is marked and never handed out again.
pub fn poisoned_marker(port: u16) -> String {
    format!("/run/pcscd/slot-{port}.poisoned")
}

/// An exclusive vpcd reader slot, held until dropped.
pub struct VirtualReader {
    port: u16,
    name: String,
    _lock: File,
}

fn require_harness() {
    assert!(
        std::env::var_os("OATHDESK_PCSC_HARNESS").is_some(),
        "this test needs a private pcscd: run the tests through tests/harness/pcsc-ns.sh (make test does)"
    );
}

impl VirtualReader {
    /// Takes a free slot, waiting for one if all are in use by other tests
    /// (in this process or another).
    pub fn acquire() -> VirtualReader {
        require_harness();
        let open = |port: u16| -> File {
            OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(format!("/run/pcscd/slot-{port}.lock"))
                .expect("lock file in the harness's /run/pcscd")
        };
        let usable: Vec<(u16, String)> = (0..SLOT_COUNT)
            .map(slot)
            .filter(|(port, _)| !std::path::Path::new(&poisoned_marker(*port)).exists())
            .collect();
        assert!(
            !usable.is_empty(),
            "every vpcd slot has been used up by link-cut tests"
        );
        for (port, name) in &usable {
            let f = open(*port);
            if f.try_lock().is_ok() {
                return VirtualReader {
                    port: *port,
                    name: name.clone(),
                    _lock: f,
                };
            }
        }
        let (port, name) = usable[std::process::id() as usize % usable.len()].clone();
        let f = open(port);
        f.lock().expect("slot lock");
        VirtualReader {
            port,
            name,
            _lock: f,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Never hands this slot out again, for a holder that may be killed
    /// with its card in place and a connection open (the app's training
    /// desk): vpcd leaves such a slot unable to take another card.
    pub fn retire(&self) {
        let _ = std::fs::write(poisoned_marker(self.port), b"");
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

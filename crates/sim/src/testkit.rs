//! For tests that need a token on a real reader: a free vpcd slot of the
//! private pcscd that `tests/harness/pcsc-ns.sh` runs, and a way to put a
//! virtual card on it and take it off, returning only once pcscd has seen
//! the change (waited for with PC/SC's own event, never a sleep).

use std::fs::{File, OpenOptions};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use oathdesk_device::pcsc::PcscDesk;

use crate::token::VirtualCard;
use crate::vpcd::{self, VpcdHandle};

/// vpcd slots the harness configures, and the reader names pcscd gives them.
const SLOTS: [(u16, &str); 4] = [
    (35963, "Virtual PCD 00 00"),
    (35964, "Virtual PCD 00 01"),
    (35965, "Virtual PCD B 00 00"),
    (35966, "Virtual PCD B 00 01"),
];

/// How long pcscd may take to notice a card (measured: 7–500 ms).
const NOTICE: Duration = Duration::from_secs(10);

/// An exclusive vpcd reader slot, held until dropped.
pub struct VirtualReader {
    port: u16,
    name: &'static str,
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
        for (port, name) in SLOTS {
            let f = open(port);
            if f.try_lock().is_ok() {
                return VirtualReader {
                    port,
                    name,
                    _lock: f,
                };
            }
        }
        let (port, name) = SLOTS[std::process::id() as usize % SLOTS.len()];
        let f = open(port);
        f.lock().expect("slot lock");
        VirtualReader {
            port,
            name,
            _lock: f,
        }
    }

    pub fn name(&self) -> &str {
        self.name
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Puts `card` on the reader; returns once pcscd reports it present.
    pub fn insert<C: VirtualCard + 'static>(&self, card: C) -> Inserted<C> {
        let shared = Arc::new(Mutex::new(card));
        let handle = vpcd::attach(shared.clone(), self.port).expect("vpcd slot accepts a card");
        let desk = PcscDesk::establish().expect("pcscd is running");
        assert!(
            desk.wait_for_card(self.name, true, NOTICE)
                .expect("PC/SC status"),
            "pcscd never saw the card"
        );
        Inserted {
            card: shared,
            handle: Some(handle),
            reader: self.name,
        }
    }
}

/// A card on a reader. Dropping it removes the card.
pub struct Inserted<C: VirtualCard> {
    pub card: Arc<Mutex<C>>,
    handle: Option<VpcdHandle>,
    reader: &'static str,
}

impl<C: VirtualCard> Inserted<C> {
    /// Locks the card to read its state or set faults.
    pub fn card(&self) -> std::sync::MutexGuard<'_, C> {
        self.card.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes the card off; returns once pcscd reports the reader empty.
    pub fn remove(mut self) {
        self.take_off();
    }

    fn take_off(&mut self) {
        if let Some(h) = self.handle.take() {
            h.remove();
            if let Ok(desk) = PcscDesk::establish() {
                let _ = desk.wait_for_card(self.reader, false, NOTICE);
            }
        }
    }
}

impl<C: VirtualCard> Drop for Inserted<C> {
    fn drop(&mut self) {
        self.take_off();
    }
}

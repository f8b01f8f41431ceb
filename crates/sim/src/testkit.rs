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

/// The vpcd slots the harness configures: 8 entries of 2 slots from port
/// 35963, named "Virtual PCD <entry> 00 0<slot>" by pcscd.
const SLOT_COUNT: u16 = 16;

fn slot(i: u16) -> (u16, String) {
    (35963 + i, format!("Virtual PCD {} 00 0{}", i / 2, i % 2))
}

/// vpcd cannot take another card on a slot whose card vanished in the middle
/// of a connection; such a slot is marked and never handed out again.
fn poisoned_marker(port: u16) -> String {
    format!("/run/pcscd/slot-{port}.poisoned")
}

/// How long pcscd may take to notice a card (measured: 7–500 ms).
const NOTICE: Duration = Duration::from_secs(10);

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

    /// Puts `card` on the reader; returns once pcscd reports it present.
    pub fn insert<C: VirtualCard + 'static>(&self, card: C) -> Inserted<C> {
        let shared = Arc::new(Mutex::new(card));
        let handle = vpcd::attach(shared.clone(), self.port).expect("vpcd slot accepts a card");
        let desk = PcscDesk::establish().expect("pcscd is running");
        assert!(
            desk.wait_for_card(&self.name, true, NOTICE)
                .expect("PC/SC status"),
            "pcscd never saw the card"
        );
        Inserted {
            card: shared,
            handle: Some(handle),
            reader: self.name.clone(),
            port: self.port,
        }
    }
}

/// A card on a reader. Dropping it removes the card.
pub struct Inserted<C: VirtualCard> {
    pub card: Arc<Mutex<C>>,
    handle: Option<VpcdHandle>,
    reader: String,
    port: u16,
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
            if self.card().faults().link_cut {
                let _ = std::fs::write(poisoned_marker(self.port), b"");
            } else if let Ok(desk) = PcscDesk::establish() {
                let _ = desk.wait_for_card(&self.reader, false, NOTICE);
            }
        }
    }
}

impl<C: VirtualCard> Drop for Inserted<C> {
    fn drop(&mut self) {
        self.take_off();
    }
}

//! For tests that need a token on a real reader: put a virtual card on a
//! vpcd slot of the private pcscd and take it off, returning only once
//! pcscd has seen the change (waited for with PC/SC's own event, never a
//! sleep). Test-harness code only: it never goes into the app.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use oathdesk_device::pcsc::PcscService;
pub use oathdesk_sim::readers::VirtualReader;
use oathdesk_sim::readers::poisoned_marker;
use oathdesk_sim::token::VirtualCard;
use oathdesk_sim::vpcd::{self, VpcdHandle};

pub mod gpg;
pub mod leaks;
pub mod pskc;
// A private X server (Xvfb) and unix process groups.
#[cfg(unix)]
pub mod screen;

/// How long pcscd may take to notice a card (measured: 7–500 ms).
const NOTICE: Duration = Duration::from_secs(10);

/// Putting a card on a claimed reader.
pub trait Insert {
    /// Puts `card` on the reader; returns once pcscd reports it present.
    fn insert<C: VirtualCard + 'static>(&self, card: C) -> Inserted<C>;
}

impl Insert for VirtualReader {
    /// Puts `card` on the reader; returns once pcscd reports it present.
    fn insert<C: VirtualCard + 'static>(&self, card: C) -> Inserted<C> {
        let shared = Arc::new(Mutex::new(card));
        let handle = vpcd::attach(shared.clone(), self.port()).expect("vpcd slot accepts a card");
        let desk = PcscService::establish().expect("pcscd is running");
        assert!(
            desk.wait_for_card(self.name(), true, NOTICE)
                .expect("PC/SC status"),
            "pcscd never saw the card"
        );
        Inserted {
            card: shared,
            handle: Some(handle),
            reader: self.name().to_string(),
            port: self.port(),
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
            } else if let Ok(desk) = PcscService::establish() {
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

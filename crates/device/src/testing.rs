//! Unit-test transports: an in-process virtual card (the sim's, which
//! implements the vendors' rules on its own) behind a recorder, so a test
//! can say exactly which APDUs a session sent.

use std::cell::RefCell;
use std::rc::Rc;

use oathdesk_sim::token::VirtualCard;

use crate::transport::{Transport, TransportError};

/// Every APDU sent, in order.
pub type Log = Rc<RefCell<Vec<Vec<u8>>>>;

/// A card on a "reader": forwards each APDU and records it.
pub struct Recorder<C: VirtualCard> {
    pub card: C,
    pub log: Log,
}

impl<C: VirtualCard> Recorder<C> {
    pub fn new(mut card: C) -> Self {
        card.power_on();
        Recorder {
            card,
            log: Log::default(),
        }
    }

    /// A handle on the log that outlives moving the recorder into a session.
    pub fn log(&self) -> Log {
        self.log.clone()
    }
}

impl<C: VirtualCard> Transport for Recorder<C> {
    fn transmit_raw(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.log.borrow_mut().push(apdu.to_vec());
        Ok(self.card.transmit(apdu))
    }
}

/// The instruction bytes of the APDUs in `log`.
pub fn instructions(log: &Log) -> Vec<u8> {
    log.borrow().iter().map(|a| a[1]).collect()
}

/// A fixed host clock for burns.
pub fn clock() -> u32 {
    1_700_000_000
}

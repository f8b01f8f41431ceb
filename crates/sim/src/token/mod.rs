//! Virtual tokens: pure state machines (APDU in, APDU out) that behave like
//! the real ones on the wire, plus the faults tests need.

// The `oathdesk-sim token` command: its control channel is a unix socket
// and it runs until SIGINT/SIGTERM, for the Linux test harness (pcscd + vpcd).
#[cfg(unix)]
pub mod cli;
mod clock;
mod command;
mod faults;
pub mod molto2;
pub mod pinplus;
pub mod sm4;
pub mod token2;
pub mod ykoath;

pub use clock::TokenClock;
pub use faults::Faults;
pub use molto2::Molto2Card;
pub use pinplus::PinPlusCard;
pub use token2::{Token2Card, Token2Model};
pub use ykoath::YkOathCard;

/// A smart card as vpcd sees it.
pub trait VirtualCard: Send {
    /// Answer-to-reset.
    fn atr(&self) -> Vec<u8> {
        ATR_T1.to_vec()
    }
    /// Power (or reset) ends any authenticated session.
    fn power_on(&mut self);
    fn power_off(&mut self) {
        self.power_on();
    }
    /// Handles one command APDU; returns the response with its status word.
    fn transmit(&mut self, apdu: &[u8]) -> Vec<u8>;
    /// The fault switches a test has set on this card.
    fn faults(&mut self) -> &mut Faults;
    /// What a test may read: display code, clock, seed hash, settings.
    fn state(&self) -> serde_json::Value;
    /// A press of the device's button (▲ on a Molto2); false if nothing
    /// waited for it or the device has no button.
    fn press_button(&mut self) -> bool {
        false
    }
}

/// A minimal valid ATR announcing T=1.
pub const ATR_T1: [u8; 5] = [0x3B, 0x80, 0x80, 0x01, 0x01];

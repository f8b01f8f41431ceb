//! What an operator gives a Molto2, checked when it is made: a slot, a
//! title, a customer key and the settings. A value of these types is one
//! the device can take, so the session never truncates or substitutes.

use std::fmt;

use oathdesk_otp::CodeParams;
use zeroize::Zeroizing;

use crate::error::DeviceError;
use crate::wire::{Digits, DisplayTimeout, HashAlgorithm, TimeStep};

/// The Molto2v2's profile slots (0..=99).
pub const SLOTS: u8 = 100;
/// The most bytes a slot's title holds.
pub const MAX_TITLE_BYTES: usize = 12;
const FACTORY_KEY: &[u8; 16] = b"TOKEN2MOLTO1-KEY";

/// A profile slot index the device has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Slot(u8);

impl Slot {
    pub fn new(index: u8) -> Result<Slot, DeviceError> {
        if index < SLOTS {
            Ok(Slot(index))
        } else {
            Err(DeviceError::bad_input(format!(
                "a Molto2 has slots 0-{}, not {index}",
                SLOTS - 1
            )))
        }
    }

    pub fn index(self) -> u8 {
        self.0
    }

    /// Every slot, in order.
    pub fn all() -> impl Iterator<Item = Slot> {
        (0..SLOTS).map(Slot)
    }
}

impl fmt::Display for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A slot title: 1 to 12 bytes of UTF-8, shown on the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title(String);

impl Title {
    pub fn new(text: &str) -> Result<Title, DeviceError> {
        let n = text.len();
        if n == 0 {
            return Err(DeviceError::bad_input(
                "a Molto2 title cannot be empty; leave the title out instead",
            ));
        }
        if n > MAX_TITLE_BYTES {
            return Err(DeviceError::bad_input(format!(
                "a Molto2 title holds at most {MAX_TITLE_BYTES} bytes; {text:?} is {n}"
            )));
        }
        Ok(Title(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The customer key the device derives its SM4 key from. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct CustomerKey(Zeroizing<[u8; 16]>);

impl CustomerKey {
    /// The key every Molto2 leaves the factory with.
    pub fn factory() -> CustomerKey {
        CustomerKey(Zeroizing::new(*FACTORY_KEY))
    }

    /// 16 printable ASCII characters, or 32 hex digits for 16 raw bytes
    /// (a trailing line ending, as files and terminals add, is dropped).
    /// The refusal never repeats the value.
    pub fn parse(text: &str) -> Result<CustomerKey, DeviceError> {
        let text = text.trim_end_matches(['\r', '\n']);
        let mut key = Zeroizing::new([0u8; 16]);
        let ascii = text.len() == 16 && text.bytes().all(|b| b.is_ascii_graphic() || b == b' ');
        if ascii {
            key.copy_from_slice(text.as_bytes());
            return Ok(CustomerKey(key));
        }
        if hex_into(text, &mut key) {
            return Ok(CustomerKey(key));
        }
        Err(DeviceError::bad_input(format!(
            "OATHDESK_CUSTOMER_KEY must be 16 ASCII characters or 32 hex digits; the one given has {} characters",
            text.chars().count()
        )))
    }

    pub fn is_factory(&self) -> bool {
        *self.0 == *FACTORY_KEY
    }

    pub(crate) fn bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

/// Decodes 32 hex digits into `out`; false on any other text.
fn hex_into(text: &str, out: &mut [u8; 16]) -> bool {
    let nibble = |b: u8| {
        char::from(b)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    if text.len() != 2 * out.len() {
        return false;
    }
    for (byte, pair) in out.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
        let (Some(hi), Some(lo)) = (nibble(pair[0]), nibble(pair[1])) else {
            return false;
        };
        *byte = hi << 4 | lo;
    }
    true
}

impl fmt::Debug for CustomerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let which = if self.is_factory() {
            "factory"
        } else {
            "custom"
        };
        write!(f, "CustomerKey({which})")
    }
}

/// A slot's settings as the device takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Molto2Settings {
    pub algorithm: HashAlgorithm,
    pub step: TimeStep,
    pub digits: Digits,
    pub display_timeout: DisplayTimeout,
}

impl Molto2Settings {
    /// SHA-1 or SHA-256, 30 or 60 s, 4, 6, 8 or 10 digits, a display that
    /// stays on 15, 30, 60 or 120 s; anything else is `BadInput`.
    pub fn new(params: &CodeParams, display_timeout_seconds: u64) -> Result<Self, DeviceError> {
        let bad = DeviceError::bad_input;
        let algorithm = HashAlgorithm::for_family(params.algorithm, "Molto2")?;
        let step = TimeStep::from_seconds(params.period).ok_or_else(|| {
            bad(format!(
                "a Molto2 changes codes every 30 or 60 seconds, not {}",
                params.period
            ))
        })?;
        let digits = Digits::from_count(params.digits).ok_or_else(|| {
            bad(format!(
                "a Molto2 shows 4, 6, 8 or 10 digits, not {}",
                params.digits
            ))
        })?;
        let display_timeout =
            DisplayTimeout::from_seconds(display_timeout_seconds).ok_or_else(|| {
                bad(format!(
                    "a Molto2's display stays on 15, 30, 60 or 120 seconds, not {display_timeout_seconds}"
                ))
            })?;
        Ok(Molto2Settings {
            algorithm,
            step,
            digits,
            display_timeout,
        })
    }

    /// The code parameters these settings make the slot show.
    pub fn params(&self) -> CodeParams {
        CodeParams {
            algorithm: self.algorithm.to_algorithm(),
            digits: self.digits.count(),
            period: self.step.seconds(),
        }
    }
}

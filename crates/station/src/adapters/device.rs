//! [`Readers`] over PC/SC and the device profiles: choose the reader,
//! identify the token's family, and hand the workflow a [`Token`] of that
//! family (one adapter per family, beside this file).

use oathdesk_device::identify::{Identified, identify};
use oathdesk_device::molto2::CustomerKey;
use oathdesk_device::pcsc::PcscService;
use oathdesk_device::profiles::{Family, Profile, Profiles};
use oathdesk_device::transport::Transport;
use oathdesk_device::{BurnStep, DeviceError, DeviceErrorKind, TokenState};
use zeroize::Zeroizing;

use super::{
    molto2::Molto2Token, oath_applet::OathApplet, pin_plus::PinPlusKey,
    single_profile::SingleProfileToken,
};
use crate::ports::{LabelKind, Reader, Readers, Token, TokenFacts, TokenFailure, TokenLimits};
use crate::workflow::progress::{ProgressExt, ProgressSink, Step};

/// The environment variable holding a Molto2 customer key (16 characters
/// or 32 hex digits); never an argument.
pub const CUSTOMER_KEY_ENV: &str = "OATHDESK_CUSTOMER_KEY";

/// The desk's PC/SC readers.
pub struct PcscReaders {
    pcsc: PcscService,
    profiles: Profiles,
    customer_key: Option<Zeroizing<String>>,
}

impl PcscReaders {
    /// Connects to the PC/SC service with the built-in device profiles and
    /// the customer key from `OATHDESK_CUSTOMER_KEY` (factory key without).
    pub fn connect() -> Result<Self, TokenFailure> {
        let pcsc = PcscService::establish()
            .map_err(|e| failure(DeviceError::new(TokenState::Untouched, e)))?;
        Ok(PcscReaders {
            pcsc,
            profiles: Profiles::builtin(),
            customer_key: customer_key_text(),
        })
    }

    pub fn pcsc(&self) -> &PcscService {
        &self.pcsc
    }

    /// `reader`, or the one reader with a token on it.
    fn choose(&self, reader: Option<&str>) -> Result<String, TokenFailure> {
        match reader {
            Some(r) => Ok(r.to_string()),
            None => choose_one(self.readers()?),
        }
    }
}

/// The one reader among `readers` with a token on it; none, or several
/// (named), is an error saying what to do.
pub(super) fn choose_one(
    readers: impl IntoIterator<Item = Reader>,
) -> Result<String, TokenFailure> {
    let with_token: Vec<String> = readers
        .into_iter()
        .filter(|r| r.token_present)
        .map(|r| r.name)
        .collect();
    match with_token.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(TokenFailure {
            state: TokenState::Untouched,
            message: "no token on any reader".into(),
            next_step: "Put the token on the reader, or plug the key in.".into(),
        }),
        many => Err(TokenFailure {
            state: TokenState::Untouched,
            message: format!("tokens are on {} readers ({})", many.len(), many.join(", ")),
            next_step: "Say which reader to use, or take the other tokens off.".into(),
        }),
    }
}

/// The customer key's text from the environment, kept zeroized.
pub fn customer_key_text() -> Option<Zeroizing<String>> {
    std::env::var(CUSTOMER_KEY_ENV).ok().map(Zeroizing::new)
}

impl Readers for PcscReaders {
    fn readers(&self) -> Result<Vec<Reader>, TokenFailure> {
        let readers = self
            .pcsc
            .readers()
            .map_err(|e| failure(DeviceError::new(TokenState::Untouched, e)))?;
        Ok(readers
            .into_iter()
            .map(|r| Reader {
                name: r.name,
                token_present: r.card_present,
            })
            .collect())
    }

    fn open(&self, reader: Option<&str>) -> Result<Box<dyn Token + '_>, TokenFailure> {
        let name = self.choose(reader)?;
        let transport = self
            .pcsc
            .connect(&name)
            .map_err(|e| failure(DeviceError::new(TokenState::Untouched, e)))?;
        open_token(
            name,
            transport,
            &self.profiles,
            self.customer_key.as_deref().map(|s| s.as_str()),
        )
    }
}

/// Identifies the token behind any transport (an in-process virtual card
/// in the training desk without pcscd) and opens it for a workflow as the
/// adapter of its family. `customer_key`: a Molto2's key as the operator
/// gave it (`None`: the factory key); a malformed key is an error only
/// when the token is a Molto2.
pub fn open_token<'a, T: Transport + 'a>(
    reader: String,
    transport: T,
    profiles: &Profiles,
    customer_key: Option<&str>,
) -> Result<Box<dyn Token + 'a>, TokenFailure> {
    let (key, key_error) = match customer_key.map(CustomerKey::parse) {
        None => (CustomerKey::factory(), None),
        Some(Ok(key)) => (key, None),
        Some(Err(e)) => (CustomerKey::factory(), Some(e)),
    };
    let token: Box<dyn Token + 'a> =
        match identify(&reader, transport, profiles, key).map_err(failure)? {
            Identified::SingleProfile(s) => {
                let profile = profiles.for_serial(&s.info().serial);
                let facts = facts(reader, &s.info().serial, profile, Family::Token2Single);
                let facts = TokenFacts {
                    clock_unix: Some(u64::from(s.info().clock)),
                    ..facts
                };
                Box::new(SingleProfileToken::new(s, facts))
            }
            Identified::Molto2(m) => {
                if let Some(e) = key_error {
                    return Err(failure(e));
                }
                let profile = profiles.for_family(Family::Token2Molto2);
                let facts = facts(reader, &m.info().serial, profile, Family::Token2Molto2);
                let facts = TokenFacts {
                    clock_unix: Some(u64::from(m.info().clock)),
                    ..facts
                };
                Box::new(Molto2Token::new(m, facts))
            }
            Identified::Ykoath(y) => {
                let profile = profiles.for_family(Family::Ykoath);
                let facts = facts(reader, y.device_id(), profile, Family::Ykoath);
                Box::new(OathApplet::new(y, facts))
            }
            Identified::Token2Otp { transport, serial } => {
                let profile = profiles.for_family(Family::Token2Otp);
                let facts = facts(reader, &serial, profile, Family::Token2Otp);
                Box::new(PinPlusKey::new(transport, facts))
            }
        };
    Ok(token)
}

/// What the workflows see of a token of `family` with `profile`.
fn facts(reader: String, serial: &str, profile: Option<&Profile>, family: Family) -> TokenFacts {
    TokenFacts {
        reader,
        family,
        serial: serial.to_string(),
        model: profile.map_or_else(|| "unknown model".into(), |p| p.name.clone()),
        manufacturer: profile.map_or_else(|| "unknown".into(), |p| p.manufacturer.clone()),
        clock_unix: None,
        clock_write_wipes_seed: profile.is_some_and(|p| p.clock_write_wipes_seed),
        writable: profile.is_some(),
        limits: profile.map_or_else(|| no_limits(family), |p| limits(p, family)),
    }
}

fn limits(p: &Profile, family: Family) -> TokenLimits {
    TokenLimits {
        algorithms: p.algorithms.clone(),
        periods: p.periods.clone(),
        digits: p.digits.clone(),
        max_seed_bytes: p.max_seed_bytes,
        display_timeouts: p.display_timeouts.clone(),
        slots: p.slots,
        max_label_bytes: p.max_label_bytes,
        has_clock: p.has_clock,
        ..no_limits(family)
    }
}

/// What a family's adapter can do, before the model's profile says how much.
fn no_limits(family: Family) -> TokenLimits {
    TokenLimits {
        algorithms: Vec::new(),
        periods: Vec::new(),
        digits: Vec::new(),
        max_seed_bytes: 0,
        display_timeouts: Vec::new(),
        slots: 0,
        numbered_slots: family == Family::Token2Molto2,
        label: match family {
            Family::Token2Single => LabelKind::None,
            Family::Token2Molto2 => LabelKind::Title,
            Family::Ykoath | Family::Token2Otp => LabelKind::Name,
        },
        max_label_bytes: 0,
        touch: matches!(family, Family::Ykoath | Family::Token2Otp),
        has_clock: !matches!(family, Family::Ykoath | Family::Token2Otp),
        clock_write_needs_settings: family == Family::Token2Single,
    }
}

/// A device error as the workflows report it.
pub(super) fn failure(e: DeviceError) -> TokenFailure {
    TokenFailure {
        state: e.state,
        next_step: e.next_step(),
        message: e.to_string(),
    }
}

/// Refuses input before anything is written.
pub(super) fn refused(message: String) -> TokenFailure {
    failure(DeviceError::new(
        TokenState::Untouched,
        DeviceErrorKind::BadInput(message),
    ))
}

/// The host clock for a clock write, as the token's u32 seconds.
pub(super) fn clock_now() -> u32 {
    u32::try_from(crate::clock::now_unix()).unwrap_or(u32::MAX)
}

/// Turns a device's burn steps into the workflow's step list: each step
/// starts when the device reaches it and is done when the next begins.
pub(super) struct BurnSteps<'a> {
    progress: &'a mut dyn ProgressSink,
    current: Option<Step>,
}

impl<'a> BurnSteps<'a> {
    pub(super) fn new(progress: &'a mut dyn ProgressSink) -> Self {
        BurnSteps {
            progress,
            current: None,
        }
    }

    pub(super) fn on(&mut self, s: BurnStep) {
        let step = match s {
            BurnStep::Authenticate => return,
            BurnStep::WriteSettingsAndClock => Step::SetClock,
            BurnStep::WriteSeed | BurnStep::WriteTitle => Step::WriteSeed,
        };
        if self.current == Some(step) {
            return;
        }
        if let Some(prev) = self.current.replace(step) {
            self.progress.done(prev, None);
        }
        self.progress.started(step);
    }

    /// Closes the step in progress with the burn's result.
    pub(super) fn finish<T>(self, result: &Result<T, DeviceError>) {
        match (result, self.current) {
            (Ok(_), Some(step)) => self.progress.done(step, None),
            (Err(e), Some(step)) => self.progress.failed(step, &e.to_string(), &e.next_step()),
            _ => {}
        }
    }
}

/// How long one wait on PC/SC lasts before the reader list itself is read
/// again (a new reader, or the service restarting).
const WATCH_WAIT: std::time::Duration = std::time::Duration::from_secs(2);
/// How long to wait before trying again while the PC/SC service is down.
const SERVICE_RETRY: std::time::Duration = std::time::Duration::from_secs(3);

/// Runs for ever, calling `changed` whenever a reader, or a token on one,
/// comes or goes: PC/SC's own events, the tokens themselves never polled.
pub fn watch_readers(mut changed: impl FnMut()) -> ! {
    loop {
        match PcscService::establish() {
            Ok(pcsc) => watch(&pcsc, &mut changed),
            Err(_) => std::thread::sleep(SERVICE_RETRY),
        }
    }
}

/// Follows one PC/SC context until it fails.
fn watch(pcsc: &PcscService, changed: &mut impl FnMut()) {
    let Ok(mut known) = pcsc.readers() else {
        return std::thread::sleep(SERVICE_RETRY);
    };
    loop {
        let Ok(now) = pcsc.wait_for_change(&known, WATCH_WAIT) else {
            return std::thread::sleep(SERVICE_RETRY);
        };
        if now != known {
            changed();
            known = now;
        }
    }
}

//! [`TokenDesk`] over PC/SC readers and the device profiles.

use oathdesk_device::profiles::Profiles;
use oathdesk_device::token2::BurnStep;
use oathdesk_device::transport::Transport;
use oathdesk_device::{Desk, DeviceError, OpenToken};
use oathdesk_otp::{CodeParams, Secret};

use crate::ports::{
    ReaderSlot, TokenDesk, TokenFacts, TokenFailure, TokenLimits, TokenSession, TokenState,
};
use crate::workflow::progress::{ProgressExt, ProgressSink, Step};

pub struct PcscTokenDesk {
    desk: Desk,
}

impl PcscTokenDesk {
    /// Connects to the PC/SC service with the built-in device profiles.
    pub fn connect() -> Result<Self, TokenFailure> {
        Ok(PcscTokenDesk {
            desk: Desk::new(Profiles::builtin()).map_err(failure)?,
        })
    }

    pub fn desk(&self) -> &Desk {
        &self.desk
    }
}

fn failure(e: DeviceError) -> TokenFailure {
    let state = match e.state {
        oathdesk_device::TokenState::Untouched => TokenState::Untouched,
        oathdesk_device::TokenState::ConfiguredNoSeed => TokenState::ConfiguredNoSeed,
        oathdesk_device::TokenState::SeedWritten => TokenState::SeedWritten,
        oathdesk_device::TokenState::Unknown => TokenState::Unknown,
    };
    TokenFailure {
        state,
        message: e.to_string(),
        next_step: e.next_step(),
    }
}

impl TokenDesk for PcscTokenDesk {
    fn readers(&self) -> Result<Vec<ReaderSlot>, TokenFailure> {
        let readers = self.desk.readers().map_err(failure)?;
        Ok(readers
            .into_iter()
            .map(|r| ReaderSlot {
                name: r.name,
                token_present: r.card_present,
            })
            .collect())
    }

    fn open(&self, reader: Option<&str>) -> Result<Box<dyn TokenSession + '_>, TokenFailure> {
        let token = self.desk.open(reader).map_err(failure)?;
        let facts = facts_of(&token);
        Ok(Box::new(DeviceSession { token, facts }))
    }
}

/// Identifies the token behind any transport (an in-process virtual card
/// in the training desk without pcscd) and opens it for a workflow.
pub fn open_token<'a, T: Transport + 'a>(
    reader: String,
    transport: T,
    profiles: &Profiles,
) -> Result<Box<dyn TokenSession + 'a>, TokenFailure> {
    let token = OpenToken::identify(reader, transport, profiles).map_err(failure)?;
    let facts = facts_of(&token);
    Ok(Box::new(DeviceSession { token, facts }))
}

fn facts_of<T: Transport>(t: &OpenToken<T>) -> TokenFacts {
    let p = t.profile.as_ref();
    TokenFacts {
        reader: t.reader.clone(),
        serial: t.serial().to_string(),
        model: t.model().to_string(),
        manufacturer: p.map_or_else(|| "unknown".into(), |p| p.manufacturer.clone()),
        clock_unix: Some(u64::from(t.clock())),
        clock_write_wipes_seed: p.is_some_and(|p| p.clock_write_wipes_seed),
        writable: p.is_some(),
        limits: TokenLimits {
            algorithms: p.map_or_else(Vec::new, |p| p.algorithms.clone()),
            periods: p.map_or_else(Vec::new, |p| p.periods.clone()),
            digits: p.map_or_else(Vec::new, |p| p.digits.clone()),
            max_seed_bytes: p.map_or(0, |p| p.max_seed_bytes),
            display_timeouts: p.map_or_else(Vec::new, |p| p.display_timeouts.clone()),
        },
    }
}

struct DeviceSession<T: Transport> {
    token: OpenToken<T>,
    facts: TokenFacts,
}

fn clock_now() -> u32 {
    crate::clock::now_unix() as u32
}

impl<T: Transport> TokenSession for DeviceSession<T> {
    fn facts(&self) -> &TokenFacts {
        &self.facts
    }

    fn burn(
        &mut self,
        secret: &Secret,
        params: &CodeParams,
        display_timeout: Option<u64>,
        progress: &mut dyn ProgressSink,
    ) -> Result<(), TokenFailure> {
        let mut current: Option<Step> = None;
        let mut on_step = |s: BurnStep| {
            let step = match s {
                BurnStep::Authenticate => return,
                BurnStep::WriteSettingsAndClock => Step::SetClock,
                BurnStep::WriteSeed => Step::WriteSeed,
            };
            if let Some(prev) = current.replace(step) {
                progress.done(prev, None);
            }
            progress.started(step);
        };
        // The clock is read just before the settings APDU, after authentication.
        let result = self
            .token
            .burn(secret, params, display_timeout, &clock_now, &mut on_step);
        match (&result, current) {
            (Ok(()), Some(step)) => progress.done(step, None),
            (Err(e), Some(step)) => progress.failed(step, &e.to_string(), &e.next_step()),
            _ => {}
        }
        self.facts.clock_unix = Some(u64::from(self.token.clock()));
        result.map_err(failure)
    }

    fn set_clock(&mut self, params: &CodeParams) -> Result<(), TokenFailure> {
        // Never accepts a seed wipe: re-seeding is a burn, decided upstream.
        let result = self.token.sync_clock(params, false, &clock_now);
        self.facts.clock_unix = Some(u64::from(self.token.clock()));
        result.map_err(failure)
    }
}

//! A single-profile token on a transport: burn (settings and clock first,
//! then the seed), set the clock. Tracks what the token holds so every
//! error can say it; refuses what the token cannot take before any APDU.

use oathdesk_otp::{CodeParams, Secret};

use super::FAMILY;
use super::codec::{self, Config, Info};
use crate::BurnStep;
use crate::error::{DeviceError, TokenState};
use crate::transport::{Transport, exchange};
use crate::wire::{DisplayTimeout, HashAlgorithm, TimeStep};

/// Settings for a burn or a clock write, as the token takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub algorithm: HashAlgorithm,
    pub step: TimeStep,
    pub display_timeout: DisplayTimeout,
}

impl Settings {
    /// SHA-1 or SHA-256, 30 or 60 s, 6 digits (fixed on these models), a
    /// display that stays on 15, 30, 60 or 120 s; anything else is
    /// `BadInput`.
    pub fn new(params: &CodeParams, display_timeout_seconds: u64) -> Result<Settings, DeviceError> {
        let algorithm = HashAlgorithm::for_family(params.algorithm, FAMILY)?;
        let step = TimeStep::from_seconds(params.period).ok_or_else(|| {
            DeviceError::bad_input(format!(
                "the {FAMILY} changes codes every 30 or 60 seconds, not {}",
                params.period
            ))
        })?;
        if params.digits != 6 {
            return Err(DeviceError::bad_input(format!(
                "the {FAMILY} shows 6 digits, not {}",
                params.digits
            )));
        }
        let display_timeout = DisplayTimeout::from_seconds(display_timeout_seconds)
            .ok_or_else(|| {
                DeviceError::bad_input(format!(
                    "the {FAMILY}'s display stays on 15, 30, 60 or 120 seconds, not {display_timeout_seconds}"
                ))
            })?;
        Ok(Settings {
            algorithm,
            step,
            display_timeout,
        })
    }

    /// The code parameters these settings make the token show.
    pub fn params(&self) -> CodeParams {
        CodeParams {
            algorithm: self.algorithm.to_algorithm(),
            digits: 6,
            period: self.step.seconds(),
        }
    }
}

pub struct Token2Session<T: Transport> {
    transport: T,
    info: Info,
}

/// Get-info (no authentication); also the first probe of [`crate::identify`].
pub(crate) fn read_info(transport: &mut dyn Transport) -> Result<Info, DeviceError> {
    let resp = exchange(transport, &codec::get_info())
        .map_err(DeviceError::reading(TokenState::Untouched))?;
    codec::parse_info(&resp).map_err(DeviceError::refused(TokenState::Untouched))
}

impl<T: Transport> Token2Session<T> {
    /// Reads the token's serial and clock (get-info, no authentication).
    pub fn open(mut transport: T) -> Result<Self, DeviceError> {
        let info = read_info(&mut transport)?;
        Ok(Token2Session::from_parts(transport, info))
    }

    /// A session on a token whose get-info was already read.
    pub(crate) fn from_parts(transport: T, info: Info) -> Self {
        Token2Session { transport, info }
    }

    pub fn info(&self) -> &Info {
        &self.info
    }

    fn authenticate(&mut self) -> Result<(), DeviceError> {
        let untouched = DeviceError::reading(TokenState::Untouched);
        let refused = DeviceError::refused(TokenState::Untouched);
        let resp = exchange(&mut self.transport, &codec::get_challenge()).map_err(&untouched)?;
        let challenge = codec::parse_challenge(&resp).map_err(&refused)?;
        let resp =
            exchange(&mut self.transport, &codec::authenticate(&challenge)).map_err(&untouched)?;
        codec::parse_ok(&resp).map_err(refused)
    }

    fn write_config(&mut self, s: &Settings, clock: u32) -> Result<(), DeviceError> {
        let apdu = codec::write_config(&Config {
            display_timeout: s.display_timeout,
            clock,
            algorithm: s.algorithm,
            step: s.step,
        })?;
        let resp = exchange(&mut self.transport, &apdu)
            .map_err(DeviceError::writing(TokenState::Untouched))?;
        codec::parse_ok(&resp).map_err(DeviceError::refused(TokenState::Untouched))?;
        self.info.clock = clock;
        Ok(())
    }

    /// Authenticates, writes settings with the clock, then the seed — in
    /// that order, because on most models a settings write clears the seed.
    /// `clock` is read just before the settings are sent. A seed the token
    /// cannot take is refused before anything is sent.
    pub fn burn(
        &mut self,
        secret: &Secret,
        settings: &Settings,
        clock: &dyn Fn() -> u32,
        on_step: &mut dyn FnMut(BurnStep),
    ) -> Result<(), DeviceError> {
        let seed = codec::write_seed(secret)?;
        on_step(BurnStep::Authenticate);
        self.authenticate()?;
        on_step(BurnStep::WriteSettingsAndClock);
        self.write_config(settings, clock())?;
        on_step(BurnStep::WriteSeed);
        let resp = exchange(&mut self.transport, &seed)
            .map_err(DeviceError::writing(TokenState::ConfiguredNoSeed))?;
        codec::parse_ok(&resp).map_err(DeviceError::refused(TokenState::ConfiguredNoSeed))
    }

    /// Writes settings and clock only. On restricted-sync models this wipes
    /// the seed: callers decide (see the device profile).
    pub fn set_clock(
        &mut self,
        settings: &Settings,
        clock: &dyn Fn() -> u32,
    ) -> Result<(), DeviceError> {
        self.authenticate()?;
        self.write_config(settings, clock())
    }
}

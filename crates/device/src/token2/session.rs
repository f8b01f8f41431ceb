//! A single-profile token on a transport: identify, burn (settings and clock
//! first, then the seed), set the clock. Tracks what the token holds so
//! every error can say it.

use oathdesk_otp::{Algorithm, Secret};

use super::codec::{self, Config, DisplayTimeout, Info};
use crate::error::{DeviceError, TokenState};
use crate::transport::{Transport, exchange};

/// Progress through a burn, for the GUI's step list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BurnStep {
    Authenticate,
    WriteSettingsAndClock,
    WriteSeed,
}

pub struct Token2Session<T: Transport> {
    transport: T,
    info: Info,
}

/// Settings for a burn or a clock write.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub algorithm: Algorithm,
    pub period: u8,
    pub display_timeout: DisplayTimeout,
}

impl<T: Transport> Token2Session<T> {
    /// Reads the token's serial and clock (get-info, no authentication).
    pub fn open(mut transport: T) -> Result<Self, DeviceError> {
        let resp = exchange(&mut transport, &codec::get_info())
            .map_err(DeviceError::reading(TokenState::Untouched))?;
        let info =
            codec::parse_info(&resp).map_err(|e| DeviceError::new(TokenState::Untouched, e))?;
        Ok(Token2Session { transport, info })
    }

    pub fn info(&self) -> &Info {
        &self.info
    }

    fn authenticate(&mut self) -> Result<(), DeviceError> {
        let untouched = DeviceError::reading(TokenState::Untouched);
        let resp = exchange(&mut self.transport, &codec::get_challenge()).map_err(&untouched)?;
        let challenge = codec::parse_challenge(&resp)
            .map_err(|e| DeviceError::new(TokenState::Untouched, e))?;
        let resp =
            exchange(&mut self.transport, &codec::authenticate(&challenge)).map_err(&untouched)?;
        codec::parse_ok(&resp).map_err(|e| DeviceError::new(TokenState::Untouched, e))
    }

    fn write_config(&mut self, s: &Settings, clock: u32) -> Result<(), DeviceError> {
        let config = Config {
            display_timeout: s.display_timeout,
            clock,
            algorithm: s.algorithm,
            period: s.period,
        };
        let resp = exchange(&mut self.transport, &codec::write_config(&config))
            .map_err(DeviceError::writing(TokenState::Untouched))?;
        codec::parse_ok(&resp).map_err(|e| DeviceError::new(TokenState::Untouched, e))?;
        self.info.clock = clock;
        Ok(())
    }

    /// Authenticates, writes settings with the clock, then the seed — in
    /// that order, because on most models a settings write clears the seed.
    /// `clock` is read just before the settings are sent.
    pub fn burn(
        &mut self,
        secret: &Secret,
        settings: &Settings,
        clock: &dyn Fn() -> u32,
        on_step: &mut dyn FnMut(BurnStep),
    ) -> Result<(), DeviceError> {
        on_step(BurnStep::Authenticate);
        self.authenticate()?;
        on_step(BurnStep::WriteSettingsAndClock);
        self.write_config(settings, clock())?;
        on_step(BurnStep::WriteSeed);
        let resp = exchange(&mut self.transport, &codec::write_seed(secret))
            .map_err(DeviceError::writing(TokenState::ConfiguredNoSeed))?;
        codec::parse_ok(&resp).map_err(|e| DeviceError::new(TokenState::ConfiguredNoSeed, e))
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

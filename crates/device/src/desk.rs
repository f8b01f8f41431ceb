//! The desk: readers, the token on one, and what may be done to it. Ties
//! the PC/SC transport, the protocol session and the model's profile
//! together, and refuses bad input before any write.

use oathdesk_otp::{CodeParams, Secret};

use crate::error::{DeviceError, DeviceErrorKind, TokenState};
use crate::pcsc::{PcscDesk, PcscTransport, ReaderInfo};
use crate::profiles::{Profile, Profiles};
use crate::token2::codec::DisplayTimeout;
use crate::token2::{BurnStep, Settings, Token2Session};
use crate::transport::{Transport, TransportError};

pub struct Desk {
    pcsc: PcscDesk,
    pub profiles: Profiles,
}

fn not_writable(why: String) -> DeviceError {
    DeviceError::new(TokenState::Untouched, DeviceErrorKind::NotWritable(why))
}

impl Desk {
    pub fn new(profiles: Profiles) -> Result<Desk, DeviceError> {
        let pcsc = PcscDesk::establish().map_err(|e| DeviceError::new(TokenState::Untouched, e))?;
        Ok(Desk { pcsc, profiles })
    }

    pub fn pcsc(&self) -> &PcscDesk {
        &self.pcsc
    }

    pub fn readers(&self) -> Result<Vec<ReaderInfo>, DeviceError> {
        self.pcsc
            .readers()
            .map_err(|e| DeviceError::new(TokenState::Untouched, e))
    }

    /// `reader`, or the one reader with a token on it.
    pub fn choose_reader(&self, reader: Option<&str>) -> Result<String, DeviceError> {
        if let Some(r) = reader {
            return Ok(r.to_string());
        }
        let with_card: Vec<String> = self
            .readers()?
            .into_iter()
            .filter(|r| r.card_present)
            .map(|r| r.name)
            .collect();
        match with_card.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(DeviceError::new(
                TokenState::Untouched,
                TransportError::Unavailable(
                    "no token on any reader: put the token on the reader".into(),
                ),
            )),
            many => Err(not_writable(format!(
                "tokens are on {} readers ({}): say which with --reader",
                many.len(),
                many.join(", ")
            ))),
        }
    }

    /// Connects to the token on `reader` and identifies it.
    pub fn open(&self, reader: Option<&str>) -> Result<OpenToken<PcscTransport>, DeviceError> {
        let name = self.choose_reader(reader)?;
        let transport = self
            .pcsc
            .connect(&name)
            .map_err(|e| DeviceError::new(TokenState::Untouched, e))?;
        OpenToken::identify(name, transport, &self.profiles)
    }
}

/// An identified token on a transport.
pub struct OpenToken<T: Transport> {
    pub reader: String,
    session: Token2Session<T>,
    pub profile: Option<Profile>,
}

impl<T: Transport> OpenToken<T> {
    pub fn identify(
        reader: String,
        transport: T,
        profiles: &Profiles,
    ) -> Result<Self, DeviceError> {
        let session = Token2Session::open(transport)?;
        let profile = profiles.for_serial(&session.info().serial).cloned();
        Ok(OpenToken {
            reader,
            session,
            profile,
        })
    }

    pub fn serial(&self) -> &str {
        &self.session.info().serial
    }

    /// The token's clock as read at identification (or last set).
    pub fn clock(&self) -> u32 {
        self.session.info().clock
    }

    pub fn model(&self) -> &str {
        self.profile
            .as_ref()
            .map_or("unknown model", |p| p.name.as_str())
    }

    fn writable_profile(&self) -> Result<&Profile, DeviceError> {
        self.profile.as_ref().ok_or_else(|| {
            not_writable(format!(
                "token {} is of an unknown model; OathDesk never writes to it",
                self.serial()
            ))
        })
    }

    fn settings(
        &self,
        params: &CodeParams,
        display_timeout: Option<u64>,
    ) -> Result<Settings, DeviceError> {
        let p = self.writable_profile()?;
        let secs = display_timeout.unwrap_or(30);
        let display_timeout = DisplayTimeout::from_seconds(secs)
            .filter(|_| p.display_timeouts.contains(&secs))
            .ok_or_else(|| {
                not_writable(format!(
                    "the {} display stays on for {:?} s, not {secs} s",
                    p.name, p.display_timeouts
                ))
            })?;
        Ok(Settings {
            algorithm: params.algorithm,
            period: params.period as u8,
            display_timeout,
        })
    }

    /// Burns `secret` with `params`: checked against the profile first,
    /// then settings and clock, then the seed.
    pub fn burn(
        &mut self,
        secret: &Secret,
        params: &CodeParams,
        display_timeout: Option<u64>,
        clock: &dyn Fn() -> u32,
        on_step: &mut dyn FnMut(BurnStep),
    ) -> Result<(), DeviceError> {
        let p = self.writable_profile()?;
        p.check(params, secret.len())
            .map_err(|e| not_writable(e.to_string()))?;
        let settings = self.settings(params, display_timeout)?;
        self.session.burn(secret, &settings, clock, on_step)
    }

    /// Sets the clock. On a model whose clock write wipes the seed it
    /// refuses unless `accept_seed_wipe`.
    pub fn sync_clock(
        &mut self,
        params: &CodeParams,
        accept_seed_wipe: bool,
        clock: &dyn Fn() -> u32,
    ) -> Result<(), DeviceError> {
        let p = self.writable_profile()?;
        if p.clock_write_wipes_seed && !accept_seed_wipe {
            return Err(not_writable(format!(
                "on the {} a clock write wipes the seed; re-seed the token instead, or accept the wipe explicitly",
                p.name
            )));
        }
        p.check(params, 1)
            .map_err(|e| not_writable(e.to_string()))?;
        let settings = self.settings(params, None)?;
        self.session.set_clock(&settings, clock)
    }
}

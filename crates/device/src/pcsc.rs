//! PC/SC: the desk's readers and the tokens on them, through the system's
//! PC/SC service (pcscd on Linux) and the real `pcsc` crate.

use std::ffi::{CStr, CString};
use std::sync::Mutex;
use std::time::Duration;

use pcsc::{Card, Context, Error, Protocols, ReaderState, Scope, ShareMode, State};

use crate::transport::{Transport, TransportError};

/// pcsc-lite's limit on reader states in one status-change call.
const MAX_WATCHED: usize = 16;

/// A reader and whether a token is on it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReaderInfo {
    pub name: String,
    pub card_present: bool,
}

/// The PC/SC readers. Re-establishes its context when the service was
/// restarted (`NoService`), which an old context reports only on use.
pub struct PcscService {
    ctx: Mutex<Context>,
}

/// PC/SC's failures before anything reached a token; a stopped service is
/// told apart, since its fix is the OS's (see [`crate::platform`]).
fn unavailable(e: Error) -> TransportError {
    match e {
        Error::NoService | Error::ServiceStopped => {
            TransportError::NoService(format!("PC/SC: {e}"))
        }
        other => TransportError::Unavailable(format!("PC/SC: {other}")),
    }
}

fn link(e: Error) -> TransportError {
    match e {
        Error::RemovedCard
        | Error::ResetCard
        | Error::NoSmartcard
        | Error::UnpoweredCard
        | Error::UnresponsiveCard
        | Error::CommError
        | Error::ReaderUnavailable
        | Error::NotTransacted => TransportError::LinkLost(format!("{e}")),
        other => unavailable(other),
    }
}

impl PcscService {
    pub fn establish() -> Result<Self, TransportError> {
        let ctx = Context::establish(Scope::User).map_err(unavailable)?;
        Ok(PcscService {
            ctx: Mutex::new(ctx),
        })
    }

    /// Runs `f` with the context, re-establishing it once if the service
    /// was restarted under us.
    /// The lock is not held during `f`, so a blocking wait on one thread
    /// does not stall a listing on another.
    fn with_context<T>(&self, mut f: impl FnMut(&Context) -> Result<T, Error>) -> Result<T, Error> {
        let ctx = self.ctx.lock().unwrap_or_else(|p| p.into_inner()).clone();
        match f(&ctx) {
            Err(Error::NoService | Error::ServiceStopped | Error::InvalidHandle) => {
                let fresh = Context::establish(Scope::User)?;
                *self.ctx.lock().unwrap_or_else(|p| p.into_inner()) = fresh.clone();
                f(&fresh)
            }
            other => other,
        }
    }

    fn reader_names(&self) -> Result<Vec<CString>, TransportError> {
        match self.with_context(|c| c.list_readers_owned()) {
            Ok(names) => Ok(names),
            Err(Error::NoReadersAvailable) => Ok(Vec::new()),
            Err(e) => Err(unavailable(e)),
        }
    }

    /// Every reader and whether a card is present on it.
    pub fn readers(&self) -> Result<Vec<ReaderInfo>, TransportError> {
        let names = self.reader_names()?;
        let mut states: Vec<ReaderState> = names
            .iter()
            .map(|n| ReaderState::new(n.clone(), State::UNAWARE))
            .collect();
        if !states.is_empty() {
            self.with_context(|c| c.get_status_change(Duration::ZERO, &mut states))
                .map_err(unavailable)?;
        }
        Ok(states.iter().map(describe).collect())
    }

    /// Blocks until a card is inserted or removed on any reader, or
    /// `timeout` passes; returns the readers as they are then. Waits on
    /// PC/SC's own event, never a polling sleep.
    pub fn wait_for_change(
        &self,
        known: &[ReaderInfo],
        timeout: Duration,
    ) -> Result<Vec<ReaderInfo>, TransportError> {
        let names = self.reader_names()?;
        let mut states: Vec<ReaderState> = names
            .iter()
            .map(|n| {
                let name = n.to_string_lossy();
                let present = known
                    .iter()
                    .find(|k| k.name == name)
                    .map(|k| k.card_present);
                let state = match present {
                    Some(true) => State::PRESENT,
                    Some(false) => State::EMPTY,
                    None => State::UNAWARE,
                };
                ReaderState::new(n.clone(), state)
            })
            .collect();
        // pcsc-lite watches at most 16 entries; the reader-hotplug entry
        // only fits when there is room for it.
        let watch_hotplug = states.len() < MAX_WATCHED;
        if watch_hotplug {
            states.push(ReaderState::new(pcsc::PNP_NOTIFICATION(), State::UNAWARE));
        }
        match self.with_context(|c| c.get_status_change(timeout, &mut states)) {
            Ok(()) | Err(Error::Timeout) => {}
            Err(e) => return Err(unavailable(e)),
        }
        if watch_hotplug {
            states.pop();
        }
        Ok(states.iter().map(describe).collect())
    }

    /// Blocks until `reader` has a card (`true`) or none (`false`).
    pub fn wait_for_card(
        &self,
        reader: &str,
        present: bool,
        timeout: Duration,
    ) -> Result<bool, TransportError> {
        let name = CString::new(reader)
            .map_err(|_| TransportError::Unavailable("bad reader name".into()))?;
        let mut states = [ReaderState::new(name, State::UNAWARE)];
        loop {
            match self.with_context(|c| c.get_status_change(timeout, &mut states)) {
                Ok(()) => {}
                Err(Error::Timeout) => return Ok(false),
                Err(e) => return Err(unavailable(e)),
            }
            let now = states[0].event_state().contains(State::PRESENT);
            if now == present {
                return Ok(true);
            }
            states[0].sync_current_state();
        }
    }

    /// Connects to the token on `reader`.
    pub fn connect(&self, reader: &str) -> Result<PcscTransport, TransportError> {
        let name = CString::new(reader)
            .map_err(|_| TransportError::Unavailable("bad reader name".into()))?;
        let card = self
            .with_context(|c| c.connect(&name, ShareMode::Exclusive, Protocols::ANY))
            .map_err(|e| match e {
                Error::NoSmartcard | Error::RemovedCard => {
                    TransportError::Unavailable(format!("no token on {reader}"))
                }
                Error::SharingViolation => TransportError::Held(format!("{reader}: {e}")),
                other => link(other),
            })?;
        Ok(PcscTransport { card })
    }
}

fn describe(s: &ReaderState) -> ReaderInfo {
    let name: &CStr = s.name();
    ReaderInfo {
        name: name.to_string_lossy().into_owned(),
        card_present: s.event_state().contains(State::PRESENT),
    }
}

/// A connected token.
pub struct PcscTransport {
    card: Card,
}

impl PcscTransport {
    /// The card's answer-to-reset (vpcd answers through `status2`, not the
    /// ATR attribute).
    pub fn atr(&self) -> Option<Vec<u8>> {
        self.card.status2_owned().ok().map(|s| s.atr().to_vec())
    }
}

impl Transport for PcscTransport {
    fn transmit_raw(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        let mut buf = [0u8; pcsc::MAX_BUFFER_SIZE_EXTENDED];
        self.card
            .transmit(apdu, &mut buf)
            .map(<[u8]>::to_vec)
            .map_err(link)
    }
}

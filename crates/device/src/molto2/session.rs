//! A Molto2 on a transport: read slots without a key; burn, set the clock,
//! delete a seed and change the customer key after authenticating with it.
//! Every check runs before the first APDU; every error says what the
//! slot holds.

use oathdesk_otp::Secret;

use super::codec::{self, SlotInfo};
use super::input::{CustomerKey, Molto2Settings, Slot, Title};
use crate::BurnStep;
use crate::apdu::Response;
use crate::error::{DeviceError, DeviceErrorKind, TokenState};
use crate::token2::codec::{self as t2, Info};
use crate::token2::crypto::Key;
use crate::transport::{Transport, exchange};

/// A Molto2 on a transport. It authenticates with its customer key only
/// when a command needs it, so reading slots never spends a try.
pub struct Molto2Session<T: Transport> {
    transport: T,
    customer_key: CustomerKey,
    key: Key,
    info: Info,
}

impl<T: Transport> Molto2Session<T> {
    /// Reads the device's serial and clock (no authentication).
    pub fn open(mut transport: T, key: CustomerKey) -> Result<Self, DeviceError> {
        let resp = exchange(&mut transport, &codec::get_info())
            .map_err(DeviceError::reading(TokenState::Untouched))?;
        let info = t2::parse_info(&resp).map_err(DeviceError::refused(TokenState::Untouched))?;
        Ok(Molto2Session::from_parts(transport, key, info))
    }

    /// A session on a device whose serial and clock were already read.
    pub(crate) fn from_parts(transport: T, key: CustomerKey, info: Info) -> Self {
        Molto2Session {
            transport,
            key: codec::sm4_key(&key),
            customer_key: key,
            info,
        }
    }

    pub fn info(&self) -> &Info {
        &self.info
    }

    /// Whether this session authenticates with the factory key (the
    /// caller decides whether and when to warn).
    pub fn uses_factory_key(&self) -> bool {
        self.customer_key.is_factory()
    }

    fn send(&mut self, apdu: &[u8], before: TokenState) -> Result<Response, DeviceError> {
        exchange(&mut self.transport, apdu).map_err(DeviceError::writing(before))
    }

    /// Sends a write and maps a refusal to `before` (it did not land).
    fn write(
        &mut self,
        apdu: &[u8],
        before: TokenState,
        parse: fn(&Response) -> Result<(), t2::Token2Error>,
    ) -> Result<(), DeviceError> {
        let resp = self.send(apdu, before)?;
        parse(&resp).map_err(DeviceError::refused(before))
    }

    pub fn slot_info(&mut self, slot: Slot) -> Result<SlotInfo, DeviceError> {
        let resp = exchange(&mut self.transport, &codec::public_data(slot))
            .map_err(DeviceError::reading(TokenState::Untouched))?;
        codec::parse_public_data(&resp, slot).map_err(DeviceError::refused(TokenState::Untouched))
    }

    /// Every slot's public data, in order.
    pub fn slots(&mut self) -> Result<Vec<SlotInfo>, DeviceError> {
        Slot::all().map(|s| self.slot_info(s)).collect()
    }

    /// Challenge-response with the derived key; a refusal reports the tries left.
    fn authenticate(&mut self) -> Result<(), DeviceError> {
        let read = DeviceError::reading(TokenState::Untouched);
        let resp = exchange(&mut self.transport, &t2::get_challenge()).map_err(&read)?;
        let challenge =
            t2::parse_challenge(&resp).map_err(DeviceError::refused(TokenState::Untouched))?;
        let answer = t2::authenticate_with(&self.key, &challenge);
        let resp = exchange(&mut self.transport, &answer).map_err(&read)?;
        codec::check_auth(&resp).map_err(|k| DeviceError::new(TokenState::Untouched, k))
    }

    /// Burns `slot`: settings with the clock, the seed, then the title.
    /// Refuses a seed the device cannot take before any APDU, and a slot
    /// that already holds a seed (as Token2's own tool does) before any
    /// write. `clock` is read just before the settings are sent.
    pub fn burn(
        &mut self,
        slot: Slot,
        secret: &Secret,
        settings: &Molto2Settings,
        title: Option<&Title>,
        clock: &dyn Fn() -> u32,
        on_step: &mut dyn FnMut(BurnStep),
    ) -> Result<(), DeviceError> {
        let seed = codec::write_seed(&self.key, slot, secret)?;
        let title = title
            .map(|t| codec::write_title(&self.key, slot, t))
            .transpose()?;
        if self.slot_info(slot)?.seed_present {
            return Err(DeviceError::new(
                TokenState::Untouched,
                DeviceErrorKind::SlotInUse { slot: slot.index() },
            ));
        }
        on_step(BurnStep::Authenticate);
        self.authenticate()?;
        on_step(BurnStep::WriteSettingsAndClock);
        let now = clock();
        let config = codec::write_config(&self.key, slot, settings, now)?;
        self.write(&config, TokenState::Untouched, t2::parse_ok)?;
        self.info.clock = now;
        on_step(BurnStep::WriteSeed);
        self.write(&seed, TokenState::ConfiguredNoSeed, t2::parse_ok)?;
        if let Some(title) = title {
            on_step(BurnStep::WriteTitle);
            self.write(&title, TokenState::SeedWritten, t2::parse_ok)?;
        }
        Ok(())
    }

    /// Sets the device clock through `slot` with the clock-only TLV: the
    /// slot's settings and seed stay as they are.
    pub fn set_clock(&mut self, slot: Slot, clock: &dyn Fn() -> u32) -> Result<(), DeviceError> {
        self.authenticate()?;
        let now = clock();
        let apdu = codec::write_clock(&self.key, slot, now)?;
        self.write(&apdu, TokenState::Untouched, t2::parse_ok)?;
        self.info.clock = now;
        Ok(())
    }

    /// Deletes the seed of `slot` (its title and settings stay); a slot
    /// already empty is not an error.
    pub fn delete_seed(&mut self, slot: Slot) -> Result<(), DeviceError> {
        self.authenticate()?;
        self.write(
            &codec::delete_seed(slot),
            TokenState::Untouched,
            codec::parse_delete,
        )
    }

    /// Asks for a new customer key. The device commits it only when ▲ is
    /// pressed; this session keeps the old key, so open a new one with
    /// `new_key` afterwards.
    pub fn set_customer_key(&mut self, new_key: &CustomerKey) -> Result<(), DeviceError> {
        self.authenticate()?;
        let apdu = codec::change_key(&self.key, new_key)?;
        self.write(&apdu, TokenState::Untouched, codec::parse_pending)
    }
}

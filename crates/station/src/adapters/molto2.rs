//! Token2's Molto2 as a [`Token`]: 100 numbered slots, each with its own
//! seed, settings and title; a clock write sets the time only, so the
//! settings stay as they are. Slots are read from the device's public data.

use oathdesk_device::molto2::{Molto2Session, Molto2Settings, Slot as SlotNumber, Title};
use oathdesk_device::transport::Transport;
use oathdesk_otp::Secret;

use super::device::{BurnSteps, clock_now, failure, refused};
use crate::ports::{Burnt, Placement, Slot, Token, TokenFacts, TokenFailure, TokenSettings};
use crate::workflow::ProgressSink;

/// What the operator is told while the factory key still opens a Molto2.
pub const FACTORY_KEY_WARNING: &str = "This Molto2 still uses the factory customer key, so anyone can reprogram it: \
     set your own key with Token2's tool and give it to OathDesk in OATHDESK_CUSTOMER_KEY.";

pub(super) struct Molto2Token<T: Transport> {
    session: Molto2Session<T>,
    facts: TokenFacts,
}

impl<T: Transport> Molto2Token<T> {
    pub(super) fn new(session: Molto2Session<T>, facts: TokenFacts) -> Self {
        Molto2Token { session, facts }
    }

    /// The numbered slot `place` names: the burn workflow has chosen one
    /// (the first free one when the operator did not), so none is a mistake.
    fn chosen(slot: Option<u8>, to: &str) -> Result<SlotNumber, TokenFailure> {
        let n = slot.ok_or_else(|| refused(format!("say which Molto2 slot to {to}")))?;
        SlotNumber::new(n).map_err(failure)
    }

    /// The warning owed once the device has accepted the factory key.
    fn warnings(&self) -> Vec<String> {
        if self.session.uses_factory_key() {
            vec![FACTORY_KEY_WARNING.to_string()]
        } else {
            Vec::new()
        }
    }
}

impl<T: Transport> Token for Molto2Token<T> {
    fn facts(&self) -> &TokenFacts {
        &self.facts
    }

    fn slots(&mut self) -> Result<Vec<Slot>, TokenFailure> {
        let slots = self.session.slots().map_err(failure)?;
        Ok(slots
            .into_iter()
            .map(|s| Slot {
                index: Some(s.slot.index()),
                label: None,
                used: Some(s.seed_present),
                params: s.params,
            })
            .collect())
    }

    fn burn(
        &mut self,
        secret: &Secret,
        settings: &TokenSettings,
        place: &Placement,
        progress: &mut dyn ProgressSink,
    ) -> Result<Burnt, TokenFailure> {
        self.facts
            .limits
            .check_place(&self.facts.model, place)
            .map_err(refused)?;
        let title = place
            .label
            .as_deref()
            .map(Title::new)
            .transpose()
            .map_err(failure)?;
        let wire =
            Molto2Settings::new(&settings.params, settings.display_timeout).map_err(failure)?;
        let slot = Self::chosen(place.slot, "burn")?;
        if place.replace && self.session.slot_info(slot).map_err(failure)?.seed_present {
            self.session.delete_seed(slot).map_err(failure)?;
        }
        let mut steps = BurnSteps::new(progress);
        let result = self
            .session
            .burn(slot, secret, &wire, title.as_ref(), &clock_now, &mut |s| {
                steps.on(s)
            });
        steps.finish(&result);
        self.facts.clock_unix = Some(u64::from(self.session.info().clock));
        result.map_err(failure)?;
        Ok(Burnt {
            slot: Some(slot.index()),
            label: title.map(|t| t.as_str().to_string()),
            directory_serial: self.facts.directory_serial(Some(slot.index())),
            warnings: self.warnings(),
        })
    }

    /// Sets the time of `slot`, or of every slot holding a seed; the
    /// Molto2 takes a clock-only write, so nothing else changes.
    fn set_clock(
        &mut self,
        _settings: Option<&TokenSettings>,
        slot: Option<u8>,
    ) -> Result<Vec<String>, TokenFailure> {
        let mut targets: Vec<SlotNumber> = match slot {
            Some(n) => vec![SlotNumber::new(n).map_err(failure)?],
            None => self
                .session
                .slots()
                .map_err(failure)?
                .into_iter()
                .filter(|s| s.seed_present)
                .map(|s| s.slot)
                .collect(),
        };
        if targets.is_empty() {
            // A blank device still keeps time: set it through the first slot.
            targets.push(SlotNumber::new(0).map_err(failure)?);
        }
        for t in targets {
            self.session.set_clock(t, &clock_now).map_err(failure)?;
        }
        self.facts.clock_unix = Some(u64::from(self.session.info().clock));
        Ok(self.warnings())
    }

    fn delete(&mut self, place: &Placement) -> Result<(), TokenFailure> {
        let slot = Self::chosen(place.slot, "delete")?;
        self.session.delete_seed(slot).map_err(failure)
    }
}

//! Token2's single-profile programmable tokens as a [`Token`]: one seed,
//! settings written with every clock write (they cannot be read back, so
//! the caller must say what the token holds).

use oathdesk_device::token2::{Settings, Token2Session};
use oathdesk_device::transport::Transport;
use oathdesk_otp::Secret;

use super::device::{BurnSteps, clock_now, failure, refused};
use crate::ports::{Burnt, Placement, Slot, Token, TokenFacts, TokenFailure, TokenSettings};
use crate::workflow::ProgressSink;

pub(super) struct SingleProfileToken<T: Transport> {
    session: Token2Session<T>,
    facts: TokenFacts,
}

impl<T: Transport> SingleProfileToken<T> {
    pub(super) fn new(session: Token2Session<T>, facts: TokenFacts) -> Self {
        SingleProfileToken { session, facts }
    }

    fn settings(&self, s: &TokenSettings) -> Result<Settings, TokenFailure> {
        if !self
            .facts
            .limits
            .display_timeouts
            .contains(&s.display_timeout)
        {
            return Err(refused(format!(
                "the {} display stays on for {:?} s, not {} s",
                self.facts.model, self.facts.limits.display_timeouts, s.display_timeout
            )));
        }
        Settings::new(&s.params, s.display_timeout).map_err(failure)
    }
}

impl<T: Transport> Token for SingleProfileToken<T> {
    fn facts(&self) -> &TokenFacts {
        &self.facts
    }

    /// One seed, whose presence and settings cannot be read back.
    fn slots(&mut self) -> Result<Vec<Slot>, TokenFailure> {
        Ok(vec![Slot {
            index: None,
            label: None,
            used: None,
            params: None,
        }])
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
        let settings = self.settings(settings)?;
        let mut steps = BurnSteps::new(progress);
        let result = self
            .session
            .burn(secret, &settings, &clock_now, &mut |s| steps.on(s));
        steps.finish(&result);
        self.facts.clock_unix = Some(u64::from(self.session.info().clock));
        result.map_err(failure)?;
        Ok(Burnt {
            slot: None,
            label: None,
            directory_serial: self.facts.directory_serial(None),
            warnings: Vec::new(),
        })
    }

    fn set_clock(
        &mut self,
        settings: Option<&TokenSettings>,
        slot: Option<u8>,
    ) -> Result<Vec<String>, TokenFailure> {
        let model = &self.facts.model;
        if slot.is_some() {
            return Err(refused(format!("the {model} has no numbered slots")));
        }
        if self.facts.clock_write_wipes_seed {
            return Err(refused(format!(
                "on the {model} a clock write wipes the seed; re-seed the token instead"
            )));
        }
        let Some(settings) = settings else {
            return Err(refused(format!(
                "the {model} takes its settings with every clock write and cannot report them: \
                 say which algorithm, period and display timeout it was burnt with"
            )));
        };
        let settings = self.settings(settings)?;
        let result = self.session.set_clock(&settings, &clock_now);
        self.facts.clock_unix = Some(u64::from(self.session.info().clock));
        result.map_err(failure)?;
        Ok(Vec::new())
    }

    fn delete(&mut self, _place: &Placement) -> Result<(), TokenFailure> {
        Err(refused(format!(
            "the {} cannot delete its seed: burn a new one over it",
            self.facts.model
        )))
    }
}

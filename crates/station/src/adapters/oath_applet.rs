//! A YubiKey-style OATH applet (YKOATH) as a [`Token`]: named credentials,
//! no clock of its own (each code is computed at the host's time), so a
//! burn writes only the credential and there is never a clock to set.

use oathdesk_device::transport::Transport;
use oathdesk_device::ykoath::{CredentialName, YkOathSession};
use oathdesk_otp::{OtpKind, Secret};

use super::device::{failure, refused};
use crate::ports::{Burnt, Placement, Slot, Token, TokenFacts, TokenFailure, TokenSettings};
use crate::workflow::ProgressSink;
use crate::workflow::progress::{ProgressExt, Step};

pub(super) struct OathApplet<T: Transport> {
    session: YkOathSession<T>,
    facts: TokenFacts,
}

impl<T: Transport> OathApplet<T> {
    pub(super) fn new(session: YkOathSession<T>, facts: TokenFacts) -> Self {
        OathApplet { session, facts }
    }
}

impl<T: Transport> Token for OathApplet<T> {
    fn facts(&self) -> &TokenFacts {
        &self.facts
    }

    fn slots(&mut self) -> Result<Vec<Slot>, TokenFailure> {
        let credentials = self.session.list().map_err(failure)?;
        Ok(credentials
            .into_iter()
            .map(|c| Slot {
                index: None,
                label: Some(c.name.as_str().to_string()),
                used: Some(true),
                params: None,
            })
            .collect())
    }

    /// Stores a new credential; one of the same name is never replaced
    /// (delete it first), as overwriting would lose someone's sign-in.
    fn burn(
        &mut self,
        secret: &Secret,
        settings: &TokenSettings,
        place: &Placement,
        progress: &mut dyn ProgressSink,
    ) -> Result<Burnt, TokenFailure> {
        let limits = &self.facts.limits;
        limits
            .check_place(&self.facts.model, place)
            .map_err(refused)?;
        let label = place.label.as_deref().unwrap_or_default();
        let name = CredentialName::new(settings.params.period, label).map_err(failure)?;
        let taken = self.session.list().map_err(failure)?;
        if !place.replace && taken.iter().any(|c| c.name.as_str() == name.as_str()) {
            return Err(refused(format!(
                "a credential named \"{}\" is already on this key: choose another name, or delete that one first",
                name.as_str()
            )));
        }
        let replacing = taken.iter().any(|c| c.name.as_str() == name.as_str());
        if !replacing && taken.len() >= limits.slots as usize {
            return Err(refused(format!(
                "this key holds {} credentials, its most: delete one first",
                taken.len()
            )));
        }
        progress.started(Step::WriteSeed);
        let result = self
            .session
            .put(&name, secret, OtpKind::Totp, &settings.params, place.touch);
        if let Err(e) = &result {
            progress.failed(Step::WriteSeed, &e.to_string(), &e.next_step());
        }
        result.map_err(failure)?;
        progress.done(
            Step::WriteSeed,
            Some(format!("credential {}", name.as_str())),
        );
        Ok(Burnt {
            slot: None,
            label: Some(name.as_str().to_string()),
            directory_serial: self.facts.directory_serial(None),
            warnings: Vec::new(),
        })
    }

    fn set_clock(
        &mut self,
        _settings: Option<&TokenSettings>,
        _slot: Option<u8>,
    ) -> Result<Vec<String>, TokenFailure> {
        Err(refused(
            "an OATH applet has no clock: it computes each code at the host's time, so there is nothing to set"
                .into(),
        ))
    }

    /// Deletes the credential named in `place` (its full name, as listed).
    fn delete(&mut self, place: &Placement) -> Result<(), TokenFailure> {
        let Some(name) = place.label.as_deref() else {
            return Err(refused("say which credential to delete".into()));
        };
        let name = CredentialName::parse(name).map_err(failure)?;
        self.session.delete(&name).map_err(failure)
    }
}

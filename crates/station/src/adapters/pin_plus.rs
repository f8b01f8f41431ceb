//! A Token2 PIN+ key's OTP applet as a [`Token`]: entries named
//! `issuer:account`, written sealed to the key, no clock of its own (the
//! key computes each code at the time the host sends), so a burn writes
//! only the entry and there is never a clock to set. The applet's session
//! borrows the transport, so each operation opens its own.

use oathdesk_device::DeviceError;
use oathdesk_device::token2otp::{Entry, EntryName, NewEntry, Token2OtpSession};
use oathdesk_device::transport::Transport;
use oathdesk_otp::{CodeParams, Secret};

use super::device::{failure, refused};
use crate::ports::{Burnt, Placement, Slot, Token, TokenFacts, TokenFailure, TokenSettings};
use crate::workflow::ProgressSink;
use crate::workflow::progress::{ProgressExt, Step};

pub(super) struct PinPlusKey<T: Transport> {
    transport: T,
    facts: TokenFacts,
}

impl<T: Transport> PinPlusKey<T> {
    pub(super) fn new(transport: T, facts: TokenFacts) -> Self {
        PinPlusKey { transport, facts }
    }

    fn session(&mut self) -> Result<Token2OtpSession<'_>, TokenFailure> {
        Token2OtpSession::select(&mut self.transport).map_err(failure)
    }

    fn entries(&mut self) -> Result<Vec<Entry>, TokenFailure> {
        let now = crate::clock::now_unix();
        self.session()?.read_all(now).map_err(failure)
    }
}

/// `issuer:account` (the issuer may be empty: `account` alone).
fn entry_name(label: &str) -> Result<EntryName, DeviceError> {
    match label.split_once(':') {
        Some((issuer, account)) => EntryName::new(issuer, account),
        None => EntryName::new("", label),
    }
}

/// An entry's name as the desk shows and takes it.
fn label_of(name: &EntryName) -> String {
    match name.issuer() {
        "" => name.account().to_string(),
        issuer => format!("{issuer}:{}", name.account()),
    }
}

impl<T: Transport> Token for PinPlusKey<T> {
    fn facts(&self) -> &TokenFacts {
        &self.facts
    }

    fn slots(&mut self) -> Result<Vec<Slot>, TokenFailure> {
        Ok(self
            .entries()?
            .into_iter()
            .map(|e| Slot {
                index: None,
                label: Some(label_of(&e.name)),
                used: Some(true),
                params: Some(CodeParams {
                    algorithm: e.hash.to_algorithm(),
                    digits: u32::from(e.digits),
                    period: u64::from(e.step),
                }),
            })
            .collect())
    }

    /// Writes a new entry; one of the same name is replaced only when the
    /// operator asked to (it is deleted first: the key cannot edit one).
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
        let name = entry_name(place.label.as_deref().unwrap_or_default()).map_err(failure)?;
        let p = &settings.params;
        let entry = NewEntry::totp(
            name.clone(),
            secret,
            p.algorithm,
            p.period,
            p.digits,
            place.touch,
        )
        .map_err(failure)?;
        let taken = self.entries()?;
        let replacing = taken.iter().any(|e| e.name == name);
        if replacing && !place.replace {
            return Err(refused(format!(
                "an entry named \"{}\" is already on this key: choose another name, or delete that one first",
                label_of(&name)
            )));
        }
        if !replacing && taken.len() >= self.facts.limits.slots as usize {
            return Err(refused(format!(
                "this key holds {} entries, its most: delete one first",
                taken.len()
            )));
        }
        progress.started(Step::WriteSeed);
        let result = self.session().and_then(|mut s| {
            if replacing {
                s.delete(&name).map_err(failure)?;
            }
            s.write_entry(&entry).map_err(failure)
        });
        if let Err(e) = &result {
            progress.failed(Step::WriteSeed, &e.message, &e.next_step);
        }
        result?;
        progress.done(Step::WriteSeed, Some(format!("entry {}", label_of(&name))));
        Ok(Burnt {
            slot: None,
            label: Some(label_of(&name)),
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
            "a PIN+ key has no clock: it computes each code at the time the desk sends, so there is nothing to set; if its codes are refused, check this computer's clock"
                .into(),
        ))
    }

    /// Deletes the entry named in `place` (`issuer:account`, as listed).
    fn delete(&mut self, place: &Placement) -> Result<(), TokenFailure> {
        let Some(label) = place.label.as_deref() else {
            return Err(refused("say which entry to delete".into()));
        };
        let name = entry_name(label).map_err(failure)?;
        self.session()?.delete(&name).map_err(failure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_entries_both_ways() {
        for label in ["Contoso:jane@contoso.com", "jane", "A:b:c"] {
            assert_eq!(label_of(&entry_name(label).unwrap()), label);
        }
        assert!(entry_name("Contoso:").is_err(), "an account is needed");
    }
}

//! Seeds the operator has scanned but not yet burnt. The GUI gets only an id
//! and a description; the secret stays here, in zeroizing memory, until it
//! is burnt, forgotten, or revealed on the operator's explicit request.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use zeroize::Zeroizing;

use crate::StationError;
use crate::seeds::SeedInput;

#[derive(Default)]
pub struct PendingSeeds {
    seeds: Mutex<HashMap<String, SeedInput>>,
}

impl PendingSeeds {
    /// The store, even after a panic elsewhere poisoned its lock: a held
    /// seed is whole or absent, never half-written, so the store stays
    /// usable instead of failing every later call.
    fn seeds(&self) -> MutexGuard<'_, HashMap<String, SeedInput>> {
        self.seeds.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Keeps `seed` and returns the id the GUI refers to it by.
    pub fn keep(&self, seed: SeedInput) -> String {
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).expect("OS random number generator");
        let id = hex::encode(b);
        self.seeds().insert(id.clone(), seed);
        id
    }

    /// Runs `f` with the seed, without copying the secret out.
    pub fn with<T>(&self, id: &str, f: impl FnOnce(&SeedInput) -> T) -> Result<T, StationError> {
        let seeds = self.seeds();
        let seed = seeds.get(id).ok_or_else(|| gone(id))?;
        Ok(f(seed))
    }

    /// Changes the held seed (the operator's settings before a burn).
    pub fn with_mut<T>(
        &self,
        id: &str,
        f: impl FnOnce(&mut SeedInput) -> T,
    ) -> Result<T, StationError> {
        let mut seeds = self.seeds();
        let seed = seeds.get_mut(id).ok_or_else(|| gone(id))?;
        Ok(f(seed))
    }

    /// Takes the seed out (to burn it); it is no longer held here.
    pub fn take(&self, id: &str) -> Result<SeedInput, StationError> {
        self.seeds().remove(id).ok_or_else(|| gone(id))
    }

    /// The secret in base32, for the operator's "reveal" button only.
    pub fn reveal(&self, id: &str) -> Result<Zeroizing<String>, StationError> {
        self.with(id, |s| s.credential.secret.to_base32())
    }

    /// Drops the seed; its memory is wiped.
    pub fn forget(&self, id: &str) {
        self.seeds().remove(id);
    }
}

fn gone(id: &str) -> StationError {
    StationError::NotFound(format!(
        "seed {id} is no longer held: scan or paste it again"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seeds::SeedInput;

    /// A panic while a seed is in use (a bug in a caller) poisons the lock;
    /// the store must go on serving every other call.
    #[test]
    fn a_panic_inside_a_call_leaves_the_store_working() {
        let store = PendingSeeds::default();
        let id = store.keep(SeedInput::generated(oathdesk_otp::Algorithm::Sha1));
        let crashed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            store.with(&id, |_| panic!("a caller's bug"))
        }));
        assert!(crashed.is_err());
        assert!(store.seeds.is_poisoned());
        assert_eq!(store.with(&id, |s| s.credential.secret.len()).unwrap(), 20);
        let other = store.keep(SeedInput::generated(oathdesk_otp::Algorithm::Sha1));
        store.forget(&id);
        assert!(store.take(&other).is_ok());
        assert!(store.with(&id, |_| ()).is_err());
    }
}

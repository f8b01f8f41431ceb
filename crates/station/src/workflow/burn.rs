//! Burn from an Entra QR code (the software-OATH path): check the host
//! clock, read the token, check the seed against its model, write settings
//! and clock, then the seed, and show the code the token must display after
//! a power cycle. No Graph writes.

use oathdesk_otp::{CodeParams, TotpCode, totp_at};
use serde::Serialize;

use super::progress::{ProgressExt, ProgressSink, Step};
use crate::StationError;
use crate::audit::{AuditAction, AuditEntry, Outcome};
use crate::clock::{TimeAuthority, now_unix};
use crate::ports::{TokenDesk, TokenFacts, TokenSession};
use crate::seeds::SeedInput;
use crate::station::Station;

/// What the operator tells the user after a burn.
pub const POWER_CYCLE_HINT: &str = "Switch the token off and on (or wait for it to sleep) before comparing: the code shown at \
     wake-up was computed before the burn.";

#[derive(Debug, Clone, Serialize)]
pub struct BurnOutcome {
    pub token: TokenFacts,
    pub params: CodeParams,
    /// The code the token must show now, with its validity window.
    pub code: TotpCode,
    pub hint: &'static str,
}

/// Runs the burn; on failure the error says what the token now holds.
pub fn burn_seed(
    station: &Station,
    desk: &dyn TokenDesk,
    time: &dyn TimeAuthority,
    seed: &SeedInput,
    reader: Option<&str>,
    display_timeout: Option<u64>,
    progress: &mut dyn ProgressSink,
) -> Result<BurnOutcome, StationError> {
    let params = seed.credential.params;
    params
        .validate()
        .map_err(|e| StationError::BadInput(e.to_string()))?;
    let mut session = open_checked(
        desk,
        reader,
        &params,
        seed.credential.secret.len(),
        progress,
    )?;
    checked_clock(time, progress)?;
    let result = session.burn(&seed.credential.secret, &params, display_timeout, progress);
    let facts = session.facts().clone();
    station.audit(AuditEntry {
        action: AuditAction::Burn,
        serial: Some(facts.serial.clone()),
        model: Some(facts.model.clone()),
        user: (!seed.credential.account.is_empty()).then(|| seed.credential.account.clone()),
        outcome: Outcome::of(&result),
        detail: Some(format!(
            "{} bits, {}, {} digits, {} s, from {}",
            seed.credential.secret.bits(),
            params.algorithm,
            params.digits,
            params.period,
            seed.origin
        )),
        ..Default::default()
    })?;
    result.map_err(StationError::Token)?;
    Ok(BurnOutcome {
        token: facts,
        params,
        code: totp_at(&seed.credential.secret, &params, now_unix()),
        hint: POWER_CYCLE_HINT,
    })
}

/// Opens the token and refuses, before any write, what it cannot hold.
pub(crate) fn open_checked<'d>(
    desk: &'d dyn TokenDesk,
    reader: Option<&str>,
    params: &CodeParams,
    seed_len: usize,
    progress: &mut dyn ProgressSink,
) -> Result<Box<dyn TokenSession + 'd>, StationError> {
    progress.started(Step::ReadToken);
    let session = desk.open(reader).map_err(|f| {
        progress.failed(Step::ReadToken, &f.message, &f.next_step);
        StationError::Token(f)
    })?;
    let facts = session.facts();
    progress.done(
        Step::ReadToken,
        Some(format!("{} {}", facts.model, facts.serial)),
    );
    progress.started(Step::CheckSeed);
    if !facts.writable {
        let msg = format!(
            "this token ({}, serial {}) is not a model OathDesk can write",
            facts.model, facts.serial
        );
        progress.failed(Step::CheckSeed, &msg, "Use a supported programmable token.");
        return Err(StationError::BadInput(format!(
            "{msg}; nothing was written. Use a supported programmable token."
        )));
    }
    if let Err(why) = facts.limits.check(&facts.model, params, seed_len) {
        progress.failed(
            Step::CheckSeed,
            &why,
            "Change the settings; nothing was written.",
        );
        return Err(StationError::BadInput(format!(
            "{why}; nothing was written."
        )));
    }
    progress.done(Step::CheckSeed, None);
    Ok(session)
}

/// Checks the host clock against the time authority before a clock write.
pub fn checked_clock(
    time: &dyn TimeAuthority,
    progress: &mut dyn ProgressSink,
) -> Result<(), StationError> {
    progress.started(Step::CheckClock);
    let check = time.clock_check().map_err(|f| {
        progress.failed(Step::CheckClock, &f.message, &f.next_step);
        StationError::Directory {
            failure: f,
            enrolment: None,
        }
    })?;
    if let Err(e) = check.ensure_usable() {
        progress.failed(Step::CheckClock, &e.to_string(), "Fix the system time.");
        return Err(e);
    }
    progress.done(
        Step::CheckClock,
        Some(format!("host clock within {} ms", check.offset_ms.abs())),
    );
    Ok(())
}

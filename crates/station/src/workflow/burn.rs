//! Burn from an Entra QR code (the software-OATH path): check the host
//! clock, read the token, check the seed and where it goes against the
//! model, write settings and clock, then the seed, and show the code the
//! token must display after a power cycle. No Graph writes.

use oathdesk_otp::{CodeParams, OtpAuthUri, TotpCode, totp_at};
use serde::Serialize;

use super::progress::{ProgressExt, ProgressSink, Step};
use crate::StationError;
use crate::audit::{AuditAction, AuditEntry, Outcome};
use crate::clock::{ClockCheck, TimeAuthority, now_unix};
use crate::ports::{Burnt, LabelKind, Placement, Readers, Token, TokenFacts, TokenSettings};
use crate::seeds::SeedInput;
use crate::station::Station;

/// What the operator tells the user after a burn.
pub const POWER_CYCLE_HINT: &str = "Switch the token off and on (or wait for it to sleep) before comparing: the code shown at \
     wake-up was computed before the burn.";

/// What the operator chose beside the seed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct BurnChoices {
    /// The reader (default: the one with a token on it).
    pub reader: Option<String>,
    /// Seconds the display stays on (default: the model's usual 30 s).
    pub display_timeout: Option<u64>,
    /// Slot, title or name, touch.
    #[serde(default)]
    pub place: Placement,
}

#[derive(Debug, Clone, Serialize)]
pub struct BurnOutcome {
    pub token: TokenFacts,
    pub params: CodeParams,
    pub burnt: Burnt,
    /// The code the token must show now, with its validity window.
    pub code: TotpCode,
    pub hint: &'static str,
}

/// Runs the burn; on failure the error says what the token now holds.
pub fn burn_seed(
    station: &Station,
    readers: &dyn Readers,
    time: &dyn TimeAuthority,
    seed: &SeedInput,
    choices: &BurnChoices,
    progress: &mut dyn ProgressSink,
) -> Result<BurnOutcome, StationError> {
    let params = seed.credential.params;
    params
        .validate()
        .map_err(|e| StationError::BadInput(e.to_string()))?;
    let secret = &seed.credential.secret;
    let mut token = open_token(readers, choices.reader.as_deref(), progress)?;
    let default_label = credential_label(&seed.credential);
    let (settings, place) = checked(
        token.as_mut(),
        &params,
        secret.len(),
        choices,
        default_label.as_deref(),
        progress,
    )?;
    let clock = checked_clock(time, progress)?;
    let result = token.burn(secret, &settings, &place, progress);
    let facts = token.facts().clone();
    station.audit(AuditEntry {
        action: AuditAction::Burn,
        serial: Some(facts.serial.clone()),
        model: Some(facts.model.clone()),
        user: (!seed.credential.account.is_empty()).then(|| seed.credential.account.clone()),
        outcome: Outcome::of(&result),
        detail: Some(format!(
            "{}{} bits, {}, {} digits, {} s, from {}; {}",
            where_(&place).map(|w| format!("{w}, ")).unwrap_or_default(),
            secret.bits(),
            params.algorithm,
            params.digits,
            params.period,
            seed.origin,
            clock.audited()
        )),
        ..Default::default()
    })?;
    let burnt = result.map_err(StationError::Token)?;
    station
        .records()
        .remember_burn(&facts.serial, burnt.slot, &settings)?;
    Ok(BurnOutcome {
        token: facts,
        params,
        burnt,
        code: totp_at(secret, &params, now_unix())?,
        hint: POWER_CYCLE_HINT,
    })
}

/// "slot 3" / "credential Contoso:jane", for messages and the audit detail.
pub(crate) fn where_(place: &Placement) -> Option<String> {
    match (&place.slot, &place.label) {
        (Some(s), _) => Some(format!("slot {s}")),
        (None, Some(name)) => Some(format!("credential {name}")),
        _ => None,
    }
}

/// The name a credential gets from its QR code: the QR's own label
/// (`Contoso:jane@contoso.com`), else `issuer:account`, else the account.
fn credential_label(c: &OtpAuthUri) -> Option<String> {
    let account = c.account.trim();
    let issuer = c
        .label_issuer
        .as_deref()
        .or(c.issuer.as_deref())
        .map(str::trim);
    match (issuer, account) {
        (_, "") => None,
        (Some(i), a) if !i.is_empty() => Some(format!("{i}:{a}")),
        (_, a) => Some(a.to_string()),
    }
}

/// Opens the token on `reader`, reporting the step.
pub(crate) fn open_token<'d>(
    readers: &'d dyn Readers,
    reader: Option<&str>,
    progress: &mut dyn ProgressSink,
) -> Result<Box<dyn Token + 'd>, StationError> {
    progress.started(Step::ReadToken);
    let token = readers.open(reader).map_err(|f| {
        progress.failed(Step::ReadToken, &f.message, &f.next_step);
        StationError::Token(f)
    })?;
    let facts = token.facts();
    progress.done(
        Step::ReadToken,
        Some(format!("{} {}", facts.model, facts.serial)),
    );
    Ok(token)
}

/// Refuses, before any write, what the token cannot hold, and settles
/// where the seed goes: the first free slot when none was chosen, the
/// credential name from `default_label` when the token needs one.
pub(crate) fn checked(
    token: &mut dyn Token,
    params: &CodeParams,
    seed_len: usize,
    choices: &BurnChoices,
    default_label: Option<&str>,
    progress: &mut dyn ProgressSink,
) -> Result<(TokenSettings, Placement), StationError> {
    progress.started(Step::CheckSeed);
    let result = settle(token, params, seed_len, choices, default_label);
    match &result {
        Ok((_, place)) => progress.done(Step::CheckSeed, where_(place)),
        Err(e) => progress.failed(
            Step::CheckSeed,
            &e.to_string(),
            "Change the settings; nothing was written.",
        ),
    }
    result
}

fn settle(
    token: &mut dyn Token,
    params: &CodeParams,
    seed_len: usize,
    choices: &BurnChoices,
    default_label: Option<&str>,
) -> Result<(TokenSettings, Placement), StationError> {
    let facts = token.facts().clone();
    let refuse = |why: String| StationError::BadInput(format!("{why}; nothing was written."));
    if !facts.writable {
        return Err(refuse(format!(
            "this token ({}, serial {}) is not a model OathDesk can write; use a supported programmable token",
            facts.model, facts.serial
        )));
    }
    let limits = &facts.limits;
    limits
        .check(&facts.model, params, seed_len)
        .map_err(refuse)?;
    let display_timeout = choices
        .display_timeout
        .unwrap_or_else(|| limits.default_display_timeout());
    if !limits.display_timeouts.is_empty() && !limits.display_timeouts.contains(&display_timeout) {
        return Err(refuse(format!(
            "the {} display stays on for {:?} s, not {display_timeout} s",
            facts.model, limits.display_timeouts
        )));
    }
    let mut place = choices.place.clone();
    place.label = place
        .label
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty());
    if limits.label == LabelKind::Name && place.label.is_none() {
        place.label = default_label.map(str::to_string);
    }
    limits.check_place(&facts.model, &place).map_err(refuse)?;
    if limits.numbered_slots && place.slot.is_none() {
        place.slot = Some(first_free(token)?);
    }
    Ok((
        TokenSettings {
            params: *params,
            display_timeout,
        },
        place,
    ))
}

/// The first slot without a seed.
fn first_free(token: &mut dyn Token) -> Result<u8, StationError> {
    let slots = token.slots().map_err(StationError::Token)?;
    slots
        .iter()
        .find(|s| s.used == Some(false))
        .and_then(|s| s.index)
        .ok_or_else(|| {
            StationError::BadInput(format!(
                "every slot of {} holds a seed: delete one first; nothing was written.",
                token.facts().serial
            ))
        })
}

/// Checks the host clock against the time authority before a clock write;
/// the check (who vouched, by how much the host was off) goes into the
/// write's audit record.
pub fn checked_clock(
    time: &dyn TimeAuthority,
    progress: &mut dyn ProgressSink,
) -> Result<ClockCheck, StationError> {
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
        Some(format!(
            "host clock within {} ms ({})",
            check.offset_ms.abs(),
            check.source
        )),
    );
    Ok(check)
}

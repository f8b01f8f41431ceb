//! Resync a drifted token: measure its clock against a checked host clock
//! and set it, keeping the settings the token holds. On models whose clock
//! write wipes the seed, a resync is a re-seed, and a token registered in
//! Entra is re-registered in the same confirmed, audited step (Graph
//! cannot change a secret: delete and re-create). A token without a clock
//! (a YKOATH applet) has nothing to resync.

use oathdesk_otp::Algorithm;
use serde::{Deserialize, Serialize};

use super::burn::{BurnChoices, checked, checked_clock, open_token};
use super::enrol::{EnrolOutcome, Tenant, burn_and_register};
use super::progress::{ProgressExt, ProgressSink, Step};
use crate::StationError;
use crate::audit::{AuditAction, AuditEntry, Outcome};
use crate::clock::now_unix;
use crate::ports::{DeviceFacts, Readers, Token, TokenFacts, TokenSettings, UserFacts};
use crate::station::Station;

/// What the operator sees before acting.
#[derive(Debug, Clone, Serialize)]
pub struct ResyncPreview {
    pub token: TokenFacts,
    /// Token clock minus host clock, when the token's clock can be read.
    pub drift_seconds: Option<i64>,
    /// A clock write will wipe the seed: the resync becomes a re-seed.
    pub wipes_seed: bool,
}

/// The settings a token holds, as the operator states them when this desk
/// did not burn it and Entra does not know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatedSettings {
    pub algorithm: Algorithm,
    pub period: u64,
    /// Seconds the display stays on.
    pub display_timeout: u64,
}

/// What the operator asks for.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ResyncRequest {
    pub reader: Option<String>,
    /// One slot of a multi-slot token; `None`: every slot holding a seed.
    #[serde(default)]
    pub slot: Option<u8>,
    /// Go ahead with the re-seed on a seed-wiping model.
    #[serde(default)]
    pub confirm_reseed: bool,
    /// The token's settings, when neither this desk nor Entra knows them.
    #[serde(default)]
    pub stated: Option<StatedSettings>,
}

/// Where the settings written with a clock came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SettingsSource {
    /// This desk's record of its burn.
    BurnRecord,
    /// Entra's registration of the token (hash and period) and the
    /// display timeout the operator stated (30 s when not stated).
    Entra,
    /// The operator.
    Operator,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ResyncOutcome {
    /// The clock was set; seed and settings are untouched.
    ClockSet {
        serial: String,
        slot: Option<u8>,
        drift_before_seconds: Option<i64>,
        /// The settings the clock write carried, and where they came from
        /// (tokens whose clock write carries settings only).
        settings: Option<(TokenSettings, SettingsSource)>,
        warnings: Vec<String>,
    },
    /// The token was re-seeded and re-registered for its user.
    Reseeded(EnrolOutcome),
    /// The token has no clock: its codes come from the host's time.
    NoClock { serial: String },
}

/// Reads the token and its drift; writes nothing.
pub fn preview(readers: &dyn Readers, reader: Option<&str>) -> Result<ResyncPreview, StationError> {
    let token = readers.open(reader).map_err(StationError::Token)?;
    Ok(preview_of(token.facts()))
}

/// The drift and seed-wipe warning of a token already read.
pub fn preview_of(facts: &TokenFacts) -> ResyncPreview {
    let now = now_unix() as i64;
    ResyncPreview {
        token: facts.clone(),
        drift_seconds: facts.clock_unix.map(|c| c as i64 - now),
        wipes_seed: facts.clock_write_wipes_seed,
    }
}

/// Sets the token's clock keeping its settings, or — on a seed-wiping
/// model and only with `confirm_reseed` — re-seeds and re-registers it.
pub fn resync(
    station: &Station,
    readers: &dyn Readers,
    tenant: &dyn Tenant,
    request: &ResyncRequest,
    progress: &mut dyn ProgressSink,
) -> Result<ResyncOutcome, StationError> {
    run(station, readers, tenant, request, true, progress)
}

/// Sets the clock only, never wiping a seed (`sync-clock`): refused on
/// seed-wiping models, where a resync (re-seed) is the way.
pub fn set_clock(
    station: &Station,
    readers: &dyn Readers,
    tenant: &dyn Tenant,
    request: &ResyncRequest,
    progress: &mut dyn ProgressSink,
) -> Result<ResyncOutcome, StationError> {
    run(station, readers, tenant, request, false, progress)
}

/// Reads the token, then does what its model needs: nothing without a
/// clock, a re-seed where a clock write wipes the seed (when `may_reseed`),
/// else a clock write keeping the settings.
fn run(
    station: &Station,
    readers: &dyn Readers,
    tenant: &dyn Tenant,
    request: &ResyncRequest,
    may_reseed: bool,
    progress: &mut dyn ProgressSink,
) -> Result<ResyncOutcome, StationError> {
    let mut token = open_token(readers, request.reader.as_deref(), progress)?;
    let before = preview_of(token.facts());
    let facts = &before.token;
    if !facts.writable {
        return Err(StationError::BadInput(format!(
            "this token ({}) is not a model OathDesk can write; nothing was changed",
            facts.model
        )));
    }
    if !facts.limits.has_clock {
        return Ok(ResyncOutcome::NoClock {
            serial: facts.serial.clone(),
        });
    }
    match (before.wipes_seed, may_reseed) {
        (true, true) => reseed(station, token.as_mut(), tenant, &before, request, progress),
        (true, false) => Err(StationError::BadInput(format!(
            "on the {} a clock write wipes the seed; nothing was changed: run a resync, which re-seeds and re-registers it",
            facts.model
        ))),
        (false, _) => set_clock_of(station, token.as_mut(), tenant, &before, request, progress),
    }
}

fn reseed(
    station: &Station,
    token: &mut dyn Token,
    tenant: &dyn Tenant,
    before: &ResyncPreview,
    request: &ResyncRequest,
    progress: &mut dyn ProgressSink,
) -> Result<ResyncOutcome, StationError> {
    let facts = &before.token;
    let serial = facts.directory_serial(request.slot);
    let registered = find_registration(tenant, &serial)?;
    if !request.confirm_reseed {
        return Err(StationError::BadInput(format!(
            "on the {} a clock write wipes the seed, so a resync is a re-seed{}; confirm the re-seed to go on",
            facts.model,
            if registered.is_some() {
                " and a new registration in Entra"
            } else {
                ""
            }
        )));
    }
    let Some((device, user)) = registered else {
        return Err(StationError::BadInput(format!(
            "token {serial} is not registered in Entra, so a re-seed would break the user's sign-in \
             with no way to register the new seed from here: have the user add it again from \
             a new QR code (Burn from QR)"
        )));
    };
    let recorded = station
        .records()
        .burnt_settings(&facts.serial, request.slot)?;
    let choices = BurnChoices {
        reader: Some(facts.reader.clone()),
        display_timeout: recorded.map(|r| r.display_timeout),
        place: crate::ports::Placement {
            slot: request.slot,
            ..Default::default()
        },
    };
    let seed_len = device.params.algorithm.output_len();
    let (settings, place) = checked(token, &device.params, seed_len, &choices, None, progress)?;
    let outcome = burn_and_register(
        station,
        token,
        tenant,
        &user,
        &settings,
        &place,
        Some(&device.id),
        progress,
    )?;
    Ok(ResyncOutcome::Reseeded(outcome))
}

/// The token's Entra registration and its user, if it has one.
fn find_registration(
    tenant: &dyn Tenant,
    serial: &str,
) -> Result<Option<(DeviceFacts, UserFacts)>, StationError> {
    let Some(device) = find_device(tenant, serial)? else {
        return Ok(None);
    };
    let Some(user_id) = device.assigned_to.clone() else {
        return Ok(None);
    };
    let user = tenant.user(&user_id).map_err(directory)?;
    Ok(Some((device, user)))
}

fn find_device(tenant: &dyn Tenant, serial: &str) -> Result<Option<DeviceFacts>, StationError> {
    tenant.find_by_serial(serial).map_err(directory)
}

fn directory(failure: crate::ports::DirectoryFailure) -> StationError {
    StationError::Directory {
        failure,
        enrolment: None,
    }
}

/// The settings the token holds: this desk's record of its burn, else
/// Entra's registration, else what the operator states — never a guess.
/// A statement that contradicts a record is refused.
fn settings_held(
    station: &Station,
    tenant: &dyn Tenant,
    facts: &TokenFacts,
    request: &ResyncRequest,
) -> Result<(TokenSettings, SettingsSource), StationError> {
    let stated = request.stated.map(|s| TokenSettings {
        params: oathdesk_otp::CodeParams {
            algorithm: s.algorithm,
            digits: 6,
            period: s.period,
        },
        display_timeout: s.display_timeout,
    });
    let contradicts = |known: &TokenSettings, source: &str| {
        StationError::BadInput(format!(
            "{source} says token {} holds {}, {} s, display {} s, not what you stated; nothing was changed: \
             leave the settings out, or burn the token again if it really changed",
            facts.serial, known.params.algorithm, known.params.period, known.display_timeout
        ))
    };
    if let Some(known) = station
        .records()
        .burnt_settings(&facts.serial, request.slot)?
    {
        if stated.is_some_and(|s| s != known) {
            return Err(contradicts(&known, "this desk's record of its burn"));
        }
        return Ok((known, SettingsSource::BurnRecord));
    }
    if let Some(device) = find_device(tenant, &facts.directory_serial(request.slot))? {
        let known = TokenSettings {
            params: device.params,
            display_timeout: request.stated.map_or(30, |s| s.display_timeout),
        };
        if stated.is_some_and(|s| s.params != known.params) {
            return Err(contradicts(&known, "Entra"));
        }
        return Ok((known, SettingsSource::Entra));
    }
    stated.map(|s| (s, SettingsSource::Operator)).ok_or_else(|| {
        StationError::BadInput(format!(
            "the {} takes its settings with every clock write and cannot report them, and neither \
             this desk nor Entra knows what token {} holds: state its algorithm, period and display \
             timeout; nothing was changed",
            facts.model, facts.serial
        ))
    })
}

fn set_clock_of(
    station: &Station,
    token: &mut dyn Token,
    tenant: &dyn Tenant,
    before: &ResyncPreview,
    request: &ResyncRequest,
    progress: &mut dyn ProgressSink,
) -> Result<ResyncOutcome, StationError> {
    let facts = &before.token;
    let held = if facts.limits.clock_write_needs_settings {
        Some(settings_held(station, tenant, facts, request)?)
    } else {
        None
    };
    let clock = checked_clock(tenant, progress)?;
    progress.started(Step::SetClock);
    let result = token.set_clock(held.as_ref().map(|h| &h.0), request.slot);
    station.audit(AuditEntry {
        action: AuditAction::SetClock,
        serial: Some(facts.serial.clone()),
        model: Some(facts.model.clone()),
        outcome: Outcome::of(&result),
        drift_seconds: before.drift_seconds,
        detail: Some(format!(
            "{}; {}",
            clock_detail(request.slot, held.as_ref()),
            clock.audited()
        )),
        ..Default::default()
    })?;
    let warnings = result.map_err(|f| {
        progress.failed(Step::SetClock, &f.message, &f.next_step);
        StationError::Token(f)
    })?;
    progress.done(Step::SetClock, None);
    Ok(ResyncOutcome::ClockSet {
        serial: facts.serial.clone(),
        slot: request.slot,
        drift_before_seconds: before.drift_seconds,
        settings: held,
        warnings,
    })
}

/// Which slots and which settings a clock write carried, for the audit log.
fn clock_detail(slot: Option<u8>, held: Option<&(TokenSettings, SettingsSource)>) -> String {
    let place = slot.map(|s| format!("slot {s}"));
    let kept = held.map(|(s, source)| {
        format!(
            "kept {}, {} s, display {} s (from {source:?})",
            s.params.algorithm, s.params.period, s.display_timeout
        )
    });
    [place, kept]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("; ")
}

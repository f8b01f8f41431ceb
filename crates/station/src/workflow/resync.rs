//! Resync a drifted token: measure its clock against a checked host clock
//! and set it. On models whose clock write wipes the seed, a resync is a
//! re-seed, and a token registered in Entra is re-registered in the same
//! confirmed, audited step (Graph cannot change a secret: delete and
//! re-create).

use oathdesk_otp::CodeParams;
use serde::Serialize;

use super::burn::checked_clock;
use super::enrol::{EnrolOutcome, Tenant, burn_and_register};
use super::progress::{ProgressExt, ProgressSink, Step};
use crate::StationError;
use crate::audit::{AuditAction, AuditEntry, Outcome};
use crate::clock::now_unix;
use crate::ports::{DeviceFacts, TokenDesk, TokenFacts, TokenSession, UserFacts};
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

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ResyncOutcome {
    /// The clock was set; the seed is untouched.
    ClockSet {
        serial: String,
        drift_before_seconds: Option<i64>,
    },
    /// The token was re-seeded and re-registered for its user.
    Reseeded(EnrolOutcome),
}

/// Reads the token and its drift; writes nothing.
pub fn preview(desk: &dyn TokenDesk, reader: Option<&str>) -> Result<ResyncPreview, StationError> {
    let session = desk.open(reader).map_err(StationError::Token)?;
    Ok(preview_of(session.facts()))
}

fn preview_of(facts: &TokenFacts) -> ResyncPreview {
    let now = now_unix() as i64;
    ResyncPreview {
        token: facts.clone(),
        drift_seconds: facts.clock_unix.map(|c| c as i64 - now),
        wipes_seed: facts.clock_write_wipes_seed,
    }
}

/// Sets the token's clock, or — on a seed-wiping model and only with
/// `confirm_reseed` — re-seeds and re-registers it in Entra.
pub fn resync(
    station: &Station,
    desk: &dyn TokenDesk,
    tenant: &dyn Tenant,
    reader: Option<&str>,
    confirm_reseed: bool,
    progress: &mut dyn ProgressSink,
) -> Result<ResyncOutcome, StationError> {
    progress.started(Step::ReadToken);
    let mut session = desk.open(reader).map_err(StationError::Token)?;
    let before = preview_of(session.facts());
    progress.done(
        Step::ReadToken,
        before.drift_seconds.map(|d| format!("drift {d:+} s")),
    );
    if !before.token.writable {
        return Err(StationError::BadInput(format!(
            "this token ({}) is not a model OathDesk can write; nothing was changed",
            before.token.model
        )));
    }
    let registered = find_registration(tenant, &before.token.serial)?;
    if before.wipes_seed {
        if !confirm_reseed {
            return Err(StationError::BadInput(format!(
                "on the {} a clock write wipes the seed, so a resync is a re-seed{}; confirm the re-seed to go on",
                before.token.model,
                if registered.is_some() {
                    " and a new registration in Entra"
                } else {
                    ""
                }
            )));
        }
        let Some((device, user)) = registered else {
            return Err(StationError::BadInput(format!(
                "token {} is not registered in Entra, so a re-seed would break the user's sign-in \
                 with no way to register the new seed from here: have the user add it again from \
                 a new QR code (Burn from QR)",
                before.token.serial
            )));
        };
        checked_clock(tenant, progress)?;
        let outcome = burn_and_register(
            station,
            session.as_mut(),
            tenant,
            &user,
            device.params,
            Some(&device.id),
            progress,
        )?;
        return Ok(ResyncOutcome::Reseeded(outcome));
    }
    let params = registered.map(|(d, _)| d.params).unwrap_or_default();
    set_clock(
        station,
        session.as_mut(),
        tenant,
        &before,
        &params,
        progress,
    )
}

/// The token's Entra registration and its user, if it has one.
fn find_registration(
    tenant: &dyn Tenant,
    serial: &str,
) -> Result<Option<(DeviceFacts, UserFacts)>, StationError> {
    let dir_err = |failure| StationError::Directory {
        failure,
        enrolment: None,
    };
    let Some(device) = tenant.find_by_serial(serial).map_err(dir_err)? else {
        return Ok(None);
    };
    let Some(user_id) = device.assigned_to.clone() else {
        return Ok(None);
    };
    let user = tenant.user(&user_id).map_err(dir_err)?;
    Ok(Some((device, user)))
}

fn set_clock(
    station: &Station,
    session: &mut dyn TokenSession,
    tenant: &dyn Tenant,
    before: &ResyncPreview,
    params: &CodeParams,
    progress: &mut dyn ProgressSink,
) -> Result<ResyncOutcome, StationError> {
    checked_clock(tenant, progress)?;
    progress.started(Step::SetClock);
    let result = session.set_clock(params);
    station.audit(AuditEntry {
        action: AuditAction::SetClock,
        serial: Some(before.token.serial.clone()),
        model: Some(before.token.model.clone()),
        outcome: Outcome::of(&result),
        drift_seconds: before.drift_seconds,
        ..Default::default()
    })?;
    result.map_err(|f| {
        progress.failed(Step::SetClock, &f.message, &f.next_step);
        StationError::Token(f)
    })?;
    progress.done(Step::SetClock, None);
    Ok(ResyncOutcome::ClockSet {
        serial: before.token.serial.clone(),
        drift_before_seconds: before.drift_seconds,
    })
}

//! One turn of a batch: the token just placed is enrolled for the next
//! user. Before anything is burnt the token is checked against the batch
//! and Entra — a token already enrolled in this batch, or already in the
//! inventory, is refused with nothing written (one token never serves two
//! users) — and a user left "enrolling" by a crash is settled from the
//! journal first (one user never gets a second new token). A failure parks
//! that user with the next step, and the next turn serves the next user.

use serde::Serialize;

use super::super::burn::{BurnChoices, open_token};
use super::super::enrol::{EnrolOutcome, EnrolRequest, Tenant, enrol, resume};
use super::super::progress::ProgressSink;
use crate::StationError;
use crate::batch::{BatchInfo, QueueStatus, QueuedUser, Update};
use crate::journal::EnrolState;
use crate::ports::{Readers, directory_serial};
use crate::station::Station;

/// What one turn did.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Turn {
    /// The user's token is activated.
    Enrolled {
        position: u32,
        upn: String,
        outcome: EnrolOutcome,
    },
    /// The user is parked; the queue goes on.
    Parked {
        position: u32,
        upn: String,
        message: String,
        next_step: String,
    },
    /// The next user can no longer take a token (they became a guest, were
    /// disabled or reached the method limit since the batch began); the
    /// token was not touched and serves the next user on the next turn.
    Refused {
        position: u32,
        upn: String,
        reason: String,
    },
    /// A user left "enrolling" (a crash, a restart) was put back in the
    /// queue: nothing had been burnt for them.
    Requeued { position: u32, upn: String },
    /// No one is waiting.
    Finished,
}

/// Enrols the token on `reader` (or the only one present) for the next
/// waiting user — the one it is meant for, when the list names serials.
pub fn enrol_next(
    station: &Station,
    readers: &dyn Readers,
    tenant: &dyn Tenant,
    id: &str,
    reader: Option<&str>,
    progress: &mut dyn ProgressSink,
) -> Result<Turn, StationError> {
    let info = station.records().batch(id)?;
    let users = station.records().batch_users(id)?;
    if let Some(left) = users.iter().find(|u| u.status == QueueStatus::Enrolling) {
        return settle(station, readers, tenant, id, left, progress);
    }
    if !users.iter().any(|u| u.status == QueueStatus::Waiting) {
        return Ok(Turn::Finished);
    }
    let (reader, serial) = placed_token(readers, tenant, reader, &users)?;
    let user = next_for(&users, &serial)?;
    if let (QueueStatus::Refused, Some(reason)) = super::eligibility(tenant, &user.listed.upn)? {
        let why = Some(Some((
            reason.as_str(),
            "Fix the user in Entra, or reassign the place.",
        )));
        mark(
            station,
            id,
            user.position,
            QueueStatus::Refused,
            None,
            None,
            why,
        )?;
        return Ok(Turn::Refused {
            position: user.position,
            upn: user.listed.upn.clone(),
            reason,
        });
    }
    mark(
        station,
        id,
        user.position,
        QueueStatus::Enrolling,
        None,
        Some(&serial),
        None,
    )?;
    let user = &reread(station, id, user.position)?;
    let result = enrol(
        station,
        readers,
        tenant,
        &request(&info, user, &reader),
        progress,
    );
    if let Err(e) = result {
        if journalled(station, user)?.is_none() {
            // Nothing was burnt (the token, the clock or Entra said no
            // first): the user waits for the next try, the error is the
            // operator's to fix.
            requeue(station, id, user.position)?;
            return Err(e);
        }
        return finish(station, id, user, Err(e));
    }
    finish(station, id, user, result)
}

fn reread(station: &Station, id: &str, position: u32) -> Result<QueuedUser, StationError> {
    super::queued(station, id, position)
}

/// Tries a parked user again: their journalled enrolment resumes from the
/// step it reached (the token keeps its seed); without one they wait for
/// the next token placed.
pub fn retry(
    station: &Station,
    readers: &dyn Readers,
    tenant: &dyn Tenant,
    id: &str,
    position: u32,
    progress: &mut dyn ProgressSink,
) -> Result<Turn, StationError> {
    let users = station.records().batch_users(id)?;
    let user = users
        .iter()
        .find(|u| u.position == position)
        .ok_or_else(|| StationError::NotFound(format!("batch {id} has no user {position}")))?;
    if user.status != QueueStatus::Failed {
        return Err(StationError::BadInput(format!(
            "{} is not parked ({:?}); only a failed user is retried",
            user.listed.upn, user.status
        )));
    }
    match pending_enrolment(station, user)? {
        Some(e) => {
            mark(
                station,
                id,
                position,
                QueueStatus::Enrolling,
                None,
                None,
                Some(None),
            )?;
            let result = resume(station, readers, tenant, &e, progress);
            finish(station, id, user, result)
        }
        None => {
            requeue(station, id, position)?;
            Ok(Turn::Requeued {
                position,
                upn: user.listed.upn.clone(),
            })
        }
    }
}

/// The enrolment request for `user` on the token at `reader`.
fn request(info: &BatchInfo, user: &QueuedUser, reader: &str) -> EnrolRequest {
    EnrolRequest {
        user: user.listed.upn.clone(),
        algorithm: info
            .algorithm
            .parse()
            .unwrap_or(oathdesk_otp::Algorithm::Sha1),
        period: info.period,
        choices: BurnChoices {
            reader: Some(reader.to_string()),
            ..Default::default()
        },
    }
}

/// The token placed: its reader and the serial its enrolment would be
/// registered under, refused when this batch already enrolled it or Entra
/// already holds that serial.
fn placed_token(
    readers: &dyn Readers,
    tenant: &dyn Tenant,
    reader: Option<&str>,
    users: &[QueuedUser],
) -> Result<(String, String), StationError> {
    let mut token = open_token(readers, reader, &mut super::super::Quiet)?;
    let facts = token.facts().clone();
    let slot = match facts.limits.numbered_slots {
        true => token
            .slots()
            .map_err(StationError::Token)?
            .iter()
            .find(|s| s.used == Some(false))
            .and_then(|s| s.index),
        false => None,
    };
    let serial = directory_serial(&facts.serial, slot);
    let refuse = |why: String| {
        StationError::BadInput(format!(
            "{why}; nothing was written. Take it off and place the next user's token."
        ))
    };
    if let Some(owner) = users.iter().find(|u| {
        u.token_serial.as_deref() == Some(serial.as_str())
            && matches!(u.status, QueueStatus::Done | QueueStatus::Enrolling)
    }) {
        return Err(refuse(format!(
            "token {serial} was already enrolled for {} in this batch",
            owner.listed.upn
        )));
    }
    if let Some(known) = tenant
        .find_by_serial(&serial)
        .map_err(|f| StationError::Directory {
            failure: f,
            enrolment: None,
        })?
    {
        return Err(refuse(format!(
            "token {serial} is already in Entra's inventory ({:?}{})",
            known.status,
            known
                .assigned_to
                .map(|u| format!(", assigned to {u}"))
                .unwrap_or_default()
        )));
    }
    Ok((facts.reader, serial))
}

/// The waiting user `serial` is meant for, else the first waiting user no
/// serial was named for.
fn next_for<'a>(users: &'a [QueuedUser], serial: &str) -> Result<&'a QueuedUser, StationError> {
    let waiting = || users.iter().filter(|u| u.status == QueueStatus::Waiting);
    let named = |u: &&QueuedUser| {
        u.listed
            .serial
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case(serial))
    };
    if let Some(user) = waiting().find(named) {
        return Ok(user);
    }
    waiting().find(|u| u.listed.serial.is_none()).ok_or_else(|| {
        let meant: Vec<&str> = waiting().filter_map(|u| u.listed.serial.as_deref()).collect();
        StationError::BadInput(format!(
            "token {serial} is not on the list: the users still waiting expect {}; nothing was written",
            meant.join(", ")
        ))
    })
}

/// Records how the user's enrolment ended and says so.
fn finish(
    station: &Station,
    id: &str,
    user: &QueuedUser,
    result: Result<EnrolOutcome, StationError>,
) -> Result<Turn, StationError> {
    let (position, upn) = (user.position, user.listed.upn.clone());
    match result {
        Ok(outcome) => {
            let (e, s) = (
                Some(outcome.enrolment_id.as_str()),
                Some(outcome.serial.as_str()),
            );
            mark(station, id, position, QueueStatus::Done, e, s, Some(None))?;
            Ok(Turn::Enrolled {
                position,
                upn,
                outcome,
            })
        }
        Err(err) => {
            let enrolment = match &err {
                StationError::Directory { enrolment, .. } => enrolment.clone(),
                _ => None,
            };
            let (message, next_step) = parked(&err, enrolment.is_some());
            let why = Some(Some((message.as_str(), next_step.as_str())));
            mark(
                station,
                id,
                position,
                QueueStatus::Failed,
                enrolment.as_deref(),
                None,
                why,
            )?;
            Ok(Turn::Parked {
                position,
                upn,
                message,
                next_step,
            })
        }
    }
}

/// What the operator reads beside a parked user.
fn parked(err: &StationError, journalled: bool) -> (String, String) {
    let next = match (err, journalled) {
        (_, true) => {
            "Retry when Entra answers: the enrolment resumes from the journal and the token keeps its seed."
        }
        (StationError::Token(_), _) => "Retry with a working token on the reader.",
        (StationError::BadInput(_), _) => {
            "Fix the user in Entra and retry, or skip or reassign them."
        }
        _ => "Retry, or skip the user.",
    };
    (err.to_string(), next.into())
}

/// Settles a user left "enrolling": from the journal's enrolment for them
/// (resumed, or finished if Entra already confirmed), else back to waiting.
fn settle(
    station: &Station,
    readers: &dyn Readers,
    tenant: &dyn Tenant,
    id: &str,
    user: &QueuedUser,
    progress: &mut dyn ProgressSink,
) -> Result<Turn, StationError> {
    match pending_enrolment(station, user)? {
        Some(e) => {
            let result = resume(station, readers, tenant, &e, progress);
            finish(station, id, user, result)
        }
        None => {
            let done = journalled(station, user)?.filter(|e| e.state == EnrolState::Activated);
            if let Some(e) = done {
                let outcome = (e.id.as_str(), e.directory_serial());
                mark(
                    station,
                    id,
                    user.position,
                    QueueStatus::Done,
                    Some(outcome.0),
                    Some(&outcome.1),
                    Some(None),
                )?;
            } else {
                requeue(station, id, user.position)?;
            }
            Ok(Turn::Requeued {
                position: user.position,
                upn: user.listed.upn.clone(),
            })
        }
    }
}

/// The journal's newest enrolment for `user` since the batch took them up.
fn journalled(
    station: &Station,
    user: &QueuedUser,
) -> Result<Option<crate::journal::Enrolment>, StationError> {
    if let Some(e) = &user.enrolment_id {
        return station.records().enrolment(e).map(Some);
    }
    let all = station.records().enrolments(false)?;
    Ok(all.into_iter().find(|e| {
        e.user.eq_ignore_ascii_case(&user.listed.upn)
            && e.created_at >= user.updated_at
            && user
                .token_serial
                .as_deref()
                .is_none_or(|s| e.directory_serial() == s)
    }))
}

/// The id of the user's journalled enrolment that still needs work.
fn pending_enrolment(station: &Station, user: &QueuedUser) -> Result<Option<String>, StationError> {
    Ok(journalled(station, user)?
        .filter(|e| e.state.is_pending())
        .map(|e| e.id))
}

#[allow(clippy::too_many_arguments)]
fn mark(
    station: &Station,
    id: &str,
    position: u32,
    status: QueueStatus,
    enrolment_id: Option<&str>,
    token_serial: Option<&str>,
    reason: Option<Option<(&str, &str)>>,
) -> Result<(), StationError> {
    let change = Update {
        status: Some(status),
        enrolment_id,
        token_serial,
        reason,
        upn: None,
    };
    station.records().update_batch_user(id, position, &change)
}

/// Back to waiting, with no reason or next step left over.
fn requeue(station: &Station, id: &str, position: u32) -> Result<(), StationError> {
    mark(
        station,
        id,
        position,
        QueueStatus::Waiting,
        None,
        None,
        Some(None),
    )
}

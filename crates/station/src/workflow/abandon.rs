//! Giving up an enrolment the journal kept, when the operator decides it
//! will not be finished: its sealed secret is erased, and the decision is
//! audited (failed too) with the token and user it was for.

use crate::StationError;
use crate::audit::{AuditAction, AuditEntry, Outcome};
use crate::station::Station;

/// Abandons the journalled enrolment `id`.
pub fn abandon_enrolment(station: &Station, id: &str) -> Result<(), StationError> {
    let enrolment = station.records().enrolment(id)?;
    let result = station
        .records()
        .abandon_enrolment(id, "abandoned by the operator");
    station.audit(AuditEntry {
        action: AuditAction::AbandonEnrolment,
        serial: enrolment.serial,
        model: enrolment.model,
        user: Some(enrolment.user),
        outcome: Outcome::of(&result),
        detail: Some(format!("enrolment {id}")),
        ..Default::default()
    })?;
    result
}

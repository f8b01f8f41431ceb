//! The write half of an import: the records the preview plans to create
//! go to Entra in bulk (`$delta`, in chunks), each outcome audited.

use serde::Serialize;

use super::{Plan, PreviewItem, SeedPlan, planned};
use crate::StationError;
use crate::audit::{AuditAction, AuditEntry, Outcome};
use crate::ports::{Answered, Directory, DirectoryFailure, NewDevice, UserFacts, request_id_of};
use crate::station::Station;

/// Tokens per bulk request: Graph documents no limit for `$delta`
/// creates; small requests keep one refusal or timeout from hiding many.
const CHUNK: usize = 100;

/// A token the import created.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportedToken {
    pub place: String,
    pub serial: String,
    pub inventory_id: String,
    pub user: Option<String>,
}

/// What became of each record, in file order. Never a secret.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportReport {
    pub format: String,
    pub created: Vec<ImportedToken>,
    /// Records whose serial was already in the inventory.
    pub skipped: Vec<String>,
    /// Records Entra (or the user check) refused, with the reason.
    pub failed: Vec<String>,
    /// What the operator should know (e.g. "line 3: hex secret converted").
    pub warnings: Vec<String>,
}

/// Previews `plan`, then creates every token it plans to create. Only a
/// failure to read the tenant or to keep the audit log stops the import.
///
/// A secret read as hex and converted to base32 may not be what the vendor
/// meant (many strings read both ways): unless `accept_converted` (the
/// operator checked the preview and said yes), a plan with any such record
/// is refused, each named, before the tenant is asked anything.
pub fn import(
    station: &Station,
    tenant: &dyn Directory,
    plan: &SeedPlan,
    accept_converted: bool,
) -> Result<ImportReport, StationError> {
    let converted = plan.converted();
    if !accept_converted && !converted.is_empty() {
        let lines: Vec<String> = converted
            .iter()
            .map(|place| {
                format!(
                    "{place}: the secret was hex and was converted to base32; check the preview, then import with --accept-hex"
                )
            })
            .collect();
        return Err(StationError::BadInput(format!(
            "{} of the file's secrets were read as hex; nothing was sent:\n{}",
            lines.len(),
            lines.join("\n")
        )));
    }
    let (preview, users) = planned(tenant, plan)?;
    let mut report = ImportReport {
        format: preview.format.to_string(),
        ..Default::default()
    };
    let mut to_create = Vec::new();
    for ((c, item), user) in plan.file.accepted.iter().zip(&preview.items).zip(&users) {
        report
            .warnings
            .extend(item.warnings.iter().map(|w| format!("{}: {w}", item.place)));
        match &item.plan {
            Plan::Create => to_create.push((c, item, user.as_ref())),
            Plan::Skip { inventory_id } => report.skipped.push(format!(
                "{}: {} is already in the inventory (id {inventory_id})",
                item.place, item.serial
            )),
            Plan::Refuse { reason } => report.failed.push(format!("{}: {reason}", item.place)),
        }
    }
    for chunk in to_create.chunks(CHUNK) {
        create_chunk(station, tenant, chunk, &mut report)?;
    }
    Ok(report)
}

type Planned<'a> = (
    &'a oathdesk_seedfile::Checked,
    &'a PreviewItem,
    Option<&'a UserFacts>,
);

fn create_chunk(
    station: &Station,
    tenant: &dyn Directory,
    chunk: &[Planned<'_>],
    report: &mut ImportReport,
) -> Result<(), StationError> {
    let devices: Vec<NewDevice<'_>> = chunk
        .iter()
        .map(|(c, _, user)| NewDevice {
            serial: &c.record.serial,
            manufacturer: &c.record.manufacturer,
            model: &c.record.model,
            secret: &c.record.secret,
            params: c.record.params,
            assign_to: user.map(|u| u.id.as_str()),
        })
        .collect();
    let outcomes = tenant.bulk_create(&devices);
    for ((_, item, user), outcome) in chunk.iter().zip(outcomes) {
        audit(station, item, *user, &outcome)?;
        file_outcome(item, *user, outcome, report);
    }
    Ok(())
}

/// One `Import` record per token Entra was asked to create.
fn audit(
    station: &Station,
    item: &PreviewItem,
    user: Option<&UserFacts>,
    outcome: &Result<Answered<String>, DirectoryFailure>,
) -> Result<(), StationError> {
    station.audit(AuditEntry {
        action: AuditAction::Import,
        serial: Some(item.serial.clone()),
        model: Some(item.model.clone()),
        user: user.map(|u| u.upn.clone()),
        request_id: request_id_of(outcome),
        outcome: Outcome::of(outcome),
        detail: Some(match outcome {
            Ok(a) => format!("inventory id {}; {}", a.value, item.place),
            Err(f) => format!("{}: {}", item.place, f.message),
        }),
        ..Default::default()
    })
}

fn file_outcome(
    item: &PreviewItem,
    user: Option<&UserFacts>,
    outcome: Result<Answered<String>, DirectoryFailure>,
    report: &mut ImportReport,
) {
    match outcome {
        Ok(a) => report.created.push(ImportedToken {
            place: item.place.clone(),
            serial: item.serial.clone(),
            inventory_id: a.value,
            user: user.map(|u| u.upn.clone()),
        }),
        Err(f) => report
            .failed
            .push(format!("{}: {}: {}", item.place, item.serial, f.message)),
    }
}

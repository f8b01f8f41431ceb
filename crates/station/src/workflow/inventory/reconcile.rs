//! Entra's inventory held against this desk's journal and audit log.
//!
//! [`reconcile`] only reads: every token in the tenant (all pages), each
//! assignee once, the journal and the audit log. Each [`Finding`] says what
//! it means and offers one [`Fix`]; [`fix`] applies a fix the operator asked
//! for through the audited inventory workflows (unassign, delete), after
//! checking that Entra still is as the finding saw it, or says which
//! enrolment to resume. A Graph failure stops the run with its error.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::{list_all, unassign};
use crate::StationError;
use crate::journal::{EnrolState, Enrolment};
use crate::ports::{
    DeviceQuery, DeviceStatus, Directory, DirectoryFailureKind, InventoryEntry, UserFacts,
};
use crate::station::Station;

/// What kind of mismatch a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// This desk burnt the token, but Entra does not hold it (any more).
    MissingInEntra,
    /// A token in the tenant this desk never burnt, enrolled or imported.
    NeverSeenHere,
    /// The same serial listed more than once in Entra.
    DuplicateSerial,
    /// Assigned to a user whose account is disabled.
    DisabledUser,
    /// Assigned to a user who no longer exists.
    DeletedUser,
}

/// What a finding offers to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Fix {
    /// Nothing to do here (informational).
    None,
    /// Finish the enrolment from the journal (Journal → Resume, or
    /// `journal resume ID`): it re-creates, assigns and activates.
    Resume { enrolment_id: String },
    /// The enrolment finished, but its token is gone from Entra: enrol the
    /// user again (a new burn).
    ReEnrol { user: String, serial: String },
    /// Delete the extra copy `device_id`, keeping `keep_device_id`.
    Delete {
        device_id: String,
        serial: String,
        keep_device_id: String,
    },
    /// Take the token back from `user_id`, so it can be issued again.
    Unassign {
        device_id: String,
        serial: String,
        user_id: String,
    },
}

impl Fix {
    /// Changes Entra: the operator confirms first.
    pub fn is_destructive(&self) -> bool {
        matches!(self, Fix::Delete { .. } | Fix::Unassign { .. })
    }
}

/// One mismatch between Entra and this desk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// 1-based, in the order listed (what `--fix N` names).
    pub number: usize,
    pub kind: FindingKind,
    /// The serial(s) as each side spells them.
    pub serials: Vec<String>,
    /// The Entra inventory ids concerned (none when Entra lacks the token).
    pub device_ids: Vec<String>,
    /// The user concerned: UPN when known, else the object id.
    pub user: Option<String>,
    /// The journal's enrolment, when the finding comes from it.
    pub enrolment_id: Option<String>,
    /// What it means, for the operator.
    pub meaning: String,
    pub fix: Fix,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reconciliation {
    pub findings: Vec<Finding>,
}

/// A fix the operator asked for: destructive ones need `confirmed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixRequest {
    pub fix: Fix,
    #[serde(default)]
    pub confirmed: bool,
}

/// What applying a fix did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum FixOutcome {
    /// Entra was changed (and the change audited).
    Applied { message: String },
    /// Resume this enrolment from the journal.
    Resume { enrolment_id: String },
    /// Nothing was changed; what to do instead.
    Advice { message: String },
}

/// A serial as Entra compares them: surrounding spaces and case ignored.
pub fn same_serial(serial: &str) -> String {
    serial.trim().to_lowercase()
}

/// How an assignee's account stands.
#[derive(Clone)]
enum Assignee {
    Active,
    Disabled(UserFacts),
    Deleted,
}

/// Every mismatch between the tenant's inventory and this desk's records.
/// Reads only.
pub fn reconcile(
    station: &Station,
    tenant: &dyn Directory,
) -> Result<Reconciliation, StationError> {
    let tokens = list_all(tenant, &DeviceQuery::default())?;
    let (enrolments, audited) = {
        let records = station.records();
        (records.enrolments(false)?, records.audit_records()?)
    };

    let mut in_entra: BTreeMap<String, Vec<&InventoryEntry>> = BTreeMap::new();
    for t in &tokens {
        in_entra
            .entry(same_serial(&t.device.serial))
            .or_default()
            .push(t);
    }
    let mut seen_here: HashSet<String> = HashSet::new();
    for e in &enrolments {
        seen_here.insert(same_serial(&e.directory_serial()));
        if let Some(s) = &e.serial {
            seen_here.insert(same_serial(s));
        }
    }
    for r in &audited {
        if let Some(s) = &r.entry.serial {
            seen_here.insert(same_serial(s));
        }
    }

    let mut findings = Vec::new();
    missing_in_entra(&enrolments, &in_entra, &mut findings);
    for (serial, copies) in &in_entra {
        if !seen_here.contains(serial) {
            findings.push(never_seen(copies));
        }
    }
    for copies in in_entra.values().filter(|c| c.len() > 1) {
        duplicates(copies, &mut findings);
    }
    assignees(tenant, &tokens, &mut findings)?;

    for (i, f) in findings.iter_mut().enumerate() {
        f.number = i + 1;
    }
    Ok(Reconciliation { findings })
}

/// The newest enrolment of each serial that burnt a token Entra lacks.
fn missing_in_entra(
    enrolments: &[Enrolment],
    in_entra: &BTreeMap<String, Vec<&InventoryEntry>>,
    findings: &mut Vec<Finding>,
) {
    let mut decided: HashSet<String> = HashSet::new();
    // Newest first: a later enrolment of the same serial decides.
    for e in enrolments {
        if e.serial.as_deref().is_none_or(|s| s.trim().is_empty()) || e.state == EnrolState::Started
        {
            continue;
        }
        let serial = e.directory_serial();
        if !decided.insert(same_serial(&serial)) || in_entra.contains_key(&same_serial(&serial)) {
            continue;
        }
        let (meaning, fix) = match e.state {
            EnrolState::Burned | EnrolState::Created | EnrolState::Assigned => (
                format!(
                    "{serial} was burnt here for {} but Entra does not hold it: the enrolment stopped at {:?}",
                    e.user, e.state
                ),
                Fix::Resume {
                    enrolment_id: e.id.clone(),
                },
            ),
            EnrolState::Activated => (
                format!(
                    "{serial} was enrolled here and activated for {}, but it is no longer in Entra (deleted there): enrol the user again",
                    e.user
                ),
                Fix::ReEnrol {
                    user: e.user.clone(),
                    serial: serial.clone(),
                },
            ),
            // Given up by the operator: nothing more to say.
            EnrolState::Abandoned | EnrolState::Started => continue,
        };
        findings.push(Finding {
            number: 0,
            kind: FindingKind::MissingInEntra,
            serials: vec![serial],
            device_ids: e.device_id.iter().cloned().collect(),
            user: Some(e.user.clone()),
            enrolment_id: Some(e.id.clone()),
            meaning,
            fix,
        });
    }
}

fn never_seen(copies: &[&InventoryEntry]) -> Finding {
    let serial = &copies[0].device.serial;
    Finding {
        number: 0,
        kind: FindingKind::NeverSeenHere,
        serials: copies.iter().map(|c| c.device.serial.clone()).collect(),
        device_ids: copies.iter().map(|c| c.device.id.clone()).collect(),
        user: copies
            .iter()
            .find_map(|c| c.assignee_name.clone().or(c.device.assigned_to.clone())),
        enrolment_id: None,
        meaning: format!(
            "{} is in Entra but this desk never burnt, enrolled or imported it: imported elsewhere; nothing needed",
            serial.trim()
        ),
        fix: Fix::None,
    }
}

/// A token that is in use: assigned to someone, or further.
fn in_use(t: &InventoryEntry) -> bool {
    t.device.assigned_to.is_some() || t.device.status != DeviceStatus::Available
}

/// One finding per extra copy: delete it, keeping the one in use (or,
/// when none is, the first listed with a clean serial).
fn duplicates(copies: &[&InventoryEntry], findings: &mut Vec<Finding>) {
    let keep = copies
        .iter()
        .find(|c| in_use(c))
        .or_else(|| {
            copies
                .iter()
                .find(|c| c.device.serial.trim() == c.device.serial)
        })
        .unwrap_or(&copies[0]);
    let serials: Vec<String> = copies.iter().map(|c| c.device.serial.clone()).collect();
    for extra in copies.iter().filter(|c| c.device.id != keep.device.id) {
        let (meaning, fix) = if in_use(extra) {
            (
                format!(
                    "{:?} is listed {} times in Entra and more than one copy is in use: unassign the wrong one first",
                    keep.device.serial.trim(),
                    copies.len()
                ),
                Fix::None,
            )
        } else {
            (
                format!(
                    "{:?} is listed {} times in Entra (e.g. a legacy CSV upload beside a Graph one): delete the unused copy {:?}, keep {}",
                    keep.device.serial.trim(),
                    copies.len(),
                    extra.device.serial,
                    keep.device.id
                ),
                Fix::Delete {
                    device_id: extra.device.id.clone(),
                    serial: extra.device.serial.clone(),
                    keep_device_id: keep.device.id.clone(),
                },
            )
        };
        findings.push(Finding {
            number: 0,
            kind: FindingKind::DuplicateSerial,
            serials: serials.clone(),
            device_ids: vec![extra.device.id.clone(), keep.device.id.clone()],
            user: None,
            enrolment_id: None,
            meaning,
            fix,
        });
    }
}

/// Tokens assigned to disabled or deleted users; each user looked up once.
fn assignees(
    tenant: &dyn Directory,
    tokens: &[InventoryEntry],
    findings: &mut Vec<Finding>,
) -> Result<(), StationError> {
    let mut users: HashMap<String, Assignee> = HashMap::new();
    for t in tokens {
        let Some(uid) = &t.device.assigned_to else {
            continue;
        };
        let who = match users.get(uid) {
            Some(a) => a.clone(),
            None => {
                let a = match tenant.user(uid) {
                    Ok(u) if u.is_disabled => Assignee::Disabled(u),
                    Ok(_) => Assignee::Active,
                    Err(f) if f.kind == DirectoryFailureKind::NotFound => Assignee::Deleted,
                    Err(f) => return Err(f.into()),
                };
                users.insert(uid.clone(), a.clone());
                a
            }
        };
        let serial = t.device.serial.clone();
        let (kind, user, meaning) = match who {
            Assignee::Active => continue,
            Assignee::Disabled(u) => (
                FindingKind::DisabledUser,
                u.upn.clone(),
                format!(
                    "{} is assigned to {}, whose account is disabled: unassign it so it can be issued again",
                    serial.trim(),
                    u.upn
                ),
            ),
            Assignee::Deleted => (
                FindingKind::DeletedUser,
                uid.clone(),
                format!(
                    "{} is assigned to user {uid}{}, who no longer exists: unassign it so it can be issued again",
                    serial.trim(),
                    t.assignee_name
                        .as_deref()
                        .map(|n| format!(" ({n})"))
                        .unwrap_or_default()
                ),
            ),
        };
        findings.push(Finding {
            number: 0,
            kind,
            serials: vec![serial.clone()],
            device_ids: vec![t.device.id.clone()],
            user: Some(user),
            enrolment_id: None,
            meaning,
            fix: Fix::Unassign {
                device_id: t.device.id.clone(),
                serial,
                user_id: uid.clone(),
            },
        });
    }
    Ok(())
}

/// Applies one fix. A destructive fix needs `confirmed` and is refused,
/// with nothing written, when Entra no longer looks as the finding saw it.
pub fn fix(
    station: &Station,
    tenant: &dyn Directory,
    request: &FixRequest,
) -> Result<FixOutcome, StationError> {
    if request.fix.is_destructive() && !request.confirmed {
        return Err(StationError::BadInput(
            "this fix changes Entra: confirm it first".into(),
        ));
    }
    match &request.fix {
        Fix::None => Ok(FixOutcome::Advice {
            message: "nothing to fix".into(),
        }),
        Fix::Resume { enrolment_id } => {
            let e = station.records().enrolment(enrolment_id)?;
            if !e.state.is_pending() {
                return Err(StationError::BadInput(format!(
                    "enrolment {enrolment_id} is already {:?}",
                    e.state
                )));
            }
            Ok(FixOutcome::Resume {
                enrolment_id: enrolment_id.clone(),
            })
        }
        Fix::ReEnrol { user, serial } => Ok(FixOutcome::Advice {
            message: format!(
                "enrol {user} again: {serial} must be burnt with a new seed (Enrol, or `oathdesk-cli enrol --user {user}`)"
            ),
        }),
        Fix::Delete {
            device_id,
            serial,
            keep_device_id,
        } => {
            let doomed = tenant.device(device_id)?;
            let kept = tenant.device(keep_device_id)?;
            if same_serial(&doomed.serial) != same_serial(&kept.serial) {
                return Err(StationError::BadInput(format!(
                    "{device_id} and {keep_device_id} no longer hold the same serial: reconcile again"
                )));
            }
            if doomed.assigned_to.is_some() {
                return Err(StationError::BadInput(format!(
                    "{serial:?} ({device_id}) is assigned now: reconcile again"
                )));
            }
            super::delete(station, tenant, device_id)?;
            Ok(FixOutcome::Applied {
                message: format!(
                    "deleted the extra copy {serial:?} ({device_id}); {keep_device_id} kept"
                ),
            })
        }
        Fix::Unassign {
            device_id,
            serial,
            user_id,
        } => {
            let now = tenant.device(device_id)?;
            if now.assigned_to.as_deref() != Some(user_id.as_str()) {
                return Err(StationError::BadInput(format!(
                    "{serial} is no longer assigned to {user_id}: reconcile again"
                )));
            }
            unassign(station, tenant, device_id, user_id)?;
            Ok(FixOutcome::Applied {
                message: format!("{serial} unassigned from {user_id}: it can be issued again"),
            })
        }
    }
}

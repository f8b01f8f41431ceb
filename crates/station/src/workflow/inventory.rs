//! The tenant's hardware-token inventory as the operator works it: list
//! (a page, or every page), show, create, import vendors' seed files, assign,
//! activate with the code the token shows, unassign, delete; and
//! [`reconcile`] the inventory with this desk's journal and audit log.
//!
//! Input is checked before Graph is called. Every write to Entra leaves
//! exactly one audit record, also when it fails, naming the token by its
//! real serial (read first when the operator gave an inventory id), the
//! user involved and the request id of the write itself.

mod import;
pub mod reconcile;

use oathdesk_otp::{Algorithm, CodeParams};

use super::enrol::why_user_cannot_take_a_token;
use crate::StationError;
use crate::audit::{AuditAction, AuditEntry, Outcome};
use crate::ports::{
    Answered, DeviceFacts, DeviceQuery, DeviceStatus, Directory, DirectoryFailure, InventoryEntry,
    InventoryPage, NewDevice, UserFacts, request_id_of,
};
use crate::station::Station;

pub use reconcile::{Finding, FindingKind, Fix, FixOutcome, FixRequest, Reconciliation};

pub use import::{
    Ask, ImportReport, ImportedToken, Plan, Preview, PreviewItem, SeedFileError, SeedFormat,
    SeedKeyIssue, SeedKeys, SeedPlan, check_csv, import, import_csv, open_seed_file, preview,
    pskc_key_from_file, read_seed_file,
};

/// Entra holds secrets of at most 128 base32 characters.
pub use oathdesk_seedfile::MAX_SECRET_BYTES;

/// Graph's largest page, for reading the whole list in few calls.
const WHOLE_LIST_PAGE: u32 = 999;

/// The operator's spelling of a status (Graph's, as `--status` documents).
pub fn parse_status(s: &str) -> Result<DeviceStatus, StationError> {
    DeviceStatus::from_graph(s.trim()).ok_or_else(|| {
        StationError::BadInput(format!(
            "no token status is called {:?}; use available, assigned, activated or failedActivation",
            s.trim()
        ))
    })
}

impl DeviceQuery {
    /// What the operator typed: a status and a serial, blank for any.
    pub fn from_input(
        status: Option<&str>,
        serial: Option<&str>,
    ) -> Result<DeviceQuery, StationError> {
        fn given(s: Option<&str>) -> Option<&str> {
            s.map(str::trim).filter(|s| !s.is_empty())
        }
        Ok(DeviceQuery {
            status: given(status).map(parse_status).transpose()?,
            serial: given(serial).map(str::to_string),
        })
    }
}

/// One page of tokens: the first, or the one `next` (from a previous page) names.
pub fn list_page(
    tenant: &dyn Directory,
    query: &DeviceQuery,
    next: Option<&str>,
    size: u32,
) -> Result<InventoryPage, StationError> {
    Ok(tenant.list_page(query, next, size)?)
}

/// Every token matching `query`, all pages read.
pub fn list_all(
    tenant: &dyn Directory,
    query: &DeviceQuery,
) -> Result<Vec<InventoryEntry>, StationError> {
    let mut all = Vec::new();
    let mut next = None;
    loop {
        let page = tenant.list_page(query, next.as_deref(), WHOLE_LIST_PAGE)?;
        all.extend(page.items);
        match page.next {
            Some(link) => next = Some(link),
            None => return Ok(all),
        }
    }
}

pub fn show(tenant: &dyn Directory, device_id: &str) -> Result<InventoryEntry, StationError> {
    Ok(tenant.inventory_entry(required("inventory id", device_id)?)?)
}

/// Adds a token to the inventory, assigned to `new.assign_to` (a UPN or
/// object id) when given. Refused before anything is written: blank names,
/// settings or a secret Entra does not take, a serial already listed, a
/// user who cannot take another token.
pub fn create(
    station: &Station,
    tenant: &dyn Directory,
    new: &NewDevice<'_>,
) -> Result<InventoryEntry, StationError> {
    let new = checked(new)?;
    if let Some(listed) = tenant.find_by_serial(new.serial)? {
        return Err(StationError::BadInput(format!(
            "{} is already in the inventory (id {}); use that entry or delete it first",
            new.serial, listed.id
        )));
    }
    let user = new.assign_to.map(|u| assignee(tenant, u)).transpose()?;
    let created = register(station, tenant, &new, user.as_ref(), AuditAction::Create)?;
    Ok(InventoryEntry {
        device: created,
        manufacturer: new.manufacturer.to_string(),
        model: new.model.to_string(),
        display_name: None,
        assignee_name: user.and_then(|u| u.display_name),
        last_used: None,
    })
}

/// Assigns the token to `user` (a UPN or object id).
pub fn assign(
    station: &Station,
    tenant: &dyn Directory,
    device_id: &str,
    user: &str,
) -> Result<(), StationError> {
    write_for_user(
        station,
        tenant,
        AuditAction::Assign,
        device_id,
        user,
        |u, d| tenant.assign(u, d),
    )
}

/// Activates `user`'s token with the code it shows now, typed by the
/// operator: six digits, checked before Graph is called.
pub fn activate(
    station: &Station,
    tenant: &dyn Directory,
    device_id: &str,
    user: &str,
    code: &str,
) -> Result<(), StationError> {
    let code = activation_code(code)?;
    write_for_user(
        station,
        tenant,
        AuditAction::Activate,
        device_id,
        user,
        |u, d| tenant.activate(u, d, code),
    )
}

/// Takes the token back from `user`; it becomes available.
pub fn unassign(
    station: &Station,
    tenant: &dyn Directory,
    device_id: &str,
    user: &str,
) -> Result<(), StationError> {
    write_for_user(
        station,
        tenant,
        AuditAction::Unassign,
        device_id,
        user,
        |u, d| tenant.unassign(u, d),
    )
}

/// Removes an unassigned token from the inventory.
pub fn delete(
    station: &Station,
    tenant: &dyn Directory,
    device_id: &str,
) -> Result<(), StationError> {
    let device_id = required("inventory id", device_id)?;
    write_to_token(
        station,
        tenant,
        AuditAction::Delete,
        device_id,
        None,
        || tenant.delete(device_id),
    )
}

/// The settings Entra takes: SHA-1 or SHA-256, 30 or 60 s, 6 digits.
pub(crate) fn accepted_by_entra(params: CodeParams) -> Result<CodeParams, StationError> {
    let refusal = if !matches!(params.algorithm, Algorithm::Sha1 | Algorithm::Sha256) {
        format!(
            "Entra accepts SHA-1 or SHA-256 tokens, not {}",
            params.algorithm
        )
    } else if params.period != 30 && params.period != 60 {
        format!(
            "Entra accepts 30 or 60 second tokens, not {} s",
            params.period
        )
    } else if params.digits != 6 {
        format!("Entra accepts 6-digit tokens, not {}", params.digits)
    } else {
        return Ok(params);
    };
    Err(StationError::BadInput(refusal))
}

/// `new` with its names trimmed, once Entra could take it.
fn checked<'a>(new: &NewDevice<'a>) -> Result<NewDevice<'a>, StationError> {
    let secret = new.secret;
    if secret.is_empty() || secret.len() > MAX_SECRET_BYTES {
        return Err(StationError::BadInput(format!(
            "the secret is {} bits; Entra holds 8 to {} bits (up to 128 base32 characters)",
            secret.bits(),
            MAX_SECRET_BYTES * 8
        )));
    }
    Ok(NewDevice {
        serial: required("serial", new.serial)?,
        manufacturer: required("manufacturer", new.manufacturer)?,
        model: required("model", new.model)?,
        secret,
        params: accepted_by_entra(new.params)?,
        assign_to: new.assign_to.map(str::trim).filter(|u| !u.is_empty()),
    })
}

/// `value` trimmed, or a clear error naming what is missing.
fn required<'a>(what: &str, value: &'a str) -> Result<&'a str, StationError> {
    match value.trim() {
        "" => Err(StationError::BadInput(format!("the {what} is empty"))),
        v => Ok(v),
    }
}

fn activation_code(code: &str) -> Result<&str, StationError> {
    let code = code.trim();
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code)
    } else {
        Err(StationError::BadInput(
            "the activation code must be the 6 digits the token shows now (e.g. 012345)".into(),
        ))
    }
}

/// The user a new token is for, if they may take one.
fn assignee(tenant: &dyn Directory, user: &str) -> Result<UserFacts, StationError> {
    let user = tenant.user(user)?;
    match why_user_cannot_take_a_token(&user) {
        Some(why) => Err(StationError::BadInput(why)),
        None => Ok(user),
    }
}

/// Creates `new` (for `user`, if any) and audits the write as `action`.
fn register(
    station: &Station,
    tenant: &dyn Directory,
    new: &NewDevice<'_>,
    user: Option<&UserFacts>,
    action: AuditAction,
) -> Result<DeviceFacts, StationError> {
    let new = NewDevice {
        assign_to: user.map(|u| u.id.as_str()),
        ..*new
    };
    let result = tenant.create(&new);
    station.audit(AuditEntry {
        action,
        serial: Some(new.serial.to_string()),
        model: Some(new.model.to_string()),
        user: user.map(|u| u.upn.clone()),
        request_id: request_id_of(&result),
        outcome: Outcome::of(&result),
        detail: result
            .as_ref()
            .ok()
            .map(|d| format!("inventory id {}", d.value.id)),
        ..Default::default()
    })?;
    Ok(result?.value)
}

/// A write that concerns `user`'s token (`write` gets the user, then the
/// token), once both are given.
fn write_for_user(
    station: &Station,
    tenant: &dyn Directory,
    action: AuditAction,
    device_id: &str,
    user: &str,
    write: impl FnOnce(&str, &str) -> Result<Answered<()>, DirectoryFailure>,
) -> Result<(), StationError> {
    let (device_id, user) = (
        required("inventory id", device_id)?,
        required("user", user)?,
    );
    write_to_token(station, tenant, action, device_id, Some(user), || {
        write(user, device_id)
    })
}

/// Runs `write` on the token `device_id` and audits it as `action`, naming
/// the token by its serial, read first since the operator gave an id. A
/// failed read does not stop the write: the record then says why the
/// serial is missing.
fn write_to_token(
    station: &Station,
    tenant: &dyn Directory,
    action: AuditAction,
    device_id: &str,
    user: Option<&str>,
    write: impl FnOnce() -> Result<Answered<()>, DirectoryFailure>,
) -> Result<(), StationError> {
    let token = tenant.inventory_entry(device_id);
    let result = write();
    let mut entry = AuditEntry {
        action,
        user: user.map(str::to_string),
        request_id: request_id_of(&result),
        outcome: Outcome::of(&result),
        detail: Some(format!("inventory id {device_id}")),
        ..Default::default()
    };
    match token {
        Ok(t) => {
            entry.serial = Some(t.device.serial).filter(|s| !s.is_empty());
            entry.model = Some(t.model).filter(|m| !m.is_empty());
        }
        Err(f) => {
            entry.detail = Some(format!(
                "inventory id {device_id}; serial unknown, the token could not be read: {}",
                f.message
            ));
        }
    }
    station.audit(entry)?;
    result?;
    Ok(())
}

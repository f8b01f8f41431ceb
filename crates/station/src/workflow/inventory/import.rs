//! Import of vendors' seed files (Token2 JSON or CSV, Entra's legacy CSV,
//! PSKC, any of them OpenPGP-encrypted): read → check → preview → create
//! → report. The file is read and every record checked (crate `seedfile`)
//! before Graph is called at all; then the preview looks each serial up in
//! the tenant (already there: skipped, never overwritten) and checks each
//! user the file names can take a token; only then are the new tokens
//! created, in bulk. Each token Entra is asked to create leaves one audit
//! record (`Import`), created or refused. Secrets stay in zeroizing memory
//! and appear in no message, report or record.

mod create;
mod legacy;

use oathdesk_otp::Algorithm;
use oathdesk_seedfile::{Checked, CheckedFile, Format, KeyIssue, Keys};
use serde::Serialize;

use super::assignee;
use crate::StationError;
use crate::ports::{Directory, UserFacts};

pub use create::{ImportReport, ImportedToken, import};
pub use legacy::{check_csv, import_csv};
pub use oathdesk_seedfile::{
    Ask, Format as SeedFormat, KeyIssue as SeedKeyIssue, Keys as SeedKeys, pskc_key_from_file,
};

/// A seed file read and checked, every record one Entra would take;
/// nothing was sent anywhere to get it.
pub struct SeedPlan {
    file: CheckedFile,
}

/// A seed file that could not be read: the error, and which key or
/// passphrase is missing or wrong when that is why (so a window can ask
/// for the right one).
#[derive(Debug)]
pub struct SeedFileError {
    pub error: StationError,
    pub key: Option<KeyIssue>,
}

impl From<SeedFileError> for StationError {
    fn from(e: SeedFileError) -> Self {
        e.error
    }
}

impl From<StationError> for SeedFileError {
    fn from(error: StationError) -> Self {
        SeedFileError { error, key: None }
    }
}

/// Reads and checks `bytes` (`format` or detected). A file that cannot be
/// read, or any record Entra would refuse, is bad input naming each
/// refused record's line or record and why.
pub fn read_seed_file(
    bytes: &[u8],
    format: Option<Format>,
    keys: &mut Keys<'_>,
) -> Result<SeedPlan, StationError> {
    Ok(open_seed_file(bytes, format, keys)?)
}

/// [`read_seed_file`], saying which key or passphrase is missing or wrong
/// when that is why the file cannot be read.
pub fn open_seed_file(
    bytes: &[u8],
    format: Option<Format>,
    keys: &mut Keys<'_>,
) -> Result<SeedPlan, SeedFileError> {
    let file = oathdesk_seedfile::read(bytes, format, keys).map_err(|e| SeedFileError {
        key: e.key,
        error: StationError::BadInput(e.to_string()),
    })?;
    let file = oathdesk_seedfile::check(file);
    if !file.refused.is_empty() {
        let reasons: Vec<String> = file.refused.iter().map(ToString::to_string).collect();
        return Err(StationError::BadInput(format!(
            "{} of the file's records cannot be imported; nothing was sent:\n{}",
            reasons.len(),
            reasons.join("\n")
        ))
        .into());
    }
    if file.accepted.is_empty() {
        return Err(StationError::BadInput("the file lists no tokens".into()).into());
    }
    Ok(SeedPlan { file })
}

impl SeedPlan {
    /// How many tokens the file lists.
    pub fn len(&self) -> usize {
        self.file.accepted.len()
    }

    pub fn is_empty(&self) -> bool {
        self.file.accepted.is_empty()
    }

    /// Where the records whose secret was read as hex (and converted to
    /// base32) are: `line N` or `record N`. Many strings read both ways,
    /// so an import of these needs the operator's explicit yes.
    pub fn converted(&self) -> Vec<String> {
        self.file
            .accepted
            .iter()
            .filter(|c| c.record.hex_converted)
            .map(|c| c.record.place.to_string())
            .collect()
    }
}

/// What an import would do with one record.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Plan {
    /// Created (and assigned to the file's user, if any).
    Create,
    /// A token with this serial is in the inventory already: left alone.
    Skip { inventory_id: String },
    /// The user the file names cannot take a token (or is unknown).
    Refuse { reason: String },
}

/// One record as the preview shows it: never its secret.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreviewItem {
    /// `line N` or `record N`.
    pub place: String,
    pub serial: String,
    pub manufacturer: String,
    pub model: String,
    pub user: Option<String>,
    pub algorithm: Algorithm,
    pub period: u64,
    pub warnings: Vec<String>,
    pub plan: Plan,
}

/// What an import of the file would do, record by record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Preview {
    pub format: &'static str,
    /// The file came OpenPGP-encrypted (decrypted in memory only).
    pub encrypted: bool,
    pub items: Vec<PreviewItem>,
}

/// The preview of `plan` against the tenant: each serial looked up, each
/// user checked. Reads only; nothing is written.
pub fn preview(tenant: &dyn Directory, plan: &SeedPlan) -> Result<Preview, StationError> {
    Ok(planned(tenant, plan)?.0)
}

/// The preview, with the users found for the records to create.
fn planned(
    tenant: &dyn Directory,
    plan: &SeedPlan,
) -> Result<(Preview, Vec<Option<UserFacts>>), StationError> {
    let mut items = Vec::new();
    let mut users = Vec::new();
    for c in &plan.file.accepted {
        let (plan, user) = plan_for(tenant, c)?;
        items.push(item(c, plan));
        users.push(user);
    }
    let preview = Preview {
        format: plan.file.format.name(),
        encrypted: plan.file.encrypted,
        items,
    };
    Ok((preview, users))
}

/// What to do with `c`: a lookup that fails stops the preview (the
/// tenant cannot be read), a user who cannot take a token refuses it.
fn plan_for(
    tenant: &dyn Directory,
    c: &Checked,
) -> Result<(Plan, Option<UserFacts>), StationError> {
    if let Some(listed) = tenant.find_by_serial(&c.record.serial)? {
        return Ok((
            Plan::Skip {
                inventory_id: listed.id,
            },
            None,
        ));
    }
    match c.record.user.as_deref().map(|u| assignee(tenant, u)) {
        None => Ok((Plan::Create, None)),
        Some(Ok(user)) => Ok((Plan::Create, Some(user))),
        Some(Err(StationError::Directory { failure, .. }))
            if failure.kind != crate::ports::DirectoryFailureKind::Transient =>
        {
            Ok((
                Plan::Refuse {
                    reason: failure.message,
                },
                None,
            ))
        }
        Some(Err(StationError::BadInput(reason))) => Ok((Plan::Refuse { reason }, None)),
        Some(Err(e)) => Err(e),
    }
}

fn item(c: &Checked, plan: Plan) -> PreviewItem {
    let r = &c.record;
    PreviewItem {
        place: r.place.to_string(),
        serial: r.serial.clone(),
        manufacturer: r.manufacturer.clone(),
        model: r.model.clone(),
        user: r.user.clone(),
        algorithm: r.params.algorithm,
        period: r.params.period,
        warnings: c.warnings.clone(),
        plan,
    }
}

//! Delete a seed from a token: a Molto2 slot, a YKOATH credential, a PIN+
//! key's entry. The place must be one the token lists as holding a seed —
//! checked before anything is sent, so a typo never deletes the wrong one —
//! and the deletion is audited whatever its outcome. Entra is not touched:
//! a registration made from this seed stays until it is deleted in
//! Inventory (the outcome says so).

use serde::Serialize;

use super::burn::{open_token, where_};
use super::progress::Quiet;
use crate::StationError;
use crate::audit::{AuditAction, AuditEntry, Outcome};
use crate::ports::{LabelKind, Placement, Readers, Slot, Token, TokenFacts};
use crate::station::Station;

/// Which seed to delete, and from which reader's token.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct DeleteRequest {
    /// The reader (default: the one with a token on it).
    #[serde(default)]
    pub reader: Option<String>,
    /// The slot number (Molto2) or the name as listed (YKOATH, PIN+).
    pub place: Placement,
}

#[derive(Debug, Clone, Serialize)]
pub struct Deleted {
    pub token: TokenFacts,
    /// "slot 7" / "credential Contoso:jane".
    pub place: String,
    /// The serial Entra would know this seed by: a registration under it
    /// no longer matches any seed on the token.
    pub directory_serial: String,
}

/// Deletes the seed at `request.place`; refused, with nothing sent, when
/// the token does not list a seed there or cannot delete.
pub fn delete_seed(
    station: &Station,
    readers: &dyn Readers,
    request: &DeleteRequest,
) -> Result<Deleted, StationError> {
    let mut token = open_token(readers, request.reader.as_deref(), &mut Quiet)?;
    let place = held_place(token.as_mut(), &request.place)?;
    let result = token.delete(&place);
    let facts = token.facts().clone();
    let described = where_(&place).unwrap_or_else(|| "the seed".into());
    station.audit(AuditEntry {
        action: AuditAction::DeleteSeed,
        serial: Some(facts.serial.clone()),
        model: Some(facts.model.clone()),
        outcome: Outcome::of(&result),
        detail: Some(described.clone()),
        ..Default::default()
    })?;
    result.map_err(StationError::Token)?;
    Ok(Deleted {
        directory_serial: facts.directory_serial(place.slot),
        token: facts,
        place: described,
    })
}

/// `asked`, checked against what the token lists as holding a seed.
fn held_place(token: &mut dyn Token, asked: &Placement) -> Result<Placement, StationError> {
    let facts = token.facts().clone();
    let refuse = |why: String| StationError::BadInput(format!("{why}; nothing was deleted."));
    let listed = token.slots().map_err(StationError::Token)?;
    let held = |s: &&Slot| s.used != Some(false);
    if facts.limits.numbered_slots {
        let Some(slot) = asked.slot else {
            return Err(refuse("say which slot to delete".into()));
        };
        if !listed.iter().filter(held).any(|s| s.index == Some(slot)) {
            return Err(refuse(format!(
                "slot {slot} of {} holds no seed",
                facts.serial
            )));
        }
        return Ok(Placement {
            slot: Some(slot),
            ..Default::default()
        });
    }
    if facts.limits.label != LabelKind::Name {
        return Err(refuse(format!(
            "the {} holds one seed and cannot delete it: burn a new one over it",
            facts.model
        )));
    }
    let Some(name) = asked
        .label
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    else {
        return Err(refuse("say which credential to delete, by its name".into()));
    };
    if !listed.iter().any(|s| s.label.as_deref() == Some(name)) {
        return Err(refuse(format!(
            "{} holds no credential named \"{name}\" (it holds {})",
            facts.serial,
            names(&listed)
        )));
    }
    Ok(Placement {
        label: Some(name.to_string()),
        ..Default::default()
    })
}

/// The names a token lists, for an error.
fn names(listed: &[Slot]) -> String {
    let names: Vec<&str> = listed.iter().filter_map(|s| s.label.as_deref()).collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

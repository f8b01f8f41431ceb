//! What Entra takes, checked on every record before any Graph call:
//! a base32 secret of 80 to 640 bits (up to 128 characters), SHA-1 or
//! SHA-256, 30 or 60 seconds, 6 digits, names present, each serial once.

use std::collections::HashMap;

use oathdesk_otp::Algorithm;

use crate::{Format, Place, Record, SeedError, SeedFile};

/// Entra holds secrets of at most 128 base32 characters.
pub const MAX_SECRET_BYTES: usize = 80;
/// OathDesk's floor (Entra's own QR carries 80 bits).
const MIN_SECRET_BYTES: usize = 10;

/// A record Entra would take, and what the operator should know.
#[derive(Debug)]
pub struct Checked {
    pub record: Record,
    /// E.g. "hex secret converted to base32".
    pub warnings: Vec<String>,
}

/// A file whose records have all been checked.
#[derive(Debug)]
pub struct CheckedFile {
    pub format: Format,
    pub encrypted: bool,
    pub accepted: Vec<Checked>,
    /// Records refused (unreadable or not what Entra takes), in file order.
    pub refused: Vec<SeedError>,
}

/// Checks every record of `file`; the first of two records with one
/// serial is kept, the second refused naming the first.
pub fn check(file: SeedFile) -> CheckedFile {
    let mut out = CheckedFile {
        format: file.format,
        encrypted: file.encrypted,
        accepted: Vec::new(),
        refused: file.refused,
    };
    let mut seen: HashMap<String, Place> = HashMap::new();
    for record in file.records {
        let first = seen.get(&record.serial).copied();
        seen.entry(record.serial.clone()).or_insert(record.place);
        let verdict = refusal(&record).or_else(|| {
            first.map(|at| format!("serial {} is also at {at}: each token once", record.serial))
        });
        match verdict {
            Some(why) => out.refused.push(SeedError::at(record.place, why)),
            None => {
                out.accepted.push(Checked {
                    warnings: warnings(&record),
                    record,
                });
            }
        }
    }
    out.refused.sort_by_key(|e| e.place.map(order));
    out
}

fn order(p: Place) -> usize {
    match p {
        Place::Line(n) => n as usize,
        Place::Record(n) => n,
    }
}

/// Why Entra would refuse `r`, if it would.
fn refusal(r: &Record) -> Option<String> {
    let p = &r.params;
    let missing = [
        ("serial", &r.serial),
        ("manufacturer", &r.manufacturer),
        ("model", &r.model),
    ]
    .into_iter()
    .find(|(_, v)| v.trim().is_empty());
    if let Some(why) = &r.not_totp {
        Some(why.clone())
    } else if let Some((what, _)) = missing {
        Some(format!("the {what} is empty"))
    } else if !(MIN_SECRET_BYTES..=MAX_SECRET_BYTES).contains(&r.secret.len()) {
        Some(format!(
            "the secret is {} bits; Entra holds {} to {} bits (up to 128 base32 characters)",
            r.secret.bits(),
            MIN_SECRET_BYTES * 8,
            MAX_SECRET_BYTES * 8
        ))
    } else if !matches!(p.algorithm, Algorithm::Sha1 | Algorithm::Sha256) {
        Some(format!(
            "Entra accepts SHA-1 or SHA-256 tokens, not {}",
            p.algorithm
        ))
    } else if p.period != 30 && p.period != 60 {
        Some(format!(
            "Entra accepts 30 or 60 second tokens, not {} s",
            p.period
        ))
    } else if p.digits != 6 {
        Some(format!(
            "Entra's hardware tokens show 6 digits, not {}",
            p.digits
        ))
    } else {
        None
    }
}

fn warnings(r: &Record) -> Vec<String> {
    let mut w = Vec::new();
    if r.hex_converted {
        w.push("hex secret converted to base32".to_string());
    }
    w
}

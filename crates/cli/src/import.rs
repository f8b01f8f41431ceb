//! `inventory import`: Entra's legacy hardware-token CSV. Every row is read
//! and checked before anything is sent, a serial already in the inventory
//! is skipped (never overwritten), and secrets stay in zeroizing memory.

use std::path::Path;

use oathdesk_entra::{GraphClient, NewHardwareOathDevice};
use oathdesk_otp::{Algorithm, CodeParams, Secret, parse_base32};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::output::CliError;

struct Row {
    line: usize,
    upn: Option<String>,
    serial: String,
    secret: Secret,
    period: u64,
    manufacturer: String,
    model: String,
}

#[derive(Serialize, Default)]
pub struct ImportReport {
    pub created: Vec<String>,
    pub skipped: Vec<String>,
    pub refused: Vec<String>,
}

/// Column positions by header name; vendors write `timeinterval` too.
fn column(headers: &csv::StringRecord, names: &[&str]) -> Option<usize> {
    headers
        .iter()
        .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
}

fn read_rows(path: &Path) -> Result<Vec<Row>, CliError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| CliError::input("csv", format!("cannot read {}: {e}", path.display())))?;
    let headers = reader
        .headers()
        .map_err(|e| CliError::input("csv", e.to_string()))?
        .clone();
    let need = |names: &[&str]| {
        column(&headers, names)
            .ok_or_else(|| CliError::input("csv", format!("the CSV has no {:?} column", names[0])))
    };
    let (upn, serial, secret, interval) = (
        need(&["upn"])?,
        need(&["serial number", "serialnumber"])?,
        need(&["secret key", "secretkey"])?,
        need(&["time interval", "timeinterval"])?,
    );
    let (manufacturer, model) = (need(&["manufacturer"])?, need(&["model"])?);
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let r = record.map_err(|e| CliError::input("csv", format!("line {line}: {e}")))?;
        let field = |c: usize| r.get(c).unwrap_or("").trim().to_string();
        let text = Zeroizing::new(field(secret));
        let secret = parse_base32(&text)
            .map_err(|e| CliError::input("csv", format!("line {line}: the secret key: {e}")))?;
        let period: u64 = field(interval)
            .parse()
            .ok()
            .filter(|p| *p == 30 || *p == 60)
            .ok_or_else(|| {
                CliError::input(
                    "csv",
                    format!("line {line}: the time interval must be 30 or 60"),
                )
            })?;
        let serial = field(serial);
        if serial.is_empty() {
            return Err(CliError::input(
                "csv",
                format!("line {line}: the serial number is empty"),
            ));
        }
        let upn = Some(field(upn)).filter(|u| !u.is_empty());
        rows.push(Row {
            line,
            upn,
            serial,
            secret,
            period,
            manufacturer: field(manufacturer),
            model: field(model),
        });
    }
    Ok(rows)
}

pub fn import_csv(g: &GraphClient, path: &Path) -> Result<ImportReport, CliError> {
    let rows = read_rows(path)?;
    let mut report = ImportReport::default();
    for row in rows {
        if g.find_by_serial(&row.serial)?.is_some() {
            report.skipped.push(format!(
                "line {}: {} is already in the inventory",
                row.line, row.serial
            ));
            continue;
        }
        let user = match &row.upn {
            Some(upn) => match g.user(upn) {
                Ok(u) => Some(u.id),
                Err(e) => {
                    report.refused.push(format!(
                        "line {}: {upn}: {} {}",
                        row.line,
                        e.message,
                        e.next_step()
                    ));
                    continue;
                }
            },
            None => None,
        };
        let new = NewHardwareOathDevice {
            serial_number: &row.serial,
            manufacturer: &row.manufacturer,
            model: &row.model,
            secret: &row.secret,
            // The legacy CSV is SHA-1 only.
            params: CodeParams {
                algorithm: Algorithm::Sha1,
                digits: 6,
                period: row.period,
            },
            display_name: None,
            assign_to: user.as_deref(),
        };
        match g.create_device(&new) {
            Ok(d) => report.created.push(d.id),
            Err(e) => report.refused.push(format!(
                "line {}: {}: {} {}",
                row.line,
                row.serial,
                e.message,
                e.next_step()
            )),
        }
    }
    Ok(report)
}

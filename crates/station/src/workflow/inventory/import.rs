//! Import of Entra's legacy hardware-token CSV (`upn,serial number,secret
//! key,time interval,manufacturer,model`; vendors write `timeinterval`).
//! Every row is read and checked before anything is sent, a serial already
//! in the inventory is skipped (never overwritten), and secrets stay in
//! zeroizing memory. Each token Entra is asked to create leaves one audit
//! record, created or refused.

use std::io::Read;

use oathdesk_otp::{Algorithm, CodeParams, Secret, parse_base32};
use serde::Serialize;
use zeroize::Zeroizing;

use super::{assignee, checked, register};
use crate::StationError;
use crate::audit::AuditAction;
use crate::ports::{Directory, NewDevice};
use crate::station::Station;

/// What became of each row, in file order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportReport {
    /// Inventory ids of the tokens created.
    pub created: Vec<String>,
    /// Rows whose serial was already in the inventory.
    pub skipped: Vec<String>,
    /// Rows Entra (or the user check) refused, with the reason.
    pub refused: Vec<String>,
}

struct Row {
    line: usize,
    upn: Option<String>,
    serial: String,
    secret: Secret,
    period: u64,
    manufacturer: String,
    model: String,
}

impl Row {
    fn device(&self) -> NewDevice<'_> {
        NewDevice {
            serial: &self.serial,
            manufacturer: &self.manufacturer,
            model: &self.model,
            secret: &self.secret,
            // The legacy CSV is SHA-1 only.
            params: CodeParams {
                algorithm: Algorithm::Sha1,
                digits: 6,
                period: self.period,
            },
            assign_to: None,
        }
    }
}

/// Reads every row of `csv`, then creates the tokens it lists. A bad row
/// stops the import before anything is sent.
pub fn import_csv(
    station: &Station,
    tenant: &dyn Directory,
    csv: impl Read,
) -> Result<ImportReport, StationError> {
    let rows = read_rows(csv)?;
    let mut report = ImportReport::default();
    for row in &rows {
        import_row(station, tenant, row, &mut report)?;
    }
    Ok(report)
}

/// Files `row` under created, skipped or refused. Only a failure to keep
/// the audit log stops the import.
fn import_row(
    station: &Station,
    tenant: &dyn Directory,
    row: &Row,
    report: &mut ImportReport,
) -> Result<(), StationError> {
    let refused = |what: &str, e: StationError| format!("line {}: {what}: {e}", row.line);
    match tenant.find_by_serial(&row.serial) {
        Ok(None) => {}
        Ok(Some(_)) => {
            report.skipped.push(format!(
                "line {}: {} is already in the inventory",
                row.line, row.serial
            ));
            return Ok(());
        }
        Err(f) => {
            report.refused.push(refused(&row.serial, f.into()));
            return Ok(());
        }
    }
    let user = match row.upn.as_deref().map(|upn| (upn, assignee(tenant, upn))) {
        None => None,
        Some((_, Ok(user))) => Some(user),
        Some((upn, Err(e))) => {
            report.refused.push(refused(upn, e));
            return Ok(());
        }
    };
    let device = row.device();
    match register(station, tenant, &device, user.as_ref(), AuditAction::Import) {
        Ok(created) => report.created.push(created.id),
        Err(e @ StationError::Directory { .. }) => report.refused.push(refused(&row.serial, e)),
        Err(other) => return Err(other),
    }
    Ok(())
}

/// Column positions by header name; vendors write `timeinterval` too.
fn column(headers: &csv::StringRecord, names: &[&str]) -> Result<usize, StationError> {
    headers
        .iter()
        .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
        .ok_or_else(|| StationError::BadInput(format!("the CSV has no {:?} column", names[0])))
}

struct Columns {
    upn: usize,
    serial: usize,
    secret: usize,
    interval: usize,
    manufacturer: usize,
    model: usize,
}

impl Columns {
    fn of(headers: &csv::StringRecord) -> Result<Columns, StationError> {
        Ok(Columns {
            upn: column(headers, &["upn"])?,
            serial: column(headers, &["serial number", "serialnumber"])?,
            secret: column(headers, &["secret key", "secretkey"])?,
            interval: column(headers, &["time interval", "timeinterval"])?,
            manufacturer: column(headers, &["manufacturer"])?,
            model: column(headers, &["model"])?,
        })
    }
}

/// Reads and checks every row of `csv` without sending anything: the
/// number of tokens it lists, or the first bad line. What an import would
/// refuse, this refuses.
pub fn check_csv(csv: impl Read) -> Result<usize, StationError> {
    read_rows(csv).map(|rows| rows.len())
}

fn read_rows(csv: impl Read) -> Result<Vec<Row>, StationError> {
    let bad = |e: csv::Error| StationError::BadInput(format!("the CSV cannot be read: {e}"));
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(csv);
    let columns = Columns::of(reader.headers().map_err(bad)?)?;
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let at_line = |e: StationError| StationError::BadInput(format!("line {line}: {e}"));
        let record = record.map_err(|e| at_line(bad(e)))?;
        rows.push(read_row(line, &record, &columns).map_err(at_line)?);
    }
    Ok(rows)
}

fn read_row(line: usize, r: &csv::StringRecord, c: &Columns) -> Result<Row, StationError> {
    let field = |i: usize| r.get(i).unwrap_or("").trim().to_string();
    let text = Zeroizing::new(field(c.secret));
    let secret =
        parse_base32(&text).map_err(|e| StationError::BadInput(format!("the secret key: {e}")))?;
    let period = field(c.interval)
        .parse()
        .ok()
        .filter(|p| *p == 30 || *p == 60)
        .ok_or_else(|| StationError::BadInput("the time interval must be 30 or 60".into()))?;
    let row = Row {
        line,
        upn: Some(field(c.upn)).filter(|u| !u.is_empty()),
        serial: field(c.serial),
        secret,
        period,
        manufacturer: field(c.manufacturer),
        model: field(c.model),
    };
    checked(&row.device())?;
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "upn,serial number,secret key,timeinterval,manufacturer,model\n";

    fn rows(body: &str) -> Result<Vec<Row>, StationError> {
        read_rows(format!("{HEADER}{body}").as_bytes())
    }

    #[test]
    fn reads_the_vendors_columns() {
        let read =
            rows("jane@contoso.com,S1,JBSWY3DPEHPK3PXP,60,Token2,C302-i\n,S2,JBSWY3DPEHPK3PXP,30,Token2,C302-i\n")
                .unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].upn.as_deref(), Some("jane@contoso.com"));
        assert_eq!((read[0].period, read[1].upn.as_deref()), (60, None));
    }

    #[test]
    fn a_bad_row_names_its_line_and_not_its_secret() {
        let cases = [
            (",S1,JBSWY3DPEHPK3PXP,45,T,M\n", "time interval"),
            (",,JBSWY3DPEHPK3PXP,30,T,M\n", "serial"),
            (",S1,JBSWY3DPEHPK3PXP,30,T,\n", "model"),
            (",S1,not-base32!,30,T,M\n", "secret key"),
        ];
        for (body, says) in cases {
            let e = rows(body).err().expect(body).to_string();
            assert!(e.starts_with("line 2: ") && e.contains(says), "{e}");
            assert!(!e.contains("JBSWY3DP"), "{e}");
        }
    }

    #[test]
    fn a_missing_column_is_named() {
        let e = read_rows("upn,serial number\n".as_bytes()).err().unwrap();
        assert!(e.to_string().contains("secret key"), "{e}");
    }
}

//! Entra's legacy CSV (`upn,serial number,secret key,time interval,
//! manufacturer,model`; vendors write `timeinterval`) and Token2's CSV
//! (the same columns with `upn` optional, hex seeds, and a hash column
//! for SHA-256 models). Columns are found by header name, in any order.

use oathdesk_otp::{Algorithm, CodeParams};
use zeroize::Zeroizing;

use crate::fields::{self, Prefer};
use crate::{Place, Record, SeedError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Entra,
    Token2,
}

pub(crate) const UPN: &[&str] = &["upn"];
pub(crate) const SERIAL: &[&str] = &["serial number", "serialnumber", "serial"];
pub(crate) const SECRET: &[&str] = &["secret key", "secretkey", "seed", "secret"];
pub(crate) const INTERVAL: &[&str] = &["time interval", "timeinterval", "period"];
pub(crate) const HASH: &[&str] = &["hash function", "hashfunction", "hash", "algorithm"];
const MANUFACTURER: &[&str] = &["manufacturer"];
const MODEL: &[&str] = &["model"];
const DISPLAY_NAME: &[&str] = &["display name", "displayname"];

/// Where each column is; `None` for an optional column the file lacks.
struct Columns {
    upn: Option<usize>,
    serial: usize,
    secret: usize,
    interval: usize,
    manufacturer: Option<usize>,
    model: usize,
    hash: Option<usize>,
    display_name: Option<usize>,
}

/// The position of the first header matching one of `names`.
pub(crate) fn position(headers: &csv::StringRecord, names: &[&str]) -> Option<usize> {
    headers
        .iter()
        .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
}

fn required(headers: &csv::StringRecord, names: &[&str]) -> Result<usize, SeedError> {
    position(headers, names)
        .ok_or_else(|| SeedError::file(format!("the CSV has no {:?} column", names[0])))
}

impl Columns {
    fn of(h: &csv::StringRecord, dialect: Dialect) -> Result<Columns, SeedError> {
        let entra = dialect == Dialect::Entra;
        Ok(Columns {
            upn: if entra {
                Some(required(h, UPN)?)
            } else {
                position(h, UPN)
            },
            serial: required(h, SERIAL)?,
            secret: required(h, SECRET)?,
            interval: required(h, INTERVAL)?,
            manufacturer: if entra {
                Some(required(h, MANUFACTURER)?)
            } else {
                position(h, MANUFACTURER)
            },
            model: required(h, MODEL)?,
            // Entra's CSV is SHA-1 only: a hash column there is not read.
            hash: if entra { None } else { position(h, HASH) },
            display_name: position(h, DISPLAY_NAME),
        })
    }
}

/// Every row of `bytes`, each read or refused with its line.
pub(crate) fn read(
    bytes: &[u8],
    dialect: Dialect,
) -> Result<Vec<Result<Record, SeedError>>, SeedError> {
    let bad = |e: csv::Error| SeedError::file(format!("the CSV cannot be read: {e}"));
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let columns = Columns::of(reader.headers().map_err(bad)?, dialect)?;
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut line = 1;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                line = record.position().map_or(line + 1, |p| p.line());
                if record.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                let place = Place::Line(line);
                rows.push(
                    row(&record, &columns, dialect)
                        .map_err(|m| SeedError::at(place, m))
                        .map(|mut r| {
                            r.place = place;
                            r
                        }),
                );
            }
            Err(e) => {
                line += 1;
                rows.push(Err(SeedError::at(
                    Place::Line(line),
                    format!("the row cannot be read: {}", csv_reason(&e)),
                )));
                if !matches!(
                    e.kind(),
                    csv::ErrorKind::Utf8 { .. } | csv::ErrorKind::UnequalLengths { .. }
                ) {
                    break;
                }
            }
        }
    }
    Ok(rows)
}

/// The csv crate's reason without its position (ours says the line).
fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "it is not UTF-8 text".into(),
        csv::ErrorKind::Io(_) => "it could not be read".into(),
        _ => "it is not well-formed CSV".into(),
    }
}

fn row(r: &csv::StringRecord, c: &Columns, dialect: Dialect) -> Result<Record, String> {
    let field = |i: usize| r.get(i).unwrap_or("").trim();
    let opt = |i: Option<usize>| i.and_then(|i| fields::optional(field(i)));
    let prefer = match dialect {
        Dialect::Entra => Prefer::Base32,
        Dialect::Token2 => Prefer::Hex,
    };
    let text = Zeroizing::new(field(c.secret).to_string());
    let (secret, hex_converted) = fields::secret(&text, prefer)?;
    let algorithm = match opt(c.hash) {
        Some(h) => fields::algorithm(&h)?,
        None => Algorithm::Sha1,
    };
    Ok(Record {
        place: Place::Line(0),
        serial: field(c.serial).to_string(),
        manufacturer: opt(c.manufacturer).unwrap_or_else(|| default_manufacturer(dialect)),
        model: field(c.model).to_string(),
        secret,
        params: CodeParams {
            algorithm,
            digits: 6,
            period: fields::period(field(c.interval))?,
        },
        user: opt(c.upn),
        display_name: opt(c.display_name),
        hex_converted,
        not_totp: None,
    })
}

/// Token2's own file may leave the manufacturer out; Entra's must not.
fn default_manufacturer(dialect: Dialect) -> String {
    match dialect {
        Dialect::Token2 => "Token2".into(),
        Dialect::Entra => String::new(),
    }
}

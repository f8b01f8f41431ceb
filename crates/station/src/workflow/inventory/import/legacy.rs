//! The legacy entry points, kept for their callers: Entra's CSV only.

use std::io::Read;

use oathdesk_seedfile::{Format, Keys};

use super::{ImportReport, import, read_seed_file};
use crate::StationError;
use crate::ports::Directory;
use crate::station::Station;

fn bytes(mut csv: impl Read) -> Result<Vec<u8>, StationError> {
    let mut buf = Vec::new();
    csv.read_to_end(&mut buf)
        .map_err(|e| StationError::BadInput(format!("the CSV cannot be read: {e}")))?;
    Ok(buf)
}

fn no_keys(bytes: &[u8]) -> Result<super::SeedPlan, StationError> {
    let mut none = |_| None;
    let mut keys = Keys {
        pskc_key: None,
        pgp_secret_key: None,
        passphrase: &mut none,
    };
    read_seed_file(bytes, Some(Format::EntraCsv), &mut keys)
}

/// Reads every row of Entra's legacy CSV, then creates the tokens it
/// lists. A bad row stops the import before anything is sent, and so
/// does a hex secret (see [`import`]'s `accept_converted`).
pub fn import_csv(
    station: &Station,
    tenant: &dyn Directory,
    csv: impl Read,
) -> Result<ImportReport, StationError> {
    let buf = zeroize::Zeroizing::new(bytes(csv)?);
    import(station, tenant, &no_keys(&buf)?, false)
}

/// Reads and checks every row of `csv` without sending anything: the
/// number of tokens it lists, or the bad lines. What an import would
/// refuse, this refuses.
pub fn check_csv(csv: impl Read) -> Result<usize, StationError> {
    let buf = zeroize::Zeroizing::new(bytes(csv)?);
    no_keys(&buf).map(|plan| plan.len())
}

//! Vendors' seed files for factory-seeded TOTP tokens, read without I/O:
//! bytes in, typed records out. The station reads the file and asks for
//! keys and passphrases; this crate only decodes, decrypts in memory and
//! checks, so the same code serves the CLI, the window and the fuzzers.
//!
//! Formats (detected from content, or named): Token2's JSON (Graph's
//! hardware-token objects), Token2's CSV, Entra's legacy CSV and PSKC
//! (RFC 6030), any of them OpenPGP-encrypted. Every record is then checked
//! against what Entra takes ([`check`]) before anything is sent anywhere.
//!
//! Secrets live in [`Secret`] (zeroizing); no error, warning or `Debug`
//! output carries one.

mod check;
mod csv_formats;
mod detect;
mod error;
mod fields;
mod openpgp;
mod pskc;
mod record;
mod token2_json;

pub use check::{Checked, CheckedFile, MAX_SECRET_BYTES, check};
pub use detect::detect;
pub use error::{KeyIssue, Place, SeedError};
pub use pskc::pskc_key_from_file;
pub use record::{Format, Record, SeedFile};

use zeroize::Zeroizing;

/// What a passphrase is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// The operator's OpenPGP secret key, to decrypt the file.
    OpenPgpKey,
    /// A PSKC file whose key is derived from a passphrase (RFC 6030 §6.2).
    Pskc,
}

/// The keys a file may need, and a way to ask for a passphrase only when
/// it does (so a plain file never prompts).
pub struct Keys<'a> {
    /// A PSKC pre-shared AES key (16 or 32 bytes).
    pub pskc_key: Option<&'a [u8]>,
    /// The operator's OpenPGP secret key (armoured or binary).
    pub pgp_secret_key: Option<&'a [u8]>,
    /// Asked for a passphrase when one is needed; `None` when there is none.
    pub passphrase: &'a mut dyn FnMut(Ask) -> Option<Zeroizing<String>>,
}

impl Keys<'_> {
    fn ask(&mut self, what: Ask) -> Result<Zeroizing<String>, SeedError> {
        (self.passphrase)(what).ok_or_else(|| match what {
            Ask::OpenPgpKey => SeedError::key(
                KeyIssue::PgpPassphraseMissing,
                "the OpenPGP secret key needs its passphrase",
            ),
            Ask::Pskc => SeedError::key(
                KeyIssue::PskcPassphraseMissing,
                "the PSKC file is protected by a passphrase; none was given",
            ),
        })
    }
}

/// Reads a seed file: decrypts it in memory if it is OpenPGP, detects the
/// format unless `format` names it, and parses every record. Structural
/// problems (not a seed file, a wrong key, a MAC mismatch) fail the whole
/// file; a bad record is kept in [`SeedFile::refused`] with its place.
pub fn read(
    bytes: &[u8],
    format: Option<Format>,
    keys: &mut Keys<'_>,
) -> Result<SeedFile, SeedError> {
    if openpgp::is_openpgp(bytes) {
        let plain = openpgp::decrypt(bytes, keys)?;
        if openpgp::is_openpgp(&plain) {
            return Err(SeedError::file(
                "the decrypted file is OpenPGP again; decrypt it once by hand",
            ));
        }
        let mut file = parse(&plain, format, keys)?;
        file.encrypted = true;
        return Ok(file);
    }
    parse(bytes, format, keys)
}

/// Parses plain bytes as `format` (or the detected one).
fn parse(bytes: &[u8], format: Option<Format>, keys: &mut Keys<'_>) -> Result<SeedFile, SeedError> {
    let format = match format {
        Some(f) => f,
        None => detect(bytes).ok_or_else(|| {
            SeedError::file(
                "this is not a seed file OathDesk reads (Token2 JSON or CSV, Entra's CSV, PSKC, or any of them OpenPGP-encrypted)",
            )
        })?,
    };
    let entries = match format {
        Format::EntraCsv => csv_formats::read(bytes, csv_formats::Dialect::Entra)?,
        Format::Token2Csv => csv_formats::read(bytes, csv_formats::Dialect::Token2)?,
        Format::Token2Json => token2_json::read(bytes)?,
        Format::Pskc => pskc::read(bytes, keys)?,
    };
    Ok(SeedFile::from_entries(format, entries))
}

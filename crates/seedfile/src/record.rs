//! What a seed file holds, once read: one [`Record`] per token.

use std::str::FromStr;

use oathdesk_otp::{CodeParams, Secret};

use crate::{Place, SeedError};

/// The seed-file formats OathDesk reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// `upn,serial number,secret key,time interval,manufacturer,model`.
    EntraCsv,
    /// Token2's CSV: Entra's columns, `upn` optional, hex secrets, and a
    /// hash column for SHA-256 models.
    Token2Csv,
    /// Token2's JSON: an array of Graph hardware-token objects.
    Token2Json,
    /// RFC 6030 Portable Symmetric Key Container.
    Pskc,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::EntraCsv => "entra-csv",
            Format::Token2Csv => "token2-csv",
            Format::Token2Json => "token2-json",
            Format::Pskc => "pskc",
        }
    }
}

impl FromStr for Format {
    type Err = SeedError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            Format::EntraCsv,
            Format::Token2Csv,
            Format::Token2Json,
            Format::Pskc,
        ]
        .into_iter()
        .find(|f| f.name().eq_ignore_ascii_case(s.trim()))
        .ok_or_else(|| {
            SeedError::file(format!(
                "no seed-file format is called {s:?}; use auto, entra-csv, token2-json, token2-csv or pskc"
            ))
        })
    }
}

/// One token as the file describes it. `Debug` shows no secret.
#[derive(Debug)]
pub struct Record {
    pub place: Place,
    pub serial: String,
    pub manufacturer: String,
    pub model: String,
    pub secret: Secret,
    pub params: CodeParams,
    /// The user (UPN or object id) the file assigns the token to.
    pub user: Option<String>,
    pub display_name: Option<String>,
    /// The file wrote the secret in hex; it was converted (Entra wants
    /// base32), which the preview says.
    pub hex_converted: bool,
    /// PSKC only: the key is not time-based (e.g. HOTP), which Entra refuses.
    pub not_totp: Option<String>,
}

/// A whole file, read.
#[derive(Debug)]
pub struct SeedFile {
    pub format: Format,
    /// It came OpenPGP-encrypted (and was decrypted in memory).
    pub encrypted: bool,
    /// Records read, in file order.
    pub records: Vec<Record>,
    /// Records that could not be read, with where and why.
    pub refused: Vec<SeedError>,
}

impl SeedFile {
    pub(crate) fn from_entries(format: Format, entries: Vec<Result<Record, SeedError>>) -> Self {
        let mut file = SeedFile {
            format,
            encrypted: false,
            records: Vec::new(),
            refused: Vec::new(),
        };
        for e in entries {
            match e {
                Ok(r) => file.records.push(r),
                Err(e) => file.refused.push(e),
            }
        }
        file
    }
}

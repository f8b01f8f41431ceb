//! Import of a vendor's seed file from the window: preview, then import.
//! Stateless: both commands get the file's bytes (and any key file and
//! passphrase) from the window and read and check the file again, so no
//! secret is kept between them and none goes back to the window (the
//! preview and the report carry none). The bytes, keys and passphrases
//! are zeroized when the command is done; nothing here logs them. The
//! station checks every record before Graph is called and audits each
//! token it asks Entra to create.

use std::cell::Cell;

use oathdesk_station::workflow::inventory::{
    self, Ask, ImportReport, Preview, SeedFileError, SeedFormat, SeedKeyIssue, SeedKeys, SeedPlan,
    pskc_key_from_file,
};
use serde::Deserialize;
use tauri::State;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::context::{AppState, blocking};
use crate::error::{AppError, CommandResult};

/// A seed file as the window sends it. Never `Debug`; zeroized on drop.
#[derive(Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(rename_all = "camelCase")]
pub struct SeedFileInput {
    /// The file's bytes, as read in the window.
    bytes: Vec<u8>,
    /// `auto` (or none) to detect it, else `token2-json`, `token2-csv`,
    /// `entra-csv` or `pskc`.
    #[serde(default)]
    format: Option<String>,
    /// The PSKC pre-shared AES key file's bytes (hex or raw).
    #[serde(default)]
    pskc_key: Option<Vec<u8>>,
    /// The operator's OpenPGP secret key file's bytes.
    #[serde(default)]
    pgp_key: Option<Vec<u8>>,
    #[serde(default)]
    pgp_passphrase: Option<String>,
    #[serde(default)]
    pskc_passphrase: Option<String>,
}

/// What an import of the file would do, record by record; nothing written.
#[tauri::command]
pub async fn import_preview(
    state: State<'_, AppState>,
    file: SeedFileInput,
) -> CommandResult<Preview> {
    blocking(&state, move |d| {
        let plan = read(&file)?;
        drop(file);
        Ok(inventory::preview(d.tenant(), &plan)?)
    })
    .await
}

/// Imports the file: refused before Graph is called while any secret was
/// converted from hex and the operator has not said they checked them.
#[tauri::command]
pub async fn import_seed_file(
    state: State<'_, AppState>,
    file: SeedFileInput,
    accept_converted: bool,
) -> CommandResult<ImportReport> {
    blocking(&state, move |d| {
        let plan = read(&file)?;
        drop(file);
        needs_no_yes(&plan, accept_converted)?;
        Ok(inventory::import(
            &d.station,
            d.tenant(),
            &plan,
            accept_converted,
        )?)
    })
    .await
}

/// The window's own words for the station's refusal of unaccepted hex
/// secrets (the station's name the CLI's flag).
fn needs_no_yes(plan: &SeedPlan, accept_converted: bool) -> CommandResult<()> {
    let converted = plan.converted();
    if accept_converted || converted.is_empty() {
        return Ok(());
    }
    Err(AppError::bad_input(
        format!(
            "{} read as hex and converted to base32 ({}); nothing was sent.",
            if converted.len() == 1 {
                "One secret was".to_string()
            } else {
                format!("{} secrets were", converted.len())
            },
            converted.join(", ")
        ),
        "Check those records in the preview, tick \"I checked the converted hex secrets\", then import.",
    ))
}

fn format_of(text: Option<&str>) -> CommandResult<Option<SeedFormat>> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(f) if f.eq_ignore_ascii_case("auto") => Ok(None),
        Some(f) => f.parse::<SeedFormat>().map(Some).map_err(|e| {
            AppError::bad_input(e.to_string(), "Choose the file's format, or Automatic.")
        }),
    }
}

/// Reads and checks the file with the keys and passphrases given; an empty
/// field counts as not given, so the error says what is needed.
fn read(input: &SeedFileInput) -> CommandResult<SeedPlan> {
    let format = format_of(input.format.as_deref())?;
    let pskc_key = match input.pskc_key.as_deref().filter(|k| !k.is_empty()) {
        Some(k) => Some(
            pskc_key_from_file(k)
                .map_err(|e| key_error(SeedKeyIssue::PskcKeyWrong, e.to_string(), false))?,
        ),
        None => None,
    };
    let pgp_key = input.pgp_key.as_deref().filter(|k| !k.is_empty());
    let pskc_asked = Cell::new(false);
    let mut ask = |what: Ask| {
        let given = match what {
            Ask::OpenPgpKey => input.pgp_passphrase.as_deref(),
            Ask::Pskc => {
                pskc_asked.set(true);
                input.pskc_passphrase.as_deref()
            }
        };
        given
            .filter(|p| !p.is_empty())
            .map(|p| Zeroizing::new(p.to_string()))
    };
    let mut keys = SeedKeys {
        pskc_key: pskc_key.as_deref().map(|k| &k[..]),
        pgp_secret_key: pgp_key,
        passphrase: &mut ask,
    };
    let read = inventory::open_seed_file(&input.bytes, format, &mut keys);
    read.map_err(|e| seed_file_error(e, pskc_asked.get()))
}

fn seed_file_error(e: SeedFileError, pskc_passphrase_used: bool) -> AppError {
    match e.key {
        Some(issue) => key_error(issue, e.error.to_string(), pskc_passphrase_used),
        None => {
            let mut err = AppError::from(e.error);
            err.next_step.get_or_insert_with(|| {
                "Check the file (or choose its format), then preview again.".to_string()
            });
            err
        }
    }
}

/// A key or passphrase missing or wrong, as a kind the window shows the
/// right field for: `pgp_key_missing`, `pgp_passphrase_missing`,
/// `pgp_key_wrong`, `pskc_key_missing`, `pskc_passphrase_missing`,
/// `pskc_key_wrong` or `pskc_passphrase_wrong`.
fn key_error(issue: SeedKeyIssue, message: String, pskc_passphrase_used: bool) -> AppError {
    let (kind, message, next): (&'static str, String, &str) = match issue {
        SeedKeyIssue::PgpKeyMissing => (
            "pgp_key_missing",
            "The file is OpenPGP-encrypted.".into(),
            "Choose your OpenPGP secret key file and type its passphrase, then preview again.",
        ),
        SeedKeyIssue::PgpPassphraseMissing => (
            "pgp_passphrase_missing",
            "The OpenPGP secret key needs its passphrase.".into(),
            "Type the OpenPGP key's passphrase, then preview again.",
        ),
        SeedKeyIssue::PgpKeyWrong => (
            "pgp_key_wrong",
            message,
            "Check the OpenPGP key file and its passphrase, then preview again.",
        ),
        SeedKeyIssue::PskcKeyMissing => (
            "pskc_key_missing",
            "The PSKC file is encrypted with a pre-shared key.".into(),
            "Choose the PSKC key file (the AES key, hex or raw), then preview again.",
        ),
        SeedKeyIssue::PskcPassphraseMissing => (
            "pskc_passphrase_missing",
            "The PSKC file is protected by a passphrase.".into(),
            "Type the PSKC file's passphrase, then preview again.",
        ),
        SeedKeyIssue::PskcKeyWrong if pskc_passphrase_used => (
            "pskc_passphrase_wrong",
            message,
            "Check the PSKC file's passphrase, then preview again.",
        ),
        SeedKeyIssue::PskcKeyWrong => (
            "pskc_key_wrong",
            message,
            "Check the PSKC key file, then preview again.",
        ),
    };
    AppError::new(kind, message, Some(next))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(bytes: &[u8]) -> SeedFileInput {
        SeedFileInput {
            bytes: bytes.to_vec(),
            format: None,
            pskc_key: None,
            pgp_key: None,
            pgp_passphrase: None,
            pskc_passphrase: None,
        }
    }

    const HEX_JSON: &str = r#"[{"serialNumber":"H-1","manufacturer":"Token2","model":"C202","secretKey":"3132333435363738393031323334353637383930","timeIntervalInSeconds":30}]"#;

    /// What a PSKC file needs is a kind the window can show a field for.
    #[test]
    fn a_missing_or_wrong_key_says_which() {
        let pre_shared = oathdesk_testkit::pskc::encrypted(
            &[oathdesk_testkit::pskc::PskcToken {
                serial: "P-1",
                model: "C202",
                secret: &oathdesk_otp::Secret::from_slice(b"pskc-window-seed-001"),
                period: 30,
            }],
            &[0x42; 16],
            &[9; 20],
        );
        let e = read(&input(pre_shared.as_bytes())).err().unwrap();
        assert_eq!(e.kind, "pskc_key_missing", "{}", e.message);
        assert!(!e.message.contains("--pskc-key-file"), "{}", e.message);
        let mut wrong = input(pre_shared.as_bytes());
        wrong.pskc_key = Some(b"00000000000000000000000000000000".to_vec());
        assert_eq!(read(&wrong).err().unwrap().kind, "pskc_key_wrong");
        let mut not_a_key = input(pre_shared.as_bytes());
        not_a_key.pskc_key = Some(b"short".to_vec());
        assert_eq!(read(&not_a_key).err().unwrap().kind, "pskc_key_wrong");
        let mut right = input(pre_shared.as_bytes());
        right.pskc_key = Some(b"42424242424242424242424242424242\n".to_vec());
        assert_eq!(read(&right).map(|p| p.len()).ok(), Some(1));
        let e = read(&input(b"not a seed file")).err().unwrap();
        assert_eq!(e.kind, "bad_input");
        assert!(e.next_step.is_some());
    }

    #[test]
    fn the_format_is_automatic_unless_named() {
        assert!(format_of(None).unwrap().is_none());
        assert!(format_of(Some(" Auto ")).unwrap().is_none());
        assert!(format_of(Some("token2-json")).unwrap().is_some());
        assert_eq!(format_of(Some("xml")).unwrap_err().kind, "bad_input");
    }

    /// A converted hex secret needs the operator's yes; the refusal names
    /// the record and the checkbox, not the CLI's flag or the secret.
    #[test]
    fn converted_hex_needs_the_checkbox() {
        let plan = read(&input(HEX_JSON.as_bytes())).ok().unwrap();
        let e = needs_no_yes(&plan, false).unwrap_err();
        assert!(e.message.contains("record 1"), "{}", e.message);
        assert!(!e.message.contains("3132333435"), "{}", e.message);
        assert!(
            e.next_step
                .unwrap()
                .contains("I checked the converted hex secrets"),
            "names the checkbox"
        );
        assert!(needs_no_yes(&plan, true).is_ok());
    }
}

//! `inventory import FILE`: a vendor's seed file checked, previewed and
//! imported. Passphrases come from a prompt on the terminal or, for
//! scripts, from the environment, never from arguments; the file is read
//! into zeroizing memory and decrypted there, never written anywhere.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::Args;
use oathdesk_station::workflow::inventory::{
    self, Ask, ImportReport, Plan, Preview, SeedFormat, SeedKeys, pskc_key_from_file,
};
use zeroize::Zeroizing;

use crate::desk::{station, tenant};
use crate::output::{CliError, Ctx, print};

/// The OpenPGP secret key's passphrase, for scripts.
pub const PGP_PASSPHRASE_ENV: &str = "OATHDESK_IMPORT_PASSPHRASE";
/// A PBKDF2-protected PSKC file's passphrase, for scripts.
pub const PSKC_PASSPHRASE_ENV: &str = "OATHDESK_PSKC_PASSPHRASE";

#[derive(Args)]
pub struct ImportArgs {
    /// The seed file (.json, .csv, .xml/.pskcxml; .gpg, .pgp or .asc when OpenPGP-encrypted).
    file: PathBuf,
    /// auto (from the content), entra-csv, token2-json, token2-csv or pskc.
    #[arg(long, default_value = "auto")]
    format: String,
    /// Show what would be created, skipped or refused; create nothing.
    #[arg(long)]
    preview: bool,
    /// The PSKC pre-shared AES key (hex or raw bytes).
    #[arg(long, value_name = "F")]
    pskc_key_file: Option<PathBuf>,
    /// The operator's OpenPGP secret key, for an encrypted file.
    #[arg(long, value_name = "F")]
    pgp_key: Option<PathBuf>,
    /// Import secrets that were read as hex and converted to base32
    /// (the preview warns of each): check them first.
    #[arg(long)]
    accept_hex: bool,
}

fn read_file(path: &Path, what: &str) -> Result<Zeroizing<Vec<u8>>, CliError> {
    std::fs::read(path)
        .map(Zeroizing::new)
        .map_err(|e| CliError::input(what, format!("cannot read {}: {e}", path.display())))
}

/// A passphrase from the environment, else asked on the terminal.
fn passphrase(what: Ask) -> Option<Zeroizing<String>> {
    let (env, prompt) = match what {
        Ask::OpenPgpKey => (PGP_PASSPHRASE_ENV, "Passphrase of the OpenPGP key: "),
        Ask::Pskc => (PSKC_PASSPHRASE_ENV, "Passphrase of the PSKC file: "),
    };
    if let Ok(p) = std::env::var(env) {
        return Some(Zeroizing::new(p));
    }
    if !std::io::stdin().is_terminal() {
        return None;
    }
    rpassword::prompt_password(prompt).ok().map(Zeroizing::new)
}

pub fn run(ctx: &Ctx, a: ImportArgs) -> Result<(), CliError> {
    let format = match a.format.trim() {
        f if f.eq_ignore_ascii_case("auto") => None,
        f => Some(
            f.parse::<SeedFormat>()
                .map_err(|e| CliError::input("format", e.to_string()))?,
        ),
    };
    let bytes = read_file(&a.file, "file")?;
    let pskc_key = match &a.pskc_key_file {
        Some(p) => Some(
            pskc_key_from_file(&read_file(p, "pskc_key")?)
                .map_err(|e| CliError::input("pskc_key", e.to_string()))?,
        ),
        None => None,
    };
    let pgp_key = a
        .pgp_key
        .as_deref()
        .map(|p| read_file(p, "pgp_key"))
        .transpose()?;
    let mut ask = passphrase;
    let mut keys = SeedKeys {
        pskc_key: pskc_key.as_deref().map(|k| &k[..]),
        pgp_secret_key: pgp_key.as_deref().map(|k| &k[..]),
        passphrase: &mut ask,
    };
    let plan = inventory::read_seed_file(&bytes, format, &mut keys)?;
    drop(bytes);
    if a.preview {
        let preview = inventory::preview(&tenant()?, &plan)?;
        print(ctx, &preview, preview_text);
        return Ok(());
    }
    let report = inventory::import(&station()?, &tenant()?, &plan, a.accept_hex)?;
    print(ctx, &report, report_text);
    Ok(())
}

fn preview_text(p: &Preview) -> String {
    let mut lines = vec![format!(
        "{}{}: {} tokens",
        p.format,
        if p.encrypted {
            " (OpenPGP, decrypted in memory)"
        } else {
            ""
        },
        p.items.len()
    )];
    for i in &p.items {
        let plan = match &i.plan {
            Plan::Create => "create".to_string(),
            Plan::Skip { inventory_id } => {
                format!("skip: already in the inventory ({inventory_id})")
            }
            Plan::Refuse { reason } => format!("refused: {reason}"),
        };
        let mut line = format!(
            "{}: {} {} {} {}/{} s user {}: {plan}",
            i.place,
            i.serial,
            i.manufacturer,
            i.model,
            i.algorithm,
            i.period,
            i.user.as_deref().unwrap_or("-")
        );
        for w in &i.warnings {
            line.push_str(&format!(" (warning: {w})"));
        }
        lines.push(line);
    }
    lines.join("\n")
}

fn report_text(r: &ImportReport) -> String {
    let mut lines = vec![format!(
        "created {}, skipped {}, failed {}",
        r.created.len(),
        r.skipped.len(),
        r.failed.len()
    )];
    lines.extend(
        r.created
            .iter()
            .map(|c| format!("{}: created {} ({})", c.place, c.serial, c.inventory_id)),
    );
    lines.extend(r.skipped.iter().cloned());
    lines.extend(r.failed.iter().map(|f| format!("failed: {f}")));
    lines.extend(r.warnings.iter().map(|w| format!("warning: {w}")));
    lines.join("\n")
}

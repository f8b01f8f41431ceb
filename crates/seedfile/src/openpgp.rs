//! OpenPGP-encrypted seed files (`.gpg`, `.pgp`, `.asc`, armoured or
//! binary), decrypted in memory with the operator's secret key and its
//! passphrase (rpgp, pure Rust). The plaintext stays in zeroizing memory
//! and never touches disk.

use pgp::composed::{Deserializable, Message, SignedSecretKey};
use pgp::types::Password;
use zeroize::Zeroizing;

use crate::{Ask, KeyIssue, Keys, SeedError};

const ARMOUR: &[u8] = b"-----BEGIN PGP MESSAGE-----";

/// Whether `bytes` is an OpenPGP message: armoured, or binary starting
/// with an encrypted session key packet (public-key or passphrase).
pub(crate) fn is_openpgp(bytes: &[u8]) -> bool {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    if bytes[start..].starts_with(ARMOUR) {
        return true;
    }
    let Some(&first) = bytes.first() else {
        return false;
    };
    let tag = match first {
        b if b & 0xC0 == 0xC0 => b & 0x3F,
        b if b & 0xC0 == 0x80 => (b >> 2) & 0x0F,
        _ => return false,
    };
    // 1: public-key encrypted session key; 3: symmetric-key one.
    matches!(tag, 1 | 3)
}

/// The plaintext of the message in `bytes`.
pub(crate) fn decrypt(bytes: &[u8], keys: &mut Keys<'_>) -> Result<Zeroizing<Vec<u8>>, SeedError> {
    let key_file = keys.pgp_secret_key.ok_or_else(|| {
        SeedError::key(
            KeyIssue::PgpKeyMissing,
            "the file is OpenPGP-encrypted: give the secret key that opens it (--pgp-key FILE)",
        )
    })?;
    let (key, _) = SignedSecretKey::from_reader_single(key_file).map_err(|_| {
        SeedError::key(
            KeyIssue::PgpKeyWrong,
            "the OpenPGP key file holds no secret key OathDesk can read",
        )
    })?;
    let (message, _) = Message::from_reader(std::io::BufReader::new(bytes)).map_err(|_| {
        SeedError::file("the OpenPGP message cannot be read: it is damaged or not a message")
    })?;
    let passphrase = keys.ask(Ask::OpenPgpKey)?;
    let password = Password::from(passphrase.as_str());
    let message = message.decrypt(&password, &key).map_err(|e| {
        SeedError::key(KeyIssue::PgpKeyWrong, format!(
            "the file cannot be decrypted: the passphrase is wrong, or it was not encrypted to this key ({})",
            short(&e)
        ))
    })?;
    let mut message = message
        .decompress()
        .map_err(|_| SeedError::file("the decrypted OpenPGP data cannot be decompressed"))?;
    let mut plain = Zeroizing::new(Vec::new());
    std::io::Read::read_to_end(&mut message, &mut plain).map_err(|_| {
        SeedError::key(
            KeyIssue::PgpKeyWrong,
            "the file cannot be decrypted: the passphrase is wrong, or the message is damaged",
        )
    })?;
    Ok(plain)
}

/// rpgp's reason, in one short line (it never holds key material).
fn short(e: &pgp::errors::Error) -> String {
    let s = e.to_string();
    s.lines().next().unwrap_or("").chars().take(120).collect()
}

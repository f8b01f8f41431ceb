//! The keys a PSKC file's secrets are opened with: its encryption key
//! (pre-shared, or derived from a passphrase by PBKDF2) and its MAC key
//! (carried in the file, encrypted under the encryption key).

use oathdesk_otp::Secret;
use roxmltree::Node;
use zeroize::Zeroizing;

use super::crypto::{self, HMAC_SHA1};
use super::{child, text_at};
use crate::{Ask, KeyIssue, Keys, Place, SeedError};

const PBKDF2: &str = "http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#pbkdf2";
/// Derivations beyond this are refused rather than left to run for minutes.
const MAX_ROUNDS: u32 = 1_000_000;

/// A pre-shared AES key as a file holds it: hex text (32, 48 or 64
/// digits) or the raw 16, 24 or 32 bytes.
pub fn pskc_key_from_file(bytes: &[u8]) -> Result<Zeroizing<Vec<u8>>, SeedError> {
    let text: Zeroizing<Vec<u8>> = Zeroizing::new(
        bytes
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect(),
    );
    let ok = |n: usize| matches!(n, 16 | 24 | 32);
    if ok(text.len() / 2) && text.len().is_multiple_of(2) && text.iter().all(u8::is_ascii_hexdigit)
    {
        let mut key = Zeroizing::new(vec![0u8; text.len() / 2]);
        for (i, pair) in text.chunks(2).enumerate() {
            let s = std::str::from_utf8(pair).unwrap_or("00");
            key[i] = u8::from_str_radix(s, 16).unwrap_or(0);
        }
        return Ok(key);
    }
    if ok(bytes.len()) {
        return Ok(Zeroizing::new(bytes.to_vec()));
    }
    Err(SeedError::key(
        KeyIssue::PskcKeyWrong,
        "the PSKC key file must hold an AES key: 32, 48 or 64 hex digits, or 16, 24 or 32 raw bytes",
    ))
}

/// What the container's secrets are opened with.
pub(crate) struct Unlocked {
    key: Option<Zeroizing<Vec<u8>>>,
    mac_key: Option<Zeroizing<Vec<u8>>>,
}

fn wrong_key() -> SeedError {
    SeedError::key(
        KeyIssue::PskcKeyWrong,
        "the PSKC key or passphrase is wrong: the file's MAC key does not decrypt",
    )
}

impl Unlocked {
    pub(crate) fn open(root: Node, keys: &mut Keys<'_>) -> Result<Unlocked, SeedError> {
        let key = match child(root, "EncryptionKey") {
            None => None,
            Some(ek) => Some(encryption_key(ek, keys)?),
        };
        let mac_key = match (child(root, "MACMethod"), &key) {
            (Some(m), Some(k)) => Some(mac_key(m, k)?),
            _ => None,
        };
        Ok(Unlocked { key, mac_key })
    }

    /// The secret of a `Secret` element: `Err` for a file-wide failure
    /// (wrong key, MAC mismatch), `Ok(Err)` for an unreadable record.
    pub(crate) fn secret(
        &self,
        node: Node,
        place: Place,
    ) -> Result<Result<Secret, String>, SeedError> {
        if let Some(plain) = text_at(node, &["PlainValue"]) {
            return Ok(crypto::base64(plain)
                .map(|b| Secret::from_slice(&b))
                .ok_or_else(|| "the secret's PlainValue is not base64".to_string()));
        }
        let Some(enc) = child(node, "EncryptedValue") else {
            return Ok(Err(
                "the secret has neither a PlainValue nor an EncryptedValue".into(),
            ));
        };
        let at = |m: &str| SeedError::at(place, m);
        let key = self
            .key
            .as_ref()
            .ok_or_else(|| at("the secret is encrypted but the file names no EncryptionKey"))?;
        let data = cipher_value(enc).ok_or_else(|| at("the encrypted secret is not base64"))?;
        let (Some(mac_key), Some(mac)) = (
            &self.mac_key,
            text_at(node, &["ValueMAC"]).and_then(crypto::base64),
        ) else {
            return Err(at(
                "the encrypted secret carries no ValueMAC (or the file no MAC key): a wrong key could not be told, so it is refused",
            ));
        };
        if !crypto::mac_matches(mac_key, &data, &mac) {
            return Err(at(
                "the ValueMAC does not match: the key or passphrase is wrong, or the file was changed",
            ));
        }
        check_method(enc, key.len()).map_err(|m| at(&m))?;
        let plain = crypto::aes_cbc_decrypt(key, &data)
            .ok_or_else(|| at("the secret does not decrypt: the key or passphrase is wrong"))?;
        Ok(Ok(Secret::from_slice(&plain)))
    }
}

/// The base64 `CipherData/CipherValue` of an encrypted element.
fn cipher_value(node: Node) -> Option<Zeroizing<Vec<u8>>> {
    text_at(node, &["CipherData", "CipherValue"]).and_then(crypto::base64)
}

/// The element's `EncryptionMethod` must be AES-CBC for a key of `len` bytes.
fn check_method(node: Node, len: usize) -> Result<(), String> {
    let alg = child(node, "EncryptionMethod")
        .and_then(|m| m.attribute("Algorithm"))
        .unwrap_or("");
    match crypto::aes_key_len(alg) {
        Some(n) if n == len => Ok(()),
        Some(n) => Err(format!(
            "it is encrypted with a {}-bit AES key, but the key given is {} bits",
            n * 8,
            len * 8
        )),
        None => Err(format!(
            "its encryption {alg:?} is not one OathDesk reads (AES-128/192/256-CBC)"
        )),
    }
}

fn encryption_key(ek: Node, keys: &mut Keys<'_>) -> Result<Zeroizing<Vec<u8>>, SeedError> {
    match child(ek, "DerivedKey") {
        Some(dk) => derived_key(dk, keys),
        None => {
            let name = text_at(ek, &["KeyName"]).unwrap_or("unnamed");
            keys.pskc_key.map(|k| Zeroizing::new(k.to_vec())).ok_or_else(|| {
                SeedError::key(KeyIssue::PskcKeyMissing, format!(
                    "the PSKC file is encrypted with a pre-shared key ({name:?}): give it with --pskc-key-file FILE"
                ))
            })
        }
    }
}

/// RFC 6030 §6.2: PBKDF2 (HMAC-SHA1) of the passphrase.
fn derived_key(dk: Node, keys: &mut Keys<'_>) -> Result<Zeroizing<Vec<u8>>, SeedError> {
    let method =
        child(dk, "KeyDerivationMethod").filter(|m| m.attribute("Algorithm") == Some(PBKDF2));
    let params = method
        .and_then(|m| child(m, "PBKDF2-params"))
        .ok_or_else(|| {
            SeedError::file("the PSKC key is derived in a way OathDesk does not read (only PBKDF2)")
        })?;
    let prf = child(params, "PRF").and_then(|p| p.attribute("Algorithm"));
    if prf.is_some_and(|a| a != HMAC_SHA1 && !a.ends_with("hmacWithSHA1")) {
        return Err(SeedError::file(
            "the PSKC key's PBKDF2 uses a PRF other than HMAC-SHA1",
        ));
    }
    let bad = || {
        SeedError::file(
            "the PSKC file's PBKDF2 parameters (salt, iteration count, key length) cannot be read",
        )
    };
    let salt = text_at(params, &["Salt", "Specified"])
        .and_then(crypto::base64)
        .ok_or_else(bad)?;
    let rounds: u32 = text_at(params, &["IterationCount"])
        .and_then(|t| t.parse().ok())
        .filter(|r| (1..=MAX_ROUNDS).contains(r))
        .ok_or_else(bad)?;
    let len: usize = text_at(params, &["KeyLength"])
        .and_then(|t| t.parse().ok())
        .filter(|l| matches!(l, 16 | 24 | 32))
        .ok_or_else(bad)?;
    let passphrase = keys.ask(Ask::Pskc)?;
    Ok(crypto::pbkdf2_sha1(
        passphrase.as_bytes(),
        &salt,
        rounds,
        len,
    ))
}

/// The MAC key, decrypted; only HMAC-SHA1 is read.
fn mac_key(method: Node, key: &[u8]) -> Result<Zeroizing<Vec<u8>>, SeedError> {
    if method.attribute("Algorithm") != Some(HMAC_SHA1) {
        return Err(SeedError::file(
            "the PSKC file's MAC is not HMAC-SHA1, the one OathDesk reads",
        ));
    }
    let mk = child(method, "MACKey")
        .ok_or_else(|| SeedError::file("the PSKC file's MACMethod carries no MACKey"))?;
    check_method(mk, key.len())
        .map_err(|m| SeedError::key(KeyIssue::PskcKeyWrong, format!("the MAC key: {m}")))?;
    let data = cipher_value(mk).ok_or_else(wrong_key)?;
    crypto::aes_cbc_decrypt(key, &data).ok_or_else(wrong_key)
}

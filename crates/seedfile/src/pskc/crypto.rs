//! PSKC's crypto (RFC 6030 §6): AES-CBC with the IV prepended and
//! xmlenc's padding, HMAC-SHA1 `ValueMAC` over IV + ciphertext under the
//! (itself encrypted) MAC key, and PBKDF2 (HMAC-SHA1) key derivation.

use aes::cipher::{BlockDecryptMut, KeyIvInit, block_padding::NoPadding};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use zeroize::Zeroizing;

const XMLENC: &str = "http://www.w3.org/2001/04/xmlenc#";
pub(crate) const HMAC_SHA1: &str = "http://www.w3.org/2000/09/xmldsig#hmac-sha1";

/// Base64 as XML writes it (with line breaks and indentation).
pub(crate) fn base64(text: &str) -> Option<Zeroizing<Vec<u8>>> {
    let compact: Zeroizing<String> =
        Zeroizing::new(text.chars().filter(|c| !c.is_whitespace()).collect());
    STANDARD.decode(compact.as_bytes()).ok().map(Zeroizing::new)
}

/// The key length an xmlenc AES-CBC algorithm URI names.
pub(crate) fn aes_key_len(algorithm: &str) -> Option<usize> {
    match algorithm.strip_prefix(XMLENC)? {
        "aes128-cbc" => Some(16),
        "aes192-cbc" => Some(24),
        "aes256-cbc" => Some(32),
        _ => None,
    }
}

/// Decrypts IV + ciphertext; `None` when the length or padding is wrong
/// (a wrong key shows here, or in the MAC).
pub(crate) fn aes_cbc_decrypt(key: &[u8], data: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if data.len() < 32 || !data.len().is_multiple_of(16) {
        return None;
    }
    let (iv, body) = data.split_at(16);
    let mut buf = Zeroizing::new(body.to_vec());
    let n = match key.len() {
        16 => cbc::Decryptor::<aes::Aes128>::new_from_slices(key, iv)
            .ok()?
            .decrypt_padded_mut::<NoPadding>(&mut buf)
            .ok()?
            .len(),
        24 => cbc::Decryptor::<aes::Aes192>::new_from_slices(key, iv)
            .ok()?
            .decrypt_padded_mut::<NoPadding>(&mut buf)
            .ok()?
            .len(),
        32 => cbc::Decryptor::<aes::Aes256>::new_from_slices(key, iv)
            .ok()?
            .decrypt_padded_mut::<NoPadding>(&mut buf)
            .ok()?
            .len(),
        _ => return None,
    };
    // xmlenc padding: the last byte counts the padding bytes (1..=16).
    let pad = usize::from(*buf.get(n.checked_sub(1)?)?);
    if pad == 0 || pad > 16 || pad > n {
        return None;
    }
    buf.truncate(n - pad);
    Some(buf)
}

/// Whether `mac` is HMAC-SHA1 of `data` under `key` (constant time).
pub(crate) fn mac_matches(key: &[u8], data: &[u8], mac: &[u8]) -> bool {
    let Ok(mut h) = Hmac::<Sha1>::new_from_slice(key) else {
        return false;
    };
    h.update(data);
    h.verify_slice(mac).is_ok()
}

/// PBKDF2 with HMAC-SHA1, as RFC 6030 §6.2's pkcs5v2 default PRF.
pub(crate) fn pbkdf2_sha1(
    passphrase: &[u8],
    salt: &[u8],
    rounds: u32,
    len: usize,
) -> Zeroizing<Vec<u8>> {
    let mut key = Zeroizing::new(vec![0u8; len]);
    pbkdf2::pbkdf2_hmac::<Sha1>(passphrase, salt, rounds, &mut key);
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pbkdf2_gives_rfc_6030s_derived_key() {
        // RFC 6030 §6.2: "qwerty", salt Ej7/PEpyEpw=, 1000 rounds, 16 bytes.
        let salt = base64("Ej7/PEpyEpw=").unwrap();
        let key = pbkdf2_sha1(b"qwerty", &salt, 1000, 16);
        assert_eq!(hex(&key), "651e63cd57008476af1ff6422cd02e41");
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }
}

//! Sealing an entry to the key: a fresh P-256 key pair per write, ECDH with
//! the key's public key, AES-256 key = SHA-256(shared X), AES-256-CBC with
//! PKCS#7 and the applet's constant IV (freshness comes from the ephemeral
//! key; the device rejects any other IV). Wire blob: host public `X‖Y` ‖
//! ciphertext. Primitives are RustCrypto's; every secret buffer is wiped.

use aes::Aes256;
use cbc::cipher::{BlockEncryptMut, KeyIvInit, block_padding::Pkcs7};
use p256::ecdh::diffie_hellman;
use p256::elliptic_curve::sec1::{FromEncodedPoint, ToEncodedPoint};
use p256::{EncodedPoint, PublicKey, SecretKey};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::codec::check;
use super::entry::malformed;
use crate::apdu::Response;
use crate::error::{DeviceError, DeviceErrorKind, TokenState};

/// The applet's constant IV for entry writes and deletes.
pub const IV: [u8; 16] = [
    0x9D, 0xD8, 0x91, 0x8E, 0x34, 0xF3, 0xCC, 0xAB, 0x08, 0xCB, 0x75, 0x18, 0xF7, 0x19, 0x38, 0xF1,
];
/// Random draws after which key generation gives up (a draw is out of
/// range with odds of about 2^-32, so this never happens with a working RNG).
const MAX_DRAWS: usize = 8;

/// The key's ECDH public key: always a point on P-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceKey(PublicKey);

impl DeviceKey {
    /// 64 bytes `X‖Y` (no `04` prefix) that must be a point on the curve.
    pub fn from_xy(xy: &[u8]) -> Result<DeviceKey, DeviceError> {
        let xy: &[u8; 64] = xy.try_into().map_err(|_| malformed())?;
        let point = EncodedPoint::from_untagged_bytes(xy.into());
        Option::from(PublicKey::from_encoded_point(&point))
            .map(DeviceKey)
            .ok_or_else(malformed)
    }

    /// `X‖Y`, as the key sent it.
    pub fn xy(&self) -> [u8; 64] {
        xy(&self.0)
    }

    #[cfg(test)]
    pub(crate) fn public(&self) -> &PublicKey {
        &self.0
    }

    /// The answer to `80 C5 01 00`.
    pub fn parse(resp: &Response) -> Result<DeviceKey, DeviceError> {
        check(resp, TokenState::Untouched)?;
        DeviceKey::from_xy(&resp.data)
    }
}

/// `X‖Y` of a public key.
fn xy(key: &PublicKey) -> [u8; 64] {
    let point = key.to_encoded_point(false);
    let mut out = [0u8; 64];
    out.copy_from_slice(&point.as_bytes()[1..]);
    out
}

/// A fresh ephemeral key from the OS RNG.
fn ephemeral() -> Result<SecretKey, DeviceError> {
    for _ in 0..MAX_DRAWS {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(bytes.as_mut()).map_err(|e| {
            DeviceError::new(
                TokenState::Untouched,
                DeviceErrorKind::NotWritable(format!("the system's random source failed ({e})")),
            )
        })?;
        if let Ok(key) = SecretKey::from_slice(bytes.as_ref()) {
            return Ok(key);
        }
    }
    Err(DeviceError::new(
        TokenState::Untouched,
        DeviceErrorKind::NotWritable("the system's random source gave no usable key".into()),
    ))
}

/// Seals `plaintext` to `device` with a fresh ephemeral key.
pub fn seal(device: &DeviceKey, plaintext: &[u8]) -> Result<Zeroizing<Vec<u8>>, DeviceError> {
    seal_with(&ephemeral()?, device, plaintext)
}

/// Seals with a given host key (known-answer tests; the sim's side). The
/// plaintext is copied into the blob and encrypted there, so no clear copy
/// outlives the call.
pub fn seal_with(
    host: &SecretKey,
    device: &DeviceKey,
    plaintext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, DeviceError> {
    let key = session_key(host, &device.0);
    let ct_len = (plaintext.len() / 16 + 1) * 16;
    let mut blob = Zeroizing::new(Vec::with_capacity(64 + ct_len));
    blob.extend_from_slice(&xy(&host.public_key()));
    blob.extend_from_slice(plaintext);
    blob.resize(64 + ct_len, 0);
    let sealed = cbc::Encryptor::<Aes256>::new(key.as_ref().into(), &IV.into())
        .encrypt_padded_mut::<Pkcs7>(&mut blob[64..], plaintext.len())
        .map(<[u8]>::len);
    // Sized for PKCS#7 above, so this cannot fail; were it to, the blob
    // (wiped on drop) is not sent.
    match sealed {
        Ok(n) if n == ct_len => Ok(blob),
        _ => Err(DeviceError::new(
            TokenState::Untouched,
            DeviceErrorKind::NotWritable("the entry could not be sealed to the key".into()),
        )),
    }
}

/// SHA-256 of the ECDH shared X coordinate.
pub fn session_key(host: &SecretKey, device: &PublicKey) -> Zeroizing<[u8; 32]> {
    let shared = diffie_hellman(host.to_nonzero_scalar(), device.as_affine());
    Zeroizing::new(Sha256::digest(shared.raw_secret_bytes()).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    // RFC 5903 §8.1 (256-bit random ECP group): initiator i, responder
    // g^r, shared g^ir.
    const I: &str = "C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433";
    const GIX: &str = "DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180";
    const GIY: &str = "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3";
    const GRX: &str = "D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63";
    const GRY: &str = "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB";
    const GIRX: &str = "D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE";

    fn rfc_keys() -> (SecretKey, DeviceKey) {
        let host = SecretKey::from_slice(&hex(I)).unwrap();
        let device = DeviceKey::from_xy(&[hex(GRX), hex(GRY)].concat()).unwrap();
        (host, device)
    }

    #[test]
    fn session_key_is_sha256_of_the_rfc5903_shared_x() {
        let (host, device) = rfc_keys();
        assert_eq!(
            xy(&host.public_key()).to_vec(),
            [hex(GIX), hex(GIY)].concat()
        );
        let want: [u8; 32] = Sha256::digest(hex(GIRX)).into();
        assert_eq!(*session_key(&host, &device.0), want);
    }
}

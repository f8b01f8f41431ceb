//! The key's side of the sealed entry write, from the facts alone
//! (TOKEN2-OTP-APPLET.md "Sealing"; T2F2_TOTP_Authenticator `crypto.rs`
//! states the same steps from the host side): the host's ephemeral public
//! key `X‖Y` leads the blob, `key = SHA-256(X of ECDH(device, host))`, and
//! the rest is AES-256-CBC with PKCS#7 under a constant IV. Written on the
//! RustCrypto primitives, never on the host's code, so a host bug cannot
//! hide behind a shared one.

use aes::Aes256;
use cbc::cipher::{BlockDecryptMut, KeyIvInit, block_padding::Pkcs7};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{PublicKey, SecretKey};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// The IV of entry writes and deletes (`WRITE_SEED`).
pub const IV_ENTRY: [u8; 16] = [
    0x9D, 0xD8, 0x91, 0x8E, 0x34, 0xF3, 0xCC, 0xAB, 0x08, 0xCB, 0x75, 0x18, 0xF7, 0x19, 0x38, 0xF1,
];
/// The IV of the button-HOTP seed (`WRITE_HOTP_SEED`): zeros
/// (keyroost-token2otp `crypto.rs` `IV_HOTP`).
pub const IV_HOTP: [u8; 16] = [0; 16];
/// Host public key `X‖Y`, without the SEC1 `04`.
pub const POINT_LEN: usize = 64;

/// The key's own P-256 key pair: a fresh one per virtual key, as every
/// real key has its own.
pub struct DeviceKey(SecretKey);

impl DeviceKey {
    pub fn generate() -> Self {
        loop {
            let mut bytes = Zeroizing::new([0u8; 32]);
            getrandom::fill(bytes.as_mut_slice()).expect("the OS random source");
            // Almost every 32 bytes is a scalar; the rare miss draws again.
            if let Ok(k) = SecretKey::from_slice(bytes.as_slice()) {
                return DeviceKey(k);
            }
        }
    }

    /// A key from a fixed scalar, for tests that pin a blob.
    pub fn from_scalar(bytes: &[u8; 32]) -> Option<Self> {
        SecretKey::from_slice(bytes).ok().map(DeviceKey)
    }

    /// What `80 C5 01 00` answers: `X‖Y`.
    pub fn public_xy(&self) -> Vec<u8> {
        self.0.public_key().to_encoded_point(false).as_bytes()[1..].to_vec()
    }

    /// The plaintext of `blob`, or `None` when the point is not on the
    /// curve, the ciphertext is not whole blocks, or the padding is wrong —
    /// all of which the key refuses alike.
    pub fn unseal(&self, blob: &[u8], iv: &[u8; 16]) -> Option<Zeroizing<Vec<u8>>> {
        let (point, ciphertext) = blob.split_at_checked(POINT_LEN)?;
        if ciphertext.is_empty() || ciphertext.len() % 16 != 0 {
            return None;
        }
        let host = PublicKey::from_sec1_bytes(&[&[0x04][..], point].concat()).ok()?;
        let shared = p256::ecdh::diffie_hellman(self.0.to_nonzero_scalar(), host.as_affine());
        let key = Zeroizing::new(<[u8; 32]>::from(Sha256::digest(shared.raw_secret_bytes())));
        let mut buf = Zeroizing::new(ciphertext.to_vec());
        let plain = cbc::Decryptor::<Aes256>::new(key.as_slice().into(), iv.into())
            .decrypt_padded_mut::<Pkcs7>(&mut buf)
            .ok()?;
        Some(Zeroizing::new(plain.to_vec()))
    }
}

/// The private scalar never shows.
impl std::fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceKey(..)")
    }
}

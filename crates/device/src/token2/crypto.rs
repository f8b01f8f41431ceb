//! Token2's SM4 usage: authentication response, command MAC and seed
//! encryption. Facts from Token2's published protocol; the cipher itself is
//! RustCrypto's `sm4`.

use cbc::cipher::{BlockEncryptMut, KeyInit, KeyIvInit, block_padding::NoPadding};
use sha1::{Digest, Sha1};
use sm4::Sm4;
use zeroize::Zeroizing;

use crate::apdu::length_byte;
use crate::error::DeviceError;

/// The fixed, public device key of single-profile programmable tokens.
pub const DEVICE_KEY: [u8; 16] = [
    0x8A, 0xD2, 0x06, 0x88, 0x3C, 0xA3, 0x69, 0x48, 0x2A, 0xB2, 0x71, 0x82, 0xB6, 0xE8, 0x32, 0x24,
];

/// An SM4 session key.
pub type Key = Zeroizing<[u8; 16]>;

/// Molto2: the SM4 key is the first 16 bytes of SHA-1 of the customer key.
pub fn molto2_key(customer_key: &[u8]) -> Key {
    let digest = Sha1::digest(customer_key);
    let mut key = Zeroizing::new([0u8; 16]);
    key.copy_from_slice(&digest[..16]);
    key
}

/// SM4-ECB over whole blocks.
pub fn ecb_encrypt(key: &[u8; 16], data: &[u8]) -> Vec<u8> {
    debug_assert!(data.len().is_multiple_of(16));
    ecb::Encryptor::<Sm4>::new(key.into()).encrypt_padded_vec_mut::<NoPadding>(data)
}

/// SM4-ECB decryption over whole blocks (the token's side; used by the sim).
pub fn ecb_decrypt(key: &[u8; 16], data: &[u8]) -> Option<Vec<u8>> {
    use cbc::cipher::BlockDecryptMut;
    if !data.len().is_multiple_of(16) {
        return None;
    }
    ecb::Decryptor::<Sm4>::new(key.into())
        .decrypt_padded_vec_mut::<NoPadding>(data)
        .ok()
}

/// The host's answer to an 8-byte challenge: the challenge padded with
/// zeros to 16 bytes, SM4-ECB encrypted.
pub fn auth_response(key: &[u8; 16], challenge: &[u8]) -> Vec<u8> {
    let mut block = [0u8; 16];
    let n = challenge.len().min(16);
    block[..n].copy_from_slice(&challenge[..n]);
    ecb_encrypt(key, &block)
}

/// ISO/IEC 9797-1 method 2 padding (`80` then zeros), added only when the
/// data is not already a whole number of blocks.
pub fn mac_pad(data: &[u8]) -> Vec<u8> {
    let mut out = data.to_vec();
    if !out.len().is_multiple_of(16) || out.is_empty() {
        out.push(0x80);
        while !out.len().is_multiple_of(16) {
            out.push(0);
        }
    }
    out
}

/// The 4-byte MAC of a CLA `84` command: SM4-CBC (zero IV) over
/// `80 INS P1 P2 Lc'` ‖ body, where `Lc'` is the body length without MAC.
/// A body too long for that one length byte is refused (`BadInput`).
pub fn command_mac(
    key: &[u8; 16],
    ins: u8,
    p1: u8,
    p2: u8,
    body: &[u8],
) -> Result<[u8; 4], DeviceError> {
    let lc = length_byte(body.len(), "a secured command's body")?;
    let mut input = vec![0x80, ins, p1, p2, lc];
    input.extend_from_slice(body);
    Ok(mac(key, &input))
}

/// SM4-CBC-MAC, first 4 bytes of the last block.
pub fn mac(key: &[u8; 16], data: &[u8]) -> [u8; 4] {
    let padded = mac_pad(data);
    let ct = cbc::Encryptor::<Sm4>::new(key.into(), &[0u8; 16].into())
        .encrypt_padded_vec_mut::<NoPadding>(&padded);
    let last = &ct[ct.len() - 16..];
    [last[0], last[1], last[2], last[3]]
}

/// Seed padding: `80 00…` to the next block; a seed that already fills whole
/// blocks (16, 32, 48 bytes) gets one extra full block.
pub fn seed_pad(seed: &[u8]) -> Zeroizing<Vec<u8>> {
    // Allocated at its final size, so no copy of the seed is left behind.
    let mut out = Zeroizing::new(Vec::with_capacity((seed.len() / 16 + 1) * 16));
    out.extend_from_slice(seed);
    out.push(0x80);
    while !out.len().is_multiple_of(16) {
        out.push(0);
    }
    out
}

/// Removes [`seed_pad`] padding (the token's side).
pub fn seed_unpad(padded: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let end = padded.iter().rposition(|&b| b != 0)?;
    (padded[end] == 0x80).then(|| Zeroizing::new(padded[..end].to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// GB/T 32907-2016 (GM/T 0002) example 1, as Token2's firmware tests it
    /// (token2/openT2OTP `firmware/test/kat.c`).
    #[test]
    fn sm4_standard_vector() {
        let k: [u8; 16] = hex("0123456789abcdeffedcba9876543210").try_into().unwrap();
        assert_eq!(ecb_encrypt(&k, &k), hex("681edf34d206965e86b3e94f536e4246"));
        assert_eq!(
            ecb_decrypt(&k, &hex("681edf34d206965e86b3e94f536e4246")).unwrap(),
            k
        );
    }

    /// Token2's published answer to challenge `11 22 … 88` under the device
    /// key: token2/keyroost `crates/keyroost-token2prog/src/lib.rs`
    /// (`answer_challenge_matches_reference`).
    #[test]
    fn auth_vector() {
        assert_eq!(
            auth_response(&DEVICE_KEY, &hex("1122334455667788")),
            hex("8B7450F22721BC29985C2C460B65045D")
        );
    }

    /// token2/molto2-tools `docs/MOLTO2-PROTOCOL.md` §2.1 (and
    /// `tests/test_molto2.py::test_derive_session_key_matches_protocol_vector`).
    #[test]
    fn molto2_default_key_derivation() {
        assert_eq!(
            molto2_key(b"TOKEN2MOLTO1-KEY").as_slice(),
            hex("099250FDB017F442DA429ECBBEE17F79")
        );
    }

    /// token2/molto2-tools `tests/test_molto2.py`
    /// (`test_calc_mac_is_four_bytes_and_pinned`): Token2's own MAC of the 18
    /// bytes `hello world test!!` under the default Molto2 key.
    #[test]
    fn mac_vector_with_default_molto2_key() {
        assert_eq!(
            mac(&molto2_key(b"TOKEN2MOLTO1-KEY"), b"hello world test!!"),
            [0x2c, 0xf7, 0xc2, 0x05]
        );
    }

    /// The same challenge under the default Molto2 key: token2/keyroost
    /// `crates/keyroost-proto/tests/known_answer_vs_python.rs`
    /// (`answer_challenge_matches_python_reference`).
    #[test]
    fn molto2_auth_vector() {
        assert_eq!(
            auth_response(&molto2_key(b"TOKEN2MOLTO1-KEY"), &hex("1122334455667788")),
            hex("550ec1328f963eb02972bb141e1cf521")
        );
    }

    #[test]
    fn seed_padding_lengths() {
        for (seed, padded) in [(10, 16), (16, 32), (20, 32), (32, 48), (48, 64), (63, 64)] {
            let p = seed_pad(&vec![0xAB; seed]);
            assert_eq!(p.len(), padded, "{seed}-byte seed");
            assert_eq!(p[seed], 0x80);
            assert_eq!(seed_unpad(&p).unwrap().len(), seed);
        }
    }

    #[test]
    fn command_mac_refuses_a_body_its_length_byte_cannot_hold() {
        assert!(command_mac(&DEVICE_KEY, 0xD4, 0, 0, &[0; 255]).is_ok());
        let e = command_mac(&DEVICE_KEY, 0xD4, 0, 0, &[0; 256]).unwrap_err();
        assert!(matches!(e.kind, crate::DeviceErrorKind::BadInput(_)), "{e}");
    }

    #[test]
    fn mac_pads_only_partial_blocks() {
        assert_eq!(mac_pad(&[1; 16]).len(), 16);
        assert_eq!(mac_pad(&[1; 17]).len(), 32);
        assert_eq!(mac_pad(&[1; 15])[15], 0x80);
    }
}

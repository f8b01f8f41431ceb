use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

/// Seed bytes of an OATH credential.
///
/// The bytes live in memory that is wiped on drop; `Debug` and `Display` show
/// only the size (`Secret(160 bits)`), so a secret cannot leak through a log
/// line or an error message by accident. Comparison is constant-time.
#[derive(Clone)]
pub struct Secret(Zeroizing<Vec<u8>>);

impl Secret {
    /// Takes ownership of `bytes`; the caller's buffer is moved, not copied.
    pub fn new(bytes: Vec<u8>) -> Self {
        Secret(Zeroizing::new(bytes))
    }

    /// Copies `bytes` into a new secret.
    pub fn from_slice(bytes: &[u8]) -> Self {
        Secret::new(bytes.to_vec())
    }

    /// The raw bytes, for the code that must send or hash them.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn bits(&self) -> usize {
        self.0.len() * 8
    }

    /// Unpadded uppercase RFC 4648 base32, the form Entra and otpauth URIs use.
    pub fn to_base32(&self) -> Zeroizing<String> {
        Zeroizing::new(data_encoding::BASE32_NOPAD.encode(&self.0))
    }

    /// Lowercase hex, the form some vendor files use.
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(&*self.0))
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_slice().ct_eq(other.0.as_slice()).into()
    }
}

impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({} bits)", self.bits())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl Zeroize for Secret {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_bytes() {
        let s = Secret::from_slice(b"12345678901234567890");
        assert_eq!(format!("{s:?}"), "Secret(160 bits)");
        assert_eq!(format!("{s}"), "Secret(160 bits)");
        assert!(!format!("{s:?}").contains("3132"));
    }

    #[test]
    fn equality_compares_content() {
        assert_eq!(Secret::from_slice(b"abc"), Secret::from_slice(b"abc"));
        assert_ne!(Secret::from_slice(b"abc"), Secret::from_slice(b"abd"));
        assert_ne!(Secret::from_slice(b"abc"), Secret::from_slice(b"abcd"));
    }

    #[test]
    fn encodes_base32_unpadded_uppercase() {
        let s = Secret::from_slice(b"12345678901234567890");
        assert_eq!(s.to_base32().as_str(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(
            s.to_hex().as_str(),
            "3132333435363738393031323334353637383930"
        );
    }
}

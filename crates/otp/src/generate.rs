use crate::{Algorithm, Secret};

/// A fresh secret from the OS random number generator, as long as the hash
/// output (160 bits for SHA1, 256 for SHA256, 512 for SHA512), the length
/// RFC 4226 recommends.
pub fn generate_secret(algorithm: Algorithm) -> Secret {
    let mut bytes = vec![0u8; algorithm.output_len()];
    getrandom::fill(&mut bytes).expect("the OS random number generator is available");
    Secret::new(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_follow_the_hash() {
        assert_eq!(generate_secret(Algorithm::Sha1).bits(), 160);
        assert_eq!(generate_secret(Algorithm::Sha256).bits(), 256);
    }

    #[test]
    fn two_secrets_differ() {
        assert_ne!(
            generate_secret(Algorithm::Sha1),
            generate_secret(Algorithm::Sha1)
        );
    }
}

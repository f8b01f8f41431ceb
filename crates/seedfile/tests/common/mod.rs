//! Reading a seed file with given keys, as the station does.
#![allow(dead_code)]

use oathdesk_seedfile::{Ask, Format, Keys, SeedError, SeedFile, read};
use zeroize::Zeroizing;

/// Reads `bytes` with `pskc_key`, `pgp_key` and `passphrase` (answered for
/// any question); returns the file and the questions asked.
pub fn read_with(
    bytes: &[u8],
    format: Option<Format>,
    pskc_key: Option<&[u8]>,
    pgp_key: Option<&[u8]>,
    passphrase: Option<&str>,
) -> (Result<SeedFile, SeedError>, Vec<Ask>) {
    let mut asked = Vec::new();
    let mut answer = |a: Ask| {
        asked.push(a);
        passphrase.map(|p| Zeroizing::new(p.to_string()))
    };
    let mut keys = Keys {
        pskc_key,
        pgp_secret_key: pgp_key,
        passphrase: &mut answer,
    };
    let file = read(bytes, format, &mut keys);
    (file, asked)
}

pub fn plain(bytes: &[u8]) -> Result<SeedFile, SeedError> {
    read_with(bytes, None, None, None, None).0
}

//! PSKC containers (RFC 6030) as any bytes: parsed with a pre-shared key
//! at hand, decrypted and MAC-checked where they say so, and checked
//! against what Entra takes; an error or records, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oathdesk_seedfile::{Format, Keys, check, read};

fuzz_target!(|data: &[u8]| {
    // No passphrase: a derived key stops before PBKDF2 runs.
    let mut none = |_| None;
    let key = [0x11u8; 16];
    let mut keys = Keys { pskc_key: Some(&key), pgp_secret_key: None, passphrase: &mut none };
    match read(data, Some(Format::Pskc), &mut keys) {
        Ok(file) => drop(check(file)),
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});

//! The format detector, and a whole read from detection on (OpenPGP
//! recognised, then refused for want of a key): never a panic, and a
//! detected format is one the reader then uses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oathdesk_seedfile::{Keys, detect, read};

fuzz_target!(|data: &[u8]| {
    let detected = detect(data);
    let mut none = |_| None;
    let mut keys = Keys { pskc_key: None, pgp_secret_key: None, passphrase: &mut none };
    if let Ok(file) = read(data, None, &mut keys) {
        assert!(file.encrypted || detected == Some(file.format));
    }
});

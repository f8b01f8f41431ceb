//! Token2's JSON and CSV and Entra's CSV as any bytes: each record read
//! or refused at its line or record, then checked; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oathdesk_seedfile::{Format, Keys, check, read};

fuzz_target!(|data: &[u8]| {
    for format in [Format::Token2Json, Format::Token2Csv, Format::EntraCsv] {
        let mut none = |_| None;
        let mut keys = Keys { pskc_key: None, pgp_secret_key: None, passphrase: &mut none };
        match read(data, Some(format), &mut keys) {
            Ok(file) => {
                for e in check(file).refused {
                    assert!(e.place.is_some() && !e.message.is_empty());
                }
            }
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
});

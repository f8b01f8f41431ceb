//! Entra's legacy token CSV as vendors and operators write it: any bytes
//! are read and checked row by row, ending in a count or the first bad
//! line, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oathdesk_station::workflow::inventory::check_csv;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = check_csv(data) {
        assert!(!e.to_string().is_empty());
    }
});

//! A Molto2's answers: info, a slot's public data, authentication, writes
//! and deletes.
#![no_main]

mod common;
mod sessions;

use common::Scripted;
use libfuzzer_sys::fuzz_target;
use oathdesk_device::apdu::Response;
use oathdesk_device::molto2::{Slot, codec};

fuzz_target!(|data: &[u8]| {
    let [slot, script @ ..] = data else { return };
    if let Some(resp) = Response::parse(script) {
        let slot = Slot::new(slot % 100).expect("slots 0..=99");
        let _ = codec::parse_public_data(&resp, slot);
        let _ = codec::parse_delete(&resp);
        let _ = codec::parse_pending(&resp);
    }
    sessions::molto2(*slot, Scripted { data: script });
});

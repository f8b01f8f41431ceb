//! A YubiKey-style OATH applet's answers: SELECT, LIST, CALCULATE, PUT and
//! DELETE, with `61 XX` chains fetched by SEND REMAINING; and names as a
//! card stores them.
#![no_main]

mod common;
mod sessions;

use common::Scripted;
use libfuzzer_sys::fuzz_target;
use oathdesk_device::apdu::Response;
use oathdesk_device::ykoath::{CredentialName, codec};

fuzz_target!(|data: &[u8]| {
    if let Some(resp) = Response::parse(data) {
        let _ = codec::parse_select(&resp);
        let _ = codec::parse_list(&resp);
        let _ = codec::parse_calculate(&resp);
        let _ = codec::tlvs(&resp.data);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(name) = CredentialName::parse(text) {
            assert!(name.period() > 0);
            assert_eq!(name.as_str(), text);
            let _ = codec::calculate(&name, 1_700_000_000);
        }
    }
    sessions::ykoath(Scripted { data });
});

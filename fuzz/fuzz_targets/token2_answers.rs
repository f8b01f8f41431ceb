//! A Token2 single-profile token's answers (and, through identification,
//! whatever a card on a desk reader says first): get-info, challenge,
//! authentication and writes. Any bytes end in a value or an error.
#![no_main]

mod common;
mod sessions;

use common::Scripted;
use libfuzzer_sys::fuzz_target;
use oathdesk_device::apdu::Response;
use oathdesk_device::token2::codec;

fuzz_target!(|data: &[u8]| {
    let [choice, script @ ..] = data else { return };
    if let Some(resp) = Response::parse(script) {
        let _ = codec::parse_info(&resp);
        let _ = codec::parse_challenge(&resp);
        let _ = codec::parse_ok(&resp);
    }
    sessions::token2(*choice, Scripted { data: script });
});

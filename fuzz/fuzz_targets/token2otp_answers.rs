//! A Token2 PIN+ key's OTP applet answers: read-all pages (the
//! code-present rule, the more-pages bit), read-one, config, the device
//! key and the serial; then a whole session scripted by the same bytes.
#![no_main]

mod common;
mod sessions;

use common::Scripted;
use libfuzzer_sys::fuzz_target;
use oathdesk_device::apdu::Response;
use oathdesk_device::token2otp::{DeviceKey, codec};
use oathdesk_otp::OtpKind;

fuzz_target!(|data: &[u8]| {
    if let Ok(page) = codec::parse_page(data) {
        for e in &page.entries {
            // The rule the parser applies: a code only on TOTP without touch.
            assert_eq!(e.code.is_some(), e.kind == OtpKind::Totp && !e.touch);
            assert!(!e.name.account().is_empty() && e.name.account().len() <= 64);
        }
    }
    if let Some(resp) = Response::parse(data) {
        let _ = codec::parse_first_page(&resp);
        let _ = codec::parse_next_page(&resp);
        if let Ok(e) = codec::parse_read_one(&resp) {
            assert!(e.code.is_some_and(|c| (1..=10).contains(&c.len())));
        }
        let _ = codec::parse_config(&resp);
        let _ = codec::parse_serial(&resp);
        if let Ok(key) = DeviceKey::parse(&resp) {
            assert_eq!(DeviceKey::from_xy(&key.xy()), Ok(key));
        }
    }
    sessions::token2otp(Scripted { data });
});

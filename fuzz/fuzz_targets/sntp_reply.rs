//! An NTP server's reply (from the network, so from anyone): the first 8
//! bytes are the request's transmit stamp, the rest the reply. Reading it
//! either refuses it or yields a reply whose measurement is finite; never a
//! panic or an overflow.
#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use libfuzzer_sys::fuzz_target;
use oathdesk_station::clock::sntp::{NtpTime, measure, read_reply};

fuzz_target!(|data: &[u8]| {
    if data.len() < 8 {
        return;
    }
    let (stamp, reply) = data.split_at(8);
    let sent = NtpTime(u64::from_be_bytes(stamp.try_into().unwrap()));
    if let Ok(r) = read_reply(reply, sent) {
        let t1 = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let m = measure(&r, t1, t1 + Duration::from_millis(30));
        assert!(m.uncertainty_ms >= 0);
    }
});

//! `oathdesk-sim token --family ykoath --firmware X.Y.Z`: the applet on
//! the reader reports that firmware and behaves as it does (no RENAME
//! before 5.3.1). Needs the private pcscd of `tests/harness/pcsc-ns.sh`.

// `oathdesk-sim token` (a unix control socket) behind the private pcscd.
#![cfg(unix)]

mod common;

use std::ffi::CString;
use std::time::Duration;

use common::TokenSim;
use oathdesk_device::pcsc::PcscService;
use oathdesk_sim::readers::VirtualReader;
use pcsc::{Context, Protocols, Scope, ShareMode};

fn transmit(card: &pcsc::Card, apdu: &[u8]) -> Vec<u8> {
    let mut buf = [0u8; pcsc::MAX_BUFFER_SIZE];
    card.transmit(apdu, &mut buf).expect("transmit").to_vec()
}

#[test]
fn an_applet_of_older_firmware_reports_it_and_lacks_rename() {
    let reader = VirtualReader::acquire();
    let t = TokenSim::start(
        reader.name(),
        reader.port(),
        &["--family", "ykoath", "--firmware", "5.2.7"],
    );
    let state = t.control(r#"{"cmd":"state"}"#);
    assert_eq!(state["version"], serde_json::json!([5, 2, 7]), "{state}");

    let ctx = Context::establish(Scope::User).unwrap();
    let name = CString::new(reader.name()).unwrap();
    let card = ctx
        .connect(&name, ShareMode::Exclusive, Protocols::ANY)
        .unwrap();
    let aid = [0xA0, 0x00, 0x00, 0x05, 0x27, 0x21, 0x01];
    let select = transmit(&card, &[&[0x00, 0xA4, 0x04, 0x00, 0x07][..], &aid].concat());
    assert_eq!(select[..5], [0x79, 0x03, 5, 2, 7]);
    let rename = [0x71, 0x01, b'a', 0x71, 0x01, b'b'];
    let sent = transmit(
        &card,
        &[&[0x00, 0x05, 0x00, 0x00, 0x06][..], &rename].concat(),
    );
    assert_eq!(sent, [0x6D, 0x00]);
    drop(card);

    assert_eq!(
        t.control(r#"{"cmd":"remove"}"#),
        serde_json::json!({"ok": true})
    );
    let exit = t.sim.wait();
    assert_eq!(exit.code(), Some(0), "exit after remove: {exit:?}");
    // The reader goes back to the pool only once pcscd has seen it empty:
    // the next test on this slot must not find this card still there.
    let desk = PcscService::establish().unwrap();
    let gone = desk.wait_for_card(reader.name(), false, Duration::from_secs(10));
    assert!(
        gone.unwrap(),
        "the card is still on the reader after remove"
    );
}

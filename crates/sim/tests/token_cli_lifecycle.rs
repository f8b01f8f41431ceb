//! `oathdesk-sim token` keeps its card on the reader with stdin closed (as
//! under `&` in a script) and, on SIGTERM or SIGINT, takes it off and exits
//! 0. Needs the private pcscd of `tests/harness/pcsc-ns.sh`.

// `oathdesk-sim token` (a unix control socket) behind the private pcscd.
#![cfg(unix)]

mod common;

use std::ffi::CString;
use std::time::{Duration, Instant};

use common::{Sim, TokenSim};
use oathdesk_sim::readers::VirtualReader;
use pcsc::{Context, ReaderState, Scope, State};

/// Blocks on PC/SC's own event until `reader` has a card (`true`) or none.
fn wait_for_card(reader: &str, present: bool) -> bool {
    let ctx = Context::establish(Scope::User).expect("pcscd is running");
    let mut states = [ReaderState::new(
        CString::new(reader).unwrap(),
        State::UNAWARE,
    )];
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match ctx.get_status_change(left, &mut states) {
            Ok(()) => {}
            Err(pcsc::Error::Timeout) => return false,
            Err(e) => panic!("PC/SC status: {e}"),
        }
        let s = states[0].event_state();
        let seen = if present {
            s.contains(State::PRESENT)
        } else {
            s.contains(State::EMPTY)
        };
        if seen {
            return true;
        }
        states[0].sync_current_state();
    }
}

#[test]
fn token_runs_with_stdin_closed_and_sigterm_takes_the_card_off() {
    let reader = VirtualReader::acquire();
    let port = reader.port().to_string();
    let mut sim = Sim::start(&[
        "token",
        "--serial",
        "8659610123456",
        "--vpcd-port",
        &port,
        "--wait-for-reader",
        reader.name(),
    ]);
    assert_eq!(sim.line(), "ready");
    sim.assert_running();
    assert!(wait_for_card(reader.name(), true), "no card on the reader");
    sim.assert_running();
    sim.signal("TERM");
    let exit = sim.wait();
    assert_eq!(exit.code(), Some(0), "exit after SIGTERM: {exit:?}");
    assert!(
        wait_for_card(reader.name(), false),
        "the card is still on the reader after exit"
    );
}

#[test]
fn token_with_a_control_socket_exits_0_on_sigint() {
    let reader = VirtualReader::acquire();
    let mut t = TokenSim::start(
        reader.name(),
        reader.port(),
        &["--family", "molto2", "--serial", "8659700000001"],
    );
    // The control socket answers as soon as "ready" is printed.
    let state = t.control(r#"{"cmd":"state"}"#);
    assert!(state.get("error").is_none(), "{state}");
    t.sim.assert_running();
    t.sim.signal("INT");
    let socket = t.socket.clone();
    let exit = t.sim.wait();
    assert_eq!(exit.code(), Some(0), "exit after SIGINT: {exit:?}");
    assert!(
        wait_for_card(reader.name(), false),
        "the card is still on the reader after exit"
    );
    assert!(!socket.exists(), "the control socket was left behind");
}

#[test]
fn token_control_remove_still_ends_it_with_0() {
    let reader = VirtualReader::acquire();
    let t = TokenSim::start(reader.name(), reader.port(), &[]);
    assert_eq!(
        t.control(r#"{"cmd":"remove"}"#),
        serde_json::json!({"ok": true})
    );
    let exit = t.sim.wait();
    assert_eq!(exit.code(), Some(0), "exit after remove: {exit:?}");
    assert!(
        wait_for_card(reader.name(), false),
        "the card is still on the reader after remove"
    );
}

//! `oathdesk-sim token` keeps its card on the reader with stdin closed (as
//! under `&` in a script) and, on SIGTERM or SIGINT, takes it off and exits
//! 0. Needs the private pcscd of `tests/harness/pcsc-ns.sh`.

mod common;

use std::ffi::CString;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use common::Sim;
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
    let port = reader.port().to_string();
    let dir = std::env::temp_dir().join(format!("oathdesk-sim-token-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let socket = dir.join("control.sock");
    let mut sim = Sim::start(&[
        "token",
        "--family",
        "molto2",
        "--serial",
        "8659700000001",
        "--vpcd-port",
        &port,
        "--wait-for-reader",
        reader.name(),
        "--state-socket",
        socket.to_str().unwrap(),
    ]);
    assert_eq!(sim.line(), "ready");
    // The control socket answers as soon as "ready" is printed.
    let mut conn = UnixStream::connect(&socket).expect("control socket is bound");
    writeln!(conn, r#"{{"cmd":"state"}}"#).unwrap();
    let mut answer = String::new();
    BufReader::new(conn.try_clone().unwrap())
        .read_line(&mut answer)
        .unwrap();
    let state: serde_json::Value = serde_json::from_str(&answer).expect("JSON state");
    assert!(state.get("error").is_none(), "{state}");
    drop(conn);
    sim.assert_running();
    sim.signal("INT");
    let exit = sim.wait();
    assert_eq!(exit.code(), Some(0), "exit after SIGINT: {exit:?}");
    assert!(
        wait_for_card(reader.name(), false),
        "the card is still on the reader after exit"
    );
    assert!(!socket.exists(), "the control socket was left behind");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn token_control_remove_still_ends_it_with_0() {
    let reader = VirtualReader::acquire();
    let port = reader.port().to_string();
    let dir = std::env::temp_dir().join(format!("oathdesk-sim-remove-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let socket = dir.join("control.sock");
    let mut sim = Sim::start(&[
        "token",
        "--vpcd-port",
        &port,
        "--wait-for-reader",
        reader.name(),
        "--state-socket",
        socket.to_str().unwrap(),
    ]);
    assert_eq!(sim.line(), "ready");
    let mut conn = UnixStream::connect(&socket).expect("control socket is bound");
    writeln!(conn, r#"{{"cmd":"remove"}}"#).unwrap();
    let mut answer = String::new();
    BufReader::new(conn).read_line(&mut answer).unwrap();
    assert_eq!(answer.trim(), r#"{"ok":true}"#);
    let exit = sim.wait();
    assert_eq!(exit.code(), Some(0), "exit after remove: {exit:?}");
    assert!(
        wait_for_card(reader.name(), false),
        "the card is still on the reader after remove"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

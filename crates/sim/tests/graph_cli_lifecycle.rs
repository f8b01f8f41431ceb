//! `oathdesk-sim graph` keeps serving with stdin closed (as under `&` in a
//! script) and exits 0 on SIGTERM or SIGINT.

// Signals the real binary with kill(1): SIGTERM and SIGINT are unix's.
#![cfg(unix)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::Sim;

/// Sends one HTTP/1.1 request (`head` without the Host and Connection
/// lines, then `body`) and returns the status line.
fn http(addr: &str, head: &str, body: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("the sandbox accepts a connection");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "{head}\r\nHost: {addr}\r\nConnection: close\r\n\r\n{body}"
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).expect("an answer");
    answer.lines().next().unwrap_or_default().to_string()
}

fn http_get(addr: &str, path: &str) -> String {
    http(addr, &format!("GET {path} HTTP/1.1"), "")
}

fn serves_until(signal: &str) {
    let mut sim = Sim::start(&["graph", "--listen", "127.0.0.1:0"]);
    let ready = sim.line();
    let addr = ready
        .strip_prefix("listening http://")
        .unwrap_or_else(|| panic!("unexpected ready line {ready:?}"))
        .to_string();
    // stdin was closed from the start; it must still be up and answering.
    sim.assert_running();
    let status = http_get(&addr, "/v1.0/users");
    assert!(
        status.starts_with("HTTP/1.1 ") && status.len() >= 12,
        "not an HTTP answer: {status:?}"
    );
    sim.assert_running();
    sim.signal(signal);
    let exit = sim.wait();
    assert_eq!(exit.code(), Some(0), "exit after SIG{signal}: {exit:?}");
}

#[test]
fn graph_runs_with_stdin_closed_and_exits_0_on_sigterm() {
    serves_until("TERM");
}

#[test]
fn graph_exits_0_on_sigint() {
    serves_until("INT");
}

/// POSTs `{}` with extra header lines; returns the status line.
fn http_post(addr: &str, path: &str, headers: &str) -> String {
    let head = format!(
        "POST {path} HTTP/1.1\r\n{headers}Content-Type: application/json\r\nContent-Length: 2"
    );
    http(addr, &head, "{}")
}

/// The controls that reveal secrets and set faults answer only whoever
/// started the sandbox: without this run's control secret they are not
/// there (404), with it they work.
#[test]
fn sandbox_controls_need_the_runs_control_secret() {
    let mut sim = Sim::start(&["graph", "--listen", "127.0.0.1:0"]);
    let ready = sim.line();
    let addr = ready.strip_prefix("listening http://").unwrap().to_string();
    let control = sim.line();
    let secret = control.strip_prefix("control ").unwrap().to_string();
    assert_eq!(secret.len(), 32, "{control:?}");
    let without = http_post(&addr, "/_sandbox/faults", "");
    assert!(without.contains(" 404 "), "{without}");
    let wrong = http_post(
        &addr,
        "/_sandbox/faults",
        &format!("x-sandbox-control: {}\r\n", "0".repeat(32)),
    );
    assert!(wrong.contains(" 404 "), "{wrong}");
    let with = http_post(
        &addr,
        "/_sandbox/faults",
        &format!("x-sandbox-control: {secret}\r\n"),
    );
    assert!(with.contains(" 20"), "{with}");
    sim.signal("TERM");
    assert_eq!(sim.wait().code(), Some(0));
}

/// The switches a script sets on the command line (`--fail`,
/// `--throttle-every`, `--latency-ms`) and at run time through
/// `/_sandbox/faults` act on Graph calls as they say.
#[test]
fn fault_switches_from_the_command_line_and_the_controls_work() {
    let dir = tempfile::tempdir().unwrap();
    let tenant = dir.path().join("tenant.json");
    std::fs::write(
        &tenant,
        r#"{"users": [], "tokens": {"op": ["Policy.ReadWrite.AuthenticationMethod"]}}"#,
    )
    .unwrap();
    let mut sim = Sim::start(&[
        "graph",
        "--tenant",
        tenant.to_str().unwrap(),
        "--fail",
        "list=1",
        "--throttle-every",
        "3",
        "--latency-ms",
        "200",
    ]);
    let base = sim.line().strip_prefix("listening ").unwrap().to_string();
    let secret = sim.line().strip_prefix("control ").unwrap().to_string();
    let http = reqwest::blocking::Client::new();
    let list = || {
        let asked = std::time::Instant::now();
        let r = http
            .get(format!(
                "{base}/beta/directory/authenticationMethodDevices/hardwareOathDevices"
            ))
            .bearer_auth("op")
            .send()
            .unwrap();
        (r.status().as_u16(), asked.elapsed())
    };
    let (first, waited) = list();
    assert_eq!(first, 503, "--fail list=1");
    assert!(
        waited >= Duration::from_millis(200),
        "--latency-ms 200: {waited:?}"
    );
    assert_eq!(list().0, 200);
    assert_eq!(list().0, 429, "--throttle-every 3");
    let set = http
        .post(format!("{base}/_sandbox/faults"))
        .header(oathdesk_sim::graph::CONTROL_HEADER, &secret)
        .json(&serde_json::json!({"fail_before": {"list": 2}}))
        .send()
        .unwrap();
    assert_eq!(set.status(), 204);
    assert_eq!((list().0, list().0, list().0), (503, 503, 200));
    sim.signal("TERM");
    assert_eq!(sim.wait().code(), Some(0));
}

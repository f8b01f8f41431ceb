//! Who vouches for the host clock before a burn: Graph when the desk
//! reaches it, else an NTP server (`OATHDESK_NTP_SERVERS`); none, and
//! nothing is written. The audit record of every clock write names the
//! source and the measured offset. `oathdesk-cli` → a private pcscd → the
//! virtual token, beside the sim's NTP server. Run through
//! tests/harness/pcsc-ns.sh (make test does).

mod common;
use common::{run_with, stderr};
use oathdesk_sim::graph::{Sandbox, TenantSeed};
use oathdesk_sim::ntp::{Behaviour, NtpServer};
use oathdesk_sim::token::{Token2Card, Token2Model, TokenClock};
use oathdesk_testkit::{Insert, Inserted, VirtualReader};

const SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
/// A port nothing listens on: Graph is out of reach (connection refused).
const NO_GRAPH: &str = "http://127.0.0.1:9";

fn token() -> Token2Card {
    Token2Card::new(
        Token2Model::by_name("OTPC-P1-i").unwrap(),
        "007009",
        TokenClock::offset(-600, 0.0),
    )
}

struct Desk {
    dir: tempfile::TempDir,
    graph: String,
    ntp: String,
}

impl Desk {
    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("OATHDESK_DATA_DIR", self.dir.path().display().to_string()),
            ("OATHDESK_GRAPH_URL", self.graph.clone()),
            ("OATHDESK_NTP_SERVERS", self.ntp.clone()),
            // The OS's synchronisation differs from machine to machine; the
            // station's unit tests cover it with recorded kernel answers.
            ("OATHDESK_TRUST_OS_CLOCK", "no".to_string()),
        ]
    }

    fn burn(&self, reader: &VirtualReader) -> std::process::Output {
        run_with(
            &["burn", "--reader", reader.name(), "--json"],
            SECRET,
            &self.env(),
        )
    }

    /// The detail of the last audit record.
    fn last_audited(&self) -> String {
        let out = run_with(&["audit", "list", "--json"], "", &self.env());
        assert!(out.status.success(), "{}", stderr(&out));
        let records: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let last = records.as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["action"], "burn");
        last["detail"].as_str().unwrap_or_default().to_string()
    }
}

/// The sim's NTP server, its clock `ms` ahead of the host's.
fn ntp_ahead(ms: i64) -> NtpServer {
    NtpServer::start(Behaviour {
        offset_ms: ms,
        ..Behaviour::default()
    })
    .unwrap()
}

/// A burn at a desk that cannot reach Graph and asks an NTP server.
struct OfflineBurn {
    desk: Desk,
    /// The token (its reader held as long as it is).
    token: Inserted<Token2Card>,
    _reader: VirtualReader,
    out: std::process::Output,
}

fn offline_burn(ntp: &NtpServer) -> OfflineBurn {
    let desk = desk(NO_GRAPH, &ntp.address());
    let reader = VirtualReader::acquire();
    let token = reader.insert(token());
    let out = desk.burn(&reader);
    OfflineBurn {
        desk,
        token,
        _reader: reader,
        out,
    }
}

fn desk(graph: &str, ntp: &str) -> Desk {
    Desk {
        dir: tempfile::tempdir().unwrap(),
        graph: graph.into(),
        ntp: ntp.into(),
    }
}

#[test]
fn offline_an_ntp_server_vouches_and_the_audit_record_names_it() {
    let ntp = ntp_ahead(400);
    let burn = offline_burn(&ntp);
    assert!(burn.out.status.success(), "{}", stderr(&burn.out));
    assert!(burn.token.card().seed_sha256().is_some());
    let detail = burn.desk.last_audited();
    let vouched = format!(
        "host clock vouched for by the NTP server {}: off by +",
        ntp.address()
    );
    assert!(detail.contains(&vouched), "{detail}");
    // The offset measured is the server's, within its stated uncertainty.
    let off: i64 = detail
        .split("off by +")
        .nth(1)
        .and_then(|s| s.split(" ms").next())
        .and_then(|s| s.parse().ok())
        .unwrap();
    assert!(
        (off - 400).abs() <= 50,
        "measured {off} ms, the server is 400 ms ahead"
    );
    assert_eq!(ntp.requests(), 1);
}

#[test]
fn graph_vouches_first_and_the_ntp_server_is_not_asked() {
    let sandbox = Sandbox::start(TenantSeed::default(), 0).unwrap();
    let ntp = ntp_ahead(0);
    let desk = desk(&sandbox.base_url(), &ntp.address());
    let reader = VirtualReader::acquire();
    let _t = reader.insert(token());
    let out = desk.burn(&reader);
    assert!(out.status.success(), "{}", stderr(&out));
    let detail = desk.last_audited();
    assert!(
        detail.contains("host clock vouched for by Microsoft Graph: off by"),
        "{detail}"
    );
    assert_eq!(ntp.requests(), 0);
}

#[test]
fn an_ntp_server_that_finds_the_clock_off_stops_the_burn() {
    let ntp = ntp_ahead(5_000);
    let burn = offline_burn(&ntp);
    assert_eq!(burn.out.status.code(), Some(1));
    let message = stderr(&burn.out);
    let behind = format!("5.0 s behind the NTP server {}'s", ntp.address());
    assert!(message.contains(&behind), "{message}");
    assert_eq!(
        burn.token.card().seed_sha256(),
        None,
        "a token was set from a wrong clock"
    );
}

#[test]
fn when_nothing_vouches_the_burn_is_refused_saying_what_was_tried() {
    let unsynchronised = NtpServer::start(Behaviour {
        leap: 3,
        ..Behaviour::default()
    })
    .unwrap();
    let kiss = NtpServer::start(Behaviour {
        kiss: Some(*b"RATE"),
        ..Behaviour::default()
    })
    .unwrap();
    let foreign = NtpServer::start(Behaviour {
        foreign: true,
        ..Behaviour::default()
    })
    .unwrap();
    let list = [&unsynchronised, &kiss, &foreign]
        .map(|s| s.address())
        .join(",");
    let desk = desk(NO_GRAPH, &list);
    let reader = VirtualReader::acquire();
    let t = reader.insert(token());
    let out = desk.burn(&reader);
    assert_eq!(out.status.code(), Some(1));
    let message = stderr(&out);
    for tried in [
        "nothing vouches for this computer's clock (Microsoft Graph: cannot reach Microsoft Graph"
            .to_string(),
        format!(
            "the NTP server {}: the server says it is not synchronised",
            unsynchronised.address()
        ),
        format!(
            "the NTP server {}: the server refused to answer (RATE)",
            kiss.address()
        ),
        format!(
            "the NTP server {}: the answer is for another request",
            foreign.address()
        ),
        "OATHDESK_NTP_SERVERS".to_string(),
    ] {
        assert!(message.contains(&tried), "{tried:?} not in {message}");
    }
    assert!(
        !message.contains("own time synchronisation:"),
        "the OS was asked though the desk does not trust it: {message}"
    );
    assert_eq!(
        t.card().seed_sha256(),
        None,
        "a token was written with no clock vouched for"
    );
}

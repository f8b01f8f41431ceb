//! Each audit record goes on to the desk's collectors as it is written:
//! RFC 5424 syslog over UDP and TCP (octet counting) and JSON lines to a
//! file, to real sockets on loopback. A collector that is down delays
//! nothing and loses nothing: its records arrive, in order, once it is back
//! — in the same run or the next.

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::time::Duration;

use oathdesk_station::audit::{AuditAction, AuditEntry, Outcome};
use oathdesk_station::forward::{Forwarding, Sink};
use oathdesk_station::keys::KeyringStore;
use oathdesk_station::{Station, StationConfig};

/// A guard against a hang, not a wait: every read below returns as soon as
/// its data is there.
const GUARD: Duration = Duration::from_secs(20);

fn config(dir: &tempfile::TempDir) -> StationConfig {
    StationConfig {
        data_dir: dir.path().to_path_buf(),
        operator: "helpdesk@contoso.com".into(),
    }
}

fn open(config: &StationConfig, sinks: Vec<Sink>) -> Station {
    let forwarding = Forwarding {
        sinks,
        retry: Duration::from_millis(50),
        ca_file: None,
    };
    let keys = KeyringStore::new(&config.key_profile());
    Station::open_forwarding(config.clone(), &keys, forwarding).unwrap()
}

fn record(station: &Station, serial: &str) {
    station
        .audit(AuditEntry {
            action: AuditAction::Burn,
            serial: Some(serial.into()),
            outcome: Outcome::Ok,
            ..Default::default()
        })
        .unwrap();
}

/// `seq="N"` of an RFC 5424 message from this desk.
fn seq_of(message: &str) -> u64 {
    assert!(message.starts_with("<110>1 "), "{message}");
    assert!(
        message.contains(" oathdesk - burn [oathdesk@32473 seq=\""),
        "{message}"
    );
    let rest = message.split_once("seq=\"").unwrap().1;
    rest.split_once('"').unwrap().0.parse().unwrap()
}

/// One octet-counted message (`LEN SP MSG`) from a TCP or TLS stream.
fn framed(r: &mut impl BufRead) -> String {
    let mut len = Vec::new();
    r.read_until(b' ', &mut len).unwrap();
    let len: usize = std::str::from_utf8(&len).unwrap().trim().parse().unwrap();
    let mut msg = vec![0; len];
    r.read_exact(&mut msg).unwrap();
    String::from_utf8(msg).unwrap()
}

fn accept(listener: &TcpListener) -> BufReader<TcpStream> {
    let (stream, _) = listener.accept().unwrap();
    stream.set_read_timeout(Some(GUARD)).unwrap();
    BufReader::new(stream)
}

#[test]
fn records_go_to_syslog_over_udp_and_tcp_and_to_a_json_lines_file() {
    let dir = tempfile::tempdir().unwrap();
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    udp.set_read_timeout(Some(GUARD)).unwrap();
    let tcp = TcpListener::bind("127.0.0.1:0").unwrap();
    let lines = dir.path().join("audit.jsonl");
    let station = open(
        &config(&dir),
        vec![
            Sink::SyslogUdp(udp.local_addr().unwrap().to_string()),
            Sink::SyslogTcp(tcp.local_addr().unwrap().to_string()),
            Sink::JsonLines(Some(lines.clone())),
        ],
    );
    for serial in ["S1", "S2", "S3"] {
        record(&station, serial);
    }
    let mut buf = [0u8; 4096];
    let datagrams: Vec<u64> = (0..3)
        .map(|_| {
            let n = udp.recv(&mut buf).unwrap();
            seq_of(std::str::from_utf8(&buf[..n]).unwrap())
        })
        .collect();
    assert_eq!(datagrams, [1, 2, 3]);
    let mut stream = accept(&tcp);
    let over_tcp: Vec<u64> = (0..3).map(|_| seq_of(&framed(&mut stream))).collect();
    assert_eq!(over_tcp, [1, 2, 3]);
    drop(station);
    let written = std::fs::read_to_string(&lines).unwrap();
    let serials: Vec<String> = written
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["serial"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(serials, ["S1", "S2", "S3"], "each record once, in order");
}

#[test]
fn a_collector_that_is_down_delays_nothing_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(&dir);
    // A port nothing listens on (yet).
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let station = open(&config, vec![Sink::SyslogTcp(addr.to_string())]);
    record(&station, "S1");
    record(&station, "S2");
    assert_eq!(station.records().audit_records().unwrap().len(), 2);
    drop(station);

    // The next run, with the collector back: the queue is delivered first.
    let collector = TcpListener::bind(addr).unwrap();
    let station = open(&config, vec![Sink::SyslogTcp(addr.to_string())]);
    let mut stream = accept(&collector);
    assert_eq!(seq_of(&framed(&mut stream)), 1);
    assert_eq!(seq_of(&framed(&mut stream)), 2);
    record(&station, "S3");
    assert_eq!(seq_of(&framed(&mut stream)), 3);
}

#[test]
fn a_sink_that_cannot_be_read_is_refused_with_the_forms_it_takes() {
    for bad in [
        "syslog://h:514",
        "syslog+udp://h",
        "syslog+tcp://:601",
        "jsonl:",
        "file:/x",
    ] {
        let e = Sink::parse(bad).unwrap_err().to_string();
        assert!(
            e.contains("syslog+udp://host:514") && e.contains("jsonl:-"),
            "{bad}: {e}"
        );
    }
    assert_eq!(
        Sink::parse(" syslog+tls://siem.contoso.com:6514 ").unwrap(),
        Sink::SyslogTls("siem.contoso.com:6514".into())
    );
}

/// A collector with a certificate for `localhost` from a CA of its own,
/// which the desk is told to trust through a PEM file.
fn tls_collector(
    dir: &tempfile::TempDir,
) -> (
    TcpListener,
    std::sync::Arc<rustls::ServerConfig>,
    std::path::PathBuf,
) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".into()])
        .unwrap()
        .signed_by(&key, &ca, &ca_key)
        .unwrap();
    let ca_file = dir.path().join("collector-ca.pem");
    std::fs::write(&ca_file, ca.pem()).unwrap();
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    (listener, std::sync::Arc::new(server), ca_file)
}

#[test]
fn records_go_to_a_tls_collector_whose_ca_the_desk_was_given() {
    let dir = tempfile::tempdir().unwrap();
    let (listener, server, ca_file) = tls_collector(&dir);
    let port = listener.local_addr().unwrap().port();
    let forwarding = Forwarding {
        sinks: vec![Sink::SyslogTls(format!("localhost:{port}"))],
        retry: Duration::from_millis(50),
        ca_file: Some(ca_file),
    };
    let config = config(&dir);
    let keys = KeyringStore::new(&config.key_profile());
    let station = Station::open_forwarding(config, &keys, forwarding).unwrap();
    record(&station, "S1");
    record(&station, "S2");
    let (tcp, _) = listener.accept().unwrap();
    tcp.set_read_timeout(Some(GUARD)).unwrap();
    let conn = rustls::ServerConnection::new(server).unwrap();
    let mut stream = BufReader::new(rustls::StreamOwned::new(conn, tcp));
    let seqs = [seq_of(&framed(&mut stream)), seq_of(&framed(&mut stream))];
    assert_eq!(seqs, [1, 2]);
}

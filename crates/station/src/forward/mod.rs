//! Forwarding of each audit record as it is written, so many desks feed one
//! SIEM: RFC 5424 syslog over UDP, TCP or TLS, and JSON lines to a file or
//! stdout. Delivery runs on its own thread from the database: a record is
//! appended first (a burn never waits for a collector), and each sink keeps
//! the last sequence number it delivered, so a failure is retried from
//! there — after a pause, on the next record, or in the next run — and no
//! record is ever dropped.

mod syslog;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension};

use crate::StationError;
use crate::audit::{self, AuditRecord};

/// The variable that lists the sinks, comma-separated.
pub const FORWARD_ENV: &str = "OATHDESK_AUDIT_FORWARD";
/// A PEM file of CAs a TLS collector's certificate may chain to (besides
/// the system's).
pub const CA_ENV: &str = "OATHDESK_AUDIT_SYSLOG_CA";

/// Where records go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sink {
    /// `syslog+udp://host:port`
    SyslogUdp(String),
    /// `syslog+tcp://host:port`
    SyslogTcp(String),
    /// `syslog+tls://host:port`
    SyslogTls(String),
    /// `jsonl:/path/file` (appended), or `jsonl:-` for stdout.
    JsonLines(Option<PathBuf>),
}

impl Sink {
    /// Reads one sink; anything else is refused with the forms it takes.
    pub fn parse(text: &str) -> Result<Sink, StationError> {
        let text = text.trim();
        let bad = || {
            StationError::BadInput(format!(
                "{FORWARD_ENV}: {text:?} is not a sink; use syslog+udp://host:514, syslog+tcp://host:601, syslog+tls://host:6514, jsonl:/path/file or jsonl:-"
            ))
        };
        if let Some(path) = text.strip_prefix("jsonl:") {
            return match path {
                "" => Err(bad()),
                "-" => Ok(Sink::JsonLines(None)),
                p => Ok(Sink::JsonLines(Some(PathBuf::from(p)))),
            };
        }
        let (scheme, addr) = text.split_once("://").ok_or_else(bad)?;
        let port_ok = addr
            .rsplit_once(':')
            .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok_and(|p| p > 0));
        if !port_ok || addr.contains('/') {
            return Err(bad());
        }
        let addr = addr.to_string();
        match scheme {
            "syslog+udp" => Ok(Sink::SyslogUdp(addr)),
            "syslog+tcp" => Ok(Sink::SyslogTcp(addr)),
            "syslog+tls" => Ok(Sink::SyslogTls(addr)),
            _ => Err(bad()),
        }
    }

    /// The name its delivery cursor is kept under.
    fn key(&self) -> String {
        match self {
            Sink::SyslogUdp(a) => format!("syslog+udp://{a}"),
            Sink::SyslogTcp(a) => format!("syslog+tcp://{a}"),
            Sink::SyslogTls(a) => format!("syslog+tls://{a}"),
            Sink::JsonLines(Some(p)) => format!("jsonl:{}", p.display()),
            Sink::JsonLines(None) => "jsonl:-".into(),
        }
    }
}

/// What to forward to, and how long to wait before trying a failed sink again.
#[derive(Debug, Clone)]
pub struct Forwarding {
    pub sinks: Vec<Sink>,
    pub retry: Duration,
    /// Extra CAs for TLS collectors.
    pub ca_file: Option<PathBuf>,
}

impl Forwarding {
    /// `OATHDESK_AUDIT_FORWARD` and `OATHDESK_AUDIT_SYSLOG_CA`; none set: no
    /// forwarding.
    pub fn from_env() -> Result<Forwarding, StationError> {
        let sinks = std::env::var(FORWARD_ENV)
            .ok()
            .map(|v| {
                v.split(',')
                    .filter(|s| !s.trim().is_empty())
                    .map(Sink::parse)
                    .collect()
            })
            .transpose()?
            .unwrap_or_default();
        Ok(Forwarding {
            sinks,
            retry: Duration::from_secs(30),
            ca_file: std::env::var_os(CA_ENV).map(PathBuf::from),
        })
    }
}

/// The delivery thread; dropping it lets it finish what it can in a
/// moment, then stops it (what is left goes in the next run).
pub struct Forwarder {
    nudge: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS audit_forwarded (
  sink TEXT PRIMARY KEY, seq INTEGER NOT NULL);";

impl Forwarder {
    /// Starts delivering the records of the database at `db_path`.
    pub fn start(db_path: &Path, forwarding: Forwarding) -> Result<Forwarder, StationError> {
        let db = Connection::open(db_path)?;
        db.busy_timeout(Duration::from_secs(5))?;
        db.execute_batch(SCHEMA)?;
        let tls = forwarding
            .sinks
            .iter()
            .any(|s| matches!(s, Sink::SyslogTls(_)));
        let roots = Arc::new(roots(forwarding.ca_file.as_deref(), tls)?);
        let (tx, rx) = mpsc::channel();
        let mut delivery = Delivery {
            db,
            sinks: forwarding
                .sinks
                .into_iter()
                .map(|sink| Open {
                    sink,
                    out: None,
                    failed: false,
                })
                .collect(),
            roots,
            hostname: gethostname::gethostname().to_string_lossy().into_owned(),
        };
        let retry = forwarding.retry;
        let thread = std::thread::Builder::new()
            .name("audit-forward".into())
            .spawn(move || delivery.run(&rx, retry))
            .map_err(|e| StationError::Storage(format!("cannot start audit forwarding: {e}")))?;
        Ok(Forwarder {
            nudge: Some(tx),
            thread: Some(thread),
        })
    }

    /// A record was appended: deliver it now, without waiting here.
    pub fn nudge(&self) {
        if let Some(tx) = &self.nudge {
            let _ = tx.send(());
        }
    }
}

impl Drop for Forwarder {
    fn drop(&mut self) {
        drop(self.nudge.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The CAs a TLS collector may chain to: the system's (read only when a TLS
/// sink is configured) and those of `ca_file` (always checked, so a bad
/// file is refused at start).
fn roots(ca_file: Option<&Path>, tls: bool) -> Result<rustls::RootCertStore, StationError> {
    use rustls::pki_types::{CertificateDer, pem::PemObject};
    let mut roots = rustls::RootCertStore::empty();
    if tls {
        for cert in rustls_native_certs::load_native_certs().certs {
            let _ = roots.add(cert);
        }
    }
    if let Some(path) = ca_file {
        let bad = |e: String| {
            StationError::BadInput(format!(
                "{CA_ENV}: {} cannot be read ({e}); give a PEM file of CA certificates",
                path.display()
            ))
        };
        for cert in CertificateDer::pem_file_iter(path).map_err(|e| bad(e.to_string()))? {
            roots
                .add(cert.map_err(|e| bad(e.to_string()))?)
                .map_err(|e| bad(e.to_string()))?;
        }
    }
    Ok(roots)
}

/// A sink with its open connection (`None`: not connected), and whether
/// delivery to it failed in this run.
struct Open {
    sink: Sink,
    out: Option<Out>,
    failed: bool,
}

enum Out {
    Syslog(syslog::Link),
    Lines(Box<dyn Write + Send>),
}

struct Delivery {
    db: Connection,
    sinks: Vec<Open>,
    roots: Arc<rustls::RootCertStore>,
    hostname: String,
}

/// Records delivered per pass, so a long backlog does not hold the
/// database in one query.
const BATCH: i64 = 200;

impl Delivery {
    fn run(&mut self, nudges: &Receiver<()>, retry: Duration) {
        loop {
            let next = if self.pass() {
                nudges.recv().map_err(|_| RecvTimeoutError::Disconnected)
            } else {
                nudges.recv_timeout(retry)
            };
            if next == Err(RecvTimeoutError::Disconnected) {
                // Closing: one last pass for what was just written, to the
                // sinks that have not failed in this run.
                self.sinks.retain(|s| !s.failed);
                self.pass();
                return;
            }
        }
    }

    /// Delivers what each sink has not had yet; true when all is delivered.
    fn pass(&mut self) -> bool {
        let mut done = true;
        for i in 0..self.sinks.len() {
            done &= self.drain(i).unwrap_or(false);
        }
        done
    }

    fn drain(&mut self, i: usize) -> Result<bool, StationError> {
        let key = self.sinks[i].sink.key();
        loop {
            let after = cursor(&self.db, &key)?;
            let batch = audit::records_after(&self.db, after, BATCH)?;
            if batch.is_empty() {
                return Ok(true);
            }
            for r in &batch {
                if self.send(i, r).is_err() {
                    self.sinks[i].out = None;
                    self.sinks[i].failed = true;
                    return Ok(false);
                }
                self.db.execute(
                    "INSERT INTO audit_forwarded (sink, seq) VALUES (?1, ?2)
                     ON CONFLICT(sink) DO UPDATE SET seq = ?2",
                    rusqlite::params![key, r.seq],
                )?;
            }
        }
    }

    fn send(&mut self, i: usize, r: &AuditRecord) -> Result<(), StationError> {
        if self.sinks[i].out.is_none() {
            self.sinks[i].out = Some(self.open(&self.sinks[i].sink)?);
        }
        match self.sinks[i].out.as_mut().expect("opened above") {
            Out::Syslog(link) => link.send(&syslog::message(r, &self.hostname)),
            Out::Lines(w) => {
                let line = serde_json::to_string(r).expect("serialisable record");
                writeln!(w, "{line}")
                    .and_then(|()| w.flush())
                    .map_err(|e| StationError::Storage(format!("audit lines: {e}")))
            }
        }
    }

    fn open(&self, sink: &Sink) -> Result<Out, StationError> {
        Ok(match sink {
            Sink::SyslogUdp(a) => Out::Syslog(syslog::Link::udp(a)?),
            Sink::SyslogTcp(a) => Out::Syslog(syslog::Link::tcp(a)?),
            Sink::SyslogTls(a) => Out::Syslog(syslog::Link::tls(a, self.roots.clone())?),
            Sink::JsonLines(None) => Out::Lines(Box::new(std::io::stdout())),
            Sink::JsonLines(Some(path)) => Out::Lines(Box::new(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(|e| {
                        StationError::Storage(format!("cannot append to {}: {e}", path.display()))
                    })?,
            )),
        })
    }
}

fn cursor(db: &Connection, key: &str) -> Result<i64, StationError> {
    Ok(db
        .query_row(
            "SELECT seq FROM audit_forwarded WHERE sink = ?1",
            [key],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0))
}

//! RFC 5424 syslog messages for audit records, and the three ways to a
//! collector: UDP (RFC 5426, one message per datagram), TCP and TLS
//! (RFC 6587 / RFC 5425 octet counting: `LEN SP MSG`).

use std::io::Write;
use std::net::{TcpStream, UdpSocket};
use std::sync::Arc;
use std::time::Duration;

use crate::StationError;
use crate::audit::{AuditRecord, Outcome};

/// Facility 13, "log audit".
const FACILITY: u8 = 13;
/// Our private SD-ID (RFC 5424 §7.2.2: `name@<enterprise number>`; 32473
/// is the number RFC 5612 reserves for documentation and examples).
const SD_ID: &str = "oathdesk@32473";
/// Longest message written to a datagram (RFC 5426 allows more on IPv4,
/// but not every path carries it); longer details are cut at a char.
const MAX_DATAGRAM: usize = 2048;

/// One record as an RFC 5424 message: the fields a SIEM filters on as
/// structured data, the whole record as JSON in MSG.
pub fn message(r: &AuditRecord, hostname: &str) -> String {
    let e = &r.entry;
    let severity = match e.outcome {
        Outcome::Ok => 6,
        _ => 4,
    };
    let mut sd = format!("[{SD_ID} seq=\"{}\"", r.seq);
    let fields = [
        ("operator", Some(e.operator.as_str())),
        ("outcome", Some(e.outcome.as_str())),
        ("serial", e.serial.as_deref()),
        ("user", e.user.as_deref()),
        ("request_id", e.request_id.as_deref()),
    ];
    for (name, value) in fields {
        if let Some(v) = value {
            sd.push_str(&format!(" {name}=\"{}\"", param_value(v)));
        }
    }
    sd.push(']');
    let json = serde_json::to_string(r).expect("serialisable record");
    format!(
        "<{}>1 {} {} oathdesk - {} {sd} {json}",
        FACILITY * 8 + severity,
        crate::time_fmt::rfc3339(r.at),
        header_field(hostname),
        header_field(e.action.as_str()),
    )
}

/// PARAM-VALUE escaping (RFC 5424 §6.3.3): `"`, `\` and `]`.
fn param_value(v: &str) -> String {
    v.chars()
        .flat_map(|c| match c {
            '"' | '\\' | ']' => vec!['\\', c],
            c => vec![c],
        })
        .collect()
}

/// A header field: printable US-ASCII without spaces, at most 48 chars,
/// `-` when empty.
fn header_field(v: &str) -> String {
    let f: String = v
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(48)
        .collect();
    if f.is_empty() { "-".into() } else { f }
}

/// A connection to a collector.
pub enum Link {
    Udp(UdpSocket),
    Tcp(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

/// A collector that does not answer within this is tried again later.
const TIMEOUT: Duration = Duration::from_secs(2);

fn io(what: &str, addr: &str) -> impl Fn(std::io::Error) -> StationError {
    let what = format!("syslog {what} {addr}");
    move |e| StationError::Storage(format!("{what}: {e}"))
}

impl Link {
    pub fn udp(addr: &str) -> Result<Link, StationError> {
        let socket = UdpSocket::bind(("0.0.0.0", 0))
            .or_else(|_| UdpSocket::bind(("::", 0)))
            .map_err(io("socket for", addr))?;
        socket.connect(addr).map_err(io("collector", addr))?;
        Ok(Link::Udp(socket))
    }

    pub fn tcp(addr: &str) -> Result<Link, StationError> {
        Ok(Link::Tcp(connect(addr)?))
    }

    pub fn tls(addr: &str, roots: Arc<rustls::RootCertStore>) -> Result<Link, StationError> {
        let host = addr.rsplit_once(':').map_or(addr, |(h, _)| h);
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let name = rustls::pki_types::ServerName::try_from(host.to_string()).map_err(|e| {
            StationError::BadInput(format!("syslog collector {addr}: not a host name ({e})"))
        })?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| StationError::Storage(format!("TLS: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let conn = rustls::ClientConnection::new(Arc::new(config), name)
            .map_err(|e| StationError::Storage(format!("TLS to {addr}: {e}")))?;
        Ok(Link::Tls(Box::new(rustls::StreamOwned::new(
            conn,
            connect(addr)?,
        ))))
    }

    /// Sends one message; an error means it may not have arrived.
    pub fn send(&mut self, message: &str) -> Result<(), StationError> {
        let fail = |e: std::io::Error| StationError::Storage(format!("syslog send: {e}"));
        match self {
            Link::Udp(s) => {
                let mut end = message.len().min(MAX_DATAGRAM);
                while !message.is_char_boundary(end) {
                    end -= 1;
                }
                s.send(&message.as_bytes()[..end]).map(drop).map_err(fail)
            }
            Link::Tcp(s) => framed(s, message).map_err(fail),
            Link::Tls(s) => framed(s.as_mut(), message).map_err(fail),
        }
    }
}

fn connect(addr: &str) -> Result<TcpStream, StationError> {
    use std::net::ToSocketAddrs;
    let target = addr
        .to_socket_addrs()
        .map_err(io("collector", addr))?
        .next()
        .ok_or_else(|| StationError::Storage(format!("syslog collector {addr}: no address")))?;
    let s = TcpStream::connect_timeout(&target, TIMEOUT).map_err(io("collector", addr))?;
    s.set_write_timeout(Some(TIMEOUT))
        .map_err(io("collector", addr))?;
    Ok(s)
}

/// Octet counting: `MSG-LEN SP SYSLOG-MSG`.
fn framed(w: &mut impl Write, message: &str) -> std::io::Result<()> {
    write!(w, "{} {message}", message.len())?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{AuditAction, AuditEntry};

    #[test]
    fn a_record_is_an_rfc5424_message() {
        let r = AuditRecord {
            seq: 7,
            at: 1_764_579_600,
            entry: AuditEntry {
                operator: "op@contoso.com".into(),
                action: AuditAction::Activate,
                serial: Some("8659".into()),
                user: Some("a\\b\"c]".into()),
                outcome: Outcome::Failed,
                ..Default::default()
            },
            mac: "ab".into(),
        };
        let m = message(&r, "desk 7");
        assert!(
            m.starts_with("<108>1 2025-12-01T09:00:00Z desk7 oathdesk - activate [oathdesk@32473 seq=\"7\" operator=\"op@contoso.com\" outcome=\"failed\" serial=\"8659\" user=\"a\\\\b\\\"c\\]\"] {"),
            "{m}"
        );
        let json: serde_json::Value = serde_json::from_str(m.split_once("] ").unwrap().1).unwrap();
        assert_eq!(json["seq"], 7);
    }
}

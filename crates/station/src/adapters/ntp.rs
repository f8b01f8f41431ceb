//! [`ClockWitness`]es over the network: an NTP server asked once over UDP
//! (SNTP, [`crate::clock::sntp`]), and the desk's list of sources: Graph
//! first, then the NTP servers it is given.

use std::net::{ToSocketAddrs, UdpSocket};
use std::time::{Duration, SystemTime};

use super::GraphTenant;
use crate::clock::{
    ClockCheck, ClockSource, ClockWitness, TimeAuthority, TrustedClock, sntp, system::SystemClock,
    unix,
};

/// The NTP servers the desk asks when Graph cannot vouch:
/// `OATHDESK_NTP_SERVERS`, comma-separated `host[:port]`.
pub const NTP_SERVERS_ENV: &str = "OATHDESK_NTP_SERVERS";
/// Without `OATHDESK_NTP_SERVERS`: the server Windows itself uses.
pub const DEFAULT_NTP_SERVER: &str = "time.windows.com";
/// How long one server has to answer.
const ANSWER_WITHIN: Duration = Duration::from_secs(2);

/// One NTP server, asked once per check.
pub struct NtpServer {
    /// `host:port`.
    server: String,
}

impl NtpServer {
    /// `host` or `host:port` (port 123 when none is given; an IPv6 address
    /// with a port in brackets).
    pub fn new(server: &str) -> NtpServer {
        let server = server.trim();
        let has_port = match server.rsplit_once(':') {
            Some((host, port)) => {
                port.parse::<u16>().is_ok() && (!host.contains(':') || host.ends_with(']'))
            }
            None => false,
        };
        NtpServer {
            server: match has_port {
                true => server.to_string(),
                false if server.contains(':') => format!("[{server}]:123"),
                false => format!("{server}:123"),
            },
        }
    }

    fn ask(&self) -> Result<(sntp::Reply, SystemTime, SystemTime), String> {
        let addr = self
            .server
            .to_socket_addrs()
            .map_err(|e| format!("cannot find it ({e})"))?
            .next()
            .ok_or("cannot find it")?;
        let local = if addr.is_ipv4() {
            "0.0.0.0:0"
        } else {
            "[::]:0"
        };
        let socket = UdpSocket::bind(local).map_err(|e| format!("no UDP socket ({e})"))?;
        socket
            .connect(addr)
            .and_then(|()| socket.set_read_timeout(Some(ANSWER_WITHIN)))
            .map_err(|e| format!("cannot reach it ({e})"))?;
        let sent = SystemTime::now();
        let (packet, stamp) = sntp::request(sent);
        socket
            .send(&packet)
            .map_err(|e| format!("cannot reach it ({e})"))?;
        let mut answer = [0u8; 1024];
        let n = socket.recv(&mut answer).map_err(|e| match e.kind() {
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
                format!("no answer within {} s", ANSWER_WITHIN.as_secs())
            }
            _ => format!("no answer ({e})"),
        })?;
        let arrived = SystemTime::now();
        let reply = sntp::read_reply(&answer[..n], stamp).map_err(|e| e.to_string())?;
        Ok((reply, sent, arrived))
    }
}

impl ClockWitness for NtpServer {
    fn name(&self) -> String {
        format!("the NTP server {}", self.server)
    }

    fn vouch(&self) -> Result<ClockCheck, String> {
        let (reply, sent, arrived) = self.ask()?;
        let measured = sntp::measure(&reply, sent, arrived);
        Ok(ClockCheck {
            offset_ms: measured.offset_ms,
            uncertainty_ms: measured.uncertainty_ms,
            checked_at: unix(arrived),
            source: ClockSource::Ntp {
                server: self.server.clone(),
            },
        })
    }
}

impl ClockWitness for &GraphTenant {
    fn name(&self) -> String {
        ClockSource::Graph.to_string()
    }

    fn vouch(&self) -> Result<ClockCheck, String> {
        self.clock_check().map_err(|f| f.message)
    }
}

/// The NTP servers named by `list` (`OATHDESK_NTP_SERVERS`'s form): unset
/// is [`DEFAULT_NTP_SERVER`]; set and empty is none.
pub fn ntp_servers(list: Option<&str>) -> Vec<NtpServer> {
    match list {
        None => vec![NtpServer::new(DEFAULT_NTP_SERVER)],
        Some(list) => list
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(NtpServer::new)
            .collect(),
    }
}

/// The desk's clock for a burn: Graph when the desk reaches Entra (one call,
/// usually already made), then each NTP server of `OATHDESK_NTP_SERVERS`,
/// then the OS's own synchronisation (unless `OATHDESK_TRUST_OS_CLOCK=no`).
pub fn desk_clock(tenant: &GraphTenant) -> TrustedClock<'_> {
    let list = std::env::var(NTP_SERVERS_ENV).ok();
    let mut witnesses: Vec<Box<dyn ClockWitness + '_>> = vec![Box::new(tenant)];
    for server in ntp_servers(list.as_deref()) {
        witnesses.push(Box::new(server));
    }
    if let Some(os) = SystemClock::trusted_here() {
        witnesses.push(Box::new(os));
    }
    TrustedClock::new(witnesses)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_without_a_port_is_asked_on_123() {
        let named = |s: &str| NtpServer::new(s).server;
        assert_eq!(named("time.windows.com"), "time.windows.com:123");
        assert_eq!(
            named(" dc01.contoso.local:1123 "),
            "dc01.contoso.local:1123"
        );
        assert_eq!(named("192.0.2.7"), "192.0.2.7:123");
        assert_eq!(named("2001:db8::7"), "[2001:db8::7]:123");
        assert_eq!(named("[2001:db8::7]:8123"), "[2001:db8::7]:8123");
    }

    #[test]
    fn the_servers_list_defaults_to_windows_own_and_can_be_emptied() {
        let names = |l: Option<&str>| -> Vec<String> {
            ntp_servers(l).iter().map(ClockWitness::name).collect()
        };
        assert_eq!(names(None), ["the NTP server time.windows.com:123"]);
        assert_eq!(
            names(Some("a, b:9123,")),
            ["the NTP server a:123", "the NTP server b:9123"]
        );
        assert!(names(Some("")).is_empty());
    }

    #[test]
    fn a_server_that_does_not_answer_is_said_so() {
        // A bound socket that never answers: the request is received and
        // dropped, as by a firewall.
        let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
        let server = NtpServer::new(&silent.local_addr().unwrap().to_string());
        assert_eq!(server.vouch().unwrap_err(), "no answer within 2 s");
    }
}

//! An NTP server on loopback, for tests of the desk's clock sources: it
//! answers SNTP requests as RFC 5905 servers do (mode 4, the request's
//! version and poll echoed, its transmit timestamp returned as the
//! originate timestamp, receive and transmit stamps from its own clock),
//! with a clock it is told (an offset from the host's), and the answers a
//! real server gives when it should not be believed: unsynchronised (leap
//! indicator 3), a kiss-o'-death (stratum 0 and a code), an answer to
//! another request, or none at all. Written from the RFC, not from any NTP
//! implementation.

use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Seconds from 1900 (NTP's epoch) to 1970.
const UNIX_EPOCH_NTP: u64 = 2_208_988_800;

/// How the server answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Behaviour {
    /// The server's clock minus the host's, in milliseconds.
    pub offset_ms: i64,
    pub stratum: u8,
    /// 0 (no warning) to 3 (the server's clock is not synchronised).
    pub leap: u8,
    /// Drops every request, as a firewall would.
    pub silent: bool,
    /// A kiss-o'-death code ("RATE", "DENY"): stratum 0, this as refid.
    pub kiss: Option<[u8; 4]>,
    /// Answers with an originate timestamp that is not the request's.
    pub foreign: bool,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            offset_ms: 0,
            stratum: 2,
            leap: 0,
            silent: false,
            kiss: None,
            foreign: false,
        }
    }
}

/// The running server; stops when dropped.
pub struct NtpServer {
    addr: SocketAddr,
    behaviour: Arc<Mutex<Behaviour>>,
    requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl NtpServer {
    /// Serves on a free loopback port.
    pub fn start(behaviour: Behaviour) -> std::io::Result<NtpServer> {
        let socket = UdpSocket::bind("127.0.0.1:0")?;
        let addr = socket.local_addr()?;
        let behaviour = Arc::new(Mutex::new(behaviour));
        let requests = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (behaviour, requests, stop) = (behaviour.clone(), requests.clone(), stop.clone());
            std::thread::spawn(move || serve(&socket, &behaviour, &requests, &stop))
        };
        Ok(NtpServer {
            addr,
            behaviour,
            requests,
            stop,
            thread: Some(thread),
        })
    }

    /// `127.0.0.1:port`, as a desk names an NTP server.
    pub fn address(&self) -> String {
        self.addr.to_string()
    }

    /// Changes how later requests are answered.
    pub fn set(&self, behaviour: Behaviour) {
        *self.behaviour.lock().unwrap_or_else(|p| p.into_inner()) = behaviour;
    }

    /// Requests received so far (answered or not).
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for NtpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the blocking receive.
        if let Ok(s) = UdpSocket::bind("127.0.0.1:0") {
            let _ = s.send_to(&[0], self.addr);
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(
    socket: &UdpSocket,
    behaviour: &Mutex<Behaviour>,
    requests: &AtomicUsize,
    stop: &AtomicBool,
) {
    let mut buf = [0u8; 1024];
    while !stop.load(Ordering::SeqCst) {
        let Ok((n, from)) = socket.recv_from(&mut buf) else {
            continue;
        };
        let received = SystemTime::now();
        // Servers answer client requests (mode 3) of a whole packet only.
        if stop.load(Ordering::SeqCst) || n < 48 || buf[0] & 7 != 3 {
            continue;
        }
        requests.fetch_add(1, Ordering::SeqCst);
        let b = behaviour.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if b.silent {
            continue;
        }
        let _ = socket.send_to(&answer(&buf[..48], &b, received), from);
    }
}

/// The answer to `request`, received at host time `received`.
fn answer(request: &[u8], b: &Behaviour, received: SystemTime) -> [u8; 48] {
    let version = (request[0] >> 3) & 7;
    let mut r = [0u8; 48];
    r[0] = (b.leap << 6) | (version << 3) | 4;
    r[1] = if b.kiss.is_some() { 0 } else { b.stratum };
    r[2] = request[2];
    r[3] = 0xEC; // precision: -20 as a signed byte, 2^-20 s (about a microsecond)
    r[8..12].copy_from_slice(&0x0000_0100u32.to_be_bytes()); // ~3.9 ms root dispersion
    r[12..16].copy_from_slice(&b.kiss.unwrap_or(*b"SIM\0"));
    let t2 = stamp(received, b.offset_ms);
    r[16..24]
        .copy_from_slice(&stamp(received - Duration::from_secs(16), b.offset_ms).to_be_bytes());
    r[24..32].copy_from_slice(&request[40..48]);
    if b.foreign {
        r[31] ^= 0x5A;
    }
    r[32..40].copy_from_slice(&t2.to_be_bytes());
    r[40..48].copy_from_slice(&stamp(SystemTime::now(), b.offset_ms).to_be_bytes());
    r
}

/// Host time `t` on a clock `offset_ms` ahead, as an NTP timestamp.
fn stamp(t: SystemTime, offset_ms: i64) -> u64 {
    let shifted = if offset_ms >= 0 {
        t + Duration::from_millis(offset_ms.unsigned_abs())
    } else {
        t - Duration::from_millis(offset_ms.unsigned_abs())
    };
    let since = shifted.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    let secs = (since.as_secs() + UNIX_EPOCH_NTP) & 0xFFFF_FFFF;
    let frac = (u64::from(since.subsec_nanos()) << 32) / 1_000_000_000;
    (secs << 32) | frac
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(server: &NtpServer, first: u8) -> Option<[u8; 48]> {
        let client = UdpSocket::bind("127.0.0.1:0").unwrap();
        client
            .set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
        let mut req = [0u8; 48];
        req[0] = first;
        req[2] = 6;
        req[40..48].copy_from_slice(&0x1122_3344_5566_7788u64.to_be_bytes());
        client.send_to(&req, server.addr).unwrap();
        let mut buf = [0u8; 48];
        client.recv(&mut buf).ok().map(|_| buf)
    }

    #[test]
    fn it_answers_a_client_as_rfc_5905_says() {
        let server = NtpServer::start(Behaviour::default()).unwrap();
        let r = ask(&server, (4 << 3) | 3).unwrap();
        assert_eq!(r[0], (4 << 3) | 4);
        assert_eq!((r[1], r[2]), (2, 6));
        assert_eq!(&r[24..32], &0x1122_3344_5566_7788u64.to_be_bytes());
        let t3 = u64::from_be_bytes(r[40..48].try_into().unwrap());
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!(((t3 >> 32) as i64 - (now + UNIX_EPOCH_NTP) as i64).abs() <= 1);
        assert_eq!(server.requests(), 1);
    }

    #[test]
    fn it_ignores_what_is_not_a_client_request_and_can_be_silent() {
        let server = NtpServer::start(Behaviour::default()).unwrap();
        let r = ask(&server, (4 << 3) | 4).is_none();
        assert!(r, "answered a server packet");
        server.set(Behaviour {
            silent: true,
            ..Behaviour::default()
        });
        assert!(ask(&server, (4 << 3) | 3).is_none());
        assert_eq!(server.requests(), 1);
    }
}

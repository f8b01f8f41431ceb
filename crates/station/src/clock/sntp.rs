//! SNTP (RFC 4330, on RFC 5905's packet): the client's request and the
//! reading of a server's reply, bytes in and a typed result out, no I/O.
//! The request's transmit timestamp is the nonce: a reply that does not
//! echo it as its originate timestamp answers someone else's request (or is
//! forged) and is refused, as are servers that say they are unsynchronised
//! (leap indicator 3, stratum 0 or 16) or send a kiss-o'-death.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The size of an NTP packet without extensions.
pub const PACKET_LEN: usize = 48;
/// Seconds from the NTP epoch (1900) to the Unix epoch (1970).
const UNIX_EPOCH_NTP: u64 = 2_208_988_800;
/// Version 4, mode 3 (client), no leap warning.
const CLIENT_FIRST_BYTE: u8 = (4 << 3) | 3;

/// An NTP timestamp: seconds since 1900 in the high 32 bits, the fraction
/// of a second in the low 32.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NtpTime(pub u64);

impl NtpTime {
    /// `t` as NTP time (era 0 wraps in 2036; [`NtpTime::to_system`] reads
    /// both sides of the wrap).
    pub fn from_system(t: SystemTime) -> NtpTime {
        let since = t.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
        let secs = (since.as_secs() + UNIX_EPOCH_NTP) & 0xFFFF_FFFF;
        let frac = (u64::from(since.subsec_nanos()) << 32) / 1_000_000_000;
        NtpTime((secs << 32) | frac)
    }

    /// The time this stamp names, taking the NTP era nearest to `near`.
    pub fn to_system(self, near: SystemTime) -> SystemTime {
        let secs = self.0 >> 32;
        let nanos = ((self.0 & 0xFFFF_FFFF) * 1_000_000_000) >> 32;
        let near_ntp = near.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) + UNIX_EPOCH_NTP;
        let era = near_ntp >> 32;
        // The candidate in the era of `near`, or the one either side, that
        // lies closest to it.
        let closest = [era.saturating_sub(1), era, era + 1]
            .into_iter()
            .map(|e| (e << 32) | secs)
            .min_by_key(|s| s.abs_diff(near_ntp))
            .unwrap_or(secs);
        let unix = closest.saturating_sub(UNIX_EPOCH_NTP);
        UNIX_EPOCH + Duration::from_secs(unix) + Duration::from_nanos(nanos)
    }

    fn read(bytes: &[u8]) -> NtpTime {
        let mut b = [0u8; 8];
        b.copy_from_slice(&bytes[..8]);
        NtpTime(u64::from_be_bytes(b))
    }
}

/// The request to send, stamped with `sent`; keep the stamp to read the
/// reply with.
pub fn request(sent: SystemTime) -> ([u8; PACKET_LEN], NtpTime) {
    let stamp = NtpTime::from_system(sent);
    let mut packet = [0u8; PACKET_LEN];
    packet[0] = CLIENT_FIRST_BYTE;
    packet[40..48].copy_from_slice(&stamp.0.to_be_bytes());
    (packet, stamp)
}

/// Why a server's reply does not vouch for the time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SntpError {
    #[error("the answer is {0} bytes, not an NTP packet")]
    Short(usize),
    #[error("the answer is not a server's (mode {0})")]
    NotServer(u8),
    #[error("the answer speaks NTP version {0}")]
    Version(u8),
    #[error("the answer is for another request")]
    NotOurs,
    #[error("the server says it is not synchronised")]
    Unsynchronised,
    /// RFC 5905's kiss-o'-death: stratum 0 with a code such as RATE or DENY.
    #[error("the server refused to answer ({0})")]
    Kiss(String),
    #[error("the answer carries no time")]
    NoTime,
}

/// A server's reply, read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reply {
    pub stratum: u8,
    /// When the server received the request (T2) and sent the reply (T3).
    pub received: NtpTime,
    pub transmitted: NtpTime,
    /// The server's own distance from its reference: root delay / 2 plus
    /// root dispersion.
    pub root_distance: Duration,
}

/// Reads `bytes`, the reply to the request stamped `sent`.
pub fn read_reply(bytes: &[u8], sent: NtpTime) -> Result<Reply, SntpError> {
    if bytes.len() < PACKET_LEN {
        return Err(SntpError::Short(bytes.len()));
    }
    let (leap, version, mode) = (bytes[0] >> 6, (bytes[0] >> 3) & 7, bytes[0] & 7);
    if mode != 4 {
        return Err(SntpError::NotServer(mode));
    }
    if !(3..=4).contains(&version) {
        return Err(SntpError::Version(version));
    }
    if NtpTime::read(&bytes[24..]) != sent {
        return Err(SntpError::NotOurs);
    }
    let stratum = bytes[1];
    if stratum == 0 {
        let code = String::from_utf8_lossy(&bytes[12..16]);
        return Err(SntpError::Kiss(
            code.trim_end_matches('\0').escape_default().to_string(),
        ));
    }
    if leap == 3 || stratum >= 16 {
        return Err(SntpError::Unsynchronised);
    }
    let transmitted = NtpTime::read(&bytes[40..]);
    if transmitted.0 == 0 {
        return Err(SntpError::NoTime);
    }
    let root_delay = short_format(&bytes[4..8]);
    let root_dispersion = short_format(&bytes[8..12]);
    Ok(Reply {
        stratum,
        received: NtpTime::read(&bytes[32..]),
        transmitted,
        root_distance: root_delay / 2 + root_dispersion,
    })
}

/// RFC 5905's 32-bit short format: 16.16 seconds.
fn short_format(b: &[u8]) -> Duration {
    let v = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    Duration::from_nanos((u64::from(v) * 1_000_000_000) >> 16)
}

/// What one exchange measured: the server's clock minus ours, and how
/// sure that is (half the round trip without the server's hold, plus the
/// server's root distance), in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measured {
    pub offset_ms: i64,
    pub uncertainty_ms: i64,
}

/// RFC 4330's offset and delay from T1 (`sent`), T2 and T3 (the reply) and
/// T4 (`arrived`).
pub fn measure(reply: &Reply, sent: SystemTime, arrived: SystemTime) -> Measured {
    let ns = |t: SystemTime| -> i128 {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => d.as_nanos() as i128,
            Err(e) => -(e.duration().as_nanos() as i128),
        }
    };
    let (t1, t4) = (ns(sent), ns(arrived));
    let t2 = ns(reply.received.to_system(sent));
    let t3 = ns(reply.transmitted.to_system(sent));
    let offset = ((t2 - t1) + (t3 - t4)) / 2;
    let delay = ((t4 - t1) - (t3 - t2)).max(0);
    let uncertainty = delay / 2 + reply.root_distance.as_nanos() as i128;
    Measured {
        // The offset to the nearest millisecond; the uncertainty rounded up.
        offset_ms: (offset + 500_000).div_euclid(1_000_000) as i64,
        uncertainty_ms: (uncertainty + 999_999).div_euclid(1_000_000) as i64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64, ms: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_millis(ms)
    }

    /// A server's reply to `request`, its clock `ahead_ms` ahead of ours,
    /// answering 10 ms after the request left and 10 ms before it arrives.
    fn reply_to(request: &[u8; PACKET_LEN], sent: SystemTime, ahead_ms: u64) -> [u8; PACKET_LEN] {
        let mut r = [0u8; PACKET_LEN];
        r[0] = (4 << 3) | 4;
        r[1] = 2;
        r[8..12].copy_from_slice(&(1u32 << 12).to_be_bytes()); // 62.5 ms dispersion
        r[12..16].copy_from_slice(b"GPS\0");
        r[24..32].copy_from_slice(&request[40..48]);
        let server = sent + Duration::from_millis(10 + ahead_ms);
        r[32..40].copy_from_slice(&NtpTime::from_system(server).0.to_be_bytes());
        r[40..48].copy_from_slice(&NtpTime::from_system(server).0.to_be_bytes());
        r
    }

    #[test]
    fn the_request_is_a_version_4_client_packet_stamped_with_its_time() {
        let sent = at(1_700_000_000, 250);
        let (packet, stamp) = request(sent);
        assert_eq!(packet[0], 0x23);
        assert!(packet[1..40].iter().all(|&b| b == 0));
        assert_eq!(&packet[40..48], &stamp.0.to_be_bytes());
        // 1_700_000_000 + 2_208_988_800 seconds, and a quarter second.
        assert_eq!(stamp.0 >> 32, 3_908_988_800);
        assert_eq!(stamp.0 & 0xFFFF_FFFF, 1 << 30);
    }

    #[test]
    fn ntp_time_reads_back_across_the_2036_wrap() {
        for t in [
            at(1_700_000_000, 125),
            at(2_085_978_495, 0),
            at(2_085_978_497, 500),
        ] {
            let back = NtpTime::from_system(t).to_system(t);
            assert!(
                back.duration_since(t).unwrap_or_else(|e| e.duration()) < Duration::from_micros(1)
            );
        }
    }

    #[test]
    fn a_server_ahead_is_measured_with_its_uncertainty() {
        let sent = at(1_700_000_000, 0);
        let (packet, stamp) = request(sent);
        let reply = read_reply(&reply_to(&packet, sent, 1_500), stamp).unwrap();
        assert_eq!(reply.stratum, 2);
        let m = measure(&reply, sent, sent + Duration::from_millis(20));
        assert_eq!(m.offset_ms, 1_500);
        assert_eq!(
            m.uncertainty_ms, 73,
            "10 ms of round trip, 62.5 ms of dispersion"
        );
    }

    #[test]
    fn replies_that_do_not_vouch_are_refused_with_the_reason() {
        let sent = at(1_700_000_000, 0);
        let (packet, stamp) = request(sent);
        let good = reply_to(&packet, sent, 0);
        let with = |f: &dyn Fn(&mut [u8; PACKET_LEN])| {
            let mut r = good;
            f(&mut r);
            read_reply(&r, stamp).unwrap_err()
        };
        assert_eq!(read_reply(&good[..47], stamp), Err(SntpError::Short(47)));
        assert_eq!(with(&|r| r[0] = (4 << 3) | 3), SntpError::NotServer(3));
        assert_eq!(with(&|r| r[0] = (2 << 3) | 4), SntpError::Version(2));
        assert_eq!(with(&|r| r[31] ^= 1), SntpError::NotOurs);
        assert_eq!(with(&|r| r[0] |= 3 << 6), SntpError::Unsynchronised);
        assert_eq!(with(&|r| r[1] = 16), SntpError::Unsynchronised);
        assert_eq!(
            with(&|r| {
                r[1] = 0;
                r[12..16].copy_from_slice(b"RATE");
            }),
            SntpError::Kiss("RATE".into())
        );
        assert_eq!(with(&|r| r[40..48].fill(0)), SntpError::NoTime);
    }
}

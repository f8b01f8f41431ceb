//! The host-clock check. A token's clock is set from the host's, and Entra
//! learns the token's drift at activation, so a wrong host clock would be
//! burnt into every token. Before any clock write a source outside this
//! computer must vouch for its clock: the `Date` header of a Microsoft (or
//! sandbox) response, or an NTP server's answer ([`TrustedClock`] asks them
//! in order), and the clock write's audit record says which, and by how much
//! the host was off.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::StationError;

pub mod sntp;
pub mod system;
pub mod time_service;
mod trusted;

pub use trusted::{ClockWitness, TrustedClock};

/// The most the host clock may be off before OathDesk refuses to set a
/// token's clock from it.
pub const MAX_OFFSET_MS: i64 = 2_000;

/// Who vouched for the host clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ClockSource {
    /// The `Date` header of a Microsoft Graph response (or the sandbox's).
    Graph,
    /// An SNTP answer from this server (`host:port`).
    Ntp { server: String },
    /// The OS's own time synchronisation, as the OS reports it (`how`).
    System { how: String },
}

impl fmt::Display for ClockSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClockSource::Graph => f.write_str("Microsoft Graph"),
            ClockSource::Ntp { server } => write!(f, "the NTP server {server}"),
            ClockSource::System { how } => {
                write!(f, "this computer's own time synchronisation ({how})")
            }
        }
    }
}

/// How far the host clock is from a trusted one, as measured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClockCheck {
    /// Trusted minus host, in milliseconds (positive: the host is slow).
    pub offset_ms: i64,
    /// How sure the measurement is (half the round trip, plus the source's
    /// own resolution or distance from its reference).
    pub uncertainty_ms: i64,
    /// When the check was made (host Unix time).
    pub checked_at: u64,
    pub source: ClockSource,
}

impl ClockCheck {
    /// Compares the `Date` header of a response with the host time at which
    /// the request was sent and the response received.
    pub fn from_date_header(
        date: &str,
        sent: SystemTime,
        received: SystemTime,
    ) -> Result<ClockCheck, StationError> {
        let server = httpdate::parse_http_date(date).map_err(|_| {
            StationError::Clock(format!("the server's Date header {date:?} cannot be read"))
        })?;
        let rtt = received.duration_since(sent).unwrap_or(Duration::ZERO);
        let host_mid = sent + rtt / 2;
        // The header truncates to the second: the server time lies in [D, D+1).
        let server_mid = server + Duration::from_millis(500);
        let offset_ms = signed_ms(server_mid, host_mid);
        Ok(ClockCheck {
            offset_ms,
            uncertainty_ms: 500 + (rtt.as_millis() / 2) as i64,
            checked_at: unix(received),
            source: ClockSource::Graph,
        })
    }

    /// Refuses when the host clock is too far off to set a token from it.
    pub fn ensure_usable(&self) -> Result<(), StationError> {
        if self.offset_ms.abs() > MAX_OFFSET_MS {
            let dir = if self.offset_ms > 0 {
                "behind"
            } else {
                "ahead of"
            };
            let whose = match &self.source {
                ClockSource::Graph => "Microsoft's".to_string(),
                other => format!("{other}'s"),
            };
            return Err(StationError::Clock(format!(
                "this computer's clock is {:.1} s {dir} {whose}; a token set from it would be \
                 wrong. Fix the system time (enable NTP) and try again",
                self.offset_ms.abs() as f64 / 1000.0
            )));
        }
        Ok(())
    }

    /// What the audit record of a clock write says of the host clock.
    pub fn audited(&self) -> String {
        format!(
            "host clock vouched for by {}: off by {:+} ms (\u{b1} {} ms)",
            self.source, self.offset_ms, self.uncertainty_ms
        )
    }
}

fn signed_ms(a: SystemTime, b: SystemTime) -> i64 {
    match a.duration_since(b) {
        Ok(d) => d.as_millis() as i64,
        Err(e) => -(e.duration().as_millis() as i64),
    }
}

/// The host clock now, in Unix seconds.
pub fn now_unix() -> u64 {
    unix(SystemTime::now())
}

/// Where a trusted time comes from: Graph's `Date` (a [`GraphTenant`]), or
/// the first of several sources that answers (a [`TrustedClock`]). Every
/// clock write is preceded by a check against it.
///
/// [`GraphTenant`]: crate::adapters::GraphTenant
pub trait TimeAuthority {
    fn clock_check(&self) -> Result<ClockCheck, crate::ports::DirectoryFailure>;
}

/// Seconds since the Unix epoch.
pub fn unix(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64, ms: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_millis(ms)
    }

    #[test]
    fn a_close_clock_passes() {
        let date = httpdate::fmt_http_date(at(1_700_000_000, 0));
        let c = ClockCheck::from_date_header(&date, at(1_700_000_000, 300), at(1_700_000_000, 500))
            .unwrap();
        assert_eq!(c.offset_ms, 100);
        assert_eq!(c.uncertainty_ms, 600);
        assert_eq!(c.source, ClockSource::Graph);
        assert!(c.ensure_usable().is_ok());
        assert_eq!(
            c.audited(),
            "host clock vouched for by Microsoft Graph: off by +100 ms (\u{b1} 600 ms)"
        );
    }

    #[test]
    fn a_slow_host_is_refused_with_the_amount() {
        let date = httpdate::fmt_http_date(at(1_700_000_005, 0));
        let c = ClockCheck::from_date_header(&date, at(1_700_000_000, 0), at(1_700_000_000, 0))
            .unwrap();
        assert_eq!(c.offset_ms, 5_500);
        let msg = c.ensure_usable().unwrap_err().to_string();
        assert!(msg.contains("5.5 s behind Microsoft's"), "{msg}");
        let ntp = ClockCheck {
            source: ClockSource::Ntp {
                server: "ntp.contoso.local:123".into(),
            },
            ..c
        };
        let msg = ntp.ensure_usable().unwrap_err().to_string();
        assert!(
            msg.contains("5.5 s behind the NTP server ntp.contoso.local:123's"),
            "{msg}"
        );
    }

    #[test]
    fn a_fast_host_is_refused_too() {
        let date = httpdate::fmt_http_date(at(1_700_000_000, 0));
        let c = ClockCheck::from_date_header(&date, at(1_700_000_003, 0), at(1_700_000_003, 0))
            .unwrap();
        assert!(
            c.ensure_usable()
                .unwrap_err()
                .to_string()
                .contains("ahead of")
        );
    }

    #[test]
    fn garbage_date_is_an_error() {
        assert!(ClockCheck::from_date_header("yesterday", at(0, 0), at(0, 0)).is_err());
    }
}

//! The OS's own view of its clock: whether a time service (chrony,
//! systemd-timesyncd, ntpd, timed, the Windows Time service) keeps it, and
//! what it says of how far off it may be. A desk in an offline room whose
//! clock a local time server keeps can trust it without reaching Graph or
//! NTP itself.
//!
//! Two shapes of answer, because the OSes keep different books: Linux and
//! macOS report the kernel's NTP discipline ([`kernel_clock`]); Windows
//! reports what its time service last did with each peer
//! ([`time_service`]). Both are read-only and are judged elsewhere.

mod kernel;
#[cfg(windows)]
mod w32time;

pub use kernel::kernel_clock;

/// What the kernel reports of its clock discipline, as it reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KernelClock {
    /// `adjtimex`'s return value: `TIME_OK` (0) … `TIME_ERROR` (5).
    pub state: i32,
    /// The `STA_*` status bits.
    pub status: i32,
    /// The kernel's maximum error, in microseconds.
    pub max_error_us: i64,
    /// The kernel's estimated error, in microseconds.
    pub est_error_us: i64,
    /// The offset the discipline is still correcting, in microseconds
    /// (or nanoseconds when `STA_NANO` is set).
    pub offset: i64,
}

/// What the Windows Time service's NTP client reports, as it reports it
/// (`W32TIME_NTP_PROVIDER_DATA`, MS-W32T 2.2.5), copied out of the
/// service's buffer. It carries no error bound: the judge has to derive one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeServiceState {
    /// The NTP client's own error; 0 while it works.
    pub provider_error: u32,
    /// The peers it is synchronising with (none when it has none).
    pub peers: Vec<TimePeer>,
}

/// One peer of the Windows Time service (`W32TIME_NTP_PEER_INFO`, MS-W32T
/// 2.2.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimePeer {
    /// The peer as the service names it (`dc01.contoso.local,0x9`).
    pub name: String,
    /// When the service last synchronised with it successfully (Unix
    /// seconds); `None` when it never has.
    pub last_sync_unix: Option<u64>,
    /// The result of the last attempt; 0 on success.
    pub last_sync_error: u32,
    /// The peer's stratum (0 unknown, 16 unsynchronised).
    pub stratum: u8,
    /// The NTP reachability register: one bit per recent poll, set when it
    /// answered.
    pub reachability: u8,
}

/// Why the OS's clock state could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("this operating system has no clock synchronisation state OathDesk can read")]
    Unsupported,
    #[error("the kernel refused to report its clock state: {0}")]
    Refused(#[from] std::io::Error),
    #[error(
        "this Windows has no Windows Time service interface ({0}); \
         name an NTP server OathDesk can reach instead"
    )]
    NotAvailable(&'static str),
    #[error("the Windows Time service did not answer (error {code}); {hint}")]
    ServiceFailed { code: u32, hint: &'static str },
    #[error("the Windows Time service answered with {0}, which OathDesk does not trust")]
    Malformed(&'static str),
}

impl ReadError {
    /// The service's refusal, with what to do about the usual causes.
    pub fn service_failed(code: u32) -> Self {
        let hint = match code {
            // ERROR_ACCESS_DENIED
            5 => {
                "Windows does not let this account ask it: run OathDesk as a user allowed to, or name an NTP server OathDesk can reach"
            }
            // RPC_S_SERVER_UNAVAILABLE, RPC_S_UNKNOWN_IF, EPT_S_NOT_REGISTERED
            1722 | 1717 | 1753 => {
                "it is not running: start it (`net start w32time` as administrator) or name an NTP server OathDesk can reach"
            }
            _ => "check it with `w32tm /query /status`, or name an NTP server OathDesk can reach",
        };
        ReadError::ServiceFailed { code, hint }
    }
}

/// Windows' `FILETIME` (100 ns units since 1601-01-01 UTC) in Unix
/// seconds; `None` for 0 (the service's "never") or a time before 1970.
#[cfg_attr(not(windows), allow(dead_code))]
fn filetime_to_unix(ft: u64) -> Option<u64> {
    const UNIX_EPOCH_AS_FILETIME_SECS: u64 = 11_644_473_600;
    (ft / 10_000_000).checked_sub(UNIX_EPOCH_AS_FILETIME_SECS)
}

/// What the Windows Time service's NTP client reports now.
#[cfg(windows)]
pub fn time_service() -> Result<TimeServiceState, ReadError> {
    w32time::query()
}

/// What the Windows Time service's NTP client reports now.
#[cfg(not(windows))]
pub fn time_service() -> Result<TimeServiceState, ReadError> {
    Err(ReadError::Unsupported)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filetime_becomes_unix_seconds_and_zero_is_never() {
        // 2023-11-14T22:13:20Z, as FILETIME, plus 0.5 s.
        assert_eq!(
            filetime_to_unix(133_444_736_005_000_000),
            Some(1_700_000_000)
        );
        assert_eq!(filetime_to_unix(116_444_736_000_000_000), Some(0));
        assert_eq!(filetime_to_unix(0), None);
        assert_eq!(filetime_to_unix(116_444_735_990_000_000), None);
    }

    #[test]
    fn a_refusal_says_what_to_do() {
        let msg = ReadError::service_failed(1722).to_string();
        assert_eq!(
            msg,
            "the Windows Time service did not answer (error 1722); it is not running: start it \
             (`net start w32time` as administrator) or name an NTP server OathDesk can reach"
        );
        assert!(
            ReadError::service_failed(5)
                .to_string()
                .contains("this account")
        );
    }
}

//! The OS's own time synchronisation as a witness: when a time service
//! disciplines the kernel clock (chrony or systemd-timesyncd following the
//! domain controller, say), the kernel knows it and bounds its error. That
//! vouches for the clock of a desk that reaches neither Graph nor an NTP
//! server itself. An undisciplined clock, or one whose bound is wider than
//! a token allows, does not vouch.

use oathdesk_sysclock::KernelClock;

use super::{ClockCheck, ClockSource, MAX_OFFSET_MS, now_unix};
use crate::clock::ClockWitness;

/// `adjtimex`'s "clock not synchronised" state and status bit.
const TIME_ERROR: i32 = 5;
const STA_UNSYNC: i32 = 0x0040;
/// Set when `offset` is in nanoseconds rather than microseconds.
const STA_NANO: i32 = 0x2000;

/// Whether the environment lets the OS vouch (`no` turns it off, for a
/// desk whose policy trusts only the network's time).
pub const TRUST_ENV: &str = "OATHDESK_TRUST_OS_CLOCK";

/// The kernel's word on its clock, judged: a check, or why it cannot vouch.
pub fn judge(k: &KernelClock) -> Result<ClockCheck, String> {
    if k.state == TIME_ERROR || k.status & STA_UNSYNC != 0 {
        return Err(
            "the kernel says no time service keeps this clock synchronised \
                    (start chrony or systemd-timesyncd with a server it can reach)"
                .into(),
        );
    }
    let bound_ms = (k.max_error_us + 999) / 1000;
    if bound_ms > MAX_OFFSET_MS {
        return Err(format!(
            "the kernel bounds this clock's error at {:.1} s only, more than a token allows",
            bound_ms as f64 / 1000.0
        ));
    }
    let per_ms = if k.status & STA_NANO != 0 {
        1_000_000
    } else {
        1000
    };
    Ok(ClockCheck {
        // The kernel's offset is what its discipline has still to correct.
        offset_ms: k.offset / per_ms,
        uncertainty_ms: bound_ms,
        checked_at: now_unix(),
        source: ClockSource::System {
            how: "Linux kernel, adjtimex".into(),
        },
    })
}

/// The OS's synchronisation state, read through `read` (the kernel's in
/// the desk; a recorded answer in tests).
pub struct SystemClock {
    read: Box<dyn Fn() -> Result<KernelClock, String> + Send + Sync>,
}

impl SystemClock {
    /// The kernel's own state.
    pub fn kernel() -> Self {
        SystemClock {
            read: Box::new(|| oathdesk_sysclock::kernel_clock().map_err(|e| e.to_string())),
        }
    }

    /// A state read some other way.
    pub fn reading(read: impl Fn() -> Result<KernelClock, String> + Send + Sync + 'static) -> Self {
        SystemClock {
            read: Box::new(read),
        }
    }

    /// The kernel's witness unless the environment says not to trust it.
    pub fn trusted_here() -> Option<Self> {
        let off = std::env::var(TRUST_ENV).is_ok_and(|v| v.trim().eq_ignore_ascii_case("no"));
        (!off).then(Self::kernel)
    }
}

impl ClockWitness for SystemClock {
    fn name(&self) -> String {
        "this computer's own time synchronisation".into()
    }

    fn vouch(&self) -> Result<ClockCheck, String> {
        judge(&(self.read)()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kernel(state: i32, status: i32, max_error_us: i64, offset: i64) -> KernelClock {
        KernelClock {
            state,
            status,
            max_error_us,
            est_error_us: max_error_us / 2,
            offset,
        }
    }

    #[test]
    fn a_disciplined_clock_vouches_with_the_kernels_bound() {
        // TIME_OK, STA_PLL, a 12.3 ms bound, 1.5 ms still to correct.
        let c = judge(&kernel(0, 0x0001, 12_300, 1_500)).unwrap();
        assert_eq!((c.offset_ms, c.uncertainty_ms), (1, 13));
        assert_eq!(
            c.audited(),
            "host clock vouched for by this computer's own time synchronisation \
             (Linux kernel, adjtimex): off by +1 ms (\u{b1} 13 ms)"
        );
        // The same offset in nanoseconds.
        let c = judge(&kernel(0, 0x2001, 12_300, -1_500_000)).unwrap();
        assert_eq!(c.offset_ms, -1);
    }

    #[test]
    fn an_undisciplined_clock_does_not_vouch() {
        // What a machine without a time service reports: TIME_ERROR,
        // STA_UNSYNC, the 16 s maximum error.
        let why = judge(&kernel(5, 0x0040, 16_000_000, 0)).unwrap_err();
        assert!(why.contains("no time service"), "{why}");
        // The state alone, or the bit alone, is enough.
        assert!(judge(&kernel(5, 0, 1000, 0)).is_err());
        assert!(judge(&kernel(0, 0x0040, 1000, 0)).is_err());
    }

    #[test]
    fn a_bound_wider_than_a_token_allows_does_not_vouch() {
        let why = judge(&kernel(0, 0x0001, 2_500_000, 0)).unwrap_err();
        assert!(why.contains("2.5 s"), "{why}");
        assert!(judge(&kernel(0, 0x0001, 2_000_000, 0)).is_ok());
    }

    struct Offline(&'static str);

    impl ClockWitness for Offline {
        fn name(&self) -> String {
            self.0.into()
        }
        fn vouch(&self) -> Result<ClockCheck, String> {
            Err("unreachable".into())
        }
    }

    #[test]
    fn in_an_offline_room_the_os_vouches_after_graph_and_ntp_fail() {
        use crate::clock::{TimeAuthority, TrustedClock};
        let synced = SystemClock::reading(|| Ok(kernel(0, 0x0001, 40_000, 0)));
        let clock = TrustedClock::new(vec![
            Box::new(Offline("Microsoft Graph")),
            Box::new(Offline("the NTP server dc01:123")),
            Box::new(synced),
        ]);
        let check = clock.clock_check().unwrap();
        assert!(matches!(check.source, ClockSource::System { .. }));
        assert_eq!(check.uncertainty_ms, 40);

        let unsynced = SystemClock::reading(|| Ok(kernel(5, 0x0040, 16_000_000, 0)));
        let clock = TrustedClock::new(vec![
            Box::new(Offline("Microsoft Graph")),
            Box::new(unsynced),
        ]);
        let failure = clock.clock_check().unwrap_err();
        assert!(
            failure.message.contains(
                "Microsoft Graph: unreachable; this computer's own time \
                 synchronisation: the kernel says no time service"
            ),
            "{}",
            failure.message
        );
    }

    #[test]
    fn a_reading_that_fails_says_why() {
        let w = SystemClock::reading(|| Err("no such call".into()));
        assert_eq!(w.vouch().unwrap_err(), "no such call");
    }
}

//! The OS's own time synchronisation as a witness. When a time service
//! disciplines the kernel clock (chrony or systemd-timesyncd following the
//! domain controller, say), Linux and macOS kernels know it and bound its
//! error; Windows' time service instead reports when it last synchronised
//! with each peer, and the bound is derived from that. Either vouches for
//! the clock of a desk that reaches neither Graph nor an NTP server itself.
//! An undisciplined clock, or one whose bound is wider than a token
//! allows, does not vouch.

use oathdesk_sysclock::{KernelClock, TimeServiceState};

use super::time_service::judge_time_service;
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

/// A kernel that keeps NTP discipline state: how a check names it, and
/// what its refusal tells the operator to do.
#[derive(Debug, Clone, Copy)]
pub struct Kernel {
    pub how: &'static str,
    pub fix: &'static str,
}

pub const LINUX: Kernel = Kernel {
    how: "Linux kernel, adjtimex",
    fix: "start chrony or systemd-timesyncd with a server it can reach",
};

/// XNU keeps the same state, but macOS's timed may keep the clock without
/// telling the kernel: then the kernel does not vouch, and the way out is
/// a server OathDesk asks itself.
pub const MACOS: Kernel = Kernel {
    how: "macOS kernel, ntp_adjtime",
    fix: "timed may keep it without telling the kernel; name an NTP server \
          OathDesk can reach in OATHDESK_NTP_SERVERS",
};

/// The kernel this build reads.
const THIS_KERNEL: Kernel = if cfg!(target_os = "macos") {
    MACOS
} else {
    LINUX
};

/// A kernel's word on its clock, judged in `kernel`'s words: a check, or
/// why it cannot vouch.
pub fn judge_kernel(k: &KernelClock, kernel: &Kernel) -> Result<ClockCheck, String> {
    if k.state == TIME_ERROR || k.status & STA_UNSYNC != 0 {
        return Err(format!(
            "the kernel says no time service keeps this clock synchronised ({})",
            kernel.fix
        ));
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
            how: kernel.how.into(),
        },
    })
}

type Vouch = Box<dyn Fn() -> Result<ClockCheck, String> + Send + Sync>;

/// The OS's synchronisation state, read and judged (the OS's own in the
/// desk; a recorded answer in tests).
pub struct SystemClock {
    vouch: Vouch,
}

impl SystemClock {
    /// This OS's own witness: the kernel's discipline on Linux and macOS,
    /// the Windows Time service on Windows.
    pub fn os() -> Self {
        if cfg!(windows) {
            Self::time_service()
        } else {
            Self::kernel()
        }
    }

    /// The kernel's own state (Linux, macOS; elsewhere it says it has none).
    pub fn kernel() -> Self {
        Self::kernel_reading(THIS_KERNEL, || {
            oathdesk_sysclock::kernel_clock().map_err(|e| e.to_string())
        })
    }

    /// The Windows Time service's own state (elsewhere it says it has none).
    pub fn time_service() -> Self {
        Self::time_service_reading(|| oathdesk_sysclock::time_service().map_err(|e| e.to_string()))
    }

    /// A kernel state read some other way, judged in `kernel`'s words.
    pub fn kernel_reading(
        kernel: Kernel,
        read: impl Fn() -> Result<KernelClock, String> + Send + Sync + 'static,
    ) -> Self {
        SystemClock {
            vouch: Box::new(move || judge_kernel(&read()?, &kernel)),
        }
    }

    /// A Windows Time service state read some other way, judged against
    /// the host clock at the time of asking.
    pub fn time_service_reading(
        read: impl Fn() -> Result<TimeServiceState, String> + Send + Sync + 'static,
    ) -> Self {
        SystemClock {
            vouch: Box::new(move || judge_time_service(&read()?, now_unix())),
        }
    }

    /// This OS's witness unless the environment says not to trust it.
    pub fn trusted_here() -> Option<Self> {
        let off = std::env::var(TRUST_ENV).is_ok_and(|v| v.trim().eq_ignore_ascii_case("no"));
        (!off).then(Self::os)
    }
}

impl ClockWitness for SystemClock {
    fn name(&self) -> String {
        "this computer's own time synchronisation".into()
    }

    fn vouch(&self) -> Result<ClockCheck, String> {
        (self.vouch)()
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
        let c = judge_kernel(&kernel(0, 0x0001, 12_300, 1_500), &LINUX).unwrap();
        assert_eq!((c.offset_ms, c.uncertainty_ms), (1, 13));
        assert_eq!(
            c.audited(),
            "host clock vouched for by this computer's own time synchronisation \
             (Linux kernel, adjtimex): off by +1 ms (\u{b1} 13 ms)"
        );
        // The same offset in nanoseconds.
        let c = judge_kernel(&kernel(0, 0x2001, 12_300, -1_500_000), &LINUX).unwrap();
        assert_eq!(c.offset_ms, -1);
    }

    #[test]
    fn an_undisciplined_clock_does_not_vouch() {
        // What a machine without a time service reports: TIME_ERROR,
        // STA_UNSYNC, the 16 s maximum error.
        let why = judge_kernel(&kernel(5, 0x0040, 16_000_000, 0), &LINUX).unwrap_err();
        assert!(why.contains("no time service"), "{why}");
        // The state alone, or the bit alone, is enough.
        assert!(judge_kernel(&kernel(5, 0, 1000, 0), &LINUX).is_err());
        assert!(judge_kernel(&kernel(0, 0x0040, 1000, 0), &LINUX).is_err());
    }

    #[test]
    fn a_bound_wider_than_a_token_allows_does_not_vouch() {
        let why = judge_kernel(&kernel(0, 0x0001, 2_500_000, 0), &LINUX).unwrap_err();
        assert!(why.contains("2.5 s"), "{why}");
        assert!(judge_kernel(&kernel(0, 0x0001, 2_000_000, 0), &LINUX).is_ok());
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
        let synced = SystemClock::kernel_reading(LINUX, || Ok(kernel(0, 0x0001, 40_000, 0)));
        let clock = TrustedClock::new(vec![
            Box::new(Offline("Microsoft Graph")),
            Box::new(Offline("the NTP server dc01:123")),
            Box::new(synced),
        ]);
        let check = clock.clock_check().unwrap();
        assert!(matches!(check.source, ClockSource::System { .. }));
        assert_eq!(check.uncertainty_ms, 40);

        let unsynced = SystemClock::kernel_reading(LINUX, || Ok(kernel(5, 0x0040, 16_000_000, 0)));
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
    fn the_macos_kernel_is_judged_in_its_own_words() {
        let unsynced = SystemClock::kernel_reading(MACOS, || Ok(kernel(5, 0x0040, 16_000_000, 0)));
        let why = unsynced.vouch().unwrap_err();
        assert!(
            why.contains("timed may keep it without telling the kernel"),
            "{why}"
        );
        let synced = SystemClock::kernel_reading(MACOS, || Ok(kernel(0, 0x0001, 8_000, 0)));
        let c = synced.vouch().unwrap();
        assert_eq!(
            c.source,
            ClockSource::System {
                how: "macOS kernel, ntp_adjtime".into()
            }
        );
        assert_eq!(c.uncertainty_ms, 8);
    }

    #[test]
    fn in_an_offline_room_the_windows_time_service_vouches_or_says_why_not() {
        use crate::clock::time_service::tests::{peer, service};
        use crate::clock::{TimeAuthority, TrustedClock};
        // 591 s ago, judged within the second or the next: 500 + 60 ms.
        let synced = SystemClock::time_service_reading(|| {
            let mut p = peer("dc01.contoso.local,0x9", None, 0, 3);
            p.last_sync_unix = Some(now_unix() - 591);
            Ok(service(vec![p]))
        });
        let clock = TrustedClock::new(vec![
            Box::new(Offline("Microsoft Graph")),
            Box::new(Offline("the NTP server dc01:123")),
            Box::new(synced),
        ]);
        let check = clock.clock_check().unwrap();
        assert_eq!(check.uncertainty_ms, 560);
        assert_eq!(
            check.source,
            ClockSource::System {
                how: "Windows Time service, last synchronised with dc01.contoso.local 9 min ago"
                    .into()
            }
        );
        assert!(check.ensure_usable().is_ok());

        let never =
            SystemClock::time_service_reading(|| Ok(service(vec![peer("dc01", None, 0, 0)])));
        let clock = TrustedClock::new(vec![
            Box::new(Offline("Microsoft Graph")),
            Box::new(Offline("the NTP server dc01:123")),
            Box::new(never),
        ]);
        let failure = clock.clock_check().unwrap_err();
        assert_eq!(
            failure.message,
            "nothing vouches for this computer's clock (Microsoft Graph: unreachable; the NTP \
             server dc01:123: unreachable; this computer's own time synchronisation: the \
             Windows Time service has never synchronised with dc01; then run `w32tm /resync` \
             as administrator and try again)"
        );
    }

    #[test]
    fn this_os_reader_answers_or_says_why_not() {
        // Whatever this machine is, the real reader must not panic, and a
        // refusal must be a sentence.
        if let Err(why) = SystemClock::os().vouch() {
            assert!(why.len() > 20, "{why}");
        }
    }

    #[test]
    fn a_reading_that_fails_says_why() {
        let w = SystemClock::kernel_reading(LINUX, || Err("no such call".into()));
        assert_eq!(w.vouch().unwrap_err(), "no such call");
    }
}

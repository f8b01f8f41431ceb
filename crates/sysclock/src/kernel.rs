//! The kernel's NTP discipline state, read without changing it: Linux's
//! `adjtimex(2)` and XNU's `ntp_adjtime(2)` (macOS keeps the same
//! `kern_ntptime` state as the BSDs), both with no `modes` bit set. Other
//! systems have no such call and say so.

use crate::{KernelClock, ReadError};

/// Reads the kernel's clock state without changing it.
#[cfg(any(target_os = "linux", target_os = "macos"))]
pub fn kernel_clock() -> Result<KernelClock, ReadError> {
    #[allow(unsafe_code)]
    // SAFETY: `libc::timex` holds only integers (and, on Linux, a
    // `timeval` of integers), so all-zero bytes are a valid value. With
    // `modes` zero, `adjtimex` / `ntp_adjtime` change nothing and need no
    // privilege: they only write the kernel's state into the struct we own
    // and hold exclusively for the call.
    let (state, t) = unsafe {
        let mut t: libc::timex = std::mem::zeroed();
        (read(&mut t), t)
    };
    if state < 0 {
        return Err(ReadError::Refused(std::io::Error::last_os_error()));
    }
    // `c_long` is 32 bits on 32-bit Linux: the casts are not always no-ops.
    #[allow(clippy::unnecessary_cast)]
    Ok(KernelClock {
        state,
        status: t.status,
        max_error_us: t.maxerror as i64,
        est_error_us: t.esterror as i64,
        offset: t.offset as i64,
    })
}

#[cfg(target_os = "linux")]
use libc::adjtimex as read;
#[cfg(target_os = "macos")]
use libc::ntp_adjtime as read;

/// Reads the kernel's clock state without changing it.
#[cfg(not(any(target_os = "linux", target_os = "macos")))]
pub fn kernel_clock() -> Result<KernelClock, ReadError> {
    Err(ReadError::Unsupported)
}

#[cfg(all(test, any(target_os = "linux", target_os = "macos")))]
mod tests {
    use super::*;

    #[test]
    fn the_kernel_answers_with_a_known_state_and_a_non_negative_error() {
        let k = kernel_clock().unwrap();
        assert!((0..=5).contains(&k.state), "{k:?}");
        assert!(k.max_error_us >= 0 && k.est_error_us >= 0, "{k:?}");
    }
}

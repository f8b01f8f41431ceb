//! The OS's own view of its clock: whether a time service (chrony,
//! systemd-timesyncd, ntpd) disciplines it, and how far off the kernel
//! says it may be. A desk in an offline room whose clock a local time
//! server keeps can trust it without reaching Graph or NTP itself.
//!
//! Linux answers through `adjtimex(2)` in read-only mode (no `modes` bit
//! set). Other systems have no such call here yet and say so.

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

/// Why the kernel's clock state could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("this operating system has no kernel clock state OathDesk can read")]
    Unsupported,
    #[error("the kernel refused to report its clock state: {0}")]
    Refused(#[from] std::io::Error),
}

/// Reads the kernel's clock state without changing it.
#[cfg(target_os = "linux")]
pub fn kernel_clock() -> Result<KernelClock, ReadError> {
    #[allow(unsafe_code)]
    // SAFETY: `libc::timex` holds only integers (and a `timeval` of
    // integers), so all-zero bytes are a valid value; with `modes` zero,
    // `adjtimex` only writes the kernel's state into the struct we own
    // and hold exclusively for the call.
    let (state, t) = unsafe {
        let mut t: libc::timex = std::mem::zeroed();
        (libc::adjtimex(&mut t), t)
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

/// Reads the kernel's clock state without changing it.
#[cfg(not(target_os = "linux"))]
pub fn kernel_clock() -> Result<KernelClock, ReadError> {
    Err(ReadError::Unsupported)
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn the_kernel_answers_with_a_known_state_and_a_non_negative_error() {
        let k = kernel_clock().unwrap();
        assert!((0..=5).contains(&k.state), "{k:?}");
        assert!(k.max_error_us >= 0 && k.est_error_us >= 0, "{k:?}");
    }
}

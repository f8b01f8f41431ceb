//! A token's real-time clock: set at some moment, then ticking with an
//! optional drift, as a cheap quartz does.

use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone, Copy)]
pub struct TokenClock {
    /// Token time at the moment of the last set (Unix seconds).
    set_to: f64,
    /// Host time at that moment.
    set_at: f64,
    /// Parts per million the token runs fast (+) or slow (-).
    pub drift_ppm: f64,
}

pub fn host_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

impl TokenClock {
    /// A clock that reads `offset_seconds` away from the host now.
    pub fn offset(offset_seconds: i64, drift_ppm: f64) -> Self {
        let now = host_now();
        TokenClock {
            set_to: now + offset_seconds as f64,
            set_at: now,
            drift_ppm,
        }
    }

    /// The token's time when the host clock reads `host`.
    pub fn at(&self, host: f64) -> u64 {
        let elapsed = (host - self.set_at) * (1.0 + self.drift_ppm / 1e6);
        (self.set_to + elapsed).max(0.0) as u64
    }

    pub fn now(&self) -> u64 {
        self.at(host_now())
    }

    pub fn set(&mut self, unix: u32) {
        self.set_to = f64::from(unix);
        self.set_at = host_now();
    }
}

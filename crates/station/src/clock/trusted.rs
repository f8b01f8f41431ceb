//! The host clock as the desk trusts it: several sources asked in order,
//! the first that answers vouches. A source that answers and finds the host
//! clock off is the answer (the check then refuses); only a source that
//! cannot answer passes the question on. When none answers, the error says
//! what was tried and why each failed, so a desk in an offline room knows
//! what to give it.

use super::{ClockCheck, TimeAuthority};
use crate::ports::{DirectoryFailure, DirectoryFailureKind};

/// One source that can measure the host clock.
pub trait ClockWitness: Send + Sync {
    /// What it is, for the list of what was tried ("Microsoft Graph").
    fn name(&self) -> String;
    /// Measures the host clock, or says why it could not.
    fn vouch(&self) -> Result<ClockCheck, String>;
}

/// Asks its witnesses in order; the first to measure the host clock wins.
pub struct TrustedClock<'a> {
    witnesses: Vec<Box<dyn ClockWitness + 'a>>,
}

impl<'a> TrustedClock<'a> {
    pub fn new(witnesses: Vec<Box<dyn ClockWitness + 'a>>) -> Self {
        TrustedClock { witnesses }
    }
}

/// What to do when nothing vouched for the host clock.
pub const NO_WITNESS_STEP: &str = "Connect this desk to the network, name an NTP server it \
     can reach (OATHDESK_NTP_SERVERS, e.g. your domain controller), or let the OS keep this \
     computer's clock (chrony or systemd-timesyncd on Linux, the Windows Time service synced \
     within the last few hours); then try again. Nothing was written.";

impl TimeAuthority for TrustedClock<'_> {
    fn clock_check(&self) -> Result<ClockCheck, DirectoryFailure> {
        let mut tried = Vec::new();
        for witness in &self.witnesses {
            match witness.vouch() {
                Ok(check) => return Ok(check),
                Err(why) => tried.push(format!("{}: {why}", witness.name())),
            }
        }
        let tried = match tried.is_empty() {
            true => "no source is configured".to_string(),
            false => tried.join("; "),
        };
        Err(DirectoryFailure {
            kind: DirectoryFailureKind::Transient,
            message: format!("nothing vouches for this computer's clock ({tried})"),
            next_step: NO_WITNESS_STEP.into(),
            request_id: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ClockSource;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Witness {
        name: &'static str,
        answer: Result<i64, &'static str>,
        asked: AtomicUsize,
    }

    impl Witness {
        fn new(name: &'static str, answer: Result<i64, &'static str>) -> Self {
            Witness {
                name,
                answer,
                asked: AtomicUsize::new(0),
            }
        }
    }

    impl ClockWitness for &Witness {
        fn name(&self) -> String {
            self.name.into()
        }
        fn vouch(&self) -> Result<ClockCheck, String> {
            self.asked.fetch_add(1, Ordering::SeqCst);
            self.answer
                .map_err(str::to_string)
                .map(|offset_ms| ClockCheck {
                    offset_ms,
                    uncertainty_ms: 20,
                    checked_at: 0,
                    source: ClockSource::Ntp {
                        server: self.name.into(),
                    },
                })
        }
    }

    fn clock<'a>(witnesses: &'a [&'a Witness]) -> TrustedClock<'a> {
        TrustedClock::new(
            witnesses
                .iter()
                .map(|w| Box::new(*w) as Box<dyn ClockWitness + 'a>)
                .collect(),
        )
    }

    #[test]
    fn the_first_source_that_answers_vouches_and_the_rest_are_not_asked() {
        let graph = Witness::new("Microsoft Graph", Err("no route to graph.microsoft.com"));
        let ntp = Witness::new("a:123", Ok(-40));
        let spare = Witness::new("b:123", Ok(0));
        let check = clock(&[&graph, &ntp, &spare]).clock_check().unwrap();
        assert_eq!(check.offset_ms, -40);
        assert_eq!(
            check.source,
            ClockSource::Ntp {
                server: "a:123".into()
            }
        );
        assert_eq!(spare.asked.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn a_source_that_finds_the_clock_off_is_the_answer_not_skipped() {
        let ntp = Witness::new("a:123", Ok(9_000));
        let lenient = Witness::new("b:123", Ok(0));
        let check = clock(&[&ntp, &lenient]).clock_check().unwrap();
        assert_eq!(check.offset_ms, 9_000);
        assert!(check.ensure_usable().is_err());
        assert_eq!(lenient.asked.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn when_nothing_vouches_the_error_says_what_was_tried() {
        let graph = Witness::new("Microsoft Graph", Err("no route"));
        let ntp = Witness::new("the NTP server a:123", Err("no answer within 2 s"));
        let failure = clock(&[&graph, &ntp]).clock_check().unwrap_err();
        assert_eq!(
            failure.message,
            "nothing vouches for this computer's clock (Microsoft Graph: no route; \
             the NTP server a:123: no answer within 2 s)"
        );
        assert_eq!(failure.next_step, NO_WITNESS_STEP);
        let none = clock(&[]).clock_check().unwrap_err();
        assert!(
            none.message.contains("no source is configured"),
            "{}",
            none.message
        );
    }
}

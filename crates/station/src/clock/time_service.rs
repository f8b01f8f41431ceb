//! The Windows Time service as a witness: it does not bound its own error
//! the way Linux's and macOS's kernels do, but reports when it last
//! synchronised with each peer, and whether that worked. The bound is
//! derived from the age of the last good synchronisation.

use oathdesk_sysclock::{TimePeer, TimeServiceState};

use super::{ClockCheck, ClockSource, MAX_OFFSET_MS};

/// The drift assumed of a clock since the Windows Time service last
/// synchronised it: 100 ppm (8.6 s a day), beyond an uncorrected PC
/// crystal's usual worst. The service corrects the frequency too and
/// usually does far better, but its status does not say how well.
pub const DRIFT_PPM: u64 = 100;

/// What a successful synchronisation is assumed to leave: the peer's own
/// distance from its reference and the phase the service may still be
/// slewing. Its status reports neither, so this is an allowance, not a
/// measurement.
pub const SYNC_RESIDUAL_MS: u64 = 500;

/// How far a last synchronisation may lie ahead of the host clock before
/// the clock is taken to have been set back since (the service reports
/// whole 100 ns units; we compare whole seconds).
const FUTURE_SLACK_S: u64 = 2;

/// What the Windows Time service reports, judged at host time `now` (Unix
/// seconds). It vouches through the peer it synchronised with most
/// recently, provided that peer's last attempt succeeded and it was itself
/// synchronised (stratum 1 to 15). The bound is [`SYNC_RESIDUAL_MS`] plus
/// [`DRIFT_PPM`] of the time since: it reaches [`MAX_OFFSET_MS`] about
/// 4 h 10 min after a synchronisation. The service does not report the
/// offset it is still correcting, so the check's offset is 0 and its
/// uncertainty is that bound.
pub fn judge_time_service(s: &TimeServiceState, now: u64) -> Result<ClockCheck, String> {
    const RESYNC: &str = "then run `w32tm /resync` as administrator and try again";
    if s.provider_error != 0 {
        return Err(format!(
            "the Windows Time service's NTP client is failing (error 0x{:08X}); see \
             `w32tm /query /status`, fix its time source, {RESYNC}",
            s.provider_error
        ));
    }
    if s.peers.is_empty() {
        return Err(format!(
            "the Windows Time service has no NTP source (it may be keeping time from the \
             local clock or a virtual machine's host only); join this computer to the \
             domain's time hierarchy or set a server (`w32tm /config \
             /manualpeerlist:<server> /syncfromflags:manual /update`), {RESYNC}"
        ));
    }
    let mut why = Vec::new();
    let mut best: Option<(u64, u64, &TimePeer)> = None;
    for peer in &s.peers {
        match peer_bound(peer, now) {
            Ok((age, bound)) if best.is_none_or(|(_, b, _)| bound < b) => {
                best = Some((age, bound, peer))
            }
            Ok(_) => {}
            Err(e) => why.push(e),
        }
    }
    let Some((age, bound_ms, peer)) = best else {
        return Err(format!("{}; {RESYNC}", why.join("; ")));
    };
    if bound_ms > MAX_OFFSET_MS as u64 {
        return Err(format!(
            "the Windows Time service last synchronised with {} {} ago; this clock may \
             have drifted {:.1} s since, more than a token allows: {RESYNC} (or let the \
             service poll more often)",
            display(peer),
            ago(age),
            bound_ms as f64 / 1000.0
        ));
    }
    Ok(ClockCheck {
        offset_ms: 0,
        uncertainty_ms: bound_ms as i64,
        checked_at: now,
        source: ClockSource::System {
            how: format!(
                "Windows Time service, last synchronised with {} {} ago",
                display(peer),
                ago(age)
            ),
        },
    })
}

/// One peer's age since its last good synchronisation and the bound it
/// gives, or why it gives none.
fn peer_bound(p: &TimePeer, now: u64) -> Result<(u64, u64), String> {
    let name = display(p);
    let Some(last) = p.last_sync_unix else {
        return Err(format!(
            "the Windows Time service has never synchronised with {name}"
        ));
    };
    if p.last_sync_error != 0 {
        return Err(format!(
            "the Windows Time service's last synchronisation with {name} failed \
             (error 0x{:08X}); check that it can reach {name}",
            p.last_sync_error
        ));
    }
    if !(1..=15).contains(&p.stratum) {
        return Err(format!(
            "the Windows Time service's source {name} reports stratum {}, so is not \
             synchronised itself; give it one that is",
            p.stratum
        ));
    }
    if last > now.saturating_add(FUTURE_SLACK_S) {
        return Err(format!(
            "the Windows Time service last synchronised with {name} at a time after this \
             computer's clock now, so the clock has been set back since"
        ));
    }
    let age = now.saturating_sub(last);
    let drift_ms = age.saturating_mul(DRIFT_PPM).div_ceil(1000);
    Ok((age, SYNC_RESIDUAL_MS.saturating_add(drift_ms)))
}

/// The peer as the operator knows it: W32Time's name without its `,0x9`
/// flags.
fn display(p: &TimePeer) -> &str {
    match p.name.split(',').next().map(str::trim) {
        Some(n) if !n.is_empty() => n,
        _ => "an unnamed peer",
    }
}

/// A duration as an operator reads it.
fn ago(secs: u64) -> String {
    match secs {
        0..120 => format!("{secs} s"),
        120..7200 => format!("{} min", secs / 60),
        7200..172_800 => format!("{} h {} min", secs / 3600, secs % 3600 / 60),
        _ => format!("{} days", secs / 86_400),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Host time in the Windows cases: 2023-11-14T22:13:20Z.
    pub(crate) const NOW: u64 = 1_700_000_000;

    pub(crate) fn peer(name: &str, ago_s: Option<u64>, error: u32, stratum: u8) -> TimePeer {
        TimePeer {
            name: name.into(),
            last_sync_unix: ago_s.map(|a| NOW - a),
            last_sync_error: error,
            stratum,
            reachability: 0xff,
        }
    }

    pub(crate) fn service(peers: Vec<TimePeer>) -> TimeServiceState {
        TimeServiceState {
            provider_error: 0,
            peers,
        }
    }

    #[test]
    fn a_recent_windows_sync_vouches_with_the_drift_bound() {
        // 12 min ago: 500 ms + 720 s at 100 ppm (72 ms).
        let s = service(vec![peer("dc01.contoso.local,0x9", Some(720), 0, 3)]);
        let c = judge_time_service(&s, NOW).unwrap();
        assert_eq!((c.offset_ms, c.uncertainty_ms, c.checked_at), (0, 572, NOW));
        assert_eq!(
            c.audited(),
            "host clock vouched for by this computer's own time synchronisation \
             (Windows Time service, last synchronised with dc01.contoso.local 12 min ago): \
             off by +0 ms (\u{b1} 572 ms)"
        );
    }

    #[test]
    fn the_most_recently_synced_good_peer_vouches_and_the_others_are_passed_over() {
        let s = service(vec![
            peer("time.windows.com,0x9", Some(3_000), 0, 2),
            peer("dc02.contoso.local", Some(30), 0x8007_05B4, 3),
            peer("dc01.contoso.local", Some(45), 0, 3),
        ]);
        let c = judge_time_service(&s, NOW).unwrap();
        // 45 s: 4.5 ms of drift, rounded up.
        assert_eq!(c.uncertainty_ms, 505);
        assert!(
            matches!(&c.source, ClockSource::System { how } if how.ends_with("dc01.contoso.local 45 s ago")),
            "{:?}",
            c.source
        );
    }

    #[test]
    fn a_sync_too_old_for_the_drift_allowance_does_not_vouch() {
        // 15 000 s is the last second the bound stays within 2 s.
        let at = |age| judge_time_service(&service(vec![peer("dc01", Some(age), 0, 3)]), NOW);
        assert_eq!(at(15_000).unwrap().uncertainty_ms, 2_000);
        assert!(at(15_001).is_err());
        let why = at(18_000).unwrap_err();
        assert_eq!(
            why,
            "the Windows Time service last synchronised with dc01 5 h 0 min ago; this clock \
             may have drifted 2.3 s since, more than a token allows: then run `w32tm /resync` \
             as administrator and try again (or let the service poll more often)"
        );
        // The weekly default of a computer outside a domain.
        assert!(at(7 * 86_400).unwrap_err().contains("7 days ago"));
    }

    #[test]
    fn a_service_that_never_synced_or_failed_says_what_to_do() {
        let never = service(vec![peer("time.windows.com,0x9", None, 0, 0)]);
        assert_eq!(
            judge_time_service(&never, NOW).unwrap_err(),
            "the Windows Time service has never synchronised with time.windows.com; \
             then run `w32tm /resync` as administrator and try again"
        );
        let failed = service(vec![peer("dc01", Some(60), 0x8007_05B4, 3)]);
        let why = judge_time_service(&failed, NOW).unwrap_err();
        assert!(why.contains("with dc01 failed (error 0x800705B4)"), "{why}");
        let broken = TimeServiceState {
            provider_error: 0x8007_0005,
            peers: vec![peer("dc01", Some(60), 0, 3)],
        };
        let why = judge_time_service(&broken, NOW).unwrap_err();
        assert!(
            why.contains("NTP client is failing (error 0x80070005)"),
            "{why}"
        );
        let alone = judge_time_service(&service(vec![]), NOW).unwrap_err();
        assert!(alone.contains("has no NTP source"), "{alone}");
        assert!(alone.contains("/manualpeerlist:<server>"), "{alone}");
    }

    #[test]
    fn an_unsynchronised_source_or_a_clock_set_back_does_not_vouch() {
        for stratum in [0, 16] {
            let s = service(vec![peer("dc01", Some(60), 0, stratum)]);
            let why = judge_time_service(&s, NOW).unwrap_err();
            assert!(why.contains(&format!("reports stratum {stratum}")), "{why}");
        }
        let mut ahead = peer("dc01", None, 0, 3);
        ahead.last_sync_unix = Some(NOW + 600);
        let why = judge_time_service(&service(vec![ahead]), NOW).unwrap_err();
        assert!(why.contains("set back"), "{why}");
        // Within the rounding slack it is a sync just now.
        let mut just = peer("dc01", None, 0, 3);
        just.last_sync_unix = Some(NOW + 1);
        assert_eq!(
            judge_time_service(&service(vec![just]), NOW)
                .unwrap()
                .uncertainty_ms,
            500
        );
    }
}

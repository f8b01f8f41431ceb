use crate::{CodeParams, OtpError, Secret, hotp};

/// Where a token's observed code(s) matched, relative to the host clock.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DriftMatch {
    /// Token steps ahead (+) or behind (-) the host.
    pub offset_steps: i64,
    pub offset_seconds: i64,
    /// How many offsets in the window matched. More than one means a single
    /// code could not settle the drift: ask for the next code too.
    pub candidates: usize,
}

/// Finds the step offset at which `observed` (and, if given, `next` in the
/// following step) is produced, searching `±window_steps` around `unix_time`.
/// The closest match wins; `candidates` says whether it was unique.
///
/// The default window in Entra is ±1 day at 30 s, i.e. 2880 steps.
/// Parameters out of range are an error.
pub fn find_drift(
    secret: &Secret,
    params: &CodeParams,
    observed: &str,
    next: Option<&str>,
    unix_time: u64,
    window_steps: u64,
) -> Result<Option<DriftMatch>, OtpError> {
    params.validate()?;
    let here = i128::from(params.step_at(unix_time)?);
    let code_at = |step: i128| -> Option<String> {
        u64::try_from(step)
            .ok()
            .and_then(|s| hotp(secret, params.algorithm, params.digits, s).ok())
    };
    let matches_at = |offset: i128| -> bool {
        let step = here + offset;
        code_at(step).as_deref() == Some(observed)
            && next.is_none_or(|n| code_at(step + 1).as_deref() == Some(n))
    };
    let w = window_steps as i128;
    // Nearest first: 0, +1, -1, +2, -2, …
    let order = std::iter::once(0).chain((1..=w).flat_map(|d| [d, -d]));
    let mut found = order.filter(|&o| matches_at(o));
    let Some(best) = found.next() else {
        return Ok(None);
    };
    let candidates = 1 + found.count();
    Ok(Some(DriftMatch {
        offset_steps: best as i64,
        offset_seconds: (best * i128::from(params.period)) as i64,
        candidates,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> Secret {
        Secret::from_slice(b"12345678901234567890")
    }

    #[test]
    fn finds_a_token_running_ahead_and_behind() {
        let p = CodeParams::default();
        let now = 1_700_000_000;
        for offset in [-2880i64, -7, 0, 3, 2880] {
            let t = (now as i64 + offset * 30) as u64;
            let seen = crate::totp(&secret(), &p, t).unwrap();
            let next = crate::totp(&secret(), &p, t + 30).unwrap();
            let m = find_drift(&secret(), &p, &seen, Some(&next), now, 2880)
                .unwrap()
                .unwrap();
            assert_eq!(m.offset_steps, offset);
            assert_eq!(m.offset_seconds, offset * 30);
        }
    }

    #[test]
    fn outside_the_window_is_no_match() {
        let p = CodeParams::default();
        let seen = crate::totp(&secret(), &p, 1_700_000_000 + 100 * 30).unwrap();
        assert!(
            find_drift(&secret(), &p, &seen, None, 1_700_000_000, 10)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn second_code_narrows_to_one_candidate() {
        let p = CodeParams::default();
        let now = 1_700_000_000;
        let seen = crate::totp(&secret(), &p, now).unwrap();
        let next = crate::totp(&secret(), &p, now + 30).unwrap();
        let two = find_drift(&secret(), &p, &seen, Some(&next), now, 2880)
            .unwrap()
            .unwrap();
        assert_eq!(two.candidates, 1);
    }
}

//! Single-profile sessions against the sim's token: a value the token
//! cannot take is refused with `BadInput` before any APDU after get-info.

use oathdesk_otp::{Algorithm, CodeParams, Secret};
use oathdesk_sim::token::{Token2Card, Token2Model, TokenClock};
use sha2::{Digest, Sha256};

use super::{Settings, Token2Session};
use crate::testing::{Recorder, clock, instructions};
use crate::{BurnStep, DeviceError, DeviceErrorKind, TokenState};

fn card() -> Recorder<Token2Card> {
    Recorder::new(Token2Card::new(
        Token2Model::by_name("OTPC-P1-i").unwrap(),
        "000777",
        TokenClock::offset(-300, 0.0),
    ))
}

fn assert_bad_input(e: &DeviceError, says: &str) {
    assert!(
        matches!(&e.kind, DeviceErrorKind::BadInput(m) if m.contains(says)),
        "{e:?} should say {says:?}"
    );
    assert_eq!(e.state, TokenState::Untouched);
}

fn params(algorithm: Algorithm, digits: u32, period: u64) -> CodeParams {
    CodeParams {
        algorithm,
        digits,
        period,
    }
}

#[test]
fn settings_refuse_what_the_token_cannot_show() {
    let ok = Settings::new(&CodeParams::default(), 30).unwrap();
    assert_eq!(ok.params(), CodeParams::default());
    let cases = [
        (params(Algorithm::Sha512, 6, 30), 30, "not SHA-512"),
        (params(Algorithm::Sha1, 8, 30), 30, "6 digits, not 8"),
        (
            params(Algorithm::Sha1, 6, 45),
            30,
            "30 or 60 seconds, not 45",
        ),
        (
            params(Algorithm::Sha1, 6, 30),
            45,
            "15, 30, 60 or 120 seconds, not 45",
        ),
    ];
    for (p, timeout, says) in cases {
        assert_bad_input(&Settings::new(&p, timeout).unwrap_err(), says);
    }
}

#[test]
fn a_seed_of_0_or_64_bytes_sends_nothing_after_get_info() {
    let rec = card();
    let log = rec.log();
    let mut s = Token2Session::open(rec).unwrap();
    assert_eq!(instructions(&log), [0x41]);
    let settings = Settings::new(&CodeParams::default(), 30).unwrap();
    for len in [0, 64, 300] {
        let mut steps = Vec::new();
        let e = s
            .burn(&Secret::new(vec![1; len]), &settings, &clock, &mut |st| {
                steps.push(st)
            })
            .unwrap_err();
        assert_bad_input(&e, "1 to 63 bytes");
        assert!(steps.is_empty(), "no step started for {len} bytes");
    }
    assert_eq!(instructions(&log), [0x41], "nothing sent after get-info");
}

#[test]
fn burn_writes_settings_then_seed() {
    let mut rec = card();
    let log = rec.log();
    let mut s = Token2Session::open(&mut rec).unwrap();
    let p = params(Algorithm::Sha256, 6, 60);
    let secret = Secret::from_slice(b"12345678901234567890");
    let mut steps = Vec::new();
    s.burn(
        &secret,
        &Settings::new(&p, 60).unwrap(),
        &clock,
        &mut |st| steps.push(st),
    )
    .unwrap();
    use BurnStep::*;
    assert_eq!(steps, [Authenticate, WriteSettingsAndClock, WriteSeed]);
    assert_eq!(instructions(&log), [0x41, 0x4B, 0xCE, 0xD4, 0xC5]);
    assert_eq!(s.info().clock, clock());
    drop(s);
    let seed_hash: String = Sha256::digest(secret.expose())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(rec.card.seed_sha256(), Some(seed_hash));
    assert_eq!(rec.card.settings(), (Algorithm::Sha256, 60, 2));
}

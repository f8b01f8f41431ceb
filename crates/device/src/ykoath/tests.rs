//! YKOATH names, codec and session against the sim's applet: a value the
//! applet cannot take is refused with `BadInput` before any APDU after
//! SELECT; card answers that do not parse are errors, never panics.

use oathdesk_otp::{Algorithm, CodeParams, OtpKind, Secret, totp};
use oathdesk_sim::token::YkOathCard;

use super::codec::{self, base64_nopad};
use super::{CredentialInfo, CredentialName, YkOathSession};
use crate::apdu::Response;
use crate::testing::{Recorder, instructions};
use crate::token2::codec::Token2Error;
use crate::{DeviceError, DeviceErrorKind, TokenState};

fn assert_bad_input(e: &DeviceError, says: &str) {
    assert!(
        matches!(&e.kind, DeviceErrorKind::BadInput(m) if m.contains(says)),
        "{e:?} should say {says:?}"
    );
    assert_eq!(e.state, TokenState::Untouched);
}

fn assert_malformed(r: Result<impl std::fmt::Debug, DeviceError>) {
    let e = r.unwrap_err();
    assert_eq!(
        e.kind,
        DeviceErrorKind::Refused(Token2Error::Malformed),
        "{e}"
    );
}

fn ok(data: Vec<u8>) -> Response {
    Response { data, sw: 0x9000 }
}

#[test]
fn names_carry_the_period_only_when_it_is_not_30() {
    let n = CredentialName::new(30, "  Contoso:alice ").unwrap();
    assert_eq!(
        (n.as_str(), n.label(), n.period()),
        ("Contoso:alice", "Contoso:alice", 30)
    );
    let n = CredentialName::new(60, "bob").unwrap();
    assert_eq!((n.as_str(), n.label(), n.period()), ("60/bob", "bob", 60));
    assert_eq!(
        CredentialName::new(30, &"a".repeat(64))
            .unwrap()
            .as_str()
            .len(),
        64
    );
}

#[test]
fn names_the_applet_cannot_hold_are_refused() {
    assert_bad_input(
        &CredentialName::new(30, "").unwrap_err(),
        "a credential needs a name",
    );
    assert_bad_input(
        &CredentialName::new(30, "   ").unwrap_err(),
        "a credential needs a name",
    );
    assert_bad_input(
        &CredentialName::new(30, &"a".repeat(65)).unwrap_err(),
        "at most 64 bytes",
    );
    let e = CredentialName::new(60, &"a".repeat(62)).unwrap_err();
    assert_bad_input(&e, "is 65");
    assert_bad_input(&CredentialName::new(0, "x").unwrap_err(), "not 0");
    assert_bad_input(
        &CredentialName::new(30, "60/bob").unwrap_err(),
        "digits and '/'",
    );
}

#[test]
fn names_read_from_a_card_never_divide_by_zero() {
    let n = CredentialName::parse("0/x").unwrap();
    assert_eq!((n.label(), n.period()), ("0/x", 30));
    let n = CredentialName::parse("60/bob").unwrap();
    assert_eq!((n.as_str(), n.label(), n.period()), ("60/bob", "bob", 60));
    for whole in ["301/x", "60/", "/x", "-5/x", "Contoso:a/b"] {
        let n = CredentialName::parse(whole).unwrap();
        assert_eq!((n.label(), n.period()), (whole, 30), "{whole}");
    }
    assert_malformed(CredentialName::parse(""));
    assert_eq!(
        codec::calculate(&CredentialName::parse("0/x").unwrap(), 90)
            .unwrap()
            .len(),
        5 + 5 + 10
    );
}

#[test]
fn list_answers_are_checked_not_trusted() {
    let good = [&[0x72, 4, 0x21][..], b"a:b", &[0x72, 2, 0x13, b'h']].concat();
    let creds = codec::parse_list(&ok(good)).unwrap();
    assert_eq!(
        creds[0],
        CredentialInfo {
            name: CredentialName::parse("a:b").unwrap(),
            kind: OtpKind::Totp,
            algorithm: Algorithm::Sha1
        }
    );
    assert_eq!(
        (creds[1].kind, creds[1].algorithm),
        (OtpKind::Hotp, Algorithm::Sha512)
    );
    let bad: [&[u8]; 7] = [
        &[0x72, 0],
        &[0x72, 5, 0x21, b'a'],
        &[0x72],
        &[0x72, 2, 0x31, b'a'],
        &[0x72, 2, 0x24, b'a'],
        &[0x71, 2, 0x21, b'a'],
        &[0x72, 3, 0x21, 0xFF, 0xFE],
    ];
    for data in bad {
        assert_malformed(codec::parse_list(&ok(data.to_vec())));
    }
}

#[test]
fn calculate_refuses_digits_the_card_cannot_mean() {
    let code =
        |digits: u8| codec::parse_calculate(&ok(vec![0x76, 5, digits, 0x7F, 0xFF, 0xFF, 0xFF]));
    assert_eq!(code(6).unwrap(), "483647");
    assert_eq!(code(10).unwrap(), "2147483647");
    for digits in [0, 5, 11, 255] {
        assert_malformed(code(digits));
    }
    assert_malformed(codec::parse_calculate(&ok(vec![0x76, 3, 6, 1, 2])));
    assert_malformed(codec::parse_calculate(&ok(vec![0x75, 5, 6, 1, 2, 3, 4])));
}

#[test]
fn select_needs_a_salt_and_yields_yubicos_device_id() {
    for (raw, b64) in [
        (&b"f"[..], "Zg"),
        (b"fo", "Zm8"),
        (b"foo", "Zm9v"),
        (b"foobar", "Zm9vYmFy"),
    ] {
        assert_eq!(base64_nopad(raw), b64);
    }
    assert_eq!(
        codec::device_id(&[0, 1, 2, 3, 4, 5, 6, 7]),
        "ioUf+C7nBIrQnsOEfx3fRA"
    );
    let info = codec::parse_select(&ok(vec![0x79, 3, 5, 7, 0, 0x71, 2, 1, 2])).unwrap();
    assert_eq!((info.salt, info.password_protected), (vec![1, 2], false));
    assert_malformed(codec::parse_select(&ok(vec![0x79, 3, 5, 7, 0])));
    assert_malformed(codec::parse_select(&ok(vec![0x79, 3, 5, 7, 0, 0x71])));
}

#[test]
fn password_and_full_applets_have_their_own_kinds() {
    let refused = |sw| codec::check(&Response { data: vec![], sw }).unwrap_err();
    assert_eq!(refused(0x6982).kind, DeviceErrorKind::PasswordProtected);
    assert_eq!(refused(0x6A84).kind, DeviceErrorKind::Full);
    assert_eq!(
        refused(0x6984).kind,
        DeviceErrorKind::Refused(Token2Error::Status(0x6984))
    );
}

#[test]
fn put_refuses_bad_input_before_any_apdu_after_select() {
    let card = YkOathCard::new();
    let id = card.device_id();
    let rec = Recorder::new(card);
    let log = rec.log();
    let mut y = YkOathSession::select(rec).unwrap();
    assert_eq!(y.device_id(), id, "the sim computes the same id on its own");
    assert_eq!(instructions(&log), [0xA4]);
    let name = CredentialName::new(30, "alice").unwrap();
    let secret = Secret::from_slice(b"12345678901234567890");
    let nine = CodeParams {
        digits: 9,
        ..CodeParams::default()
    };
    let e = y
        .put(&name, &secret, OtpKind::Totp, &nine, false)
        .unwrap_err();
    assert_bad_input(&e, "6, 7 or 8 digits, not 9");
    let empty = Secret::new(vec![]);
    let e = y.put(&name, &empty, OtpKind::Totp, &CodeParams::default(), false);
    assert_bad_input(&e.unwrap_err(), "needs a secret");
    let sixty = CodeParams {
        period: 60,
        ..CodeParams::default()
    };
    let e = y
        .put(&name, &secret, OtpKind::Totp, &sixty, false)
        .unwrap_err();
    assert_bad_input(&e, "every 30 s, the settings say every 60 s");
    assert_eq!(instructions(&log), [0xA4], "nothing sent after SELECT");
}

#[test]
fn put_list_calculate_delete_and_a_full_applet() {
    let mut y = YkOathSession::select(Recorder::new(YkOathCard::new())).unwrap();
    assert!(!y.password_protected());
    assert_eq!(y.version(), [5, 7, 0]);
    let secret = Secret::from_slice(b"12345678901234567890");
    let p = CodeParams {
        algorithm: Algorithm::Sha256,
        digits: 8,
        period: 60,
    };
    let name = CredentialName::new(60, "Contoso:alice").unwrap();
    y.put(&name, &secret, OtpKind::Totp, &p, false).unwrap();
    let listed = y.list().unwrap();
    assert_eq!(
        (listed[0].name.period(), listed[0].algorithm),
        (60, Algorithm::Sha256)
    );
    assert_eq!(
        y.calculate(&name, 1_111_111_109).unwrap(),
        totp(&secret, &p, 1_111_111_109).unwrap()
    );
    y.delete(&name).unwrap();
    assert!(y.list().unwrap().is_empty());
    // Firmware 5.7.0 holds 64 credentials, older firmware 32 (Yubico's
    // YubiKey 5 technical manual); the sim's applet reports 5.7.0.
    for i in 0..64 {
        let n = CredentialName::new(30, &format!("n{i}")).unwrap();
        y.put(&n, &secret, OtpKind::Totp, &CodeParams::default(), false)
            .unwrap();
    }
    let more = CredentialName::new(30, "one-more").unwrap();
    let e = y
        .put(&more, &secret, OtpKind::Totp, &CodeParams::default(), false)
        .unwrap_err();
    assert_eq!(e.kind, DeviceErrorKind::Full);
    assert!(
        e.next_step().contains("Delete a credential"),
        "{}",
        e.next_step()
    );
}

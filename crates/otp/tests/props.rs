//! Property tests: encodings and URIs round-trip, and no parser panics on
//! arbitrary input.

use oathdesk_otp::{
    Algorithm, CodeParams, OtpAuthUri, OtpKind, Secret, SecretEncoding, classify, parse_base32,
    parse_hex, parse_secret,
};
use proptest::prelude::*;

fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop_oneof![
        Just(Algorithm::Sha1),
        Just(Algorithm::Sha256),
        Just(Algorithm::Sha512)
    ]
}

fn text() -> impl Strategy<Value = String> {
    "[ -~]{0,40}"
}

proptest! {
    #[test]
    fn base32_round_trip(bytes in prop::collection::vec(any::<u8>(), 10..80)) {
        let s = Secret::new(bytes);
        prop_assert_eq!(parse_base32(&s.to_base32()).unwrap(), s.clone());
        prop_assert_eq!(parse_base32(&s.to_base32().to_lowercase()).unwrap(), s);
    }

    #[test]
    fn hex_round_trip(bytes in prop::collection::vec(any::<u8>(), 10..80)) {
        let s = Secret::new(bytes);
        prop_assert_eq!(parse_hex(&s.to_hex()).unwrap(), s.clone());
        let (back, enc) = parse_secret(&format!("0x{}", s.to_hex().as_str()), None).unwrap();
        prop_assert_eq!(back, s);
        prop_assert_eq!(enc, SecretEncoding::Hex);
    }

    #[test]
    fn uri_round_trip(
        bytes in prop::collection::vec(any::<u8>(), 10..64),
        hotp in any::<bool>(),
        label_issuer in prop::option::of("[A-Za-z0-9 &@+%/:.]{1,20}"),
        account in "[A-Za-z0-9@.+ _-]{0,30}",
        issuer in prop::option::of(text()),
        algorithm in algorithm(),
        digits in 6u32..=10,
        period in 1u64..=86_400,
        counter in any::<u64>(),
        extra in prop::collection::vec(("[a-z]{1,8}", text()), 0..3),
    ) {
        // A ':' inside a label issuer cannot be told apart from the separator.
        let label_issuer = label_issuer
            .map(|l| l.replace([':', '+'], "").trim().to_string())
            .filter(|l| !l.is_empty());
        // Without a label issuer, a ':' in the account would read as the separator.
        let account = match label_issuer {
            Some(_) => account.trim_start().to_string(),
            None => account.replace(':', ""),
        };
        let reserved = ["secret", "issuer", "algorithm", "digits", "period", "counter"];
        let extra: Vec<_> = extra.into_iter().filter(|(k, _)| !reserved.contains(&k.as_str())).collect();
        let uri = OtpAuthUri {
            kind: if hotp { OtpKind::Hotp } else { OtpKind::Totp },
            label_issuer,
            account,
            issuer,
            secret: Secret::new(bytes),
            params: CodeParams { algorithm, digits, period },
            counter: hotp.then_some(counter),
            extra,
        };
        let again = OtpAuthUri::parse(&uri.to_uri()).unwrap();
        prop_assert_eq!(again, uri);
    }

    #[test]
    fn parsers_never_panic(s in "\\PC{0,200}") {
        let _ = parse_secret(&s, None);
        let _ = OtpAuthUri::parse(&s);
        let _ = classify(&s, None);
        let _ = OtpAuthUri::parse(&format!("otpauth://totp/{s}"));
        let _ = OtpAuthUri::parse(&format!("otpauth://totp/x?secret={s}&digits={s}"));
    }
}

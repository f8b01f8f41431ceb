//! What an operator scans or pastes: the classifier, otpauth URIs and bare
//! secrets. Whatever the text, an answer comes back and a usable credential
//! has parameters that compute a code.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oathdesk_otp::{OtpAuthUri, SecretEncoding, classify, parse_secret, totp};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for hint in [
        None,
        Some(SecretEncoding::Base32),
        Some(SecretEncoding::Hex),
    ] {
        let verdict = classify(text, hint);
        assert!(!verdict.explanation.is_empty() && !verdict.next_step.is_empty());
        if let Some(c) = verdict.credential {
            assert!(verdict.kind.is_usable());
            totp(&c.secret, &c.params, 1_700_000_000).expect("a usable credential computes a code");
        }
        let _ = parse_secret(text, hint);
    }
    if let Ok(uri) = OtpAuthUri::parse(text) {
        let again = OtpAuthUri::parse(&uri.to_uri()).expect("an emitted URI parses again");
        assert_eq!(again.params, uri.params);
        assert_eq!(again.secret.expose(), uri.secret.expose());
    }
});

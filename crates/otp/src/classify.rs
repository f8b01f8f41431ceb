//! What did the operator just scan or paste? Every answer carries a one-line
//! explanation and the next step, because the commonest failure at a desk is
//! scanning the wrong QR code.

use crate::{OtpAuthUri, OtpError, OtpKind, SecretEncoding, parse_secret};

/// The kinds of input an operator brings to the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    TotpUri,
    HotpUri,
    BareSecret,
    AmbiguousSecret,
    AuthenticatorPush,
    GoogleExport,
    FidoQr,
    SerialNumber,
    Url,
    TooShort,
    Garbage,
}

impl InputKind {
    /// True when the input yields a credential that can be burnt.
    pub fn is_usable(self) -> bool {
        matches!(
            self,
            InputKind::TotpUri | InputKind::HotpUri | InputKind::BareSecret
        )
    }
}

/// The classifier's verdict.
#[derive(Debug, Clone)]
pub struct Classification {
    pub kind: InputKind,
    /// One line: what this is.
    pub explanation: String,
    /// One line: what to do now.
    pub next_step: String,
    /// The credential, when the input holds a usable one. A bare secret gets
    /// default TOTP parameters (SHA1, 6 digits, 30 s).
    pub credential: Option<OtpAuthUri>,
    /// How a bare secret was written (hex input is converted, and said so).
    pub encoding: Option<SecretEncoding>,
}

impl Classification {
    fn advice(kind: InputKind, explanation: &str, next_step: &str) -> Self {
        Classification {
            kind,
            explanation: explanation.to_string(),
            next_step: next_step.to_string(),
            credential: None,
            encoding: None,
        }
    }
}

const SCAN_ENTRA: &str = "Scan the QR code from the user's Security info page after choosing \
     'I want to use a different authenticator app', or paste the secret.";

/// Classifies one scanned or pasted input. `hint` settles hex versus base32
/// for bare secrets that read both ways.
pub fn classify(input: &str, hint: Option<SecretEncoding>) -> Classification {
    let text = input.trim();
    // The whole input, secret and all, in lower case: wiped when dropped.
    let lower = zeroize::Zeroizing::new(text.to_ascii_lowercase());
    if text.is_empty() {
        return Classification::advice(InputKind::Garbage, "Nothing was entered.", SCAN_ENTRA);
    }
    if lower.starts_with("otpauth://") {
        return classify_uri(text);
    }
    if let Some(advice) = classify_foreign_qr(&lower) {
        return advice;
    }
    if text.chars().all(|c| c.is_ascii_digit()) && text.len() < 20 {
        return Classification::advice(
            InputKind::SerialNumber,
            "This is a number, most likely the token's serial number or its barcode, not a secret.",
            SCAN_ENTRA,
        );
    }
    classify_bare_secret(text, hint)
}

fn classify_foreign_qr(lower: &str) -> Option<Classification> {
    let advice = if lower.starts_with("phonefactor://") {
        Classification::advice(
            InputKind::AuthenticatorPush,
            "This QR code is for the Microsoft Authenticator app (push), not for a hardware token.",
            "On the user's Security info page choose 'I want to use a different authenticator app', then scan the new QR code.",
        )
    } else if lower.starts_with("otpauth-migration://") {
        Classification::advice(
            InputKind::GoogleExport,
            "This is a Google Authenticator export QR, which bundles accounts in its own format.",
            "Ask for the account's original QR code (or its secret) instead of an export.",
        )
    } else if lower.starts_with("fido:/") {
        Classification::advice(
            InputKind::FidoQr,
            "This is a passkey (FIDO) sign-in QR code, not an OATH secret.",
            SCAN_ENTRA,
        )
    } else if lower.starts_with("http://") || lower.starts_with("https://") {
        Classification::advice(
            InputKind::Url,
            "This is a web link, not a token secret.",
            SCAN_ENTRA,
        )
    } else {
        return None;
    };
    Some(advice)
}

fn classify_uri(text: &str) -> Classification {
    match OtpAuthUri::parse(text) {
        Ok(uri) => {
            let (kind, what) = match uri.kind {
                OtpKind::Totp => (InputKind::TotpUri, "a time-based (TOTP)"),
                OtpKind::Hotp => (InputKind::HotpUri, "a counter-based (HOTP)"),
            };
            let who = match (uri.display_issuer(), uri.account.is_empty()) {
                (Some(i), false) => format!(" for {} at {}", uri.account, i),
                (None, false) => format!(" for {}", uri.account),
                (Some(i), true) => format!(" from {i}"),
                (None, true) => String::new(),
            };
            Classification {
                kind,
                explanation: format!(
                    "This is {what} credential{who}: {} bits, {}, {} digits, {} s.",
                    uri.secret.bits(),
                    uri.params.algorithm,
                    uri.params.digits,
                    uri.params.period
                ),
                next_step: "Put a token on the reader and burn it.".to_string(),
                credential: Some(uri),
                encoding: None,
            }
        }
        Err(OtpError::TooShort { bits }) => too_short(bits),
        Err(e) => Classification::advice(
            InputKind::Garbage,
            &format!("This otpauth link cannot be used: {e}."),
            SCAN_ENTRA,
        ),
    }
}

fn too_short(bits: usize) -> Classification {
    Classification::advice(
        InputKind::TooShort,
        &format!("The secret is only {bits} bits; tokens and Entra need at least 80 bits."),
        "Check that the whole secret was copied (16 or more base32 characters).",
    )
}

fn classify_bare_secret(text: &str, hint: Option<SecretEncoding>) -> Classification {
    match parse_secret(text, hint) {
        Ok((secret, encoding)) => {
            let converted = if encoding == SecretEncoding::Hex {
                " It was written in hex and has been converted to base32."
            } else {
                ""
            };
            Classification {
                kind: InputKind::BareSecret,
                explanation: format!(
                    "This is a bare {}-bit secret; SHA1, 6 digits and 30 s are assumed.{converted}",
                    secret.bits()
                ),
                next_step: "Check the token model's settings, then burn.".to_string(),
                credential: Some(OtpAuthUri::from_secret(secret)),
                encoding: Some(encoding),
            }
        }
        Err(OtpError::AmbiguousEncoding) => Classification::advice(
            InputKind::AmbiguousSecret,
            "This secret reads both as hex and as base32, and the two give different secrets.",
            "Say which it is (hex or base32); vendor files usually say.",
        ),
        Err(OtpError::TooShort { bits }) => too_short(bits),
        Err(_) => Classification::advice(
            InputKind::Garbage,
            "This is neither an otpauth link nor a base32 or hex secret.",
            SCAN_ENTRA,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(s: &str) -> InputKind {
        classify(s, None).kind
    }

    #[test]
    fn recognises_each_kind() {
        let cases = [
            (
                "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&issuer=Microsoft",
                InputKind::TotpUri,
            ),
            (
                "otpauth://hotp/A:b?secret=JBSWY3DPEHPK3PXP",
                InputKind::HotpUri,
            ),
            ("jbsw y3dp ehpk 3pxp", InputKind::BareSecret),
            (
                "3132333435363738393031323334353637383930",
                InputKind::BareSecret,
            ),
            (
                "ABCDEF2345ABCDEF2345ABCDEF234567",
                InputKind::AmbiguousSecret,
            ),
            (
                "phonefactor://activate_account?code=123&url=https://x",
                InputKind::AuthenticatorPush,
            ),
            (
                "otpauth-migration://offline?data=CjEKCkhlbGxv",
                InputKind::GoogleExport,
            ),
            ("FIDO:/1234567890123", InputKind::FidoQr),
            ("8659612001234", InputKind::SerialNumber),
            ("https://aka.ms/mfasetup", InputKind::Url),
            ("JBSWY3DP", InputKind::TooShort),
            ("otpauth://totp/x?secret=JBSWY3DP", InputKind::TooShort),
            ("hello world!", InputKind::Garbage),
            ("", InputKind::Garbage),
        ];
        for (input, want) in cases {
            assert_eq!(kind(input), want, "{input}");
        }
    }

    #[test]
    fn push_qr_tells_the_operator_what_to_click() {
        let c = classify("phonefactor://activate_account?code=1", None);
        assert!(
            c.next_step
                .contains("I want to use a different authenticator app")
        );
    }

    #[test]
    fn hex_conversion_is_said() {
        let c = classify("0x3132333435363738393031323334353637383930", None);
        assert_eq!(c.encoding, Some(SecretEncoding::Hex));
        assert!(c.explanation.contains("converted"));
    }

    #[test]
    fn explanations_never_contain_the_secret() {
        let c = classify("otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP", None);
        assert!(!c.explanation.to_uppercase().contains("JBSWY3DPEHPK3PXP"));
    }
}

use std::fmt::Write as _;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use zeroize::Zeroizing;

use crate::{CodeParams, OtpError, Secret, encoding::parse_base32};

/// Time-based or counter-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OtpKind {
    Totp,
    Hotp,
}

/// An OATH credential as carried by an `otpauth://` URI (Google's Key Uri
/// Format).
///
/// Parsing is lenient where the real world is: Microsoft Entra's QR puts the
/// organisation in the label but `issuer=Microsoft` in the query, uses an
/// 80-bit lowercase secret, and may encode spaces as `+`. Both issuers are
/// kept, and unknown query parameters are kept in order, so emitting never
/// loses a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtpAuthUri {
    pub kind: OtpKind,
    /// The issuer written before `:` in the label, if any.
    pub label_issuer: Option<String>,
    pub account: String,
    /// The `issuer=` query parameter, if any.
    pub issuer: Option<String>,
    pub secret: Secret,
    pub params: CodeParams,
    /// HOTP only: the initial counter.
    pub counter: Option<u64>,
    /// Query parameters OathDesk does not interpret (e.g. `image`).
    pub extra: Vec<(String, String)>,
}

/// Characters escaped in a label or a query value.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

impl OtpAuthUri {
    /// A TOTP credential with default parameters, for a bare secret.
    pub fn from_secret(secret: Secret) -> Self {
        OtpAuthUri {
            kind: OtpKind::Totp,
            label_issuer: None,
            account: String::new(),
            issuer: None,
            secret,
            params: CodeParams::default(),
            counter: None,
            extra: Vec::new(),
        }
    }

    /// The issuer to show an operator: the query parameter wins, as the
    /// Key Uri Format says.
    pub fn display_issuer(&self) -> Option<&str> {
        self.issuer.as_deref().or(self.label_issuer.as_deref())
    }

    /// Parses an `otpauth://totp/…` or `otpauth://hotp/…` URI.
    pub fn parse(input: &str) -> Result<Self, OtpError> {
        let (kind, label, query) = split_uri(input.trim())?;
        let (label_issuer, account) = parse_label(label);
        let mut uri = OtpAuthUri {
            kind,
            label_issuer,
            account,
            ..OtpAuthUri::from_secret(Secret::new(Vec::new()))
        };
        let mut secret_seen = false;
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let value = Zeroizing::new(value.into_owned());
            match key.to_ascii_lowercase().as_str() {
                "secret" => {
                    uri.secret = parse_base32(&value)?;
                    secret_seen = true;
                }
                "issuer" => uri.issuer = Some(value.to_string()),
                "algorithm" => uri.params.algorithm = value.parse()?,
                "digits" => uri.params.digits = parse_number(&value, "digits")?,
                "period" => uri.params.period = parse_number(&value, "period")?,
                "counter" => uri.counter = Some(parse_number(&value, "counter")?),
                _ => uri.extra.push((key.into_owned(), value.to_string())),
            }
        }
        if !secret_seen {
            return Err(OtpError::InvalidUri("it has no secret= parameter".into()));
        }
        if kind == OtpKind::Hotp && uri.counter.is_none() {
            uri.counter = Some(0);
        }
        uri.params.validate()?;
        Ok(uri)
    }

    /// Emits the URI. Every field survives a round trip through [`Self::parse`].
    /// The result holds the secret, so it is returned in zeroizing memory.
    pub fn to_uri(&self) -> Zeroizing<String> {
        let enc = |s: &str| utf8_percent_encode(s, COMPONENT).to_string();
        let kind = match self.kind {
            OtpKind::Totp => "totp",
            OtpKind::Hotp => "hotp",
        };
        let mut out = Zeroizing::new(format!("otpauth://{kind}/"));
        if let Some(li) = &self.label_issuer {
            let _ = write!(out, "{}:", enc(li));
        }
        let _ = write!(
            out,
            "{}?secret={}",
            enc(&self.account),
            self.secret.to_base32().as_str()
        );
        if let Some(issuer) = &self.issuer {
            let _ = write!(out, "&issuer={}", enc(issuer));
        }
        let p = &self.params;
        let _ = write!(
            out,
            "&algorithm={}&digits={}&period={}",
            p.algorithm, p.digits, p.period
        );
        if let Some(counter) = self.counter {
            let _ = write!(out, "&counter={counter}");
        }
        for (k, v) in &self.extra {
            let _ = write!(out, "&{}={}", enc(k), enc(v));
        }
        out
    }
}

/// Splits `otpauth://TYPE/LABEL?QUERY` by hand: a general URL parser would
/// normalise `.`/`..` and `/` in the label, which are an account name here.
fn split_uri(input: &str) -> Result<(OtpKind, &str, &str), OtpError> {
    let (scheme, rest) = input
        .split_once("://")
        .ok_or_else(|| OtpError::InvalidUri("it cannot be read as a URI".into()))?;
    if !scheme.eq_ignore_ascii_case("otpauth") {
        return Err(OtpError::InvalidUri("the scheme is not otpauth".into()));
    }
    let (kind, rest) = rest.split_once('/').unwrap_or((rest, ""));
    let kind = match kind.to_ascii_lowercase().as_str() {
        "totp" => OtpKind::Totp,
        "hotp" => OtpKind::Hotp,
        _ => return Err(OtpError::InvalidUri("the type must be totp or hotp".into())),
    };
    let (label, query) = rest.split_once('?').unwrap_or((rest, ""));
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    Ok((kind, label, query))
}

fn parse_number<T: std::str::FromStr>(value: &str, name: &str) -> Result<T, OtpError> {
    value
        .trim()
        .parse()
        .map_err(|_| OtpError::InvalidUri(format!("{name}={value:?} is not a number")))
}

/// Splits `Issuer:account` (with `:` possibly escaped as `%3A`). A `+` in
/// the issuer part is a space (Entra writes organisation names that way);
/// in the account it is kept, since addresses such as `a+b@x.com` exist.
fn parse_label(path: &str) -> (Option<String>, String) {
    let decoded = percent_decode_str(path).decode_utf8_lossy().into_owned();
    match decoded.split_once(':') {
        Some((issuer, account)) => {
            let issuer = issuer.replace('+', " ").trim().to_string();
            let issuer = (!issuer.is_empty()).then_some(issuer);
            (issuer, account.trim_start().to_string())
        }
        None => (None, decoded),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Algorithm;

    const ENTRA: &str = "otpauth://totp/Contoso%20Ltd%3Ajane%40contoso.com?secret=jbswy3dpehpk3pxp&issuer=Microsoft";

    #[test]
    fn parses_microsofts_entra_uri() {
        let u = OtpAuthUri::parse(ENTRA).unwrap();
        assert_eq!(u.kind, OtpKind::Totp);
        assert_eq!(u.label_issuer.as_deref(), Some("Contoso Ltd"));
        assert_eq!(u.issuer.as_deref(), Some("Microsoft"));
        assert_eq!(u.account, "jane@contoso.com");
        assert_eq!(u.secret.bits(), 80);
        assert_eq!(u.params, CodeParams::default());
    }

    #[test]
    fn plus_in_issuer_is_a_space_but_kept_in_account() {
        let u = OtpAuthUri::parse(
            "otpauth://totp/Contoso+Ltd:jane+mfa@contoso.com?secret=JBSWY3DPEHPK3PXP&issuer=Contoso+Ltd",
        )
        .unwrap();
        assert_eq!(u.label_issuer.as_deref(), Some("Contoso Ltd"));
        assert_eq!(u.issuer.as_deref(), Some("Contoso Ltd"));
        assert_eq!(u.account, "jane+mfa@contoso.com");
    }

    #[test]
    fn reads_all_parameters_and_keeps_unknown_ones() {
        let u = OtpAuthUri::parse(
            "otpauth://hotp/ACME:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA256&digits=8&counter=7&image=https%3A%2F%2Fx%2Fy.png",
        )
        .unwrap();
        assert_eq!(u.kind, OtpKind::Hotp);
        assert_eq!(u.params.algorithm, Algorithm::Sha256);
        assert_eq!(u.params.digits, 8);
        assert_eq!(u.counter, Some(7));
        assert_eq!(
            u.extra,
            vec![("image".to_string(), "https://x/y.png".to_string())]
        );
    }

    #[test]
    fn round_trip_keeps_every_field() {
        for input in [
            ENTRA,
            "otpauth://hotp/ACME:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA512&digits=10&period=60&counter=7&image=x%20y",
            "otpauth://totp/only-account?secret=GEZDGNBVGY3TQOJQ",
        ] {
            let u = OtpAuthUri::parse(input).unwrap();
            let again = OtpAuthUri::parse(&u.to_uri()).unwrap();
            assert_eq!(u, again, "{input}");
        }
    }

    #[test]
    fn rejects_missing_secret_and_wrong_type() {
        assert!(OtpAuthUri::parse("otpauth://totp/x?issuer=y").is_err());
        assert!(OtpAuthUri::parse("otpauth://motp/x?secret=JBSWY3DPEHPK3PXP").is_err());
        assert!(OtpAuthUri::parse("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=3").is_err());
    }
}

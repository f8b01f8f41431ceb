//! YKOATH credential names: `[<period>/]<label>`, the period written only
//! when it is not 30 s, the label usually `<issuer>:<account>`. The applet
//! keys credentials by these exact bytes, so a name read from a card keeps
//! them as they were.

use std::fmt;

use oathdesk_otp::OtpKind;

use crate::error::{DeviceError, TokenState};
use crate::token2::codec::Token2Error;

/// The longest name the applet stores, in bytes.
pub const MAX_NAME_BYTES: usize = 64;
/// The period a name without a prefix has.
pub const DEFAULT_PERIOD: u64 = 30;
/// Prefixes above this are read as part of the label (no real credential
/// changes codes less often than every five minutes).
pub const MAX_PERIOD: u64 = 300;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CredentialName {
    name: String,
    label_at: usize,
    period: u64,
}

/// `<period>/<rest>` when the prefix is a period in 1..=300 and a label
/// follows it.
fn split_period(name: &str) -> Option<(u64, &str)> {
    let (prefix, rest) = name.split_once('/')?;
    let digits_only = !prefix.is_empty() && prefix.bytes().all(|b| b.is_ascii_digit());
    let period = prefix.parse::<u64>().ok().filter(|_| digits_only)?;
    ((1..=MAX_PERIOD).contains(&period) && !rest.is_empty()).then_some((period, rest))
}

fn starts_like_a_period(label: &str) -> bool {
    label
        .split_once('/')
        .is_some_and(|(p, _)| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

impl CredentialName {
    /// A name for a new credential: `label` trimmed, never empty, prefixed
    /// with `<period>/` unless the period is 30 s, at most 64 bytes.
    pub fn new(period: u64, label: &str) -> Result<CredentialName, DeviceError> {
        let label = label.trim();
        if label.is_empty() {
            return Err(DeviceError::bad_input(
                "a credential needs a name: give the account (and issuer) it belongs to",
            ));
        }
        if !(1..=MAX_PERIOD).contains(&period) {
            return Err(DeviceError::bad_input(format!(
                "a YKOATH credential changes codes every 1 to {MAX_PERIOD} seconds, not {period}"
            )));
        }
        if period == DEFAULT_PERIOD && starts_like_a_period(label) {
            return Err(DeviceError::bad_input(format!(
                "a credential name cannot start with digits and '/' (the applet reads that as its period): {label:?}"
            )));
        }
        let name = match period {
            DEFAULT_PERIOD => label.to_string(),
            p => format!("{p}/{label}"),
        };
        if name.len() > MAX_NAME_BYTES {
            return Err(DeviceError::bad_input(format!(
                "a YKOATH credential name holds at most {MAX_NAME_BYTES} bytes; {name:?} is {}",
                name.len()
            )));
        }
        Ok(CredentialName {
            label_at: name.len() - label.len(),
            name,
            period,
        })
    }

    /// A TOTP name as a card holds it. A prefix that is not a period in
    /// 1..=300 (say `0/x`) is part of the label. An empty name is malformed.
    pub fn parse(name: &str) -> Result<CredentialName, DeviceError> {
        CredentialName::parse_for(OtpKind::Totp, name)
    }

    /// As [`Self::parse`]; a HOTP name has no period, its whole text is
    /// the label.
    pub(crate) fn parse_for(kind: OtpKind, name: &str) -> Result<CredentialName, DeviceError> {
        if name.is_empty() {
            return Err(DeviceError::new(
                TokenState::Untouched,
                Token2Error::Malformed,
            ));
        }
        let split = match kind {
            OtpKind::Totp => split_period(name),
            OtpKind::Hotp => None,
        };
        let (period, label) = split.unwrap_or((DEFAULT_PERIOD, name));
        Ok(CredentialName {
            label_at: name.len() - label.len(),
            name: name.to_string(),
            period,
        })
    }

    /// The exact bytes the applet keys the credential by.
    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// The name without its period prefix.
    pub fn label(&self) -> &str {
        &self.name[self.label_at..]
    }

    /// Seconds per code (30 when the name has no prefix); never 0.
    pub fn period(&self) -> u64 {
        self.period
    }
}

impl fmt::Display for CredentialName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

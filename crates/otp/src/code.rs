use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Sha256, Sha512};

use crate::{Algorithm, OtpError, Secret};

/// How a TOTP credential turns time into a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CodeParams {
    pub algorithm: Algorithm,
    pub digits: u32,
    pub period: u64,
}

impl Default for CodeParams {
    fn default() -> Self {
        CodeParams {
            algorithm: Algorithm::Sha1,
            digits: 6,
            period: 30,
        }
    }
}

impl CodeParams {
    /// Checks digits (4..=10: the token model decides within that) and period (1..=86400 s).
    pub fn validate(&self) -> Result<(), OtpError> {
        if !(4..=10).contains(&self.digits) {
            return Err(OtpError::InvalidDigits(self.digits));
        }
        if !(1..=86_400).contains(&self.period) {
            return Err(OtpError::InvalidPeriod(self.period));
        }
        Ok(())
    }

    /// The time step that contains `unix_time`; an invalid period (0)
    /// is an error, never a division by zero.
    pub fn step_at(&self, unix_time: u64) -> Result<u64, OtpError> {
        unix_time
            .checked_div(self.period)
            .ok_or(OtpError::InvalidPeriod(self.period))
    }
}

/// A TOTP code together with the window in which it is valid.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TotpCode {
    pub code: String,
    /// First second (Unix time) this code is valid.
    pub valid_from: u64,
    /// First second it is no longer valid.
    pub valid_to: u64,
}

fn hmac_digest(secret: &[u8], algorithm: Algorithm, msg: &[u8]) -> Vec<u8> {
    fn run<M: Mac + hmac::digest::KeyInit>(key: &[u8], msg: &[u8]) -> Vec<u8> {
        let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(key)
            .expect("HMAC accepts keys of any length");
        mac.update(msg);
        mac.finalize().into_bytes().to_vec()
    }
    match algorithm {
        Algorithm::Sha1 => run::<Hmac<Sha1>>(secret, msg),
        Algorithm::Sha256 => run::<Hmac<Sha256>>(secret, msg),
        Algorithm::Sha512 => run::<Hmac<Sha512>>(secret, msg),
    }
}

/// RFC 4226 HOTP: the code for `counter`, zero-padded to `digits`.
///
/// `digits` outside 4..=10 is an error (values from a card or a tenant
/// reach here); 10 digits keep the full 31-bit truncated value.
pub fn hotp(
    secret: &Secret,
    algorithm: Algorithm,
    digits: u32,
    counter: u64,
) -> Result<String, OtpError> {
    if !(4..=10).contains(&digits) {
        return Err(OtpError::InvalidDigits(digits));
    }
    let digest = hmac_digest(secret.expose(), algorithm, &counter.to_be_bytes());
    let offset = (digest[digest.len() - 1] & 0x0f) as usize;
    let bin = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    let value = u64::from(bin) % 10u64.pow(digits);
    Ok(format!("{value:0width$}", width = digits as usize))
}

/// RFC 6238 TOTP: the code at `unix_time`; parameters out of range are an
/// error.
pub fn totp(secret: &Secret, params: &CodeParams, unix_time: u64) -> Result<String, OtpError> {
    Ok(totp_at(secret, params, unix_time)?.code)
}

/// The code at `unix_time` with its validity window.
pub fn totp_at(secret: &Secret, params: &CodeParams, unix_time: u64) -> Result<TotpCode, OtpError> {
    params.validate()?;
    let step = params.step_at(unix_time)?;
    Ok(TotpCode {
        code: hotp(secret, params.algorithm, params.digits, step)?,
        valid_from: step * params.period,
        valid_to: (step + 1) * params.period,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4226 Appendix D.
    #[test]
    fn rfc4226_vectors() {
        let s = Secret::from_slice(b"12345678901234567890");
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        for (counter, want) in expected.iter().enumerate() {
            assert_eq!(hotp(&s, Algorithm::Sha1, 6, counter as u64).unwrap(), *want);
        }
    }

    /// RFC 6238 Appendix B (8 digits, 30 s).
    #[test]
    fn rfc6238_vectors() {
        let seeds = [
            (Algorithm::Sha1, &b"12345678901234567890"[..]),
            (Algorithm::Sha256, &b"12345678901234567890123456789012"[..]),
            (
                Algorithm::Sha512,
                &b"1234567890123456789012345678901234567890123456789012345678901234"[..],
            ),
        ];
        let table: [(u64, [&str; 3]); 6] = [
            (59, ["94287082", "46119246", "90693936"]),
            (1111111109, ["07081804", "68084774", "25091201"]),
            (1111111111, ["14050471", "67062674", "99943326"]),
            (1234567890, ["89005924", "91819424", "93441116"]),
            (2000000000, ["69279037", "90698825", "38618901"]),
            (20000000000, ["65353130", "77737706", "47863826"]),
        ];
        for (t, codes) in table {
            for (i, (alg, seed)) in seeds.iter().enumerate() {
                let p = CodeParams {
                    algorithm: *alg,
                    digits: 8,
                    period: 30,
                };
                assert_eq!(
                    totp(&Secret::from_slice(seed), &p, t).unwrap(),
                    codes[i],
                    "{alg} at {t}"
                );
            }
        }
    }

    #[test]
    fn window_bounds() {
        let s = Secret::from_slice(b"12345678901234567890");
        let c = totp_at(&s, &CodeParams::default(), 59).unwrap();
        assert_eq!((c.valid_from, c.valid_to), (30, 60));
    }

    #[test]
    fn ten_digits_keep_leading_zeros() {
        let s = Secret::from_slice(b"12345678901234567890");
        let c = hotp(&s, Algorithm::Sha1, 10, 0).unwrap();
        assert_eq!(c.len(), 10);
        assert_eq!(c, "1284755224");
    }

    /// Values from a card, a tenant or the window reach here: a period of 0
    /// or 99 digits is an error, not a division by zero or an overflow.
    #[test]
    fn parameters_out_of_range_are_errors_not_panics() {
        let s = Secret::from_slice(b"12345678901234567890");
        let zero = CodeParams {
            period: 0,
            ..Default::default()
        };
        assert_eq!(totp(&s, &zero, 59), Err(OtpError::InvalidPeriod(0)));
        assert_eq!(zero.step_at(59), Err(OtpError::InvalidPeriod(0)));
        let many = CodeParams {
            digits: 99,
            ..Default::default()
        };
        assert_eq!(totp_at(&s, &many, 59), Err(OtpError::InvalidDigits(99)));
        assert_eq!(
            hotp(&s, Algorithm::Sha1, 99, 0),
            Err(OtpError::InvalidDigits(99))
        );
        assert_eq!(
            hotp(&s, Algorithm::Sha1, 3, 0),
            Err(OtpError::InvalidDigits(3))
        );
    }

    #[test]
    fn params_validation() {
        assert!(
            CodeParams {
                digits: 3,
                ..Default::default()
            }
            .validate()
            .is_err()
        );
        assert!(
            CodeParams {
                digits: 11,
                ..Default::default()
            }
            .validate()
            .is_err()
        );
        assert!(
            CodeParams {
                period: 0,
                ..Default::default()
            }
            .validate()
            .is_err()
        );
        assert!(
            CodeParams {
                period: 60,
                digits: 8,
                ..Default::default()
            }
            .validate()
            .is_ok()
        );
    }
}

//! The access code: SET CODE (the host proves it holds the key by
//! answering its own challenge), VALIDATE (mutual: the host answers the
//! SELECT challenge, the applet answers the host's) and RESET.

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::apdu::sw;
use super::credential::hmac;
use super::tlv::{Reader, tlv};
use super::{YkOathCard, random, tags};

/// The access key (PBKDF2 of the password, derived by the host) and the
/// type|algorithm byte it came with (`21`: TOTP | HMAC-SHA1 from
/// `yubikit`).
pub(super) struct AccessKey {
    alg: u8,
    key: Zeroizing<Vec<u8>>,
}

impl AccessKey {
    pub fn alg(&self) -> u8 {
        self.alg
    }

    fn answer(&self, challenge: &[u8]) -> Vec<u8> {
        hmac(self.alg, &self.key, challenge)
    }
}

type Data = Result<Vec<u8>, u16>;

/// Yubico's applet takes an access key of type TOTP or HOTP with SHA-1
/// or SHA-256 and refuses any other byte with `6984`.
fn access_alg(alg: u8) -> Result<u8, u16> {
    let typed = matches!(alg & 0xF0, 0x10 | 0x20);
    let hashed = matches!(alg & 0x0F, 1 | 2);
    if typed && hashed {
        Ok(alg)
    } else {
        Err(sw::NO_SUCH_OBJECT)
    }
}

impl YkOathCard {
    /// `73 <alg> <key> ‖ 74 challenge ‖ 75 response`, or `73 00` to remove
    /// the code. The session that sets a code stays unlocked.
    pub(super) fn set_code(&mut self, data: &[u8]) -> Data {
        let mut r = Reader::new(data);
        let Some((&alg, key)) = r.expect(tags::KEY)?.split_first() else {
            r.finish()?;
            self.access = None;
            return Ok(Vec::new());
        };
        let alg = access_alg(alg)?;
        let (challenge, response) = (r.expect(tags::CHALLENGE)?, r.expect(tags::RESPONSE)?);
        r.finish()?;
        if key.is_empty() || challenge.is_empty() {
            return Err(sw::WRONG_SYNTAX);
        }
        let candidate = AccessKey {
            alg,
            key: Zeroizing::new(key.to_vec()),
        };
        let expected = candidate.answer(challenge);
        if response.len() != expected.len() {
            return Err(sw::WRONG_SYNTAX);
        }
        if !bool::from(expected.ct_eq(response)) {
            return Err(sw::NO_SUCH_OBJECT);
        }
        self.access = Some(candidate);
        Ok(Vec::new())
    }

    /// `75 <answer to the SELECT challenge> ‖ 74 <host challenge, ≥ 8
    /// bytes>` → `75 <answer to the host's>`. No code set: `6984`; a
    /// wrong answer: `6A80`, as Yubico's applet throws.
    pub(super) fn validate(&mut self, data: &[u8]) -> Data {
        let (Some(key), Some(ours)) = (&self.access, self.challenge) else {
            return Err(sw::NO_SUCH_OBJECT);
        };
        let mut r = Reader::new(data);
        let (response, theirs) = (r.expect(tags::RESPONSE)?, r.expect(tags::CHALLENGE)?);
        r.finish()?;
        let expected = key.answer(&ours);
        let right = response.len() == expected.len() && bool::from(expected.ct_eq(response));
        if !right || theirs.len() < 8 {
            return Err(sw::WRONG_SYNTAX);
        }
        let answer = tlv(tags::RESPONSE, &key.answer(theirs));
        self.unlocked = true;
        Ok(answer)
    }

    /// RESET (`DE AD`): every credential and the code are gone, the salt
    /// (so the device id) is new; the applet stays selected.
    pub(super) fn reset(&mut self) -> Vec<u8> {
        self.credentials.clear();
        self.access = None;
        self.challenge = None;
        self.unlocked = true;
        self.salt = random();
        Vec::new()
    }
}

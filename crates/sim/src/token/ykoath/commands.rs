//! The credential instructions: PUT, DELETE, RENAME, LIST, CALCULATE and
//! CALCULATE ALL. Each reads its fields in the applet's order; a name
//! that is not stored is `6984`, a full applet `6A84`.

use super::apdu::sw;
use super::credential::{self, Credential, check_name};
use super::tlv::{Reader, tlv};
use super::{YkOathCard, tags};

type Data = Result<Vec<u8>, u16>;

/// `75 <digits> <full HMAC>`, or truncated `76 <digits> <4 bytes>`.
fn response(digits: u8, full: &[u8], truncated: bool) -> Vec<u8> {
    if truncated {
        tlv(
            tags::TRUNCATED,
            &[&[digits][..], &credential::truncate(full)].concat(),
        )
    } else {
        tlv(tags::RESPONSE, &[&[digits][..], full].concat())
    }
}

impl YkOathCard {
    /// Stores a credential; one of the same name is replaced where it is.
    pub(super) fn put(&mut self, data: &[u8]) -> Data {
        let new = Credential::from_put(data, self.version)?;
        match self.find(&new.name) {
            Some(i) => self.credentials[i] = new,
            None if self.credentials.len() >= self.capacity() => return Err(sw::NO_SPACE),
            None => self.credentials.push(new),
        }
        Ok(Vec::new())
    }

    /// DELETE: `71 name`.
    pub(super) fn delete(&mut self, data: &[u8]) -> Data {
        let mut r = Reader::new(data);
        let name = r.expect(tags::NAME)?;
        r.finish()?;
        let i = self.find(name).ok_or(sw::NO_SUCH_OBJECT)?;
        self.credentials.remove(i);
        Ok(Vec::new())
    }

    /// RENAME: `71 old ‖ 71 new`. A new name another credential holds
    /// is refused (`6A80`): two credentials never share a name.
    pub(super) fn rename(&mut self, data: &[u8]) -> Data {
        let mut r = Reader::new(data);
        let (old, new) = (r.expect(tags::NAME)?, r.expect(tags::NAME)?);
        r.finish()?;
        check_name(new)?;
        let i = self.find(old).ok_or(sw::NO_SUCH_OBJECT)?;
        if old != new && self.find(new).is_some() {
            return Err(sw::WRONG_SYNTAX);
        }
        self.credentials[i].name = new.to_vec();
        Ok(Vec::new())
    }

    /// `72 <type|alg> <name>` per credential, in the order stored.
    pub(super) fn list(&self) -> Vec<u8> {
        self.credentials
            .iter()
            .flat_map(|c| tlv(tags::NAME_LIST, &[&[c.kind][..], &c.name].concat()))
            .collect()
    }

    /// CALCULATE: `71 name ‖ 74 challenge`. The name is looked up before
    /// the challenge is read, as the applet does; a HOTP credential
    /// ignores the challenge and counts up.
    pub(super) fn calculate(&mut self, data: &[u8], truncated: bool) -> Data {
        let mut r = Reader::new(data);
        let i = self.find(r.expect(tags::NAME)?).ok_or(sw::NO_SUCH_OBJECT)?;
        let challenge = r.expect(tags::CHALLENGE)?;
        r.finish()?;
        let c = &mut self.credentials[i];
        let full = c.compute(challenge)?;
        Ok(response(c.digits, &full, truncated))
    }

    /// CALCULATE ALL: `74 challenge` → per credential `71 name` and a
    /// TOTP response, `77 <digits>` for HOTP (never counted up here) or
    /// `7C <digits>` for a TOTP credential that waits for a touch.
    pub(super) fn calculate_all(&mut self, data: &[u8], truncated: bool) -> Data {
        let mut r = Reader::new(data);
        let challenge = r.expect(tags::CHALLENGE)?;
        r.finish()?;
        let mut out = Vec::new();
        for c in &mut self.credentials {
            out.extend(tlv(tags::NAME, &c.name));
            let answer = if c.is_hotp() {
                tlv(tags::HOTP, &[c.digits])
            } else if c.touch {
                tlv(tags::TOUCH, &[c.digits])
            } else {
                response(c.digits, &c.compute(challenge)?, truncated)
            };
            out.extend(answer);
        }
        Ok(out)
    }
}

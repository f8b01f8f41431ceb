//! Command framing and the status words the applet answers with. A frame
//! whose length bytes do not match what follows is refused before any
//! instruction sees it, as a card's I/O layer does.

/// The status words of Yubico's YKOATH description and its applet source
/// (`Yubico/ykneo-oath`, JavaCard's ISO 7816 constants).
pub(super) mod sw {
    /// Lc (or the frame) does not match the data.
    pub const WRONG_LENGTH: u16 = 0x6700;
    /// An access code is set and VALIDATE has not succeeded.
    pub const AUTH_REQUIRED: u16 = 0x6982;
    /// No credential of that name; no access code to validate; a SET CODE
    /// whose response does not match.
    pub const NO_SUCH_OBJECT: u16 = 0x6984;
    /// A HOTP counter that cannot count further.
    pub const CONDITIONS: u16 = 0x6985;
    /// "Wrong syntax": a malformed or unexpected field.
    pub const WRONG_SYNTAX: u16 = 0x6A80;
    /// SELECT of an AID the card does not hold.
    pub const NOT_FOUND: u16 = 0x6A82;
    pub const NO_SPACE: u16 = 0x6A84;
    /// JavaCard's `SW_WRONG_P1P2`, which Yubico's applet throws.
    pub const WRONG_P1P2: u16 = 0x6B00;
    pub const INS_NOT_SUPPORTED: u16 = 0x6D00;
    pub const CLA_NOT_SUPPORTED: u16 = 0x6E00;
}

/// One command APDU, split (short or extended length fields).
pub(super) struct Command<'a> {
    pub cla: u8,
    pub ins: u8,
    pub p1: u8,
    pub p2: u8,
    pub data: &'a [u8],
}

impl<'a> Command<'a> {
    /// Splits `apdu` into header and data (ISO 7816-3 cases 1–4, short
    /// and extended). `Err(6700)` when the length fields and the frame
    /// disagree; the Le, if any, is not needed by any instruction.
    pub fn parse(apdu: &'a [u8]) -> Result<Self, u16> {
        let [cla, ins, p1, p2, body @ ..] = apdu else {
            return Err(sw::WRONG_LENGTH);
        };
        let data = match body {
            // Case 1, case 2 short, case 2 extended (`00 Le Le`).
            [] | [_] | [0, _, _] => &[][..],
            [0, hi, lo, rest @ ..] => {
                let lc = usize::from(u16::from_be_bytes([*hi, *lo]));
                extended_data(lc, rest)?
            }
            [lc, rest @ ..] => match rest.len().checked_sub(usize::from(*lc)) {
                Some(0 | 1) if *lc > 0 => &rest[..usize::from(*lc)],
                _ => return Err(sw::WRONG_LENGTH),
            },
        };
        Ok(Command {
            cla: *cla,
            ins: *ins,
            p1: *p1,
            p2: *p2,
            data,
        })
    }

    pub fn p1p2(&self) -> u16 {
        u16::from_be_bytes([self.p1, self.p2])
    }
}

/// Extended case 3 (`Lc` data) or 4 (`Lc` data `Le Le`).
fn extended_data(lc: usize, rest: &[u8]) -> Result<&[u8], u16> {
    match rest.len().checked_sub(lc) {
        Some(0 | 2) if lc > 0 => Ok(&rest[..lc]),
        _ => Err(sw::WRONG_LENGTH),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(apdu: &[u8]) -> Result<Vec<u8>, u16> {
        Command::parse(apdu).map(|c| c.data.to_vec())
    }

    #[test]
    fn every_iso_case_is_split_and_a_lying_lc_is_wrong_length() {
        assert_eq!(data(&[0, 0xA1, 0, 0]), Ok(vec![]), "case 1");
        assert_eq!(data(&[0, 0xA5, 0, 0, 0]), Ok(vec![]), "case 2");
        assert_eq!(data(&[0, 0xA5, 0, 0, 0, 0, 0]), Ok(vec![]), "case 2E");
        assert_eq!(data(&[0, 2, 0, 0, 2, 7, 8]), Ok(vec![7, 8]), "case 3");
        assert_eq!(data(&[0, 2, 0, 0, 2, 7, 8, 0]), Ok(vec![7, 8]), "case 4");
        assert_eq!(data(&[0, 2, 0, 0, 0, 0, 1, 7]), Ok(vec![7]), "case 3E");
        assert_eq!(data(&[0, 2, 0, 0, 0, 0, 1, 7, 0, 0]), Ok(vec![7]), "4E");
        for bad in [
            &[0, 2, 0][..],
            &[0, 2, 0, 0, 3, 7, 8],
            &[0, 2, 0, 0, 1, 7, 8, 9],
            &[0, 2, 0, 0, 0, 0, 2, 7],
            &[0, 2, 0, 0, 0, 0, 0, 7],
        ] {
            assert_eq!(data(bad), Err(sw::WRONG_LENGTH), "{bad:02X?}");
        }
    }
}

//! A short ISO 7816 command APDU as a Token2 token reads it: header, then
//! either nothing, one Le byte, or Lc and exactly Lc data bytes (with at
//! most one Le byte after them). Any other length is `6700`, as on the
//! device (openT2OTP `token2_process_apdu`); these tokens know no extended
//! lengths.

/// Wrong length.
pub const SW_WRONG_LENGTH: u16 = 0x6700;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Command<'a> {
    pub cla: u8,
    pub ins: u8,
    pub p1: u8,
    pub p2: u8,
    /// The Lc data; empty for a command without any.
    pub data: &'a [u8],
}

impl<'a> Command<'a> {
    /// Reads `apdu`, or the status word a token answers to a malformed one.
    pub fn parse(apdu: &'a [u8]) -> Result<Self, u16> {
        let [cla, ins, p1, p2, rest @ ..] = apdu else {
            return Err(SW_WRONG_LENGTH);
        };
        let data = match rest {
            // Case 1, or case 2 (a lone Le).
            [] | [_] => &[][..],
            [0, ..] => return Err(SW_WRONG_LENGTH),
            [lc, body @ ..] => {
                let lc = usize::from(*lc);
                if body.len() != lc && body.len() != lc + 1 {
                    return Err(SW_WRONG_LENGTH);
                }
                &body[..lc]
            }
        };
        Ok(Command {
            cla: *cla,
            ins: *ins,
            p1: *p1,
            p2: *p2,
            data,
        })
    }
}

/// A status word as the two bytes a token sends.
pub fn sw(code: u16) -> Vec<u8> {
    code.to_be_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_four_cases_and_refuses_other_lengths() {
        let c = Command::parse(&[0x80, 0x4B, 0x08, 0x00]).unwrap();
        assert_eq!(
            (c.cla, c.ins, c.p1, c.p2, c.data),
            (0x80, 0x4B, 8, 0, &[][..])
        );
        assert!(
            Command::parse(&[0x80, 0xE6, 0, 7, 0])
                .unwrap()
                .data
                .is_empty()
        );
        let c = Command::parse(&[0x80, 0x41, 0, 0, 2, 2, 0x11]).unwrap();
        assert_eq!(c.data, [2, 0x11]);
        let c = Command::parse(&[0x80, 0x41, 0, 0, 1, 0x70, 0]).unwrap();
        assert_eq!(c.data, [0x70], "a trailing Le is not data");
        for bad in [
            &[0x80, 0x41, 0][..],
            &[0x80, 0xCE, 0, 0, 0x10, 1, 2, 3],
            &[0x80, 0x41, 0, 0, 1, 0x70, 0, 0],
            &[0x80, 0x41, 0, 0, 0, 0, 1, 0x70],
        ] {
            assert_eq!(Command::parse(bad), Err(SW_WRONG_LENGTH), "{bad:02X?}");
        }
    }
}

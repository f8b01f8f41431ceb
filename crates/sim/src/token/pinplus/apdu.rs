//! A command APDU as the PIN+ key reads it. Unlike the single-profile
//! tokens it takes extended lengths: Token2's own tool sends every body
//! with a 3-byte Lc (`00 Lh Ll`, T2F2_TOTP_Authenticator `proto.rs`
//! `build_apdu`), keyroost sends bodies under 256 bytes with a 1-byte Lc
//! (`keyroost-token2otp` `build_apdu`), and the key answers both. Anything
//! else — an Lc that does not match the body, an extended Lc of zero — is
//! `6700`, as on any ISO 7816-4 card.

/// Wrong length.
pub const SW_WRONG_LENGTH: u16 = 0x6700;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Command<'a> {
    pub cla: u8,
    pub ins: u8,
    pub p1: u8,
    pub p2: u8,
    pub data: &'a [u8],
    /// The Le byte of a short case-2 command (`80 C5 02 00 Le`), if any.
    pub le: Option<u8>,
}

impl<'a> Command<'a> {
    /// Reads `apdu`, or the status word the key answers a malformed one.
    pub fn parse(apdu: &'a [u8]) -> Result<Self, u16> {
        let [cla, ins, p1, p2, rest @ ..] = apdu else {
            return Err(SW_WRONG_LENGTH);
        };
        let (data, le) = body(rest)?;
        Ok(Command {
            cla: *cla,
            ins: *ins,
            p1: *p1,
            p2: *p2,
            data,
            le,
        })
    }
}

/// Splits what follows the header into the data and a short Le.
fn body(rest: &[u8]) -> Result<(&[u8], Option<u8>), u16> {
    match rest {
        [] => Ok((&[], None)),
        [le] => Ok((&[], Some(*le))),
        [0, hi, lo, tail @ ..] => {
            let lc = usize::from(u16::from_be_bytes([*hi, *lo]));
            // An extended Le after the data is two bytes.
            if lc == 0 || (tail.len() != lc && tail.len() != lc + 2) {
                return Err(SW_WRONG_LENGTH);
            }
            Ok((&tail[..lc], None))
        }
        [0, ..] => Err(SW_WRONG_LENGTH),
        [lc, tail @ ..] => {
            let lc = usize::from(*lc);
            if tail.len() != lc && tail.len() != lc + 1 {
                return Err(SW_WRONG_LENGTH);
            }
            Ok((&tail[..lc], None))
        }
    }
}

/// A status word as the two bytes the key sends.
pub fn sw(code: u16) -> Vec<u8> {
    code.to_be_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_short_and_extended_lc_and_refuses_other_lengths() {
        let short = Command::parse(&[0x80, 0xC5, 0x02, 0x05, 0x01, 0x01]).unwrap();
        let long = Command::parse(&[0x80, 0xC5, 0x02, 0x05, 0x00, 0x00, 0x01, 0x01]).unwrap();
        assert_eq!((short.data, long.data), (&[1u8][..], &[1u8][..]));
        let le = Command::parse(&[0x80, 0xC5, 0x02, 0x00, 0x40]).unwrap();
        assert_eq!((le.data, le.le), (&[][..], Some(0x40)));
        assert!(
            Command::parse(&[0x80, 0xC5, 0x05, 0x02])
                .unwrap()
                .data
                .is_empty()
        );
        for bad in [
            &[0x80, 0xC5, 0x05][..],
            &[0x80, 0xC5, 0x05, 0x02, 0x00, 0x00, 0x00],
            &[0x80, 0xC5, 0x05, 0x02, 0x00, 0x00, 0x02, 0x01],
            &[0x80, 0xC5, 0x05, 0x02, 0x02, 0x01],
            &[0x80, 0xC5, 0x05, 0x02, 0x00, 0x01],
        ] {
            assert_eq!(Command::parse(bad), Err(SW_WRONG_LENGTH), "{bad:02X?}");
        }
    }
}

//! BER-TLV with one-byte tags, read in the order the applet expects its
//! fields (Yubico's applet walks its input field by field and refuses a
//! tag it did not expect); every fault is "wrong syntax", never a panic.

use super::apdu::sw;

/// Reads fields front to back.
pub(super) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Reader { rest: data }
    }

    /// The next field's value; its tag must be `tag`.
    pub fn expect(&mut self, tag: u8) -> Result<&'a [u8], u16> {
        self.optional(tag)?.ok_or(sw::WRONG_SYNTAX)
    }

    /// The next field's value if it carries `tag`, else nothing is read.
    pub fn optional(&mut self, tag: u8) -> Result<Option<&'a [u8]>, u16> {
        let [t, rest @ ..] = self.rest else {
            return Ok(None);
        };
        if *t != tag {
            return Ok(None);
        }
        let (len, rest) = match rest {
            [0x81, n, rest @ ..] => (usize::from(*n), rest),
            [0x82, hi, lo, rest @ ..] => (usize::from(u16::from_be_bytes([*hi, *lo])), rest),
            [n, rest @ ..] if *n < 0x80 => (usize::from(*n), rest),
            _ => return Err(sw::WRONG_SYNTAX),
        };
        let value = rest.get(..len).ok_or(sw::WRONG_SYNTAX)?;
        self.rest = &rest[len..];
        Ok(Some(value))
    }

    /// A property as Yubico sends it: the tag, then one byte, no length
    /// (`78 02` asks for a touch).
    pub fn bare(&mut self, tag: u8) -> Result<Option<u8>, u16> {
        match self.rest {
            [t, value, rest @ ..] if *t == tag => {
                self.rest = rest;
                Ok(Some(*value))
            }
            [t] if *t == tag => Err(sw::WRONG_SYNTAX),
            _ => Ok(None),
        }
    }

    /// Anything left over is a field the command does not take.
    pub fn finish(self) -> Result<(), u16> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(sw::WRONG_SYNTAX)
        }
    }
}

/// One field: a length below 128 in one byte, else `81 LL` / `82 HH LL`.
pub(super) fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let len = value.len();
    let mut out = vec![tag];
    match u8::try_from(len) {
        Ok(n) if n < 0x80 => out.push(n),
        Ok(n) => out.extend([0x81, n]),
        Err(_) => out.extend([0x82, (len >> 8) as u8, len as u8]),
    }
    out.extend_from_slice(value);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_come_in_order_and_malformed_ones_are_wrong_syntax() {
        let data = [tlv(0x71, b"n"), vec![0x78, 0x02], tlv(0x7A, &[0; 4])].concat();
        let mut r = Reader::new(&data);
        assert_eq!(r.optional(0x73), Ok(None), "not the next field");
        assert_eq!(r.expect(0x71), Ok(&b"n"[..]));
        assert_eq!(r.bare(0x78), Ok(Some(0x02)));
        assert_eq!(r.expect(0x7A), Ok(&[0u8; 4][..]));
        assert_eq!(r.finish(), Ok(()));
        for bad in [&[0x71, 0x05, 1][..], &[0x71, 0x83, 0, 0, 1], &[0x71]] {
            assert_eq!(Reader::new(bad).expect(0x71), Err(sw::WRONG_SYNTAX));
        }
        assert_eq!(Reader::new(&[0x78]).bare(0x78), Err(sw::WRONG_SYNTAX));
        assert_eq!(Reader::new(&[0x99]).finish(), Err(sw::WRONG_SYNTAX));
        let long = tlv(0x72, &[0; 300]);
        assert_eq!(long[..3], [0x72, 0x82, 0x01]);
        assert_eq!(Reader::new(&long).expect(0x72).unwrap().len(), 300);
        assert_eq!(tlv(0x72, &[0; 200])[..3], [0x72, 0x81, 200]);
    }
}

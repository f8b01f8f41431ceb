//! ISO 7816-4 short APDUs: building commands, splitting responses.

/// A response APDU: data and status word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub data: Vec<u8>,
    pub sw: u16,
}

impl Response {
    /// Splits raw response bytes into data and SW1 SW2.
    pub fn parse(raw: &[u8]) -> Option<Response> {
        if raw.len() < 2 {
            return None;
        }
        let (data, sw) = raw.split_at(raw.len() - 2);
        Some(Response {
            data: data.to_vec(),
            sw: u16::from_be_bytes([sw[0], sw[1]]),
        })
    }

    pub fn is_ok(&self) -> bool {
        self.sw == 0x9000
    }
}

/// `CLA INS P1 P2 [Lc data] [Le]` as bytes (short form).
pub fn command(cla: u8, ins: u8, p1: u8, p2: u8, data: &[u8], le: Option<u8>) -> Vec<u8> {
    debug_assert!(data.len() <= 255, "short APDU");
    let mut apdu = vec![cla, ins, p1, p2];
    if !data.is_empty() {
        apdu.push(data.len() as u8);
        apdu.extend_from_slice(data);
    }
    if let Some(le) = le {
        apdu.push(le);
    }
    apdu
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_parses() {
        assert_eq!(
            command(0x80, 0x41, 0, 0, &[0x02, 0x11], None),
            [0x80, 0x41, 0, 0, 2, 2, 0x11]
        );
        assert_eq!(
            command(0x80, 0x4B, 8, 0, &[], Some(0)),
            [0x80, 0x4B, 8, 0, 0]
        );
        let r = Response::parse(&[1, 2, 0x90, 0x00]).unwrap();
        assert_eq!((r.data.as_slice(), r.is_ok()), (&[1u8, 2][..], true));
        assert!(Response::parse(&[0x90]).is_none());
    }
}

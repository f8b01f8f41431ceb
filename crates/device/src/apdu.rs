//! ISO 7816-4 short APDUs: building commands, splitting responses.

use crate::error::DeviceError;

/// The most data a short APDU carries (its Lc is one byte).
pub const MAX_DATA: usize = 255;

/// A response APDU: data and status word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub data: Vec<u8>,
    pub sw: u16,
}

impl Response {
    /// Splits raw response bytes into data and SW1 SW2.
    pub fn parse(raw: &[u8]) -> Option<Response> {
        let split = raw.len().checked_sub(2)?;
        let (data, sw) = raw.split_at(split);
        Some(Response {
            data: data.to_vec(),
            sw: u16::from_be_bytes([sw[0], sw[1]]),
        })
    }

    pub fn is_ok(&self) -> bool {
        self.sw == 0x9000
    }
}

/// `CLA INS P1 P2 [Lc data] [Le]` as bytes (short form). More than 255
/// bytes of data cannot be sent in a short APDU: that is refused, never
/// truncated, because a truncated length would send the token a different
/// command than the one built.
pub fn command(
    cla: u8,
    ins: u8,
    p1: u8,
    p2: u8,
    data: &[u8],
    le: Option<u8>,
) -> Result<Vec<u8>, DeviceError> {
    // One allocation of the final size: the data may be a seed, and a
    // growing vector leaves copies behind in memory it frees.
    let mut apdu = Vec::with_capacity(4 + 1 + data.len() + 1);
    apdu.extend_from_slice(&[cla, ins, p1, p2]);
    if !data.is_empty() {
        apdu.push(length_byte(data.len(), "an APDU's data")?);
        apdu.extend_from_slice(data);
    }
    if let Some(le) = le {
        apdu.push(le);
    }
    Ok(apdu)
}

/// A length that must fit one byte, or `BadInput` naming `what`.
pub(crate) fn length_byte(len: usize, what: &str) -> Result<u8, DeviceError> {
    u8::try_from(len).map_err(|_| {
        DeviceError::bad_input(format!(
            "{what} holds at most {MAX_DATA} bytes; this one has {len}"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DeviceErrorKind;

    #[test]
    fn builds_and_parses() {
        assert_eq!(
            command(0x80, 0x41, 0, 0, &[0x02, 0x11], None).unwrap(),
            [0x80, 0x41, 0, 0, 2, 2, 0x11]
        );
        assert_eq!(
            command(0x80, 0x4B, 8, 0, &[], Some(0)).unwrap(),
            [0x80, 0x4B, 8, 0, 0]
        );
        let r = Response::parse(&[1, 2, 0x90, 0x00]).unwrap();
        assert_eq!((r.data.as_slice(), r.is_ok()), (&[1u8, 2][..], true));
        assert!(Response::parse(&[0x90]).is_none());
    }

    #[test]
    fn too_much_data_is_refused_not_truncated() {
        assert_eq!(command(0, 1, 0, 0, &[0; 255], None).unwrap()[4], 255);
        let e = command(0, 1, 0, 0, &[0; 256], None).unwrap_err();
        assert!(matches!(e.kind, DeviceErrorKind::BadInput(_)), "{e}");
        assert_eq!(e.state, crate::TokenState::Untouched);
        assert!(e.to_string().contains("256"), "{e}");
    }
}

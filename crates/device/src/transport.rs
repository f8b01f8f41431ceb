//! The one seam between protocol codecs and hardware: send an APDU, get the
//! answer. T=0 chaining (`61 XX` GET RESPONSE, `6C XX` re-issue) is handled
//! here once, so no codec ever sees it. Both are bounded: a card that keeps
//! answering `61 XX` cannot make the host loop or grow without end.

use crate::apdu::Response;

/// Follow-up commands after which a `61 XX` chain is abandoned.
pub const MAX_FOLLOW_UPS: usize = 64;
/// Response bytes after which a `61 XX` chain is abandoned.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// ISO 7816 GET RESPONSE.
pub const GET_RESPONSE: u8 = 0xC0;

/// Why an exchange failed below the protocol.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The card went away or the reader was reset: the command may or may
    /// not have reached the token.
    #[error("the link to the token was lost ({0})")]
    LinkLost(String),
    /// The reader or the PC/SC service failed before anything was sent.
    #[error("the reader is not available ({0})")]
    Unavailable(String),
    /// The OS's PC/SC service is not running (pcscd; Windows' Smart Card
    /// service): nothing was sent.
    #[error("the smart-card service is not running ({0})")]
    NoService(String),
    /// Another program holds the token for itself: nothing was sent.
    #[error("another program is using the token ({0})")]
    Held(String),
    #[error("the token's answer is malformed")]
    Malformed,
}

/// Sends raw APDUs.
pub trait Transport {
    fn transmit_raw(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError>;
}

impl<T: Transport + ?Sized> Transport for &mut T {
    fn transmit_raw(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit_raw(apdu)
    }
}

/// A boxed transport, for ports that hand out transports of several kinds
/// (the desk's HID keys: hidapi on a desk, an in-process fake in tests).
impl<T: Transport + ?Sized> Transport for Box<T> {
    fn transmit_raw(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit_raw(apdu)
    }
}

/// A transport over any function, e.g. an in-process virtual card (demo
/// mode without pcscd).
pub struct FnTransport<F: FnMut(&[u8]) -> Vec<u8>>(pub F);

impl<F: FnMut(&[u8]) -> Vec<u8>> Transport for FnTransport<F> {
    fn transmit_raw(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        Ok((self.0)(apdu))
    }
}

/// Sends `apdu` and returns the complete response, following `61 XX` with
/// GET RESPONSE and `6C XX` as T=0 readers require.
pub fn exchange(t: &mut dyn Transport, apdu: &[u8]) -> Result<Response, TransportError> {
    exchange_with(t, apdu, GET_RESPONSE)
}

/// [`exchange`], fetching the rest of a `61 XX` answer with instruction
/// `remaining` (YKOATH uses its own SEND REMAINING, `A5`).
pub fn exchange_with(
    t: &mut dyn Transport,
    apdu: &[u8],
    remaining: u8,
) -> Result<Response, TransportError> {
    let mut resp = send(t, apdu)?;
    let [sw1, sw2] = resp.sw.to_be_bytes();
    if let (0x6C, Some(again)) = (sw1, with_le(apdu, sw2)) {
        // A copy of the command, which may carry a seed: wiped after use.
        let again = zeroize::Zeroizing::new(again);
        resp = send(t, &again)?;
    }
    let channel = apdu.first().map_or(0, |cla| cla & 0x03);
    let mut data = std::mem::take(&mut resp.data);
    let mut follow_ups = 0;
    while let [0x61, pending] = resp.sw.to_be_bytes() {
        follow_ups += 1;
        if follow_ups > MAX_FOLLOW_UPS {
            return Err(TransportError::Malformed);
        }
        resp = send(t, &[channel, remaining, 0, 0, pending])?;
        data.append(&mut resp.data);
        if data.len() > MAX_RESPONSE_BYTES {
            return Err(TransportError::Malformed);
        }
    }
    Ok(Response { data, sw: resp.sw })
}

fn send(t: &mut dyn Transport, apdu: &[u8]) -> Result<Response, TransportError> {
    Response::parse(&t.transmit_raw(apdu)?).ok_or(TransportError::Malformed)
}

/// `apdu` with its Le set to `le`: the re-issue a `6C XX` asks for. `None`
/// when `apdu` is shorter than a command with an Le or its Lc does not
/// match its length (then the `6C` answer is returned as it is).
fn with_le(apdu: &[u8], le: u8) -> Option<Vec<u8>> {
    let (header, body) = (apdu.get(..4)?, apdu.get(4..)?);
    let kept = match body {
        [] => return None,
        [_le] => &[][..],
        [lc, rest @ ..] if rest.len() == usize::from(*lc) => body,
        [lc, rest @ ..] if rest.len() == usize::from(*lc) + 1 => &body[..body.len() - 1],
        _ => return None,
    };
    Some([header, kept, &[le]].concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_get_response_chains() {
        let mut calls = 0;
        let mut t = FnTransport(|apdu: &[u8]| {
            calls += 1;
            match apdu[1] {
                0xC0 if calls == 2 => vec![1, 2, 0x61, 0x01],
                0xC0 => vec![3, 0x90, 0x00],
                _ => vec![0x61, 0x02],
            }
        });
        let r = exchange(&mut t, &[0x00, 0xA4, 0, 0]).unwrap();
        assert_eq!((r.data, r.sw), (vec![1, 2, 3], 0x9000));
    }

    #[test]
    fn fetches_the_rest_with_the_instruction_asked_for() {
        let mut seen = Vec::new();
        let mut t = FnTransport(|apdu: &[u8]| {
            seen.push(apdu.to_vec());
            if apdu[1] == 0xA5 {
                vec![7, 0x90, 0x00]
            } else {
                vec![0x61, 0x01]
            }
        });
        let r = exchange_with(&mut t, &[0x00, 0xA1, 0, 0], 0xA5).unwrap();
        assert_eq!(r.data, [7]);
        assert_eq!(seen[1], [0x00, 0xA5, 0, 0, 1]);
    }

    #[test]
    fn an_endless_chain_is_malformed_not_a_hang() {
        let mut calls = 0;
        let mut t = FnTransport(|_: &[u8]| {
            calls += 1;
            vec![0xAB, 0x61, 0x00]
        });
        assert_eq!(
            exchange(&mut t, &[0x00, 0xA4, 0, 0]),
            Err(TransportError::Malformed)
        );
        assert_eq!(calls, MAX_FOLLOW_UPS + 1);
        let mut big = FnTransport(|_: &[u8]| [vec![0; 4000], vec![0x61, 0x00]].concat());
        assert_eq!(
            exchange(&mut big, &[0x00, 0xA4, 0, 0]),
            Err(TransportError::Malformed)
        );
    }

    #[test]
    fn reissues_with_the_right_le() {
        let mut seen = Vec::new();
        let mut t = FnTransport(|apdu: &[u8]| {
            seen.push(apdu.to_vec());
            if apdu.last() == Some(&0x08) {
                vec![9; 8].into_iter().chain([0x90, 0]).collect()
            } else {
                vec![0x6C, 0x08]
            }
        });
        let r = exchange(&mut t, &[0x80, 0x4B, 8, 0, 0]).unwrap();
        assert_eq!(r.data.len(), 8);
        assert_eq!(seen[1], vec![0x80, 0x4B, 8, 0, 8]);
    }

    #[test]
    fn re_issue_keeps_the_data_of_every_command_case() {
        assert_eq!(with_le(&[1, 2, 3, 4, 0], 9).unwrap(), [1, 2, 3, 4, 9]);
        assert_eq!(
            with_le(&[1, 2, 3, 4, 2, 0xA, 0xB], 9).unwrap(),
            [1, 2, 3, 4, 2, 0xA, 0xB, 9],
            "case 3 gains an Le"
        );
        assert_eq!(
            with_le(&[1, 2, 3, 4, 1, 0xA, 0], 9).unwrap(),
            [1, 2, 3, 4, 1, 0xA, 9],
            "case 4 has its Le replaced"
        );
        assert_eq!(with_le(&[1, 2, 3, 4], 9), None);
        assert_eq!(with_le(&[1, 2, 3, 4, 5, 6], 9), None);
    }

    #[test]
    fn no_answer_panics_the_host() {
        for answer in [vec![], vec![0x6C], vec![0x6C, 0x05], vec![0x61, 0x05]] {
            for apdu in [&[][..], &[0x00], &[0, 1, 2, 3], &[0, 1, 2, 3, 9, 1]] {
                let a = answer.clone();
                let mut t = FnTransport(move |_: &[u8]| a.clone());
                let _ = exchange(&mut t, apdu);
            }
        }
    }
}

//! The one seam between protocol codecs and hardware: send an APDU, get the
//! answer. T=0 chaining (`61 XX` GET RESPONSE, `6C XX` re-issue) is handled
//! here once, so no codec ever sees it.

use crate::apdu::Response;

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

/// A transport over any function, e.g. an in-process virtual card (demo
/// mode without pcscd).
pub struct FnTransport<F: FnMut(&[u8]) -> Vec<u8>>(pub F);

impl<F: FnMut(&[u8]) -> Vec<u8>> Transport for FnTransport<F> {
    fn transmit_raw(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        Ok((self.0)(apdu))
    }
}

/// Sends `apdu` and returns the complete response, following `61 XX` and
/// `6C XX` as T=0 readers require.
pub fn exchange(t: &mut dyn Transport, apdu: &[u8]) -> Result<Response, TransportError> {
    let mut resp = Response::parse(&t.transmit_raw(apdu)?).ok_or(TransportError::Malformed)?;
    if resp.sw >> 8 == 0x6C && apdu.len() >= 4 {
        let mut again = apdu[..4].to_vec();
        if apdu.len() > 5 {
            again.extend_from_slice(&apdu[4..]);
            again.pop();
        }
        again.push(resp.sw as u8);
        resp = Response::parse(&t.transmit_raw(&again)?).ok_or(TransportError::Malformed)?;
    }
    let mut data = std::mem::take(&mut resp.data);
    while resp.sw >> 8 == 0x61 {
        let get = [apdu[0] & 0x03, 0xC0, 0, 0, resp.sw as u8];
        resp = Response::parse(&t.transmit_raw(&get)?).ok_or(TransportError::Malformed)?;
        data.append(&mut resp.data);
    }
    Ok(Response { data, sw: resp.sw })
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
}

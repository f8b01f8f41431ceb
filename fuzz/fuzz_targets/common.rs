//! A transport whose answers are the fuzzer's bytes: each answer is one
//! length byte and that many bytes; when the bytes run out the link is lost.

use oathdesk_device::transport::{Transport, TransportError};

pub struct Scripted<'a> {
    pub data: &'a [u8],
}

impl Transport for Scripted<'_> {
    fn transmit_raw(&mut self, _apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        let [len, rest @ ..] = self.data else {
            return Err(TransportError::LinkLost("end of script".into()));
        };
        let len = usize::from(*len).min(rest.len());
        let (answer, rest) = rest.split_at(len);
        self.data = rest;
        Ok(answer.to_vec())
    }
}

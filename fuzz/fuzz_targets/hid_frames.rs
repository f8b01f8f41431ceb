//! Input reports from a Token2 FIDO key's OTP channel: busy answers,
//! chained chunks, bad sequence numbers. The transport ends every exchange
//! with an answer or an error, in bounded time and memory.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oathdesk_device::hid::{HidDevice, HidTransport, MAX_ANSWER_BYTES, REPORT_LEN, frame};
use oathdesk_device::transport::{Transport, TransportError};

struct Reports<'a> {
    data: &'a [u8],
}

impl HidDevice for Reports<'_> {
    fn write_report(&mut self, _report: &[u8; REPORT_LEN + 1]) -> Result<(), TransportError> {
        Ok(())
    }

    fn read_report(&mut self) -> Result<[u8; REPORT_LEN], TransportError> {
        if self.data.is_empty() {
            return Err(TransportError::LinkLost("end of script".into()));
        }
        let take = self.data.len().min(REPORT_LEN);
        let mut report = [0u8; REPORT_LEN];
        report[..take].copy_from_slice(&self.data[..take]);
        self.data = &self.data[take..];
        Ok(report)
    }
}

fuzz_target!(|data: &[u8]| {
    let [split, rest @ ..] = data else { return };
    let (apdu, reports) = rest.split_at(usize::from(*split).min(rest.len()));
    for report in frame(apdu) {
        assert_eq!(report[0], 0);
    }
    let mut transport = HidTransport {
        device: Reports { data: reports },
        on_busy: Box::new(|_| {}),
    };
    if let Ok(answer) = transport.transmit_raw(apdu) {
        // Each report carries at most 61 bytes of answer.
        assert!(answer.len() <= MAX_ANSWER_BYTES);
        assert!(answer.len() <= reports.len().div_ceil(REPORT_LEN) * 61);
    }
});

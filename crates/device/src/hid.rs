//! HID: Token2's own APDU framing over 65-byte reports (not CTAPHID), for
//! the OTP applet on Token2 FIDO keys. Output report: `00 | 21 | flags|seq |
//! len (≤ 61) | chunk | zero padding`, flags `0x20` for "more follows" and
//! `0x00` for the last chunk, sequence modulo 16. The device answers busy
//! (`21 C0 …`, or `C0 …`) while it waits for a touch; busy reports do not
//! advance the sequence. A short, foreign, oversized or out-of-sequence
//! answer report is `Malformed`. Windows rejects feature reports here, so
//! output reports are used.
//!
//! No HID device can exist on the test machines (no uhid), so the device is
//! a trait: `hidapi` implements it on desks ([`crate::hid_desk`]), an
//! in-process fake in tests.

use crate::transport::{Transport, TransportError};

pub const REPORT_LEN: usize = 64;
const CHANNEL: u8 = 0x21;
const MORE: u8 = 0x20;
const BUSY: u8 = 0xC0;
const CHUNK: usize = 61;
/// Busy answers after which the user is asked to touch the key.
pub const TOUCH_HINT_AFTER: u32 = 3;
/// Busy answers after which the exchange is abandoned: a key that never
/// stops answering busy cannot hold the desk forever.
pub const MAX_BUSY_READS: u32 = 600;
/// Answer bytes after which a chain of "more follows" reports is abandoned.
pub const MAX_ANSWER_BYTES: usize = crate::transport::MAX_RESPONSE_BYTES;

/// One HID device's interrupt pipes.
pub trait HidDevice {
    /// Writes one output report (report id first, then 64 bytes).
    fn write_report(&mut self, report: &[u8; REPORT_LEN + 1]) -> Result<(), TransportError>;
    /// Reads one 64-byte input report.
    fn read_report(&mut self) -> Result<[u8; REPORT_LEN], TransportError>;
    /// Reads one input report and how many bytes the pipe delivered: a
    /// faulty device or stack may deliver fewer than 64, and a short
    /// report must not pass for one padded with zeros. By default, a
    /// whole report.
    fn read_input(&mut self) -> Result<([u8; REPORT_LEN], usize), TransportError> {
        self.read_report().map(|r| (r, REPORT_LEN))
    }
}

/// Whether an input report says "busy, waiting for a touch". Both vendor
/// hosts (T2F2_TOTP_Authenticator and keyroost `hidframe.rs`) read it as
/// the flags byte `C0` after the channel byte; the shared facts file words
/// it as `C0` in the first byte. Either is taken.
fn is_busy(r: &[u8; REPORT_LEN], n: usize) -> bool {
    (n >= 1 && r[0] == BUSY) || (n >= 2 && r[0] == CHANNEL && r[1] & 0xF0 == BUSY)
}

/// The chunk of one answer report expected as number `expect`, or `None`
/// for a report that is short, on another channel, longer than 61 bytes,
/// with unknown flags or out of sequence.
fn chunk(r: &[u8; REPORT_LEN], n: usize, expect: u8) -> Option<(&[u8], bool)> {
    let len = usize::from(*r.get(2)?);
    let (flags, seq) = (r[1] & 0xF0, r[1] & 0x0F);
    let fits = n >= 3 && len <= CHUNK && 3 + len <= n.min(REPORT_LEN);
    let ok = r[0] == CHANNEL && fits && (flags == 0 || flags == MORE) && seq == expect & 0x0F;
    ok.then(|| (&r[3..3 + len], flags == MORE))
}

/// Splits an APDU into output reports.
pub fn frame(apdu: &[u8]) -> Vec<[u8; REPORT_LEN + 1]> {
    let chunks: Vec<&[u8]> = if apdu.is_empty() {
        vec![&[]]
    } else {
        apdu.chunks(CHUNK).collect()
    };
    let last = chunks.len() - 1;
    chunks
        .iter()
        .enumerate()
        .map(|(i, chunk)| {
            let mut r = [0u8; REPORT_LEN + 1];
            r[1] = CHANNEL;
            r[2] = if i < last { MORE } else { 0 } | (i as u8 & 0x0F);
            r[3] = chunk.len() as u8;
            r[4..4 + chunk.len()].copy_from_slice(chunk);
            r
        })
        .collect()
}

/// An APDU transport over a HID device; `on_busy` is told how many busy
/// answers came so far (the GUI asks for a touch after a few).
pub struct HidTransport<D: HidDevice> {
    pub device: D,
    pub on_busy: Box<dyn FnMut(u32) + Send>,
}

impl<D: HidDevice> Transport for HidTransport<D> {
    fn transmit_raw(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        for report in frame(apdu) {
            self.device.write_report(&report)?;
        }
        let (mut out, mut busy, mut expect) = (Vec::new(), 0u32, 0u8);
        loop {
            let (r, n) = self.device.read_input()?;
            if is_busy(&r, n) {
                busy += 1;
                if busy > MAX_BUSY_READS {
                    return Err(TransportError::LinkLost(
                        "the key stayed busy and never answered: touch it when it blinks, or take it out and put it back".into(),
                    ));
                }
                (self.on_busy)(busy);
                continue;
            }
            let (data, more) = chunk(&r, n, expect).ok_or(TransportError::Malformed)?;
            out.extend_from_slice(data);
            if out.len() > MAX_ANSWER_BYTES {
                return Err(TransportError::Malformed);
            }
            expect = expect.wrapping_add(1);
            if !more {
                return Ok(out);
            }
        }
    }
}

/// What enumeration reports about a HID device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HidInfo {
    pub vendor_id: u16,
    pub product_id: u16,
    pub usage_page: u16,
    pub product: String,
    pub path: String,
}

impl HidInfo {
    /// Token2's FIDO keys with the OTP applet: VID 0x349E and the FIDO usage
    /// page, or the product string; confirmed afterwards with the SELECT.
    pub fn may_hold_token2_otp(&self) -> bool {
        self.vendor_id == 0x349E
            && (self.usage_page == 0xF1D0 || self.product.contains("FIDO2 Security Key"))
    }
}

/// A key that may hold the OTP applet, as the OS lists it. Defined here,
/// outside the hidapi-backed `hid_desk`, so the desk's ports can name keys
/// on any platform and tests can list fakes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token2HidKey {
    /// The OS path; stable while the key stays plugged in.
    pub path: String,
    pub product_id: u16,
    pub product: String,
    pub serial: Option<String>,
}

/// Lists HID devices; the real one wraps `hidapi` ([`crate::hid_desk`]).
pub trait HidEnumerator {
    fn devices(&self) -> Result<Vec<HidInfo>, TransportError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A device that reassembles APDUs, answers through `respond`, and can
    /// be busy for a few reads first.
    struct FakeKey<F: FnMut(&[u8]) -> Vec<u8>> {
        inbox: Vec<u8>,
        outbox: Vec<[u8; REPORT_LEN]>,
        busy_reads: u32,
        respond: F,
    }

    impl<F: FnMut(&[u8]) -> Vec<u8>> HidDevice for FakeKey<F> {
        fn write_report(&mut self, r: &[u8; REPORT_LEN + 1]) -> Result<(), TransportError> {
            assert_eq!((r[0], r[1]), (0, CHANNEL));
            self.inbox.extend_from_slice(&r[4..4 + r[3] as usize]);
            if r[2] & MORE == 0 {
                let answer = (self.respond)(&std::mem::take(&mut self.inbox));
                self.outbox = frame(&answer)
                    .into_iter()
                    .rev()
                    .map(|f| f[1..].try_into().unwrap())
                    .collect();
            }
            Ok(())
        }

        fn read_report(&mut self) -> Result<[u8; REPORT_LEN], TransportError> {
            if self.busy_reads > 0 {
                self.busy_reads -= 1;
                let mut r = [0u8; REPORT_LEN];
                r[0] = BUSY;
                return Ok(r);
            }
            self.outbox
                .pop()
                .ok_or(TransportError::LinkLost("no answer".into()))
        }
    }

    #[test]
    fn frames_long_apdus_in_sequenced_chunks() {
        let apdu: Vec<u8> = (0..150u8).collect();
        let reports = frame(&apdu);
        assert_eq!(reports.len(), 3);
        assert_eq!((reports[0][2], reports[0][3]), (0x20, 61));
        assert_eq!((reports[1][2], reports[1][3]), (0x21, 61));
        assert_eq!((reports[2][2], reports[2][3]), (0x02, 28));
    }

    #[test]
    fn round_trips_through_a_busy_device() {
        let mut busy_seen = Vec::new();
        let key = FakeKey {
            inbox: vec![],
            outbox: vec![],
            busy_reads: 4,
            respond: |apdu: &[u8]| [apdu, &[0x90, 0x00]].concat(),
        };
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        let mut t = HidTransport {
            device: key,
            on_busy: Box::new(move |n| log.lock().unwrap().push(n)),
        };
        let apdu: Vec<u8> = (0..100u8).collect();
        let answer = t.transmit_raw(&apdu).unwrap();
        assert_eq!(&answer[..100], &apdu[..]);
        busy_seen.extend(seen.lock().unwrap().iter().copied());
        assert_eq!(busy_seen, vec![1, 2, 3, 4]);
        assert!(busy_seen.iter().any(|n| *n >= TOUCH_HINT_AFTER));
    }

    /// A device that only ever reads back `report`.
    struct Endless([u8; REPORT_LEN]);

    impl HidDevice for Endless {
        fn write_report(&mut self, _: &[u8; REPORT_LEN + 1]) -> Result<(), TransportError> {
            Ok(())
        }
        fn read_report(&mut self) -> Result<[u8; REPORT_LEN], TransportError> {
            Ok(self.0)
        }
    }

    #[test]
    fn a_key_that_stays_busy_is_given_up_on() {
        let mut busy = [0u8; REPORT_LEN];
        busy[0] = BUSY;
        let mut t = HidTransport {
            device: Endless(busy),
            on_busy: Box::new(|_| {}),
        };
        let e = t.transmit_raw(&[0x00, 0xA4, 0x04, 0x00]).unwrap_err();
        assert!(matches!(e, TransportError::LinkLost(m) if m.contains("busy")));
    }

    #[test]
    fn a_chain_that_never_ends_is_malformed() {
        let mut more = [0u8; REPORT_LEN];
        (more[0], more[2]) = (CHANNEL, CHUNK as u8);
        let mut seq = 0u8;
        // Each report says "more follows", with the right sequence number.
        struct Chain<'a>(&'a mut u8, [u8; REPORT_LEN]);
        impl HidDevice for Chain<'_> {
            fn write_report(&mut self, _: &[u8; REPORT_LEN + 1]) -> Result<(), TransportError> {
                Ok(())
            }
            fn read_report(&mut self) -> Result<[u8; REPORT_LEN], TransportError> {
                let mut r = self.1;
                r[1] = MORE | (*self.0 & 0x0F);
                *self.0 = self.0.wrapping_add(1);
                Ok(r)
            }
        }
        let mut chained = HidTransport {
            device: Chain(&mut seq, more),
            on_busy: Box::new(|_| {}),
        };
        assert_eq!(
            chained.transmit_raw(&[0x00]),
            Err(TransportError::Malformed)
        );
    }

    #[test]
    fn recognises_token2_fido_keys() {
        let info = HidInfo {
            vendor_id: 0x349E,
            product_id: 0x0026,
            usage_page: 0xF1D0,
            product: "x".into(),
            path: "p".into(),
        };
        assert!(info.may_hold_token2_otp());
        assert!(
            !HidInfo {
                vendor_id: 0x1050,
                ..info
            }
            .may_hold_token2_otp()
        );
    }
}

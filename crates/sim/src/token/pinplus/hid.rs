//! The PIN+ key's HID OTP interface, in process: an
//! `oathdesk_device::hid::HidDevice` around any [`VirtualCard`]. No HID
//! device can exist on the test machines (no uhid), so this is the key the
//! host's `HidTransport` talks to in tests.
//!
//! Framing (TOKEN2-OTP-APPLET.md "USB HID framing"; T2F2_TOTP_Authenticator
//! and keyroost `hidframe.rs`): 65-byte output reports `00 | 21 | flags|seq
//! | len ≤ 61 | chunk | pad`, flags `20` more / `00` last, seq modulo 16;
//! answers the same way in 64-byte input reports. While busy (waiting for a
//! touch) the key answers busy reports, which do not advance the sequence.
//! Both vendor sources read busy as the flags byte `C0` after the `21`
//! (`21 C0 ..`); the facts file says "`C0` in the first byte". The default
//! is the vendor form; [`BusyForm::Bare`] sends the other.
//!
//! A report the key cannot take — report id not 0, channel not `21`, a
//! length over 61, unknown flags, a sequence out of order — is dropped with
//! the APDU it belonged to, and recorded in [`HidKey::rejected`]; the key
//! then answers nothing, so the host's read times out as on a desk.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use oathdesk_device::hid::{HidDevice, REPORT_LEN};
use oathdesk_device::transport::TransportError;
use zeroize::Zeroizing;

use super::PinPlusCard;
use crate::token::VirtualCard;

const CHANNEL: u8 = 0x21;
const MORE: u8 = 0x20;
const BUSY: u8 = 0xC0;
const CHUNK: usize = 61;
/// An APDU longer than this is refused (the applet's longest is a write of
/// about 300 bytes).
const MAX_APDU: usize = 4096;

/// When the key answers busy before its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Busy {
    Never,
    /// This many busy reports before every answer.
    Frames(u32),
    /// Busy until [`TouchHandle::touch`] (then the card gets the touch and
    /// the command), or until this many busy reports went by (then the card
    /// gets the command without a touch: the key's own timeout).
    UntilTouch {
        give_up_after: u32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusyForm {
    /// `21 C0 00 …`, as both vendor hosts parse it.
    Flagged,
    /// `C0 …`, as the facts file words it.
    Bare,
}

/// A defect put into the next answer, to test the host's handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Malformed {
    /// The first report's channel byte is `22`.
    Channel,
    /// The first report claims 62 bytes.
    TooLong,
    /// The second report (or the only one) carries the wrong sequence.
    Sequence,
    /// The first report arrives 2 bytes long.
    Short,
}

/// What the key refused of the host's output reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    ReportId(u8),
    Channel(u8),
    Length(u8),
    Flags(u8),
    Sequence { expected: u8, got: u8 },
    TooLong,
}

/// A finger on the key: cloneable into the host's `on_busy` callback.
#[derive(Debug, Clone, Default)]
pub struct TouchHandle(Arc<AtomicBool>);

impl TouchHandle {
    pub fn touch(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn take(&self) -> bool {
        self.0.swap(false, Ordering::SeqCst)
    }
}

/// One input report and how many of its bytes the pipe delivers.
type Report = ([u8; REPORT_LEN], usize);

pub struct HidKey<C: VirtualCard> {
    pub card: C,
    pub busy: Busy,
    pub busy_form: BusyForm,
    /// Put into the next answer only.
    pub malformed: Option<Malformed>,
    /// The interface is off: APDUs are taken and never answered.
    pub silent: bool,
    touch: TouchHandle,
    inbox: Zeroizing<Vec<u8>>,
    expect: u8,
    waiting: Option<Zeroizing<Vec<u8>>>,
    busy_sent: u32,
    busy_left: u32,
    outbox: VecDeque<Report>,
    rejected: Vec<Rejected>,
    headers: Vec<[u8; 4]>,
}

impl HidKey<PinPlusCard> {
    /// A PIN+ key on its HID OTP interface (no SELECT travels over HID).
    pub fn pinplus(card: PinPlusCard) -> Self {
        HidKey::new(card.over_hid())
    }
}

impl<C: VirtualCard> HidKey<C> {
    pub fn new(card: C) -> Self {
        HidKey {
            card,
            busy: Busy::Never,
            busy_form: BusyForm::Flagged,
            malformed: None,
            silent: false,
            touch: TouchHandle::default(),
            inbox: Zeroizing::new(Vec::new()),
            expect: 0,
            waiting: None,
            busy_sent: 0,
            busy_left: 0,
            outbox: VecDeque::new(),
            rejected: Vec::new(),
            headers: Vec::new(),
        }
    }

    pub fn touch_handle(&self) -> TouchHandle {
        self.touch.clone()
    }

    /// The output reports refused so far.
    pub fn rejected(&self) -> &[Rejected] {
        &self.rejected
    }

    /// `CLA INS P1 P2` of every APDU the key reassembled, in order.
    pub fn headers(&self) -> &[[u8; 4]] {
        &self.headers
    }

    fn reject(&mut self, why: Rejected) {
        self.rejected.push(why);
        self.inbox.clear();
        self.expect = 0;
    }

    /// Takes one output report's chunk; a last chunk completes the APDU.
    fn take_report(&mut self, r: &[u8; REPORT_LEN + 1]) {
        let (id, channel, flags_seq, len) = (r[0], r[1], r[2], r[3]);
        let (flags, seq) = (flags_seq & 0xF0, flags_seq & 0x0F);
        let why = if id != 0 {
            Some(Rejected::ReportId(id))
        } else if channel != CHANNEL {
            Some(Rejected::Channel(channel))
        } else if usize::from(len) > CHUNK {
            Some(Rejected::Length(len))
        } else if flags != 0 && flags != MORE {
            Some(Rejected::Flags(flags_seq))
        } else if seq != self.expect {
            Some(Rejected::Sequence {
                expected: self.expect,
                got: seq,
            })
        } else if self.inbox.len() + usize::from(len) > MAX_APDU {
            Some(Rejected::TooLong)
        } else {
            None
        };
        if let Some(why) = why {
            return self.reject(why);
        }
        self.inbox.extend_from_slice(&r[4..4 + usize::from(len)]);
        self.expect = (self.expect + 1) & 0x0F;
        if flags == 0 {
            self.expect = 0;
            let apdu = Zeroizing::new(std::mem::take(&mut *self.inbox));
            self.accept(apdu);
        }
    }

    fn accept(&mut self, apdu: Zeroizing<Vec<u8>>) {
        if let Some(h) = apdu.get(..4) {
            self.headers.push(h.try_into().expect("four bytes"));
        }
        self.outbox.clear();
        if self.silent {
            return;
        }
        match self.busy {
            Busy::Never => self.answer(&apdu),
            Busy::Frames(n) => {
                self.busy_left = n;
                self.answer(&apdu);
            }
            Busy::UntilTouch { .. } => {
                self.busy_sent = 0;
                self.waiting = Some(apdu);
            }
        }
    }

    fn answer(&mut self, apdu: &[u8]) {
        let response = Zeroizing::new(self.card.transmit(apdu));
        let mut reports = frame_answer(&response);
        if let Some(defect) = self.malformed.take() {
            spoil(&mut reports, defect);
        }
        self.outbox = reports.into();
    }

    fn busy_report(&self) -> Report {
        let mut r = [0u8; REPORT_LEN];
        match self.busy_form {
            BusyForm::Flagged => (r[0], r[1]) = (CHANNEL, BUSY),
            BusyForm::Bare => r[0] = BUSY,
        }
        (r, REPORT_LEN)
    }

    /// The next input report: busy while waiting, then the answer.
    fn next_report(&mut self) -> Result<Report, TransportError> {
        if let (Some(apdu), Busy::UntilTouch { give_up_after }) = (&self.waiting, self.busy) {
            let touched = self.touch.take();
            if !touched && self.busy_sent < give_up_after {
                self.busy_sent += 1;
                return Ok(self.busy_report());
            }
            let apdu = Zeroizing::new(apdu.to_vec());
            self.waiting = None;
            if touched {
                self.card.press_button();
            }
            self.answer(&apdu);
        } else if self.busy_left > 0 && !self.outbox.is_empty() {
            self.busy_left -= 1;
            return Ok(self.busy_report());
        }
        self.outbox
            .pop_front()
            .ok_or_else(|| TransportError::LinkLost("HID: no answer within 5 s".into()))
    }
}

/// The answer in input reports, framed as the host frames its commands.
fn frame_answer(response: &[u8]) -> Vec<Report> {
    let chunks: Vec<&[u8]> = response.chunks(CHUNK).collect();
    let last = chunks.len().saturating_sub(1);
    chunks
        .iter()
        .enumerate()
        .map(|(i, chunk)| {
            let mut r = [0u8; REPORT_LEN];
            r[0] = CHANNEL;
            r[1] = if i < last { MORE } else { 0 } | (i as u8 & 0x0F);
            r[2] = chunk.len() as u8;
            r[3..3 + chunk.len()].copy_from_slice(chunk);
            (r, REPORT_LEN)
        })
        .collect()
}

fn spoil(reports: &mut [Report], defect: Malformed) {
    let n = reports.len();
    match defect {
        Malformed::Channel => reports[0].0[0] = 0x22,
        Malformed::TooLong => reports[0].0[2] = CHUNK as u8 + 1,
        Malformed::Sequence => {
            let r = &mut reports[n.min(2) - 1].0;
            r[1] = (r[1] & 0xF0) | ((r[1] + 1) & 0x0F);
        }
        Malformed::Short => reports[0].1 = 2,
    }
}

impl<C: VirtualCard> HidDevice for HidKey<C> {
    fn write_report(&mut self, report: &[u8; REPORT_LEN + 1]) -> Result<(), TransportError> {
        self.take_report(report);
        Ok(())
    }

    fn read_report(&mut self) -> Result<[u8; REPORT_LEN], TransportError> {
        self.next_report().map(|(r, _)| r)
    }

    fn read_input(&mut self) -> Result<([u8; REPORT_LEN], usize), TransportError> {
        self.next_report()
    }
}

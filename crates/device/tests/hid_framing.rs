//! The host's HID transport (`oathdesk_device::hid::HidTransport`) against
//! the virtual PIN+ key's HID interface (`oathdesk_sim`'s `HidKey`), which
//! reassembles and answers as the key does: busy reports before an answer
//! (counted by `on_busy`, a touch prompt after three, a touch given from
//! the prompt), a 200-byte APDU in four chunks, answers and APDUs longer
//! than 16 chunks (the sequence wraps), and every malformed or short
//! report ending in a clear error within a bounded number of reads.

use std::sync::{Arc, Mutex};

use oathdesk_device::hid::{HidDevice, HidTransport, REPORT_LEN, TOUCH_HINT_AFTER, frame};
use oathdesk_device::transport::{Transport, TransportError};
use oathdesk_sim::token::pinplus::hid::{Busy, BusyForm, HidKey, Malformed, Rejected};
use oathdesk_sim::token::{PinPlusCard, VirtualCard};

const PUBKEY: [u8; 5] = [0x80, 0xC5, 0x01, 0x00, 0x00];

/// Counts every report the host reads, so a test can bound the exchange.
struct Counted<D>(D, Arc<Mutex<u32>>);

impl<D: HidDevice> HidDevice for Counted<D> {
    fn write_report(&mut self, r: &[u8; REPORT_LEN + 1]) -> Result<(), TransportError> {
        self.0.write_report(r)
    }
    fn read_report(&mut self) -> Result<[u8; REPORT_LEN], TransportError> {
        self.read_input().map(|(r, _)| r)
    }
    fn read_input(&mut self) -> Result<([u8; REPORT_LEN], usize), TransportError> {
        *self.1.lock().unwrap() += 1;
        self.0.read_input()
    }
}

type Host<C> = HidTransport<Counted<HidKey<C>>>;
type Log<T> = Arc<Mutex<T>>;

/// The host over `key`, with the busy counts `on_busy` saw and the reads.
fn host<C: VirtualCard + 'static>(key: HidKey<C>) -> (Host<C>, Log<Vec<u32>>, Log<u32>) {
    let busy = Arc::new(Mutex::new(Vec::new()));
    let reads = Arc::new(Mutex::new(0));
    let log = busy.clone();
    let t = HidTransport {
        device: Counted(key, reads.clone()),
        on_busy: Box::new(move |n| log.lock().unwrap().push(n)),
    };
    (t, busy, reads)
}

fn pinplus() -> HidKey<PinPlusCard> {
    HidKey::pinplus(PinPlusCard::new(&[0x12, 0x34]))
}

/// A card that answers its APDU back with `90 00`, to see what arrived.
struct Echo(oathdesk_sim::token::Faults, Vec<usize>);

impl VirtualCard for Echo {
    fn power_on(&mut self) {}
    fn transmit(&mut self, apdu: &[u8]) -> Vec<u8> {
        self.1.push(apdu.len());
        [apdu, &[0x90, 0x00]].concat()
    }
    fn faults(&mut self) -> &mut oathdesk_sim::token::Faults {
        &mut self.0
    }
    fn state(&self) -> serde_json::Value {
        serde_json::Value::Null
    }
}

fn echo() -> HidKey<Echo> {
    HidKey::new(Echo(Default::default(), Vec::new()))
}

#[test]
fn the_key_answers_over_hid_without_a_select() {
    let (mut t, busy, _) = host(pinplus());
    let answer = t.transmit_raw(&PUBKEY).unwrap();
    assert_eq!((answer.len(), &answer[64..]), (66, &[0x90, 0x00][..]));
    assert!(busy.lock().unwrap().is_empty());
    let serial = [&[0x80, 0x33, 0x00, 0x00, 0x12, 0xD1, 0x10][..], &[0; 16]].concat();
    assert_eq!(
        t.transmit_raw(&serial).unwrap(),
        [&[0xD1, 4][..], b"1234", &[0x90, 0]].concat()
    );
    assert_eq!(
        t.device.0.headers(),
        [[0x80, 0xC5, 0x01, 0x00], [0x80, 0x33, 0x00, 0x00]]
    );
}

#[test]
fn busy_reports_are_counted_in_either_form() {
    for form in [BusyForm::Flagged, BusyForm::Bare] {
        let mut key = pinplus();
        (key.busy, key.busy_form) = (Busy::Frames(5), form);
        let (mut t, busy, reads) = host(key);
        let answer = t.transmit_raw(&PUBKEY).unwrap();
        assert_eq!(&answer[answer.len() - 2..], [0x90, 0x00], "{form:?}");
        assert_eq!(*busy.lock().unwrap(), [1, 2, 3, 4, 5], "{form:?}");
        assert_eq!(
            *reads.lock().unwrap(),
            5 + 2,
            "busy reads, then two answer reports"
        );
    }
}

/// The prompt fires at the third busy report; the user touches then, and
/// the touch-required entry answers with its code.
#[test]
fn a_touch_given_at_the_prompt_ends_the_busy_wait() {
    let mut key = HidKey::pinplus(PinPlusCard::new(&[1]));
    key.busy = Busy::UntilTouch { give_up_after: 50 };
    let finger = key.touch_handle();
    let prompts = Arc::new(Mutex::new(Vec::new()));
    let seen = prompts.clone();
    let mut t = HidTransport {
        device: key,
        on_busy: Box::new(move |n| {
            seen.lock().unwrap().push(n);
            if n == TOUCH_HINT_AFTER {
                finger.touch();
            }
        }),
    };
    // Erase-all waits for a touch on the key itself.
    assert_eq!(
        t.transmit_raw(&[0x80, 0xC5, 0x05, 0x02]).unwrap(),
        [0x90, 0x00]
    );
    assert_eq!(*prompts.lock().unwrap(), [1, 2, 3]);
    assert_eq!(t.device.card.state()["touch_timeouts"], 0);
}

#[test]
fn without_a_touch_the_key_gives_up_with_6ff9() {
    let mut key = pinplus();
    key.busy = Busy::UntilTouch { give_up_after: 8 };
    let (mut t, busy, _) = host(key);
    assert_eq!(
        t.transmit_raw(&[0x80, 0xC5, 0x05, 0x02]).unwrap(),
        [0x6F, 0xF9]
    );
    assert_eq!(busy.lock().unwrap().len(), 8);
}

#[test]
fn a_200_byte_apdu_goes_in_four_chunks() {
    let apdu: Vec<u8> = (0..200u8).collect();
    let reports = frame(&apdu);
    let heads: Vec<_> = reports.iter().map(|r| (r[1], r[2], r[3])).collect();
    assert_eq!(
        heads,
        [
            (0x21, 0x20, 61),
            (0x21, 0x21, 61),
            (0x21, 0x22, 61),
            (0x21, 0x03, 17)
        ]
    );
    let (mut t, _, _) = host(echo());
    let answer = t.transmit_raw(&apdu).unwrap();
    assert_eq!(
        (&answer[..200], &answer[200..]),
        (&apdu[..], &[0x90, 0x00][..])
    );
    assert_eq!(t.device.0.card.1, [200]);
    assert!(t.device.0.rejected().is_empty());
}

#[test]
fn the_sequence_wraps_past_16_chunks_both_ways() {
    let apdu: Vec<u8> = (0..1100u32).map(|i| i as u8).collect();
    let reports = frame(&apdu);
    assert_eq!(reports.len(), 19);
    assert_eq!(
        (reports[16][2], reports[18][2]),
        (0x20, 0x02),
        "seq 16 is 0 again"
    );
    let (mut t, _, reads) = host(echo());
    let answer = t.transmit_raw(&apdu).unwrap();
    assert_eq!(answer.len(), 1102);
    assert_eq!(&answer[..1100], &apdu[..]);
    assert_eq!(*reads.lock().unwrap(), 19);
}

/// Each defect is an error, not a panic or a hang: at most the reports
/// the answer has (two for the 66-byte public key answer) are read.
#[test]
fn malformed_and_short_answers_are_clear_errors() {
    for defect in [
        Malformed::Channel,
        Malformed::TooLong,
        Malformed::Sequence,
        Malformed::Short,
    ] {
        let mut key = pinplus();
        key.malformed = Some(defect);
        let (mut t, _, reads) = host(key);
        assert_eq!(
            t.transmit_raw(&PUBKEY),
            Err(TransportError::Malformed),
            "{defect:?}"
        );
        assert!(*reads.lock().unwrap() <= 2, "{defect:?}");
        assert_eq!(
            t.transmit_raw(&PUBKEY).map(|a| a.len()),
            Ok(66),
            "one-shot: {defect:?}"
        );
    }
}

/// A silent key (its HID OTP interface off) ends in the transport's
/// "no answer", not a hang.
#[test]
fn a_key_that_never_answers_is_a_lost_link() {
    let mut key = pinplus();
    key.silent = true;
    let (mut t, _, reads) = host(key);
    assert!(matches!(
        t.transmit_raw(&PUBKEY),
        Err(TransportError::LinkLost(_))
    ));
    assert_eq!(*reads.lock().unwrap(), 1);
}

/// What the key refuses of the host's reports: a wrong channel byte or
/// report id, a length over 61, unknown flags, a sequence out of order.
#[test]
fn the_key_refuses_reports_a_real_key_would() {
    let mut key = pinplus();
    let mut good = frame(&PUBKEY)[0];
    let mut bad = |f: &dyn Fn(&mut [u8; REPORT_LEN + 1])| {
        let mut r = good;
        f(&mut r);
        key.write_report(&r).unwrap();
        key.read_report().unwrap_err()
    };
    bad(&|r| r[0] = 1);
    bad(&|r| r[1] = 0x22);
    bad(&|r| r[3] = 62);
    bad(&|r| r[2] = 0x40);
    bad(&|r| r[2] = 0x01);
    assert_eq!(
        key.rejected(),
        [
            Rejected::ReportId(1),
            Rejected::Channel(0x22),
            Rejected::Length(62),
            Rejected::Flags(0x40),
            Rejected::Sequence {
                expected: 0,
                got: 1
            },
        ]
    );
    // A chain broken in the middle is dropped whole; the next APDU works.
    let long = frame(&[0xAA; 100]);
    key.write_report(&long[0]).unwrap();
    key.write_report(&long[0]).unwrap();
    assert_eq!(
        key.rejected().last(),
        Some(&Rejected::Sequence {
            expected: 1,
            got: 0
        })
    );
    good[2] = 0;
    key.write_report(&good).unwrap();
    assert_eq!(&key.read_report().unwrap()[..3], [0x21, 0x20, 61]);
    assert!(key.headers().iter().all(|h| h == &[0x80, 0xC5, 0x01, 0x00]));
}

//! Issue 14 item 9: long answers (LIST and CALCULATE ALL with 30
//! credentials) in `61 XX` pieces of at most 256 bytes, the rest fetched
//! with SEND REMAINING `00 A5 00 00`; the host's chaining reads them.

use std::cell::RefCell;

use oathdesk_device::transport::FnTransport;
use oathdesk_device::ykoath::YkOathSession;

use super::super::tlv::tlv;
use super::*;

const SEND_REMAINING: [u8; 4] = [0x00, 0xA5, 0x00, 0x00];

/// 30 TOTP credentials with 24-byte names.
fn thirty() -> (YkOathCard, Vec<String>) {
    let mut c = selected(DEFAULT_VERSION);
    let names: Vec<String> = (0..30)
        .map(|i| format!("Contoso:us{i:02}@contoso.com"))
        .collect();
    for n in &names {
        assert_eq!(n.len(), 24);
        assert_eq!(put(&mut c, n, SEED), 0x9000);
    }
    (c, names)
}

/// Follows `61 XX` with SEND REMAINING; the pieces and their status words.
fn pieces(c: &mut YkOathCard, first: &[u8]) -> Vec<(Vec<u8>, u16)> {
    let mut out = vec![raw(c, first)];
    while out.last().unwrap().1 >> 8 == 0x61 {
        out.push(raw(c, &SEND_REMAINING));
    }
    out
}

/// Every piece but the last is 256 bytes with `61 XX` telling what still
/// waits (`00`: 256 or more); the last ends with `90 00`.
fn assert_chunked(got: &[(Vec<u8>, u16)], total: usize) {
    let mut left = total;
    for (i, (data, status)) in got.iter().enumerate() {
        assert_eq!(data.len(), left.min(CHUNK), "piece {i}");
        left -= data.len();
        let want = match left {
            0 => 0x9000,
            n => 0x6100 | (n.min(CHUNK) % 256) as u16,
        };
        assert_eq!(*status, want, "piece {i}");
    }
    assert_eq!(left, 0);
}

#[test]
fn list_of_thirty_comes_in_pieces() {
    let (mut c, names) = thirty();
    let got = pieces(&mut c, &apdu(0xA1, 0, 0, &[]));
    let whole: Vec<u8> = names
        .iter()
        .flat_map(|n| tlv(0x72, &[&[0x21][..], n.as_bytes()].concat()))
        .collect();
    assert_eq!(whole.len(), 30 * 27);
    assert_eq!(got.len(), 4);
    assert_chunked(&got, whole.len());
    assert_eq!(got[2].1, 0x612A, "42 bytes left");
    assert_eq!(got.concat_data(), whole);
}

#[test]
fn calculate_all_of_thirty_comes_in_pieces() {
    let (mut c, names) = thirty();
    let step = (1_111_111_109u64 / 30).to_be_bytes();
    let got = pieces(&mut c, &apdu(0xA4, 0, 1, &tlv(0x74, &step)));
    let data = got.concat_data();
    assert_chunked(&got, 30 * 33);
    let mut at = 0;
    for n in &names {
        assert_eq!(data[at..at + 26], tlv(0x71, n.as_bytes())[..]);
        let [0x76, 0x05, 0x06, a, b, cc, d] = data[at + 26..at + 33] else {
            panic!("no truncated response for {n}");
        };
        assert_eq!(u32::from_be_bytes([a, b, cc, d]) % 100_000_000, 7_081_804);
        at += 33;
    }
}

/// Nothing waiting: Yubico's applet sends what remains, i.e. an empty
/// `90 00`; any other command drops a half-read answer.
#[test]
fn send_remaining_with_nothing_pending_is_an_empty_ok() {
    let (mut c, _) = thirty();
    assert_eq!(raw(&mut c, &SEND_REMAINING), (vec![], 0x9000));
    let (first, status) = run(&mut c, 0xA1, 0, 0, &[]);
    assert_eq!((first.len(), status), (256, 0x6100));
    assert_eq!(put(&mut c, "extra", SEED), 0x9000);
    assert_eq!(raw(&mut c, &SEND_REMAINING), (vec![], 0x9000), "dropped");
    run(&mut c, 0xA1, 0, 0, &[]);
    select(&mut c);
    assert_eq!(
        raw(&mut c, &SEND_REMAINING),
        (vec![], 0x9000),
        "reselect drops"
    );
}

/// The host's session reads all 30 through its own `61 XX` chaining,
/// fetching each piece with `00 A5 00 00 <XX>`.
#[test]
fn the_hosts_list_follows_the_pieces() {
    let (card, names) = thirty();
    let card = RefCell::new(card);
    let sent = RefCell::new(Vec::new());
    let transport = FnTransport(|a: &[u8]| {
        sent.borrow_mut().push(a.to_vec());
        card.borrow_mut().transmit(a)
    });
    let mut session = YkOathSession::select(transport).unwrap();
    let listed: Vec<String> = session
        .list()
        .unwrap()
        .into_iter()
        .map(|i| i.name.as_str().to_string())
        .collect();
    assert_eq!(listed, names);
    let follow_ups: Vec<Vec<u8>> = sent.borrow()[2..].to_vec();
    assert_eq!(
        follow_ups,
        [
            vec![0, 0xA5, 0, 0, 0],
            vec![0, 0xA5, 0, 0, 0],
            vec![0, 0xA5, 0, 0, 42]
        ]
    );
}

trait ConcatData {
    fn concat_data(&self) -> Vec<u8>;
}

impl ConcatData for Vec<(Vec<u8>, u16)> {
    fn concat_data(&self) -> Vec<u8> {
        self.iter().flat_map(|(d, _)| d.clone()).collect()
    }
}

//! The virtual YKOATH applet through a real pcscd, with only the `pcsc`
//! crate and APDUs built here (none of the project's host code): a
//! 30-credential LIST arrives in `61 XX` pieces of at most 256 bytes,
//! HOTP counts up from the PUT's counter (RFC 4226 Appendix D) and an
//! applet older than 5.3.1 does not know RENAME.

use std::ffi::CString;

use oathdesk_sim::token::YkOathCard;
use oathdesk_sim::token::ykoath::AID;
use oathdesk_testkit::{Insert, VirtualReader};
use pcsc::{Context, Protocols, Scope, ShareMode};

fn transmit(card: &pcsc::Card, apdu: &[u8]) -> (Vec<u8>, u16) {
    let mut buf = [0u8; pcsc::MAX_BUFFER_SIZE];
    let out = card.transmit(apdu, &mut buf).expect("transmit");
    let (data, sw) = out.split_at(out.len() - 2);
    (data.to_vec(), u16::from_be_bytes([sw[0], sw[1]]))
}

fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    [&[tag, u8::try_from(value.len()).unwrap()][..], value].concat()
}

fn command(ins: u8, p2: u8, data: &[u8]) -> Vec<u8> {
    [
        &[0x00, ins, 0x00, p2, u8::try_from(data.len()).unwrap()][..],
        data,
    ]
    .concat()
}

fn connect(reader: &VirtualReader) -> pcsc::Card {
    let ctx = Context::establish(Scope::User).unwrap();
    let name = CString::new(reader.name()).unwrap();
    let card = ctx
        .connect(&name, ShareMode::Exclusive, Protocols::ANY)
        .unwrap();
    let select = [&[0x00, 0xA4, 0x04, 0x00, 0x07][..], &AID].concat();
    assert_eq!(transmit(&card, &select).1, 0x9000);
    card
}

fn put(card: &pcsc::Card, name: &str, kind: u8, extra: &[u8]) {
    let key = [&[kind, 6][..], b"12345678901234567890"].concat();
    let data = [tlv(0x71, name.as_bytes()), tlv(0x73, &key), extra.to_vec()].concat();
    assert_eq!(transmit(card, &command(0x01, 0, &data)).1, 0x9000, "{name}");
}

#[test]
fn a_long_list_comes_in_pieces_through_pcscd() {
    let reader = VirtualReader::acquire();
    let _token = reader.insert(YkOathCard::new());
    let card = connect(&reader);
    let names: Vec<String> = (0..30).map(|i| format!("Fabrikam:user{i:02}")).collect();
    for n in &names {
        put(&card, n, 0x21, &[]);
    }
    let (mut data, mut sw) = transmit(&card, &[0x00, 0xA1, 0x00, 0x00]);
    let mut sizes = vec![data.len()];
    while sw >> 8 == 0x61 {
        let (more, next) = transmit(&card, &[0x00, 0xA5, 0x00, 0x00]);
        sizes.push(more.len());
        data.extend(more);
        sw = next;
    }
    assert_eq!(sw, 0x9000);
    assert_eq!(sizes, [256, 256, 28], "30 × 18 bytes");
    let want: Vec<u8> = names
        .iter()
        .flat_map(|n| tlv(0x72, &[&[0x21][..], n.as_bytes()].concat()))
        .collect();
    assert_eq!(data, want);
    let (rest, sw) = transmit(&card, &[0x00, 0xA5, 0x00, 0x00]);
    assert_eq!((rest, sw), (vec![], 0x9000), "nothing pending");
}

#[test]
fn hotp_counts_from_the_initial_counter_through_pcscd() {
    let reader = VirtualReader::acquire();
    let token = reader.insert(YkOathCard::new());
    let card = connect(&reader);
    put(&card, "hotp", 0x11, &tlv(0x7A, &7u32.to_be_bytes()));
    let calc = [tlv(0x71, b"hotp"), tlv(0x74, &[])].concat();
    for want in ["162583", "399871", "520489"] {
        let (resp, sw) = transmit(&card, &command(0xA2, 0x01, &calc));
        assert_eq!(sw, 0x9000);
        let v = u32::from_be_bytes(resp[3..7].try_into().unwrap());
        assert_eq!(format!("{:06}", v % 1_000_000), want);
    }
    assert_eq!(token.card().credentials()[0].counter(), Some(10));
}

#[test]
fn an_old_applet_answers_rename_as_unknown_through_pcscd() {
    let reader = VirtualReader::acquire();
    let _token = reader.insert(YkOathCard::with_version([5, 2, 7]));
    let card = connect(&reader);
    put(&card, "a", 0x21, &[]);
    let rename = [tlv(0x71, b"a"), tlv(0x71, b"b")].concat();
    assert_eq!(transmit(&card, &command(0x05, 0, &rename)).1, 0x6D00);
}

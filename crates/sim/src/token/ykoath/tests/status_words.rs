//! Issue 14 item 11: whatever the applet does not take gets the status
//! word a real one gives, never a silent `90 00`, and nothing is stored.

use super::super::tlv::tlv;
use super::*;

#[test]
fn commands_before_select_are_refused() {
    let mut c = YkOathCard::new();
    for ins in [0xA1, 0x01, 0xA2, 0xA5, 0x04] {
        assert_eq!(run(&mut c, ins, 0, 0, &[]).1, 0x6D00, "INS {ins:02X}");
    }
    let data = put_data(b"a", 0x21, 6, SEED, &[]);
    assert_eq!(run(&mut c, 0x01, 0, 0, &data).1, 0x6D00);
    let other_aid = [0x00, 0xA4, 0x04, 0x00, 0x05, 0xA0, 0, 0, 0x03, 0x08];
    assert_eq!(raw(&mut c, &other_aid), (vec![], 0x6A82));
    assert_eq!(select(&mut c).1, 0x9000);
    assert_eq!(raw(&mut c, &other_aid).1, 0x6A82);
    assert_eq!(run(&mut c, 0xA1, 0, 0, &[]).1, 0x6D00, "deselected");
    select(&mut c);
    c.power_on();
    assert_eq!(
        run(&mut c, 0xA1, 0, 0, &[]).1,
        0x6D00,
        "power ends selection"
    );
    assert!(c.credentials().is_empty());
}

#[test]
fn unknown_instructions_and_classes() {
    let mut c = selected(DEFAULT_VERSION);
    for ins in [0x00, 0x06, 0x41, 0xA0, 0xA6, 0xB0, 0xCA, 0xFF] {
        assert_eq!(run(&mut c, ins, 0, 0, &[]).1, 0x6D00, "INS {ins:02X}");
    }
    for cla in [0x80, 0x84, 0x10, 0x01, 0xFF] {
        assert_eq!(raw(&mut c, &[cla, 0xA1, 0, 0]).1, 0x6E00, "CLA {cla:02X}");
    }
}

#[test]
fn wrong_p1_p2_for_each_instruction() {
    let mut c = selected(DEFAULT_VERSION);
    put(&mut c, "a", SEED);
    let calc = [tlv(0x71, b"a"), tlv(0x74, &[1; 8])].concat();
    let cases: [(u8, u8, u8, &[u8]); 11] = [
        (0x01, 1, 0, &put_data(b"b", 0x21, 6, SEED, &[])),
        (0x02, 0, 1, &tlv(0x71, b"a")),
        (0x03, 1, 0, &tlv(0x73, &[])),
        (0x04, 0xDE, 0xAE, &[]),
        (0x05, 0, 1, &[]),
        (0xA1, 0, 1, &[]),
        (0xA2, 0, 2, &calc),
        (0xA2, 1, 1, &calc),
        (0xA3, 0, 1, &[]),
        (0xA4, 0, 2, &tlv(0x74, &[1; 8])),
        (0xA4, 1, 0, &tlv(0x74, &[1; 8])),
    ];
    for (ins, p1, p2, data) in cases {
        assert_eq!(
            run(&mut c, ins, p1, p2, data).1,
            0x6B00,
            "{ins:02X} {p1:02X} {p2:02X}"
        );
    }
    assert_eq!(c.credentials().len(), 1, "nothing stored, nothing deleted");
}

#[test]
fn an_lc_that_does_not_match_is_wrong_length() {
    let mut c = selected(DEFAULT_VERSION);
    let mut long = apdu(0x01, 0, 0, &put_data(b"a", 0x21, 6, SEED, &[]));
    long[4] += 1;
    assert_eq!(raw(&mut c, &long).1, 0x6700);
    assert_eq!(raw(&mut c, &[0x00, 0xA1, 0x00]).1, 0x6700, "no full header");
    assert_eq!(raw(&mut c, &[0x00, 0x02, 0, 0, 3, 0x71, 0x01]).1, 0x6700);
    assert!(c.credentials().is_empty());
}

#[test]
fn no_such_object() {
    let mut c = selected(DEFAULT_VERSION);
    let calc = [tlv(0x71, b"nobody"), tlv(0x74, &[1; 8])].concat();
    assert_eq!(run(&mut c, 0xA2, 0, 1, &calc).1, 0x6984);
    assert_eq!(run(&mut c, 0x02, 0, 0, &tlv(0x71, b"nobody")).1, 0x6984);
    let validate = [tlv(0x75, &[0; 20]), tlv(0x74, &[0; 8])].concat();
    assert_eq!(
        run(&mut c, 0xA3, 0, 0, &validate).1,
        0x6984,
        "no code is set"
    );
}

/// PUTs the applet refuses as wrong syntax; none is stored.
#[test]
fn malformed_puts_are_wrong_syntax() {
    let mut c = YkOathCard::with_version([4, 2, 6]);
    select(&mut c);
    let long_name = [b'n'; MAX_NAME + 1];
    let bad: Vec<(&str, Vec<u8>)> = vec![
        ("no data", vec![]),
        ("name too long", put_data(&long_name, 0x21, 6, SEED, &[])),
        ("empty name", put_data(b"", 0x21, 6, SEED, &[])),
        ("5 digits", put_data(b"a", 0x21, 5, SEED, &[])),
        ("9 digits", put_data(b"a", 0x21, 9, SEED, &[])),
        ("10 digits", put_data(b"a", 0x21, 10, SEED, &[])),
        ("algorithm 4", put_data(b"a", 0x24, 6, SEED, &[])),
        ("algorithm 0", put_data(b"a", 0x20, 6, SEED, &[])),
        ("type 30", put_data(b"a", 0x31, 6, SEED, &[])),
        ("SHA-512 before 4.3.1", put_data(b"a", 0x23, 6, SEED, &[])),
        ("13-byte secret", put_data(b"a", 0x21, 6, &SEED[..13], &[])),
        ("65-byte secret", put_data(b"a", 0x21, 6, &[1; 65], &[])),
        ("no secret", put_data(b"a", 0x21, 6, &[], &[])),
        (
            "key without digits",
            [tlv(0x71, b"a"), tlv(0x73, &[0x21])].concat(),
        ),
        (
            "key first",
            [tlv(0x73, &[0x21, 6, 1]), tlv(0x71, b"a")].concat(),
        ),
        ("no key", tlv(0x71, b"a")),
        ("length past the end", vec![0x71, 0x05, b'a']),
        ("length form 83", vec![0x71, 0x83, 0, 0, 1, b'a']),
        (
            "unknown trailing tag",
            put_data(b"a", 0x21, 6, SEED, &tlv(0x7F, &[1])),
        ),
        (
            "IMF before property",
            put_data(
                b"a",
                0x11,
                6,
                SEED,
                &[tlv(0x7A, &[0; 4]), vec![0x78, 2]].concat(),
            ),
        ),
    ];
    for (why, data) in bad {
        assert_eq!(run(&mut c, 0x01, 0, 0, &data).1, 0x6A80, "{why}");
    }
    assert!(c.credentials().is_empty());
    let sha512 = put_data(b"a", 0x23, 6, SEED, &[]);
    let mut newer = selected([4, 3, 1]);
    assert_eq!(
        run(&mut newer, 0x01, 0, 0, &sha512).1,
        0x9000,
        "SHA-512 from 4.3.1"
    );
    let block = put_data(b"b", 0x23, 6, &[1; 128], &[]);
    assert_eq!(
        run(&mut newer, 0x01, 0, 0, &block).1,
        0x9000,
        "a SHA-512 block"
    );
}

/// Malformed CALCULATE, CALCULATE ALL, DELETE, SET CODE and VALIDATE data.
#[test]
fn malformed_fields_elsewhere_are_wrong_syntax() {
    let mut c = selected(DEFAULT_VERSION);
    put(&mut c, "a", SEED);
    let cases: [(u8, Vec<u8>); 9] = [
        (0xA2, tlv(0x71, b"a")),
        (0xA2, [tlv(0x71, b"a"), tlv(0x74, &[])].concat()),
        (0xA2, [tlv(0x71, b"a"), tlv(0x74, &[0; 65])].concat()),
        (
            0xA2,
            [tlv(0x71, b"a"), tlv(0x74, &[1; 8]), tlv(0x74, &[1; 8])].concat(),
        ),
        (0xA4, vec![]),
        (0xA4, [tlv(0x74, &[1; 8]), vec![0x00]].concat()),
        (0x02, vec![0x71, 0x04, b'a']),
        (
            0x03,
            [tlv(0x73, &[0x21, 1, 2]), tlv(0x74, &[1; 8])].concat(),
        ),
        (
            0x03,
            [
                tlv(0x73, &[0x21, 1, 2]),
                tlv(0x74, &[1; 8]),
                tlv(0x75, &[0; 5]),
            ]
            .concat(),
        ),
    ];
    for (ins, data) in cases {
        let p2 = u8::from(matches!(ins, 0xA2 | 0xA4));
        assert_eq!(
            run(&mut c, ins, 0, p2, &data).1,
            0x6A80,
            "{ins:02X} {data:02X?}"
        );
    }
    let weird_key = [
        tlv(0x73, &[0x05, 1, 2]),
        tlv(0x74, &[1; 8]),
        tlv(0x75, &[0; 20]),
    ]
    .concat();
    assert_eq!(
        run(&mut c, 0x03, 0, 0, &weird_key).1,
        0x6984,
        "not a key type"
    );
    assert_eq!(c.credentials().len(), 1);
    assert_eq!(run(&mut c, 0xA1, 0, 0, &[]).1, 0x9000, "no code was set");
}

//! APDU bytes, the entry builder and every answer parser.

use super::*;

/// The byte layouts of Token2's tool (token2/T2F2_TOTP_Authenticator
/// `src/proto.rs`: `read_config_apdu_form`, `extended_apdu_layout`,
/// `select_uses_short_lc`, `read_serial_request`).
#[test]
fn apdus_are_the_vendor_tools_bytes() {
    assert_eq!(hex_of(&codec::select_otp()), "00a4040008f00000014f747001");
    assert_eq!(hex_of(&codec::select_fido()), "00a4040008a0000006472f0001");
    assert_eq!(codec::get_device_key(), [0x80, 0xC5, 0x01, 0x00, 0x00]);
    assert_eq!(codec::read_config(), [0x80, 0xC5, 0x02, 0x00, 0x40]);
    assert_eq!(hex_of(&codec::enable_totp(true)), "80c5020500000101");
    assert_eq!(hex_of(&codec::enable_totp(false)), "80c5020500000100");
    assert_eq!(
        hex_of(&codec::read_all(0)),
        "80c50500000009030000000000000000"
    );
    let t = 0x0102_0304_0506_0708;
    assert_eq!(
        hex_of(&codec::read_all(t)),
        "80c50500000009030102030405060708"
    );
    assert_eq!(
        hex_of(&codec::read_next_page(t)),
        "80c505010000080102030405060708"
    );
    assert_eq!(
        hex_of(&codec::read_one(&name("ab", "c"), t).unwrap()),
        "80c5050000000e0101020304050607080261620163"
    );
    let serial = codec::read_serial();
    assert_eq!(hex_of(&serial[..9]), "80330000000012d110");
    assert_eq!(serial.len(), 7 + 18);
    assert!(serial[9..].iter().all(|b| *b == 0));
}

#[test]
fn writes_carry_an_extended_lc_and_refuse_what_it_cannot_hold() {
    let apdu = codec::write_sealed(&[7; 300]).unwrap();
    assert_eq!(hex_of(&apdu[..7]), "80c5050200012c");
    assert_eq!(apdu.len(), 7 + 300);
    assert_bad_input(codec::write_sealed(&vec![0; 65_536]), "at most 65535 bytes");
}

/// token2/T2F2_TOTP_Authenticator `src/entry.rs` (`write_entry_cleartext`).
#[test]
fn entry_plaintext_is_the_vendor_layout() {
    let e = totp(6, 30, false).unwrap();
    let want = [
        &hex("01 C1 00 1E 06 00 04")[..],
        b"Test",
        &[5],
        b"alice",
        &[5],
        b"Hello",
    ]
    .concat();
    assert_eq!(*e.plaintext(), want);
    let e = NewEntry::totp(
        name("", "bob"),
        &Secret::from_slice(&[0xAA; 64]),
        Algorithm::Sha256,
        65_535,
        10,
        true,
    )
    .unwrap();
    let p = e.plaintext();
    assert_eq!(p[..8], hex("01 C2 FF FF 0A 01 00 03"));
    assert_eq!((p[11], p.len()), (64, 12 + 64));
    let delete = delete_plaintext(&name("Test", "alice"));
    let want = [&[0u8; 6][..], &[4], b"Test", &[5], b"alice", &[0]].concat();
    assert_eq!(*delete, want);
}

#[test]
fn the_builder_refuses_what_the_key_cannot_store() {
    assert_bad_input(totp(3, 30, false), "4 to 10 digits, not 3");
    assert_bad_input(totp(11, 30, false), "4 to 10 digits, not 11");
    assert_bad_input(totp(6, 0, false), "1 to 65535 seconds, not 0");
    assert_bad_input(totp(6, 65_536, false), "not 65536");
    for (len, says) in [(0, "is 0 bytes"), (65, "is 65 bytes")] {
        let seed = Secret::new(vec![1; len]);
        let e = NewEntry::totp(name("a", "b"), &seed, Algorithm::Sha1, 30, 6, false);
        assert_bad_input(e, says);
    }
    let sha512 = NewEntry::totp(
        name("a", "b"),
        &Secret::from_slice(b"k"),
        Algorithm::Sha512,
        30,
        6,
        false,
    );
    assert_bad_input(sha512, "not SHA-512");
    assert_bad_input(EntryName::new(&"i".repeat(65), "a"), "issuer of 0 to 64");
    assert_bad_input(EntryName::new("i", ""), "account of 1 to 64");
    assert_bad_input(EntryName::new("i", &"a".repeat(65)), "has 65");
    assert_bad_input(EntryName::new("Zürich", "a"), "plain ASCII");
    assert_bad_input(EntryName::new("i", "a\nb"), "plain ASCII");
    assert!(EntryName::new(&"i".repeat(64), &"a".repeat(64)).is_ok());
}

#[test]
fn no_debug_output_shows_a_seed_or_a_code() {
    let e = NewEntry::totp(
        name("Contoso", "alice"),
        &Secret::from_slice(b"SEEDSEED"),
        Algorithm::Sha1,
        30,
        6,
        false,
    )
    .unwrap();
    let shown = format!("{e:?}");
    assert!(
        !shown.contains("SEEDSEED") && !shown.contains("83, 69, 69, 68"),
        "{shown}"
    );
    let page = codec::parse_page(&page_bytes()).unwrap();
    let shown = format!("{:?}", page.entries);
    assert!(!shown.contains("123456"), "{shown}");
}

#[test]
fn a_page_applies_the_code_present_rule() {
    let page = codec::parse_page(&page_bytes()).unwrap();
    assert!(!page.more);
    let e: &[Entry] = &page.entries;
    assert_eq!(e.len(), 3);
    assert_eq!((e[0].name.issuer(), e[0].name.account()), ("Test", "alice"));
    assert_eq!(
        (e[0].kind, e[0].hash, e[0].step, e[0].digits),
        (OtpKind::Totp, OtpHash::Sha1, 30, 6)
    );
    assert_eq!(e[0].code.as_deref(), Some("123456"));
    assert_eq!((e[1].touch, e[1].code.as_deref()), (true, None));
    assert_eq!((e[2].kind, e[2].code.as_deref()), (OtpKind::Hotp, None));
    let mut more = page_bytes();
    more[0] |= 0x80;
    let page = codec::parse_page(&more).unwrap();
    assert!(page.more);
    assert_eq!(
        page.entries[0].kind,
        OtpKind::Totp,
        "the bit is not the type"
    );
}

#[test]
fn malformed_pages_are_errors_never_panics() {
    let good = page_bytes();
    for cut in 1..good.len() {
        match cut {
            24 => assert_eq!(codec::parse_page(&good[..cut]).unwrap().entries.len(), 1),
            34 => assert_eq!(codec::parse_page(&good[..cut]).unwrap().entries.len(), 2),
            _ => assert_malformed(codec::parse_page(&good[..cut])),
        }
    }
    assert_malformed(codec::parse_page(&[]));
    let bad: [(usize, u8); 7] = [
        (0, 0x02),
        (1, 0xC3),
        (5, 0x02),
        (6, 65),
        (11, 0),
        (17, 11),
        (18, 2),
    ];
    for (at, value) in bad {
        let mut page = good.clone();
        page[at] = value;
        assert_malformed(codec::parse_page(&page));
    }
    let mut letters = good.clone();
    letters[19] = b'x';
    assert_malformed(codec::parse_page(&letters));
    let mut high = good;
    high[7] = 0xC3;
    assert_malformed(codec::parse_page(&high));
}

#[test]
fn read_one_always_carries_the_code_and_nothing_after() {
    let touch = [&hex("01 C2 00 3C 08 01 00 01")[..], b"z", &[8], b"01234567"].concat();
    let e = codec::parse_read_one(&answer(&touch)).unwrap();
    assert_eq!(
        (e.touch, e.code.as_deref(), e.step),
        (true, Some("01234567"), 60)
    );
    assert_eq!(e.name.issuer(), "");
    assert_malformed(codec::parse_read_one(&answer(&touch[..touch.len() - 1])));
    assert_malformed(codec::parse_read_one(&answer(&[&touch[..], &[0]].concat())));
    let no_code = [&hex("00 C1 00 00 06 00 00 01")[..], b"z", &[0]].concat();
    assert_malformed(codec::parse_read_one(&answer(&no_code)));
}

#[test]
fn serial_config_and_device_key_answers_are_checked() {
    let serial = [&[0xD1, 8][..], b"0A1b2C3d"].concat();
    assert_eq!(codec::parse_serial(&answer(&serial)).unwrap(), "0a1b2c3d");
    for bad in [
        &b"\xD1\x03abc"[..],
        b"\xD1\x02zz",
        b"\xD1\x04ab",
        b"\xD0\x02ab",
        b"\xD1",
        b"\xD1\x00",
    ] {
        assert_malformed(codec::parse_serial(&answer(bad)));
    }
    let mut bytes = vec![0x05, 0x52, 0, 0, 0, 0, 2, 1, 0, 0x11];
    let c = codec::parse_config(&answer(&bytes)).unwrap();
    assert!(c.fido_disabled() && c.ccid_disabled());
    assert_eq!(
        (c.pin_set(), c.pin_locked(), c.nfc_supported()),
        (Some(true), Some(true), Some(true))
    );
    assert_eq!(
        (c.totp_supported(), c.ccid_supported()),
        (Some(true), Some(true))
    );
    let short = codec::parse_config(&answer(&[0])).unwrap();
    assert_eq!((short.pin_set(), short.totp_supported()), (None, None));
    assert_malformed(codec::parse_config(&answer(&[])));
    bytes.resize(65, 0);
    assert_malformed(codec::parse_config(&answer(&bytes)));
    assert!(DeviceKey::parse(&answer(&hex(RFC_GR))).is_ok());
    assert_malformed(DeviceKey::parse(&answer(&hex(RFC_GR)[..63])));
    assert_malformed(DeviceKey::parse(&answer(&[0xFF; 64])));
    let mut off_curve = hex(RFC_GR);
    off_curve[63] ^= 1;
    assert_malformed(DeviceKey::parse(&answer(&off_curve)));
}

/// The fuzz target's hand-made seeds stay valid answers.
#[test]
fn the_fuzz_seeds_are_valid_answers() {
    macro_rules! seed {
        ($name:literal) => {
            include_bytes!(concat!(
                "../../../../../fuzz/seeds/token2otp_answers/",
                $name
            ))
        };
    }
    assert_eq!(
        codec::parse_page(seed!("page-raw")).unwrap().entries.len(),
        3
    );
    let page = Response::parse(seed!("page-answer")).unwrap();
    assert_eq!(codec::parse_first_page(&page).unwrap().entries.len(), 3);
    let one = Response::parse(seed!("read-one-answer")).unwrap();
    assert_eq!(
        codec::parse_read_one(&one).unwrap().name.issuer(),
        "Contoso"
    );
    let key = Response::parse(seed!("device-key-answer")).unwrap();
    assert!(DeviceKey::parse(&key).is_ok());
    let config = Response::parse(seed!("config-answer")).unwrap();
    assert_eq!(
        codec::parse_config(&config).unwrap().totp_supported(),
        Some(true)
    );
    let serial = Response::parse(seed!("serial-answer")).unwrap();
    assert_eq!(codec::parse_serial(&serial).unwrap(), "0a1b2c3d");
}

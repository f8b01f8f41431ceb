//! Capacity, delete, touch, configuration, the serial, switches and the
//! status words of what the key does not take.

use super::*;

#[test]
fn capacity_duplicates_and_deletes() {
    let mut card = selected();
    card.capacity = 2;
    let a = plain(true, 0xC1, 30, 6, false, ("I", "a"), SEED20);
    assert_eq!(write(&mut card, &a), 0x9000);
    assert_eq!(
        write(&mut card, &a),
        0x6985,
        "settings cannot be edited after creation"
    );
    assert_eq!(
        write(
            &mut card,
            &plain(true, 0xC1, 30, 6, false, ("I", "b"), SEED20)
        ),
        0x9000
    );
    assert_eq!(
        write(
            &mut card,
            &plain(true, 0xC1, 30, 6, false, ("I", "c"), SEED20)
        ),
        0x6A84
    );
    let delete = [&[0u8; 6][..], &[1], b"I", &[1], b"a", &[0]].concat();
    assert_eq!(write(&mut card, &delete), 0x9000);
    assert_eq!(write(&mut card, &delete), 0x6A80, "gone already");
    assert_eq!(
        write(
            &mut card,
            &plain(true, 0xC1, 30, 6, false, ("I", "c"), SEED20)
        ),
        0x9000
    );
    let names: Vec<_> = card.entries().iter().map(|e| e.account.clone()).collect();
    assert_eq!(names, ["b", "c"]);
    assert_eq!(PinPlusCard::new(&[1]).capacity, 50);
}

#[test]
fn touch_entries_and_erase_wait_for_a_touch() {
    let mut card = selected();
    assert_eq!(
        write(
            &mut card,
            &plain(true, 0xC1, 30, 6, true, ("I", "t"), SEED20)
        ),
        0x9000
    );
    assert_eq!(read_one(&mut card, 59, "I", "t"), (vec![], 0x6FF9));
    assert!(card.press_button());
    assert_eq!(code_of(&read_one(&mut card, 59, "I", "t").0), "287082");
    assert_eq!(
        read_one(&mut card, 59, "I", "t").1,
        0x6FF9,
        "a touch serves one command"
    );
    assert_eq!(run(&mut card, &[0x80, 0xC5, 0x05, 0x02]).1, 0x6FF9);
    assert_eq!(card.entries().len(), 1);
    card.press_button();
    assert_eq!(run(&mut card, &[0x80, 0xC5, 0x05, 0x02]).1, 0x9000);
    assert!(card.entries().is_empty());
    assert_eq!(card.state()["touch_timeouts"], 3);
}

#[test]
fn set_device_type_is_obeyed_and_recorded() {
    let mut card = selected();
    assert_eq!(card.state()["set_device_type_received"], false);
    assert_eq!(
        run(&mut card, &[0x80, 0xC5, 0x02, 0x01, 0x01, 0x02]).1,
        0x9000
    );
    assert_eq!(card.device_type_writes(), [0x02]);
    assert_eq!(card.state()["set_device_type_received"], true);
    let (config, sw) = run(&mut card, &[0x80, 0xC5, 0x02, 0x00, 0x40]);
    assert_eq!((config[0], config.len(), sw), (0x02, 10, 0x9000));
    assert_eq!(config[9] & 0x11, 0x11, "TOTP and CCID supported");
    assert_eq!(run(&mut card, &[0x80, 0xC5, 0x02, 0x00, 0x01]).0, [0x02]);
    assert_eq!(run(&mut card, &[0x80, 0xC5, 0x02, 0x00]).1, 0x6700, "no Le");
}

#[test]
fn enable_totp_takes_one_flag_byte() {
    let mut card = selected();
    assert_eq!(
        run(&mut card, &[0x80, 0xC5, 0x02, 0x05, 0x01, 0x00]).1,
        0x9000
    );
    assert_eq!(read_all(&mut card, 1).1, 0x6985, "TOTP off");
    assert_eq!(
        run(&mut card, &[0x80, 0xC5, 0x02, 0x05, 0x01, 0x02]).1,
        0x6A80
    );
    assert_eq!(
        run(&mut card, &[0x80, 0xC5, 0x02, 0x05, 0x02, 0x01, 0x01]).1,
        0x6700
    );
    assert_eq!(
        run(&mut card, &[0x80, 0xC5, 0x02, 0x05, 0x01, 0x01]).1,
        0x9000
    );
    assert_eq!(card.state()["totp_enabled"], true);
}

#[test]
fn the_serial_comes_from_the_fido_applet() {
    let mut card = selected();
    let serial = [&[0x80, 0x33, 0x00, 0x00, 0x12, 0xD1, 0x10][..], &[0; 16]].concat();
    assert_eq!(run(&mut card, &serial).1, 0x6D00, "not the OTP applet's");
    let fido = [&[0x00, 0xA4, 0x04, 0x00, 0x08][..], &FIDO_AID].concat();
    assert_eq!(run(&mut card, &fido), (b"U2F_V2".to_vec(), 0x9000));
    assert_eq!(
        run(&mut card, &serial),
        ([&[0xD1, 8][..], b"12345678"].concat(), 0x9000)
    );
    assert_eq!(
        run(&mut card, &[0x80, 0xC5, 0x01, 0x00, 0x00]).1,
        0x6A86,
        "FIDO applet current"
    );
    let mut hid = PinPlusCard::new(&[0xAB]).over_hid();
    assert_eq!(
        run(&mut hid, &serial),
        ([&[0xD1, 2][..], b"AB"].concat(), 0x9000)
    );
}

#[test]
fn model_switches_answer_their_status_words() {
    let mut hid = PinPlusCard::new(&[1]).over_hid();
    assert_eq!(
        run(&mut hid, &[0x80, 0xC5, 0x01, 0x00, 0x00]).1,
        0x9000,
        "no SELECT over HID"
    );
    hid.switches.hid_unsupported = true;
    assert_eq!(run(&mut hid, &[0x80, 0xC5, 0x01, 0x00, 0x00]).1, 0x6A86);
    let mut card = selected();
    card.switches.hid_unsupported = true;
    assert_eq!(
        run(&mut card, &[0x80, 0xC5, 0x01, 0x00, 0x00]).1,
        0x9000,
        "CCID still works"
    );
    assert_eq!(
        run(&mut card, &[0x80, 0xC5, 0x02, 0x02, 0x01, 0x01]).1,
        0x6A86,
        "button HOTP"
    );
    card.switches.pin_required = true;
    assert_eq!(read_all(&mut card, 1).1, 0x6982);
    assert_eq!(
        write(
            &mut card,
            &plain(true, 0xC1, 30, 6, false, ("I", "a"), SEED20)
        ),
        0x6982
    );
    card.faults().locked = true;
    assert_eq!(read_all(&mut card, 1).1, 0x6983);
}

#[test]
fn what_it_does_not_take_gets_a_real_status_word() {
    let mut card = selected();
    for (apdu, want) in [
        (&[0x80, 0xC6, 0x00, 0x00][..], 0x6D00),
        (&[0x00, 0xB0, 0x00, 0x00], 0x6D00),
        (&[0x90, 0xC5, 0x01, 0x00], 0x6E00),
        (&[0x80, 0xC5, 0x07, 0x00], 0x6A86),
        (&[0x80, 0xC5, 0x05, 0x03], 0x6A86),
        (&[0x80, 0xC5, 0x01, 0x00, 0x01, 0xAA], 0x6700),
        (&[0x80, 0xC5, 0x05, 0x00, 0x02, 0x03, 0x00], 0x6700),
        (&[0x80, 0xC5, 0x05, 0x00, 0x01, 0x09], 0x6A80),
        (&[0x80, 0xC5, 0x05, 0x02, 0x03, 1, 2], 0x6700),
    ] {
        assert_eq!(run(&mut card, apdu), (vec![], want), "{apdu:02X?}");
    }
}

#[test]
fn state_and_debug_never_show_a_seed() {
    let mut card = selected();
    let seed = b"a very secret seed!!";
    assert_eq!(
        write(
            &mut card,
            &plain(true, 0xC1, 30, 6, false, ("I", "a"), seed)
        ),
        0x9000
    );
    let shown = format!("{} {:?}", card.state(), card);
    for secret in [
        hex::encode(seed),
        hex::encode_upper(seed),
        String::from_utf8_lossy(seed).into(),
    ] {
        assert!(!shown.contains(&secret), "{shown}");
    }
    assert!(shown.contains(&hex::encode(Sha256::digest(seed))));
    assert_eq!(card.state()["capacity"], 50);
}

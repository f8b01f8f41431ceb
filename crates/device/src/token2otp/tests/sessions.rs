//! Status words and whole sessions against the scripted key.

use super::*;

#[test]
fn status_words_say_what_to_do() {
    use Token2OtpError as E;
    let cases: [(u16, DeviceErrorKind, &str); 8] = [
        (0x6FF9, E::TouchTimeout.into(), "Touch the key"),
        (0x6A84, DeviceErrorKind::Full, "Delete a credential"),
        (0x6A80, E::EntryMissing(0x6A80).into(), "not on the key"),
        (0x6A83, E::EntryMissing(0x6A83).into(), "not on the key"),
        (0x6A86, E::HidUnsupported.into(), "NFC reader"),
        (0x6982, E::PinRequired.into(), "PIN"),
        (0x6983, E::PinBlocked.into(), "blocked"),
        (0x6985, E::ConditionsNotSatisfied.into(), "take it out"),
    ];
    let mut steps = std::collections::HashSet::new();
    for (sw, kind, says) in cases {
        let e = codec::check(&Response { data: vec![], sw }, TokenState::Untouched).unwrap_err();
        assert_eq!(
            (e.kind.clone(), e.state),
            (kind, TokenState::Untouched),
            "{sw:04X}"
        );
        assert!(e.to_string().contains(&format!("{sw:04X}")), "{e}");
        assert!(e.next_step().contains(says), "{sw:04X}: {}", e.next_step());
        steps.insert(e.next_step());
    }
    assert_eq!(steps.len(), 7, "only the two not-found words share a step");
    let other = codec::check(
        &Response {
            data: vec![],
            sw: 0x6D00,
        },
        TokenState::Untouched,
    );
    assert_eq!(
        other.unwrap_err().kind,
        DeviceErrorKind::Refused(Token2Error::Unsupported(0x6D00))
    );
}

fn session_with(answers: &[&[u8]]) -> Scripted {
    let mut all: Vec<&[u8]> = vec![OK];
    all.extend_from_slice(answers);
    Scripted::new(&all)
}

#[test]
fn read_all_follows_pages_with_the_hosts_time() {
    let first = page_bytes();
    let mut more = first.clone();
    more[0] |= 0x80;
    let last = [&hex("01 C2 00 3C 08 00 00 01")[..], b"q", &[8], b"87654321"].concat();
    let mut key = session_with(&[
        &[&more[..], OK].concat(),
        &[&more[..], OK].concat(),
        &[&last[..], OK].concat(),
    ]);
    let entries = Token2OtpSession::select(&mut key)
        .unwrap()
        .read_all(1_700_000_000)
        .unwrap();
    assert_eq!(entries.len(), 7);
    assert_eq!(entries[6].code.as_deref(), Some("87654321"));
    let time = 1_700_000_000u64.to_be_bytes();
    assert_eq!(
        key.sent[1],
        [&hex("80C50500 000009 03")[..], &time].concat()
    );
    assert_eq!(key.sent[2], [&hex("80C50501 000008")[..], &time].concat());
    assert_eq!(key.sent[3], key.sent[2]);
    assert_eq!(key.sent.len(), 4);
}

#[test]
fn an_empty_key_lists_nothing_but_a_lost_page_is_an_error() {
    let mut empty = session_with(&[&[0x6A, 0x80]]);
    assert!(
        Token2OtpSession::select(&mut empty)
            .unwrap()
            .read_all(0)
            .unwrap()
            .is_empty()
    );
    let mut empty = session_with(&[&[0x6A, 0x83]]);
    assert!(
        Token2OtpSession::select(&mut empty)
            .unwrap()
            .read_all(0)
            .unwrap()
            .is_empty()
    );
    let mut more = page_bytes();
    more[0] |= 0x80;
    let mut lost = session_with(&[&[&more[..], OK].concat(), &[0x6A, 0x80]]);
    let e = Token2OtpSession::select(&mut lost)
        .unwrap()
        .read_all(0)
        .unwrap_err();
    assert_eq!(e.kind, Token2OtpError::EntryMissing(0x6A80).into());
}

#[test]
fn a_key_that_always_says_more_is_given_up_on() {
    let mut more = page_bytes();
    more[0] |= 0x80;
    let page = [&more[..], OK].concat();
    let mut key = session_with(&vec![&page[..]; MAX_PAGES]);
    assert_malformed(Token2OtpSession::select(&mut key).unwrap().read_all(0));
    assert_eq!(
        key.sent.len(),
        1 + MAX_PAGES,
        "no page asked for past the bound"
    );
}

#[test]
fn writes_are_sealed_to_the_keys_key_which_is_read_once() {
    let mut key = session_with(&[&device_key_answer(), OK, OK]);
    let mut s = Token2OtpSession::select(&mut key).unwrap();
    let entry = totp(6, 30, false).unwrap();
    s.write_entry(&entry).unwrap();
    s.delete(&name("Test", "alice")).unwrap();
    let headers = key.headers();
    assert_eq!(headers[1], [0x80, 0xC5, 0x01, 0x00]);
    assert_eq!(&headers[2..], [[0x80, 0xC5, 0x05, 0x02]; 2]);
    for apdu in &key.sent[2..] {
        let lc = usize::from(u16::from_be_bytes([apdu[5], apdu[6]]));
        assert_eq!((apdu[4], apdu.len()), (0, 7 + lc));
    }
    assert_eq!(open_blob(&key.sent[2][7..]), *entry.plaintext());
    assert_eq!(
        open_blob(&key.sent[3][7..]),
        *delete_plaintext(entry.name())
    );
}

#[test]
fn a_full_key_and_a_lost_link_during_a_write_say_what_the_key_holds() {
    let mut full = session_with(&[&device_key_answer(), &[0x6A, 0x84]]);
    let e = Token2OtpSession::select(&mut full)
        .unwrap()
        .write_entry(&totp(6, 30, false).unwrap())
        .unwrap_err();
    assert_eq!(
        (e.kind, e.state),
        (DeviceErrorKind::Full, TokenState::Untouched)
    );
    let mut lost =
        session_with(&[&device_key_answer()]).then(Err(TransportError::LinkLost("x".into())));
    let e = Token2OtpSession::select(&mut lost)
        .unwrap()
        .write_entry(&totp(6, 30, false).unwrap())
        .unwrap_err();
    assert_eq!(e.state, TokenState::Unknown);
    let mut missing = session_with(&[&device_key_answer(), &[0x6A, 0x80]]);
    let e = Token2OtpSession::select(&mut missing)
        .unwrap()
        .delete(&name("a", "b"))
        .unwrap_err();
    assert!(
        e.next_step().contains("not on the key"),
        "{}",
        e.next_step()
    );
}

#[test]
fn read_one_config_enable_and_serial() {
    let one = [
        &hex("01 C1 00 1E 06 01 04")[..],
        b"Test",
        &[5],
        b"alice",
        &[6],
        b"654321",
    ]
    .concat();
    let serial = [&[0xD1, 4][..], b"BEEF"].concat();
    let mut key = session_with(&[
        &[&one[..], OK].concat(),
        &[0x6F, 0xF9],
        &[&[0x01, 0x02][..], OK].concat(),
        OK,
        OK,
        &[&serial[..], OK].concat(),
        OK,
    ]);
    let mut s = Token2OtpSession::select(&mut key).unwrap();
    let alice = name("Test", "alice");
    assert_eq!(
        s.read_one(&alice, 59).unwrap().code.as_deref(),
        Some("654321")
    );
    let e = s.read_one(&alice, 59).unwrap_err();
    assert_eq!(e.kind, Token2OtpError::TouchTimeout.into());
    assert_eq!(s.read_config().unwrap().pin_set(), Some(true));
    s.enable_totp(true).unwrap();
    assert_eq!(s.serial().unwrap(), "beef");
    let sent = &key.sent;
    assert_eq!(sent[1][..7], hex("80C50500 000014"));
    assert_eq!(sent[1][7..16], [&[1u8][..], &59u64.to_be_bytes()].concat());
    assert_eq!(sent[4], hex("80C50205 000001 01"));
    assert_eq!(sent[5], codec::select_fido());
    assert_eq!(sent[6], codec::read_serial());
    assert_eq!(
        sent[7],
        codec::select_otp(),
        "the OTP applet is selected again"
    );
}

#[test]
fn no_call_sends_set_device_type() {
    let mut key = session_with(&[
        &device_key_answer(),
        OK,
        &[0x6A, 0x80],
        &[0x00, 0x90, 0x00],
        OK,
        OK,
        &[0xD1, 0x02, b'0', b'1', 0x90, 0x00],
        OK,
    ]);
    let mut s = Token2OtpSession::select(&mut key).unwrap();
    s.write_entry(&totp(6, 30, true).unwrap()).unwrap();
    s.read_all(1).unwrap();
    s.read_config().unwrap();
    s.enable_totp(false).unwrap();
    s.serial().unwrap();
    assert!(key.answers.is_empty());
    assert!(
        key.headers()
            .iter()
            .all(|h| h[..3] != [0x80, 0xC5, 0x02] || h[3] != 0x01)
    );
}

#[test]
fn a_key_without_the_applet_is_refused_at_select() {
    let mut none = Scripted::new(&[&[0x6A, 0x82]]);
    let e = Token2OtpSession::select(&mut none).err().unwrap();
    assert_eq!(
        e.kind,
        DeviceErrorKind::Refused(Token2Error::Status(0x6A82))
    );
    assert_eq!(none.headers(), [SELECT]);
}

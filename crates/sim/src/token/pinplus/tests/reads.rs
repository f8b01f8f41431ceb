//! Codes at the host's time, read-one and the paged read-all.

use super::*;

/// RFC 6238 Appendix B (T = 59) and RFC 4226 Appendix D, from the time
/// each request carries.
#[test]
fn codes_follow_the_rfc_vectors_at_the_host_time() {
    let mut card = selected();
    assert_eq!(
        write(
            &mut card,
            &plain(true, 0xC1, 30, 8, false, ("RFC", "sha1"), SEED20)
        ),
        0x9000
    );
    let seed32 = b"12345678901234567890123456789012";
    assert_eq!(
        write(
            &mut card,
            &plain(true, 0xC2, 30, 8, false, ("RFC", "sha256"), seed32)
        ),
        0x9000
    );
    assert_eq!(
        write(
            &mut card,
            &plain(false, 0xC1, 0, 6, false, ("RFC", "hotp"), SEED20)
        ),
        0x9000
    );
    assert_eq!(
        code_of(&read_one(&mut card, 59, "RFC", "sha1").0),
        "94287082"
    );
    assert_eq!(
        code_of(&read_one(&mut card, 1111111109, "RFC", "sha1").0),
        "07081804"
    );
    assert_eq!(
        code_of(&read_one(&mut card, 59, "RFC", "sha256").0),
        "46119246"
    );
    assert_eq!(code_of(&read_one(&mut card, 59, "RFC", "hotp").0), "755224");
    assert_eq!(
        code_of(&read_one(&mut card, 59, "RFC", "hotp").0),
        "287082",
        "the counter moved"
    );
    // RFC 4226 Appendix D: counter 1 truncates to 1094287082, all ten digits.
    assert_eq!(hotp(SEED20, Hash::Sha1, 1, 10), "1094287082");
    assert_eq!(hotp(SEED20, Hash::Sha1, 2, 10), "0137359152", "zero-padded");
    assert_eq!(hotp(SEED20, Hash::Sha1, 1, 4), "7082");
}

#[test]
fn a_read_one_answers_the_entry_with_its_code() {
    let mut card = selected();
    assert_eq!(
        write(
            &mut card,
            &plain(true, 0xC1, 30, 6, false, ("Contoso", "ann"), SEED20)
        ),
        0x9000
    );
    let (data, sw) = read_one(&mut card, 59, "Contoso", "ann");
    let want = [
        &[0x01, 0xC1, 0x00, 0x1E, 0x06, 0x00, 7][..],
        b"Contoso",
        &[3],
        b"ann",
        &[6],
        b"287082",
    ]
    .concat();
    assert_eq!((data, sw), (want, 0x9000));
    assert_eq!(read_one(&mut card, 59, "Contoso", "bob").1, 0x6A80);
    assert_eq!(
        read_one(&mut card, 59, "", "ann").1,
        0x6A80,
        "entries are addressed by both names"
    );
}

/// Parses a read-all page as a host must: the code only after TOTP
/// entries without touch. Returns (more, [(account, code)]).
fn parse_page(page: &[u8]) -> (bool, Vec<(String, Option<String>)>) {
    let more = page[0] & 0x80 != 0;
    let mut p = page.to_vec();
    p[0] &= 0x7F;
    let (mut at, mut out) = (0, Vec::new());
    while at < p.len() {
        let (totp, touch) = (p[at] == 1, p[at + 5] == 1);
        at += 6;
        let issuer_len = usize::from(p[at]);
        at += 1 + issuer_len;
        let n = usize::from(p[at]);
        let account = String::from_utf8(p[at + 1..at + 1 + n].to_vec()).unwrap();
        at += 1 + n;
        let code = (totp && !touch).then(|| {
            let n = usize::from(p[at]);
            at += 1 + n;
            String::from_utf8(p[at - n..at].to_vec()).unwrap()
        });
        out.push((account, code));
    }
    (more, out)
}

#[test]
fn read_all_pages_carry_codes_only_for_totp_without_touch() {
    let mut card = selected();
    assert_eq!(read_all(&mut card, 59), (vec![], 0x6A80), "an empty key");
    assert_eq!(
        write(
            &mut card,
            &plain(false, 0xC1, 0, 6, false, ("I", "hotp"), SEED20)
        ),
        0x9000
    );
    assert_eq!(
        write(
            &mut card,
            &plain(true, 0xC1, 30, 6, true, ("I", "touch"), SEED20)
        ),
        0x9000
    );
    assert_eq!(
        write(
            &mut card,
            &plain(true, 0xC1, 30, 8, false, ("I", "totp"), SEED20)
        ),
        0x9000
    );
    let (page, sw) = read_all(&mut card, 59);
    assert_eq!(sw, 0x9000);
    let (more, entries) = parse_page(&page);
    assert!(!more);
    let want = [("hotp", None), ("touch", None), ("totp", Some("94287082"))];
    let want: Vec<_> = want
        .iter()
        .map(|(a, c)| (a.to_string(), c.map(str::to_string)))
        .collect();
    assert_eq!(entries, want);
    assert_eq!(card.entries()[0].counter, 0, "a page moves no HOTP counter");
}

#[test]
fn long_lists_come_in_pages_with_the_more_bit() {
    let mut card = selected();
    for i in 0..12 {
        let name = format!("user{i:02}@contoso.example");
        assert_eq!(
            write(
                &mut card,
                &plain(true, 0xC1, 30, 6, false, ("Contoso", &name), SEED20)
            ),
            0x9000
        );
    }
    let next = apdu(0x05, 0x01, &59u64.to_be_bytes());
    let (mut page, sw) = read_all(&mut card, 59);
    let mut seen = Vec::new();
    loop {
        assert_eq!(sw, 0x9000);
        let (more, entries) = parse_page(&page);
        assert!(page.len() <= DEFAULT_PAGE_BYTES);
        seen.extend(entries.into_iter().map(|(a, _)| a));
        if !more {
            break;
        }
        let (p, s) = run(&mut card, &next);
        assert_eq!(s, 0x9000);
        page = p;
    }
    assert_eq!(seen.len(), 12);
    assert!(
        seen.iter()
            .enumerate()
            .all(|(i, a)| a == &format!("user{i:02}@contoso.example"))
    );
    assert_eq!(run(&mut card, &next).1, 0x6985, "no page is being read");
    read_all(&mut card, 59);
    run(&mut card, &[0x80, 0xC5, 0x01, 0x00, 0x00]);
    assert_eq!(
        run(&mut card, &next).1,
        0x6985,
        "another command ends the paging"
    );
}

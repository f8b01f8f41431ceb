//! Issue 14 item 9: RENAME (INS `05`, `71 old ‖ 71 new`) exists from
//! firmware 5.3.1 (yubikit's `require_version`); older applets do not
//! know the instruction.

use super::super::tlv::tlv;
use super::*;

fn rename(c: &mut YkOathCard, old: &[u8], new: &[u8]) -> u16 {
    run(c, 0x05, 0, 0, &[tlv(0x71, old), tlv(0x71, new)].concat()).1
}

fn names(c: &YkOathCard) -> Vec<Vec<u8>> {
    c.credentials().iter().map(|c| c.name.clone()).collect()
}

#[test]
fn rename_works_from_5_3_1() {
    for version in [RENAME_SINCE, DEFAULT_VERSION] {
        let mut c = selected(version);
        put(&mut c, "Old:alice", SEED);
        put(&mut c, "other", SEED);
        assert_eq!(rename(&mut c, b"Old:alice", b"New:alice"), 0x9000);
        assert_eq!(names(&c), [&b"New:alice"[..], b"other"]);
        let step = (59u64 / 30).to_be_bytes();
        let data = [tlv(0x71, b"Old:alice"), tlv(0x74, &step)].concat();
        assert_eq!(run(&mut c, 0xA2, 0, 1, &data).1, 0x6984, "old name gone");
        assert_eq!(
            truncated(&mut c, b"New:alice", &step).1 % 100_000_000,
            94_287_082
        );
    }
}

#[test]
fn rename_refuses_what_it_cannot_do() {
    let mut c = selected(DEFAULT_VERSION);
    put(&mut c, "a", SEED);
    put(&mut c, "b", SEED);
    assert_eq!(rename(&mut c, b"missing", b"c"), 0x6984);
    assert_eq!(rename(&mut c, b"a", &[b'x'; MAX_NAME + 1]), 0x6A80);
    assert_eq!(rename(&mut c, b"a", b""), 0x6A80);
    assert_eq!(rename(&mut c, b"a", b"b"), 0x6A80, "b is taken");
    assert_eq!(
        run(&mut c, 0x05, 0, 0, &tlv(0x71, b"a")).1,
        0x6A80,
        "no new name"
    );
    assert_eq!(
        run(
            &mut c,
            0x05,
            1,
            0,
            &[tlv(0x71, b"a"), tlv(0x71, b"c")].concat()
        )
        .1,
        0x6B00
    );
    assert_eq!(names(&c), [b"a", b"b"]);
}

#[test]
fn an_applet_older_than_5_3_1_does_not_know_rename() {
    for version in [[5, 3, 0], [5, 2, 7], [4, 3, 7]] {
        let mut c = selected(version);
        let (sel, _) = select(&mut c);
        assert_eq!(sel[2..5], version, "SELECT reports the version");
        put(&mut c, "a", SEED);
        assert_eq!(rename(&mut c, b"a", b"b"), 0x6D00, "{version:?}");
        assert_eq!(names(&c), [b"a"]);
    }
}

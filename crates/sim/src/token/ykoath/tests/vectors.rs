//! The applet's TOTP against RFC 6238 Appendix B (8 digits, 30 s), for
//! each hash, truncated and full — the fake's own HMAC, pinned to the
//! published values.

use super::super::tlv::tlv;
use super::*;

const SHA256_SEED: &[u8] = b"12345678901234567890123456789012";
const SHA512_SEED: &[u8] = b"1234567890123456789012345678901234567890123456789012345678901234";

/// (Unix time, SHA-1, SHA-256, SHA-512 codes).
const TABLE: [(u64, u32, u32, u32); 6] = [
    (59, 94_287_082, 46_119_246, 90_693_936),
    (1_111_111_109, 7_081_804, 68_084_774, 25_091_201),
    (1_111_111_111, 14_050_471, 67_062_674, 99_943_326),
    (1_234_567_890, 89_005_924, 91_819_424, 93_441_116),
    (2_000_000_000, 69_279_037, 90_698_825, 38_618_901),
    (20_000_000_000, 65_353_130, 77_737_706, 47_863_826),
];

fn loaded() -> YkOathCard {
    let mut c = selected(DEFAULT_VERSION);
    for (name, kind, seed) in [
        (&b"sha1"[..], 0x21, SEED),
        (b"sha256", 0x22, SHA256_SEED),
        (b"sha512", 0x23, SHA512_SEED),
    ] {
        let data = put_data(name, kind, 8, seed, &[]);
        assert_eq!(run(&mut c, 0x01, 0, 0, &data).1, 0x9000);
    }
    c
}

#[test]
fn truncated_codes_match_rfc_6238() {
    let mut c = loaded();
    for (t, sha1, sha256, sha512) in TABLE {
        let step = (t / 30).to_be_bytes();
        for (name, want) in [
            (&b"sha1"[..], sha1),
            (b"sha256", sha256),
            (b"sha512", sha512),
        ] {
            let (digits, v) = truncated(&mut c, name, &step);
            assert_eq!((digits, v % 100_000_000), (8, want), "{t} {name:?}");
            let shown = c.code(std::str::from_utf8(name).unwrap(), t).unwrap();
            assert_eq!(shown, format!("{want:08}"));
        }
    }
}

/// P2 `00`: the whole HMAC (20, 32, 64 bytes) comes back; truncating it
/// by RFC 4226 gives the same code.
#[test]
fn full_responses_carry_the_whole_hmac() {
    let mut c = loaded();
    let step = (59u64 / 30).to_be_bytes();
    for (name, len, want) in [
        (&b"sha1"[..], 20, TABLE[0].1),
        (b"sha256", 32, TABLE[0].2),
        (b"sha512", 64, TABLE[0].3),
    ] {
        let data = [tlv(0x71, name), tlv(0x74, &step)].concat();
        let (resp, status) = run(&mut c, 0xA2, 0, 0, &data);
        assert_eq!(status, 0x9000);
        assert_eq!(resp[..3], [0x75, len + 1, 8]);
        let full = &resp[3..];
        assert_eq!(full.len(), usize::from(len));
        let off = usize::from(full[full.len() - 1] & 0x0F);
        let v = u32::from_be_bytes(full[off..off + 4].try_into().unwrap()) & 0x7FFF_FFFF;
        assert_eq!(v % 100_000_000, want);
    }
}

/// The top bit of a truncated response is cleared by the applet itself.
#[test]
fn truncated_responses_have_the_top_bit_cleared() {
    let mut c = loaded();
    for t in (0..2_000u64).map(|i| i * 30) {
        let (_, v) = truncated(&mut c, b"sha1", &(t / 30).to_be_bytes());
        assert!(v < 0x8000_0000, "{t}");
    }
}

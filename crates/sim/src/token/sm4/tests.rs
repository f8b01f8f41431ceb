//! The token's crypto pinned to values Token2 published, never to values
//! this project computed. Each test names its source (repository, path).

use super::*;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn key(s: &str) -> [u8; BLOCK] {
    hex(s).try_into().unwrap()
}

/// The fixed single-profile device key (token2/openT2OTP `firmware/src/token2.c`).
const DEVICE: &str = "8ad206883ca369482ab27182b6e83224";

fn default_molto2() -> TokenKey {
    molto2_key(b"TOKEN2MOLTO1-KEY")
}

/// token2/openT2OTP `firmware/test/kat.c`: the GM/T 0002-2012 example.
#[test]
fn sm4_block_matches_the_gmt_0002_example() {
    let k = key("0123456789abcdeffedcba9876543210");
    let ct = hex("681edf34d206965e86b3e94f536e4246");
    assert_eq!(ecb_encrypt(&k, &k).unwrap(), ct);
    assert_eq!(*ecb_decrypt(&k, &ct).unwrap(), k);
}

/// token2/molto2-tools `docs/MOLTO2-PROTOCOL.md` §2.1 and
/// `tests/test_molto2.py::test_derive_session_key_matches_protocol_vector`.
#[test]
fn molto2_default_key_derives_the_published_sm4_key() {
    assert_eq!(
        default_molto2().as_slice(),
        hex("099250fdb017f442da429ecbbee17f79")
    );
}

/// Challenge `11 22 … 88`: token2/keyroost
/// `crates/keyroost-token2prog/src/lib.rs::answer_challenge_matches_reference`
/// (device key) and `crates/keyroost-proto/tests/known_answer_vs_python.rs::
/// answer_challenge_matches_python_reference` (Molto2 default key).
#[test]
fn challenge_answers_match_the_published_ones() {
    let ch = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88];
    let device = hex("8b7450f22721bc29985c2c460b65045d");
    assert!(answer_is_right(&key(DEVICE), &ch, &device));
    let molto2 = hex("550ec1328f963eb02972bb141e1cf521");
    assert!(answer_is_right(&default_molto2(), &ch, &molto2));
    assert!(!answer_is_right(&default_molto2(), &ch, &device));
    assert!(!answer_is_right(&key(DEVICE), &ch, &device[..15]));
}

/// token2/molto2-tools `tests/test_molto2.py::test_calc_mac_is_four_bytes_and_pinned`:
/// 18 bytes, so the padding is added.
#[test]
fn mac_of_unaligned_data_matches_the_published_one() {
    assert_eq!(
        cbc_mac(&default_molto2(), b"hello world test!!"),
        [0x2c, 0xf7, 0xc2, 0x05]
    );
}

/// Single-profile config APDU, token2/keyroost
/// `crates/keyroost-token2prog/src/lib.rs::set_config_golden`:
/// `84 D4 00 00 17 | 81 11 … 3C | 37 A1 8B F9`.
#[test]
fn config_mac_matches_the_published_apdu() {
    let apdu = hex("84d400001781111f01020f046543210086060a01020d013c37a18bf9");
    let (body, mac) = apdu[5..].split_at(19);
    assert!(mac_matches(&key(DEVICE), 0xD4, 0, 0, body, mac));
    assert!(
        !mac_matches(&key(DEVICE), 0xD4, 1, 0, body, mac),
        "P1 is MACed"
    );
}

/// Single-profile seed APDUs, token2/keyroost
/// `crates/keyroost-token2prog/src/lib.rs::set_seed_20_byte_golden` (seed
/// `01..14`) and `set_seed_32_byte_golden` (seed `10..2F`, an extra block).
#[test]
fn seed_apdus_decrypt_to_the_published_seeds() {
    let cases = [
        (
            "84c50100246eead21474bbf3a0a2b4c18f489e543cf48725a71ee9c3a65963e88be9405e3d5f6ea0c1",
            (0x01..=0x14).collect::<Vec<u8>>(),
        ),
        (
            "84c5010034b830899cfe9de292cd26d3c7439215ce18503d57ac31735afa60eba20f64d6f7d219efc9972fed9191df027fd36a80b0880d59fa",
            (0x10..=0x2F).collect(),
        ),
    ];
    for (apdu, seed) in cases {
        let apdu = hex(apdu);
        let (body, mac) = apdu[5..].split_at(apdu.len() - 9);
        assert!(mac_matches(&key(DEVICE), 0xC5, 1, 0, body, mac));
        let plain = ecb_decrypt(&key(DEVICE), body).unwrap();
        assert_eq!(read_seed(&plain), SeedPlain::Seed(Zeroizing::new(seed)));
    }
}

/// Molto2 APDUs, token2/keyroost `crates/keyroost-proto/tests/known_answer_vs_python.rs`:
/// the clock-only config of slot 0 (`sync_time_matches_python_reference`)
/// and the title "hello" of slot 3 (`set_title_matches_python_reference`).
#[test]
fn molto2_clock_and_title_match_the_published_apdus() {
    let k = default_molto2();
    assert!(mac_matches(
        &k,
        0xD4,
        0x01,
        0,
        &hex("81060f0466123456"),
        &hex("42304790")
    ));
    let title = hex("aa6492e824df9e2be60917d1226ae896");
    assert!(mac_matches(&k, 0xD5, 0, 3, &title, &hex("5af94611")));
    let plain = ecb_decrypt(&k, &title).unwrap();
    assert_eq!(
        read_seed(&plain),
        SeedPlain::Seed(Zeroizing::new(b"hello".to_vec()))
    );
}

/// token2/keyroost `known_answer_vs_python.rs::set_seed_matches_python_reference`
/// sends 20 zero bytes WITH the `80` marker: a zero seed, not the clear
/// value (molto2-tools `tests/test_molto2.py::test_pad_seed_all_zero_clears_for_any_length`
/// requires the clear value to be zeros throughout).
#[test]
fn a_marked_zero_seed_is_a_seed_and_only_all_zeros_clear() {
    let k = default_molto2();
    let ct = hex("14cc24b0cc984da7612c0799d350e38c2c6ddd4f3d6531076ed6b99875607d58");
    assert!(mac_matches(&k, 0xC5, 0x01, 7, &ct, &hex("cc52b85c")));
    let plain = ecb_decrypt(&k, &ct).unwrap();
    assert_eq!(
        read_seed(&plain),
        SeedPlain::Seed(Zeroizing::new(vec![0; 20]))
    );
    for blocks in 1..=4 {
        assert_eq!(read_seed(&vec![0; blocks * BLOCK]), SeedPlain::Clear);
    }
    assert_eq!(read_seed(&[0x41; BLOCK]), SeedPlain::Malformed);
}

#[test]
fn partial_blocks_and_overlong_bodies_are_refused() {
    let k = key(DEVICE);
    assert!(ecb_decrypt(&k, &[0; 15]).is_none());
    assert!(ecb_decrypt(&k, &[]).is_none());
    assert!(ecb_encrypt(&k, &[0; 17]).is_none());
    let mac = cbc_mac(&k, &[0; 261]);
    assert!(!mac_matches(&k, 0xD4, 0, 0, &[0; 256], &mac));
}

//! PSKC (RFC 6030): the RFC's own encrypted examples decrypt to their
//! published secret (§6.1 pre-shared AES key, §6.2 PBKDF2 passphrase);
//! a wrong key, a wrong passphrase or a changed file is an error for the
//! whole file, never a garbage secret; TOTP packages read their settings.

mod common;

use common::read_with;
use oathdesk_otp::{Algorithm, Secret};
use oathdesk_seedfile::{Ask, Format, KeyIssue, check, detect, pskc_key_from_file};
use oathdesk_testkit::pskc::{PskcToken, encrypted, plain};

const FIGURE6: &str = include_str!("data/rfc6030-figure6.pskcxml");
const FIGURE7: &str = include_str!("data/rfc6030-figure7.pskcxml");
/// RFC 6030 §6.1's pre-shared key, and the secret both figures hold.
const RFC_KEY: &str = "12345678901234567890123456789012";
const RFC_SECRET: &[u8] = b"12345678901234567890";

fn rfc_key() -> Vec<u8> {
    pskc_key_from_file(RFC_KEY.as_bytes()).unwrap().to_vec()
}

#[test]
fn figure_6_decrypts_with_the_pre_shared_key() {
    assert_eq!(detect(FIGURE6.as_bytes()), Some(Format::Pskc));
    let (file, asked) = read_with(FIGURE6.as_bytes(), None, Some(&rfc_key()), None, None);
    let file = file.unwrap();
    assert!(asked.is_empty(), "a pre-shared key needs no passphrase");
    let r = &file.records[0];
    assert_eq!(r.secret.expose(), RFC_SECRET);
    assert_eq!(
        (r.serial.as_str(), r.manufacturer.as_str(), r.params.digits),
        ("987654321", "Manufacturer", 8)
    );
    // The figure is an 8-digit HOTP key: read, then refused for Entra.
    let refused = check(file).refused;
    assert!(
        refused[0]
            .to_string()
            .starts_with("record 1: the key is hotp, not TOTP"),
        "{:?}",
        refused
    );
}

#[test]
fn figure_7_decrypts_with_the_passphrase() {
    let (file, asked) = read_with(FIGURE7.as_bytes(), None, None, None, Some("qwerty"));
    assert_eq!(asked, [Ask::Pskc]);
    assert_eq!(file.unwrap().records[0].secret.expose(), RFC_SECRET);
}

#[test]
fn a_wrong_key_or_passphrase_is_a_clear_error() {
    let wrong = pskc_key_from_file(b"00112233445566778899aabbccddeeff").unwrap();
    let e = read_with(FIGURE6.as_bytes(), None, Some(&wrong), None, None)
        .0
        .unwrap_err();
    assert!(e.to_string().contains("key or passphrase is wrong"), "{e}");
    assert_eq!(e.key, Some(KeyIssue::PskcKeyWrong));
    let e = read_with(FIGURE7.as_bytes(), None, None, None, Some("qwertz"))
        .0
        .unwrap_err();
    assert!(e.to_string().contains("key or passphrase is wrong"), "{e}");
    assert_eq!(e.key, Some(KeyIssue::PskcKeyWrong));
    let e = read_with(FIGURE7.as_bytes(), None, None, None, None)
        .0
        .unwrap_err();
    assert!(e.to_string().contains("passphrase"), "{e}");
    assert_eq!(e.key, Some(KeyIssue::PskcPassphraseMissing));
    let e = read_with(FIGURE6.as_bytes(), None, None, None, None)
        .0
        .unwrap_err();
    assert!(e.to_string().contains("--pskc-key-file"), "{e}");
    assert_eq!(e.key, Some(KeyIssue::PskcKeyMissing));
}

#[test]
fn a_changed_secret_fails_its_mac() {
    let changed = FIGURE6.replace("AAECAwQFBgcICQoLDA0OD+cI", "AAECAwQFBgcICQoLDA0OD+cJ");
    let e = read_with(changed.as_bytes(), None, Some(&rfc_key()), None, None)
        .0
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "record 1: the ValueMAC does not match: the key or passphrase is wrong, or the file was changed"
    );
    let unmacked = FIGURE6.replace(
        "<ValueMAC>Su+NvtQfmvfJzF6bmQiJqoLRExc=\n                    </ValueMAC>",
        "",
    );
    let e = read_with(unmacked.as_bytes(), None, Some(&rfc_key()), None, None)
        .0
        .unwrap_err();
    assert!(e.to_string().contains("no ValueMAC"), "{e}");
}

#[test]
fn totp_packages_plain_and_aes256_read_their_settings() {
    let (s1, s2) = (
        Secret::from_slice(b"pskc-plain-seed-0001"),
        Secret::from_slice(b"pskc-aes256-seed-0002"),
    );
    let t1 = [PskcToken {
        serial: "P1",
        model: "C202",
        secret: &s1,
        period: 60,
    }];
    let file = read_with(plain(&t1).as_bytes(), None, None, None, None)
        .0
        .unwrap();
    let r = &file.records[0];
    assert_eq!(
        (r.secret.expose(), r.params.period, r.params.algorithm),
        (s1.expose(), 60, Algorithm::Sha1)
    );
    assert_eq!(check(file).accepted.len(), 1);

    let key = [9u8; 32];
    let t2 = [PskcToken {
        serial: "P2",
        model: "C302-i",
        secret: &s2,
        period: 30,
    }];
    let xml = encrypted(&t2, &key, &[5; 20]);
    let file = read_with(xml.as_bytes(), None, Some(&key), None, None)
        .0
        .unwrap();
    assert_eq!(file.records[0].secret.expose(), s2.expose());
    let e = read_with(xml.as_bytes(), None, Some(&[9u8; 16]), None, None)
        .0
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("256-bit AES key, but the key given is 128 bits"),
        "{e}"
    );
}

#[test]
fn the_key_file_is_hex_or_raw() {
    assert_eq!(
        pskc_key_from_file(b"  0011223344556677 8899aabbccddeeff\n")
            .unwrap()
            .len(),
        16
    );
    assert_eq!(pskc_key_from_file(&[1u8; 32]).unwrap().len(), 32);
    assert!(pskc_key_from_file(b"too short").is_err());
}

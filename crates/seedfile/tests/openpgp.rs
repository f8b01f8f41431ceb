//! OpenPGP-encrypted seed files, encrypted here by the real gpg to a key
//! made for the test and decrypted in memory by rpgp: a Token2 CSV
//! (binary) and a PSKC (armoured). A wrong passphrase or no key is a
//! clear error.

mod common;

use common::read_with;
use oathdesk_otp::Secret;
use oathdesk_seedfile::{Ask, Format, KeyIssue};
use oathdesk_testkit::gpg::GpgHome;
use oathdesk_testkit::pskc::{PskcToken, encrypted};

const CSV: &str = "serial number,secret key,time interval,manufacturer,model\n\
                   60234567,3132333435363738393031323334353637383930,30,Token2,C202\n";

#[test]
fn an_encrypted_token2_csv_and_pskc_decrypt_in_memory() {
    let gpg = GpgHome::new("correct horse");
    let key = gpg.secret_key();
    let gpg_csv = gpg.encrypt(CSV.as_bytes(), false);
    let (file, asked) = read_with(&gpg_csv, None, None, Some(&key), Some("correct horse"));
    let file = file.unwrap();
    assert_eq!(asked, [Ask::OpenPgpKey]);
    assert!(file.encrypted);
    assert_eq!(file.format, Format::Token2Csv);
    assert_eq!(file.records[0].secret.expose(), b"12345678901234567890");

    let seed = Secret::from_slice(b"pskc-in-openpgp-0003");
    let aes = [3u8; 16];
    let xml = encrypted(
        &[PskcToken {
            serial: "G1",
            model: "C202",
            secret: &seed,
            period: 30,
        }],
        &aes,
        &[4; 20],
    );
    let asc = gpg.encrypt(xml.as_bytes(), true);
    assert!(asc.starts_with(b"-----BEGIN PGP MESSAGE-----"));
    let file = read_with(&asc, None, Some(&aes), Some(&key), Some("correct horse"))
        .0
        .unwrap();
    assert_eq!(
        (file.format, file.records[0].secret.expose()),
        (Format::Pskc, seed.expose())
    );
}

#[test]
fn a_wrong_passphrase_or_no_key_is_a_clear_error() {
    let gpg = GpgHome::new("correct horse");
    let key = gpg.secret_key();
    let message = gpg.encrypt(CSV.as_bytes(), true);
    let e = read_with(&message, None, None, Some(&key), Some("battery staple"))
        .0
        .unwrap_err();
    assert!(e.to_string().contains("passphrase is wrong"), "{e}");
    assert_eq!(e.key, Some(KeyIssue::PgpKeyWrong));
    let e = read_with(&message, None, None, None, Some("correct horse"))
        .0
        .unwrap_err();
    assert!(e.to_string().contains("--pgp-key"), "{e}");
    assert_eq!(e.key, Some(KeyIssue::PgpKeyMissing));
    let e = read_with(&message, None, None, Some(&key), None)
        .0
        .unwrap_err();
    assert_eq!(e.key, Some(KeyIssue::PgpPassphraseMissing), "{e}");
    let e = read_with(
        &message,
        None,
        None,
        Some(b"not a key"),
        Some("correct horse"),
    )
    .0
    .unwrap_err();
    assert!(e.to_string().contains("no secret key"), "{e}");
    assert_eq!(e.key, Some(KeyIssue::PgpKeyWrong));
}

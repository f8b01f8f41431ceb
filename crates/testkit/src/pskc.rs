//! PSKC files (RFC 6030) written for tests: TOTP key packages whose
//! secrets are plain or AES-CBC-encrypted under a pre-shared key, with
//! the encrypted MAC key and each secret's HMAC-SHA1 `ValueMAC`.

use aes::cipher::{BlockEncryptMut, KeyIvInit, block_padding::Pkcs7};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use oathdesk_otp::Secret;

/// One token of a test PSKC file.
pub struct PskcToken<'a> {
    pub serial: &'a str,
    pub model: &'a str,
    pub secret: &'a Secret,
    pub period: u64,
}

/// IV + AES-CBC(key, data); PKCS#7 padding is a valid xmlenc padding.
fn encrypt(key: &[u8], iv: [u8; 16], data: &[u8]) -> Vec<u8> {
    let body = match key.len() {
        16 => cbc::Encryptor::<aes::Aes128>::new_from_slices(key, &iv)
            .unwrap()
            .encrypt_padded_vec_mut::<Pkcs7>(data),
        32 => cbc::Encryptor::<aes::Aes256>::new_from_slices(key, &iv)
            .unwrap()
            .encrypt_padded_vec_mut::<Pkcs7>(data),
        n => panic!("no AES-CBC with a {n}-byte key here"),
    };
    [&iv[..], &body].concat()
}

fn aes_uri(key: &[u8]) -> String {
    format!("http://www.w3.org/2001/04/xmlenc#aes{}-cbc", key.len() * 8)
}

fn package(t: &PskcToken, secret_xml: &str) -> String {
    format!(
        r#"<KeyPackage><DeviceInfo><Manufacturer>Token2</Manufacturer><SerialNo>{}</SerialNo><Model>{}</Model></DeviceInfo>
<Key Id="{}" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp"><AlgorithmParameters><ResponseFormat Length="6" Encoding="DECIMAL"/></AlgorithmParameters>
<Data><Secret>{secret_xml}</Secret><TimeInterval><PlainValue>{}</PlainValue></TimeInterval></Data></Key></KeyPackage>"#,
        t.serial, t.model, t.serial, t.period
    )
}

const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:xenc="http://www.w3.org/2001/04/xmlenc#">"#;

/// A container with the secrets in the clear (`PlainValue`).
pub fn plain(tokens: &[PskcToken]) -> String {
    let packages: String = tokens
        .iter()
        .map(|t| {
            package(
                t,
                &format!(
                    "<PlainValue>{}</PlainValue>",
                    STANDARD.encode(t.secret.expose())
                ),
            )
        })
        .collect();
    format!("{HEAD}{packages}</KeyContainer>")
}

/// A container whose secrets are encrypted under the pre-shared `key`
/// (16 or 32 bytes), with a MAC key of `mac_key`.
pub fn encrypted(tokens: &[PskcToken], key: &[u8], mac_key: &[u8]) -> String {
    let uri = aes_uri(key);
    let mac_key_ct = STANDARD.encode(encrypt(key, [7; 16], mac_key));
    let packages: String = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let ct = encrypt(key, [i as u8 + 1; 16], t.secret.expose());
            let mut h = Hmac::<sha1::Sha1>::new_from_slice(mac_key).unwrap();
            h.update(&ct);
            let mac = STANDARD.encode(h.finalize().into_bytes());
            let xml = format!(
                r#"<EncryptedValue><xenc:EncryptionMethod Algorithm="{uri}"/><xenc:CipherData><xenc:CipherValue>{}</xenc:CipherValue></xenc:CipherData></EncryptedValue><ValueMAC>{mac}</ValueMAC>"#,
                STANDARD.encode(&ct)
            );
            package(t, &xml)
        })
        .collect();
    format!(
        r#"{HEAD}<EncryptionKey><ds:KeyName>Pre-shared-key</ds:KeyName></EncryptionKey>
<MACMethod Algorithm="http://www.w3.org/2000/09/xmldsig#hmac-sha1"><MACKey><xenc:EncryptionMethod Algorithm="{uri}"/><xenc:CipherData><xenc:CipherValue>{mac_key_ct}</xenc:CipherValue></xenc:CipherData></MACKey></MACMethod>
{packages}</KeyContainer>"#
    )
}

//! The host's PIN+ OTP applet session against the virtual PIN+ key, two
//! implementations of Token2's protocol written apart (sealing included):
//! through a real pcscd as an NFC or CCID reader sees the key, and over the
//! key's USB HID interface with Token2's framing. What the host writes is
//! exactly what the key holds, and the codes agree with RFC 6238.

use oathdesk_device::hid::HidTransport;
use oathdesk_device::pcsc::PcscService;
use oathdesk_device::token2otp::{EntryName, NewEntry, Token2OtpError, Token2OtpSession};
use oathdesk_device::transport::Transport;
use oathdesk_device::{DeviceErrorKind, TokenState};
use oathdesk_otp::{Algorithm, CodeParams, Secret, generate_secret, totp};
use oathdesk_sim::token::pinplus::hid::HidKey;
use oathdesk_sim::token::{PinPlusCard, VirtualCard};
use oathdesk_testkit::{Insert, VirtualReader};
use sha2::{Digest, Sha256};

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn sha256_hex(secret: &Secret) -> String {
    Sha256::digest(secret.expose())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn name() -> EntryName {
    EntryName::new("Contoso", "jane@contoso.com").unwrap()
}

/// Writes a SHA-256, 60 s, 8-digit entry, reads it back both ways, checks
/// the code, deletes it; returns the seed's SHA-256 as the key held it.
fn write_read_delete(t: &mut dyn Transport, held: impl Fn() -> Vec<String>) {
    let secret = generate_secret(Algorithm::Sha256);
    let params = CodeParams {
        algorithm: Algorithm::Sha256,
        digits: 8,
        period: 60,
    };
    let mut s = Token2OtpSession::select(t).unwrap();
    assert!(s.read_all(now()).unwrap().is_empty(), "a new key is empty");
    let entry = NewEntry::totp(name(), &secret, Algorithm::Sha256, 60, 8, false).unwrap();
    s.write_entry(&entry).unwrap();
    assert_eq!(held(), [sha256_hex(&secret)]);

    let at = now();
    let listed = s.read_all(at).unwrap();
    assert_eq!(listed.len(), 1);
    let e = &listed[0];
    assert_eq!(
        (e.name.issuer(), e.name.account(), e.step, e.digits, e.touch),
        ("Contoso", "jane@contoso.com", 60, 8, false)
    );
    assert_eq!(
        e.code.as_deref(),
        Some(totp(&secret, &params, at).unwrap().as_str())
    );
    let one = s.read_one(&name(), at + 60).unwrap();
    assert_eq!(one.code.unwrap(), totp(&secret, &params, at + 60).unwrap());

    s.delete(&name()).unwrap();
    assert!(held().is_empty());
    assert!(s.read_all(now()).unwrap().is_empty());
}

#[test]
fn the_host_writes_exactly_what_the_key_holds_through_pcscd() {
    let reader = VirtualReader::acquire();
    let t = reader.insert(PinPlusCard::new(&[0x12, 0x34, 0x56, 0x78]));
    let desk = PcscService::establish().unwrap();
    let mut transport = desk.connect(reader.name()).unwrap();
    let seeds = || {
        t.card()
            .entries()
            .iter()
            .map(|e| e.seed_sha256())
            .collect::<Vec<_>>()
    };
    write_read_delete(&mut transport, seeds);
    let mut s = Token2OtpSession::select(&mut transport).unwrap();
    assert_eq!(s.serial().unwrap().to_ascii_lowercase(), "12345678");
    let _ = s;
    assert!(
        t.card().device_type_writes().is_empty(),
        "the host never sends SET_DEVICE_TYPE"
    );
}

#[test]
fn the_same_over_the_keys_usb_hid_interface() {
    let key = HidKey::pinplus(PinPlusCard::new(&[0xAB, 0xCD]).over_hid());
    let mut transport = HidTransport {
        device: key,
        on_busy: Box::new(|_| {}),
    };
    let secret = Secret::from_slice(b"12345678901234567890");
    let mut s = Token2OtpSession::select(&mut transport).unwrap();
    let entry = NewEntry::totp(name(), &secret, Algorithm::Sha1, 30, 6, false).unwrap();
    s.write_entry(&entry).unwrap();
    let at = now();
    let listed = s.read_all(at).unwrap();
    let want = totp(&secret, &CodeParams::default(), at).unwrap();
    assert_eq!(listed[0].code.as_deref(), Some(want.as_str()));
    let _ = s;
    let held = transport.device.card.entries()[0].seed_sha256();
    assert_eq!(held, sha256_hex(&secret));
}

#[test]
fn a_touch_entry_waits_for_the_touch_and_says_so_when_none_comes() {
    let reader = VirtualReader::acquire();
    let t = reader.insert(PinPlusCard::new(&[0x01]));
    let desk = PcscService::establish().unwrap();
    let mut transport = desk.connect(reader.name()).unwrap();
    let secret = generate_secret(Algorithm::Sha1);
    let mut s = Token2OtpSession::select(&mut transport).unwrap();
    let entry = NewEntry::totp(name(), &secret, Algorithm::Sha1, 30, 6, true).unwrap();
    s.write_entry(&entry).unwrap();
    let listed = s.read_all(now()).unwrap();
    assert_eq!((listed[0].touch, listed[0].code.as_deref()), (true, None));

    let e = s.read_one(&name(), now()).unwrap_err();
    assert_eq!(
        e.kind,
        DeviceErrorKind::OtpApplet(Token2OtpError::TouchTimeout)
    );
    assert_eq!(e.state, TokenState::Untouched);
    assert!(t.card().press_button());
    let at = now();
    let code = s.read_one(&name(), at).unwrap().code.unwrap();
    assert_eq!(code, totp(&secret, &CodeParams::default(), at).unwrap());
}

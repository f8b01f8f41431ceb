//! What each card target does with a session, shared by the fuzz targets
//! and by the seed recorder (`crates/device/examples/fuzz_seeds.rs`), which
//! runs the same calls against the virtual tokens so the corpus starts from
//! real answers.
#![allow(dead_code)] // each target uses one of these

use oathdesk_device::identify::identify;
use oathdesk_device::molto2::{CustomerKey, Molto2Session, Molto2Settings, Slot, Title};
use oathdesk_device::profiles::Profiles;
use oathdesk_device::token2::{Settings, Token2Session};
use oathdesk_device::token2otp::{EntryName, NewEntry, Token2OtpSession};
use oathdesk_device::transport::Transport;
use oathdesk_device::ykoath::{CredentialName, YkOathSession};
use oathdesk_otp::{Algorithm, CodeParams, OtpKind, Secret};

const NOW: u32 = 1_700_000_000;

/// An even `choice` identifies the token as a desk reader would; an odd
/// one opens a single-profile session and burns, then sets the clock.
pub fn token2<T: Transport>(choice: u8, transport: T) {
    if choice & 1 == 0 {
        let _ = identify(
            "Desk reader 0",
            transport,
            &Profiles::builtin(),
            CustomerKey::factory(),
        );
        return;
    }
    let Ok(mut session) = Token2Session::open(transport) else {
        return;
    };
    let settings = Settings::new(&CodeParams::default(), 30).expect("default settings");
    let secret = Secret::new(vec![0x5A; 20]);
    let _ = session.burn(&secret, &settings, &|| NOW, &mut |_| {});
    let _ = session.set_clock(&settings, &|| NOW);
}

/// Reads `slot` of a Molto2, burns it with a title, sets the clock and
/// deletes the seed.
pub fn molto2<T: Transport>(slot: u8, transport: T) {
    let slot = Slot::new(slot % 100).expect("slots 0..=99");
    let Ok(mut session) = Molto2Session::open(transport, CustomerKey::factory()) else {
        return;
    };
    let _ = session.slot_info(slot);
    let settings = Molto2Settings::new(&CodeParams::default(), 30).expect("default settings");
    let title = Title::new("VPN").expect("a short title");
    let secret = Secret::new(vec![0xA5; 20]);
    let _ = session.burn(slot, &secret, &settings, Some(&title), &|| NOW, &mut |_| {});
    let _ = session.set_clock(slot, &|| NOW);
    let _ = session.delete_seed(slot);
}

/// Selects the applet, lists and calculates what it holds, then stores and
/// deletes a credential.
pub fn ykoath<T: Transport>(transport: T) {
    let Ok(mut session) = YkOathSession::select(transport) else {
        return;
    };
    if let Ok(listed) = session.list() {
        for credential in listed.iter().take(4) {
            assert!(credential.name.period() > 0);
            let _ = session.calculate(&credential.name, u64::from(NOW));
        }
    }
    let name = CredentialName::new(30, "Contoso:ana@contoso.com").expect("a plain name");
    let secret = Secret::new(vec![0x33; 20]);
    let _ = session.put(&name, &secret, OtpKind::Totp, &CodeParams::default(), true);
    let _ = session.delete(&name);
}

/// Selects a Token2 PIN+ key's OTP applet, lists its entries (following
/// pages), reads one with its code, writes and deletes an entry, reads the
/// config, and the serial.
pub fn token2otp<T: Transport>(mut transport: T) {
    let Ok(mut session) = Token2OtpSession::select(&mut transport) else {
        return;
    };
    let name = EntryName::new("Contoso", "ana@contoso.com").expect("a plain name");
    let _ = session.read_all(u64::from(NOW));
    let _ = session.read_one(&name, u64::from(NOW));
    let secret = Secret::new(vec![0x33; 20]);
    let entry = NewEntry::totp(name.clone(), &secret, Algorithm::Sha1, 30, 6, false)
        .expect("a TOTP entry the key takes");
    let _ = session.write_entry(&entry);
    let _ = session.delete(&name);
    let _ = session.read_config();
    let _ = session.serial();
}

//! Writes the fuzz targets' starting corpus: the answers the virtual
//! tokens give to exactly the calls each card target makes
//! (`fuzz/fuzz_targets/sessions.rs`), in the targets' script format (one
//! length byte, then the answer). Run by `scripts/fuzz.sh`:
//!
//!   cargo run -p oathdesk-device --example fuzz_seeds -- fuzz/seeds

#[path = "../../../fuzz/fuzz_targets/sessions.rs"]
mod sessions;

use std::path::Path;

use oathdesk_device::transport::{Transport, TransportError};
use oathdesk_device::ykoath::{CredentialName, YkOathSession};
use oathdesk_otp::{CodeParams, OtpKind, Secret};
use oathdesk_sim::token::{
    Molto2Card, Token2Card, Token2Model, TokenClock, VirtualCard, YkOathCard,
};

/// Forwards to a virtual card and keeps every answer as the script a
/// fuzz target replays.
struct Recorder<'a> {
    card: &'a mut dyn VirtualCard,
    script: Vec<u8>,
}

impl Transport for Recorder<'_> {
    fn transmit_raw(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        let answer = self.card.transmit(apdu);
        let len = u8::try_from(answer.len())
            .map_err(|_| TransportError::LinkLost("an answer longer than a script holds".into()))?;
        self.script.push(len);
        self.script.extend_from_slice(&answer);
        Ok(answer)
    }
}

fn record(card: &mut dyn VirtualCard, run: impl FnOnce(&mut Recorder<'_>)) -> Vec<u8> {
    card.power_on();
    let mut recorder = Recorder {
        card,
        script: Vec::new(),
    };
    run(&mut recorder);
    recorder.script
}

/// Writes a seed once: answers hold random challenges, so a seed kept in
/// the repo is not rewritten on every run.
fn write(dir: &Path, target: &str, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let dir = dir.join(target);
    std::fs::create_dir_all(&dir)?;
    let file = dir.join(format!("seed-{name}"));
    if file.exists() {
        return Ok(());
    }
    std::fs::write(file, bytes)
}

fn single_profile() -> Token2Card {
    let model = Token2Model::by_name("C302-i").expect("a simulated model");
    Token2Card::new(model, "00001", TokenClock::offset(0, 0.0))
}

fn molto2() -> Molto2Card {
    Molto2Card::new("TM2D700001", TokenClock::offset(0, 0.0))
}

/// A YubiKey-style applet that already holds two credentials.
fn ykoath() -> YkOathCard {
    let mut card = YkOathCard::new();
    let mut session = YkOathSession::select(Direct(&mut card)).expect("the applet selects");
    for (period, label) in [(30, "Contoso:bob@contoso.com"), (60, "VPN")] {
        let name = CredentialName::new(period, label).expect("a plain name");
        let params = CodeParams {
            period,
            ..CodeParams::default()
        };
        let secret = Secret::new(vec![0x11; 20]);
        session
            .put(&name, &secret, OtpKind::Totp, &params, false)
            .expect("the applet stores it");
    }
    card
}

struct Direct<'a>(&'a mut dyn VirtualCard);

impl Transport for Direct<'_> {
    fn transmit_raw(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        Ok(self.0.transmit(apdu))
    }
}

fn main() -> std::io::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "fuzz/seeds".into());
    let dir = Path::new(&dir);
    for choice in [0u8, 1] {
        let script = record(&mut single_profile(), |r| sessions::token2(choice, r));
        write(
            dir,
            "token2_answers",
            &format!("c302-{choice}"),
            &[&[choice], &script[..]].concat(),
        )?;
    }
    let script = record(&mut molto2(), |r| sessions::token2(0, r));
    write(
        dir,
        "token2_answers",
        "identify-molto2",
        &[&[0], &script[..]].concat(),
    )?;
    let script = record(&mut ykoath(), |r| sessions::token2(0, r));
    write(
        dir,
        "token2_answers",
        "identify-ykoath",
        &[&[0], &script[..]].concat(),
    )?;
    for slot in [0u8, 7, 99] {
        let script = record(&mut molto2(), |r| sessions::molto2(slot, r));
        write(
            dir,
            "molto2_answers",
            &format!("slot-{slot}"),
            &[&[slot], &script[..]].concat(),
        )?;
    }
    let script = record(&mut ykoath(), |r| sessions::ykoath(r));
    write(dir, "ykoath_answers", "two-credentials", &script)?;
    let script = record(&mut YkOathCard::new(), |r| sessions::ykoath(r));
    write(dir, "ykoath_answers", "empty", &script)?;
    Ok(())
}

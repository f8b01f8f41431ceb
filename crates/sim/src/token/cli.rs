//! `oathdesk-sim token`: a virtual token plugged into a vpcd slot, with a
//! control socket through which a test reads its display, clock, seed hash
//! and settings, and sets faults. The control socket exists only here,
//! never in the product.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixListener;
use std::path::PathBuf;

use clap::Parser;
use serde_json::{Value, json};
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use std::sync::{Arc, Mutex};

use super::pinplus::DEFAULT_CAPACITY;
use super::ykoath::{DEFAULT_VERSION, Version};
use super::{Faults, Molto2Card, PinPlusCard, Token2Card, Token2Model, TokenClock, YkOathCard};
use crate::vpcd::{self, SharedCard};

#[derive(Parser)]
#[command(
    name = "oathdesk-sim token",
    about = "Run a virtual token on a vpcd reader slot"
)]
struct Args {
    /// Protocol family: token2 (single-profile programmable), molto2, ykoath,
    /// pinplus (a Token2 PIN+ FIDO key's OTP applet over CCID).
    #[arg(long, default_value = "token2")]
    family: String,
    /// Model name, e.g. OTPC-P1-i, C301-i (default: from --serial).
    #[arg(long)]
    model: Option<String>,
    /// Serial number; its prefix picks the model when --model is absent.
    #[arg(long, default_value = "8659612000001")]
    serial: String,
    #[arg(long, default_value_t = 35963)]
    vpcd_port: u16,
    /// The token's clock error in seconds at start.
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    clock_offset: i64,
    /// Parts per million the token's clock runs fast (+) or slow (-).
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    drift_ppm: f64,
    /// Added to every APDU.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Print "ready" only once pcscd reports the card on this reader.
    #[arg(long)]
    wait_for_reader: Option<String>,
    /// A unix socket for line-delimited JSON control commands.
    #[arg(long)]
    state_socket: Option<PathBuf>,
    /// ykoath: the firmware the applet reports, e.g. 5.2.7; what it
    /// supports (RENAME, SHA-512, 32 or 64 credentials) follows it.
    #[arg(long, value_parser = parse_firmware)]
    firmware: Option<Version>,
    /// pinplus: how many entries the key holds (default 50, as Token2's).
    #[arg(long)]
    capacity: Option<usize>,
}

/// `major.minor.patch`, each 0..=255.
fn parse_firmware(text: &str) -> Result<Version, String> {
    let parts: Vec<u8> = text
        .split('.')
        .map(|p| p.parse::<u8>())
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{text:?}: {e}"))?;
    <Version>::try_from(parts).map_err(|_| format!("{text:?}: not major.minor.patch"))
}

/// Runs the subcommand with `args` (program name first); returns the exit code.
pub fn run(args: Vec<String>) -> i32 {
    let args = match Args::try_parse_from(args) {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match start(&args) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("oathdesk-sim token: {e}");
            1
        }
    }
}

fn build_card(a: &Args) -> Result<SharedCard, String> {
    if a.capacity.is_some() && a.family != "pinplus" {
        return Err("--capacity is for --family pinplus".into());
    }
    let clock = TokenClock::offset(a.clock_offset, a.drift_ppm);
    let card: SharedCard = match a.family.as_str() {
        "token2" => Arc::new(Mutex::new(build_token2(a, clock)?)),
        "molto2" => Arc::new(Mutex::new(Molto2Card::new(&a.serial, clock))),
        "ykoath" => Arc::new(Mutex::new(YkOathCard::with_version(
            a.firmware.unwrap_or(DEFAULT_VERSION),
        ))),
        "pinplus" => Arc::new(Mutex::new(build_pinplus(a))),
        other => {
            return Err(format!(
                "unknown family {other:?}: use token2, molto2, ykoath or pinplus"
            ));
        }
    };
    card.lock()
        .unwrap_or_else(|p| p.into_inner())
        .faults()
        .latency_ms = a.latency_ms;
    Ok(card)
}

fn build_token2(a: &Args, clock: TokenClock) -> Result<Token2Card, String> {
    let model = match &a.model {
        Some(m) => Token2Model::by_name(m).ok_or_else(|| format!("unknown model {m:?}"))?,
        None => Token2Model::by_serial(&a.serial)
            .ok_or_else(|| format!("no model has serial prefix of {:?}", a.serial))?,
    };
    let suffix = a
        .serial
        .strip_prefix(model.serial_prefix)
        .unwrap_or(&a.serial);
    Ok(Token2Card::new(model, suffix, clock))
}

/// The serial is taken as hex bytes when it is hex (the key reports it as
/// ASCII hex), else as its own bytes.
fn build_pinplus(a: &Args) -> PinPlusCard {
    let serial = hex::decode(&a.serial).unwrap_or_else(|_| a.serial.as_bytes().to_vec());
    let mut card = PinPlusCard::new(&serial);
    card.capacity = a.capacity.unwrap_or(DEFAULT_CAPACITY);
    card
}

fn start(a: &Args) -> Result<(), String> {
    // Registered first, so a SIGINT or SIGTERM from the moment the process
    // runs takes the card off and exits 0 instead of killing it.
    let mut signals =
        Signals::new([SIGINT, SIGTERM]).map_err(|e| format!("signal handlers: {e}"))?;
    let card = build_card(a)?;
    let handle = vpcd::attach(card.clone(), a.vpcd_port)
        .map_err(|e| format!("vpcd on port {}: {e}", a.vpcd_port))?;
    if let Some(reader) = &a.wait_for_reader {
        let desk = oathdesk_device::pcsc::PcscService::establish().map_err(|e| e.to_string())?;
        let seen = desk
            .wait_for_card(reader, true, std::time::Duration::from_secs(10))
            .map_err(|e| e.to_string())?;
        if !seen {
            return Err(format!("pcscd did not see the card on {reader:?}"));
        }
    }
    // Bound before "ready", so a client may connect as soon as it reads it.
    let listener = match &a.state_socket {
        Some(path) => {
            let _ = std::fs::remove_file(path);
            Some(UnixListener::bind(path).map_err(|e| format!("control socket: {e}"))?)
        }
        None => None,
    };
    // The control socket's `remove` (or its failure) ends the wait as a
    // signal does; stdin is never read, so `oathdesk-sim token … &` lives on.
    let control = listener.map(|listener| {
        let card = card.clone();
        let stop = signals.handle();
        std::thread::spawn(move || {
            let served = serve_control(listener, &card);
            stop.close();
            served
        })
    });
    println!("ready");
    let _ = std::io::stdout().flush();
    let signalled = signals.forever().next().is_some();
    handle.remove();
    if let Some(path) = &a.state_socket {
        let _ = std::fs::remove_file(path);
    }
    match control {
        // A signal leaves the control thread waiting in accept; the process
        // exit ends it.
        Some(thread) if !signalled => thread
            .join()
            .map_err(|_| "control socket: the control thread panicked".to_string())?
            .map_err(|e| format!("control socket: {e}")),
        _ => Ok(()),
    }
}

/// One JSON command per line; answers one JSON line. `{"cmd":"remove"}`
/// takes the card off and ends the process.
fn serve_control(listener: UnixListener, card: &SharedCard) -> std::io::Result<()> {
    for conn in listener.incoming() {
        let conn = conn?;
        let mut out = conn.try_clone()?;
        for line in BufReader::new(conn).lines() {
            let request: Value = serde_json::from_str(&line?).unwrap_or(Value::Null);
            let (answer, stop) = control(card, &request);
            writeln!(out, "{answer}")?;
            if stop {
                return Ok(());
            }
        }
    }
    Ok(())
}

fn control(card: &SharedCard, request: &Value) -> (Value, bool) {
    let mut c = card.lock().unwrap_or_else(|p| p.into_inner());
    match request["cmd"].as_str() {
        Some("state") => (c.state(), false),
        Some("fault") => match serde_json::from_value::<Faults>(request["faults"].clone()) {
            Ok(f) => {
                *c.faults() = f;
                (json!({"ok": true}), false)
            }
            Err(e) => (json!({"error": e.to_string()}), false),
        },
        Some("press") => (json!({"committed": c.press_button()}), false),
        Some("remove") => (json!({"ok": true}), true),
        _ => (
            json!({"error": "commands: state, fault, press, remove"}),
            false,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_firmware;

    #[test]
    fn firmware_is_three_numbers() {
        assert_eq!(parse_firmware("5.2.7"), Ok([5, 2, 7]));
        for bad in ["5.2", "5.2.7.1", "5.x.7", "5.256.0", ""] {
            assert!(parse_firmware(bad).is_err(), "{bad:?}");
        }
    }
}

//! `scan`: read a QR code from a picture, the screen, the clipboard or the
//! camera and say what it is — the same answer `inspect` gives for pasted text.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use clap::{Args, Subcommand};
use oathdesk_station::camera;
use oathdesk_station::seeds::{self, SeedInput};
use serde::Serialize;

use crate::output::{CliError, Ctx, print};

#[derive(Subcommand)]
pub enum ScanCommand {
    /// Find a token QR code in a picture, on any monitor, on the clipboard or through the camera.
    Scan(ScanArgs),
}

#[derive(Args)]
pub struct ScanArgs {
    #[command(flatten)]
    source: SourceArgs,
}

/// Where a seed is read from, other than stdin.
#[derive(Args)]
#[group(required = false, multiple = false)]
pub struct SourceArgs {
    /// A picture file (PNG, JPEG, BMP, GIF) holding the QR code.
    #[arg(long, value_name = "FILE")]
    pub from_qr: Option<PathBuf>,
    /// Capture every monitor and look for the QR code.
    #[arg(long)]
    pub from_screen: bool,
    /// Read the clipboard (text or picture).
    #[arg(long)]
    pub from_clipboard: bool,
    /// Look through the desk's webcam until a QR code is held up to it.
    #[arg(long)]
    pub from_camera: bool,
}

impl SourceArgs {
    /// Reads the seed the flags point at.
    pub fn read_seed(&self) -> Result<SeedInput, CliError> {
        let seed = if let Some(path) = &self.from_qr {
            seeds::from_image_file(path)?
        } else if self.from_screen {
            if let Some(prompt) = seeds::screen_prompt() {
                eprintln!("{prompt}");
            }
            seeds::from_screens(&*seeds::desk_screens())?
        } else if self.from_camera {
            look_through_camera()?
        } else {
            seeds::from_clipboard(&mut seeds::SystemClipboard)?
        };
        Ok(seed)
    }

    /// Whether any source was named.
    pub fn any(&self) -> bool {
        self.from_qr.is_some() || self.from_screen || self.from_clipboard || self.from_camera
    }
}

/// Opens the desk's camera and looks until a code is seen, Ctrl-C, or
/// `camera::LOOK_FOR` passes; the camera is released either way.
fn look_through_camera() -> Result<SeedInput, CliError> {
    let source = camera::desk_cameras().open()?;
    eprintln!(
        "Looking through camera {} for up to {} s: hold the QR code up to it (Ctrl-C to stop).",
        source.name(),
        camera::LOOK_FOR.as_secs()
    );
    let never = AtomicBool::new(false);
    Ok(camera::from_camera(
        source,
        camera::LOOK_FOR,
        &mut camera::StopFlag(&never),
    )?)
}

#[derive(Serialize)]
struct ScanOut {
    origin: String,
    kind: oathdesk_otp::InputKind,
    issuer: Option<String>,
    account: Option<String>,
    algorithm: oathdesk_otp::Algorithm,
    digits: u32,
    period: u64,
    secret_bits: usize,
    explanation: String,
}

impl ScanCommand {
    pub fn run(self, ctx: &Ctx) -> Result<(), CliError> {
        let ScanCommand::Scan(args) = self;
        let s = &args.source;
        if !s.any() {
            return Err(CliError::input(
                "no_source",
                "say where to look: --from-qr FILE, --from-screen, --from-clipboard or --from-camera",
            ));
        }
        let seed = s.read_seed()?;
        let cred = &seed.credential;
        let out = ScanOut {
            origin: seed.origin.clone(),
            kind: seed.classification.kind,
            issuer: cred.display_issuer().map(str::to_string),
            account: (!cred.account.is_empty()).then(|| cred.account.clone()),
            algorithm: cred.params.algorithm,
            digits: cred.params.digits,
            period: cred.params.period,
            secret_bits: cred.secret.bits(),
            explanation: seed.classification.explanation.clone(),
        };
        print(ctx, &out, |o| {
            format!("Found on {}: {}", o.origin, o.explanation)
        });
        Ok(())
    }
}

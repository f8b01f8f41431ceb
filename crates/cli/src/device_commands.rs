//! Token commands: devices, info, burn, sync-clock.

use clap::{Args, Subcommand};
use oathdesk_device::profiles::Profiles;
use oathdesk_device::{Desk, DeviceError, OpenToken, TokenState};
use oathdesk_otp::{Algorithm, CodeParams};
use serde::Serialize;

use crate::desk;
use crate::input::read_secret_input;
use crate::output::{CliError, Ctx, print};
use crate::scan_commands::SourceArgs;
use oathdesk_station::seeds::{self, SeedInput};
use oathdesk_station::workflow;

#[derive(Subcommand)]
pub enum DeviceCommand {
    /// List the readers and whether a token is on each.
    Devices,
    /// Read the token: serial, model, clock and drift.
    Info(ReaderArg),
    /// Burn a secret (stdin, or --generate) onto the token.
    Burn(BurnArgs),
    /// Set the token's clock from this computer's.
    SyncClock(SyncArgs),
}

#[derive(Args, Clone)]
pub struct ReaderArg {
    /// Token family: auto (a Molto2 by its reader name, else a Token2
    /// single-profile token), token2, molto2 or ykoath.
    #[arg(long, value_enum, default_value = "auto")]
    pub family: crate::family_commands::Family,
    /// The reader (default: the one with a token on it).
    #[arg(long)]
    pub reader: Option<String>,
}

#[derive(Args)]
pub struct BurnArgs {
    #[command(flatten)]
    pub reader: ReaderArg,
    #[arg(long, value_parser = parse_algorithm)]
    pub algorithm: Option<Algorithm>,
    #[arg(long)]
    pub period: Option<u64>,
    #[arg(long)]
    pub digits: Option<u32>,
    /// Seconds the display stays on.
    #[arg(long)]
    pub display_timeout: Option<u64>,
    /// Generate a fresh secret instead of reading one from stdin.
    #[arg(long)]
    generate: bool,
    /// Molto2: the profile (0-99) to burn.
    #[arg(long)]
    pub profile: Option<u8>,
    /// Molto2: a title of up to 12 bytes shown with the profile.
    #[arg(long)]
    pub title: Option<String>,
    #[command(flatten)]
    source: SourceArgs,
}

#[derive(Args)]
pub struct SyncArgs {
    #[command(flatten)]
    pub reader: ReaderArg,
    #[arg(long, value_parser = parse_algorithm, default_value = "sha1")]
    algorithm: Algorithm,
    #[arg(long, default_value_t = 30)]
    period: u64,
    /// Go ahead on models whose clock write wipes the seed.
    #[arg(long)]
    accept_seed_wipe: bool,
    /// Molto2: the profile whose clock to set.
    #[arg(long, conflicts_with = "all")]
    pub profile: Option<u8>,
    /// Molto2: every profile.
    #[arg(long)]
    pub all: bool,
}

fn parse_algorithm(s: &str) -> Result<Algorithm, String> {
    s.parse().map_err(|e: oathdesk_otp::OtpError| e.to_string())
}

impl From<DeviceError> for CliError {
    fn from(e: DeviceError) -> Self {
        let state = match e.state {
            TokenState::Untouched => "The token was not changed.",
            TokenState::ConfiguredNoSeed => {
                "The token's settings and clock were written, its seed was not."
            }
            TokenState::SeedWritten => "The seed was written.",
            TokenState::Unknown => {
                "The link was lost during a write: the token's contents are unknown."
            }
        };
        let message = format!("{e}. {state} {}", e.next_step());
        match e.kind {
            oathdesk_device::DeviceErrorKind::NotWritable(_) => {
                CliError::input("not_writable", message)
            }
            _ => CliError::failure(&format!("token_{:?}", e.state).to_lowercase(), message),
        }
    }
}

fn now() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as u32)
        .unwrap_or(0)
}

fn desk() -> Result<Desk, CliError> {
    Ok(Desk::new(Profiles::builtin())?)
}

#[derive(Serialize)]
struct TokenOut {
    reader: String,
    serial: String,
    model: String,
    writable: bool,
    clock: u32,
    drift_seconds: i64,
    clock_write_wipes_seed: bool,
}

fn describe<T: oathdesk_device::transport::Transport>(t: &OpenToken<T>) -> TokenOut {
    TokenOut {
        reader: t.reader.clone(),
        serial: t.serial().to_string(),
        model: t.model().to_string(),
        writable: t.profile.is_some(),
        clock: t.clock(),
        drift_seconds: i64::from(t.clock()) - i64::from(now()),
        clock_write_wipes_seed: t.profile.as_ref().is_some_and(|p| p.clock_write_wipes_seed),
    }
}

#[derive(Serialize)]
struct BurnOut {
    #[serde(flatten)]
    token: TokenOut,
    code: String,
    valid_to: u64,
    hint: &'static str,
}

impl DeviceCommand {
    pub fn run(self, ctx: &Ctx) -> Result<(), CliError> {
        match self {
            DeviceCommand::Devices => {
                let readers = desk()?.readers()?;
                print(ctx, &readers, |rs| {
                    rs.iter()
                        .map(|r| {
                            format!(
                                "{}  {}",
                                r.name,
                                if r.card_present {
                                    "token present"
                                } else {
                                    "empty"
                                }
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                });
            }
            DeviceCommand::Info(a) if crate::family_commands::is_other(&a)? => {
                crate::family_commands::info(ctx, &a)?
            }
            DeviceCommand::Burn(a) if crate::family_commands::is_other(&a.reader)? => {
                let seed = read_seed(&a)?;
                crate::family_commands::burn(ctx, &a, seed)?
            }
            DeviceCommand::SyncClock(a) if crate::family_commands::is_other(&a.reader)? => {
                crate::family_commands::sync(ctx, &a)?
            }
            DeviceCommand::Info(a) => {
                let token = match desk()?.open(a.reader.as_deref()) {
                    Ok(t) => t,
                    Err(e) => return crate::family_commands::identify_fallback(ctx, &a, e),
                };
                print(ctx, &describe(&token), |t| {
                    format!(
                        "{} {} on {}: clock {} (drift {:+} s)",
                        t.model, t.serial, t.reader, t.clock, t.drift_seconds
                    )
                });
            }
            DeviceCommand::Burn(a) => burn(ctx, a)?,
            DeviceCommand::SyncClock(a) => {
                let params = CodeParams {
                    algorithm: a.algorithm,
                    digits: 6,
                    period: a.period,
                };
                let mut token = desk()?.open(a.reader.reader.as_deref())?;
                workflow::burn::checked_clock(&desk::tenant()?, &mut desk::progress_to_stderr)?;
                token.sync_clock(&params, a.accept_seed_wipe, &now)?;
                print(ctx, &describe(&token), |t| {
                    format!("clock of {} set to {}", t.serial, t.clock)
                });
            }
        }
        Ok(())
    }
}

/// Where the seed comes from: --generate, a --from-* source, or stdin.
pub fn read_seed(a: &BurnArgs) -> Result<SeedInput, CliError> {
    if a.generate {
        return Ok(SeedInput::generated(a.algorithm.unwrap_or_default()));
    }
    if a.source.from_qr.is_some() || a.source.from_screen || a.source.from_clipboard {
        return a.source.read_seed();
    }
    Ok(seeds::from_text(&read_secret_input()?, None, "stdin")?)
}

fn burn(ctx: &Ctx, a: BurnArgs) -> Result<(), CliError> {
    let mut seed = read_seed(&a)?;
    let p = &mut seed.credential.params;
    p.algorithm = a.algorithm.unwrap_or(p.algorithm);
    p.digits = a.digits.unwrap_or(p.digits);
    p.period = a.period.unwrap_or(p.period);
    p.validate()?;
    let (station, tokens, tenant) = (desk::station()?, desk::tokens()?, desk::tenant()?);
    let reader = a.reader.reader.as_deref();
    let out = workflow::burn_seed(
        &station,
        &tokens,
        &tenant,
        &seed,
        reader,
        a.display_timeout,
        &mut desk::progress_to_stderr,
    )?;
    let t = &out.token;
    let body = BurnOut {
        token: TokenOut {
            reader: t.reader.clone(),
            serial: t.serial.clone(),
            model: t.model.clone(),
            writable: t.writable,
            clock: t.clock_unix.unwrap_or_default() as u32,
            drift_seconds: 0,
            clock_write_wipes_seed: t.clock_write_wipes_seed,
        },
        code: out.code.code.clone(),
        valid_to: out.code.valid_to,
        hint: out.hint,
    };
    print(ctx, &body, |o| {
        format!(
            "Burnt {} {}. After a power cycle it must show {} (valid until {}).\n{}",
            o.token.model, o.token.serial, o.code, o.valid_to, o.hint
        )
    });
    Ok(())
}

//! Token commands: devices, info, burn, sync-clock — thin adapters over the
//! station's readers and workflows, for every token family alike.

use clap::{Args, Subcommand};
use oathdesk_otp::Algorithm;
use oathdesk_station::adapters::desk_clock;
use oathdesk_station::ports::{Placement, Readers, Slot, TokenFacts};
use oathdesk_station::seeds::{self, SeedInput};
use oathdesk_station::workflow::{self, BurnChoices, ResyncOutcome, ResyncRequest, StatedSettings};
use serde::Serialize;

use crate::desk;
use crate::input::read_secret_input;
use crate::output::{CliError, Ctx, print};
use crate::scan_commands::SourceArgs;

#[derive(Subcommand)]
pub enum DeviceCommand {
    /// List the readers and whether a token is on each.
    Devices,
    /// Read the token: family, serial, model, clock and drift, its slots.
    Info(ReaderArg),
    /// Burn a secret (stdin, a --from-* source, or --generate) onto the token.
    Burn(BurnArgs),
    /// Set the token's clock from this computer's, keeping its settings.
    SyncClock(SyncArgs),
    /// Delete one seed from the token: a Molto2 slot, or a YKOATH or PIN+
    /// credential by the name `info` lists. Entra is not changed.
    Delete(DeleteArgs),
}

#[derive(Args)]
#[group(id = "which", required = true, multiple = false, args = ["slot", "name"])]
pub struct DeleteArgs {
    #[command(flatten)]
    pub reader: ReaderArg,
    /// Molto2: the slot (0-99) to delete.
    #[arg(long)]
    pub slot: Option<u8>,
    /// YKOATH, PIN+: the credential's name, as `device info` lists it.
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Args, Clone)]
pub struct ReaderArg {
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
    /// Molto2: the slot (0-99) to burn (default: the first free one).
    #[arg(long)]
    pub slot: Option<u8>,
    /// A Molto2 slot's title (up to 12 bytes), or a YKOATH credential's
    /// name (default: the QR code's label).
    #[arg(long)]
    pub title: Option<String>,
    /// YKOATH: ask for a touch before each code.
    #[arg(long)]
    pub touch: bool,
    #[command(flatten)]
    source: SourceArgs,
}

/// The settings a token holds, for a clock write when neither this desk
/// nor Entra knows them (single-profile tokens). All three or none.
#[derive(Args, Clone)]
pub struct StatedArgs {
    #[arg(long, value_parser = parse_algorithm)]
    algorithm: Option<Algorithm>,
    #[arg(long)]
    period: Option<u64>,
    /// Seconds the display stays on.
    #[arg(long)]
    display_timeout: Option<u64>,
}

impl StatedArgs {
    pub fn stated(&self) -> Result<Option<StatedSettings>, CliError> {
        match (self.algorithm, self.period, self.display_timeout) {
            (None, None, None) => Ok(None),
            (Some(algorithm), Some(period), Some(display_timeout)) => Ok(Some(StatedSettings {
                algorithm,
                period,
                display_timeout,
            })),
            _ => Err(CliError::input(
                "settings",
                "state the token's settings together: --algorithm, --period and --display-timeout",
            )),
        }
    }
}

#[derive(Args)]
pub struct SyncArgs {
    #[command(flatten)]
    pub reader: ReaderArg,
    /// Molto2: the slot whose clock to set (default: every slot holding a seed).
    #[arg(long, conflicts_with = "all")]
    pub slot: Option<u8>,
    /// Molto2: every slot holding a seed (the default; says so explicitly).
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub stated: StatedArgs,
}

fn parse_algorithm(s: &str) -> Result<Algorithm, String> {
    s.parse().map_err(|e: oathdesk_otp::OtpError| e.to_string())
}

/// A token as the CLI shows it.
#[derive(Serialize)]
struct TokenOut {
    #[serde(flatten)]
    facts: TokenFacts,
    drift_seconds: Option<i64>,
    slots: Vec<Slot>,
}

#[derive(Serialize)]
struct BurnOut {
    reader: String,
    serial: String,
    model: String,
    /// The token's clock after the burn, when it has one.
    clock: Option<u64>,
    #[serde(flatten)]
    burnt: oathdesk_station::ports::Burnt,
    code: String,
    valid_to: u64,
    hint: &'static str,
}

impl DeviceCommand {
    pub fn run(self, ctx: &Ctx) -> Result<(), CliError> {
        match self {
            DeviceCommand::Devices => devices(ctx),
            DeviceCommand::Info(a) => info(ctx, &a),
            DeviceCommand::Burn(a) => burn(ctx, a),
            DeviceCommand::SyncClock(a) => sync(ctx, &a),
            DeviceCommand::Delete(a) => delete(ctx, a),
        }
    }
}

fn devices(ctx: &Ctx) -> Result<(), CliError> {
    let readers = desk::tokens()?
        .readers()
        .map_err(oathdesk_station::StationError::Token)?;
    print(ctx, &readers, |rs| {
        rs.iter()
            .map(|r| {
                let what = if r.token_present {
                    "token present"
                } else {
                    "empty"
                };
                format!("{}  {what}", r.name)
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}

fn delete(ctx: &Ctx, a: DeleteArgs) -> Result<(), CliError> {
    let request = workflow::DeleteRequest {
        reader: a.reader.reader,
        place: Placement {
            slot: a.slot,
            label: a.name,
            ..Default::default()
        },
    };
    let done = workflow::delete_seed(&desk::station()?, &desk::tokens()?, &request)?;
    print(ctx, &done, |d| {
        format!(
            "deleted {} from {} {}; a registration in Entra under {} is not changed",
            d.place, d.token.model, d.token.serial, d.directory_serial
        )
    });
    Ok(())
}

fn info(ctx: &Ctx, a: &ReaderArg) -> Result<(), CliError> {
    let readers = desk::tokens()?;
    let mut token = readers
        .open(a.reader.as_deref())
        .map_err(oathdesk_station::StationError::Token)?;
    let slots = token
        .slots()
        .map_err(oathdesk_station::StationError::Token)?;
    let drift = workflow::resync::preview_of(token.facts()).drift_seconds;
    let out = TokenOut {
        facts: token.facts().clone(),
        drift_seconds: drift,
        slots,
    };
    print(ctx, &out, |t| {
        let clock = match (t.facts.clock_unix, t.drift_seconds) {
            (Some(c), Some(d)) => format!("clock {c} (drift {d:+} s)"),
            _ => "no clock (codes use this computer's time)".into(),
        };
        let used = t.slots.iter().filter(|s| s.used == Some(true)).count();
        let slots = if t.facts.limits.slots > 1 {
            format!(", {used} of {} slots used", t.facts.limits.slots)
        } else {
            String::new()
        };
        format!(
            "{} {} on {}: {clock}{slots}",
            t.facts.model, t.facts.serial, t.facts.reader
        )
    });
    Ok(())
}

/// Where the seed comes from: --generate, a --from-* source, or stdin.
pub fn read_seed(a: &BurnArgs) -> Result<SeedInput, CliError> {
    if a.generate {
        return Ok(SeedInput::generated(a.algorithm.unwrap_or_default()));
    }
    if a.source.any() {
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
    let choices = BurnChoices {
        reader: a.reader.reader.clone(),
        display_timeout: a.display_timeout,
        place: Placement {
            slot: a.slot,
            label: a.title.clone(),
            touch: a.touch,
            replace: false,
        },
    };
    let (station, tokens, tenant) = (desk::station()?, desk::tokens()?, desk::tenant()?);
    let out = workflow::burn_seed(
        &station,
        &tokens,
        &desk_clock(&tenant),
        &seed,
        &choices,
        &mut desk::progress_to_stderr,
    )?;
    desk::warn(&out.burnt.warnings);
    let body = BurnOut {
        reader: out.token.reader.clone(),
        serial: out.token.serial.clone(),
        model: out.token.model.clone(),
        clock: out.token.clock_unix,
        burnt: out.burnt,
        code: out.code.code.clone(),
        valid_to: out.code.valid_to,
        hint: out.hint,
    };
    print(ctx, &body, |o| {
        let place = match (o.burnt.slot, &o.burnt.label) {
            (Some(s), _) => format!(" slot {s}"),
            (None, Some(name)) => format!(" credential {name}"),
            _ => String::new(),
        };
        format!(
            "Burnt {} {}{place}. After a power cycle it must show {} (valid until {}).\n{}",
            o.model, o.serial, o.code, o.valid_to, o.hint
        )
    });
    Ok(())
}

fn sync(ctx: &Ctx, a: &SyncArgs) -> Result<(), CliError> {
    let request = ResyncRequest {
        reader: a.reader.reader.clone(),
        slot: a.slot,
        confirm_reseed: false,
        stated: a.stated.stated()?,
    };
    let (station, tokens, tenant) = (desk::station()?, desk::tokens()?, desk::tenant()?);
    let out = workflow::resync::set_clock(
        &station,
        &tokens,
        &tenant,
        &request,
        &mut desk::progress_to_stderr,
    )?;
    print_resync(ctx, &out);
    Ok(())
}

/// Prints a resync's or clock write's outcome.
pub fn print_resync(ctx: &Ctx, out: &ResyncOutcome) {
    if let ResyncOutcome::ClockSet { warnings, .. } = out {
        desk::warn(warnings);
    }
    print(ctx, out, |o| match o {
        ResyncOutcome::ClockSet {
            serial,
            slot,
            drift_before_seconds,
            settings,
            ..
        } => {
            let drift = drift_before_seconds.map_or("unknown".into(), |d| format!("{d:+} s"));
            let place = slot.map(|s| format!(" (slot {s})")).unwrap_or_default();
            let kept = settings
                .map(|(s, from)| {
                    format!(
                        "; kept {}, {} s, display {} s (from {from:?})",
                        s.params.algorithm, s.params.period, s.display_timeout
                    )
                })
                .unwrap_or_default();
            format!("Clock of {serial}{place} set; it was off by {drift}{kept}.")
        }
        ResyncOutcome::Reseeded(e) => format!(
            "Re-seeded {} {} and registered it again for {} (enrolment {}).",
            e.model, e.serial, e.user, e.enrolment_id
        ),
        ResyncOutcome::NoClock { serial } => format!(
            "{serial} has no clock: it computes each code at this computer's time, so there is nothing to set."
        ),
    });
}

//! The helpdesk workflows from the command line: enrol, resync, resume.

use clap::{Args, Subcommand};
use oathdesk_otp::Algorithm;
use oathdesk_station::ports::Placement;
use oathdesk_station::workflow::{self, BurnChoices, EnrolRequest, ResyncRequest};

use crate::desk::{progress_to_stderr, station, tenant, tokens};
use crate::output::{CliError, Ctx, print};

#[derive(Subcommand)]
pub enum StationCommand {
    /// Enrol a user: generate, burn, set the clock, create, assign and
    /// activate the token in Entra, and read back `activated`.
    Enrol(EnrolArgs),
    /// Measure the token's drift and set its clock (re-seeding and
    /// re-registering it on models whose clock write wipes the seed).
    Resync(ResyncArgs),
}

#[derive(Args)]
pub struct EnrolArgs {
    /// The user's sign-in name (UPN) or object id.
    #[arg(long)]
    user: String,
    #[arg(long)]
    reader: Option<String>,
    /// Molto2: the slot (0-99) to burn (default: the first free one).
    #[arg(long)]
    slot: Option<u8>,
    /// A Molto2 slot's title, or a YKOATH credential's name (default: the UPN).
    #[arg(long)]
    title: Option<String>,
    /// YKOATH: ask for a touch before each code.
    #[arg(long)]
    touch: bool,
    /// Seconds the display stays on.
    #[arg(long)]
    display_timeout: Option<u64>,
    #[arg(long, default_value = "sha1", value_parser = parse_algorithm)]
    algorithm: Algorithm,
    /// 30 or 60 seconds.
    #[arg(long, default_value_t = 30)]
    period: u64,
}

#[derive(Args)]
pub struct ResyncArgs {
    #[arg(long)]
    reader: Option<String>,
    /// Only show the drift; change nothing.
    #[arg(long)]
    preview: bool,
    /// On a model whose clock write wipes the seed: re-seed the token and
    /// re-register it in Entra.
    #[arg(long)]
    confirm_reseed: bool,
    /// Molto2: the slot whose clock to set (default: every slot holding a seed).
    #[arg(long)]
    slot: Option<u8>,
    #[command(flatten)]
    stated: crate::device_commands::StatedArgs,
}

fn parse_algorithm(s: &str) -> Result<Algorithm, String> {
    s.parse().map_err(|e: oathdesk_otp::OtpError| e.to_string())
}

impl StationCommand {
    pub fn run(self, ctx: &Ctx) -> Result<(), CliError> {
        match self {
            StationCommand::Enrol(a) => {
                let request = EnrolRequest {
                    user: a.user,
                    algorithm: a.algorithm,
                    period: a.period,
                    choices: BurnChoices {
                        reader: a.reader,
                        display_timeout: a.display_timeout,
                        place: Placement {
                            slot: a.slot,
                            label: a.title,
                            touch: a.touch,
                            replace: false,
                        },
                    },
                };
                let (station, tokens, tenant) = (station()?, tokens()?, tenant()?);
                let out = workflow::enrol(
                    &station,
                    &tokens,
                    &tenant,
                    &request,
                    &mut progress_to_stderr,
                )?;
                print(ctx, &out, |o| {
                    format!(
                        "Enrolled {} {} for {}: activated (enrolment {}).",
                        o.model, o.serial, o.user, o.enrolment_id
                    )
                });
            }
            StationCommand::Resync(a) if a.preview => {
                let p = workflow::resync::preview(&tokens()?, a.reader.as_deref())?;
                print(ctx, &p, |p| {
                    let drift = p
                        .drift_seconds
                        .map_or("unknown".into(), |d| format!("{d:+} s"));
                    let wipe = if p.wipes_seed {
                        " A clock write wipes this model's seed: resync re-seeds it."
                    } else {
                        ""
                    };
                    format!("{} {}: drift {drift}.{wipe}", p.token.model, p.token.serial)
                });
            }
            StationCommand::Resync(a) => {
                let (station, tokens, tenant) = (station()?, tokens()?, tenant()?);
                let request = ResyncRequest {
                    reader: a.reader,
                    slot: a.slot,
                    confirm_reseed: a.confirm_reseed,
                    stated: a.stated.stated()?,
                };
                let out = workflow::resync(
                    &station,
                    &tokens,
                    &tenant,
                    &request,
                    &mut progress_to_stderr,
                )?;
                crate::device_commands::print_resync(ctx, &out);
            }
        }
        Ok(())
    }
}

/// `journal resume ID`: finishes an enrolment from the step it reached.
pub fn resume(ctx: &Ctx, id: &str) -> Result<(), CliError> {
    let (station, tokens, tenant) = (station()?, tokens()?, tenant()?);
    let out = workflow::resume(&station, &tokens, &tenant, id, &mut progress_to_stderr)?;
    print(ctx, &out, |o| {
        format!(
            "Enrolment {} finished: {} {} activated for {}.",
            o.enrolment_id, o.model, o.serial, o.user
        )
    });
    Ok(())
}

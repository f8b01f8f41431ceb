//! `batch`: enrol new hires one token after another — thin commands over
//! the station's batch workflow. `batch run` is the desk loop: it says
//! whose token to place, enrols it when it arrives, asks for it to be
//! taken off, and goes on until no one is waiting (Ctrl+C stops it; the
//! batch resumes where it was with the next `batch run`).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};
use oathdesk_otp::Algorithm;
use oathdesk_station::batch::QueueStatus;
use oathdesk_station::ports::Readers;
use oathdesk_station::workflow::batch::{self, BatchView, NewBatch, Turn};

use crate::desk::{progress_to_stderr, station, tenant, tokens};
use crate::output::{CliError, Ctx, print};

#[derive(Subcommand)]
pub enum BatchCommand {
    /// Make a batch from a CSV of users (upn; optional display name,
    /// serial, model) or from an Entra group's members, each checked with
    /// Entra first.
    Start(StartArgs),
    /// Every batch on this desk.
    List,
    /// A batch's queue.
    Show { id: String },
    /// Enrol the token on the reader for the next waiting user.
    Next(TurnArgs),
    /// Enrol token after token until no one is waiting.
    Run(TurnArgs),
    /// Try a parked user again (resuming their enrolment).
    Retry {
        id: String,
        /// The user's place in the queue (from 1, see `batch show`).
        position: u32,
    },
    /// Leave a user out.
    Skip {
        id: String,
        position: u32,
        #[arg(long, default_value = "skipped by the operator")]
        reason: String,
    },
    /// Give a place without a token yet to another user.
    Reassign {
        id: String,
        position: u32,
        upn: String,
    },
    /// Every activated user's handover sheet as one PDF (A4, a page each).
    Sheets {
        id: String,
        #[arg(long)]
        output: PathBuf,
    },
    /// The batch as CSV (user, display name, serial, model, status, time).
    Report {
        id: String,
        /// Write here instead of stdout.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Args)]
#[command(group = clap::ArgGroup::new("users").required(true))]
pub struct StartArgs {
    /// The CSV of users.
    #[arg(long, group = "users")]
    csv: Option<PathBuf>,
    /// An Entra group (its name or object id): its direct user members.
    #[arg(long, group = "users")]
    group: Option<String>,
    /// The batch's name (default: the group's name, or the CSV file's).
    #[arg(long)]
    name: Option<String>,
    #[arg(long, default_value = "sha1", value_parser = parse_algorithm)]
    algorithm: Algorithm,
    /// 30 or 60 seconds.
    #[arg(long, default_value_t = 30)]
    period: u64,
}

#[derive(Args)]
pub struct TurnArgs {
    id: String,
    /// The reader (default: the one with a token on it).
    #[arg(long)]
    reader: Option<String>,
}

fn parse_algorithm(s: &str) -> Result<Algorithm, String> {
    s.parse().map_err(|e: oathdesk_otp::OtpError| e.to_string())
}

impl BatchCommand {
    pub fn run(self, ctx: &Ctx) -> Result<(), CliError> {
        match self {
            BatchCommand::Start(a) => start(ctx, a),
            BatchCommand::List => {
                let all = batch::batches(&station()?)?;
                print(ctx, &all, |all| {
                    all.iter().map(summary).collect::<Vec<_>>().join("\n")
                });
                Ok(())
            }
            BatchCommand::Show { id } => {
                show(ctx, &batch::view(&station()?, &id)?);
                Ok(())
            }
            BatchCommand::Next(a) => {
                let (station, readers, tenant) = (station()?, tokens()?, tenant()?);
                let turn = batch::enrol_next(
                    &station,
                    &readers,
                    &tenant,
                    &a.id,
                    a.reader.as_deref(),
                    &mut progress_to_stderr,
                )?;
                print(ctx, &turn, said);
                Ok(())
            }
            BatchCommand::Run(a) => run(ctx, &a),
            BatchCommand::Retry { id, position } => {
                let (station, readers, tenant) = (station()?, tokens()?, tenant()?);
                let turn = batch::retry(
                    &station,
                    &readers,
                    &tenant,
                    &id,
                    position,
                    &mut progress_to_stderr,
                )?;
                print(ctx, &turn, said);
                Ok(())
            }
            BatchCommand::Skip {
                id,
                position,
                reason,
            } => {
                show(ctx, &batch::skip(&station()?, &id, position, &reason)?);
                Ok(())
            }
            BatchCommand::Reassign { id, position, upn } => {
                show(
                    ctx,
                    &batch::reassign(&station()?, &tenant()?, &id, position, &upn)?,
                );
                Ok(())
            }
            BatchCommand::Sheets { id, output } => {
                let pdf = batch::handover_pdf(&station()?, &id)?;
                std::fs::write(&output, pdf).map_err(|e| {
                    CliError::failure("storage", format!("cannot write {}: {e}", output.display()))
                })?;
                print(ctx, &output.display().to_string(), |p| {
                    format!("sheets written to {p}")
                });
                Ok(())
            }
            BatchCommand::Report { id, output } => {
                let csv = batch::report_csv(&station()?, &id)?;
                match output {
                    Some(path) => std::fs::write(&path, csv).map_err(|e| {
                        CliError::failure(
                            "storage",
                            format!("cannot write {}: {e}", path.display()),
                        )
                    }),
                    None => {
                        print!("{csv}");
                        Ok(())
                    }
                }
            }
        }
    }
}

fn start(ctx: &Ctx, a: StartArgs) -> Result<(), CliError> {
    // A CSV is checked before the tenant is needed (no sign-in for a typo).
    let (named, users, tenant) = match (&a.csv, &a.group) {
        (Some(csv), _) => {
            let file = std::fs::File::open(csv).map_err(|e| {
                CliError::input("csv", format!("cannot read {}: {e}", csv.display()))
            })?;
            let users = batch::read_users(file)?;
            let stem = csv.file_stem().map(|s| s.to_string_lossy().into_owned());
            (stem.unwrap_or_default(), users, tenant()?)
        }
        (None, Some(group)) => {
            let tenant = tenant()?;
            let list = batch::group_users(&tenant, group)?;
            (list.group.name, list.users, tenant)
        }
        (None, None) => unreachable!("clap requires --csv or --group"),
    };
    let new = NewBatch {
        name: a.name.unwrap_or(named),
        algorithm: a.algorithm,
        period: a.period,
        users,
    };
    show(ctx, &batch::start_batch(&station()?, &tenant, &new)?);
    Ok(())
}

fn summary(b: &BatchView) -> String {
    let c = &b.counts;
    format!(
        "{}  {}: {} done, {} waiting, {} failed, {} refused, {} skipped",
        b.info.id, b.info.name, c.done, c.waiting, c.failed, c.refused, c.skipped
    )
}

fn show(ctx: &Ctx, b: &BatchView) {
    print(ctx, b, |b| {
        let mut lines = vec![summary(b)];
        for u in &b.users {
            let why = u
                .reason
                .as_deref()
                .map(|r| format!(" — {r}"))
                .unwrap_or_default();
            let token = u
                .token_serial
                .as_deref()
                .map(|s| format!(" [{s}]"))
                .unwrap_or_default();
            lines.push(format!(
                "  #{} {} {:?}{token}{why}",
                u.position, u.listed.upn, u.status
            ));
        }
        lines.join("\n")
    });
}

fn said(t: &Turn) -> String {
    match t {
        Turn::Enrolled { upn, outcome, .. } => {
            format!("{upn}: {} {} activated", outcome.model, outcome.serial)
        }
        Turn::Parked {
            upn,
            message,
            next_step,
            ..
        } => format!("{upn} parked: {message} {next_step}"),
        Turn::Refused { upn, reason, .. } => format!("{upn} refused: {reason}"),
        Turn::Requeued { upn, .. } => format!("{upn} is waiting again (nothing was burnt)"),
        Turn::Finished => "no one is waiting: the batch is finished".into(),
    }
}

/// How often the loop looks at the reader list (the OS's list only: the
/// tokens themselves are not read until one is there).
const LOOK_EVERY: Duration = Duration::from_millis(250);

/// The desk loop. Its prompts go to stderr as `batch: place …` and
/// `batch: remove …` lines, so a person and a script can both follow.
fn run(ctx: &Ctx, a: &TurnArgs) -> Result<(), CliError> {
    let (station, readers, tenant) = (station()?, tokens()?, tenant()?);
    loop {
        let view = batch::view(&station, &a.id)?;
        let Some(next) = view
            .users
            .iter()
            .find(|u| matches!(u.status, QueueStatus::Waiting | QueueStatus::Enrolling))
        else {
            eprintln!("batch: finished — {}", summary(&view));
            return Ok(());
        };
        eprintln!(
            "batch: place the token for {} (#{})",
            next.listed.upn, next.position
        );
        wait_for(&readers, a.reader.as_deref(), true)?;
        match batch::enrol_next(
            &station,
            &readers,
            &tenant,
            &a.id,
            a.reader.as_deref(),
            &mut progress_to_stderr,
        ) {
            Ok(turn) => print(ctx, &turn, said),
            Err(e) => eprintln!("batch: {e}"),
        }
        eprintln!("batch: remove the token");
        wait_for(&readers, a.reader.as_deref(), false)?;
    }
}

/// Waits until a token is on `reader` (any reader if none is named), or
/// until none is.
fn wait_for(readers: &dyn Readers, reader: Option<&str>, present: bool) -> Result<(), CliError> {
    loop {
        let listed = readers
            .readers()
            .map_err(oathdesk_station::StationError::Token)?;
        let here = |r: &&oathdesk_station::ports::Reader| reader.is_none_or(|n| r.name == n);
        if listed.iter().filter(here).any(|r| r.token_present) == present {
            return Ok(());
        }
        std::thread::sleep(LOOK_EVERY);
    }
}

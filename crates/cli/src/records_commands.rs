//! `journal` and `audit`: what the station recorded.

use std::io::Write;
use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use oathdesk_station::audit::{export_csv, export_json_lines};
use oathdesk_station::keys::KeyringStore;
use oathdesk_station::{Records, StationConfig};

use crate::output::{CliError, Ctx, print};

#[derive(Subcommand)]
pub enum RecordsCommand {
    /// Enrolments in the journal.
    #[command(subcommand)]
    Journal(JournalCommand),
    /// The tamper-evident audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Subcommand)]
pub enum JournalCommand {
    /// List enrolments (pending ones only unless --all).
    List {
        #[arg(long)]
        all: bool,
    },
    /// Finish an interrupted enrolment from the step it reached.
    Resume {
        /// The enrolment id (see `journal list`).
        id: String,
    },
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// List every record, oldest first.
    List,
    /// Check that no record was edited or removed.
    Verify,
    /// Write the log as CSV or JSON lines.
    Export {
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
        /// Write here instead of stdout.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Jsonl,
}

/// Opens the station's records with the key from the OS keyring.
pub fn open_records() -> Result<Records, CliError> {
    let config = StationConfig::from_env();
    Ok(Records::open(
        &config.database_path(),
        &KeyringStore::new(&config.key_profile()),
    )?)
}

impl RecordsCommand {
    pub fn run(self, ctx: &Ctx) -> Result<(), CliError> {
        match self {
            RecordsCommand::Journal(JournalCommand::Resume { id }) => {
                crate::station_commands::resume(ctx, &id)
            }
            RecordsCommand::Journal(JournalCommand::List { all }) => {
                list_journal(ctx, &open_records()?, all)
            }
            RecordsCommand::Audit(cmd) => run_audit(ctx, &open_records()?, cmd),
        }
    }
}

fn list_journal(ctx: &Ctx, records: &Records, all: bool) -> Result<(), CliError> {
    let list = records.enrolments(!all)?;
    print(ctx, &list, |l| {
        let lines: Vec<String> = l
            .iter()
            .map(|e| {
                format!(
                    "{}  {:?}  {}  {}",
                    e.id,
                    e.state,
                    e.user,
                    e.serial.as_deref().unwrap_or("-")
                )
            })
            .collect();
        if lines.is_empty() {
            "no enrolments".into()
        } else {
            lines.join("\n")
        }
    });
    Ok(())
}

fn run_audit(ctx: &Ctx, records: &Records, cmd: AuditCommand) -> Result<(), CliError> {
    match cmd {
        AuditCommand::List => {
            let list = records.audit_records()?;
            print(ctx, &list, |l| {
                l.iter()
                    .map(|r| {
                        format!(
                            "{} {} {} {} {}",
                            r.seq, r.at, r.entry.operator, r.entry.action, r.entry.outcome
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        AuditCommand::Verify => {
            let problems = records.verify_audit()?;
            if !problems.is_empty() {
                let found: Vec<String> = problems.iter().map(ToString::to_string).collect();
                return Err(CliError::failure(
                    "audit_tampered",
                    format!(
                        "the audit log was altered: {}; keep this copy and report it",
                        found.join("; ")
                    ),
                ));
            }
            let count = records.audit_records()?.len();
            print(
                ctx,
                &serde_json::json!({ "intact": true, "records": count }),
                |_| format!("intact: {count} records"),
            );
        }
        AuditCommand::Export { format, output } => {
            let list = records.audit_records()?;
            let mut sink: Box<dyn Write> = match &output {
                Some(path) => Box::new(std::fs::File::create(path).map_err(|e| {
                    CliError::input("output", format!("cannot write {}: {e}", path.display()))
                })?),
                None => Box::new(std::io::stdout()),
            };
            match format {
                ExportFormat::Csv => export_csv(&list, &mut sink)?,
                ExportFormat::Jsonl => export_json_lines(&list, &mut sink)?,
            }
        }
    }
    Ok(())
}

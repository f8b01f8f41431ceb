//! `oathdesk-cli`: the scriptable face of OathDesk. A thin shell: it reads
//! input, calls the core crates, and prints human text or `--json`.
//!
//! Secrets are read from stdin or `OATHDESK_SECRET`, never from arguments
//! (arguments end up in shell history and process listings).

mod batch_commands;
mod desk;
mod device_commands;
mod entra_commands;
mod import_command;
mod input;
mod otp_commands;
mod output;
mod records_commands;
mod scan_commands;
mod signin_commands;
mod station_commands;

use clap::{Parser, Subcommand};

use output::{CliError, Ctx};

#[derive(Parser)]
#[command(
    name = "oathdesk-cli",
    version,
    about = "Program OATH hardware tokens and enrol them in Entra ID"
)]
struct Cli {
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    #[command(flatten)]
    Otp(otp_commands::OtpCommand),
    #[command(flatten)]
    Device(device_commands::DeviceCommand),
    #[command(flatten)]
    Entra(entra_commands::EntraCommand),
    #[command(flatten)]
    Signin(signin_commands::SigninCommand),
    #[command(flatten)]
    Scan(scan_commands::ScanCommand),
    #[command(flatten)]
    Station(station_commands::StationCommand),
    #[command(flatten)]
    Records(records_commands::RecordsCommand),
    /// Enrol new hires in a batch, one token after another.
    #[command(subcommand)]
    Batch(batch_commands::BatchCommand),
}

fn main() {
    let cli = Cli::parse();
    let ctx = Ctx { json: cli.json };
    let result: Result<(), CliError> = match cli.command {
        Command::Otp(c) => c.run(&ctx),
        Command::Device(c) => c.run(&ctx),
        Command::Entra(c) => c.run(&ctx),
        Command::Signin(c) => c.run(&ctx),
        Command::Scan(c) => c.run(&ctx),
        Command::Station(c) => c.run(&ctx),
        Command::Records(c) => c.run(&ctx),
        Command::Batch(c) => c.run(&ctx),
    };
    if let Err(err) = result {
        std::process::exit(output::report_error(&ctx, &err));
    }
}

//! Token commands: devices, info, burn, sync-clock (crate `device`).

use clap::Subcommand;

use crate::output::{CliError, Ctx};

#[derive(Subcommand)]
pub enum DeviceCommand {}

impl DeviceCommand {
    pub fn run(self, _ctx: &Ctx) -> Result<(), CliError> {
        match self {}
    }
}

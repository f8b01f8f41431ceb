//! Entra commands: login, logout, whoami, inventory, users (crate `entra`).

use clap::Subcommand;

use crate::output::{CliError, Ctx};

#[derive(Subcommand)]
pub enum EntraCommand {}

impl EntraCommand {
    pub fn run(self, _ctx: &Ctx) -> Result<(), CliError> {
        match self {}
    }
}

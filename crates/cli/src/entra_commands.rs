//! Entra commands: the hardware-token inventory and user search. Uses the
//! operator's token from `OATHDESK_ACCESS_TOKEN` (interactive sign-in is
//! not built yet). Secrets for `inventory create` come from stdin.

use clap::{Args, Subcommand};
use oathdesk_entra::{DeviceFilter, GraphClient, NewHardwareOathDevice};
use oathdesk_otp::{Algorithm, CodeParams};
use serde_json::json;

use crate::desk;
use crate::input::read_secret_input;
use crate::output::{CliError, Ctx, print};

#[derive(Subcommand)]
pub enum EntraCommand {
    /// The tenant's hardware OATH tokens.
    #[command(subcommand)]
    Inventory(InventoryCommand),
    /// Find users.
    #[command(subcommand)]
    Users(UsersCommand),
}

#[derive(Subcommand)]
pub enum InventoryCommand {
    /// List tokens (all pages), optionally by serial or status.
    List {
        #[arg(long)]
        serial: Option<String>,
        /// available, assigned, activated or failedActivation.
        #[arg(long)]
        status: Option<String>,
    },
    /// One token by inventory id.
    Show { id: String },
    /// Add a token (secret on stdin, base32 or otpauth URI).
    Create(CreateArgs),
    /// Add tokens from a legacy Entra CSV (`upn,serial number,secret key,
    /// time interval,manufacturer,model`); each row is checked first, and a
    /// serial already in the inventory is left alone.
    Import {
        /// The CSV file.
        file: std::path::PathBuf,
    },
    /// Assign a token to a user.
    Assign {
        id: String,
        #[arg(long)]
        user: String,
    },
    /// Activate a user's token with the code it shows now.
    Activate {
        id: String,
        #[arg(long)]
        user: String,
        #[arg(long)]
        code: String,
    },
    /// Take a token back from its user (it becomes available).
    Unassign {
        id: String,
        #[arg(long)]
        user: String,
    },
    /// Remove an unassigned token from the inventory.
    Delete { id: String },
}

#[derive(Args)]
pub struct CreateArgs {
    #[arg(long)]
    serial: String,
    #[arg(long, default_value = "Token2")]
    manufacturer: String,
    #[arg(long)]
    model: String,
    #[arg(long, default_value = "sha1", value_parser = |s: &str| s.parse::<Algorithm>().map_err(|e| e.to_string()))]
    algorithm: Algorithm,
    #[arg(long, default_value_t = 30)]
    period: u64,
    /// Assign to this user (UPN or object id) at creation.
    #[arg(long)]
    user: Option<String>,
}

#[derive(Subcommand)]
pub enum UsersCommand {
    /// Users whose sign-in name starts with PREFIX.
    Search { prefix: String },
}

fn graph() -> Result<GraphClient, CliError> {
    Ok(desk::tenant()?.client)
}

impl From<oathdesk_entra::EntraError> for CliError {
    fn from(e: oathdesk_entra::EntraError) -> Self {
        let kind = serde_json::to_value(e.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let mut message = format!("{} {}", e.message, e.next_step());
        if let Some(id) = &e.request_id {
            message.push_str(&format!(" (request-id {id})"));
        }
        CliError::failure(&format!("entra_{kind}"), message)
    }
}

impl EntraCommand {
    pub fn run(self, ctx: &Ctx) -> Result<(), CliError> {
        match self {
            EntraCommand::Inventory(c) => inventory(ctx, c),
            EntraCommand::Users(UsersCommand::Search { prefix }) => {
                let users = graph()?.search_users(&prefix)?;
                print(ctx, &users, |us| {
                    us.iter()
                        .map(|u| u.user_principal_name.clone())
                        .collect::<Vec<_>>()
                        .join("\n")
                });
                Ok(())
            }
        }
    }
}

fn inventory(ctx: &Ctx, c: InventoryCommand) -> Result<(), CliError> {
    let g = graph()?;
    let done = |what: &str| json!({ "ok": what });
    match c {
        InventoryCommand::List { serial, status } => {
            let list = g.list_devices(&DeviceFilter { serial, status })?;
            print(ctx, &list, |l| {
                l.iter()
                    .map(|d| {
                        format!(
                            "{}  {}  {:?}  {}",
                            d.id,
                            d.serial_number,
                            d.status,
                            d.assigned_to.as_ref().map_or("-", |a| a.id.as_str())
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        InventoryCommand::Show { id } => {
            let d = g.get_device(&id)?;
            print(ctx, &d, |d| format!("{d:?}"));
        }
        InventoryCommand::Create(a) => {
            let text = read_secret_input()?;
            let seed = oathdesk_station::seeds::from_text(&text, None, "stdin")?;
            let params = CodeParams {
                algorithm: a.algorithm,
                digits: 6,
                period: a.period,
            };
            let new = NewHardwareOathDevice {
                serial_number: &a.serial,
                manufacturer: &a.manufacturer,
                model: &a.model,
                secret: &seed.credential.secret,
                params,
                display_name: None,
                assign_to: a.user.as_deref(),
            };
            let d = g.create_device(&new)?;
            print(ctx, &d, |d| {
                format!("created {} ({})", d.id, d.serial_number)
            });
        }
        InventoryCommand::Import { file } => {
            let report = crate::import::import_csv(&g, &file)?;
            print(ctx, &report, |r| {
                format!(
                    "created {}, skipped {}, refused {}",
                    r.created.len(),
                    r.skipped.len(),
                    r.refused.len()
                )
            });
        }
        InventoryCommand::Assign { id, user } => {
            g.assign(&user, &id)?;
            print(ctx, &done("assigned"), |_| {
                format!("{id} assigned to {user}")
            });
        }
        InventoryCommand::Activate { id, user, code } => {
            g.activate(&user, &id, &code)?;
            print(ctx, &done("activated"), |_| {
                format!("{id} activated for {user}")
            });
        }
        InventoryCommand::Unassign { id, user } => {
            g.unassign(&user, &id)?;
            print(ctx, &done("unassigned"), |_| {
                format!("{id} unassigned from {user}")
            });
        }
        InventoryCommand::Delete { id } => {
            g.delete_device(&id)?;
            print(ctx, &done("deleted"), |_| format!("{id} deleted"));
        }
    }
    Ok(())
}

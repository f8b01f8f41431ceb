//! Entra commands: the hardware-token inventory and user search, each a
//! station workflow (which checks the input and audits every write). Acts
//! as the signed-in operator, or with `OATHDESK_ACCESS_TOKEN`. Secrets for
//! `inventory create` come from stdin.

use clap::{Args, Subcommand};
use oathdesk_otp::{Algorithm, CodeParams};
use oathdesk_station::ports::{DeviceQuery, InventoryEntry, NewDevice, UserMatch};
use oathdesk_station::workflow::{inventory, search_users};
use serde_json::{Value, json};

use crate::desk::{station, tenant};
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
    /// Add tokens from a vendor's seed file: Token2 JSON or CSV, Entra's
    /// legacy CSV or PSKC, OpenPGP-encrypted or not. Every record is
    /// checked before Graph is called; a serial already in the inventory is
    /// left alone. Passphrases: a prompt, or OATHDESK_IMPORT_PASSPHRASE
    /// (OpenPGP key) and OATHDESK_PSKC_PASSPHRASE.
    Import(crate::import_command::ImportArgs),
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
    /// Entra's tokens against this desk's journal and audit log: numbered
    /// findings (burnt here but missing in Entra, never seen here,
    /// duplicate serials, tokens of disabled or deleted users), each with
    /// a fix. Reads only, unless --fix N.
    Reconcile {
        /// Apply the fix of finding N (as the list numbers it).
        #[arg(long, value_name = "N")]
        fix: Option<usize>,
        /// Confirm a fix that changes Entra (delete, unassign).
        #[arg(long)]
        yes: bool,
    },
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

impl EntraCommand {
    pub fn run(self, ctx: &Ctx) -> Result<(), CliError> {
        match self {
            EntraCommand::Inventory(c) => inventory(ctx, c),
            EntraCommand::Users(UsersCommand::Search { prefix }) => {
                let users: Vec<Value> = search_users(&tenant()?, &prefix)?
                    .iter()
                    .map(user_json)
                    .collect();
                print(ctx, &users, |us| {
                    us.iter()
                        .map(|u| u["user_principal_name"].as_str().unwrap_or_default())
                        .collect::<Vec<_>>()
                        .join("\n")
                });
                Ok(())
            }
        }
    }
}

fn inventory(ctx: &Ctx, c: InventoryCommand) -> Result<(), CliError> {
    let done = |what: &str| json!({ "ok": what });
    match c {
        InventoryCommand::List { serial, status } => {
            let query = DeviceQuery::from_input(status.as_deref(), serial.as_deref())?;
            let list = inventory::list_all(&tenant()?, &query)?;
            print(
                ctx,
                &list.iter().map(device_json).collect::<Vec<_>>(),
                |_| list.iter().map(list_line).collect::<Vec<_>>().join("\n"),
            );
        }
        InventoryCommand::Show { id } => {
            let d = inventory::show(&tenant()?, &id)?;
            print(ctx, &device_json(&d), |_| format!("{d:?}"));
        }
        InventoryCommand::Create(a) => {
            let d = create(&a)?;
            print(ctx, &device_json(&d), |_| {
                format!("created {} ({})", d.device.id, d.device.serial)
            });
        }
        InventoryCommand::Import(a) => crate::import_command::run(ctx, a)?,
        InventoryCommand::Assign { id, user } => {
            inventory::assign(&station()?, &tenant()?, &id, &user)?;
            print(ctx, &done("assigned"), |_| {
                format!("{id} assigned to {user}")
            });
        }
        InventoryCommand::Activate { id, user, code } => {
            inventory::activate(&station()?, &tenant()?, &id, &user, &code)?;
            print(ctx, &done("activated"), |_| {
                format!("{id} activated for {user}")
            });
        }
        InventoryCommand::Unassign { id, user } => {
            inventory::unassign(&station()?, &tenant()?, &id, &user)?;
            print(ctx, &done("unassigned"), |_| {
                format!("{id} unassigned from {user}")
            });
        }
        InventoryCommand::Delete { id } => {
            inventory::delete(&station()?, &tenant()?, &id)?;
            print(ctx, &done("deleted"), |_| format!("{id} deleted"));
        }
        InventoryCommand::Reconcile { fix, yes } => reconcile(ctx, fix, yes)?,
    }
    Ok(())
}

/// `inventory reconcile [--fix N [--yes]]`.
fn reconcile(ctx: &Ctx, fix: Option<usize>, yes: bool) -> Result<(), CliError> {
    let (station, tenant) = (station()?, tenant()?);
    let found = inventory::reconcile::reconcile(&station, &tenant)?;
    let Some(n) = fix else {
        print(ctx, &found.findings, |fs| match fs.is_empty() {
            true => "nothing to reconcile: Entra and this desk agree".into(),
            false => fs.iter().map(finding_line).collect::<Vec<_>>().join("\n"),
        });
        return Ok(());
    };
    let finding = found
        .findings
        .iter()
        .find(|f| f.number == n)
        .ok_or_else(|| {
            CliError::input(
                "fix",
                format!(
                    "there is no finding {n} (there are {}); run `inventory reconcile` to see them",
                    found.findings.len()
                ),
            )
        })?;
    if finding.fix.is_destructive() && !yes {
        return Err(CliError::input(
            "fix",
            format!(
                "finding {n}'s fix changes Entra ({}); add --yes to confirm",
                fix_text(&finding.fix)
            ),
        ));
    }
    let request = inventory::FixRequest {
        fix: finding.fix.clone(),
        confirmed: yes,
    };
    let outcome = inventory::reconcile::fix(&station, &tenant, &request)?;
    print(ctx, &outcome, |o| match o {
        inventory::FixOutcome::Applied { message } | inventory::FixOutcome::Advice { message } => {
            message.clone()
        }
        inventory::FixOutcome::Resume { enrolment_id } => {
            format!("resume it: oathdesk-cli journal resume {enrolment_id}")
        }
    });
    Ok(())
}

fn finding_line(f: &inventory::Finding) -> String {
    format!(
        "{:>3}. {}\n     fix: {}",
        f.number,
        f.meaning,
        fix_text(&f.fix)
    )
}

fn fix_text(fix: &inventory::Fix) -> String {
    use inventory::Fix;
    match fix {
        Fix::None => "none needed".into(),
        Fix::Resume { enrolment_id } => format!("resume enrolment {enrolment_id}"),
        Fix::ReEnrol { user, .. } => format!("enrol {user} again"),
        Fix::Delete {
            device_id,
            keep_device_id,
            ..
        } => format!("delete {device_id}, keep {keep_device_id}"),
        Fix::Unassign {
            device_id, user_id, ..
        } => format!("unassign {device_id} from {user_id}"),
    }
}

/// `inventory create`: the secret from stdin, the settings from the flags.
fn create(a: &CreateArgs) -> Result<InventoryEntry, CliError> {
    let text = read_secret_input()?;
    let seed = oathdesk_station::seeds::from_text(&text, None, "stdin")?;
    let new = NewDevice {
        serial: &a.serial,
        manufacturer: &a.manufacturer,
        model: &a.model,
        secret: &seed.credential.secret,
        params: CodeParams {
            algorithm: a.algorithm,
            digits: 6,
            period: a.period,
        },
        assign_to: a.user.as_deref(),
    };
    Ok(inventory::create(&station()?, &tenant()?, &new)?)
}

fn list_line(d: &InventoryEntry) -> String {
    format!(
        "{}  {}  {:?}  {}",
        d.device.id,
        d.device.serial,
        d.device.status,
        d.device.assigned_to.as_deref().unwrap_or("-")
    )
}

/// A token in the JSON shape `--json` has always printed (Graph's names).
fn device_json(d: &InventoryEntry) -> Value {
    let assigned = d
        .device
        .assigned_to
        .as_ref()
        .map(|id| json!({"id": id, "display_name": d.assignee_name}));
    json!({
        "id": d.device.id,
        "serial_number": d.device.serial,
        "manufacturer": d.manufacturer,
        "model": d.model,
        "display_name": d.display_name,
        "time_interval_in_seconds": d.device.params.period,
        "hash_function": d.device.params.algorithm,
        "status": d.device.status,
        "assigned_to": assigned,
        "last_used": d.last_used,
    })
}

/// A user in the JSON shape `users search --json` has always printed.
pub fn user_json(u: &UserMatch) -> Value {
    json!({"id": u.id, "user_principal_name": u.upn, "display_name": u.display_name})
}

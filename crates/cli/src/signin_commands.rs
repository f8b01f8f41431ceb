//! `login`, `logout`, `whoami`: the station's sign-in, as the app does it.
//! The sign-in settings (authority, tenant, client id — nothing secret) are
//! remembered in the data directory; the refresh token is kept in the OS
//! keyring.

use clap::{Args, Subcommand};
use oathdesk_entra::EntraError;
use oathdesk_station::sign_in::{
    self, Authority, BrowserOpener, SignInCancel, SignInWith, SystemBrowser,
};
use serde_json::json;

use crate::desk::{station, tenant};
use crate::entra_commands::user_json;
use crate::output::{CliError, Ctx, print};

#[derive(Subcommand)]
pub enum SigninCommand {
    /// Sign in as the operator (browser with PKCE, or --device-code).
    Login(LoginArgs),
    /// Sign out: forget the refresh token.
    Logout,
    /// Who is signed in.
    Whoami,
}

#[derive(Args)]
pub struct LoginArgs {
    /// Tenant id or domain (default: organizations).
    #[arg(long)]
    tenant: Option<String>,
    /// Use the device code flow (for machines without a browser).
    #[arg(long)]
    device_code: bool,
    /// The app registration's client id.
    #[arg(long, env = "OATHDESK_CLIENT_ID")]
    client_id: Option<String>,
}

/// Prints the sign-in URL instead of opening a browser
/// (`OATHDESK_BROWSER=none`, for remote shells and tests).
struct PrintUrl;

impl BrowserOpener for PrintUrl {
    fn open(&self, url: &str) -> Result<(), EntraError> {
        eprintln!("sign-in: open {url}");
        Ok(())
    }
}

impl SigninCommand {
    pub fn run(self, ctx: &Ctx) -> Result<(), CliError> {
        match self {
            SigninCommand::Login(a) => login(ctx, a),
            SigninCommand::Logout => {
                sign_in::sign_out(&station()?)?;
                print(ctx, &json!({"signed_in": false}), |_| "signed out".into());
                Ok(())
            }
            SigninCommand::Whoami => {
                let me = sign_in::who_am_i(&tenant()?)?;
                print(ctx, &user_json(&me), |_| {
                    format!(
                        "{} ({})",
                        me.upn,
                        me.display_name.clone().unwrap_or_default()
                    )
                });
                Ok(())
            }
        }
    }
}

fn login(ctx: &Ctx, a: LoginArgs) -> Result<(), CliError> {
    let client_id = a.client_id.ok_or_else(|| {
        CliError::input(
            "client_id",
            "set OATHDESK_CLIENT_ID (or --client-id) to your OathDesk app registration's client id",
        )
    })?;
    let authority = Authority {
        authority: sign_in::authority_url(),
        tenant: a.tenant.unwrap_or_else(|| "organizations".into()),
        client_id,
    };
    let cancel = SignInCancel::default();
    let mut show_code =
        |code: &str, uri: &str| eprintln!("sign-in: enter the code {code} at {uri}");
    let with = if a.device_code {
        SignInWith::DeviceCode(&mut show_code)
    } else if std::env::var("OATHDESK_BROWSER").as_deref() == Ok("none") {
        SignInWith::Browser {
            opener: &PrintUrl,
            cancel: &cancel,
        }
    } else {
        SignInWith::Browser {
            opener: &SystemBrowser,
            cancel: &cancel,
        }
    };
    let me = sign_in::sign_in(&station()?, &authority, with)?;
    print(
        ctx,
        &json!({"signed_in": true, "tenant": me.tenant, "upn": me.upn}),
        |_| format!("signed in as {}", me.upn),
    );
    Ok(())
}

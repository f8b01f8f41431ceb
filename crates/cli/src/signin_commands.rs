//! `login`, `logout`, `whoami`. The sign-in settings (authority, tenant,
//! client id — nothing secret) are remembered in the data directory; the
//! refresh token is kept in the OS keyring.

use clap::{Args, Subcommand};
use oathdesk_entra::signin::{
    Authority, BrowserOpener, KeyringTokenStore, SignInCancel, SystemBrowser, login_device_code,
    login_pkce, sign_out,
};
use oathdesk_entra::{EntraError, ErrorKind};
use oathdesk_station::{StationConfig, sign_in};
use serde_json::json;

use crate::desk;
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
    /// The identity platform (default https://login.microsoftonline.com).
    #[arg(long, env = "OATHDESK_AUTHORITY")]
    authority: Option<String>,
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
                let config = StationConfig::from_env();
                if let Some(r) = sign_in::remembered(&config) {
                    sign_out(&KeyringTokenStore::new(&r.authority))?;
                }
                sign_in::forget(&config);
                print(ctx, &json!({"signed_in": false}), |_| "signed out".into());
                Ok(())
            }
            SigninCommand::Whoami => {
                let me = desk::tenant()?.client.me()?;
                print(ctx, &me, |u| {
                    format!(
                        "{} ({})",
                        u.user_principal_name,
                        u.display_name.clone().unwrap_or_default()
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
        authority: a.authority.unwrap_or_else(sign_in::authority_url),
        tenant: a.tenant.unwrap_or_else(|| "organizations".into()),
        client_id,
    };
    let store = KeyringTokenStore::new(&authority);
    let result = if a.device_code {
        login_device_code(&authority, &store, &mut |code, uri| {
            eprintln!("sign-in: enter the code {code} at {uri}")
        })
    } else if std::env::var("OATHDESK_BROWSER").as_deref() == Ok("none") {
        login_pkce(&authority, &PrintUrl, &store, &SignInCancel::default())
    } else {
        login_pkce(&authority, &SystemBrowser, &store, &SignInCancel::default())
    };
    let access = result.map_err(|e| {
        if e.kind == ErrorKind::Other {
            CliError::failure("signin", e.message)
        } else {
            e.into()
        }
    })?;
    let graph = oathdesk_entra::GraphClient::builder()
        .graph_base(&sign_in::graph_url())
        .token_source(oathdesk_entra::StaticToken(access.to_string()))
        .build()?;
    let me = graph.me()?;
    sign_in::remember(
        &StationConfig::from_env(),
        &authority,
        Some(&me.user_principal_name),
    )?;
    print(
        ctx,
        &json!({"signed_in": true, "tenant": authority.tenant, "upn": me.user_principal_name}),
        |v| format!("signed in as {}", v["upn"].as_str().unwrap_or_default()),
    );
    Ok(())
}

//! `login`, `logout`, `whoami`. The sign-in settings (authority, tenant,
//! client id — nothing secret) are remembered in the data directory; the
//! refresh token is kept in the OS keyring.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use oathdesk_entra::signin::{
    Authority, BrowserOpener, KeyringTokenStore, SystemBrowser, login_device_code, login_pkce,
    sign_out,
};
use oathdesk_entra::{EntraError, ErrorKind};
use oathdesk_station::StationConfig;
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

fn settings_path() -> PathBuf {
    StationConfig::from_env().data_dir.join("signin.json")
}

/// The remembered sign-in settings, if any.
pub fn remembered() -> Option<Authority> {
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(settings_path()).ok()?).ok()?;
    Some(Authority {
        authority: v["authority"].as_str()?.into(),
        tenant: v["tenant"].as_str()?.into(),
        client_id: v["client_id"].as_str()?.into(),
    })
}

/// The signed-in operator's UPN, for the audit log.
pub fn remembered_operator() -> Option<String> {
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(settings_path()).ok()?).ok()?;
    v["upn"].as_str().map(str::to_string)
}

fn remember(a: &Authority, upn: &str) -> Result<(), CliError> {
    let path = settings_path();
    let body =
        json!({"authority": a.authority, "tenant": a.tenant, "client_id": a.client_id, "upn": upn});
    std::fs::create_dir_all(path.parent().expect("a data directory"))
        .and_then(|_| std::fs::write(&path, body.to_string()))
        .map_err(|e| CliError::failure("settings", format!("cannot write {}: {e}", path.display())))
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
                if let Some(a) = remembered() {
                    sign_out(&KeyringTokenStore::new(&a))?;
                }
                let _ = std::fs::remove_file(settings_path());
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
        authority: a
            .authority
            .unwrap_or_else(|| "https://login.microsoftonline.com".into()),
        tenant: a.tenant.unwrap_or_else(|| "organizations".into()),
        client_id,
    };
    let store = KeyringTokenStore::new(&authority);
    let result = if a.device_code {
        login_device_code(&authority, &store, &mut |code, uri| {
            eprintln!("sign-in: enter the code {code} at {uri}")
        })
    } else if std::env::var("OATHDESK_BROWSER").as_deref() == Ok("none") {
        login_pkce(&authority, &PrintUrl, &store)
    } else {
        login_pkce(&authority, &SystemBrowser, &store)
    };
    let access = result.map_err(|e| {
        if e.kind == ErrorKind::Other {
            CliError::failure("signin", e.message)
        } else {
            e.into()
        }
    })?;
    let url = std::env::var("OATHDESK_GRAPH_URL")
        .unwrap_or_else(|_| "https://graph.microsoft.com".into());
    let graph = oathdesk_entra::GraphClient::builder()
        .graph_base(&url)
        .token_source(oathdesk_entra::StaticToken(access.to_string()))
        .build()?;
    let me = graph.me()?;
    remember(&authority, &me.user_principal_name)?;
    print(
        ctx,
        &json!({"signed_in": true, "tenant": authority.tenant, "upn": me.user_principal_name}),
        |v| format!("signed in as {}", v["upn"].as_str().unwrap_or_default()),
    );
    Ok(())
}

//! Settings: the tenant and app registration to sign in with, sign-in and
//! sign-out, and the device profiles the app knows.

use oathdesk_device::profiles::Profiles;
use oathdesk_entra::EntraError;
use oathdesk_station::sign_in::{self, Authority, BrowserOpener, SignInWith, SystemBrowser};
use tauri::{AppHandle, Emitter, State};

use super::desk::{DESK_CHANGED, read_readers, signin_view};
use crate::context::{AppState, DeskContext, blocking};
use crate::error::{AppError, CommandResult};
use crate::views::{ProfileView, SignInPage, SignInView};

#[tauri::command]
pub fn device_profiles() -> Vec<ProfileView> {
    Profiles::builtin()
        .all()
        .iter()
        .map(ProfileView::from)
        .collect()
}

fn not_in_demo(d: &DeskContext) -> CommandResult<()> {
    if d.is_demo() {
        return Err(AppError::bad_input(
            "The training desk is always signed in to its sandbox tenant.",
            "Restart OathDesk without --demo to sign in to your tenant.",
        ));
    }
    Ok(())
}

#[tauri::command]
pub async fn save_signin_settings(
    state: State<'_, AppState>,
    tenant: String,
    client_id: String,
) -> CommandResult<SignInView> {
    let (tenant, client_id) = (tenant.trim().to_string(), client_id.trim().to_string());
    if tenant.is_empty() || client_id.is_empty() {
        return Err(AppError::bad_input(
            "Both the tenant and the client id are needed.",
            "Enter your tenant's domain or id, and the client id of the OathDesk app registration.",
        ));
    }
    blocking(&state, move |d| {
        not_in_demo(d)?;
        let authority = Authority {
            authority: sign_in::authority_url(),
            tenant,
            client_id,
        };
        sign_in::remember(d.station.config(), &authority, None)?;
        Ok(signin_view(d))
    })
    .await
}

/// The event that shows the window the sign-in page's address.
pub const SIGN_IN_PAGE: &str = "sign-in-page";

/// Opens the sign-in page in the system browser and shows its address in
/// the window as well, so the operator can open it by hand when no browser
/// started.
struct BrowserAndWindow(AppHandle);

impl BrowserOpener for BrowserAndWindow {
    fn open(&self, url: &str) -> Result<(), EntraError> {
        let browser_opened = SystemBrowser.open(url).is_ok();
        let page = SignInPage {
            url: url.to_string(),
            browser_opened,
        };
        let _ = self.0.emit(SIGN_IN_PAGE, page);
        Ok(())
    }
}

/// Signs in through the system browser (PKCE on loopback; the station's
/// sign-in, audited), then acts as the new operator: the desk is reopened
/// with their name in the audit log.
/// Waits for the browser until `cancel_sign_in`; a new sign-in replaces a
/// waiting one.
#[tauri::command]
pub async fn sign_in(app: AppHandle, state: State<'_, AppState>) -> CommandResult<SignInView> {
    let cancel = state.begin_sign_in();
    let this_sign_in = cancel.clone();
    let browser = BrowserAndWindow(app.clone());
    let signed_in = blocking(&state, move |d| {
        not_in_demo(d)?;
        let r = sign_in::remembered(d.station.config()).ok_or_else(|| {
            AppError::bad_input(
                "No tenant is configured.",
                "Enter the tenant and client id, and save.",
            )
        })?;
        let with = SignInWith::Browser {
            opener: &browser,
            cancel: &cancel,
        };
        sign_in::sign_in(&d.station, &r.authority, with)?;
        Ok(())
    })
    .await;
    state.end_sign_in(&this_sign_in);
    signed_in?;
    reopen(&app, &state).await
}

/// Stops a sign-in that waits for the browser; it ends as `cancelled`.
#[tauri::command]
pub async fn cancel_sign_in(state: State<'_, AppState>) -> CommandResult<()> {
    state.cancel_sign_in();
    Ok(())
}

/// Signs out as the CLI's `logout` does (the station's sign-out, audited):
/// the refresh token and the operator are forgotten, the tenant and client
/// id stay for the next sign-in.
#[tauri::command]
pub async fn sign_out(app: AppHandle, state: State<'_, AppState>) -> CommandResult<SignInView> {
    blocking(&state, |d| {
        not_in_demo(d)?;
        Ok(sign_in::sign_out(&d.station)?)
    })
    .await?;
    reopen(&app, &state).await
}

/// Reopens the real desk as whoever is now signed in.
async fn reopen(app: &AppHandle, state: &AppState) -> CommandResult<SignInView> {
    let desk = tauri::async_runtime::spawn_blocking(DeskContext::real)
        .await
        .map_err(|e| AppError::new("internal", e.to_string(), None))??;
    state.replace(desk);
    if let Ok(readers) = blocking(state, read_readers).await {
        let _ = app.emit(DESK_CHANGED, readers);
    }
    blocking(state, |d| Ok(signin_view(d))).await
}

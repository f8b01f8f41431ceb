//! The Desk screen: readers and their tokens, app status, the training desk.

use oathdesk_station::ports::{Placement, Readers, TokenFailure};
use oathdesk_station::sign_in;
use oathdesk_station::workflow::{self, DeleteRequest, Deleted};
use tauri::{AppHandle, Emitter, State};

use crate::context::{AppState, DeskContext, blocking, on_tokens};
use crate::demo;
use crate::error::CommandResult;
use crate::views::{AppStatus, ReaderView, SignInView, TokenView};

/// The event the window listens to for insert/removal.
pub const DESK_CHANGED: &str = "desk-changed";

#[tauri::command]
pub async fn app_status(state: State<'_, AppState>) -> CommandResult<AppStatus> {
    blocking(&state, |d| Ok(status(d))).await
}

#[tauri::command]
pub async fn desk_readers(state: State<'_, AppState>) -> CommandResult<Vec<ReaderView>> {
    blocking(&state, read_readers).await
}

/// The window says the Desk is interactive. With `OATHDESK_REPORT_STARTUP`
/// set, which desk it is and the moment (Unix ms) are printed: for
/// scripts/bench-app.sh, which measures cold start from before it launched
/// the app, and for tests/package/deb-smoke.sh, which opens the installed
/// app's training desk.
#[tauri::command]
pub fn desk_interactive(state: State<'_, AppState>) {
    if std::env::var_os("OATHDESK_REPORT_STARTUP").is_some() {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let desk = match state.desk().is_demo() {
            true => "the training desk",
            false => "the real desk",
        };
        eprintln!("startup: {desk} is shown");
        eprintln!("startup: desk interactive at {ms}");
    }
}

/// Replaces the desk with the training desk (virtual tokens, sandbox).
#[tauri::command]
pub async fn start_demo(app: AppHandle, state: State<'_, AppState>) -> CommandResult<AppStatus> {
    let desk = tauri::async_runtime::spawn_blocking(demo::open)
        .await
        .map_err(|e| crate::error::AppError::new("internal", e.to_string(), None))??;
    state.replace(desk);
    let readers = blocking(&state, read_readers).await?;
    let _ = app.emit(DESK_CHANGED, readers);
    blocking(&state, |d| Ok(status(d))).await
}

/// Deletes the seed in `slot` (Molto2) or named `label` (YKOATH, PIN+)
/// from the token on `reader`, after the window's confirmation.
#[tauri::command]
pub async fn delete_seed(
    state: State<'_, AppState>,
    reader: String,
    slot: Option<u8>,
    label: Option<String>,
) -> CommandResult<Deleted> {
    let request = DeleteRequest {
        reader: Some(reader),
        place: Placement {
            slot,
            label,
            ..Default::default()
        },
    };
    on_tokens(&state, move |d, tokens| {
        Ok(workflow::delete_seed(&d.station, tokens, &request)?)
    })
    .await
}

/// Every reader, and what the token on it says about itself. The training
/// desk shows only the readers holding its tokens: the private pcscd's
/// sixteen virtual readers would otherwise fill the Desk with empty ones
/// (at a real desk an empty reader is worth seeing).
pub fn read_readers(d: &DeskContext) -> CommandResult<Vec<ReaderView>> {
    d.with_tokens(|tokens| {
        let readers = tokens.readers()?;
        Ok(readers
            .into_iter()
            .filter(|r| r.token_present || !d.is_demo())
            .map(|r| {
                let read = r.token_present.then(|| read_token(tokens, &r.name));
                let (token, error) = match read {
                    None => (None, None),
                    Some(Ok(view)) => (Some(view), None),
                    Some(Err(f)) => (None, Some(format!("{} {}", f.message, f.next_step))),
                };
                ReaderView {
                    name: r.name,
                    token,
                    error,
                }
            })
            .collect())
    })
}

/// The token on `reader`: its facts and its slots or credentials.
fn read_token(tokens: &dyn Readers, reader: &str) -> Result<TokenView, TokenFailure> {
    let mut token = tokens.open(Some(reader))?;
    let slots = token.slots()?;
    Ok(TokenView::new(token.facts().clone(), slots))
}

pub fn status(d: &DeskContext) -> AppStatus {
    let signin = signin_view(d);
    let demo_reason = if d.is_demo() {
        Some(
            "The training desk: virtual tokens and a sandbox tenant; nothing real is changed."
                .into(),
        )
    } else {
        let has_reader = d
            .with_tokens(|t| Ok(!t.readers()?.is_empty()))
            .unwrap_or(false);
        demo::reason_to_offer(has_reader, signin.signed_in)
    };
    AppStatus {
        demo: d.is_demo(),
        demo_reason,
        not_microsoft: if d.is_demo() {
            None
        } else {
            sign_in::not_microsoft()
        },
        signin,
        version: env!("CARGO_PKG_VERSION"),
    }
}

pub fn signin_view(d: &DeskContext) -> SignInView {
    if let Some(t) = &d.demo {
        return SignInView {
            signed_in: true,
            operator: Some(demo::DEMO_OPERATOR.into()),
            tenant: Some("contoso.demo (sandbox)".into()),
            client_id: None,
            authority: "sandbox".into(),
            graph_url: t.sandbox.base_url(),
        };
    }
    let config = d.station.config();
    let remembered = sign_in::remembered(config);
    let scripted = std::env::var_os("OATHDESK_ACCESS_TOKEN").is_some();
    let upn = remembered.as_ref().and_then(|r| r.upn.clone());
    SignInView {
        signed_in: scripted || upn.is_some(),
        operator: upn.or_else(|| scripted.then(|| "access token (OATHDESK_ACCESS_TOKEN)".into())),
        tenant: remembered.as_ref().map(|r| r.authority.tenant.clone()),
        client_id: remembered.as_ref().map(|r| r.authority.client_id.clone()),
        authority: remembered
            .map(|r| r.authority.authority)
            .unwrap_or_else(sign_in::authority_url),
        graph_url: sign_in::graph_url(),
    }
}

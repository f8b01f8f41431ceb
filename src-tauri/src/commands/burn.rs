//! Burn from QR: getting a seed (screen, file, drop, paste, clipboard,
//! generator), holding it without showing it, and burning it. The window
//! only ever gets the seed's id and description; the secret crosses to it
//! only through `reveal_seed`.

use oathdesk_otp::{Algorithm, CodeParams, TotpCode, totp_at};
use oathdesk_station::audit::{AuditAction, AuditEntry};
use oathdesk_station::clock::now_unix;
use oathdesk_station::ports::Placement;
use oathdesk_station::seeds::{self, SeedInput, SystemClipboard, XcapScreens};
use oathdesk_station::workflow::{self, BurnChoices, BurnOutcome, Progress};
use serde::Deserialize;
use tauri::State;
use tauri::ipc::Channel;
use zeroize::Zeroizing;

use super::progress_to;
use crate::context::{AppState, DeskContext, blocking, on_tokens};
use crate::error::CommandResult;
use crate::views::SeedView;

/// Keeps a scanned seed and describes it.
fn hold(d: &DeskContext, seed: SeedInput) -> SeedView {
    let view = SeedView::of(String::new(), &seed);
    SeedView {
        id: d.station.seeds.keep(seed),
        ..view
    }
}

#[tauri::command]
pub async fn scan_screen(state: State<'_, AppState>) -> CommandResult<SeedView> {
    blocking(&state, |d| Ok(hold(d, seeds::from_screens(&XcapScreens)?))).await
}

#[tauri::command]
pub async fn scan_clipboard(state: State<'_, AppState>) -> CommandResult<SeedView> {
    blocking(&state, |d| {
        Ok(hold(d, seeds::from_clipboard(&mut SystemClipboard)?))
    })
    .await
}

/// An image's bytes, from the file picker or a drop.
#[tauri::command]
pub async fn scan_image(
    state: State<'_, AppState>,
    bytes: Vec<u8>,
    origin: String,
) -> CommandResult<SeedView> {
    let bytes = Zeroizing::new(bytes);
    blocking(&state, move |d| {
        Ok(hold(d, seeds::from_image_bytes(&bytes, &origin)?))
    })
    .await
}

/// Pasted text: an otpauth URI or a bare secret.
#[tauri::command]
pub async fn scan_text(state: State<'_, AppState>, text: String) -> CommandResult<SeedView> {
    let text = Zeroizing::new(text);
    blocking(&state, move |d| {
        Ok(hold(d, seeds::from_text(&text, None, "pasted text")?))
    })
    .await
}

#[tauri::command]
pub async fn generate_seed(
    state: State<'_, AppState>,
    algorithm: Algorithm,
) -> CommandResult<SeedView> {
    blocking(&state, move |d| {
        Ok(hold(d, SeedInput::generated(algorithm)))
    })
    .await
}

/// The secret in base32, on the operator's explicit "reveal"; audited.
#[tauri::command]
pub async fn reveal_seed(state: State<'_, AppState>, id: String) -> CommandResult<String> {
    blocking(&state, move |d| {
        let secret = d.station.seeds.reveal(&id)?;
        d.station.audit(AuditEntry {
            action: AuditAction::RevealSecret,
            outcome: oathdesk_station::audit::Outcome::Ok,
            ..Default::default()
        })?;
        Ok(secret.to_string())
    })
    .await
}

#[tauri::command]
pub async fn forget_seed(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    blocking(&state, move |d| {
        d.station.seeds.forget(&id);
        Ok(())
    })
    .await
}

/// The code a held seed gives now, for the countdown after a burn.
#[tauri::command]
pub async fn seed_code(
    state: State<'_, AppState>,
    id: String,
    params: CodeParams,
) -> CommandResult<TotpCode> {
    blocking(&state, move |d| {
        Ok(d.station
            .seeds
            .with(&id, |s| totp_at(&s.credential.secret, &params, now_unix()))?)
    })
    .await
}

/// The operator's changes to the seed's settings (null: keep the seed's).
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct BurnSettings {
    algorithm: Option<Algorithm>,
    digits: Option<u32>,
    period: Option<u64>,
    display_timeout: Option<u64>,
}

/// Burns a held seed. It stays held (for the countdown) until forgotten.
#[tauri::command]
pub async fn burn_seed(
    state: State<'_, AppState>,
    id: String,
    reader: Option<String>,
    settings: BurnSettings,
    place: Option<Placement>,
    on_progress: Channel<Progress>,
) -> CommandResult<BurnOutcome> {
    let choices = BurnChoices {
        reader,
        display_timeout: settings.display_timeout,
        place: place.unwrap_or_default(),
    };
    on_tokens(&state, move |d, tokens| {
        d.station.seeds.with_mut(&id, |s| {
            let p = &mut s.credential.params;
            p.algorithm = settings.algorithm.unwrap_or(p.algorithm);
            p.digits = settings.digits.unwrap_or(p.digits);
            p.period = settings.period.unwrap_or(p.period);
        })?;
        let burnt = d.station.seeds.with(&id, |seed| {
            workflow::burn_seed(
                &d.station,
                tokens,
                d.tenant(),
                seed,
                &choices,
                &mut progress_to(&on_progress),
            )
        })?;
        Ok(burnt?)
    })
    .await
}

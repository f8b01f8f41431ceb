//! Burn from QR: getting a seed (screen, camera, file, drop, paste,
//! clipboard, generator), holding it without showing it, and burning it. The window
//! only ever gets the seed's id and description; the secret crosses to it
//! only through `reveal_seed`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use oathdesk_otp::{Algorithm, CodeParams, TotpCode, totp_at};
use oathdesk_station::StationError;
use oathdesk_station::adapters::desk_clock;
use oathdesk_station::audit::{AuditAction, AuditEntry};
use oathdesk_station::camera::{self, Preview};
use oathdesk_station::clock::now_unix;
use oathdesk_station::ports::Placement;
use oathdesk_station::seeds::{self, SeedInput, SystemClipboard};
use oathdesk_station::workflow::{self, BurnChoices, BurnOutcome, Progress};
use serde::{Deserialize, Serialize};
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
    blocking(&state, |d| {
        Ok(hold(d, seeds::from_screens(&*seeds::desk_screens())?))
    })
    .await
}

/// Looks through the desk's camera until a code is held up to it, sending
/// the window a coarse preview to aim by (never a readable code); the
/// camera is released when this returns.
#[tauri::command]
pub async fn scan_camera(
    state: State<'_, AppState>,
    on_preview: Channel<PreviewView>,
) -> CommandResult<SeedView> {
    let stop = state.begin_camera();
    blocking(&state, move |d| {
        let source = d.cameras.open()?;
        let mut window = ToWindow {
            channel: on_preview,
            stop,
        };
        Ok(hold(
            d,
            camera::from_camera(source, camera::LOOK_FOR, &mut window)?,
        ))
    })
    .await
}

/// The operator's Stop (or leaving Burn).
#[tauri::command]
pub fn stop_camera(state: State<'_, AppState>) {
    state.stop_camera();
}

/// The coarse grey preview as the window draws it.
#[derive(Clone, Serialize)]
pub struct PreviewView {
    width: u32,
    height: u32,
    grey: Vec<u8>,
}

struct ToWindow {
    channel: Channel<PreviewView>,
    stop: Arc<AtomicBool>,
}

impl camera::CameraWatch for ToWindow {
    fn preview(&mut self, preview: &Preview) {
        // A window that went away stops seeing it; the scan goes on until
        // stopped or timed out.
        let _ = self.channel.send(PreviewView {
            width: preview.width,
            height: preview.height,
            grey: preview.grey.clone(),
        });
    }
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}

/// What the Burn screen says before a capture: on Wayland the desktop asks
/// whether OathDesk may take the screenshot.
#[tauri::command]
pub fn screen_prompt() -> Option<&'static str> {
    seeds::screen_prompt()
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
    params.validate().map_err(StationError::from)?;
    blocking(&state, move |d| {
        let code = d
            .station
            .seeds
            .with(&id, |s| totp_at(&s.credential.secret, &params, now_unix()))?;
        Ok(code.map_err(StationError::from)?)
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

impl BurnSettings {
    /// The seed's parameters with the operator's changes, checked as the
    /// CLI checks them: a window that sends 0 s or 99 digits gets an error
    /// and the held seed keeps its own settings.
    fn applied_to(&self, held: CodeParams) -> Result<CodeParams, StationError> {
        let params = CodeParams {
            algorithm: self.algorithm.unwrap_or(held.algorithm),
            digits: self.digits.unwrap_or(held.digits),
            period: self.period.unwrap_or(held.period),
        };
        params.validate()?;
        Ok(params)
    }
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
            s.credential.params = settings.applied_to(s.credential.params)?;
            Ok::<_, StationError>(())
        })??;
        let burnt = d.station.seeds.with(&id, |seed| {
            workflow::burn_seed(
                &d.station,
                tokens,
                &desk_clock(d.tenant()),
                seed,
                &choices,
                &mut progress_to(&on_progress),
            )
        })?;
        Ok(burnt?)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(digits: Option<u32>, period: Option<u64>) -> BurnSettings {
        BurnSettings {
            algorithm: None,
            digits,
            period,
            display_timeout: None,
        }
    }

    /// The window's values are checked before they touch the held seed.
    #[test]
    fn settings_from_the_window_are_checked_like_the_cli() {
        let held = CodeParams::default();
        for bad in [
            change(Some(99), None),
            change(None, Some(0)),
            change(Some(3), None),
        ] {
            let e = bad.applied_to(held).unwrap_err();
            assert!(matches!(e, StationError::BadInput(_)), "{e}");
        }
        let ok = change(Some(8), Some(60)).applied_to(held).unwrap();
        assert_eq!(
            (ok.digits, ok.period, ok.algorithm),
            (8, 60, held.algorithm)
        );
    }
}

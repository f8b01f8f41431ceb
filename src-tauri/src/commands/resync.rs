//! Resync: the drift before acting, then the clock write — or, on models
//! whose clock write wipes the seed and only when confirmed, the re-seed
//! and re-registration.

use oathdesk_station::workflow::{self, Progress, ResyncOutcome, ResyncPreview};
use tauri::State;
use tauri::ipc::Channel;

use super::progress_to;
use crate::context::{AppState, on_tokens};
use crate::error::CommandResult;

#[tauri::command]
pub async fn resync_preview(
    state: State<'_, AppState>,
    reader: Option<String>,
) -> CommandResult<ResyncPreview> {
    on_tokens(&state, move |_, tokens| {
        Ok(workflow::resync::preview(tokens, reader.as_deref())?)
    })
    .await
}

#[tauri::command]
pub async fn resync_token(
    state: State<'_, AppState>,
    reader: Option<String>,
    confirm_reseed: bool,
    on_progress: Channel<Progress>,
) -> CommandResult<ResyncOutcome> {
    on_tokens(&state, move |d, tokens| {
        Ok(workflow::resync(
            &d.station,
            tokens,
            d.tenant(),
            reader.as_deref(),
            confirm_reseed,
            &mut progress_to(&on_progress),
        )?)
    })
    .await
}

//! Resync: the drift before acting, then the clock write — or, on models
//! whose clock write wipes the seed and only when confirmed, the re-seed
//! and re-registration.

use oathdesk_station::workflow::{
    self, Progress, ResyncOutcome, ResyncPreview, ResyncRequest, StatedSettings,
};
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
    slot: Option<u8>,
    stated: Option<StatedSettings>,
    on_progress: Channel<Progress>,
) -> CommandResult<ResyncOutcome> {
    let request = ResyncRequest {
        reader,
        slot,
        confirm_reseed,
        stated,
    };
    on_tokens(&state, move |d, tokens| {
        Ok(workflow::resync(
            &d.station,
            tokens,
            d.tenant(),
            &request,
            &mut progress_to(&on_progress),
        )?)
    })
    .await
}

//! Batch: a queue of new hires from a CSV or an Entra group, enrolled token after token as
//! the operator places them; parked users retried, skipped or reassigned;
//! the handover sheets and the report.

use oathdesk_otp::Algorithm;
use oathdesk_station::workflow::Progress;
use oathdesk_station::workflow::batch::{self, BatchView, Handover, NewBatch, Turn};
use tauri::State;
use tauri::ipc::Channel;

use super::progress_to;
use crate::context::{AppState, blocking, on_tokens};
use crate::error::{AppError, CommandResult};

/// Where a batch's users come from: a CSV's text, or an Entra group (its
/// name or object id).
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BatchSource {
    Csv(String),
    Group(String),
}

/// Reads the users (the CSV checked, or the group's members listed),
/// checks each with Entra and saves the batch. Without a name, a group's
/// batch takes the group's name.
#[tauri::command]
pub async fn batch_start(
    state: State<'_, AppState>,
    name: String,
    source: BatchSource,
    algorithm: Algorithm,
    period: u64,
) -> CommandResult<BatchView> {
    blocking(&state, move |d| {
        let (named, users) = match source {
            BatchSource::Csv(csv) => (name, batch::read_users(csv.as_bytes())?),
            BatchSource::Group(group) => {
                let list = batch::group_users(d.tenant(), &group)?;
                let name = if name.trim().is_empty() {
                    list.group.name
                } else {
                    name
                };
                (name, list.users)
            }
        };
        let new = NewBatch {
            name: named,
            algorithm,
            period,
            users,
        };
        Ok(batch::start_batch(&d.station, d.tenant(), &new)?)
    })
    .await
}

#[tauri::command]
pub async fn batch_list(state: State<'_, AppState>) -> CommandResult<Vec<BatchView>> {
    blocking(&state, |d| Ok(batch::batches(&d.station)?)).await
}

#[tauri::command]
pub async fn batch_view(state: State<'_, AppState>, id: String) -> CommandResult<BatchView> {
    blocking(&state, move |d| Ok(batch::view(&d.station, &id)?)).await
}

/// Enrols the token on `reader` for the next waiting user.
#[tauri::command]
pub async fn batch_next(
    state: State<'_, AppState>,
    id: String,
    reader: Option<String>,
    on_progress: Channel<Progress>,
) -> CommandResult<Turn> {
    on_tokens(&state, move |d, tokens| {
        let progress = &mut progress_to(&on_progress);
        Ok(batch::enrol_next(
            &d.station,
            tokens,
            d.tenant(),
            &id,
            reader.as_deref(),
            progress,
        )?)
    })
    .await
}

#[tauri::command]
pub async fn batch_retry(
    state: State<'_, AppState>,
    id: String,
    position: u32,
    on_progress: Channel<Progress>,
) -> CommandResult<Turn> {
    on_tokens(&state, move |d, tokens| {
        let progress = &mut progress_to(&on_progress);
        Ok(batch::retry(
            &d.station,
            tokens,
            d.tenant(),
            &id,
            position,
            progress,
        )?)
    })
    .await
}

#[tauri::command]
pub async fn batch_skip(
    state: State<'_, AppState>,
    id: String,
    position: u32,
) -> CommandResult<BatchView> {
    blocking(&state, move |d| {
        Ok(batch::skip(
            &d.station,
            &id,
            position,
            "skipped by the operator",
        )?)
    })
    .await
}

#[tauri::command]
pub async fn batch_reassign(
    state: State<'_, AppState>,
    id: String,
    position: u32,
    upn: String,
) -> CommandResult<BatchView> {
    blocking(&state, move |d| {
        Ok(batch::reassign(
            &d.station,
            d.tenant(),
            &id,
            position,
            &upn,
        )?)
    })
    .await
}

/// Every activated user's handover sheet.
#[tauri::command]
pub async fn batch_handovers(
    state: State<'_, AppState>,
    id: String,
) -> CommandResult<Vec<Handover>> {
    blocking(&state, move |d| Ok(batch::handovers(&d.station, &id)?)).await
}

/// Writes the batch's CSV report to `exports/`; returns the path.
#[tauri::command]
pub async fn export_batch_report(state: State<'_, AppState>, id: String) -> CommandResult<String> {
    blocking(&state, move |d| {
        let csv = batch::report_csv(&d.station, &id)?;
        export(d, &format!("{id}.csv"), csv.as_bytes())
    })
    .await
}

/// Writes every activated user's sheet as one PDF to `exports/`.
#[tauri::command]
pub async fn export_batch_sheets(state: State<'_, AppState>, id: String) -> CommandResult<String> {
    blocking(&state, move |d| {
        let pdf = batch::handover_pdf(&d.station, &id)?;
        export(d, &format!("{id}-sheets.pdf"), &pdf)
    })
    .await
}

/// `bytes` as `exports/<name>` in the data directory (only this user may
/// enter it); the path written.
fn export(d: &crate::context::DeskContext, name: &str, bytes: &[u8]) -> CommandResult<String> {
    let dir = d.station.config().data_dir.join("exports");
    let path = dir.join(name);
    let io = |e: std::io::Error| AppError::new("storage", format!("{}: {e}", path.display()), None);
    super::records::private_dir(&dir).map_err(io)?;
    std::fs::write(&path, bytes).map_err(io)?;
    Ok(path.display().to_string())
}

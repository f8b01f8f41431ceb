//! Enrol: find the user, run the enrolment, print the handover sheet; and
//! finish or abandon an enrolment the journal kept.

use oathdesk_otp::Algorithm;
use oathdesk_station::ports::Placement;
use oathdesk_station::workflow::{self, BurnChoices, EnrolOutcome, EnrolRequest, Progress};
use qrcode::QrCode;
use qrcode::render::svg;
use tauri::State;
use tauri::ipc::Channel;

use super::progress_to;
use crate::context::{AppState, blocking, on_tokens};
use crate::error::{AppError, CommandResult};
use crate::views::UserView;

/// Users whose name or UPN starts with `query` (at least two characters).
#[tauri::command]
pub async fn search_users(
    state: State<'_, AppState>,
    query: String,
) -> CommandResult<Vec<UserView>> {
    let query = query.trim().to_string();
    if query.chars().count() < 2 {
        return Ok(Vec::new());
    }
    blocking(&state, move |d| {
        Ok(workflow::search_users(d.tenant(), &query)?)
    })
    .await
}

// The window's arguments, one per field of its form.
#[allow(clippy::too_many_arguments)]
#[tauri::command]
pub async fn enrol_user(
    state: State<'_, AppState>,
    user: String,
    reader: Option<String>,
    algorithm: Algorithm,
    period: u64,
    place: Option<Placement>,
    display_timeout: Option<u64>,
    on_progress: Channel<Progress>,
) -> CommandResult<EnrolOutcome> {
    let user = user.trim().to_string();
    if user.is_empty() {
        return Err(AppError::bad_input(
            "No user was chosen.",
            "Search for the user and pick them from the list.",
        ));
    }
    let request = EnrolRequest {
        user,
        algorithm,
        period,
        choices: BurnChoices {
            reader,
            display_timeout,
            place: place.unwrap_or_default(),
        },
    };
    on_tokens(&state, move |d, tokens| {
        let progress = &mut progress_to(&on_progress);
        Ok(workflow::enrol(
            &d.station,
            tokens,
            d.tenant(),
            &request,
            progress,
        )?)
    })
    .await
}

/// Finishes a journalled enrolment from the step it reached.
#[tauri::command]
pub async fn resume_enrolment(
    state: State<'_, AppState>,
    id: String,
    on_progress: Channel<Progress>,
) -> CommandResult<EnrolOutcome> {
    on_tokens(&state, move |d, tokens| {
        let progress = &mut progress_to(&on_progress);
        Ok(workflow::resume(
            &d.station,
            tokens,
            d.tenant(),
            &id,
            progress,
        )?)
    })
    .await
}

/// Gives up a journalled enrolment; its sealed secret is erased (audited).
#[tauri::command]
pub async fn abandon_enrolment(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    blocking(&state, move |d| {
        Ok(workflow::abandon_enrolment(&d.station, &id)?)
    })
    .await
}

/// The handover sheet's QR code of a serial, as SVG markup.
#[tauri::command]
pub fn serial_qr(serial: String) -> CommandResult<String> {
    let code = QrCode::new(serial.as_bytes()).map_err(|e| {
        AppError::bad_input(
            format!("cannot encode {serial:?}: {e}"),
            "Check the serial.",
        )
    })?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(160, 160)
        .quiet_zone(true)
        .build())
}

//! Reconcile: Entra's inventory against this desk's journal and audit log,
//! and one finding's fix (the window confirms destructive ones first). The
//! station reads only until a fix is asked, and audits each write.

use oathdesk_station::workflow::inventory::reconcile::{
    FixOutcome, FixRequest, Reconciliation, fix, reconcile,
};
use tauri::State;

use crate::context::{AppState, blocking};
use crate::error::CommandResult;

#[tauri::command]
pub async fn reconcile_inventory(state: State<'_, AppState>) -> CommandResult<Reconciliation> {
    blocking(&state, move |d| Ok(reconcile(&d.station, d.tenant())?)).await
}

#[tauri::command]
pub async fn apply_reconcile_fix(
    state: State<'_, AppState>,
    request: FixRequest,
) -> CommandResult<FixOutcome> {
    blocking(&state, move |d| Ok(fix(&d.station, d.tenant(), &request)?)).await
}

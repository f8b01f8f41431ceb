//! Inventory: Entra's hardware tokens a page at a time; unassign and delete
//! (the window confirms first). The station checks and audits each write.

use oathdesk_station::ports::DeviceQuery;
use oathdesk_station::workflow::inventory;
use tauri::State;

use crate::context::{AppState, blocking};
use crate::error::CommandResult;
use crate::views::InventoryPage;

const PAGE_SIZE: u32 = 50;

#[tauri::command]
pub async fn inventory_page(
    state: State<'_, AppState>,
    status: Option<String>,
    serial: Option<String>,
    next: Option<String>,
) -> CommandResult<InventoryPage> {
    let query = DeviceQuery::from_input(status.as_deref(), serial.as_deref())?;
    blocking(&state, move |d| {
        let page = inventory::list_page(d.tenant(), &query, next.as_deref(), PAGE_SIZE)?;
        Ok(InventoryPage::from(page))
    })
    .await
}

#[tauri::command]
pub async fn unassign_device(
    state: State<'_, AppState>,
    device_id: String,
    user_id: String,
) -> CommandResult<()> {
    blocking(&state, move |d| {
        Ok(inventory::unassign(
            &d.station,
            d.tenant(),
            &device_id,
            &user_id,
        )?)
    })
    .await
}

#[tauri::command]
pub async fn delete_device(state: State<'_, AppState>, device_id: String) -> CommandResult<()> {
    blocking(&state, move |d| {
        Ok(inventory::delete(&d.station, d.tenant(), &device_id)?)
    })
    .await
}

//! Inventory: Entra's hardware tokens a page at a time; unassign and delete
//! (the window confirms first), both audited.

use oathdesk_entra::DeviceFilter;
use oathdesk_station::audit::{AuditAction, AuditEntry, Outcome};
use tauri::State;

use crate::context::{AppState, DeskContext, blocking};
use crate::error::CommandResult;
use crate::views::{DeviceView, InventoryPage};

const PAGE_SIZE: u32 = 50;

#[tauri::command]
pub async fn inventory_page(
    state: State<'_, AppState>,
    status: Option<String>,
    serial: Option<String>,
    next: Option<String>,
) -> CommandResult<InventoryPage> {
    let filter = DeviceFilter {
        serial: serial
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        status,
    };
    blocking(&state, move |d| {
        let page = d
            .tenant()
            .client
            .list_devices_page(&filter, next.as_deref(), PAGE_SIZE)?;
        Ok(InventoryPage {
            items: page.items.into_iter().map(DeviceView::from).collect(),
            next: page.next,
        })
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
        let result = d.tenant().client.unassign(&user_id, &device_id);
        audit(
            d,
            AuditAction::Unassign,
            &device_id,
            Some(user_id),
            result.is_ok(),
        )?;
        Ok(result?)
    })
    .await
}

#[tauri::command]
pub async fn delete_device(state: State<'_, AppState>, device_id: String) -> CommandResult<()> {
    blocking(&state, move |d| {
        let result = d.tenant().client.delete_device(&device_id);
        audit(d, AuditAction::Delete, &device_id, None, result.is_ok())?;
        Ok(result?)
    })
    .await
}

fn audit(
    d: &DeskContext,
    action: AuditAction,
    device_id: &str,
    user: Option<String>,
    ok: bool,
) -> CommandResult<()> {
    Ok(d.station.audit(AuditEntry {
        action,
        user,
        request_id: d.tenant().client.last_request_id(),
        outcome: if ok { Outcome::Ok } else { Outcome::Failed },
        detail: Some(format!("device {device_id}")),
        ..Default::default()
    })?)
}

//! Journal & audit: pending enrolments, the audit log, its tamper check and
//! its export.

use oathdesk_station::audit::{AuditRecord, export_csv, export_json_lines};
use oathdesk_station::clock::now_unix;
use oathdesk_station::journal::Enrolment;
use tauri::State;

use crate::context::{AppState, blocking};
use crate::error::{AppError, CommandResult};
use crate::views::{AuditCheck, describe_problem};

#[tauri::command]
pub async fn journal_list(
    state: State<'_, AppState>,
    pending_only: bool,
) -> CommandResult<Vec<Enrolment>> {
    blocking(&state, move |d| {
        Ok(d.station.records().enrolments(pending_only)?)
    })
    .await
}

#[tauri::command]
pub async fn audit_log(state: State<'_, AppState>) -> CommandResult<Vec<AuditRecord>> {
    blocking(&state, |d| Ok(d.station.records().audit_records()?)).await
}

#[tauri::command]
pub async fn verify_audit(state: State<'_, AppState>) -> CommandResult<AuditCheck> {
    blocking(&state, |d| {
        let records = d.station.records();
        let problems = records.verify_audit()?;
        Ok(AuditCheck {
            ok: problems.is_empty(),
            records: records.audit_records()?.len(),
            problems: problems.iter().map(describe_problem).collect(),
        })
    })
    .await
}

/// `dir`, made if needed, that only this user can enter (exports name
/// operators, users and tokens). On unix it is set to 0700. On Windows no
/// ACL is set here: the data directory is inside the user's profile
/// (`%APPDATA%`), whose ACL already keeps other users out, and `dir`
/// inherits it.
pub(crate) fn private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::DirBuilder::new().recursive(true).create(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Writes the audit log to `exports/` in the data directory; returns the path.
#[tauri::command]
pub async fn export_audit(state: State<'_, AppState>, format: String) -> CommandResult<String> {
    blocking(&state, move |d| {
        let ext = match format.as_str() {
            "csv" => "csv",
            "jsonl" => "jsonl",
            other => {
                return Err(AppError::bad_input(
                    format!("unknown export format {other:?}"),
                    "Choose CSV or JSONL.",
                ));
            }
        };
        let dir = d.station.config().data_dir.join("exports");
        let path = dir.join(format!("audit-{}.{ext}", now_unix()));
        let records = d.station.records().audit_records()?;
        let io =
            |e: std::io::Error| AppError::new("storage", format!("{}: {e}", path.display()), None);
        private_dir(&dir).map_err(io)?;
        let file = std::fs::File::create(&path).map_err(io)?;
        match ext {
            "csv" => export_csv(&records, file)?,
            _ => export_json_lines(&records, file)?,
        }
        Ok(path.display().to_string())
    })
    .await
}

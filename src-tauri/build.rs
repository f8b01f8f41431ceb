//! Builds the app's context. Every command the window may call is listed
//! here, so each gets a permission (`allow-<command>`), and the window's
//! capability (capabilities/desk.json) grants exactly those: no command is
//! reachable that the capability does not name.

const COMMANDS: &[&str] = &[
    "status",
    "app_status",
    "desk_readers",
    "start_demo",
    "desk_interactive",
    "delete_seed",
    "batch_start",
    "batch_list",
    "batch_view",
    "batch_next",
    "batch_retry",
    "batch_skip",
    "batch_reassign",
    "batch_handovers",
    "export_batch_report",
    "export_batch_sheets",
    "scan_screen",
    "screen_prompt",
    "scan_camera",
    "stop_camera",
    "scan_clipboard",
    "scan_image",
    "scan_text",
    "generate_seed",
    "reveal_seed",
    "forget_seed",
    "seed_code",
    "burn_seed",
    "search_users",
    "enrol_user",
    "resume_enrolment",
    "abandon_enrolment",
    "serial_qr",
    "resync_preview",
    "resync_token",
    "inventory_page",
    "unassign_device",
    "delete_device",
    "reconcile_inventory",
    "apply_reconcile_fix",
    "import_preview",
    "import_seed_file",
    "journal_list",
    "audit_log",
    "verify_audit",
    "export_audit",
    "device_profiles",
    "save_signin_settings",
    "sign_in",
    "cancel_sign_in",
    "sign_out",
];

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("the Tauri build step failed");
}

//! The OathDesk desktop app: a thin Tauri shell. Commands (in `commands`)
//! adapt the window's calls to the station workflows; data flows one way:
//! window → command → station → device / entra.

mod check;
mod commands;
mod context;
mod demo;
mod error;
mod touch;
mod views;
mod watch;
#[cfg(target_os = "linux")]
pub mod window_gl;

use context::{AppState, DeskContext};

/// How the app was asked to start.
fn wants_demo() -> bool {
    std::env::args().any(|a| a == "--demo") || std::env::var("OATHDESK_DEMO").as_deref() == Ok("1")
}

/// The desk to start with: the training desk when asked for, else the real
/// one (the window offers the training desk when no reader or tenant is set
/// up). If the real desk cannot open, say why and stop: it must not
/// silently become a demo.
fn first_desk() -> DeskContext {
    let opened = if wants_demo() {
        demo::open()
    } else {
        DeskContext::real()
    };
    opened.unwrap_or_else(|e| {
        eprintln!(
            "OathDesk cannot start: {} {}",
            e.message,
            e.next_step.unwrap_or_default()
        );
        std::process::exit(1);
    })
}

/// `--desk-ready`: is the real desk usable (a reader and a tenant)? Says
/// why not and exits 3, without opening a window (`make run` then starts
/// the training desk).
fn desk_ready() -> ! {
    let reason = match DeskContext::real() {
        Ok(desk) => commands::desk::status(&desk).demo_reason,
        Err(e) => Some(e.message),
    };
    match reason {
        None => std::process::exit(0),
        Some(why) => {
            eprintln!("{why}");
            std::process::exit(3)
        }
    }
}

/// `--check-desk`: prints what the desk sees (pcscd and its readers, the
/// USB HID keys, the keyring, the data directory, the sign-in) without a
/// window or a display. Exits 0 when pcscd and the keyring answered, 1
/// (with the next step) when one did not.
fn check_desk() -> ! {
    let checked = check::check_real_desk();
    print!("{}", checked.report);
    std::process::exit(if checked.ok { 0 } else { 1 })
}

pub fn run() {
    if std::env::args().any(|a| a == "--check-desk") {
        check_desk();
    }
    if std::env::args().any(|a| a == "--desk-ready") {
        desk_ready();
    }
    tauri::Builder::default()
        .manage(AppState::new(first_desk()))
        .setup(|app| {
            touch::start(app.handle().clone());
            watch::start(app.handle().clone());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::desk::app_status,
            commands::desk::desk_readers,
            commands::desk::start_demo,
            commands::desk::desk_interactive,
            commands::desk::delete_seed,
            commands::batch::batch_start,
            commands::batch::batch_list,
            commands::batch::batch_view,
            commands::batch::batch_next,
            commands::batch::batch_retry,
            commands::batch::batch_skip,
            commands::batch::batch_reassign,
            commands::batch::batch_handovers,
            commands::batch::export_batch_report,
            commands::batch::export_batch_sheets,
            commands::burn::scan_screen,
            commands::burn::screen_prompt,
            commands::burn::scan_camera,
            commands::burn::stop_camera,
            commands::burn::scan_clipboard,
            commands::burn::scan_image,
            commands::burn::scan_text,
            commands::burn::generate_seed,
            commands::burn::reveal_seed,
            commands::burn::forget_seed,
            commands::burn::seed_code,
            commands::burn::burn_seed,
            commands::enrol::search_users,
            commands::enrol::enrol_user,
            commands::enrol::resume_enrolment,
            commands::enrol::abandon_enrolment,
            commands::enrol::serial_qr,
            commands::resync::resync_preview,
            commands::resync::resync_token,
            commands::inventory::inventory_page,
            commands::inventory::unassign_device,
            commands::inventory::delete_device,
            commands::reconcile::reconcile_inventory,
            commands::reconcile::apply_reconcile_fix,
            commands::import::import_preview,
            commands::import::import_seed_file,
            commands::records::journal_list,
            commands::records::audit_log,
            commands::records::verify_audit,
            commands::records::export_audit,
            commands::settings::device_profiles,
            commands::settings::save_signin_settings,
            commands::settings::sign_in,
            commands::settings::cancel_sign_in,
            commands::settings::sign_out,
        ])
        .run(tauri::generate_context!())
        .expect("OathDesk failed to start");
}

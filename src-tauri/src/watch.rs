//! Live readers: the station's reader watch (PC/SC's own insert/remove
//! events, never polling the tokens) and, beside it, the HID key watch
//! (hidapi has no events, so the OS's list of keys is read about once a
//! second; nothing is sent to a key) tell the window the new reader list.

use oathdesk_station::adapters::watch_readers;
use tauri::{AppHandle, Emitter, Manager};

use crate::commands::desk::{DESK_CHANGED, read_readers};
use crate::context::AppState;

/// Runs for the life of the app on their own threads.
pub fn start(app: AppHandle) {
    let pcsc = app.clone();
    std::thread::Builder::new()
        .name("reader-watch".into())
        .spawn(move || watch_readers(|| desk_changed(&pcsc)))
        .expect("reader watch thread");
    #[cfg(any(target_os = "linux", target_os = "windows", target_os = "macos"))]
    std::thread::Builder::new()
        .name("hid-key-watch".into())
        .spawn(move || watch_keys(&app))
        .expect("HID key watch thread");
}

/// Follows the HID keys; without HID on this desk there is nothing to follow.
#[cfg(any(target_os = "linux", target_os = "windows", target_os = "macos"))]
fn watch_keys(app: &AppHandle) {
    use oathdesk_station::adapters::{HidApiKeys, watch_hid_keys};
    if let Ok(keys) = HidApiKeys::new() {
        watch_hid_keys(&keys, || desk_changed(app))
    }
}

/// Sends the window the readers as they are now.
fn desk_changed(app: &AppHandle) {
    let desk = app.state::<AppState>().desk();
    if let Ok(readers) = read_readers(&desk) {
        let _ = app.emit(DESK_CHANGED, readers);
    }
}

//! Live readers: waits on PC/SC's own insert/remove events and tells the
//! window the new reader list. Never polls the tokens themselves.

use std::time::Duration;

use oathdesk_device::pcsc::{PcscService, ReaderInfo};
use tauri::{AppHandle, Emitter, Manager};

use crate::commands::desk::{DESK_CHANGED, read_readers};
use crate::context::AppState;

/// How long one wait lasts before the reader list itself is looked at again
/// (a new reader, or the service restarting).
const WAIT: Duration = Duration::from_secs(2);
/// How long to wait before trying again when the PC/SC service is down.
const SERVICE_RETRY: Duration = Duration::from_secs(3);

/// Runs for the life of the app on its own thread.
pub fn start(app: AppHandle) {
    std::thread::Builder::new()
        .name("reader-watch".into())
        .spawn(move || {
            loop {
                match PcscService::establish() {
                    Ok(pcsc) => watch(&app, &pcsc),
                    Err(_) => std::thread::sleep(SERVICE_RETRY),
                }
            }
        })
        .expect("reader watch thread");
}

fn watch(app: &AppHandle, pcsc: &PcscService) {
    let mut known: Vec<ReaderInfo> = match pcsc.readers() {
        Ok(r) => r,
        Err(_) => return std::thread::sleep(SERVICE_RETRY),
    };
    loop {
        let now = match pcsc.wait_for_change(&known, WAIT) {
            Ok(now) => now,
            Err(_) => return std::thread::sleep(SERVICE_RETRY),
        };
        if now != known {
            let desk = app.state::<AppState>().desk();
            if let Ok(readers) = read_readers(&desk) {
                let _ = app.emit(DESK_CHANGED, readers);
            }
            known = now;
        }
    }
}

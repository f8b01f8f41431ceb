//! Live readers: the station's reader watch (PC/SC's own insert/remove
//! events, never polling the tokens) tells the window the new reader list.

use oathdesk_station::adapters::watch_readers;
use tauri::{AppHandle, Emitter, Manager};

use crate::commands::desk::{DESK_CHANGED, read_readers};
use crate::context::AppState;

/// Runs for the life of the app on its own thread.
pub fn start(app: AppHandle) {
    std::thread::Builder::new()
        .name("reader-watch".into())
        .spawn(move || {
            watch_readers(|| {
                let desk = app.state::<AppState>().desk();
                if let Ok(readers) = read_readers(&desk) {
                    let _ = app.emit(DESK_CHANGED, readers);
                }
            })
        })
        .expect("reader watch thread");
}

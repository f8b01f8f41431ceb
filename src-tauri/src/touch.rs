//! The "touch the key" prompt: a Token2 key over USB HID that keeps
//! answering busy is waiting for a finger, and the operator cannot see that
//! from the screen. The station says when (after a few busy answers) and
//! when the wait is over; this tells the window, which shows a banner.

use std::sync::{Arc, OnceLock};

use oathdesk_station::adapters::{Touch, TouchPrompt};
use serde::Serialize;
use tauri::{AppHandle, Emitter};

/// The event the window listens to for the prompt.
pub const TOUCH_KEY: &str = "touch-key";

/// Set once the app runs: the desk is opened before the window exists.
static APP: OnceLock<AppHandle> = OnceLock::new();

/// What the window is told: which reader, and whether it still waits.
#[derive(Debug, Clone, Serialize)]
struct TouchView {
    reader: String,
    waiting: bool,
}

/// Lets prompts reach the window from now on.
pub fn start(app: AppHandle) {
    let _ = APP.set(app);
}

/// The desk's prompt: an event to the window (nothing before it opened).
pub fn prompt() -> TouchPrompt {
    Arc::new(|reader: &str, touch: Touch| {
        if let Some(app) = APP.get() {
            let view = TouchView {
                reader: reader.to_string(),
                waiting: touch == Touch::Needed,
            };
            let _ = app.emit(TOUCH_KEY, view);
        }
    })
}

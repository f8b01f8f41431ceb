//! The window's commands: thin adapters that turn IPC arguments into
//! station calls and station results into views. No workflow logic here.

pub mod batch;
pub mod burn;
pub mod desk;
pub mod enrol;
pub mod import;
pub mod inventory;
pub mod reconcile;
pub mod records;
pub mod resync;
pub mod settings;

use oathdesk_station::workflow::Progress;
use tauri::ipc::Channel;

/// Forwards workflow progress to the window as it happens.
pub(crate) fn progress_to(channel: &Channel<Progress>) -> impl FnMut(Progress) + '_ {
    move |p| {
        let _ = channel.send(p);
    }
}

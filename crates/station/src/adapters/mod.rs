//! The ports implemented over the real parts: tokens through crate
//! `device` (one adapter per family; PC/SC readers and USB HID keys, one
//! desk of both), Entra through crate `entra`, and the clock's sources
//! (Graph, NTP servers, the OS), and a Wayland desktop's screen through its
//! portal.

mod desk;
mod device;
mod entra;
mod hid_keys;
mod hid_watch;
mod molto2;
mod ntp;
mod oath_applet;
mod pin_plus;
#[cfg(all(target_os = "linux", feature = "screen"))]
mod portal;
mod single_profile;
#[cfg(feature = "camera")]
mod webcam;

pub use desk::{ConnectPcsc, DeskReaders, DeskSides};
pub use device::{CUSTOMER_KEY_ENV, PcscReaders, customer_key_text, open_token, watch_readers};
pub use entra::GraphTenant;
#[cfg(any(target_os = "linux", target_os = "windows", target_os = "macos"))]
pub use hid_keys::HidApiKeys;
pub use hid_keys::{
    HidKeyError, HidKeys, HidReaders, HidTransportBox, OnBusy, Touch, TouchPrompt,
    access_next_step, reader_names, short_path,
};
pub use hid_watch::{HID_WATCH_EVERY, HidWatch, watch_hid_keys};
pub use ntp::{DEFAULT_NTP_SERVER, NTP_SERVERS_ENV, NtpServer, desk_clock, ntp_servers};
#[cfg(all(target_os = "linux", feature = "screen"))]
pub use portal::{PROMPT_EXPLAINED, PROMPT_WAIT, PortalScreens, WHOLE_DESKTOP, is_wayland_session};
#[cfg(feature = "camera")]
pub use webcam::DeskCameras;

//! Stand-ins for the parts no test machine has: virtual tokens that speak
//! the vendors' wire protocols to a real pcscd through vpcd (`token`,
//! `vpcd`), and a Graph sandbox that follows Microsoft's documented API
//! (`graph`), an NTP server (`ntp`), and a webcam's recording (`camera`). Used by tests and by the app's demo mode; never by the
//! product's real path.

pub mod camera;
pub mod graph;
pub mod ntp;
#[cfg(target_os = "linux")]
pub mod portal;
pub mod readers;
pub mod token;
pub mod vpcd;

//! The helpdesk workflows — burn, enrol, resync — built once, so the GUI and
//! the CLI are thin shells over them. Also the enrolment journal, the audit
//! log and the host-clock check every clock write depends on.

pub mod adapters;
pub mod audit;
pub mod audit_anchor;
pub mod batch;
mod burn_record;
pub mod camera;
pub mod clock;
pub mod config;
mod error;
pub mod forward;
pub mod journal;
pub mod keys;
pub mod pending;
pub mod ports;
pub mod records;
pub mod scrub;
pub mod seeds;
pub mod sign_in;
mod station;
mod time_fmt;
pub mod workflow;

pub use config::StationConfig;
pub use error::StationError;
pub use records::Records;
pub use station::Station;

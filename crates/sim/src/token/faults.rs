//! Fault switches a test sets on a virtual token.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Close the link (card removed) after this many APDUs were answered.
    pub drop_after: Option<u32>,
    /// Process the next write but lose its answer (the link drops then).
    pub drop_after_next_write: bool,
    /// Added to every APDU, in milliseconds.
    pub latency_ms: u64,
    /// Flip a byte in the next response.
    pub corrupt_next: bool,
    /// Refuse authentication as a locked token does.
    pub locked: bool,
    /// Refuse the next write with a memory error.
    pub fail_next_write: bool,
    /// APDUs answered so far (read-only for tests).
    pub apdus_seen: u32,
    /// Set once a fault cut the link (read-only for tests).
    pub link_cut: bool,
}

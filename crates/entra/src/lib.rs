//! Microsoft Entra ID for OathDesk: a typed Graph client for hardware OATH
//! tokens (inventory, assignment, activation), with retries that honour
//! `Retry-After`, paging, TLS always verified, and errors that carry the
//! operator's next step and Graph's request id.

pub mod answers;
mod client;
mod error;
mod groups;
mod oath;
pub mod os_keyring;
pub mod signin;

pub use client::{
    Answered, GraphClient, GraphClientBuilder, Idempotence, Reply, RetryPolicy, ServerDate,
    StaticToken, TokenSource, graph_url,
};
pub use error::{EntraError, ErrorKind};
pub use groups::Group;
pub use oath::{
    BulkOutcome, DeviceFilter, DevicePage, DeviceStatus, DeviceUpdate, HardwareOathDevice,
    Identity, NewHardwareOathDevice, User,
};

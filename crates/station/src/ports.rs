//! What the workflows need from a token and from the directory, stated in
//! the workflows' own terms. The adapters in [`crate::adapters`] implement
//! these over crate `device` (PC/SC) and crate `entra` (Graph); keeping the
//! seam here lets one workflow drive a desk reader, a demo token or a
//! scripted batch alike, and keeps data flowing one way.

use oathdesk_otp::{Algorithm, CodeParams, Secret};
use serde::Serialize;

use crate::workflow::ProgressSink;

/// What is known about the token on a reader.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenFacts {
    pub reader: String,
    pub serial: String,
    pub model: String,
    pub manufacturer: String,
    /// The token's clock, when it can be read.
    pub clock_unix: Option<u64>,
    /// A clock write wipes the seed on this model (restricted time sync).
    pub clock_write_wipes_seed: bool,
    /// Known model: may be written. Unknown tokens are shown, never written.
    pub writable: bool,
    pub limits: TokenLimits,
}

/// What a model accepts; input is checked against it before any write.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenLimits {
    pub algorithms: Vec<Algorithm>,
    pub periods: Vec<u64>,
    pub digits: Vec<u32>,
    pub max_seed_bytes: usize,
    /// How long the display may stay on, in seconds (offered before a burn).
    pub display_timeouts: Vec<u64>,
}

impl TokenLimits {
    /// Why `params` and a `seed_len`-byte seed cannot go on this model, if so.
    pub fn check(&self, model: &str, params: &CodeParams, seed_len: usize) -> Result<(), String> {
        if !self.algorithms.contains(&params.algorithm) {
            return Err(format!(
                "the {model} does not support {}; use {}",
                params.algorithm,
                list(&self.algorithms)
            ));
        }
        if !self.periods.contains(&params.period) {
            return Err(format!(
                "the {model} does not support a {} s period; use {}",
                params.period,
                list(&self.periods)
            ));
        }
        if !self.digits.contains(&params.digits) {
            return Err(format!(
                "the {model} does not show {} digits; use {}",
                params.digits,
                list(&self.digits)
            ));
        }
        if seed_len > self.max_seed_bytes {
            return Err(format!(
                "the secret is {} bits but the {model} holds at most {} bits",
                seed_len * 8,
                self.max_seed_bytes * 8
            ));
        }
        Ok(())
    }
}

fn list<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" or ")
}

/// What the token holds after a failure: the operator's next step depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenState {
    /// Nothing was written.
    Untouched,
    /// The configuration and clock were written, the seed was not.
    ConfiguredNoSeed,
    /// The seed was written.
    SeedWritten,
    /// The link was lost during a write: re-burn to be sure.
    Unknown,
}

/// A token operation that failed, with the token's state and what to do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenFailure {
    pub state: TokenState,
    pub message: String,
    pub next_step: String,
}

/// One token on one reader, opened for a workflow.
pub trait TokenSession {
    fn facts(&self) -> &TokenFacts;
    /// Writes settings and the host clock (read at the last moment, after
    /// authentication), then the seed. `display_timeout` in seconds, or the
    /// model's default.
    fn burn(
        &mut self,
        secret: &Secret,
        params: &CodeParams,
        display_timeout: Option<u64>,
        progress: &mut dyn ProgressSink,
    ) -> Result<(), TokenFailure>;
    /// Sets the clock from the host clock, with `params` as the token's
    /// settings. Never wipes a seed: refused on models where it would.
    fn set_clock(&mut self, params: &CodeParams) -> Result<(), TokenFailure>;
}

/// A reader, and whether a token is on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReaderSlot {
    pub name: String,
    pub token_present: bool,
}

/// The readers at the desk.
pub trait TokenDesk {
    /// Every reader, and whether a token is on it (nothing is read from the tokens).
    fn readers(&self) -> Result<Vec<ReaderSlot>, TokenFailure>;
    /// Opens the token on `reader` (or the only one present) and reads it.
    fn open(&self, reader: Option<&str>) -> Result<Box<dyn TokenSession + '_>, TokenFailure>;
}

/// A user as the directory knows them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserFacts {
    pub id: String,
    pub upn: String,
    pub display_name: Option<String>,
    pub is_guest: bool,
    /// Serials of the hardware OATH tokens the user already has.
    pub token_serials: Vec<String>,
}

/// Entra's hardware OATH token status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum DeviceStatus {
    Available,
    Assigned,
    Activated,
    FailedActivation,
    Other,
}

/// A hardware OATH token in the Entra inventory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeviceFacts {
    pub id: String,
    pub serial: String,
    pub status: DeviceStatus,
    /// Object id of the user it is assigned to.
    pub assigned_to: Option<String>,
    /// Hash and period Entra holds for it (always 6 digits).
    pub params: CodeParams,
}

/// A token to create in the inventory. The secret goes only into the request.
pub struct NewDevice<'a> {
    pub serial: &'a str,
    pub manufacturer: &'a str,
    pub model: &'a str,
    pub secret: &'a Secret,
    pub params: CodeParams,
    pub assign_to: Option<&'a str>,
}

/// How a directory call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DirectoryFailureKind {
    /// Lost connection, throttled out, server error: trying again may work.
    Transient,
    /// The directory said no (permission, rule, wrong code …).
    Rejected,
    NotFound,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DirectoryFailure {
    pub kind: DirectoryFailureKind,
    pub message: String,
    pub next_step: String,
    pub request_id: Option<String>,
}

/// The directory (Entra through Graph).
pub trait Directory {
    fn user(&self, upn: &str) -> Result<UserFacts, DirectoryFailure>;
    fn find_by_serial(&self, serial: &str) -> Result<Option<DeviceFacts>, DirectoryFailure>;
    fn create(&self, device: &NewDevice<'_>) -> Result<DeviceFacts, DirectoryFailure>;
    fn assign(&self, user_id: &str, device_id: &str) -> Result<(), DirectoryFailure>;
    fn activate(&self, user_id: &str, device_id: &str, code: &str) -> Result<(), DirectoryFailure>;
    fn device(&self, device_id: &str) -> Result<DeviceFacts, DirectoryFailure>;
    fn unassign(&self, user_id: &str, device_id: &str) -> Result<(), DirectoryFailure>;
    fn delete(&self, device_id: &str) -> Result<(), DirectoryFailure>;
    /// The last Graph request id, for the audit log.
    fn last_request_id(&self) -> Option<String>;

    // What the inventory, user search and sign-in workflows need.

    /// One page of at most `size` tokens matching `query`: the first when
    /// `next` is `None`, else the page a previous page's `next` points to.
    fn list_page(
        &self,
        query: &DeviceQuery,
        next: Option<&str>,
        size: u32,
    ) -> Result<InventoryPage, DirectoryFailure>;
    /// One token, with what the operator reads to tell it apart.
    fn inventory_entry(&self, device_id: &str) -> Result<InventoryEntry, DirectoryFailure>;
    /// Users whose sign-in name starts with `prefix`.
    fn search_users(&self, prefix: &str) -> Result<Vec<UserMatch>, DirectoryFailure>;
    /// The user the directory is called as: the signed-in operator.
    fn signed_in_user(&self) -> Result<UserMatch, DirectoryFailure>;
}

/// Which inventory tokens to list; `None` matches any.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeviceQuery {
    pub status: Option<DeviceStatus>,
    /// The exact serial.
    pub serial: Option<String>,
}

/// A token as the inventory lists it: the facts workflows act on, and what
/// the operator reads to tell tokens apart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InventoryEntry {
    #[serde(flatten)]
    pub device: DeviceFacts,
    pub manufacturer: String,
    pub model: String,
    /// The token's name in Entra (set at activation), if any.
    pub display_name: Option<String>,
    /// The display name of the user it is assigned to.
    pub assignee_name: Option<String>,
    /// When it last gave an accepted code (ISO 8601, as Entra says).
    pub last_used: Option<String>,
}

/// One page of the inventory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InventoryPage {
    pub items: Vec<InventoryEntry>,
    /// Opaque link to the next page; `None` on the last.
    pub next: Option<String>,
}

/// A user found by name: enough to choose them. Not a [`UserFacts`],
/// which promises the user's tokens and type; a search reads neither.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserMatch {
    pub id: String,
    pub upn: String,
    pub display_name: Option<String>,
}

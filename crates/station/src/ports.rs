//! What the workflows need from a token and from the directory, stated in
//! the workflows' own terms. The adapters in [`crate::adapters`] implement
//! these over crate `device` (PC/SC) and crate `entra` (Graph); keeping the
//! seam here lets one workflow drive a desk reader, a demo token or a
//! scripted batch alike, and keeps data flowing one way.

use oathdesk_otp::{Algorithm, CodeParams, Secret};
use serde::Serialize;

use crate::workflow::ProgressSink;

/// The protocol family a token speaks (from its model's profile). Shown
/// to the operator; a workflow never branches on it.
pub use oathdesk_device::profiles::Family;

/// What the token holds after a failure: the operator's next step depends on it.
pub use oathdesk_device::TokenState;

/// What is known about the token on a reader.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenFacts {
    pub reader: String,
    pub family: Family,
    pub serial: String,
    pub model: String,
    pub manufacturer: String,
    /// The token's clock, when it has one and it can be read.
    pub clock_unix: Option<u64>,
    /// A clock write wipes the seed on this model (restricted time sync).
    pub clock_write_wipes_seed: bool,
    /// Known model: may be written. Unknown tokens are shown, never written.
    pub writable: bool,
    pub limits: TokenLimits,
}

/// What the token shows beside a seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelKind {
    /// Nothing (single-profile tokens).
    None,
    /// An optional title (a Molto2 slot).
    Title,
    /// A name every credential must have (a YKOATH credential).
    Name,
}

/// What a model accepts; input is checked against it before any write.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenLimits {
    pub algorithms: Vec<Algorithm>,
    pub periods: Vec<u64>,
    pub digits: Vec<u32>,
    pub max_seed_bytes: usize,
    /// How long the display may stay on, in seconds (empty: no display setting).
    pub display_timeouts: Vec<u64>,
    /// How many seeds the token holds (1 for single-profile tokens).
    pub slots: u32,
    /// Slots are chosen by number (Molto2); YKOATH credentials by name.
    pub numbered_slots: bool,
    pub label: LabelKind,
    /// Longest title or name, in bytes (0 when `label` is `None`).
    pub max_label_bytes: usize,
    /// Credentials can ask for a touch before each code.
    pub touch: bool,
    /// The token keeps time itself (a YKOATH applet takes the host's).
    pub has_clock: bool,
    /// A clock write must carry the token's settings (algorithm, step,
    /// display timeout), which cannot be read back from it.
    pub clock_write_needs_settings: bool,
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
        if seed_len == 0 || seed_len > self.max_seed_bytes {
            return Err(format!(
                "the secret is {} bits but the {model} holds 8 to {} bits",
                seed_len * 8,
                self.max_seed_bytes * 8
            ));
        }
        Ok(())
    }

    /// Why `place` cannot be used on this model, if so.
    pub fn check_place(&self, model: &str, place: &Placement) -> Result<(), String> {
        if let Some(slot) = place.slot {
            if !self.numbered_slots {
                return Err(format!("the {model} has no numbered slots"));
            }
            if u32::from(slot) >= self.slots {
                return Err(format!(
                    "the {model} has slots 0-{}, not {slot}",
                    self.slots - 1
                ));
            }
        }
        if place.touch && !self.touch {
            return Err(format!("the {model} cannot ask for a touch"));
        }
        match (&place.label, self.label) {
            (Some(_), LabelKind::None) => Err(format!("the {model} shows no title")),
            (Some(l), _) if l.len() > self.max_label_bytes => Err(format!(
                "the {model} takes a title or name of at most {} bytes; \"{l}\" is {}",
                self.max_label_bytes,
                l.len()
            )),
            (None, LabelKind::Name) => Err(format!(
                "a credential on the {model} needs a name: type one"
            )),
            _ => Ok(()),
        }
    }

    /// The display timeout a new burn uses when the operator chose none.
    pub fn default_display_timeout(&self) -> u64 {
        if self.display_timeouts.contains(&30) {
            30
        } else {
            self.display_timeouts.first().copied().unwrap_or(0)
        }
    }
}

fn list<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" or ")
}

/// A token operation that failed, with the token's state and what to do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenFailure {
    pub state: TokenState,
    pub message: String,
    pub next_step: String,
}

/// One place on a token that holds a seed: a Molto2 slot or a YKOATH
/// credential.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Slot {
    /// The slot's number, on tokens whose slots are numbered.
    pub index: Option<u8>,
    /// The credential's name (YKOATH), when it can be read.
    pub label: Option<String>,
    /// Whether it holds a seed, when that can be read.
    pub used: Option<bool>,
    /// The settings it holds, when they can be read.
    pub params: Option<CodeParams>,
}

/// The settings a token holds beside a seed, written with every burn and,
/// on single-profile tokens, with every clock write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct TokenSettings {
    pub params: CodeParams,
    /// Seconds the display stays on.
    pub display_timeout: u64,
}

/// Where on the token a burn puts the seed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Placement {
    /// A numbered slot (Molto2); `None` for a token with one seed, or for
    /// the burn workflow to choose the first free slot.
    #[serde(default)]
    pub slot: Option<u8>,
    /// The slot's title or the credential's name.
    #[serde(default)]
    pub label: Option<String>,
    /// Ask for a touch before each code (YKOATH).
    #[serde(default)]
    pub touch: bool,
    /// Write over a seed already there (a resumed enrolment re-burning the
    /// place it chose before); otherwise a used place is refused.
    #[serde(default)]
    pub replace: bool,
}

/// What a burn wrote, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Burnt {
    pub slot: Option<u8>,
    pub label: Option<String>,
    /// The serial this seed is registered under in Entra: the token's
    /// serial, with the slot number on multi-slot tokens.
    pub directory_serial: String,
    /// What the operator must know (e.g. a factory key still in use).
    pub warnings: Vec<String>,
}

/// One token on one reader, opened for a workflow. Every family
/// implements it; a workflow sees only this.
pub trait Token {
    fn facts(&self) -> &TokenFacts;
    /// The token's slots or credentials (one entry for single-profile tokens).
    fn slots(&mut self) -> Result<Vec<Slot>, TokenFailure>;
    /// Writes settings, the host clock (read at the last moment, after
    /// authentication) and the seed at `place`.
    fn burn(
        &mut self,
        secret: &Secret,
        settings: &TokenSettings,
        place: &Placement,
        progress: &mut dyn ProgressSink,
    ) -> Result<Burnt, TokenFailure>;
    /// Sets the clock from the host clock of `slot` (or every slot), keeping
    /// the token's settings: `settings` must be what the token holds where
    /// the clock write carries them. Never wipes a seed: refused on models
    /// where it would.
    fn set_clock(
        &mut self,
        settings: Option<&TokenSettings>,
        slot: Option<u8>,
    ) -> Result<Vec<String>, TokenFailure>;
    /// Deletes the seed at `place` (a Molto2 slot, a YKOATH credential by
    /// name); refused where a token cannot delete (burn over it instead).
    fn delete(&mut self, place: &Placement) -> Result<(), TokenFailure>;
}

impl TokenFacts {
    /// The serial Entra knows the seed in `slot` by (see [`directory_serial`]).
    pub fn directory_serial(&self, slot: Option<u8>) -> String {
        directory_serial(&self.serial, slot.filter(|_| self.limits.numbered_slots))
    }
}

/// The serial Entra knows a seed by: the token's serial, and for a numbered
/// slot `-NN` after it, so each slot can be registered on its own (Entra's
/// serials are unique).
pub fn directory_serial(serial: &str, slot: Option<u8>) -> String {
    match slot {
        Some(s) => format!("{serial}-{s:02}"),
        None => serial.to_string(),
    }
}

/// A reader, and whether a token is on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reader {
    pub name: String,
    pub token_present: bool,
}

/// The readers at the desk.
pub trait Readers {
    /// Every reader, and whether a token is on it (nothing is read from the tokens).
    fn readers(&self) -> Result<Vec<Reader>, TokenFailure>;
    /// Opens the token on `reader` (or the only one present) and identifies it.
    fn open(&self, reader: Option<&str>) -> Result<Box<dyn Token + '_>, TokenFailure>;
}

/// A user as the directory knows them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserFacts {
    pub id: String,
    pub upn: String,
    pub display_name: Option<String>,
    pub is_guest: bool,
    /// A disabled account (it cannot sign in, so a token would be wasted).
    pub is_disabled: bool,
    /// Serials of the hardware OATH tokens the user already has.
    pub token_serials: Vec<String>,
}

/// Entra's hardware OATH token status (one type, the Graph client's).
pub use oathdesk_entra::{Answered, DeviceStatus};

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

/// The request id of a write's own call, whether it was answered or
/// refused: what the audit log records.
pub fn request_id_of<T>(result: &Result<Answered<T>, DirectoryFailure>) -> Option<String> {
    match result {
        Ok(a) => a.request_id.clone(),
        Err(f) => f.request_id.clone(),
    }
}

/// The directory (Entra through Graph).
pub trait Directory {
    fn user(&self, upn: &str) -> Result<UserFacts, DirectoryFailure>;
    fn find_by_serial(&self, serial: &str) -> Result<Option<DeviceFacts>, DirectoryFailure>;
    // Writes answer with the request id of that very call, for the audit
    // log; a failure carries its own in `DirectoryFailure::request_id`.
    fn create(&self, device: &NewDevice<'_>) -> Result<Answered<DeviceFacts>, DirectoryFailure>;
    /// Creates many tokens, in one call where the directory can (Graph's
    /// `$delta` bulk create): each token's inventory id or refusal, in
    /// order, with the request id of the call that decided it. Sent once:
    /// after an ambiguous failure the serials are looked up. By default,
    /// one [`Directory::create`] per token.
    fn bulk_create(
        &self,
        devices: &[NewDevice<'_>],
    ) -> Vec<Result<Answered<String>, DirectoryFailure>> {
        devices
            .iter()
            .map(|d| self.create(d).map(|a| a.map(|facts| facts.id)))
            .collect()
    }
    /// Sent once; after an ambiguous failure the token is read back.
    fn assign(&self, user_id: &str, device_id: &str) -> Result<Answered<()>, DirectoryFailure>;
    /// Sent once; after an ambiguous failure the token is read back.
    fn activate(
        &self,
        user_id: &str,
        device_id: &str,
        code: &str,
    ) -> Result<Answered<()>, DirectoryFailure>;
    fn device(&self, device_id: &str) -> Result<DeviceFacts, DirectoryFailure>;
    fn unassign(&self, user_id: &str, device_id: &str) -> Result<Answered<()>, DirectoryFailure>;
    fn delete(&self, device_id: &str) -> Result<Answered<()>, DirectoryFailure>;

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

    // Groups, as a batch's source of users.

    /// Every group whose display name is exactly `name`: names need not
    /// be unique.
    fn find_groups(&self, name: &str) -> Result<Vec<GroupMatch>, DirectoryFailure>;
    /// The group with object id `id`.
    fn group(&self, id: &str) -> Result<GroupMatch, DirectoryFailure>;
    /// The group's direct members that are users, every page.
    fn group_members(&self, id: &str) -> Result<Vec<UserMatch>, DirectoryFailure>;
}

/// A group found by name or id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupMatch {
    pub id: String,
    pub name: String,
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

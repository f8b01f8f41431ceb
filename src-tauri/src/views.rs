//! What the window is shown: the core's facts in the shapes of
//! `ui/src/lib/api.ts`. None of these carries a secret.

use oathdesk_device::profiles::Profile;
use oathdesk_otp::{Algorithm, CodeParams, SecretEncoding};
use oathdesk_station::audit::AuditProblem;
use oathdesk_station::clock::now_unix;
use oathdesk_station::ports::{DeviceStatus, InventoryEntry, Slot, TokenFacts};
use oathdesk_station::seeds::SeedInput;
use serde::Serialize;

/// A token on a reader, with its drift against the host clock and its
/// slots or credentials.
#[derive(Debug, Clone, Serialize)]
pub struct TokenView {
    #[serde(flatten)]
    pub facts: TokenFacts,
    pub drift_seconds: Option<i64>,
    pub slots: Vec<Slot>,
}

impl TokenView {
    pub fn new(facts: TokenFacts, slots: Vec<Slot>) -> Self {
        let now = now_unix() as i64;
        TokenView {
            drift_seconds: facts.clock_unix.map(|c| c as i64 - now),
            facts,
            slots,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ReaderView {
    pub name: String,
    pub token: Option<TokenView>,
    /// Why a token that is present could not be read.
    pub error: Option<String>,
}

/// A held seed, described without its secret.
#[derive(Debug, Clone, Serialize)]
pub struct SeedView {
    pub id: String,
    pub issuer: Option<String>,
    /// The issuer in the QR's label (`Contoso` in `Contoso:jane@…`): with
    /// the account, the name a credential gets by default.
    pub label_issuer: Option<String>,
    pub account: String,
    pub params: CodeParams,
    pub bits: usize,
    pub origin: String,
    pub explanation: String,
    pub note: Option<String>,
}

impl SeedView {
    pub fn of(id: String, seed: &SeedInput) -> SeedView {
        let c = &seed.credential;
        SeedView {
            id,
            issuer: c.issuer.clone().or_else(|| c.label_issuer.clone()),
            label_issuer: c.label_issuer.clone(),
            account: c.account.clone(),
            params: c.params,
            bits: c.secret.bits(),
            origin: seed.origin.clone(),
            explanation: seed.classification.explanation.clone(),
            note: (seed.classification.encoding == Some(SecretEncoding::Hex))
                .then(|| "The secret was written in hex; it was converted for the token.".into()),
        }
    }
}

/// A user found by name, as the station gives it (`id`, `upn`, `display_name`).
pub use oathdesk_station::ports::UserMatch as UserView;

#[derive(Debug, Clone, Serialize)]
pub struct AssigneeView {
    pub id: String,
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeviceView {
    pub id: String,
    pub serial: String,
    pub manufacturer: String,
    pub model: String,
    pub status: DeviceStatus,
    pub assigned_to: Option<AssigneeView>,
    pub last_used: Option<String>,
}

impl From<InventoryEntry> for DeviceView {
    fn from(e: InventoryEntry) -> Self {
        let assignee_name = e.assignee_name;
        DeviceView {
            id: e.device.id,
            serial: e.device.serial,
            manufacturer: e.manufacturer,
            model: e.model,
            status: e.device.status,
            assigned_to: e.device.assigned_to.map(|id| AssigneeView {
                id,
                display_name: assignee_name,
            }),
            last_used: e.last_used,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct InventoryPage {
    pub items: Vec<DeviceView>,
    pub next: Option<String>,
}

impl From<oathdesk_station::ports::InventoryPage> for InventoryPage {
    fn from(page: oathdesk_station::ports::InventoryPage) -> Self {
        InventoryPage {
            items: page.items.into_iter().map(DeviceView::from).collect(),
            next: page.next,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditCheck {
    pub ok: bool,
    pub records: usize,
    pub problems: Vec<String>,
}

pub fn describe_problem(p: &AuditProblem) -> String {
    p.to_string()
}

#[derive(Debug, Clone, Serialize)]
pub struct ProfileView {
    pub name: String,
    pub manufacturer: String,
    pub family: String,
    pub serial_prefixes: Vec<String>,
    pub algorithms: Vec<Algorithm>,
    pub periods: Vec<u64>,
    pub digits: Vec<u32>,
    pub max_seed_bytes: usize,
    pub clock_write_wipes_seed: bool,
}

impl From<&Profile> for ProfileView {
    fn from(p: &Profile) -> Self {
        ProfileView {
            name: p.name.clone(),
            manufacturer: p.manufacturer.clone(),
            family: format!("{:?}", p.family),
            serial_prefixes: p.serial_prefixes.clone(),
            algorithms: p.algorithms.clone(),
            periods: p.periods.clone(),
            digits: p.digits.clone(),
            max_seed_bytes: p.max_seed_bytes,
            clock_write_wipes_seed: p.clock_write_wipes_seed,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SignInView {
    pub signed_in: bool,
    pub operator: Option<String>,
    pub tenant: Option<String>,
    pub client_id: Option<String>,
    pub authority: String,
    pub graph_url: String,
}

/// The sign-in page the operator is sent to, for the window to show: its
/// address (no secret in it) and whether a browser was started with it.
#[derive(Debug, Clone, Serialize)]
pub struct SignInPage {
    pub url: String,
    pub browser_opened: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct AppStatus {
    pub demo: bool,
    pub demo_reason: Option<String>,
    /// Where this desk reaches Entra when it is not Microsoft (the
    /// environment points it at a sandbox): shown in the DEMO frame.
    pub not_microsoft: Option<String>,
    pub signin: SignInView,
    pub version: &'static str,
}

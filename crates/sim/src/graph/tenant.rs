//! The sandbox's tenant: users, the hardware OATH inventory and the rules.
//! Pure state; the HTTP layer is in `routes`.

use std::collections::HashMap;

use oathdesk_otp::{Algorithm, CodeParams, Secret, totp};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::new_device::{self, NewDevice};

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SeedUser {
    pub id: String,
    #[serde(rename = "userPrincipalName")]
    pub upn: String,
    #[serde(rename = "displayName")]
    pub display_name: String,
    /// "Member" or "Guest".
    #[serde(rename = "userType", default = "member")]
    pub user_type: String,
    /// A disabled account cannot sign in (Graph's `accountEnabled`).
    #[serde(rename = "accountEnabled", default = "enabled")]
    pub account_enabled: bool,
    /// Entra roles held (for an operator who signs in).
    #[serde(default, skip_serializing)]
    pub roles: Vec<String>,
    /// The display names of the groups the user is a direct member of.
    #[serde(default, skip_serializing)]
    pub groups: Vec<String>,
}

fn member() -> String {
    "Member".into()
}

fn enabled() -> bool {
    true
}

impl SeedUser {
    /// A member account; its display name is the UPN's local part.
    pub fn member(id: &str, upn: &str) -> SeedUser {
        let name = upn.split('@').next().unwrap_or(upn);
        SeedUser {
            id: id.into(),
            upn: upn.into(),
            display_name: name.into(),
            user_type: member(),
            account_enabled: true,
            roles: vec![],
            groups: vec![],
        }
    }

    /// The same account as a member of the groups named `groups`.
    pub fn in_groups(mut self, groups: &[&str]) -> SeedUser {
        self.groups = groups.iter().map(|g| g.to_string()).collect();
        self
    }

    /// The same account holding `roles`.
    pub fn with_roles(mut self, roles: &[&str]) -> SeedUser {
        self.roles = roles.iter().map(|r| r.to_string()).collect();
        self
    }

    /// The same account, disabled (it can no longer sign in).
    pub fn disabled(mut self) -> SeedUser {
        self.account_enabled = false;
        self
    }

    /// A guest account.
    pub fn guest(id: &str, upn: &str) -> SeedUser {
        SeedUser {
            user_type: "Guest".into(),
            ..SeedUser::member(id, upn)
        }
    }
}

/// The scopes an operator needs for every hardware-OATH call.
pub const OPERATOR_SCOPES: [&str; 4] = [
    "Policy.ReadWrite.AuthenticationMethod",
    "UserAuthenticationMethod.ReadWrite.All",
    "User.Read.All",
    "GroupMember.Read.All",
];

/// The JSON seed file: users and the operator's bearer tokens with scopes.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct TenantSeed {
    pub users: Vec<SeedUser>,
    /// Bearer token → scopes it carries.
    #[serde(default)]
    pub tokens: HashMap<String, Vec<String>>,
    /// The operator (UPN) who signs in through the OAuth endpoints.
    #[serde(default)]
    pub operator: Option<String>,
}

impl TenantSeed {
    /// `users`, and one operator bearer token carrying every scope.
    pub fn with_operator(token: &str, users: Vec<SeedUser>) -> TenantSeed {
        let scopes = OPERATOR_SCOPES.iter().map(|s| s.to_string()).collect();
        TenantSeed {
            users,
            tokens: [(token.to_string(), scopes)].into(),
            operator: None,
        }
    }
}

/// Switches a test flips at run time.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct Faults {
    pub latency_ms: u64,
    /// Every Nth request answers 429 with `Retry-After` of
    /// `retry_after_seconds`.
    pub throttle_every: u64,
    /// Whole seconds, as Graph sends them (RFC 9110 delay-seconds): a
    /// fraction is what standard clients cannot read. 1 by default.
    pub retry_after_seconds: u64,
    /// Route kind ("create", "assign", "activate", "get", "list", "user", …)
    /// → how many of its next calls fail with 503 before doing anything.
    pub fail_before: HashMap<String, u32>,
    /// Route kind → how many of its next calls do the work, then answer 503
    /// (the response is lost after the change was made).
    pub fail_after: HashMap<String, u32>,
    /// Refuse to activate a token that is already `activated`. Microsoft
    /// does not document what a second activation does, so tests run with
    /// this on and off: a desk must never depend on either.
    pub refuse_reactivation: bool,
    /// Revoke a refresh token once it is redeemed. Entra keeps a public
    /// client's previous refresh token working after it issues the next
    /// one (the default here too); with this on, a client that did not
    /// keep the rotated token finds out.
    pub revoke_used_refresh_tokens: bool,
}

impl Default for Faults {
    fn default() -> Faults {
        Faults {
            latency_ms: 0,
            throttle_every: 0,
            retry_after_seconds: 1,
            fail_before: HashMap::new(),
            fail_after: HashMap::new(),
            refuse_reactivation: false,
            revoke_used_refresh_tokens: false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Device {
    pub id: String,
    pub serial: String,
    pub manufacturer: String,
    pub model: String,
    pub display_name: Option<String>,
    pub secret: Secret,
    pub params: CodeParams,
    pub status: String,
    pub assigned_to: Option<String>,
    /// When it was assigned (Unix seconds): the user method's `createdDateTime`.
    pub assigned_at: Option<u64>,
    /// Token clock minus server clock, in steps, learnt at activation.
    pub drift_steps: Option<i64>,
    /// Activation requests that reached this token, refused or not.
    pub activations: u32,
}

impl Device {
    pub fn to_json(&self, users: &[SeedUser]) -> Value {
        let assigned = self.assigned_to.as_ref().map(|id| {
            let name = users
                .iter()
                .find(|u| &u.id == id)
                .map(|u| u.display_name.clone());
            json!({"id": id, "displayName": name})
        });
        json!({
            "id": self.id,
            "displayName": self.display_name,
            "serialNumber": self.serial,
            "manufacturer": self.manufacturer,
            "model": self.model,
            "secretKey": null,
            "timeIntervalInSeconds": self.params.period,
            "hashFunction": match self.params.algorithm { Algorithm::Sha256 => "hmacsha256", _ => "hmacsha1" },
            "status": self.status,
            "assignedTo": assigned,
            "lastUsedDateTime": null,
        })
    }
}

/// A rule broken: HTTP status, Graph error code, message.
pub type Refusal = (u16, &'static str, String);

fn refuse(status: u16, code: &'static str, msg: impl Into<String>) -> Refusal {
    (status, code, msg.into())
}

pub struct Tenant {
    /// The UPN that signs in through the OAuth endpoints.
    pub operator: Option<String>,
    pub logins: super::oauth::Logins,
    /// `disabled` or `enabled`: the hardware OATH method policy.
    pub policy_state: String,
    pub users: Vec<SeedUser>,
    /// Users deleted (Entra keeps them 30 days in its recycle bin): Graph
    /// no longer finds them at `/users/{id}`, but a token assigned to one
    /// still names them in `assignedTo`.
    pub deleted_users: Vec<SeedUser>,
    pub tokens: HashMap<String, Vec<String>>,
    pub devices: Vec<Device>,
    pub faults: Faults,
    pub requests: u64,
    /// Every answer's request id with the call it answered (`POST /beta/…`).
    pub answered: Vec<(String, String)>,
    /// The per-run secret that `/_sandbox/*` (which reveals secrets and
    /// changes faults) asks for in `x-sandbox-control`; only whoever
    /// started the sandbox knows it.
    pub control_secret: String,
    next_id: u64,
}

fn control_secret() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("OS random number generator");
    hex::encode(b)
}

/// Entra's limit of OATH tokens per user.
const MAX_PER_USER: usize = 5;

impl Tenant {
    pub fn from_seed(seed: TenantSeed) -> Self {
        Tenant {
            operator: seed.operator,
            logins: Default::default(),
            policy_state: "disabled".into(),
            users: seed.users,
            deleted_users: Vec::new(),
            tokens: seed.tokens,
            devices: Vec::new(),
            faults: Faults::default(),
            requests: 0,
            answered: Vec::new(),
            control_secret: control_secret(),
            next_id: 1,
        }
    }

    /// The Entra role a signed-in operator lacks for a call needing `scope`.
    /// Tokens handed out by the seed (scripts) carry no operator and pass.
    pub fn missing_role(&self, token: &str, scope: &str) -> Option<&'static str> {
        let operator = self.user(self.logins.access.get(token)?)?;
        let needed = match scope {
            "Policy.ReadWrite.AuthenticationMethod" => "Authentication Policy Administrator",
            "UserAuthenticationMethod.ReadWrite.All" => "Authentication Administrator",
            _ => return None,
        };
        let has = |r: &str| operator.roles.iter().any(|x| x == r);
        (!has(needed) && !has("Global Administrator")).then_some(needed)
    }

    /// True when a signed-in operator manages the methods of an
    /// administrator (any role) without Privileged Authentication
    /// Administrator.
    pub fn needs_privileged(&self, token: &str, target: &str) -> bool {
        let Some(operator) = self.logins.access.get(token).and_then(|op| self.user(op)) else {
            return false;
        };
        let target_is_admin = self.user(target).is_some_and(|u| !u.roles.is_empty());
        let privileged = operator
            .roles
            .iter()
            .any(|r| r == "Privileged Authentication Administrator" || r == "Global Administrator");
        target_is_admin && !privileged
    }

    /// A user by object id or UPN (case-insensitive).
    pub fn user(&self, key: &str) -> Option<&SeedUser> {
        self.users
            .iter()
            .find(|u| u.id == key || u.upn.eq_ignore_ascii_case(key))
    }

    /// Deletes the user `id` as Entra does: gone from `/users`, while the
    /// tokens assigned to them keep `assignedTo` (and stay out of the
    /// inventory's `available` pool until unassigned). The user, if any.
    pub fn delete_user(&mut self, id: &str) -> Option<SeedUser> {
        let at = self.users.iter().position(|u| u.id == id)?;
        let user = self.users.remove(at);
        self.deleted_users.push(user.clone());
        Some(user)
    }

    pub fn device(&self, id: &str) -> Option<&Device> {
        self.devices.iter().find(|d| d.id == id)
    }

    fn device_mut(&mut self, id: &str) -> Result<&mut Device, Refusal> {
        self.devices
            .iter_mut()
            .find(|d| d.id == id)
            .ok_or_else(|| refuse(404, "itemNotFound", "hardware OATH device not found"))
    }

    pub fn by_serial(&self, serial: &str) -> Option<&Device> {
        self.devices.iter().find(|d| d.serial == serial)
    }

    fn member(&self, key: &str) -> Result<SeedUser, Refusal> {
        let u = self.user(key).ok_or_else(|| {
            refuse(
                404,
                "Request_ResourceNotFound",
                format!("User '{key}' does not exist"),
            )
        })?;
        if u.user_type.eq_ignore_ascii_case("guest") {
            return Err(refuse(
                400,
                "invalidRequest",
                "Hardware OATH tokens cannot be assigned to guest users",
            ));
        }
        Ok(u.clone())
    }

    /// Creates a device from a Graph request body, optionally assigned.
    pub fn create(&mut self, body: &Value) -> Result<Device, Refusal> {
        let new = NewDevice::read(body)?;
        self.check_new(&new)?;
        let device = self.store(new)?;
        Ok(device)
    }

    /// Every rule a new device must pass before anything is stored.
    pub(crate) fn check_new(&self, new: &NewDevice) -> Result<(), Refusal> {
        if self.by_serial(&new.serial).is_some() {
            return Err(refuse(
                400,
                "invalidRequest",
                format!("A device with serial number {} already exists", new.serial),
            ));
        }
        if self.devices.iter().any(|d| d.secret == new.secret) {
            return Err(refuse(
                400,
                "invalidRequest",
                "The secret key is already in use",
            ));
        }
        if let Some(u) = &new.assign_to {
            let user = self.member(u)?;
            self.check_room(&user.id)?;
        }
        Ok(())
    }

    /// Stores a checked device with a fresh id.
    fn store(&mut self, new: NewDevice) -> Result<Device, Refusal> {
        let assign_to = new
            .assign_to
            .as_deref()
            .map(|u| self.member(u))
            .transpose()?;
        let id = format!("00000000-0000-4000-8000-{:012x}", self.next_id);
        self.next_id += 1;
        let device = Device {
            id,
            serial: new.serial,
            manufacturer: new.manufacturer,
            model: new.model,
            display_name: new.display_name,
            secret: new.secret,
            params: new.params,
            status: if assign_to.is_some() {
                "assigned"
            } else {
                "available"
            }
            .into(),
            assigned_at: assign_to.as_ref().map(|_| now_unix()),
            assigned_to: assign_to.map(|u| u.id),
            drift_steps: None,
            activations: 0,
        };
        self.devices.push(device.clone());
        Ok(device)
    }

    fn check_room(&self, user_id: &str) -> Result<(), Refusal> {
        if self
            .devices
            .iter()
            .filter(|d| d.assigned_to.as_deref() == Some(user_id))
            .count()
            >= MAX_PER_USER
        {
            return Err(refuse(
                400,
                "invalidRequest",
                "The user already has the maximum number of OATH tokens (5)",
            ));
        }
        Ok(())
    }

    pub fn assign(&mut self, user: &str, device_id: &str) -> Result<Device, Refusal> {
        let u = self.member(user)?;
        let d = self
            .device(device_id)
            .ok_or_else(|| refuse(404, "itemNotFound", "hardware OATH device not found"))?;
        if let Some(owner) = &d.assigned_to {
            return if owner == &u.id {
                Ok(d.clone())
            } else {
                Err(refuse(
                    400,
                    "invalidRequest",
                    "The device is already assigned to another user",
                ))
            };
        }
        self.check_room(&u.id)?;
        let d = self.device_mut(device_id)?;
        d.assigned_to = Some(u.id);
        d.assigned_at = Some(now_unix());
        d.status = "assigned".into();
        Ok(d.clone())
    }

    /// Checks `code` within the activation window and learns the drift.
    pub fn activate(
        &mut self,
        user: &str,
        device_id: &str,
        code: &str,
        now: u64,
    ) -> Result<(), Refusal> {
        let u = self.member(user)?;
        let refuse_reactivation = self.faults.refuse_reactivation;
        let d = self.device_mut(device_id)?;
        if d.assigned_to.as_deref() != Some(u.id.as_str()) {
            return Err(refuse(
                404,
                "itemNotFound",
                "The device is not assigned to this user",
            ));
        }
        d.activations += 1;
        if refuse_reactivation && d.status == "activated" {
            return Err(refuse(
                400,
                "invalidRequest",
                "The device is already activated",
            ));
        }
        // Entra accepts codes within ±1 day for 30 s tokens, ±2 days for 60 s.
        let days = if d.params.period == 60 { 2 } else { 1 };
        let window = (days * 86_400 / d.params.period) as i64;
        let here = (now / d.params.period) as i64;
        let found = std::iter::once(0)
            .chain((1..=window).flat_map(|k| [k, -k]))
            .find(|off| {
                totp(
                    &d.secret,
                    &d.params,
                    ((here + off) as u64) * d.params.period,
                )
                .is_ok_and(|c| c == code)
            });
        match found {
            Some(off) => {
                d.status = "activated".into();
                d.drift_steps = Some(off);
                Ok(())
            }
            None => {
                d.status = "failedActivation".into();
                Err(refuse(
                    400,
                    "invalidRequest",
                    "The verification code is invalid",
                ))
            }
        }
    }

    /// `device_id`, provided it is assigned to `user`.
    ///
    /// A deleted user's token is reached by the user's object id only (a
    /// deleted user's UPN no longer resolves): Graph documents no other way
    /// to take a token back from a deleted account, and this sandbox
    /// assumes the soft-deleted user's methods stay addressable by id.
    fn users_device(&mut self, user: &str, device_id: &str) -> Result<&mut Device, Refusal> {
        let uid = self
            .user(user)
            .or_else(|| self.deleted_users.iter().find(|u| u.id == user))
            .map(|u| u.id.clone())
            .ok_or_else(|| refuse(404, "Request_ResourceNotFound", "user not found"))?;
        let d = self.device_mut(device_id)?;
        if d.assigned_to.as_deref() != Some(uid.as_str()) {
            return Err(refuse(
                404,
                "itemNotFound",
                "The device is not assigned to this user",
            ));
        }
        Ok(d)
    }

    /// Back to `assigned`: the user must activate again.
    pub fn deactivate(&mut self, user: &str, device_id: &str) -> Result<(), Refusal> {
        let d = self.users_device(user, device_id)?;
        d.status = "assigned".into();
        Ok(())
    }

    /// Changes display name, manufacturer, model, interval or hash; never
    /// the secret, and only while unassigned.
    pub fn update(&mut self, device_id: &str, body: &Value) -> Result<(), Refusal> {
        let d = self.device_mut(device_id)?;
        if d.assigned_to.is_some() {
            return Err(refuse(
                400,
                "invalidRequest",
                "Unassign the device before updating it",
            ));
        }
        if body.get("secretKey").is_some() {
            return Err(refuse(
                400,
                "invalidRequest",
                "The secret key cannot be updated",
            ));
        }
        // Checked before anything changes: a refused update changes nothing.
        let period = new_device::interval(&body["timeIntervalInSeconds"])?;
        let algorithm = new_device::hash(&body["hashFunction"])?;
        if let Some(v) = body["displayName"].as_str() {
            d.display_name = Some(v.into());
        }
        if let Some(v) = body["manufacturer"].as_str() {
            d.manufacturer = v.into();
        }
        if let Some(v) = body["model"].as_str() {
            d.model = v.into();
        }
        d.params.period = period.unwrap_or(d.params.period);
        d.params.algorithm = algorithm.unwrap_or(d.params.algorithm);
        Ok(())
    }

    pub fn unassign(&mut self, user: &str, device_id: &str) -> Result<(), Refusal> {
        let d = self.users_device(user, device_id)?;
        d.assigned_to = None;
        d.assigned_at = None;
        d.status = "available".into();
        Ok(())
    }

    pub fn delete(&mut self, device_id: &str) -> Result<(), Refusal> {
        let d = self
            .device(device_id)
            .ok_or_else(|| refuse(404, "itemNotFound", "hardware OATH device not found"))?;
        if d.assigned_to.is_some() {
            return Err(refuse(
                400,
                "invalidRequest",
                "Unassign the device before deleting it",
            ));
        }
        self.devices.retain(|d| d.id != device_id);
        Ok(())
    }

    /// Takes one pending injected failure for `kind`, if any.
    pub fn take_fault(&mut self, kind: &str, after: bool) -> bool {
        let map = if after {
            &mut self.faults.fail_after
        } else {
            &mut self.faults.fail_before
        };
        match map.get_mut(kind) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    }
}

/// Now, in Unix seconds.
pub(crate) fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

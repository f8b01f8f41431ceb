//! Hardware OATH calls (Graph beta) and their typed results. Parsing is
//! tolerant of the shapes the docs disagree on: list items flat or inside a
//! `device` wrapper, a GET wrapped in `value`.

use oathdesk_otp::{Algorithm, CodeParams, Secret};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use serde::Serialize;
use serde_json::{Value, json};

use crate::answers;
use crate::client::{Answered, GraphClient, Idempotence, Reply};
use crate::error::{EntraError, ErrorKind};

const INVENTORY: &str = "/beta/directory/authenticationMethodDevices/hardwareOathDevices";

/// Entra's hardware OATH token status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum DeviceStatus {
    Available,
    Assigned,
    Activated,
    FailedActivation,
    /// A status Graph added after this client was written.
    Other,
}

impl DeviceStatus {
    /// Graph's spelling (`status` field and `$filter`). `Other` is Graph's
    /// placeholder for values added later, which no token has today.
    pub fn graph_name(self) -> &'static str {
        match self {
            DeviceStatus::Available => "available",
            DeviceStatus::Assigned => "assigned",
            DeviceStatus::Activated => "activated",
            DeviceStatus::FailedActivation => "failedActivation",
            DeviceStatus::Other => "unknownFutureValue",
        }
    }

    /// The status Graph spells `name`, if it is one of today's.
    pub fn from_graph(name: &str) -> Option<DeviceStatus> {
        [
            DeviceStatus::Available,
            DeviceStatus::Assigned,
            DeviceStatus::Activated,
            DeviceStatus::FailedActivation,
        ]
        .into_iter()
        .find(|s| s.graph_name() == name)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Identity {
    pub id: String,
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HardwareOathDevice {
    pub id: String,
    pub serial_number: String,
    pub manufacturer: String,
    pub model: String,
    pub display_name: Option<String>,
    pub time_interval_in_seconds: u64,
    pub hash_function: Algorithm,
    pub status: DeviceStatus,
    pub assigned_to: Option<Identity>,
    pub last_used: Option<String>,
}

impl HardwareOathDevice {
    /// Reads a device, unwrapping `device` or `value` wrappers.
    pub fn from_json(v: &Value) -> Option<HardwareOathDevice> {
        let v = if v["device"].is_object() {
            &v["device"]
        } else if v["value"].is_object() {
            &v["value"]
        } else {
            v
        };
        let s = |k: &str| v[k].as_str().map(str::to_string);
        let status = DeviceStatus::from_graph(v["status"].as_str().unwrap_or(""))
            .unwrap_or(DeviceStatus::Other);
        Some(HardwareOathDevice {
            id: s("id")?,
            serial_number: s("serialNumber").unwrap_or_default(),
            manufacturer: s("manufacturer").unwrap_or_default(),
            model: s("model").unwrap_or_default(),
            display_name: s("displayName"),
            time_interval_in_seconds: v["timeIntervalInSeconds"].as_u64().unwrap_or(30),
            hash_function: s("hashFunction")
                .and_then(|h| h.parse().ok())
                .unwrap_or_default(),
            status,
            assigned_to: v["assignedTo"]["id"].as_str().map(|id| Identity {
                id: id.to_string(),
                display_name: v["assignedTo"]["displayName"].as_str().map(str::to_string),
            }),
            last_used: s("lastUsedDateTime"),
        })
    }

    pub fn params(&self) -> CodeParams {
        CodeParams {
            algorithm: self.hash_function,
            digits: 6,
            period: self.time_interval_in_seconds,
        }
    }
}

/// A token to add to the inventory. The secret is encoded only into the
/// request body.
pub struct NewHardwareOathDevice<'a> {
    pub serial_number: &'a str,
    pub manufacturer: &'a str,
    pub model: &'a str,
    pub secret: &'a Secret,
    pub params: CodeParams,
    pub display_name: Option<&'a str>,
    pub assign_to: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    pub id: String,
    pub user_principal_name: String,
    pub display_name: Option<String>,
    pub user_type: Option<String>,
    /// `None` when Graph did not say.
    pub account_enabled: Option<bool>,
}

impl User {
    /// Reads a user; missing fields are empty.
    pub fn from_json(v: &Value) -> User {
        let s = |k: &str| v[k].as_str().map(str::to_string);
        User {
            id: s("id").unwrap_or_default(),
            user_principal_name: s("userPrincipalName").unwrap_or_default(),
            display_name: s("displayName"),
            user_type: s("userType"),
            account_enabled: v["accountEnabled"].as_bool(),
        }
    }
}

/// Filters for the inventory list.
#[derive(Debug, Clone, Default)]
pub struct DeviceFilter {
    pub serial: Option<String>,
    pub status: Option<String>,
}

pub(crate) fn quote(v: &str) -> String {
    format!("'{}'", v.replace('\'', "''"))
}

pub(crate) fn enc(v: &str) -> String {
    utf8_percent_encode(v, NON_ALPHANUMERIC).to_string()
}

fn hash_name(a: Algorithm) -> &'static str {
    if a == Algorithm::Sha256 {
        "hmacsha256"
    } else {
        "hmacsha1"
    }
}

/// One page of the inventory.
#[derive(Debug, Clone)]
pub struct DevicePage {
    pub items: Vec<HardwareOathDevice>,
    /// The link to the next page; `None` on the last.
    pub next: Option<String>,
}

fn first_page_path(filter: &DeviceFilter, top: u32) -> String {
    let mut clauses = Vec::new();
    if let Some(s) = &filter.serial {
        clauses.push(format!("serialNumber eq {}", quote(s)));
    }
    if let Some(s) = &filter.status {
        clauses.push(format!("status eq {}", quote(s)));
    }
    if clauses.is_empty() {
        format!("{INVENTORY}?$top={top}")
    } else {
        format!(
            "{INVENTORY}?$top={top}&$filter={}",
            enc(&clauses.join(" and "))
        )
    }
}

impl GraphClient {
    /// Every device matching `filter`, following `@odata.nextLink`.
    pub fn list_devices(
        &self,
        filter: &DeviceFilter,
    ) -> Result<Vec<HardwareOathDevice>, EntraError> {
        let mut all = Vec::new();
        let mut next = None;
        loop {
            let page = self.list_devices_page(filter, next.as_deref(), 999)?;
            all.extend(page.items);
            match page.next {
                Some(n) => next = Some(n),
                None => return Ok(all),
            }
        }
    }

    /// One page of at most `top` devices matching `filter`: the first when
    /// `next` is `None`, else the page that `next` (a previous page's
    /// `next`) points to.
    pub fn list_devices_page(
        &self,
        filter: &DeviceFilter,
        next: Option<&str>,
        top: u32,
    ) -> Result<DevicePage, EntraError> {
        let path = match next {
            Some(link) => link.to_string(),
            None => first_page_path(filter, top),
        };
        let reply = self.send(Method::GET, &path, None, Idempotence::Safe)?;
        Ok(answers::device_page(&reply.body))
    }

    pub fn find_by_serial(&self, serial: &str) -> Result<Option<HardwareOathDevice>, EntraError> {
        let filter = DeviceFilter {
            serial: Some(serial.to_string()),
            status: None,
        };
        Ok(self
            .list_devices(&filter)?
            .into_iter()
            .find(|d| d.serial_number == serial))
    }

    pub fn get_device(&self, id: &str) -> Result<HardwareOathDevice, EntraError> {
        let reply = self.send(
            Method::GET,
            &format!("{INVENTORY}/{}", enc(id)),
            None,
            Idempotence::Safe,
        )?;
        answers::device(&reply.body)
    }

    /// Creates a device. Never blindly resent: after a failure that may have
    /// hidden success, it looks the serial up and returns what it finds.
    ///
    /// The `status` in a create response is not to be trusted (Microsoft's
    /// docs disagree with the service): callers that act on the status
    /// re-read with [`GraphClient::get_device`]. The enrolment workflow reads
    /// the token back after activation anyway, so it saves that call.
    pub fn create_device(
        &self,
        d: &NewHardwareOathDevice<'_>,
    ) -> Result<Answered<HardwareOathDevice>, EntraError> {
        let mut last = None;
        for _ in 0..4 {
            match self.create_once(d) {
                Err(e) if e.kind == ErrorKind::Unavailable => {
                    if let Some(found) = self.find_by_serial(d.serial_number)? {
                        return Ok(Answered {
                            value: found,
                            request_id: e.request_id,
                        });
                    }
                    last = Some(e);
                }
                other => return other,
            }
        }
        Err(last.expect("at least one attempt"))
    }

    fn create_once(
        &self,
        d: &NewHardwareOathDevice<'_>,
    ) -> Result<Answered<HardwareOathDevice>, EntraError> {
        let mut body = json!({
            "serialNumber": d.serial_number,
            "manufacturer": d.manufacturer,
            "model": d.model,
            "secretKey": d.secret.to_base32().as_str(),
            "timeIntervalInSeconds": d.params.period,
            "hashFunction": hash_name(d.params.algorithm),
        });
        if let Some(n) = d.display_name {
            body["displayName"] = json!(n);
        }
        if let Some(u) = d.assign_to {
            body["assignTo"] = json!({"id": u});
        }
        let result = self.send(Method::POST, INVENTORY, Some(&body), Idempotence::Once);
        // The body held the secret: overwrite it before it is freed.
        crate::client::wipe_secrets(&mut body);
        let reply = result?;
        Ok(Answered {
            value: answers::device(&reply.body)?,
            request_id: reply.request_id,
        })
    }

    pub fn delete_device(&self, id: &str) -> Result<Answered<()>, EntraError> {
        self.send(
            Method::DELETE,
            &format!("{INVENTORY}/{}", enc(id)),
            None,
            Idempotence::Safe,
        )
        .map(Reply::answered)
    }

    /// Assigns the token to `user` (an object id). Sent once: after a
    /// failure that may have hidden success, the token is read back and
    /// counts as assigned only if Entra holds it assigned to `user`.
    pub fn assign(&self, user: &str, device_id: &str) -> Result<Answered<()>, EntraError> {
        let body = json!({"device": {"id": device_id}});
        let sent = self.send(
            Method::POST,
            &user_path(user),
            Some(&body),
            Idempotence::Once,
        );
        self.settled(sent, device_id, |d| {
            d.assigned_to.as_ref().is_some_and(|a| a.id == user)
        })
    }

    /// Activates `user`'s token with `code`. Sent once: a second activation
    /// is undocumented, so after a failure that may have hidden success the
    /// token is read back instead, and counts as activated only if it is.
    pub fn activate(
        &self,
        user: &str,
        device_id: &str,
        code: &str,
    ) -> Result<Answered<()>, EntraError> {
        let path = format!("{}/{}/activate", user_path(user), enc(device_id));
        let body = json!({"verificationCode": code});
        let sent = self.send(Method::POST, &path, Some(&body), Idempotence::Once);
        self.settled(sent, device_id, |d| {
            d.status == DeviceStatus::Activated
                && d.assigned_to.as_ref().is_some_and(|a| a.id == user)
        })
    }

    /// A write's outcome; after an ambiguous failure (network, 5xx) the
    /// device is read and `done` decides. Anything else keeps the error.
    fn settled(
        &self,
        sent: Result<Reply, EntraError>,
        device_id: &str,
        done: impl Fn(&HardwareOathDevice) -> bool,
    ) -> Result<Answered<()>, EntraError> {
        match sent {
            Ok(reply) => Ok(reply.answered()),
            Err(e) if e.kind == ErrorKind::Unavailable => match self.get_device(device_id) {
                Ok(d) if done(&d) => Ok(Answered {
                    value: (),
                    request_id: e.request_id,
                }),
                _ => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    pub fn unassign(&self, user: &str, device_id: &str) -> Result<Answered<()>, EntraError> {
        let path = format!("{}/{}", user_path(user), enc(device_id));
        self.send(Method::DELETE, &path, None, Idempotence::Safe)
            .map(Reply::answered)
    }

    /// The user's hardware OATH tokens.
    pub fn user_methods(&self, user: &str) -> Result<Vec<HardwareOathDevice>, EntraError> {
        let path = format!(
            "/beta/users/{}/authentication/hardwareOathMethods",
            enc(user)
        );
        let reply = self.send(Method::GET, &path, None, Idempotence::Safe)?;
        Ok(answers::devices(&reply.body))
    }

    pub fn user(&self, user: &str) -> Result<User, EntraError> {
        let path = format!(
            "/v1.0/users/{}?$select=id,userPrincipalName,displayName,userType,accountEnabled",
            enc(user)
        );
        let reply = self.send(Method::GET, &path, None, Idempotence::Safe)?;
        Ok(User::from_json(&reply.body))
    }
}

/// Fields an unassigned device may change (never the secret).
#[derive(Debug, Clone, Default)]
pub struct DeviceUpdate {
    pub display_name: Option<String>,
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    pub params: Option<CodeParams>,
}

/// One item's fate in a bulk create.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum BulkOutcome {
    Created { id: String },
    Refused { message: String },
}

const POLICY: &str =
    "/beta/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/hardwareOath";
const POLICY_TYPE: &str = "#microsoft.graph.hardwareOathAuthenticationMethodConfiguration";

fn user_path(user: &str) -> String {
    format!(
        "/beta/users/{}/authentication/hardwareOathMethods",
        enc(user)
    )
}

impl GraphClient {
    pub fn update_device(&self, id: &str, u: &DeviceUpdate) -> Result<(), EntraError> {
        let mut body = json!({});
        if let Some(v) = &u.display_name {
            body["displayName"] = json!(v);
        }
        if let Some(v) = &u.manufacturer {
            body["manufacturer"] = json!(v);
        }
        if let Some(v) = &u.model {
            body["model"] = json!(v);
        }
        if let Some(p) = &u.params {
            body["timeIntervalInSeconds"] = json!(p.period);
            body["hashFunction"] = json!(hash_name(p.algorithm));
        }
        self.send(
            Method::PATCH,
            &format!("{INVENTORY}/{}", enc(id)),
            Some(&body),
            Idempotence::Safe,
        )
        .map(drop)
    }

    /// Creates many devices in one `$delta` request; each item's outcome is
    /// reported by position, read by serial from Entra's answer. Not retried blindly: on a failure that may hide
    /// success, look the serials up.
    pub fn bulk_create(
        &self,
        devices: &[NewHardwareOathDevice<'_>],
    ) -> Result<Vec<BulkOutcome>, EntraError> {
        self.bulk_create_answered(devices).map(|a| a.value)
    }

    /// [`GraphClient::bulk_create`], with the request id of the call (what
    /// the audit log records for each token). Items may carry `assignTo`
    /// and `displayName`, as single creates do.
    pub fn bulk_create_answered(
        &self,
        devices: &[NewHardwareOathDevice<'_>],
    ) -> Result<Answered<Vec<BulkOutcome>>, EntraError> {
        let value: Vec<Value> = devices
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let mut item = json!({
                    "@contentId": (i + 1).to_string(),
                    "serialNumber": d.serial_number,
                    "manufacturer": d.manufacturer,
                    "model": d.model,
                    "secretKey": d.secret.to_base32().as_str(),
                    "timeIntervalInSeconds": d.params.period,
                    "hashFunction": hash_name(d.params.algorithm),
                });
                if let Some(n) = d.display_name {
                    item["displayName"] = json!(n);
                }
                if let Some(u) = d.assign_to {
                    item["assignTo"] = json!({"id": u});
                }
                item
            })
            .collect();
        let mut body = json!({"@context": "#$delta", "value": value});
        let result = self.send(Method::PATCH, INVENTORY, Some(&body), Idempotence::Once);
        crate::client::wipe_secrets(&mut body);
        let reply = result?;
        let created = answers::bulk_created(&reply.body);
        let outcomes = devices
            .iter()
            .map(
                |d| match created.iter().find(|(sn, _)| sn == d.serial_number) {
                    Some((_, id)) => Ok(BulkOutcome::Created { id: id.clone() }),
                    None => self.not_created(d.serial_number),
                },
            )
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Answered {
            value: outcomes,
            request_id: reply.request_id,
        })
    }

    /// Why Entra's answer left `serial` out: a token with that serial was
    /// there already, or Entra refused the item.
    fn not_created(&self, serial: &str) -> Result<BulkOutcome, EntraError> {
        let message = match self.find_by_serial(serial)? {
            Some(_) => format!("a token with serial {serial} already exists in Entra"),
            None => format!(
                "Entra did not create the token with serial {serial}: check its secret, interval and hash"
            ),
        };
        Ok(BulkOutcome::Refused { message })
    }

    pub fn deactivate(&self, user: &str, device_id: &str) -> Result<(), EntraError> {
        let path = format!("{}/{}/deactivate", user_path(user), enc(device_id));
        self.send(Method::POST, &path, None, Idempotence::Safe)
            .map(drop)
    }

    pub fn assign_and_activate(
        &self,
        user: &str,
        device_id: &str,
        code: &str,
    ) -> Result<(), EntraError> {
        let body = json!({"device": {"id": device_id}, "verificationCode": code});
        // An activation: sent once, like `activate`.
        self.send(
            Method::POST,
            &format!("{}/assignAndActivate", user_path(user)),
            Some(&body),
            Idempotence::Once,
        )
        .map(drop)
    }

    pub fn assign_and_activate_by_serial(
        &self,
        user: &str,
        serial: &str,
        code: &str,
    ) -> Result<(), EntraError> {
        let body = json!({"serialNumber": serial, "verificationCode": code});
        let path = format!("{}/assignAndActivateBySerialNumber", user_path(user));
        self.send(Method::POST, &path, Some(&body), Idempotence::Once)
            .map(drop)
    }

    /// Whether the tenant's hardware OATH method policy is enabled.
    pub fn policy_enabled(&self) -> Result<bool, EntraError> {
        let reply = self.send(Method::GET, POLICY, None, Idempotence::Safe)?;
        Ok(reply.body["state"].as_str() == Some("enabled"))
    }

    pub fn set_policy_enabled(&self, enabled: bool) -> Result<(), EntraError> {
        let body = json!({"@odata.type": POLICY_TYPE, "state": if enabled { "enabled" } else { "disabled" }});
        self.send(Method::PATCH, POLICY, Some(&body), Idempotence::Safe)
            .map(drop)
    }

    /// Users whose UPN starts with `prefix` (v1.0).
    pub fn search_users(&self, prefix: &str) -> Result<Vec<User>, EntraError> {
        let filter = format!("startswith(userPrincipalName,{})", quote(prefix));
        let reply = self.send(
            Method::GET,
            &format!("/v1.0/users?$filter={}", enc(&filter)),
            None,
            Idempotence::Safe,
        )?;
        Ok(answers::users(&reply.body))
    }
}

impl GraphClient {
    /// The signed-in operator.
    pub fn me(&self) -> Result<User, EntraError> {
        let reply = self.send(Method::GET, "/v1.0/me", None, Idempotence::Safe)?;
        Ok(User::from_json(&reply.body))
    }
}

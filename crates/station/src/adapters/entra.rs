//! [`Directory`] and [`TimeAuthority`] over the Graph client.

use oathdesk_entra::{
    BulkOutcome, DeviceFilter, EntraError, ErrorKind, GraphClient, Group, HardwareOathDevice,
    NewHardwareOathDevice, User,
};

use crate::clock::{ClockCheck, TimeAuthority};
use crate::ports::{
    Answered, DeviceFacts, DeviceQuery, DeviceStatus, Directory, DirectoryFailure,
    DirectoryFailureKind, GroupMatch, InventoryEntry, InventoryPage, NewDevice, UserFacts,
    UserMatch,
};

/// Entra as the station's workflows see it. The Graph client stays inside:
/// the shells reach Entra only through workflows, which check input and
/// audit writes.
pub struct GraphTenant {
    client: GraphClient,
}

impl GraphTenant {
    /// Entra through `client` (its Graph root, token source and retries).
    pub fn new(client: GraphClient) -> Self {
        GraphTenant { client }
    }
}

fn failure(e: EntraError) -> DirectoryFailure {
    let kind = match e.kind {
        ErrorKind::Unavailable => DirectoryFailureKind::Transient,
        ErrorKind::NotFound | ErrorKind::UserNotFound => DirectoryFailureKind::NotFound,
        _ => DirectoryFailureKind::Rejected,
    };
    DirectoryFailure {
        kind,
        next_step: e.next_step(),
        message: e.message,
        request_id: e.request_id,
    }
}

/// A station token as the Graph client sends it.
fn graph_device<'a>(d: &NewDevice<'a>) -> NewHardwareOathDevice<'a> {
    NewHardwareOathDevice {
        serial_number: d.serial,
        manufacturer: d.manufacturer,
        model: d.model,
        secret: d.secret,
        params: d.params,
        display_name: None,
        assign_to: d.assign_to,
    }
}

/// One item of a bulk answer, under the bulk call's request id.
fn bulk_item(
    o: BulkOutcome,
    request_id: &Option<String>,
) -> Result<Answered<String>, DirectoryFailure> {
    match o {
        BulkOutcome::Created { id } => Ok(Answered {
            value: id,
            request_id: request_id.clone(),
        }),
        BulkOutcome::Refused { message } => Err(DirectoryFailure {
            kind: DirectoryFailureKind::Rejected,
            message,
            next_step: "Correct the token's entry in the file, then import it again.".into(),
            request_id: request_id.clone(),
        }),
    }
}

impl GraphTenant {
    /// A bulk create failed as a whole: a lost answer may hide success, so
    /// each serial is looked up before it is counted as not created.
    fn after_failure(
        &self,
        d: &NewDevice<'_>,
        e: &EntraError,
    ) -> Result<Answered<String>, DirectoryFailure> {
        if e.kind == ErrorKind::Unavailable
            && let Ok(Some(found)) = self.client.find_by_serial(d.serial)
        {
            return Ok(Answered {
                value: found.id,
                request_id: e.request_id.clone(),
            });
        }
        Err(failure(e.clone()))
    }
}

/// A token as the inventory lists it.
fn entry(mut d: HardwareOathDevice) -> InventoryEntry {
    let assignee_name = d.assigned_to.as_mut().and_then(|a| a.display_name.take());
    InventoryEntry {
        manufacturer: std::mem::take(&mut d.manufacturer),
        model: std::mem::take(&mut d.model),
        display_name: d.display_name.take(),
        last_used: d.last_used.take(),
        assignee_name,
        device: facts(d),
    }
}

fn user_match(u: User) -> UserMatch {
    UserMatch {
        id: u.id,
        upn: u.user_principal_name,
        display_name: u.display_name,
    }
}

fn facts(d: HardwareOathDevice) -> DeviceFacts {
    let status = d.status;
    DeviceFacts {
        params: d.params(),
        id: d.id,
        serial: d.serial_number,
        status,
        assigned_to: d.assigned_to.map(|a| a.id),
    }
}

/// The host clock against the `Date` of the latest Graph response (making
/// a cheap call if there was none yet).
impl TimeAuthority for GraphTenant {
    fn clock_check(&self) -> Result<ClockCheck, DirectoryFailure> {
        let date = match self.client.last_server_date() {
            Some(d) => d,
            None => self.client.probe_server_date().map_err(failure)?,
        };
        ClockCheck::from_date_header(&date.date, date.sent, date.received).map_err(|e| {
            DirectoryFailure {
                kind: DirectoryFailureKind::Transient,
                message: e.to_string(),
                next_step: "Try again.".into(),
                request_id: None,
            }
        })
    }
}

impl Directory for GraphTenant {
    fn user(&self, upn: &str) -> Result<UserFacts, DirectoryFailure> {
        let u = self.client.user(upn).map_err(failure)?;
        let tokens = self.client.user_methods(&u.id).map_err(failure)?;
        Ok(UserFacts {
            is_guest: u
                .user_type
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("guest")),
            is_disabled: u.account_enabled == Some(false),
            id: u.id,
            upn: u.user_principal_name,
            display_name: u.display_name,
            token_serials: tokens.into_iter().map(|d| d.serial_number).collect(),
        })
    }

    fn find_by_serial(&self, serial: &str) -> Result<Option<DeviceFacts>, DirectoryFailure> {
        Ok(self
            .client
            .find_by_serial(serial)
            .map_err(failure)?
            .map(facts))
    }

    fn create(&self, d: &NewDevice<'_>) -> Result<Answered<DeviceFacts>, DirectoryFailure> {
        self.client
            .create_device(&graph_device(d))
            .map(|a| a.map(facts))
            .map_err(failure)
    }

    fn bulk_create(
        &self,
        devices: &[NewDevice<'_>],
    ) -> Vec<Result<Answered<String>, DirectoryFailure>> {
        let new: Vec<_> = devices.iter().map(graph_device).collect();
        match self.client.bulk_create_answered(&new) {
            Ok(answered) => answered
                .value
                .into_iter()
                .map(|o| bulk_item(o, &answered.request_id))
                .collect(),
            Err(e) => devices.iter().map(|d| self.after_failure(d, &e)).collect(),
        }
    }

    fn assign(&self, user_id: &str, device_id: &str) -> Result<Answered<()>, DirectoryFailure> {
        self.client.assign(user_id, device_id).map_err(failure)
    }

    fn activate(
        &self,
        user_id: &str,
        device_id: &str,
        code: &str,
    ) -> Result<Answered<()>, DirectoryFailure> {
        self.client
            .activate(user_id, device_id, code)
            .map_err(failure)
    }

    fn device(&self, device_id: &str) -> Result<DeviceFacts, DirectoryFailure> {
        self.client
            .get_device(device_id)
            .map(facts)
            .map_err(failure)
    }

    fn unassign(&self, user_id: &str, device_id: &str) -> Result<Answered<()>, DirectoryFailure> {
        self.client.unassign(user_id, device_id).map_err(failure)
    }

    fn delete(&self, device_id: &str) -> Result<Answered<()>, DirectoryFailure> {
        self.client.delete_device(device_id).map_err(failure)
    }

    fn list_page(
        &self,
        query: &DeviceQuery,
        next: Option<&str>,
        size: u32,
    ) -> Result<InventoryPage, DirectoryFailure> {
        let filter = DeviceFilter {
            serial: query.serial.clone(),
            status: query
                .status
                .map(|s| DeviceStatus::graph_name(s).to_string()),
        };
        let page = self
            .client
            .list_devices_page(&filter, next, size)
            .map_err(failure)?;
        Ok(InventoryPage {
            items: page.items.into_iter().map(entry).collect(),
            next: page.next,
        })
    }

    fn inventory_entry(&self, device_id: &str) -> Result<InventoryEntry, DirectoryFailure> {
        self.client
            .get_device(device_id)
            .map(entry)
            .map_err(failure)
    }

    fn search_users(&self, prefix: &str) -> Result<Vec<UserMatch>, DirectoryFailure> {
        let users = self.client.search_users(prefix).map_err(failure)?;
        Ok(users.into_iter().map(user_match).collect())
    }

    fn signed_in_user(&self) -> Result<UserMatch, DirectoryFailure> {
        self.client.me().map(user_match).map_err(failure)
    }

    fn find_groups(&self, name: &str) -> Result<Vec<GroupMatch>, DirectoryFailure> {
        let groups = self.client.find_groups(name).map_err(failure)?;
        Ok(groups.into_iter().map(group_match).collect())
    }

    fn group(&self, id: &str) -> Result<GroupMatch, DirectoryFailure> {
        self.client.group(id).map(group_match).map_err(failure)
    }

    fn group_members(&self, id: &str) -> Result<Vec<UserMatch>, DirectoryFailure> {
        let users = self.client.group_members(id).map_err(failure)?;
        Ok(users.into_iter().map(user_match).collect())
    }
}

fn group_match(g: Group) -> GroupMatch {
    GroupMatch {
        id: g.id,
        name: g.display_name,
    }
}

//! [`Directory`] and [`TimeAuthority`] over the Graph client.

use oathdesk_entra::{
    DeviceStatus as GraphStatus, EntraError, ErrorKind, GraphClient, HardwareOathDevice,
    NewHardwareOathDevice,
};

use crate::clock::{ClockCheck, TimeAuthority};
use crate::ports::{
    DeviceFacts, DeviceStatus, Directory, DirectoryFailure, DirectoryFailureKind, NewDevice,
    UserFacts,
};

pub struct GraphTenant {
    pub client: GraphClient,
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

fn facts(d: HardwareOathDevice) -> DeviceFacts {
    let status = match d.status {
        GraphStatus::Available => DeviceStatus::Available,
        GraphStatus::Assigned => DeviceStatus::Assigned,
        GraphStatus::Activated => DeviceStatus::Activated,
        GraphStatus::FailedActivation => DeviceStatus::FailedActivation,
        GraphStatus::Unknown => DeviceStatus::Other,
    };
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

    fn create(&self, d: &NewDevice<'_>) -> Result<DeviceFacts, DirectoryFailure> {
        let new = NewHardwareOathDevice {
            serial_number: d.serial,
            manufacturer: d.manufacturer,
            model: d.model,
            secret: d.secret,
            params: d.params,
            display_name: None,
            assign_to: d.assign_to,
        };
        self.client.create_device(&new).map(facts).map_err(failure)
    }

    fn assign(&self, user_id: &str, device_id: &str) -> Result<(), DirectoryFailure> {
        self.client.assign(user_id, device_id).map_err(failure)
    }

    fn activate(&self, user_id: &str, device_id: &str, code: &str) -> Result<(), DirectoryFailure> {
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

    fn unassign(&self, user_id: &str, device_id: &str) -> Result<(), DirectoryFailure> {
        self.client.unassign(user_id, device_id).map_err(failure)
    }

    fn delete(&self, device_id: &str) -> Result<(), DirectoryFailure> {
        self.client.delete_device(device_id).map_err(failure)
    }

    fn last_request_id(&self) -> Option<String> {
        self.client.last_request_id()
    }
}

//! Enrol a user with a hardware token (the hardware-OATH path): check the
//! user, generate a secret, burn it with the clock set, create the token in
//! Entra assigned to the user, activate it with a code computed locally at
//! the token's clock, and read back `activated`.
//!
//! Every step is journalled after it succeeds, with the secret sealed from
//! before the burn until Entra confirms, so [`resume`] can finish an
//! enrolment after a crash or a lost network without re-burning a token
//! that holds its seed and without creating a duplicate (it searches by
//! serial before creating).

use oathdesk_otp::{Algorithm, CodeParams, Secret, generate_secret, totp};
use serde::Serialize;

use super::burn::{BurnChoices, checked, checked_clock, open_token};
use super::inventory::accepted_by_entra;
use super::progress::{ProgressExt, ProgressSink, Step};
use crate::StationError;
use crate::audit::{AuditAction, AuditEntry, Outcome};
use crate::clock::{ClockCheck, TimeAuthority, now_unix};
use crate::journal::{EnrolState, Enrolment, NewEnrolment};
use crate::ports::{
    Answered, DeviceStatus, Directory, DirectoryFailure, DirectoryFailureKind, NewDevice,
    Placement, Readers, Token, TokenSettings, UserFacts, request_id_of,
};
use crate::station::Station;

/// Entra allows at most this many OATH tokens (hardware and software) per user.
pub const MAX_OATH_METHODS: usize = 5;

/// What the operator asks for.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct EnrolRequest {
    pub user: String,
    pub algorithm: Algorithm,
    /// 30 or 60 seconds (Entra accepts no other).
    pub period: u64,
    /// Reader, display timeout, slot / credential name.
    #[serde(flatten)]
    pub choices: BurnChoices,
}

/// What the handover sheet shows.
#[derive(Debug, Clone, Serialize)]
pub struct EnrolOutcome {
    pub enrolment_id: String,
    pub user: String,
    /// The serial Entra knows the token by (with `-NN` for a Molto2 slot).
    pub serial: String,
    pub model: String,
    pub device_id: String,
    pub params: CodeParams,
    pub activated_at: u64,
}

/// Both faces of Entra a workflow needs.
pub trait Tenant: Directory + TimeAuthority {}
impl<T: Directory + TimeAuthority> Tenant for T {}

/// Runs a new enrolment from user check to `activated`.
pub fn enrol(
    station: &Station,
    readers: &dyn Readers,
    tenant: &dyn Tenant,
    request: &EnrolRequest,
    progress: &mut dyn ProgressSink,
) -> Result<EnrolOutcome, StationError> {
    let params = entra_params(request)?;
    let user = check_user(tenant, &request.user, progress)?;
    let mut token = open_token(readers, request.choices.reader.as_deref(), progress)?;
    let seed_len = params.algorithm.output_len();
    let (settings, place) = checked(
        token.as_mut(),
        &params,
        seed_len,
        &request.choices,
        Some(&user.upn),
        progress,
    )?;
    let serial = token.facts().directory_serial(place.slot);
    if user.token_serials.iter().any(|s| s == &serial) {
        return Err(StationError::BadInput(format!(
            "{} already has token {serial}; use another token or unassign this one first",
            user.upn
        )));
    }
    burn_and_register(
        station,
        token.as_mut(),
        tenant,
        &user,
        &settings,
        &place,
        None,
        progress,
    )
}

/// Checks the host clock, journals a new enrolment (secret sealed), burns a
/// fresh secret with the clock set at `place`, and registers it. `replaces` names an older
/// registration of the same token to remove first (a re-seed).
#[allow(clippy::too_many_arguments)]
pub(crate) fn burn_and_register(
    station: &Station,
    token: &mut dyn Token,
    tenant: &dyn Tenant,
    user: &UserFacts,
    settings: &TokenSettings,
    place: &Placement,
    replaces: Option<&str>,
    progress: &mut dyn ProgressSink,
) -> Result<EnrolOutcome, StationError> {
    let clock = checked_clock(tenant, progress)?;
    let secret = generate_secret(settings.params.algorithm);
    let facts = token.facts().clone();
    let new = NewEnrolment {
        operator: station.operator(),
        user: &user.upn,
        user_id: &user.id,
        reader: &facts.reader,
        serial: &facts.serial,
        model: &facts.model,
        manufacturer: &facts.manufacturer,
        params: settings.params,
        replaces_device_id: replaces,
        place,
        display_timeout: settings.display_timeout,
    };
    let enrolment = station.records().start_enrolment(&new, &secret)?;
    let burnt = token.burn(&secret, settings, place, progress);
    audit_burn(station, &enrolment, burnt.is_ok(), &clock)?;
    if let Err(failure) = burnt {
        station
            .records()
            .abandon_enrolment(&enrolment.id, &failure.message)?;
        return Err(StationError::Token(failure));
    }
    station
        .records()
        .remember_burn(&facts.serial, place.slot, settings)?;
    station
        .records()
        .advance_enrolment(&enrolment.id, EnrolState::Burned, None)?;
    register(station, tenant, &enrolment.id, &secret, false, progress)
}

/// Finishes a journalled enrolment from the step it reached. A token that
/// may not hold its seed yet (state `started`) is re-burnt with the same
/// secret, so it needs the token on a reader.
pub fn resume(
    station: &Station,
    readers: &dyn Readers,
    tenant: &dyn Tenant,
    enrolment_id: &str,
    progress: &mut dyn ProgressSink,
) -> Result<EnrolOutcome, StationError> {
    let e = station.records().enrolment(enrolment_id)?;
    if !e.state.is_pending() {
        return Err(StationError::BadInput(format!(
            "enrolment {enrolment_id} is already {:?}",
            e.state
        )));
    }
    let secret = station.records().unseal(enrolment_id)?;
    if e.state == EnrolState::Started {
        reburn(station, readers, tenant, &e, &secret, progress)?;
    }
    register(station, tenant, enrolment_id, &secret, true, progress)
}

/// Re-burns the same secret onto the same place of the same token (by
/// serial), over whatever the interrupted burn may have left there.
fn reburn(
    station: &Station,
    readers: &dyn Readers,
    tenant: &dyn Tenant,
    e: &Enrolment,
    secret: &Secret,
    progress: &mut dyn ProgressSink,
) -> Result<(), StationError> {
    let mut token = open_token(readers, e.reader.as_deref(), progress)?;
    let serial = token.facts().serial.clone();
    if Some(&serial) != e.serial.as_ref() {
        return Err(StationError::BadInput(format!(
            "the token on the reader is {serial}, but this enrolment is for {}; put that token on the reader",
            e.serial.as_deref().unwrap_or("?")
        )));
    }
    let choices = BurnChoices {
        reader: e.reader.clone(),
        display_timeout: Some(e.display_timeout),
        place: Placement {
            replace: true,
            ..e.place.clone()
        },
    };
    let (settings, place) = checked(
        token.as_mut(),
        &e.params,
        secret.len(),
        &choices,
        None,
        progress,
    )?;
    let clock = checked_clock(tenant, progress)?;
    let burnt = token.burn(secret, &settings, &place, progress);
    audit_burn(station, e, burnt.is_ok(), &clock)?;
    burnt.map_err(StationError::Token)?;
    station
        .records()
        .remember_burn(&serial, place.slot, &settings)?;
    station
        .records()
        .advance_enrolment(&e.id, EnrolState::Burned, None)
}

/// Entra takes 6-digit codes, SHA-1 or SHA-256, and 30 or 60 s.
fn entra_params(request: &EnrolRequest) -> Result<CodeParams, StationError> {
    accepted_by_entra(CodeParams {
        algorithm: request.algorithm,
        digits: 6,
        period: request.period,
    })
}

/// A member (not a guest) with room for another OATH token.
fn check_user(
    tenant: &dyn Tenant,
    upn: &str,
    progress: &mut dyn ProgressSink,
) -> Result<UserFacts, StationError> {
    progress.started(Step::CheckUser);
    let user = tenant.user(upn).map_err(|f| {
        progress.failed(Step::CheckUser, &f.message, &f.next_step);
        directory_error(f, None)
    })?;
    if let Some(why) = why_user_cannot_take_a_token(&user) {
        progress.failed(Step::CheckUser, &why, "Choose another user.");
        return Err(StationError::BadInput(why));
    }
    progress.done(Step::CheckUser, user.display_name.clone());
    Ok(user)
}

/// Why `user` should not get another hardware token: a guest (Entra
/// refuses), a disabled account (the token would be wasted), or the most
/// OATH methods a user may have.
pub(crate) fn why_user_cannot_take_a_token(user: &UserFacts) -> Option<String> {
    if user.is_guest {
        Some(format!(
            "{} is a guest; Entra does not give guests hardware OATH tokens",
            user.upn
        ))
    } else if user.is_disabled {
        Some(format!(
            "{}'s account is disabled; enable it in Entra first, or choose another user",
            user.upn
        ))
    } else if user.token_serials.len() >= MAX_OATH_METHODS {
        Some(format!(
            "{} already has {} OATH tokens, the most Entra allows; unassign one first",
            user.upn,
            user.token_serials.len()
        ))
    } else {
        None
    }
}

fn directory_error(failure: DirectoryFailure, enrolment: Option<&str>) -> StationError {
    StationError::Directory {
        failure,
        enrolment: enrolment.map(str::to_string),
    }
}

/// Create → assign → activate → verify, each skipped when already done.
fn register(
    station: &Station,
    tenant: &dyn Tenant,
    id: &str,
    secret: &Secret,
    resuming: bool,
    progress: &mut dyn ProgressSink,
) -> Result<EnrolOutcome, StationError> {
    let mut reg = Registration {
        station,
        tenant,
        id,
        progress,
    };
    let run = reg.run(secret, resuming);
    if let Err(e) = &run {
        station.records().note_enrolment_error(id, &e.to_string())?;
    }
    run
}

struct Registration<'a> {
    station: &'a Station,
    tenant: &'a dyn Tenant,
    id: &'a str,
    progress: &'a mut dyn ProgressSink,
}

impl Registration<'_> {
    fn run(&mut self, secret: &Secret, resuming: bool) -> Result<EnrolOutcome, StationError> {
        let mut e = self.station.records().enrolment(self.id)?;
        if let (Some(old), EnrolState::Burned) = (e.replaces_device_id.clone(), e.state) {
            self.remove_old(&e, &old)?;
        }
        let activated_in_entra = resuming && self.reconcile(&mut e)?;
        if e.state == EnrolState::Burned {
            self.create(&e, secret)?;
            e = self.station.records().enrolment(self.id)?;
        }
        if e.state == EnrolState::Created {
            self.assign(&e)?;
            e = self.station.records().enrolment(self.id)?;
        }
        if e.state == EnrolState::Assigned && !activated_in_entra {
            self.activate(&e, secret)?;
        }
        self.verify(&e)
    }

    /// After a crash the journal may be behind Entra: look the token up by
    /// serial and catch up, so nothing is created twice. True when Entra
    /// already holds it `activated`: it is then only verified, never
    /// activated again (what a second activation does is undocumented).
    fn reconcile(&mut self, e: &mut Enrolment) -> Result<bool, StationError> {
        let serial = e.directory_serial();
        let found = self.call(Step::Create, |t| t.find_by_serial(&serial))?;
        let Some(device) = found else {
            return Ok(false);
        };
        let state = match device.status {
            _ if device.assigned_to.is_some() && device.assigned_to != e.user_id => {
                return Err(StationError::BadInput(format!(
                    "token {serial} is registered to another user in Entra; unassign it there first"
                )));
            }
            DeviceStatus::Available => EnrolState::Created,
            DeviceStatus::Assigned | DeviceStatus::FailedActivation | DeviceStatus::Activated => {
                EnrolState::Assigned
            }
            DeviceStatus::Other => {
                return Err(StationError::BadInput(format!(
                    "Entra reports token {serial} in a state this desk does not know; check it in the Entra admin center, then resume"
                )));
            }
        };
        if state > e.state || e.device_id.is_none() {
            self.station.records().advance_enrolment(
                self.id,
                state.max(e.state),
                Some(&device.id),
            )?;
            *e = self.station.records().enrolment(self.id)?;
        }
        Ok(device.status == DeviceStatus::Activated)
    }

    /// Removes the registration a re-seed replaces: unassign, then delete.
    /// Already gone counts as done, so a resumed re-seed can pass again.
    fn remove_old(&mut self, e: &Enrolment, old: &str) -> Result<(), StationError> {
        self.progress.started(Step::RemoveOld);
        let user = e.user_id.clone().unwrap_or_default();
        let gone = |r: Result<Answered<()>, DirectoryFailure>| match r {
            Err(f) if f.kind == DirectoryFailureKind::NotFound => Ok(Answered {
                value: (),
                request_id: f.request_id,
            }),
            other => other,
        };
        self.write(e, Step::RemoveOld, AuditAction::Unassign, |t| {
            gone(t.unassign(&user, old))
        })?;
        self.write(e, Step::RemoveOld, AuditAction::Delete, |t| {
            gone(t.delete(old))
        })?;
        self.progress
            .done(Step::RemoveOld, Some(format!("old inventory id {old}")));
        Ok(())
    }

    fn create(&mut self, e: &Enrolment, secret: &Secret) -> Result<(), StationError> {
        self.progress.started(Step::Create);
        let serial = e.directory_serial();
        let new = NewDevice {
            serial: &serial,
            manufacturer: e.manufacturer.as_deref().unwrap_or_default(),
            model: e.model.as_deref().unwrap_or_default(),
            secret,
            params: e.params,
            assign_to: e.user_id.as_deref(),
        };
        let device = self.write(e, Step::Create, AuditAction::Create, |t| t.create(&new))?;
        let state = if device.assigned_to.is_some() {
            EnrolState::Assigned
        } else {
            EnrolState::Created
        };
        self.station
            .records()
            .advance_enrolment(self.id, state, Some(&device.id))?;
        self.progress
            .done(Step::Create, Some(format!("inventory id {}", device.id)));
        if state == EnrolState::Assigned {
            self.progress
                .done(Step::Assign, Some("assigned at creation".into()));
        }
        Ok(())
    }

    fn assign(&mut self, e: &Enrolment) -> Result<(), StationError> {
        self.progress.started(Step::Assign);
        let (user, device) = ids(e)?;
        self.write(e, Step::Assign, AuditAction::Assign, |t| {
            t.assign(&user, &device)
        })?;
        self.station
            .records()
            .advance_enrolment(self.id, EnrolState::Assigned, None)?;
        self.progress.done(Step::Assign, None);
        Ok(())
    }

    /// Activates with the code the token shows now: its clock was set from
    /// the checked host clock at burn time.
    fn activate(&mut self, e: &Enrolment, secret: &Secret) -> Result<(), StationError> {
        self.progress.started(Step::Activate);
        let (user, device) = ids(e)?;
        let code = totp(secret, &e.params, now_unix())?;
        self.write(e, Step::Activate, AuditAction::Activate, |t| {
            t.activate(&user, &device, &code)
        })?;
        self.progress.done(Step::Activate, None);
        Ok(())
    }

    /// Reads the token back; only `activated` finishes the enrolment and
    /// erases the sealed secret.
    fn verify(&mut self, e: &Enrolment) -> Result<EnrolOutcome, StationError> {
        self.progress.started(Step::Verify);
        let (_, device) = ids(e)?;
        let read = self.call(Step::Verify, |t| t.device(&device))?;
        if read.status != DeviceStatus::Activated {
            let msg = format!(
                "Entra reports the token as {:?}, not activated",
                read.status
            );
            self.progress
                .failed(Step::Verify, &msg, "Resume the enrolment from the journal.");
            return Err(StationError::Storage(msg));
        }
        self.station
            .records()
            .advance_enrolment(self.id, EnrolState::Activated, None)?;
        audit_step(self.station, e, AuditAction::Verify, None, true)?;
        self.progress.done(Step::Verify, Some("activated".into()));
        Ok(EnrolOutcome {
            enrolment_id: e.id.clone(),
            user: e.user.clone(),
            serial: e.directory_serial(),
            model: e.model.clone().unwrap_or_default(),
            device_id: device,
            params: e.params,
            activated_at: now_unix(),
        })
    }

    /// Runs one directory call, reporting a failure on `step` and keeping
    /// the journal entry for resume.
    fn call<T>(
        &mut self,
        step: Step,
        f: impl FnOnce(&dyn Tenant) -> Result<T, DirectoryFailure>,
    ) -> Result<T, StationError> {
        f(self.tenant).map_err(|failure| {
            self.progress
                .failed(step, &failure.message, &failure.next_step);
            directory_error(failure, Some(self.id))
        })
    }

    /// Runs one write to Entra and audits it, done or refused, with the
    /// request id of that very call.
    fn write<T>(
        &mut self,
        e: &Enrolment,
        step: Step,
        action: AuditAction,
        f: impl FnOnce(&dyn Tenant) -> Result<Answered<T>, DirectoryFailure>,
    ) -> Result<T, StationError> {
        let result = f(self.tenant);
        audit_step(
            self.station,
            e,
            action,
            request_id_of(&result),
            result.is_ok(),
        )?;
        Ok(self.call(step, |_| result)?.value)
    }
}

fn ids(e: &Enrolment) -> Result<(String, String), StationError> {
    match (&e.user_id, &e.device_id) {
        (Some(u), Some(d)) => Ok((u.clone(), d.clone())),
        _ => Err(StationError::Storage(format!(
            "enrolment {} lacks its user or device id",
            e.id
        ))),
    }
}

fn audit_entry(e: &Enrolment, action: AuditAction, ok: bool) -> AuditEntry {
    AuditEntry {
        action,
        serial: e.serial.clone(),
        model: e.model.clone(),
        user: Some(e.user.clone()),
        outcome: if ok { Outcome::Ok } else { Outcome::Failed },
        detail: Some(format!("enrolment {}", e.id)),
        ..Default::default()
    }
}

/// A burn's audit record: the enrolment, and who vouched for the clock it
/// set.
fn audit_burn(
    station: &Station,
    e: &Enrolment,
    ok: bool,
    clock: &ClockCheck,
) -> Result<(), StationError> {
    let mut entry = audit_entry(e, AuditAction::Burn, ok);
    entry.detail = Some(format!("enrolment {}; {}", e.id, clock.audited()));
    station.audit(entry)
}

fn audit_step(
    station: &Station,
    e: &Enrolment,
    action: AuditAction,
    request_id: Option<String>,
    ok: bool,
) -> Result<(), StationError> {
    let mut entry = audit_entry(e, action, ok);
    entry.request_id = request_id;
    station.audit(entry)
}

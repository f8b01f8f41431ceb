//! Enrol new hires in a batch: a queue of users (from a CSV or an Entra
//! group), each checked against Entra before any token is touched; then
//! the operator places tokens one after another and each is enrolled for
//! the next user ([`turn::enrol_next`]). The queue is in the station's records
//! and every enrolment in the journal, so a batch picks up where it was
//! after a crash or a restart.

pub mod group;
pub mod list;
pub mod pdf;
pub mod turn;

use oathdesk_otp::Algorithm;
use serde::Serialize;

use super::enrol::why_user_cannot_take_a_token;
use crate::StationError;
use crate::batch::{BatchInfo, Listed, QueueStatus, QueuedUser, Update};
use crate::ports::{Directory, DirectoryFailureKind};
use crate::station::Station;

pub use group::{GroupList, group_users};
pub use list::read_users;
pub use turn::{Turn, enrol_next, retry};

/// A batch the operator starts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct NewBatch {
    pub name: String,
    pub algorithm: Algorithm,
    /// 30 or 60 s: what Entra accepts.
    pub period: u64,
    pub users: Vec<Listed>,
}

/// A batch as the Batch screen shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchView {
    #[serde(flatten)]
    pub info: BatchInfo,
    pub users: Vec<QueuedUser>,
    pub counts: Counts,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub waiting: usize,
    pub done: usize,
    pub failed: usize,
    pub refused: usize,
    pub skipped: usize,
}

impl Counts {
    fn of(users: &[QueuedUser]) -> Counts {
        let n = |s: QueueStatus| users.iter().filter(|u| u.status == s).count();
        Counts {
            waiting: n(QueueStatus::Waiting) + n(QueueStatus::Enrolling),
            done: n(QueueStatus::Done),
            failed: n(QueueStatus::Failed),
            refused: n(QueueStatus::Refused),
            skipped: n(QueueStatus::Skipped),
        }
    }
}

/// Checks every user with Entra and saves the batch: users who cannot take
/// a token (guests, disabled accounts, at the method limit, unknown) are
/// kept as refused with the reason, before any burn. When Entra cannot be
/// reached nothing is saved.
pub fn start_batch(
    station: &Station,
    tenant: &dyn Directory,
    new: &NewBatch,
) -> Result<BatchView, StationError> {
    let name = new.name.trim();
    if name.is_empty() {
        return Err(StationError::BadInput(
            "name the batch (e.g. \"March starters\")".into(),
        ));
    }
    super::inventory::accepted_by_entra(oathdesk_otp::CodeParams {
        algorithm: new.algorithm,
        digits: 6,
        period: new.period,
    })?;
    let numbered = new
        .users
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, u)| (i + 1, u));
    let users = list::checked(numbered.collect()).map_err(StationError::BadInput)?;
    let checked = users
        .into_iter()
        .map(|u| {
            let (status, reason) = eligibility(tenant, &u.upn)?;
            Ok((u, status, reason))
        })
        .collect::<Result<Vec<_>, StationError>>()?;
    let info = BatchInfo {
        id: new_id(),
        name: name.to_string(),
        operator: station.operator().to_string(),
        algorithm: new.algorithm.to_string(),
        period: new.period,
        created_at: crate::clock::now_unix() as i64,
    };
    station.records().create_batch(&info, &checked)?;
    view(station, &info.id)
}

/// Waiting, or refused with the reason; an Entra that cannot answer is an
/// error (nothing is decided on a guess).
fn eligibility(
    tenant: &dyn Directory,
    upn: &str,
) -> Result<(QueueStatus, Option<String>), StationError> {
    match tenant.user(upn) {
        Ok(user) => Ok(match why_user_cannot_take_a_token(&user) {
            Some(why) => (QueueStatus::Refused, Some(why)),
            None => (QueueStatus::Waiting, None),
        }),
        Err(f) if f.kind == DirectoryFailureKind::NotFound => Ok((
            QueueStatus::Refused,
            Some(format!("{upn} is not a user of this tenant")),
        )),
        Err(f) => Err(StationError::Directory {
            failure: f,
            enrolment: None,
        }),
    }
}

fn new_id() -> String {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).expect("the OS random source");
    format!("batch-{}", hex::encode(bytes))
}

/// The batch `id` with its queue.
pub fn view(station: &Station, id: &str) -> Result<BatchView, StationError> {
    let records = station.records();
    let info = records.batch(id)?;
    let users = records.batch_users(id)?;
    Ok(BatchView {
        counts: Counts::of(&users),
        info,
        users,
    })
}

/// Every batch on this desk, newest first.
pub fn batches(station: &Station) -> Result<Vec<BatchView>, StationError> {
    let ids = station.records().batches()?;
    ids.iter().map(|id| view(station, id)).collect()
}

/// The user at `position`, or a clear error.
fn queued(station: &Station, id: &str, position: u32) -> Result<QueuedUser, StationError> {
    station
        .records()
        .batch_users(id)?
        .into_iter()
        .find(|u| u.position == position)
        .ok_or_else(|| StationError::NotFound(format!("batch {id} has no user {position}")))
}

/// Leaves a user out of the batch; one whose token is already activated
/// cannot be (unassign it in Inventory instead).
pub fn skip(
    station: &Station,
    id: &str,
    position: u32,
    why: &str,
) -> Result<BatchView, StationError> {
    let user = queued(station, id, position)?;
    if matches!(user.status, QueueStatus::Done | QueueStatus::Enrolling) {
        return Err(StationError::BadInput(format!(
            "{} is {:?}: only a waiting, parked or refused user can be skipped",
            user.listed.upn, user.status
        )));
    }
    let note = match (user.status, &user.enrolment_id) {
        (QueueStatus::Failed, Some(e)) => {
            format!("{why} (enrolment {e} stays in the journal: resume or abandon it there)")
        }
        _ => why.to_string(),
    };
    let change = Update {
        status: Some(QueueStatus::Skipped),
        reason: Some(Some((&note, ""))),
        ..Default::default()
    };
    station.records().update_batch_user(id, position, &change)?;
    view(station, id)
}

/// Gives the place of a user who has no token yet to another user, checked
/// with Entra like everyone in the batch.
pub fn reassign(
    station: &Station,
    tenant: &dyn Directory,
    id: &str,
    position: u32,
    upn: &str,
) -> Result<BatchView, StationError> {
    let upn = upn.trim();
    let user = queued(station, id, position)?;
    let open = matches!(
        user.status,
        QueueStatus::Waiting | QueueStatus::Refused | QueueStatus::Skipped
    ) || (user.status == QueueStatus::Failed && user.enrolment_id.is_none());
    if !open {
        return Err(StationError::BadInput(format!(
            "{} already has an enrolment under way or done; skip them and add the new user to another batch",
            user.listed.upn
        )));
    }
    let others = station.records().batch_users(id)?;
    if others
        .iter()
        .any(|o| o.position != position && o.listed.upn.eq_ignore_ascii_case(upn))
    {
        return Err(StationError::BadInput(format!(
            "{upn} is already in this batch"
        )));
    }
    let users = list::checked(vec![(
        1,
        Listed {
            upn: upn.into(),
            ..user.listed.clone()
        },
    )])
    .map_err(StationError::BadInput)?;
    let (status, reason) = eligibility(tenant, &users[0].upn)?;
    let change = Update {
        status: Some(status),
        upn: Some(upn),
        reason: Some(reason.as_deref().map(|r| (r, "Choose another user."))),
        ..Default::default()
    };
    station.records().update_batch_user(id, position, &change)?;
    view(station, id)
}

/// The batch as a CSV report (user, display name, serial, model, status,
/// time): what the handover needs, never a secret.
pub fn report_csv(station: &Station, id: &str) -> Result<String, StationError> {
    let batch = view(station, id)?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let write = |out: &mut csv::Writer<Vec<u8>>, row: &[&str]| {
        out.write_record(row)
            .map_err(|e| StationError::Storage(format!("the report: {e}")))
    };
    write(
        &mut out,
        &[
            "user",
            "display name",
            "serial",
            "model",
            "status",
            "time",
            "reason",
        ],
    )?;
    for u in &batch.users {
        let model = model_of(station, u);
        write(
            &mut out,
            &[
                &u.listed.upn,
                u.listed.display_name.as_deref().unwrap_or_default(),
                u.token_serial
                    .as_deref()
                    .or(u.listed.serial.as_deref())
                    .unwrap_or_default(),
                model.as_deref().unwrap_or_default(),
                status_word(u.status),
                &crate::time_fmt::rfc3339(u.updated_at),
                u.reason.as_deref().unwrap_or_default(),
            ],
        )?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| StationError::Storage(format!("the report: {e}")))?;
    String::from_utf8(bytes).map_err(|e| StationError::Storage(format!("the report: {e}")))
}

/// The model of the token enrolled (from the journal), else the listed one.
fn model_of(station: &Station, u: &QueuedUser) -> Option<String> {
    u.enrolment_id
        .as_deref()
        .and_then(|e| station.records().enrolment(e).ok())
        .and_then(|e| e.model)
        .or_else(|| u.listed.model.clone())
}

fn status_word(s: QueueStatus) -> &'static str {
    match s {
        QueueStatus::Waiting => "waiting",
        QueueStatus::Enrolling => "enrolling",
        QueueStatus::Done => "activated",
        QueueStatus::Failed => "failed",
        QueueStatus::Refused => "refused",
        QueueStatus::Skipped => "skipped",
    }
}

/// One handover sheet of a batch: a user whose token is activated.
#[derive(Debug, Clone, Serialize)]
pub struct Handover {
    pub position: u32,
    pub display_name: Option<String>,
    pub outcome: super::EnrolOutcome,
}

/// The sheets of every user whose token is activated, in queue order,
/// from the journal (never a secret).
pub fn handovers(station: &Station, id: &str) -> Result<Vec<Handover>, StationError> {
    let users = station.records().batch_users(id)?;
    let done = users.into_iter().filter(|u| u.status == QueueStatus::Done);
    done.filter_map(|u| u.enrolment_id.clone().map(|e| (u, e)))
        .map(|(u, e)| {
            let e = station.records().enrolment(&e)?;
            Ok(Handover {
                position: u.position,
                display_name: u.listed.display_name.clone(),
                outcome: super::EnrolOutcome {
                    serial: e.directory_serial(),
                    enrolment_id: e.id,
                    user: e.user,
                    model: e.model.unwrap_or_default(),
                    device_id: e.device_id.unwrap_or_default(),
                    params: e.params,
                    activated_at: e.updated_at as u64,
                },
            })
        })
        .collect()
}

/// Every activated user's sheet as one PDF (A4, one user per page).
pub fn handover_pdf(station: &Station, id: &str) -> Result<Vec<u8>, StationError> {
    pdf::handover_pdf(&handovers(station, id)?)
}

//! Batches of new hires through the station: virtual tokens behind the
//! real pcscd (tests/harness/pcsc-ns.sh), Entra as the Graph sandbox over
//! HTTP, the records in SQLite on disk so a "restart" opens them again.
//! Each test checks the queue against the truth: what the sandbox holds and
//! what the tokens hold.

mod common;
use common::tenant;
use oathdesk_otp::{Algorithm, generate_secret};
use oathdesk_sim::graph::{Sandbox, SeedUser, TenantSeed};
use oathdesk_sim::token::{Token2Card, Token2Model, TokenClock};
use oathdesk_station::adapters::{GraphTenant, PcscReaders};
use oathdesk_station::batch::{Listed, QueueStatus};
use oathdesk_station::keys::MemoryKeyStore;
use oathdesk_station::workflow::batch::{self, BatchView, NewBatch, Turn};
use oathdesk_station::workflow::{Progress, ProgressSink, Quiet, Step, StepStatus};
use oathdesk_station::{Station, StationConfig, StationError};
use oathdesk_testkit::{Insert, Inserted, VirtualReader};
use serde_json::json;

struct Desk {
    dir: tempfile::TempDir,
    keys: MemoryKeyStore,
    station: Station,
    sandbox: Sandbox,
    tenant: GraphTenant,
    tokens: PcscReaders,
}

fn users() -> Vec<SeedUser> {
    let mut users: Vec<SeedUser> = (1..=5)
        .map(|i| SeedUser::member(&format!("u-{i}"), &format!("hire{i}@contoso.com")))
        .collect();
    users.push(SeedUser::guest("u-gus", "gus@partner.com"));
    users.push(SeedUser::member("u-ex", "ex@contoso.com").disabled());
    users
}

fn open_station(dir: &std::path::Path, keys: &MemoryKeyStore) -> Station {
    let config = StationConfig {
        data_dir: dir.to_path_buf(),
        operator: "helpdesk@contoso.com".into(),
    };
    Station::open(config, keys).unwrap()
}

fn desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let keys = MemoryKeyStore::new();
    let sandbox = Sandbox::start(TenantSeed::with_operator("op", users()), 0).unwrap();
    Desk {
        tenant: tenant(&sandbox, "op"),
        station: open_station(dir.path(), &keys),
        dir,
        keys,
        sandbox,
        tokens: PcscReaders::connect().unwrap(),
    }
}

fn listed(upn: &str, serial: Option<&str>) -> Listed {
    Listed {
        upn: upn.into(),
        serial: serial.map(str::to_string),
        ..Default::default()
    }
}

fn start(d: &Desk, users: Vec<Listed>) -> BatchView {
    let new = NewBatch {
        name: "March starters".into(),
        algorithm: Algorithm::Sha1,
        period: 30,
        users,
    };
    batch::start_batch(&d.station, &d.tenant, &new).unwrap()
}

/// A batch of hire1 and hire2, no serials named.
fn two_hires(d: &Desk) -> BatchView {
    start(
        d,
        vec![
            listed("hire1@contoso.com", None),
            listed("hire2@contoso.com", None),
        ],
    )
}

fn token(reader: &VirtualReader, suffix: &str) -> Inserted<Token2Card> {
    reader.insert(Token2Card::new(
        Token2Model::by_name("C302-i").unwrap(),
        suffix,
        TokenClock::offset(0, 0.0),
    ))
}

fn turn(d: &Desk, b: &BatchView, reader: &VirtualReader) -> Result<Turn, StationError> {
    turn_at(&d.station, d, b, reader)
}

/// One turn on `station` (the desk's own, or one opened again after a crash).
fn turn_at(
    station: &Station,
    d: &Desk,
    b: &BatchView,
    reader: &VirtualReader,
) -> Result<Turn, StationError> {
    batch::enrol_next(
        station,
        &d.tokens,
        &d.tenant,
        &b.info.id,
        Some(reader.name()),
        &mut Quiet,
    )
}

fn statuses(d: &Desk, b: &BatchView) -> Vec<QueueStatus> {
    batch::view(&d.station, &b.info.id)
        .unwrap()
        .users
        .iter()
        .map(|u| u.status)
        .collect()
}

/// The sandbox holds `serial` activated for `user_id`, with the seed the
/// token holds.
fn activated_for(d: &Desk, t: &Inserted<Token2Card>, serial: &str, user_id: &str) {
    let tenant = d.sandbox.tenant();
    let stored = tenant
        .by_serial(serial)
        .unwrap_or_else(|| panic!("{serial} in Entra"));
    assert_eq!(
        (stored.status.as_str(), stored.assigned_to.as_deref()),
        ("activated", Some(user_id))
    );
    let held = t.card().seed_sha256();
    assert_eq!(
        held,
        Some(sha256(stored.secret.expose())),
        "token and Entra agree"
    );
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

#[test]
fn guests_disabled_and_unknown_users_are_refused_before_any_token_is_touched() {
    let d = desk();
    let b = start(
        &d,
        vec![
            listed("hire1@contoso.com", None),
            listed("gus@partner.com", None),
            listed("ex@contoso.com", None),
            listed("nobody@contoso.com", None),
        ],
    );
    use QueueStatus::*;
    assert_eq!(statuses(&d, &b), [Waiting, Refused, Refused, Refused]);
    let reasons: Vec<String> = b.users.iter().filter_map(|u| u.reason.clone()).collect();
    assert!(reasons[0].contains("guest"), "{reasons:?}");
    assert!(reasons[1].contains("disabled"), "{reasons:?}");
    assert!(reasons[2].contains("not a user"), "{reasons:?}");
    assert!(d.sandbox.tenant().devices.is_empty(), "nothing created");

    let new = NewBatch {
        name: "dupes".into(),
        algorithm: Algorithm::Sha1,
        period: 45,
        users: vec![listed("hire1@contoso.com", None)],
    };
    let e = batch::start_batch(&d.station, &d.tenant, &new).unwrap_err();
    assert!(e.to_string().contains("45"), "{e}");
}

#[test]
fn each_token_placed_is_enrolled_for_the_next_user_and_never_twice() {
    let d = desk();
    let b = two_hires(&d);
    let reader = VirtualReader::acquire();
    let first = token(&reader, "700001");
    let Turn::Enrolled { upn, outcome, .. } = turn(&d, &b, &reader).unwrap() else {
        panic!("enrolled");
    };
    assert_eq!(upn, "hire1@contoso.com");
    activated_for(&d, &first, &outcome.serial, "u-1");

    // The same token again: refused before anything is written.
    let seed_before = first.card().seed_sha256();
    let again = turn(&d, &b, &reader).unwrap_err().to_string();
    assert!(
        again.contains("already enrolled for hire1@contoso.com"),
        "{again}"
    );
    assert_eq!(first.card().seed_sha256(), seed_before, "not re-burnt");
    drop(first);

    let second = token(&reader, "700002");
    let Turn::Enrolled { upn, outcome, .. } = turn(&d, &b, &reader).unwrap() else {
        panic!("enrolled");
    };
    assert_eq!(upn, "hire2@contoso.com");
    activated_for(&d, &second, &outcome.serial, "u-2");
    assert!(matches!(turn(&d, &b, &reader).unwrap(), Turn::Finished));

    let report = batch::report_csv(&d.station, &b.info.id).unwrap();
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(
        lines[0],
        "user,display name,serial,model,status,time,reason"
    );
    assert!(
        lines[1].starts_with(&format!(
            "hire1@contoso.com,,{},C302-i,activated,",
            "8659632700001"
        )),
        "{report}"
    );
    let tenant = d.sandbox.tenant();
    for device in &tenant.devices {
        let base32 = device.secret.to_base32();
        assert!(!report.contains(base32.as_str()), "no secret in the report");
    }
}

#[test]
fn a_token_already_in_entra_or_not_on_the_list_is_refused_untouched() {
    let d = desk();
    let b = start(
        &d,
        vec![
            listed("hire1@contoso.com", Some("8659632700012")),
            listed("hire2@contoso.com", Some("8659632700013")),
        ],
    );
    let reader = VirtualReader::acquire();
    let stray = token(&reader, "700011");
    let said = turn(&d, &b, &reader).unwrap_err().to_string();
    assert!(
        said.contains("not on the list") && said.contains("8659632700012"),
        "{said}"
    );
    assert_eq!(stray.card().seed_sha256(), None);
    drop(stray);

    // Registered in Entra already (by another desk): refused before a burn.
    let secret = generate_secret(Algorithm::Sha1);
    d.sandbox
        .tenant()
        .create(&json!({
            "serialNumber": "8659632700013", "manufacturer": "Token2", "model": "C302-i",
            "secretKey": secret.to_base32().as_str(), "timeIntervalInSeconds": 30, "hashFunction": "hmacsha1",
        }))
        .unwrap();
    let known = token(&reader, "700013");
    let said = turn(&d, &b, &reader).unwrap_err().to_string();
    assert!(said.contains("already in Entra's inventory"), "{said}");
    assert_eq!(known.card().seed_sha256(), None, "nothing written");
    drop(known);

    // The token meant for hire1 serves hire1, whatever the order.
    let meant = token(&reader, "700012");
    let Turn::Enrolled { upn, .. } = turn(&d, &b, &reader).unwrap() else {
        panic!("enrolled");
    };
    assert_eq!(upn, "hire1@contoso.com");
    drop(meant);
}

#[test]
fn an_outage_parks_the_user_the_queue_goes_on_and_a_retry_resumes_without_the_token() {
    let d = desk();
    let b = two_hires(&d);
    let reader = VirtualReader::acquire();
    d.sandbox
        .tenant()
        .faults
        .fail_before
        .insert("activate".into(), 100);
    let first = token(&reader, "700021");
    let Turn::Parked { upn, next_step, .. } = turn(&d, &b, &reader).unwrap() else {
        panic!("parked");
    };
    assert_eq!(upn, "hire1@contoso.com");
    assert!(
        next_step.contains("resumes from the journal"),
        "{next_step}"
    );
    let seed = first.card().seed_sha256();
    drop(first);
    d.sandbox.tenant().faults.fail_before.clear();

    let second = token(&reader, "700022");
    assert!(matches!(
        turn(&d, &b, &reader).unwrap(),
        Turn::Enrolled { .. }
    ));
    drop(second);
    assert_eq!(statuses(&d, &b), [QueueStatus::Failed, QueueStatus::Done]);

    // The first token is gone from the reader: the retry needs only Entra.
    let retried =
        batch::retry(&d.station, &d.tokens, &d.tenant, &b.info.id, 1, &mut Quiet).unwrap();
    let Turn::Enrolled { outcome, .. } = retried else {
        panic!("the retry finished: {retried:?}");
    };
    let tenant = d.sandbox.tenant();
    let stored = tenant.by_serial(&outcome.serial).unwrap();
    assert_eq!(stored.status, "activated");
    assert_eq!(
        Some(sha256(stored.secret.expose())),
        seed,
        "the seed burnt before the outage"
    );
    assert_eq!(tenant.devices.len(), 2, "no duplicate");
}

/// Stops the desk (a panic, as a crash would) when the token is burnt and
/// Entra has not been told yet.
struct CrashAfterBurn;

impl ProgressSink for CrashAfterBurn {
    fn emit(&mut self, p: Progress) {
        if p.step == Step::Create && p.status == StepStatus::Started {
            panic!("the desk stops here");
        }
    }
}

#[test]
fn after_a_crash_the_batch_resumes_the_enrolment_instead_of_starting_another() {
    let d = desk();
    let b = two_hires(&d);
    let reader = VirtualReader::acquire();
    let first = token(&reader, "700031");
    let crashed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        batch::enrol_next(
            &d.station,
            &d.tokens,
            &d.tenant,
            &b.info.id,
            Some(reader.name()),
            &mut CrashAfterBurn,
        )
    }));
    assert!(crashed.is_err(), "the desk stopped mid-enrolment");
    let seed = first.card().seed_sha256();
    assert!(seed.is_some(), "burnt before the crash");
    drop(first);

    // The app starts again on the same records.
    let station = open_station(d.dir.path(), &d.keys);
    let queue = batch::view(&station, &b.info.id).unwrap();
    assert_eq!(queue.users[0].status, QueueStatus::Enrolling);
    let second = token(&reader, "700032");
    let turn = turn_at(&station, &d, &b, &reader).unwrap();
    let Turn::Enrolled { upn, outcome, .. } = turn else {
        panic!("the interrupted enrolment finished first: {turn:?}");
    };
    assert_eq!(upn, "hire1@contoso.com");
    assert_eq!(outcome.serial, "8659632700031");
    assert_eq!(
        second.card().seed_sha256(),
        None,
        "the new token waits for hire2"
    );
    {
        let tenant = d.sandbox.tenant();
        assert_eq!(
            Some(sha256(
                tenant.by_serial("8659632700031").unwrap().secret.expose()
            )),
            seed
        );
    }
    let turn = turn_at(&station, &d, &b, &reader).unwrap();
    assert!(
        matches!(turn, Turn::Enrolled { ref upn, .. } if upn == "hire2@contoso.com"),
        "{turn:?}"
    );
    let tenant = d.sandbox.tenant();
    let mine: Vec<_> = tenant
        .devices
        .iter()
        .filter(|x| x.assigned_to.as_deref() == Some("u-1"))
        .collect();
    assert_eq!(mine.len(), 1, "one token for hire1");
}

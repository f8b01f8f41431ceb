//! Reconciling Entra's inventory with this desk's journal and audit log,
//! against the Graph sandbox over HTTP: each kind of finding (burnt here
//! but missing in Entra, in Entra but never seen here, a duplicate serial,
//! a token of a disabled and of a deleted user) with the fix it offers;
//! the run reads only and looks each user up once; a Graph failure stops
//! it; each fix leaves the sandbox as it says and one audit record.

use oathdesk_entra::{GraphClient, StaticToken};
use oathdesk_otp::{Algorithm, CodeParams, Secret};
use oathdesk_sim::graph::{OPERATOR_SCOPES, Sandbox, SeedUser, TenantSeed};
use oathdesk_station::adapters::GraphTenant;
use oathdesk_station::audit::{AuditAction, Outcome};
use oathdesk_station::journal::{EnrolState, NewEnrolment};
use oathdesk_station::keys::MemoryKeyStore;
use oathdesk_station::ports::{DirectoryFailureKind, NewDevice, Placement};
use oathdesk_station::workflow::inventory::reconcile::reconcile;
use oathdesk_station::workflow::inventory::{
    self, Finding, FindingKind, Fix, FixOutcome, FixRequest, Reconciliation,
};
use oathdesk_station::{Station, StationConfig, StationError};
use serde_json::json;

const SHA1_30: CodeParams = CodeParams {
    algorithm: Algorithm::Sha1,
    digits: 6,
    period: 30,
};

struct Desk {
    station: Station,
    sandbox: Sandbox,
    tenant: GraphTenant,
}

fn tenant_as(sandbox: &Sandbox, token: &str) -> GraphTenant {
    let client = GraphClient::builder()
        .graph_base(&sandbox.base_url())
        .token_source(StaticToken(token.into()))
        .build()
        .unwrap();
    GraphTenant::new(client)
}

fn desk() -> Desk {
    let config = StationConfig {
        data_dir: std::env::temp_dir(),
        operator: "helpdesk@contoso.com".into(),
    };
    let station = Station::in_memory(config, &MemoryKeyStore::new()).unwrap();
    let mut seed = TenantSeed::with_operator(
        "op",
        vec![
            SeedUser::member("u-alice", "alice@contoso.com"),
            SeedUser::member("u-dora", "dora@contoso.com"),
            SeedUser::member("u-dave", "dave@contoso.com"),
        ],
    );
    // A token that may manage tokens but not read users.
    seed.tokens.insert(
        "no-users".into(),
        OPERATOR_SCOPES[..2].iter().map(|s| s.to_string()).collect(),
    );
    let sandbox = Sandbox::start(seed, 0).unwrap();
    let tenant = tenant_as(&sandbox, "op");
    Desk {
        station,
        sandbox,
        tenant,
    }
}

fn secret(serial: &str) -> Secret {
    Secret::new(format!("seed of token {serial}").into_bytes())
}

impl Desk {
    /// A token created through the desk's audited workflow.
    fn create_here(&self, serial: &str, user: Option<&str>) -> String {
        let s = secret(serial);
        let new = NewDevice {
            serial,
            manufacturer: "Token2",
            model: "C302-i",
            secret: &s,
            params: SHA1_30,
            assign_to: user,
        };
        inventory::create(&self.station, &self.tenant, &new)
            .unwrap()
            .device
            .id
    }

    /// A token put in Entra by someone else (portal, CSV upload …).
    fn create_elsewhere(&self, serial: &str, user: Option<&str>) -> String {
        let mut body = json!({"serialNumber": serial, "manufacturer": "Token2", "model": "C302-i",
            "secretKey": secret(&format!("elsewhere {serial}")).to_base32().as_str(),
            "timeIntervalInSeconds": 30, "hashFunction": "hmacsha1"});
        if let Some(u) = user {
            body["assignTo"] = json!({"id": u});
        }
        self.sandbox.tenant().create(&body).unwrap().id
    }

    /// A journal entry for `serial` that reached `state`.
    fn journal(&self, serial: &str, user: &str, state: EnrolState, device: Option<&str>) -> String {
        let records = self.station.records();
        let e = records
            .start_enrolment(
                &NewEnrolment {
                    operator: "helpdesk@contoso.com",
                    user,
                    user_id: "u-alice",
                    reader: "Virtual Reader",
                    serial,
                    model: "C302-i",
                    manufacturer: "Token2",
                    params: SHA1_30,
                    replaces_device_id: None,
                    place: &Placement::default(),
                    display_timeout: 30,
                },
                &secret(serial),
            )
            .unwrap();
        for s in [
            EnrolState::Burned,
            EnrolState::Created,
            EnrolState::Assigned,
            EnrolState::Activated,
        ] {
            if s > state {
                break;
            }
            records.advance_enrolment(&e.id, s, device).unwrap();
        }
        e.id
    }

    fn audit_len(&self) -> usize {
        self.station.records().audit_records().unwrap().len()
    }

    fn run(&self) -> Reconciliation {
        reconcile(&self.station, &self.tenant).unwrap()
    }

    fn user_lookups(&self, id: &str) -> usize {
        // The client percent-encodes every id (`u%2Ddora`).
        let path = format!("GET /v1.0/users/{}", id.replace('-', "%2D"));
        self.sandbox
            .tenant()
            .answered
            .iter()
            .filter(|(_, call)| *call == path)
            .count()
    }
}

fn only<'a>(r: &'a Reconciliation, kind: FindingKind, serial: &str) -> &'a Finding {
    let found: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.kind == kind && f.serials.iter().any(|s| s.trim() == serial))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one {kind:?} for {serial}: {:#?}",
        r.findings
    );
    found[0]
}

fn kinds_of(r: &Reconciliation, serial: &str) -> Vec<FindingKind> {
    r.findings
        .iter()
        .filter(|f| {
            f.serials
                .iter()
                .any(|s| s.trim().eq_ignore_ascii_case(serial))
        })
        .map(|f| f.kind)
        .collect()
}

/// The tenant of every test: each kind of finding once, beside tokens
/// that are fine.
struct World {
    burnt: String,
    activated_gone: String,
    dup_here: String,
    dup_csv: String,
    dora_1: String,
    dora_2: String,
    dave: String,
    elsewhere: String,
}

fn world(d: &Desk) -> World {
    // Fine: enrolled here, activated, still in Entra, user active.
    let ok = d.create_here("OK-1", Some("alice@contoso.com"));
    d.journal(
        "OK-1",
        "alice@contoso.com",
        EnrolState::Activated,
        Some(&ok),
    );
    // Burnt here, not yet created; and finished here but deleted in Entra since.
    let burnt = d.journal("BURNT-1", "alice@contoso.com", EnrolState::Burned, None);
    let activated_gone = d.journal(
        "GONE-1",
        "alice@contoso.com",
        EnrolState::Activated,
        Some("00000000-0000-4000-8000-0000000000ff"),
    );
    // An abandoned burn, and one that never reached the token, are no finding.
    let gave_up = d.journal("GAVE-UP-1", "alice@contoso.com", EnrolState::Burned, None);
    d.station
        .records()
        .abandon_enrolment(&gave_up, "token lost")
        .unwrap();
    d.journal(
        "NOT-BURNT-1",
        "alice@contoso.com",
        EnrolState::Started,
        None,
    );
    // The same token twice: this desk's (assigned), and a legacy CSV
    // upload spelt with spaces and lower case.
    let dup_here = d.create_here("DUP-1", Some("alice@contoso.com"));
    let dup_csv = d.create_elsewhere(" dup-1 ", None);
    // Dora's two tokens, her account disabled since; Dave's, Dave deleted since.
    let dora_1 = d.create_here("DORA-1", Some("dora@contoso.com"));
    let dora_2 = d.create_here("DORA-2", Some("u-dora"));
    let dave = d.create_here("DAVE-1", Some("dave@contoso.com"));
    {
        let mut t = d.sandbox.tenant();
        t.users
            .iter_mut()
            .find(|u| u.id == "u-dora")
            .unwrap()
            .account_enabled = false;
        assert!(t.delete_user("u-dave").is_some());
    }
    // Never seen here.
    let elsewhere = d.create_elsewhere("ELSE-1", Some("u-alice"));
    World {
        burnt,
        activated_gone,
        dup_here,
        dup_csv,
        dora_1,
        dora_2,
        dave,
        elsewhere,
    }
}

#[test]
fn every_kind_of_finding_with_its_fix_and_nothing_written() {
    let d = desk();
    let w = world(&d);
    let audit_before = d.audit_len();
    let devices_before = d.sandbox.tenant().devices.len();
    let lookups_before = (d.user_lookups("u-dora"), d.user_lookups("u-dave"));
    let r = d.run();

    let burnt = only(&r, FindingKind::MissingInEntra, "BURNT-1");
    assert_eq!(
        burnt.fix,
        Fix::Resume {
            enrolment_id: w.burnt.clone()
        }
    );
    assert_eq!(burnt.enrolment_id.as_deref(), Some(w.burnt.as_str()));
    let gone = only(&r, FindingKind::MissingInEntra, "GONE-1");
    assert!(
        matches!(&gone.fix, Fix::ReEnrol { user, serial } if user == "alice@contoso.com" && serial == "GONE-1"),
        "{gone:?}"
    );
    assert_eq!(
        gone.enrolment_id.as_deref(),
        Some(w.activated_gone.as_str())
    );

    let never = only(&r, FindingKind::NeverSeenHere, "ELSE-1");
    assert_eq!(never.fix, Fix::None);
    assert_eq!(never.device_ids, vec![w.elsewhere.clone()]);
    assert!(never.meaning.contains("imported elsewhere"), "{never:?}");

    let dup = only(&r, FindingKind::DuplicateSerial, "DUP-1");
    assert_eq!(
        dup.fix,
        Fix::Delete {
            device_id: w.dup_csv.clone(),
            serial: " dup-1 ".into(),
            keep_device_id: w.dup_here.clone()
        },
        "the unassigned copy goes, the assigned one stays"
    );

    for (serial, id) in [("DORA-1", &w.dora_1), ("DORA-2", &w.dora_2)] {
        let f = only(&r, FindingKind::DisabledUser, serial);
        assert_eq!(f.user.as_deref(), Some("dora@contoso.com"));
        assert_eq!(
            f.fix,
            Fix::Unassign {
                device_id: id.clone(),
                serial: serial.into(),
                user_id: "u-dora".into()
            }
        );
    }
    let dave = only(&r, FindingKind::DeletedUser, "DAVE-1");
    assert_eq!(dave.user.as_deref(), Some("u-dave"));
    assert_eq!(
        dave.fix,
        Fix::Unassign {
            device_id: w.dave.clone(),
            serial: "DAVE-1".into(),
            user_id: "u-dave".into()
        }
    );

    // Nothing else: the fine token, the abandoned burn and the CSV copy
    // (seen here under its canonical serial) raise nothing more.
    assert!(kinds_of(&r, "OK-1").is_empty(), "{r:#?}");
    assert!(kinds_of(&r, "GAVE-UP-1").is_empty(), "{r:#?}");
    assert!(kinds_of(&r, "NOT-BURNT-1").is_empty(), "{r:#?}");
    assert_eq!(kinds_of(&r, "DUP-1"), vec![FindingKind::DuplicateSerial]);
    assert_eq!(r.findings.len(), 7, "{r:#?}");
    let numbers: Vec<usize> = r.findings.iter().map(|f| f.number).collect();
    assert_eq!(numbers, (1..=7).collect::<Vec<_>>());

    // Read-only, and Dora (two tokens) looked up once.
    assert_eq!(d.audit_len(), audit_before);
    assert_eq!(d.sandbox.tenant().devices.len(), devices_before);
    assert_eq!(d.user_lookups("u-dora"), lookups_before.0 + 1);
    assert_eq!(d.user_lookups("u-dave"), lookups_before.1 + 1);
}

#[test]
fn each_fix_changes_entra_as_it_says_with_one_audit_record() {
    let d = desk();
    let w = world(&d);
    let r = d.run();
    let fix_of = |kind, serial| only(&r, kind, serial).fix.clone();

    // Destructive fixes wait for a confirmation; nothing is written.
    let delete = fix_of(FindingKind::DuplicateSerial, "DUP-1");
    let before = d.audit_len();
    let refused = inventory::reconcile::fix(
        &d.station,
        &d.tenant,
        &FixRequest {
            fix: delete.clone(),
            confirmed: false,
        },
    );
    assert!(
        matches!(refused, Err(StationError::BadInput(_))),
        "{refused:?}"
    );
    assert_eq!(d.audit_len(), before);
    assert!(d.sandbox.tenant().device(&w.dup_csv).is_some());

    let apply = |fix: Fix| {
        let before = d.audit_len();
        let out = inventory::reconcile::fix(
            &d.station,
            &d.tenant,
            &FixRequest {
                fix,
                confirmed: true,
            },
        )
        .unwrap();
        let records = d.station.records().audit_records().unwrap();
        (out, records[before..].to_vec())
    };

    // The duplicate: the CSV copy deleted, this desk's copy kept.
    let (out, new) = apply(delete);
    assert!(matches!(out, FixOutcome::Applied { .. }), "{out:?}");
    {
        let t = d.sandbox.tenant();
        assert!(t.device(&w.dup_csv).is_none());
        assert_eq!(
            t.device(&w.dup_here).unwrap().assigned_to.as_deref(),
            Some("u-alice")
        );
    }
    assert_eq!(new.len(), 1, "{new:?}");
    assert_eq!(new[0].entry.action, AuditAction::Delete);
    assert_eq!(new[0].entry.outcome, Outcome::Ok);
    assert_eq!(new[0].entry.serial.as_deref(), Some(" dup-1 "));

    // Disabled and deleted users' tokens back in the pool.
    for (kind, serial, id, user) in [
        (FindingKind::DisabledUser, "DORA-1", &w.dora_1, "u-dora"),
        (FindingKind::DeletedUser, "DAVE-1", &w.dave, "u-dave"),
    ] {
        let (out, new) = apply(fix_of(kind, serial));
        assert!(matches!(out, FixOutcome::Applied { .. }), "{out:?}");
        {
            let t = d.sandbox.tenant();
            let device = t.device(id).unwrap();
            assert_eq!(device.status, "available", "{serial}");
            assert_eq!(device.assigned_to, None, "{serial}");
        }
        assert_eq!(new.len(), 1, "{new:?}");
        assert_eq!(new[0].entry.action, AuditAction::Unassign);
        assert_eq!(new[0].entry.outcome, Outcome::Ok);
        assert_eq!(new[0].entry.serial.as_deref(), Some(serial));
        assert_eq!(new[0].entry.user.as_deref(), Some(user));
    }

    // Resume and re-enrol only say what to do: no write, no record.
    let requests = d.sandbox.tenant().requests;
    let (out, new) = apply(fix_of(FindingKind::MissingInEntra, "BURNT-1"));
    assert_eq!(
        out,
        FixOutcome::Resume {
            enrolment_id: w.burnt.clone()
        }
    );
    assert!(new.is_empty());
    let (out, new) = apply(fix_of(FindingKind::MissingInEntra, "GONE-1"));
    assert!(
        matches!(&out, FixOutcome::Advice { message } if message.contains("alice@contoso.com")),
        "{out:?}"
    );
    assert!(new.is_empty());
    assert_eq!(d.sandbox.tenant().requests, requests);

    // Reconciled again: what was fixed is gone; what was not stays.
    let again = d.run();
    assert!(kinds_of(&again, "DUP-1").is_empty(), "{again:#?}");
    assert!(kinds_of(&again, "DORA-1").is_empty(), "{again:#?}");
    assert!(kinds_of(&again, "DAVE-1").is_empty(), "{again:#?}");
    only(&again, FindingKind::DisabledUser, "DORA-2");

    // A stale fix is refused with nothing written: DORA-1 is no longer Dora's.
    let before = d.audit_len();
    let stale = inventory::reconcile::fix(
        &d.station,
        &d.tenant,
        &FixRequest {
            fix: fix_of(FindingKind::DisabledUser, "DORA-1"),
            confirmed: true,
        },
    );
    assert!(matches!(stale, Err(StationError::BadInput(_))), "{stale:?}");
    assert_eq!(d.audit_len(), before);
}

#[test]
fn a_graph_failure_stops_the_run_with_its_error() {
    let d = desk();
    world(&d);
    let cannot_read_users = tenant_as(&d.sandbox, "no-users");
    match reconcile(&d.station, &cannot_read_users) {
        Err(StationError::Directory { failure, .. }) => {
            assert_eq!(failure.kind, DirectoryFailureKind::Rejected, "{failure:?}")
        }
        other => panic!("expected the directory's refusal, got {other:?}"),
    }
}

//! The inventory workflows against the Graph sandbox over HTTP: bad input
//! is refused before any request, and every write leaves one audit record
//! naming the token by its serial, with the outcome and the write's own
//! request id, also when the write or the read before it fails.

use oathdesk_entra::{GraphClient, StaticToken};
use oathdesk_otp::{Algorithm, CodeParams, Secret, totp};
use oathdesk_sim::graph::{Sandbox, SeedUser, TenantSeed};
use oathdesk_station::adapters::GraphTenant;
use oathdesk_station::audit::{AuditAction, AuditRecord, Outcome};
use oathdesk_station::keys::MemoryKeyStore;
use oathdesk_station::ports::{DeviceQuery, DeviceStatus, NewDevice};
use oathdesk_station::workflow::inventory;
use oathdesk_station::{Station, StationConfig, StationError};

struct Desk {
    station: Station,
    sandbox: Sandbox,
    tenant: GraphTenant,
}

fn desk() -> Desk {
    let config = StationConfig {
        data_dir: std::env::temp_dir(),
        operator: "helpdesk@contoso.com".into(),
    };
    let station = Station::in_memory(config, &MemoryKeyStore::new()).unwrap();
    let seed = TenantSeed::with_operator(
        "op",
        vec![
            SeedUser::member("u-alice", "alice@contoso.com"),
            SeedUser::guest("u-gus", "gus@partner.com"),
        ],
    );
    let sandbox = Sandbox::start(seed, 0).unwrap();
    let client = GraphClient::builder()
        .graph_base(&sandbox.base_url())
        .token_source(StaticToken("op".into()))
        .build()
        .unwrap();
    Desk {
        station,
        sandbox,
        tenant: GraphTenant::new(client),
    }
}

const SHA1_30: CodeParams = CodeParams {
    algorithm: Algorithm::Sha1,
    digits: 6,
    period: 30,
};

/// A secret of its own for each serial (Entra refuses a secret in use).
fn secret(serial: &str) -> Secret {
    Secret::new(format!("seed of token {serial}").into_bytes())
}

fn new_device<'a>(serial: &'a str, secret: &'a Secret) -> NewDevice<'a> {
    NewDevice {
        serial,
        manufacturer: "Token2",
        model: "C302-i",
        secret,
        params: SHA1_30,
        assign_to: None,
    }
}

impl Desk {
    fn audit(&self) -> Vec<AuditRecord> {
        self.station.records().audit_records().unwrap()
    }

    fn requests(&self) -> u64 {
        self.sandbox.tenant().requests
    }

    fn create(&self, serial: &str) -> String {
        let s = secret(serial);
        let created =
            inventory::create(&self.station, &self.tenant, &new_device(serial, &s)).unwrap();
        created.device.id
    }
}

fn bad_input<T: std::fmt::Debug>(r: Result<T, StationError>) -> String {
    match r {
        Err(StationError::BadInput(m)) => m,
        other => panic!("expected bad input, got {other:?}"),
    }
}

#[test]
fn bad_input_is_refused_before_any_request_and_leaves_no_record() {
    let d = desk();
    let long = Secret::new(vec![7; 81]);
    let s = secret("S1");
    let sha512 = NewDevice {
        params: CodeParams {
            algorithm: Algorithm::Sha512,
            ..SHA1_30
        },
        ..new_device("S1", &s)
    };
    let before = d.requests();
    let cases = [
        bad_input(inventory::create(
            &d.station,
            &d.tenant,
            &new_device("  ", &s),
        )),
        bad_input(inventory::create(
            &d.station,
            &d.tenant,
            &new_device("S1", &long),
        )),
        bad_input(inventory::create(&d.station, &d.tenant, &sha512)),
        bad_input(inventory::activate(
            &d.station,
            &d.tenant,
            "x",
            "alice@contoso.com",
            "12345",
        )),
        bad_input(inventory::activate(
            &d.station,
            &d.tenant,
            "x",
            "alice@contoso.com",
            "12a456",
        )),
        bad_input(inventory::assign(&d.station, &d.tenant, "x", " ")),
        bad_input(DeviceQuery::from_input(Some("lost"), None)),
    ];
    assert!(cases[0].contains("serial"), "{cases:?}");
    assert!(cases[3].contains("6 digits"), "{cases:?}");
    assert_eq!(d.requests(), before, "Graph was not called");
    assert!(d.audit().is_empty());
}

#[test]
fn each_write_is_one_record_with_the_serial_outcome_and_its_request_id() {
    let d = desk();
    let id = d.create("8659612000201");
    inventory::assign(&d.station, &d.tenant, &id, "alice@contoso.com").unwrap();
    let code = {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        totp(&secret("8659612000201"), &SHA1_30, now).unwrap()
    };
    inventory::activate(&d.station, &d.tenant, &id, "alice@contoso.com", &code).unwrap();
    let refused = inventory::delete(&d.station, &d.tenant, &id).unwrap_err();
    inventory::unassign(&d.station, &d.tenant, &id, "alice@contoso.com").unwrap();
    inventory::delete(&d.station, &d.tenant, &id).unwrap();

    let records = d.audit();
    let actions: Vec<_> = records
        .iter()
        .map(|r| (r.entry.action, r.entry.outcome))
        .collect();
    use AuditAction::*;
    assert_eq!(
        actions,
        [
            (Create, Outcome::Ok),
            (Assign, Outcome::Ok),
            (Activate, Outcome::Ok),
            (Delete, Outcome::Failed),
            (Unassign, Outcome::Ok),
            (Delete, Outcome::Ok),
        ]
    );
    for r in &records {
        assert_eq!(r.entry.serial.as_deref(), Some("8659612000201"));
        assert_eq!(r.entry.operator, "helpdesk@contoso.com");
    }
    let ids: std::collections::HashSet<_> = records
        .iter()
        .map(|r| r.entry.request_id.clone().unwrap())
        .collect();
    assert_eq!(
        ids.len(),
        records.len(),
        "each record has its own call's id"
    );
    let StationError::Directory { failure, .. } = refused else {
        panic!("{refused:?}")
    };
    assert_eq!(records[3].entry.request_id, failure.request_id);
    assert_eq!(records[1].entry.user.as_deref(), Some("alice@contoso.com"));
}

#[test]
fn a_write_whose_token_cannot_be_read_is_still_recorded() {
    let d = desk();
    let e = inventory::delete(&d.station, &d.tenant, "no-such-id").unwrap_err();
    assert!(matches!(e, StationError::Directory { .. }), "{e:?}");
    let records = d.audit();
    assert_eq!(records.len(), 1);
    let r = &records[0].entry;
    assert_eq!(
        (r.action, r.outcome),
        (AuditAction::Delete, Outcome::Failed)
    );
    assert_eq!(r.serial, None);
    assert!(r.detail.as_deref().unwrap().contains("serial unknown"));
}

#[test]
fn create_refuses_a_known_serial_and_a_guest_without_writing() {
    let d = desk();
    d.create("S-KNOWN");
    let s = secret("S1");
    let again = bad_input(inventory::create(
        &d.station,
        &d.tenant,
        &new_device("S-KNOWN", &s),
    ));
    assert!(again.contains("already in the inventory"), "{again}");
    let for_guest = NewDevice {
        assign_to: Some("gus@partner.com"),
        ..new_device("S-GUEST", &s)
    };
    let guest = bad_input(inventory::create(&d.station, &d.tenant, &for_guest));
    assert!(guest.contains("guest"), "{guest}");
    assert_eq!(d.sandbox.tenant().devices.len(), 1);
    assert_eq!(d.audit().len(), 1, "only the first create was a write");
}

#[test]
fn a_page_and_the_whole_list_filter_by_status() {
    let d = desk();
    for serial in ["P1", "P2", "P3"] {
        d.create(serial);
    }
    let id = d.create("P4");
    inventory::assign(&d.station, &d.tenant, &id, "alice@contoso.com").unwrap();
    let available = DeviceQuery::from_input(Some("available"), Some(" ")).unwrap();
    let first = inventory::list_page(&d.tenant, &available, None, 2).unwrap();
    assert_eq!(first.items.len(), 2);
    let rest = inventory::list_page(&d.tenant, &available, first.next.as_deref(), 2).unwrap();
    assert_eq!((rest.items.len(), rest.next), (1, None));
    assert_eq!(inventory::list_all(&d.tenant, &available).unwrap().len(), 3);
    let shown = inventory::show(&d.tenant, &id).unwrap();
    assert_eq!(shown.device.status, DeviceStatus::Assigned);
    assert_eq!(shown.model, "C302-i");
}

#[test]
fn import_leaves_one_record_per_token_it_asked_entra_to_create() {
    let d = desk();
    let csv = "upn,serial number,secret key,time interval,manufacturer,model\n\
        alice@contoso.com,IMP1,GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ,30,Token2,C302-i\n\
        ,IMP2,JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP,60,Token2,C302-i\n\
        nobody@contoso.com,IMP3,MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U,30,Token2,C302-i\n";
    let report = inventory::import_csv(&d.station, &d.tenant, csv.as_bytes()).unwrap();
    assert_eq!((report.created.len(), report.failed.len()), (2, 1));
    let records = d.audit();
    let imported: Vec<_> = records
        .iter()
        .map(|r| (r.entry.action, r.entry.serial.as_deref().unwrap()))
        .collect();
    assert_eq!(
        imported,
        [(AuditAction::Import, "IMP1"), (AuditAction::Import, "IMP2")]
    );
    assert_eq!(records[0].entry.user.as_deref(), Some("alice@contoso.com"));
    let again = inventory::import_csv(&d.station, &d.tenant, csv.as_bytes()).unwrap();
    assert_eq!(again.skipped.len(), 2);
    assert_eq!(d.audit().len(), 2, "skipped rows write nothing");
}

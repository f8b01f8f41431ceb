//! Importing vendors' seed files against the Graph sandbox over HTTP: a
//! bad file (a 45 s interval, a duplicate serial, a wrong PSKC key) is
//! refused before any request; a good one is previewed (serials already
//! in the tenant skipped, users checked), then created in one bulk call
//! with the file's secrets, one `Import` audit record per token, and no
//! secret in the preview, the report or the audit log.

use oathdesk_entra::{GraphClient, StaticToken};
use oathdesk_otp::{Algorithm, CodeParams, Secret};
use oathdesk_sim::graph::{Sandbox, SeedUser, TenantSeed};
use oathdesk_station::adapters::GraphTenant;
use oathdesk_station::audit::{AuditAction, Outcome};
use oathdesk_station::keys::MemoryKeyStore;
use oathdesk_station::ports::NewDevice;
use oathdesk_station::workflow::inventory::{self, Plan, SeedFormat, SeedKeys, SeedPlan};
use oathdesk_station::{Station, StationConfig, StationError};
use oathdesk_testkit::leaks::assert_nowhere;
use oathdesk_testkit::pskc::{PskcToken, encrypted};

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
    let seed =
        TenantSeed::with_operator("op", vec![SeedUser::member("u-alice", "alice@contoso.com")]);
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

fn read(bytes: &[u8], pskc_key: Option<&[u8]>) -> Result<SeedPlan, StationError> {
    let mut none = |_| None;
    let mut keys = SeedKeys {
        pskc_key,
        pgp_secret_key: None,
        passphrase: &mut none,
    };
    inventory::read_seed_file(bytes, None, &mut keys)
}

const HEADER: &str = "upn,serial number,secret key,time interval,manufacturer,model\n";

#[test]
fn a_bad_file_is_refused_before_any_request() {
    let d = desk();
    let before = d.sandbox.tenant().requests;
    let interval = format!("{HEADER},S1,JBSWY3DPEHPK3PXP,45,Token2,C202\n");
    let slow = read(interval.as_bytes(), None).err().unwrap().to_string();
    assert!(
        slow.contains("line 2: Entra accepts 30 or 60 second tokens, not 45 s"),
        "{slow}"
    );
    let dup = format!("{HEADER},S1,JBSWY3DPEHPK3PXP,30,T,M\n,S1,GEZDGNBVGY3TQOJQ,30,T,M\n");
    let twice = read(dup.as_bytes(), None).err().unwrap().to_string();
    assert!(
        twice.contains("line 3: serial S1 is also at line 2"),
        "{twice}"
    );
    let seed = Secret::from_slice(b"station-pskc-seed-01");
    let xml = encrypted(
        &[PskcToken {
            serial: "P1",
            model: "C202",
            secret: &seed,
            period: 30,
        }],
        &[1; 16],
        &[2; 20],
    );
    let e = read(xml.as_bytes(), Some(&[3; 16]))
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("key or passphrase is wrong"), "{e}");
    for e in [&slow, &twice] {
        assert!(!e.contains("JBSWY3DP") && !e.contains("GEZDGNBV"), "{e}");
    }
    assert_eq!(d.sandbox.tenant().requests, before, "Graph was not called");
    assert!(matches!(
        read(b"upn,serial number\n", None),
        Err(StationError::BadInput(_))
    ));
}

/// Token2 JSON: alice's token, nobody's (refused), one already in the
/// tenant (skipped) and a hex-secret one (converted, and said so).
#[test]
fn a_file_is_previewed_then_created_in_bulk_with_its_secrets() {
    let d = desk();
    let existing = Secret::from_slice(b"already-there-seed-1");
    let sha1_30 = CodeParams {
        algorithm: Algorithm::Sha1,
        digits: 6,
        period: 30,
    };
    let listed = NewDevice {
        serial: "T2-3",
        manufacturer: "Token2",
        model: "C202",
        secret: &existing,
        params: sha1_30,
        assign_to: None,
    };
    inventory::create(&d.station, &d.tenant, &listed).unwrap();
    let (s1, s2, s4) = (
        Secret::from_slice(b"token2-json-seed-001"),
        Secret::from_slice(b"token2-json-seed-002"),
        Secret::from_slice(b"token2-json-seed-004"),
    );
    let json = format!(
        r#"[{{"serialNumber":"T2-1","manufacturer":"Token2","model":"C202","secretKey":"{}","timeIntervalInSeconds":30,"hashFunction":"hmacsha1","assignTo":{{"id":"alice@contoso.com"}}}},
            {{"serialNumber":"T2-2","manufacturer":"Token2","model":"C202","secretKey":"{}","timeIntervalInSeconds":30,"assignTo":{{"id":"nobody@contoso.com"}}}},
            {{"serialNumber":"T2-3","manufacturer":"Token2","model":"C202","secretKey":"{}","timeIntervalInSeconds":30}},
            {{"serialNumber":"T2-4","manufacturer":"Token2","model":"C302-i","secretKey":"{}","timeIntervalInSeconds":"60","hashFunction":"hmacsha256"}}]"#,
        &*s1.to_base32(),
        &*s2.to_base32(),
        &*existing.to_base32(),
        &*s4.to_hex()
    );
    let plan = read(json.as_bytes(), None).unwrap();
    let preview = inventory::preview(&d.tenant, &plan).unwrap();
    let plans: Vec<_> = preview
        .items
        .iter()
        .map(|i| std::mem::discriminant(&i.plan))
        .collect();
    assert_eq!(plans[0], std::mem::discriminant(&Plan::Create));
    assert!(
        matches!(&preview.items[1].plan, Plan::Refuse { .. }),
        "{:?}",
        preview.items[1]
    );
    assert!(matches!(&preview.items[2].plan, Plan::Skip { .. }));
    assert_eq!(
        preview.items[3].warnings,
        ["hex secret converted to base32"]
    );
    assert_eq!(
        (preview.items[3].algorithm, preview.items[3].period),
        (Algorithm::Sha256, 60)
    );
    assert_eq!(
        d.sandbox.tenant().devices.len(),
        1,
        "a preview creates nothing"
    );

    assert_eq!(plan.converted(), ["record 4"]);
    let calls_before = d.sandbox.tenant().answered.len();
    let e = inventory::import(&d.station, &d.tenant, &plan, false).unwrap_err();
    assert!(
        e.to_string().contains(
            "record 4: the secret was hex and was converted to base32; check the preview, then import with --accept-hex"
        ),
        "{e}"
    );
    assert_eq!(
        d.sandbox.tenant().answered.len(),
        calls_before,
        "a hex secret not accepted stops the import before Graph is called"
    );
    let report = inventory::import(&d.station, &d.tenant, &plan, true).unwrap();
    assert_eq!(
        (
            report.created.len(),
            report.skipped.len(),
            report.failed.len()
        ),
        (2, 1, 1),
        "{report:?}"
    );
    assert_eq!(
        report.warnings,
        ["record 4: hex secret converted to base32"]
    );
    let writes: Vec<String> = d.sandbox.tenant().answered[calls_before..]
        .iter()
        .map(|(_, what)| what.clone())
        .filter(|w| !w.starts_with("GET"))
        .collect();
    assert_eq!(
        writes,
        ["PATCH /beta/directory/authenticationMethodDevices/hardwareOathDevices"]
    );
    {
        let t = d.sandbox.tenant();
        let alice = t.by_serial("T2-1").unwrap();
        assert_eq!(
            (
                alice.secret.expose(),
                alice.status.as_str(),
                alice.assigned_to.as_deref()
            ),
            (s1.expose(), "assigned", Some("u-alice"))
        );
        let four = t.by_serial("T2-4").unwrap();
        assert_eq!(
            (
                four.secret.expose(),
                four.params.algorithm,
                four.params.period
            ),
            (s4.expose(), Algorithm::Sha256, 60)
        );
        assert!(t.by_serial("T2-2").is_none());
    }
    let records = d.station.records().audit_records().unwrap();
    let imports: Vec<_> = records
        .iter()
        .filter(|r| r.entry.action == AuditAction::Import)
        .collect();
    assert_eq!(
        imports.len(),
        2,
        "one record per token Entra was asked to create"
    );
    assert!(
        imports
            .iter()
            .all(|r| r.entry.outcome == Outcome::Ok && r.entry.request_id.is_some())
    );
    assert_eq!(imports[0].entry.user.as_deref(), Some("alice@contoso.com"));
    let said = [
        ("preview".to_string(), serde_json::to_vec(&preview).unwrap()),
        ("report".to_string(), serde_json::to_vec(&report).unwrap()),
        ("audit".to_string(), format!("{records:?}").into_bytes()),
    ];
    for s in [&s1, &s2, &s4, &existing] {
        assert_nowhere(s, &said);
    }
    let again = inventory::import(&d.station, &d.tenant, &plan, true).unwrap();
    assert_eq!((again.created.len(), again.skipped.len()), (0, 3));
}

#[test]
fn a_named_format_is_used() {
    let csv = format!("{HEADER},S1,JBSWY3DPEHPK3PXP,30,T,M\n");
    let mut none = |_| None;
    let mut keys = SeedKeys {
        pskc_key: None,
        pgp_secret_key: None,
        passphrase: &mut none,
    };
    let e = inventory::read_seed_file(csv.as_bytes(), Some(SeedFormat::Token2Json), &mut keys)
        .err()
        .unwrap();
    assert!(e.to_string().contains("JSON"), "{e}");
}

//! Abandoning a journalled enrolment erases its sealed secret and leaves
//! one audit record naming the token and the user it was for.

use oathdesk_otp::{CodeParams, Secret};
use oathdesk_station::audit::{AuditAction, Outcome};
use oathdesk_station::journal::{EnrolState, NewEnrolment};
use oathdesk_station::keys::MemoryKeyStore;
use oathdesk_station::ports::Placement;
use oathdesk_station::workflow::abandon_enrolment;
use oathdesk_station::{Station, StationConfig, StationError};

#[test]
fn abandoning_erases_the_secret_and_audits_the_token_and_user() {
    let config = StationConfig {
        data_dir: std::env::temp_dir(),
        operator: "helpdesk@contoso.com".into(),
    };
    let station = Station::in_memory(config, &MemoryKeyStore::new()).unwrap();
    let new = NewEnrolment {
        operator: "helpdesk@contoso.com",
        user: "alice@contoso.com",
        user_id: "u-alice",
        reader: "reader 0",
        serial: "8659612000301",
        model: "C302-i",
        manufacturer: "Token2",
        params: CodeParams::default(),
        replaces_device_id: None,
        place: &Placement::default(),
        display_timeout: 30,
    };
    let secret = Secret::from_slice(b"a seed never to see");
    let id = station.records().start_enrolment(&new, &secret).unwrap().id;

    abandon_enrolment(&station, &id).unwrap();

    let records = station.records();
    assert_eq!(records.enrolment(&id).unwrap().state, EnrolState::Abandoned);
    assert!(records.unseal(&id).is_err(), "the sealed secret is gone");
    let audit = records.audit_records().unwrap();
    assert_eq!(audit.len(), 1);
    let e = &audit[0].entry;
    assert_eq!(
        (e.action, e.outcome),
        (AuditAction::AbandonEnrolment, Outcome::Ok)
    );
    assert_eq!(e.serial.as_deref(), Some("8659612000301"));
    assert_eq!(e.user.as_deref(), Some("alice@contoso.com"));
    drop(records);
    let unknown = abandon_enrolment(&station, "no-such-enrolment").unwrap_err();
    assert!(matches!(unknown, StationError::NotFound(_)), "{unknown:?}");
}

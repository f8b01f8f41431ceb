//! Deleting a seed from a token through the station, on each family's
//! virtual token behind the real pcscd (tests/harness/pcsc-ns.sh): only a
//! place the token lists is deleted, everything else stays, and each
//! deletion is in the audit log.

use oathdesk_otp::{Algorithm, CodeParams, Secret};
use oathdesk_sim::token::{
    Molto2Card, PinPlusCard, Token2Card, Token2Model, TokenClock, YkOathCard,
};
use oathdesk_station::adapters::PcscReaders;
use oathdesk_station::audit::{AuditAction, Outcome};
use oathdesk_station::keys::MemoryKeyStore;
use oathdesk_station::ports::{Placement, Readers, TokenSettings};
use oathdesk_station::workflow::{DeleteRequest, Quiet, delete_seed};
use oathdesk_station::{Station, StationConfig, StationError};
use oathdesk_testkit::{Insert, VirtualReader};

struct Desk {
    _dir: tempfile::TempDir,
    station: Station,
    tokens: PcscReaders,
}

fn desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let config = StationConfig {
        data_dir: dir.path().to_path_buf(),
        operator: "helpdesk@contoso.com".into(),
    };
    Desk {
        station: Station::in_memory(config, &MemoryKeyStore::new()).unwrap(),
        tokens: PcscReaders::connect().unwrap(),
        _dir: dir,
    }
}

fn named(label: &str) -> Placement {
    Placement {
        label: Some(label.into()),
        ..Default::default()
    }
}

fn slot(n: u8) -> Placement {
    Placement {
        slot: Some(n),
        ..Default::default()
    }
}

/// Writes a seed at each place straight through the token port (a burn's
/// own checks are the burn suite's business).
fn holding(d: &Desk, reader: &VirtualReader, places: &[Placement]) {
    let settings = TokenSettings {
        params: CodeParams {
            algorithm: Algorithm::Sha1,
            digits: 6,
            period: 30,
        },
        display_timeout: 30,
    };
    let mut token = d.tokens.open(Some(reader.name())).unwrap();
    for (i, place) in places.iter().enumerate() {
        let secret = Secret::new(vec![0x40 + i as u8; 20]);
        token.burn(&secret, &settings, place, &mut Quiet).unwrap();
    }
}

fn delete(d: &Desk, reader: &VirtualReader, place: Placement) -> Result<String, StationError> {
    let request = DeleteRequest {
        reader: Some(reader.name().into()),
        place,
    };
    delete_seed(&d.station, &d.tokens, &request).map(|done| done.place)
}

/// The deletions the audit log holds: (detail, succeeded).
fn audited(d: &Desk) -> Vec<(String, bool)> {
    d.station
        .records()
        .audit_records()
        .unwrap()
        .into_iter()
        .filter(|r| r.entry.action == AuditAction::DeleteSeed)
        .map(|r| {
            let ok = r.entry.outcome == Outcome::Ok;
            (r.entry.detail.unwrap_or_default(), ok)
        })
        .collect()
}

fn refusal(result: Result<String, StationError>, says: &str) {
    let err = result.expect_err("refused");
    assert!(matches!(err, StationError::BadInput(_)), "{err}");
    let message = err.to_string();
    assert!(message.contains(says), "{says}: {message}");
    assert!(message.contains("nothing was deleted"), "{message}");
}

#[test]
fn a_pinplus_entry_is_deleted_by_name_and_the_others_stay() {
    let d = desk();
    let reader = VirtualReader::acquire();
    let t = reader.insert(PinPlusCard::new(&[0x34, 0x9E, 0x00, 0x07]));
    holding(&d, &reader, &[named("Contoso:jane"), named("Contoso:joe")]);

    refusal(
        delete(&d, &reader, named("Contoso:jim")),
        "Contoso:jane, Contoso:joe",
    );
    assert_eq!(t.card().entries().len(), 2, "a refusal deletes nothing");

    let done = delete(&d, &reader, named("Contoso:jane")).unwrap();
    assert_eq!(done, "credential Contoso:jane");
    let left: Vec<_> = t
        .card()
        .entries()
        .iter()
        .map(|e| e.account.clone())
        .collect();
    assert_eq!(left, ["joe"]);
    assert_eq!(audited(&d), [("credential Contoso:jane".to_string(), true)]);
}

#[test]
fn a_molto2_slot_is_deleted_only_where_a_seed_is() {
    let d = desk();
    let reader = VirtualReader::acquire();
    let t = reader.insert(Molto2Card::new("TM2E700201", TokenClock::offset(0, 0.0)));
    holding(&d, &reader, &[slot(3), slot(4)]);

    refusal(
        delete(&d, &reader, slot(5)),
        "slot 5 of TM2E700201 holds no seed",
    );
    refusal(delete(&d, &reader, Placement::default()), "which slot");

    assert_eq!(delete(&d, &reader, slot(3)).unwrap(), "slot 3");
    let card = t.card();
    assert!(card.seed_sha256(3).is_none(), "slot 3 cleared");
    assert!(card.seed_sha256(4).is_some(), "slot 4 kept");
    drop(card);
    assert_eq!(audited(&d), [("slot 3".to_string(), true)]);
}

#[test]
fn a_ykoath_credential_is_deleted_by_its_listed_name() {
    let d = desk();
    let reader = VirtualReader::acquire();
    let t = reader.insert(YkOathCard::new());
    holding(&d, &reader, &[named("Contoso:jane"), named("Contoso:joe")]);
    assert_eq!(
        delete(&d, &reader, named("  Contoso:joe ")).unwrap(),
        "credential Contoso:joe"
    );
    let left: Vec<_> = t
        .card()
        .credentials()
        .iter()
        .map(|c| String::from_utf8_lossy(&c.name).into_owned())
        .collect();
    assert_eq!(left, ["Contoso:jane"]);
}

#[test]
fn a_single_profile_token_says_to_burn_over_its_seed() {
    let d = desk();
    let reader = VirtualReader::acquire();
    let _t = reader.insert(Token2Card::new(
        Token2Model::by_name("C302-i").unwrap(),
        "555201",
        TokenClock::offset(0, 0.0),
    ));
    refusal(
        delete(&d, &reader, Placement::default()),
        "burn a new one over it",
    );
    assert!(audited(&d).is_empty(), "nothing was sent, nothing to audit");
}

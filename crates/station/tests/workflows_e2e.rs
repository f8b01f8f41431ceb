//! The helpdesk workflows end to end: station → device → the real `pcsc`
//! crate → a private pcscd → vpcd → the virtual token, and station → entra
//! → HTTP → the Graph sandbox; records in SQLite keyed from the real OS
//! keyring. Run through tests/harness (make test does).

use std::time::Duration;

use oathdesk_entra::{GraphClient, RetryPolicy, StaticToken};
use oathdesk_otp::{Algorithm, CodeParams, Secret, parse_base32, totp};
use oathdesk_sim::graph::{Sandbox, SeedUser, TenantSeed};
use oathdesk_sim::token::{Token2Card, Token2Model, TokenClock};
use oathdesk_station::adapters::{GraphTenant, PcscReaders};
use oathdesk_station::audit::AuditAction;
use oathdesk_station::journal::EnrolState;
use oathdesk_station::keys::KeyringStore;
use oathdesk_station::ports::Directory;
use oathdesk_station::workflow::{self, EnrolRequest, Quiet, ResyncOutcome, ResyncRequest};
use oathdesk_station::{Station, StationConfig, StationError, seeds};
use oathdesk_testkit::{Insert, Inserted, VirtualReader};

struct Desk {
    _dir: tempfile::TempDir,
    station: Station,
    sandbox: Sandbox,
    tenant: GraphTenant,
    tokens: PcscReaders,
}

fn desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let config = StationConfig {
        data_dir: dir.path().to_path_buf(),
        operator: "helpdesk@contoso.com".into(),
    };
    let station = Station::open(config.clone(), &KeyringStore::new(&config.key_profile())).unwrap();
    let seed = TenantSeed::with_operator(
        "op",
        vec![
            SeedUser::member("u-alice", "alice@contoso.com"),
            SeedUser::guest("u-gus", "gus@partner.com"),
        ],
    );
    let sandbox = Sandbox::start(seed, 0).unwrap();
    let fast = RetryPolicy {
        base_delay: Duration::from_millis(2),
        max_delay: Duration::from_millis(10),
        max_attempts: 4,
        deadline: Duration::from_secs(5),
    };
    let client = GraphClient::builder()
        .graph_base(&sandbox.base_url())
        .token_source(StaticToken("op".into()))
        .retry(fast)
        .build()
        .unwrap();
    Desk {
        _dir: dir,
        station,
        sandbox,
        tenant: GraphTenant::new(client),
        tokens: PcscReaders::connect().unwrap(),
    }
}

fn token(reader: &VirtualReader, model: &str, offset: i64) -> Inserted<Token2Card> {
    reader.insert(Token2Card::new(
        Token2Model::by_name(model).unwrap(),
        "555001",
        TokenClock::offset(offset, 0.0),
    ))
}

fn request(reader: &VirtualReader) -> EnrolRequest {
    EnrolRequest {
        user: "alice@contoso.com".into(),
        algorithm: Algorithm::Sha1,
        period: 30,
        choices: workflow::BurnChoices {
            reader: Some(reader.name().into()),
            ..Default::default()
        },
    }
}

/// The sandbox's stored secret for `serial` produces the code the token shows.
fn token_and_entra_agree(d: &Desk, t: &Inserted<Token2Card>, serial: &str) {
    let stored = d.sandbox.tenant().by_serial(serial).unwrap().clone();
    let card = t.card();
    let host = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let shown = card.display_code_at(host).unwrap();
    assert_eq!(
        totp(&stored.secret, &stored.params, card.clock.at(host)).unwrap(),
        shown
    );
}

fn sandbox_secret(d: &Desk, serial: &str) -> Secret {
    let b32 = d
        .sandbox
        .tenant()
        .by_serial(serial)
        .unwrap()
        .secret
        .to_base32();
    parse_base32(&b32).unwrap()
}

#[test]
fn enrol_ends_activated_with_the_tokens_own_code() {
    let d = desk();
    let reader = VirtualReader::acquire();
    let t = token(&reader, "OTPC-P1-i", -7200);
    let mut events = Vec::new();
    let out = workflow::enrol(
        &d.station,
        &d.tokens,
        &d.tenant,
        &request(&reader),
        &mut |e| events.push(e),
    )
    .unwrap();
    assert_eq!(out.serial, "8659612555001");
    let stored = d.sandbox.tenant().by_serial(&out.serial).unwrap().clone();
    assert_eq!(stored.status, "activated");
    assert_eq!(stored.assigned_to.as_deref(), Some("u-alice"));
    token_and_entra_agree(&d, &t, &out.serial);
    let e = d.station.records().enrolment(&out.enrolment_id).unwrap();
    assert_eq!(e.state, EnrolState::Activated);
    assert!(
        !e.has_sealed_secret,
        "the secret is erased once Entra confirms"
    );
    assert!(d.station.records().verify_audit().unwrap().is_empty());
    let steps: Vec<String> = events.iter().map(|e| format!("{:?}", e.step)).collect();
    for want in [
        "CheckUser",
        "ReadToken",
        "CheckClock",
        "SetClock",
        "WriteSeed",
        "Create",
        "Activate",
        "Verify",
    ] {
        assert!(
            steps.iter().any(|s| s == want),
            "no {want} event in {steps:?}"
        );
    }
}

#[test]
fn enrol_respects_sha256_and_60_seconds() {
    let d = desk();
    let reader = VirtualReader::acquire();
    let t = token(&reader, "C302-i", 0);
    let req = EnrolRequest {
        algorithm: Algorithm::Sha256,
        period: 60,
        ..request(&reader)
    };
    let out = workflow::enrol(&d.station, &d.tokens, &d.tenant, &req, &mut Quiet).unwrap();
    assert_eq!(
        out.params,
        CodeParams {
            algorithm: Algorithm::Sha256,
            digits: 6,
            period: 60
        }
    );
    assert_eq!(sandbox_secret(&d, &out.serial).bits(), 256);
    token_and_entra_agree(&d, &t, &out.serial);
}

#[test]
fn a_guest_is_refused_before_the_token_is_touched() {
    let d = desk();
    let reader = VirtualReader::acquire();
    let t = token(&reader, "OTPC-P1-i", 0);
    let req = EnrolRequest {
        user: "gus@partner.com".into(),
        ..request(&reader)
    };
    let err = workflow::enrol(&d.station, &d.tokens, &d.tenant, &req, &mut Quiet).unwrap_err();
    assert!(
        matches!(err, StationError::BadInput(ref m) if m.contains("guest")),
        "{err}"
    );
    assert_eq!(t.card().faults_view().apdus_seen, 0);
    assert!(d.sandbox.tenant().devices.is_empty());
}

#[test]
fn burn_from_an_entra_qr_writes_nothing_to_entra() {
    let d = desk();
    let reader = VirtualReader::acquire();
    let t = token(&reader, "C301-i", 600);
    let uri =
        "otpauth://totp/Contoso%3Ajane%40contoso.com?secret=jbswy3dpehpk3pxp&issuer=Microsoft";
    let seed = seeds::from_text(uri, None, "pasted text").unwrap();
    let out = workflow::burn_seed(
        &d.station,
        &d.tokens,
        &d.tenant,
        &seed,
        &workflow::BurnChoices {
            reader: Some(reader.name().into()),
            display_timeout: Some(60),
            ..Default::default()
        },
        &mut Quiet,
    )
    .unwrap();
    let card = t.card();
    let host = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let expected = totp(
        &seed.credential.secret,
        &seed.credential.params,
        card.clock.at(host),
    )
    .unwrap();
    assert_eq!(card.display_code_at(host).unwrap(), expected);
    assert_eq!(out.code.code.len(), 6);
    assert_eq!(card.settings().2, 2, "display timeout 60 s is code 2");
    assert!(
        d.sandbox.tenant().devices.is_empty(),
        "no Graph writes on the software-OATH path"
    );
}

#[test]
fn resync_sets_the_clock_and_keeps_the_seed() {
    let d = desk();
    let reader = VirtualReader::acquire();
    let t = token(&reader, "C302-i", 0);
    let out = workflow::enrol(
        &d.station,
        &d.tokens,
        &d.tenant,
        &request(&reader),
        &mut Quiet,
    )
    .unwrap();
    t.card().clock = TokenClock::offset(-95, 0.0);
    let preview = workflow::resync::preview(&d.tokens, Some(reader.name())).unwrap();
    assert!(
        (-97..=-93).contains(&preview.drift_seconds.unwrap()),
        "{preview:?}"
    );
    assert!(!preview.wipes_seed);
    let before = t.card().seed_sha256();
    let done = workflow::resync(
        &d.station,
        &d.tokens,
        &d.tenant,
        &ResyncRequest {
            reader: Some(reader.name().into()),
            confirm_reseed: false,
            ..Default::default()
        },
        &mut Quiet,
    )
    .unwrap();
    assert!(matches!(done, ResyncOutcome::ClockSet { .. }));
    assert_eq!(t.card().seed_sha256(), before);
    token_and_entra_agree(&d, &t, &out.serial);
}

#[test]
fn resync_on_a_seed_wiping_model_reseeds_and_reregisters_once_confirmed() {
    let d = desk();
    let reader = VirtualReader::acquire();
    let t = token(&reader, "C301-i", 0);
    let first = workflow::enrol(
        &d.station,
        &d.tokens,
        &d.tenant,
        &request(&reader),
        &mut Quiet,
    )
    .unwrap();
    let old_seed = t.card().seed_sha256();
    t.card().clock = TokenClock::offset(300, 0.0);
    let err = workflow::resync(
        &d.station,
        &d.tokens,
        &d.tenant,
        &ResyncRequest {
            reader: Some(reader.name().into()),
            confirm_reseed: false,
            ..Default::default()
        },
        &mut Quiet,
    )
    .unwrap_err();
    assert!(err.to_string().contains("wipes the seed"), "{err}");
    assert_eq!(
        t.card().seed_sha256(),
        old_seed,
        "nothing changed without confirmation"
    );
    let done = workflow::resync(
        &d.station,
        &d.tokens,
        &d.tenant,
        &ResyncRequest {
            reader: Some(reader.name().into()),
            confirm_reseed: true,
            ..Default::default()
        },
        &mut Quiet,
    )
    .unwrap();
    let ResyncOutcome::Reseeded(second) = done else {
        panic!("expected a re-seed")
    };
    assert_ne!(second.device_id, first.device_id);
    assert_ne!(t.card().seed_sha256(), old_seed);
    let tenant = d.sandbox.tenant();
    assert_eq!(tenant.devices.len(), 1, "the old registration was removed");
    assert_eq!(tenant.devices[0].status, "activated");
    drop(tenant);
    token_and_entra_agree(&d, &t, &second.serial);
}

#[test]
fn graph_down_at_any_step_then_resume_ends_activated_once() {
    let runs = ["methods", "create", "get", "activate"]
        .into_iter()
        .flat_map(|kind| [(kind, false), (kind, true)]);
    for (kind, refuse_reactivation) in runs {
        let d = desk();
        let reader = VirtualReader::acquire();
        let t = token(&reader, "OTPC-P1-i", 0);
        d.sandbox.tenant().faults.refuse_reactivation = refuse_reactivation;
        let fail_from_start = kind == "methods";
        d.sandbox
            .tenant()
            .faults
            .fail_before
            .insert(kind.into(), 1000);
        let err = workflow::enrol(
            &d.station,
            &d.tokens,
            &d.tenant,
            &request(&reader),
            &mut Quiet,
        )
        .unwrap_err();
        d.sandbox.tenant().faults.fail_before.clear();
        if fail_from_start {
            assert!(
                d.station.records().enrolments(true).unwrap().is_empty(),
                "nothing journalled before the token is touched"
            );
            continue;
        }
        let StationError::Directory {
            enrolment: Some(id),
            ..
        } = &err
        else {
            panic!("{kind}: {err}")
        };
        assert!(d.station.records().enrolment(id).unwrap().has_sealed_secret);
        let out = workflow::resume(&d.station, &d.tokens, &d.tenant, id, &mut Quiet).unwrap();
        let tenant = d.sandbox.tenant();
        assert_eq!(tenant.devices.len(), 1, "{kind}: one inventory entry");
        assert_eq!(tenant.devices[0].status, "activated", "{kind}");
        assert_eq!(tenant.devices[0].activations, 1, "{kind}: activated once");
        drop(tenant);
        assert!(
            !d.station
                .records()
                .enrolment(&out.enrolment_id)
                .unwrap()
                .has_sealed_secret
        );
        token_and_entra_agree(&d, &t, &out.serial);
    }
}

#[test]
fn lost_responses_after_the_change_do_not_duplicate() {
    let runs = ["create", "activate"]
        .into_iter()
        .flat_map(|kind| [(kind, false), (kind, true)]);
    for (kind, refuse_reactivation) in runs {
        let d = desk();
        let reader = VirtualReader::acquire();
        let _t = token(&reader, "OTPC-P1-i", 0);
        d.sandbox.tenant().faults.refuse_reactivation = refuse_reactivation;
        d.sandbox.tenant().faults.fail_after.insert(kind.into(), 1);
        let result = workflow::enrol(
            &d.station,
            &d.tokens,
            &d.tenant,
            &request(&reader),
            &mut Quiet,
        );
        let out = match result {
            Ok(out) => out,
            Err(StationError::Directory {
                enrolment: Some(id),
                ..
            }) => workflow::resume(&d.station, &d.tokens, &d.tenant, &id, &mut Quiet).unwrap(),
            Err(e) => panic!("{kind}: {e}"),
        };
        let tenant = d.sandbox.tenant();
        assert_eq!(
            tenant
                .devices
                .iter()
                .filter(|x| x.serial == out.serial)
                .count(),
            1,
            "{kind}"
        );
        assert_eq!(tenant.devices[0].status, "activated", "{kind}");
        assert_eq!(tenant.devices[0].activations, 1, "{kind}: activated once");
    }
}

/// Microsoft does not document a second activation, so this runs with the
/// sandbox accepting it and refusing it: either way the desk sends one.
/// The answer to the activation is lost and the read-back fails too, so
/// the enrolment stops; its resume finds the token `activated` in Entra
/// and only verifies it.
#[test]
fn a_lost_activation_is_never_sent_again_not_even_on_resume() {
    for refuse_reactivation in [false, true] {
        let d = desk();
        let reader = VirtualReader::acquire();
        let t = token(&reader, "OTPC-P1-i", 0);
        {
            let mut tenant = d.sandbox.tenant();
            tenant.faults.refuse_reactivation = refuse_reactivation;
            tenant.faults.fail_after.insert("activate".into(), 1);
            tenant.faults.fail_before.insert("get".into(), 1000);
        }
        let err = workflow::enrol(
            &d.station,
            &d.tokens,
            &d.tenant,
            &request(&reader),
            &mut Quiet,
        )
        .unwrap_err();
        let StationError::Directory {
            enrolment: Some(id),
            ..
        } = &err
        else {
            panic!("{err}")
        };
        assert_eq!(
            d.station.records().enrolment(id).unwrap().state,
            EnrolState::Assigned,
            "the journal cannot know the activation landed"
        );
        d.sandbox.tenant().faults.fail_before.clear();
        let out = workflow::resume(&d.station, &d.tokens, &d.tenant, id, &mut Quiet).unwrap();
        let tenant = d.sandbox.tenant();
        let device = &tenant.devices[0];
        assert_eq!(device.status, "activated");
        assert_eq!(
            device.activations, 1,
            "refuse_reactivation={refuse_reactivation}: one activation, never a second"
        );
        drop(tenant);
        token_and_entra_agree(&d, &t, &out.serial);
    }
}

/// Each audit record of a write names the request id Graph gave that very
/// call, even while another command (here: the inventory list, over the
/// same Graph client) is making calls of its own at the same time.
#[test]
fn each_write_is_audited_with_its_own_request_id_while_others_call_graph() {
    let d = desk();
    let reader = VirtualReader::acquire();
    let _t = token(&reader, "OTPC-P1-i", 0);
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = d.tenant.list_page(&Default::default(), None, 5);
            }
        });
        let enrolled = workflow::enrol(
            &d.station,
            &d.tokens,
            &d.tenant,
            &request(&reader),
            &mut Quiet,
        );
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        enrolled.unwrap();
    });
    let answered = d.sandbox.tenant().answered.clone();
    let call_of = |id: &str| {
        answered
            .iter()
            .find(|(rid, _)| rid == id)
            .map(|(_, call)| call.clone())
            .unwrap_or_else(|| panic!("{id} answered no call"))
    };
    let mut writes = 0;
    for record in d.station.records().audit_records().unwrap() {
        let e = &record.entry;
        let want = match e.action {
            AuditAction::Create => "/hardwareOathDevices",
            AuditAction::Assign => "/hardwareOathMethods",
            AuditAction::Activate => "/activate",
            _ => continue,
        };
        let id = e
            .request_id
            .as_deref()
            .expect("a write names its request id");
        let call = call_of(id);
        assert!(
            call.starts_with("POST ") && call.ends_with(want),
            "{:?} audited with the id of {call}",
            e.action
        );
        writes += 1;
    }
    assert!(
        writes >= 2,
        "create (with assignment) and activate were audited"
    );
}

/// What the token shows codes with: algorithm, step and display timeout
/// (its wire code: 3 = 120 s).
fn settings_of(t: &Inserted<Token2Card>) -> (Algorithm, u64, u8) {
    t.card().settings()
}

/// A single-profile token takes its settings with every clock write; a
/// resync and a sync-clock must write back what it was burnt with, not
/// SHA-1/30 s/30 s.
#[test]
fn a_clock_write_keeps_the_settings_the_token_was_burnt_with() {
    let d = desk();
    let reader = VirtualReader::acquire();
    let t = token(&reader, "C302-i", 0);
    let mut seed = seeds::SeedInput::generated(Algorithm::Sha256);
    seed.credential.params.period = 60;
    let choices = workflow::BurnChoices {
        reader: Some(reader.name().into()),
        display_timeout: Some(120),
        ..Default::default()
    };
    workflow::burn_seed(
        &d.station, &d.tokens, &d.tenant, &seed, &choices, &mut Quiet,
    )
    .unwrap();
    let burnt = (Algorithm::Sha256, 60, 3);
    assert_eq!(settings_of(&t), burnt);
    let seed_before = t.card().seed_sha256();

    let request = ResyncRequest {
        reader: Some(reader.name().into()),
        ..Default::default()
    };
    t.card().clock = TokenClock::offset(-95, 0.0);
    let done = workflow::resync(&d.station, &d.tokens, &d.tenant, &request, &mut Quiet).unwrap();
    assert!(matches!(done, ResyncOutcome::ClockSet { .. }), "{done:?}");
    assert_eq!(settings_of(&t), burnt, "resync kept the settings");

    t.card().clock = TokenClock::offset(40, 0.0);
    workflow::resync::set_clock(&d.station, &d.tokens, &d.tenant, &request, &mut Quiet).unwrap();
    assert_eq!(settings_of(&t), burnt, "sync-clock kept the settings");
    assert_eq!(t.card().seed_sha256(), seed_before);
    let drift = workflow::resync::preview(&d.tokens, Some(reader.name()))
        .unwrap()
        .drift_seconds
        .unwrap();
    assert!(drift.abs() <= 2, "the clock was set: drift {drift} s");
}

/// A token burnt elsewhere and unknown to Entra: the clock write waits for
/// the operator to say what it holds, and then writes exactly that.
#[test]
fn an_unknown_tokens_clock_is_set_only_with_the_settings_the_operator_states() {
    let d = desk();
    let reader = VirtualReader::acquire();
    let held = Secret::new(vec![7; 32]);
    let t = reader.insert(
        Token2Card::new(
            Token2Model::by_name("C302-i").unwrap(),
            "555002",
            TokenClock::offset(70, 0.0),
        )
        .holding(&held, Algorithm::Sha256, 60),
    );
    let mut request = ResyncRequest {
        reader: Some(reader.name().into()),
        ..Default::default()
    };
    let err = workflow::resync::set_clock(&d.station, &d.tokens, &d.tenant, &request, &mut Quiet)
        .unwrap_err();
    assert!(
        matches!(err, StationError::BadInput(ref m) if m.contains("state its algorithm")),
        "{err}"
    );
    assert_eq!(
        settings_of(&t),
        (Algorithm::Sha256, 60, 1),
        "nothing written"
    );
    assert!(
        (68..=72).contains(
            &workflow::resync::preview(&d.tokens, Some(reader.name()))
                .unwrap()
                .drift_seconds
                .unwrap()
        )
    );

    request.stated = Some(workflow::StatedSettings {
        algorithm: Algorithm::Sha256,
        period: 60,
        display_timeout: 60,
    });
    workflow::resync::set_clock(&d.station, &d.tokens, &d.tenant, &request, &mut Quiet).unwrap();
    assert_eq!(settings_of(&t), (Algorithm::Sha256, 60, 2));
    let drift = workflow::resync::preview(&d.tokens, Some(reader.name()))
        .unwrap()
        .drift_seconds
        .unwrap();
    assert!(drift.abs() <= 2, "the clock was set: drift {drift} s");
    assert!(t.card().seed_sha256().is_some(), "the seed is kept");
}

/// Burns `seed` with `choices` on whatever token is on `reader`, expecting
/// a refusal before anything is written.
fn refused(
    d: &Desk,
    reader: &VirtualReader,
    seed: &seeds::SeedInput,
    choices: workflow::BurnChoices,
) -> String {
    let choices = workflow::BurnChoices {
        reader: Some(reader.name().into()),
        ..choices
    };
    let err = workflow::burn_seed(&d.station, &d.tokens, &d.tenant, seed, &choices, &mut Quiet)
        .expect_err("refused");
    assert!(matches!(err, StationError::BadInput(_)), "{err}");
    let message = err.to_string();
    assert!(message.contains("nothing was written"), "{message}");
    message
}

/// A seed of `bytes` bytes with `params` changed by `f`.
fn seed_with(bytes: usize, f: impl FnOnce(&mut CodeParams)) -> seeds::SeedInput {
    let mut seed = seeds::SeedInput::generated(Algorithm::Sha1);
    seed.credential.secret = Secret::new(vec![0x5A; bytes]);
    f(&mut seed.credential.params);
    seed
}

fn place(slot: Option<u8>, label: Option<&str>) -> workflow::BurnChoices {
    workflow::BurnChoices {
        place: oathdesk_station::ports::Placement {
            slot,
            label: label.map(str::to_string),
            ..Default::default()
        },
        ..Default::default()
    }
}

#[test]
fn a_single_profile_token_refuses_every_out_of_range_value_before_writing() {
    let d = desk();
    let reader = VirtualReader::acquire();
    let t = token(&reader, "C302-i", 0);
    let cases: Vec<(seeds::SeedInput, workflow::BurnChoices, &str)> = vec![
        (seed_with(64, |_| {}), Default::default(), "bits"),
        (
            seed_with(20, |p| p.digits = 8),
            Default::default(),
            "digits",
        ),
        (
            seed_with(20, |p| p.period = 45),
            Default::default(),
            "period",
        ),
        (
            seed_with(20, |p| p.algorithm = Algorithm::Sha512),
            Default::default(),
            "SHA512",
        ),
        (
            seed_with(20, |_| {}),
            workflow::BurnChoices {
                display_timeout: Some(45),
                ..Default::default()
            },
            "display",
        ),
        (seed_with(20, |_| {}), place(None, Some("VPN")), "title"),
        (seed_with(20, |_| {}), place(Some(3), None), "slots"),
    ];
    for (seed, choices, says) in cases {
        let message = refused(&d, &reader, &seed, choices);
        assert!(message.contains(says), "{says}: {message}");
    }
    assert!(t.card().seed_sha256().is_none());
    assert_eq!(
        t.card().faults_view().apdus_seen,
        7,
        "one get-info per attempt, no writes"
    );
}

#[test]
fn a_molto2_refuses_every_out_of_range_value_before_writing() {
    let d = desk();
    let reader = VirtualReader::acquire();
    let t = reader.insert(oathdesk_sim::token::Molto2Card::new(
        "MOLTO2W00001",
        TokenClock::offset(0, 0.0),
    ));
    let cases: Vec<(seeds::SeedInput, workflow::BurnChoices, &str)> = vec![
        (seed_with(64, |_| {}), place(Some(1), None), "bits"),
        (
            seed_with(20, |p| p.digits = 7),
            place(Some(1), None),
            "digits",
        ),
        (
            seed_with(20, |p| p.period = 45),
            place(Some(1), None),
            "period",
        ),
        (
            seed_with(20, |p| p.algorithm = Algorithm::Sha512),
            place(Some(1), None),
            "SHA512",
        ),
        (seed_with(20, |_| {}), place(Some(100), None), "0-99"),
        (
            seed_with(20, |_| {}),
            place(Some(1), Some("Thirteen byte")),
            "12 bytes",
        ),
    ];
    for (seed, choices, says) in cases {
        let message = refused(&d, &reader, &seed, choices);
        assert!(message.contains(says), "{says}: {message}");
    }
    let card = t.card();
    assert!((0..100).all(|p| card.seed_sha256(p).is_none()));
    assert!(card.slots.iter().all(|p| p.title.is_none()));
}

#[test]
fn a_ykoath_applet_refuses_every_out_of_range_value_before_writing() {
    let d = desk();
    let reader = VirtualReader::acquire();
    let t = reader.insert(oathdesk_sim::token::YkOathCard::new());
    let long = "n".repeat(65);
    let cases: Vec<(seeds::SeedInput, workflow::BurnChoices, &str)> = vec![
        (seed_with(20, |_| {}), place(None, None), "needs a name"),
        (seed_with(20, |_| {}), place(None, Some(&long)), "64 bytes"),
        (
            seed_with(20, |p| p.digits = 9),
            place(None, Some("jane")),
            "digits",
        ),
        (seed_with(20, |_| {}), place(Some(2), Some("jane")), "slots"),
        (seed_with(200, |_| {}), place(None, Some("jane")), "bits"),
    ];
    for (seed, choices, says) in cases {
        let message = refused(&d, &reader, &seed, choices);
        assert!(message.contains(says), "{says}: {message}");
    }
    assert!(t.card().credentials().is_empty());
}

/// A Token2 PIN+ key's OTP applet through pcscd: the desk names the entry,
/// burns it sealed, registers the key in Entra and activates it with a code
/// computed from the same secret; the key holds exactly that entry, a
/// resync says there is no clock, and nothing ever asks it to change its
/// USB interfaces.
#[test]
fn enrol_on_a_pinplus_key_registers_exactly_the_entry_it_holds() {
    use oathdesk_sim::token::PinPlusCard;
    use sha2::{Digest, Sha256};
    let d = desk();
    let reader = VirtualReader::acquire();
    let t = reader.insert(PinPlusCard::new(&[0x34, 0x9E, 0x00, 0x42]));
    let mut req = request(&reader);
    req.algorithm = Algorithm::Sha256;
    req.choices.place.label = Some("Contoso:alice@contoso.com".into());
    let out = workflow::enrol(&d.station, &d.tokens, &d.tenant, &req, &mut Quiet).unwrap();
    assert_eq!(out.serial.to_ascii_uppercase(), "349E0042");
    let stored = d.sandbox.tenant().by_serial(&out.serial).unwrap().clone();
    assert_eq!(
        (stored.status.as_str(), stored.assigned_to.as_deref()),
        ("activated", Some("u-alice"))
    );
    let card = t.card();
    let held: Vec<_> = card
        .entries()
        .iter()
        .map(|e| {
            (
                e.issuer.clone(),
                e.account.clone(),
                e.step,
                e.digits,
                e.seed_sha256(),
            )
        })
        .collect();
    let want_seed: String = Sha256::digest(stored.secret.expose())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        held,
        [(
            "Contoso".into(),
            "alice@contoso.com".into(),
            30,
            6,
            want_seed
        )]
    );
    assert!(card.device_type_writes().is_empty());
    drop(card);

    let done = workflow::resync(
        &d.station,
        &d.tokens,
        &d.tenant,
        &ResyncRequest {
            reader: Some(reader.name().into()),
            ..Default::default()
        },
        &mut Quiet,
    )
    .unwrap();
    assert!(matches!(done, ResyncOutcome::NoClock { .. }), "{done:?}");
}

#[test]
fn a_pinplus_key_refuses_what_it_cannot_hold_before_writing() {
    let d = desk();
    let reader = VirtualReader::acquire();
    let t = reader.insert(oathdesk_sim::token::PinPlusCard::new(&[0x01]));
    let long = format!("Contoso:{}", "n".repeat(65));
    let cases: Vec<(seeds::SeedInput, workflow::BurnChoices, &str)> = vec![
        (seed_with(20, |_| {}), place(None, None), "needs a name"),
        (seed_with(20, |_| {}), place(None, Some(&long)), "64"),
        (
            seed_with(20, |p| p.digits = 8),
            place(None, Some("jane")),
            "digits",
        ),
        (
            seed_with(20, |p| p.period = 45),
            place(None, Some("jane")),
            "45",
        ),
        (seed_with(20, |_| {}), place(Some(2), Some("jane")), "slots"),
    ];
    for (seed, choices, says) in cases {
        let message = refused(&d, &reader, &seed, choices);
        assert!(message.contains(says), "{says}: {message}");
    }
    assert!(t.card().entries().is_empty());
}

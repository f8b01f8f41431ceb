//! Every client call against the Graph sandbox over real HTTP: shapes,
//! paging, throttling, lost responses and each error the operator can meet.

mod common;
use common::client;

use oathdesk_entra::{
    DeviceFilter, DeviceStatus, ErrorKind, GraphClient, NewHardwareOathDevice, StaticToken,
};
use oathdesk_otp::{Algorithm, CodeParams, Secret, generate_secret, totp};
use oathdesk_sim::graph::{OPERATOR_SCOPES, Sandbox, SeedUser, TenantSeed};

fn sandbox() -> Sandbox {
    let users = vec![
        SeedUser::member("u-alice", "alice@contoso.com"),
        SeedUser::guest("u-guest", "gus@partner.com"),
    ];
    let mut seed = TenantSeed::with_operator("op", users);
    seed.tokens
        .insert("policy-only".into(), vec![OPERATOR_SCOPES[0].to_string()]);
    Sandbox::start(seed, 0).unwrap()
}

fn new_device<'a>(
    serial: &'a str,
    secret: &'a Secret,
    params: CodeParams,
    assign: Option<&'a str>,
) -> NewHardwareOathDevice<'a> {
    NewHardwareOathDevice {
        serial_number: serial,
        manufacturer: "Token2",
        model: "C302-i",
        secret,
        params,
        display_name: None,
        assign_to: assign,
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn create_assign_activate_read_back() {
    let s = sandbox();
    let c = client(&s, "op");
    let secret = generate_secret(Algorithm::Sha256);
    let params = CodeParams {
        algorithm: Algorithm::Sha256,
        digits: 6,
        period: 60,
    };
    let d = c
        .create_device(&new_device("8659632000001", &secret, params, None))
        .unwrap()
        .value;
    assert_eq!(
        (d.status, d.time_interval_in_seconds, d.hash_function),
        (DeviceStatus::Available, 60, Algorithm::Sha256)
    );
    c.assign("alice@contoso.com", &d.id).unwrap();
    assert_eq!(c.get_device(&d.id).unwrap().status, DeviceStatus::Assigned);
    let code = totp(&secret, &params, now() + 3 * 60).unwrap();
    c.activate("alice@contoso.com", &d.id, &code).unwrap();
    let back = c.get_device(&d.id).unwrap();
    assert_eq!(back.status, DeviceStatus::Activated);
    assert_eq!(back.assigned_to.unwrap().id, "u-alice");
    assert_eq!(
        s.tenant().by_serial("8659632000001").unwrap().drift_steps,
        Some(3)
    );
    assert_eq!(c.user_methods("alice@contoso.com").unwrap().len(), 1);
    assert!(
        c.last_server_date().is_some(),
        "the Date header is kept for the clock check"
    );
    c.unassign("alice@contoso.com", &d.id).unwrap();
    c.delete_device(&d.id).unwrap();
    assert!(c.find_by_serial("8659632000001").unwrap().is_none());
}

#[test]
fn create_with_assignment_and_user_lookup() {
    let s = sandbox();
    let c = client(&s, "op");
    let u = c.user("alice@contoso.com").unwrap();
    assert_eq!(
        (u.id.as_str(), u.user_type.as_deref()),
        ("u-alice", Some("Member"))
    );
    let secret = generate_secret(Algorithm::Sha1);
    let d = c
        .create_device(&new_device(
            "8659612000009",
            &secret,
            CodeParams::default(),
            Some(&u.id),
        ))
        .unwrap()
        .value;
    assert_eq!(d.status, DeviceStatus::Assigned);
}

#[test]
fn paging_follows_next_links_through_2500_tokens() {
    let s = sandbox();
    {
        let mut t = s.tenant();
        for i in 0..2500 {
            let secret = generate_secret(Algorithm::Sha1);
            let body = serde_json::json!({"serialNumber": format!("SN{i:05}"), "manufacturer": "Token2", "model": "C302-i", "secretKey": secret.to_base32().as_str(), "timeIntervalInSeconds": 30});
            t.create(&body).unwrap();
        }
    }
    let c = client(&s, "op");
    let all = c.list_devices(&DeviceFilter::default()).unwrap();
    assert_eq!(all.len(), 2500);
    let mut serials: Vec<_> = all.iter().map(|d| d.serial_number.clone()).collect();
    serials.dedup();
    assert_eq!(serials.len(), 2500);
    let one = c
        .list_devices(&DeviceFilter {
            serial: Some("SN01234".into()),
            status: None,
        })
        .unwrap();
    assert_eq!(one.len(), 1);
}

#[test]
fn a_429_storm_is_ridden_out() {
    let s = sandbox();
    s.tenant().faults.throttle_every = 2;
    let c = client(&s, "op");
    for i in 0..10 {
        let secret = generate_secret(Algorithm::Sha1);
        c.create_device(&new_device(
            &format!("T{i}"),
            &secret,
            CodeParams::default(),
            None,
        ))
        .unwrap();
    }
    assert_eq!(c.list_devices(&DeviceFilter::default()).unwrap().len(), 10);
}

#[test]
fn a_lost_create_response_does_not_duplicate() {
    let s = sandbox();
    s.tenant().faults.fail_after.insert("create".into(), 1);
    let c = client(&s, "op");
    let secret = generate_secret(Algorithm::Sha1);
    let d = c
        .create_device(&new_device("LOST1", &secret, CodeParams::default(), None))
        .unwrap()
        .value;
    assert_eq!(d.serial_number, "LOST1");
    assert_eq!(
        s.tenant()
            .devices
            .iter()
            .filter(|x| x.serial == "LOST1")
            .count(),
        1
    );
}

#[test]
fn each_error_names_the_next_step() {
    let s = sandbox();
    let c = client(&s, "op");
    let secret = generate_secret(Algorithm::Sha1);
    let d = c
        .create_device(&new_device("E1", &secret, CodeParams::default(), None))
        .unwrap()
        .value;

    let e = c
        .create_device(&new_device(
            "E1",
            &generate_secret(Algorithm::Sha1),
            CodeParams::default(),
            None,
        ))
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::DuplicateSerial);
    let e = c.assign("gus@partner.com", &d.id).unwrap_err();
    assert_eq!(e.kind, ErrorKind::GuestUser);
    let e = c.assign("nobody@contoso.com", &d.id).unwrap_err();
    assert_eq!(e.kind, ErrorKind::UserNotFound);
    c.assign("alice@contoso.com", &d.id).unwrap();
    let e = c
        .activate("alice@contoso.com", &d.id, "000000")
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::WrongCode);
    assert_eq!(
        c.get_device(&d.id).unwrap().status,
        DeviceStatus::FailedActivation
    );
    assert!(e.request_id.is_some(), "request-id is kept");
    let e = c.delete_device(&d.id).unwrap_err();
    assert_eq!(e.kind, ErrorKind::MustUnassignFirst);

    let bob = s.tenant().users.len();
    s.tenant()
        .users
        .push(SeedUser::member("u-bob", "bob@contoso.com"));
    assert_eq!(s.tenant().users.len(), bob + 1);
    let e = c.assign("bob@contoso.com", &d.id).unwrap_err();
    assert_eq!(e.kind, ErrorKind::AlreadyAssigned);
    let e = c
        .create_device(&new_device("E2", &secret, CodeParams::default(), None))
        .unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::SecretRejected,
        "a secret already in use is refused"
    );

    for i in 0..4 {
        let sec = generate_secret(Algorithm::Sha1);
        let x = c
            .create_device(&new_device(
                &format!("L{i}"),
                &sec,
                CodeParams::default(),
                Some("u-alice"),
            ))
            .unwrap()
            .value;
        assert_eq!(x.status, DeviceStatus::Assigned);
    }
    let e = c
        .create_device(&new_device(
            "L9",
            &generate_secret(Algorithm::Sha1),
            CodeParams::default(),
            Some("u-alice"),
        ))
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::MethodLimit);

    let limited = client(&s, "policy-only");
    let e = limited.assign("alice@contoso.com", &d.id).unwrap_err();
    assert_eq!(e.kind, ErrorKind::MissingPermission);
    assert!(
        e.next_step().contains("Authentication Administrator"),
        "{}",
        e.next_step()
    );
    let e = client(&s, "wrong")
        .list_devices(&DeviceFilter::default())
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::SignInNeeded);
    let msg = format!("{e} {}", e.next_step());
    assert!(!msg.contains(secret.to_base32().as_str()));
}

#[test]
fn plain_http_is_refused_except_on_loopback() {
    let err = GraphClient::builder()
        .graph_base("http://graph.example.com")
        .token_source(StaticToken("x".into()))
        .build()
        .err()
        .unwrap();
    assert!(err.message.contains("https"));
}

#[test]
fn update_deactivate_assign_and_activate_policy_and_search() {
    use oathdesk_entra::{BulkOutcome, DeviceUpdate};
    let s = sandbox();
    let c = client(&s, "op");
    let secret = generate_secret(Algorithm::Sha1);
    let d = c
        .create_device(&new_device("U1", &secret, CodeParams::default(), None))
        .unwrap()
        .value;
    let upd = DeviceUpdate {
        display_name: Some("Desk 4".into()),
        params: Some(CodeParams {
            period: 60,
            ..CodeParams::default()
        }),
        ..Default::default()
    };
    c.update_device(&d.id, &upd).unwrap();
    let back = c.get_device(&d.id).unwrap();
    assert_eq!(
        (back.display_name.as_deref(), back.time_interval_in_seconds),
        (Some("Desk 4"), 60)
    );

    let p60 = CodeParams {
        period: 60,
        ..CodeParams::default()
    };
    c.assign_and_activate(
        "alice@contoso.com",
        &d.id,
        &totp(&secret, &p60, now()).unwrap(),
    )
    .unwrap();
    assert_eq!(c.get_device(&d.id).unwrap().status, DeviceStatus::Activated);
    assert_eq!(
        c.update_device(&d.id, &upd).unwrap_err().kind,
        ErrorKind::MustUnassignFirst
    );
    c.deactivate("alice@contoso.com", &d.id).unwrap();
    assert_eq!(c.get_device(&d.id).unwrap().status, DeviceStatus::Assigned);

    let s2 = generate_secret(Algorithm::Sha1);
    c.create_device(&new_device("U2", &s2, CodeParams::default(), None))
        .unwrap();
    c.assign_and_activate_by_serial(
        "alice@contoso.com",
        "U2",
        &totp(&s2, &CodeParams::default(), now()).unwrap(),
    )
    .unwrap();
    assert_eq!(
        c.find_by_serial("U2").unwrap().unwrap().status,
        DeviceStatus::Activated
    );

    assert!(!c.policy_enabled().unwrap());
    c.set_policy_enabled(true).unwrap();
    assert!(c.policy_enabled().unwrap());

    let found = c.search_users("ali").unwrap();
    assert_eq!(
        found
            .iter()
            .map(|u| u.user_principal_name.as_str())
            .collect::<Vec<_>>(),
        ["alice@contoso.com"]
    );

    let secrets: Vec<Secret> = (0..3).map(|_| generate_secret(Algorithm::Sha1)).collect();
    let serials = ["B1", "B2", "U1"];
    let batch: Vec<_> = serials
        .iter()
        .zip(&secrets)
        .map(|(sn, sec)| new_device(sn, sec, CodeParams::default(), None))
        .collect();
    let out = c.bulk_create(&batch).unwrap();
    assert!(
        matches!(out[0], BulkOutcome::Created { .. })
            && matches!(out[1], BulkOutcome::Created { .. })
    );
    assert!(
        matches!(&out[2], BulkOutcome::Refused { message } if message.contains("already exists")),
        "{out:?}"
    );
}

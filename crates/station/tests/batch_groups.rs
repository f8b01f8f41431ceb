//! A batch's users from an Entra group, against the Graph sandbox over
//! HTTP: the group named or given by id, its members checked like a CSV's
//! (guests and disabled accounts refused with the reason before any
//! token), and each way of naming no group, or two, refused before a batch
//! is made.

mod common;
use common::tenant;
use oathdesk_otp::Algorithm;
use oathdesk_sim::graph::{OPERATOR_SCOPES, Sandbox, SeedUser, TenantSeed, group_id};
use oathdesk_station::batch::QueueStatus;
use oathdesk_station::keys::MemoryKeyStore;
use oathdesk_station::workflow::batch::{self, NewBatch};
use oathdesk_station::{Station, StationConfig, StationError};

const HIRES: &str = "March starters";

fn users() -> Vec<SeedUser> {
    let mut users: Vec<SeedUser> = (1..=3)
        .map(|i| {
            SeedUser::member(&format!("u-{i}"), &format!("hire{i}@contoso.com")).in_groups(&[HIRES])
        })
        .collect();
    users.push(SeedUser::guest("u-gus", "gus@partner.com").in_groups(&[HIRES]));
    users.push(
        SeedUser::member("u-ex", "ex@contoso.com")
            .disabled()
            .in_groups(&[HIRES]),
    );
    users.push(SeedUser::member("u-s1", "s1@contoso.com").in_groups(&["Sales"]));
    users.push(SeedUser::member("u-s2", "s2@contoso.com").in_groups(&["sales"]));
    users.extend((0..1001).map(|i| {
        SeedUser::member(&format!("u-big{i}"), &format!("big{i}@contoso.com"))
            .in_groups(&["Everyone"])
    }));
    users
}

fn sandbox() -> Sandbox {
    let mut seed = TenantSeed::with_operator("op", users());
    seed.tokens.insert(
        "no-groups".into(),
        OPERATOR_SCOPES[..3].iter().map(|s| s.to_string()).collect(),
    );
    Sandbox::start(seed, 0).unwrap()
}

fn refusal(r: Result<batch::GroupList, StationError>) -> String {
    match r {
        Err(StationError::BadInput(why)) => why,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn a_batch_from_a_group_checks_every_member_before_any_token() {
    let s = sandbox();
    let t = tenant(&s, "op");
    let list = batch::group_users(&t, HIRES).unwrap();
    assert_eq!(list.group.id, group_id(HIRES));
    let upns: Vec<&str> = list.users.iter().map(|u| u.upn.as_str()).collect();
    assert_eq!(
        upns,
        [
            "hire1@contoso.com",
            "hire2@contoso.com",
            "hire3@contoso.com",
            "gus@partner.com",
            "ex@contoso.com"
        ]
    );
    assert_eq!(list.users[0].display_name.as_deref(), Some("hire1"));

    let dir = tempfile::tempdir().unwrap();
    let keys = MemoryKeyStore::new();
    let config = StationConfig {
        data_dir: dir.path().to_path_buf(),
        operator: "helpdesk@contoso.com".into(),
    };
    let station = Station::open(config, &keys).unwrap();
    let new = NewBatch {
        name: list.group.name.clone(),
        algorithm: Algorithm::Sha1,
        period: 30,
        users: list.users,
    };
    let view = batch::start_batch(&station, &t, &new).unwrap();
    let status: Vec<(QueueStatus, Option<&str>)> = view
        .users
        .iter()
        .map(|u| (u.status, u.reason.as_deref()))
        .collect();
    assert_eq!(status[..3], [(QueueStatus::Waiting, None); 3]);
    assert_eq!(status[3].0, QueueStatus::Refused);
    assert!(status[3].1.unwrap().contains("guest"), "{:?}", status[3]);
    assert_eq!(status[4].0, QueueStatus::Refused);
    assert!(status[4].1.unwrap().contains("disabled"), "{:?}", status[4]);
    assert_eq!(s.tenant().devices.len(), 0, "nothing written");
}

#[test]
fn a_group_is_found_by_id_too() {
    let s = sandbox();
    let t = tenant(&s, "op");
    let list = batch::group_users(&t, &format!("  {}  ", group_id(HIRES))).unwrap();
    assert_eq!(list.group.name, HIRES);
    assert_eq!(list.users.len(), 5);
}

#[test]
fn no_group_two_groups_an_unknown_id_or_too_many_members_are_refused() {
    let s = sandbox();
    let t = tenant(&s, "op");
    let why = refusal(batch::group_users(&t, "April starters"));
    assert!(why.contains("no group named \"April starters\""), "{why}");
    let why = refusal(batch::group_users(&t, "Sales"));
    assert!(why.contains("2 groups are named \"Sales\""), "{why}");
    assert!(
        why.contains(&group_id("Sales")) && why.contains(&group_id("sales")),
        "{why}"
    );
    let unknown = "00000000-0000-0000-0000-000000000000";
    let why = refusal(batch::group_users(&t, unknown));
    assert!(why.contains("no group with the id"), "{why}");
    let why = refusal(batch::group_users(&t, "  "));
    assert!(why.contains("name the Entra group"), "{why}");
    let why = refusal(batch::group_users(&t, "Everyone"));
    assert!(
        why.contains("1001 users; one batch takes at most 1000"),
        "{why}"
    );
}

#[test]
fn without_the_group_permission_the_operator_is_told_what_to_ask_for() {
    let s = sandbox();
    let e = batch::group_users(&tenant(&s, "no-groups"), HIRES).unwrap_err();
    let text = e.to_string();
    assert!(text.contains("GroupMember.Read.All"), "{text}");
    assert!(text.contains("sign in again"), "{text}");
}

//! Groups as a batch's source, against the Graph sandbox over HTTP: a group
//! found by name (names are not unique), read by id, and its direct user
//! members across pages; what a missing group or scope gives.

mod common;
use common::client;

use oathdesk_entra::ErrorKind;
use oathdesk_sim::graph::{OPERATOR_SCOPES, Sandbox, SeedUser, TenantSeed, group_id};

const HIRES: &str = "March starters";

/// 1,200 hires in one group (two pages of at most 999), a guest in it
/// too, two groups that share a name, and a user in no group.
fn sandbox() -> Sandbox {
    let mut users: Vec<SeedUser> = (0..1200)
        .map(|i| {
            SeedUser::member(&format!("u-{i}"), &format!("hire{i}@contoso.com")).in_groups(&[HIRES])
        })
        .collect();
    users.push(SeedUser::guest("u-guest", "gus@partner.com").in_groups(&[HIRES]));
    users.push(SeedUser::member("u-a", "a@contoso.com").in_groups(&["Sales", "Sales "]));
    users.push(SeedUser::member("u-none", "none@contoso.com"));
    let mut seed = TenantSeed::with_operator("op", users);
    seed.tokens.insert(
        "no-groups".into(),
        OPERATOR_SCOPES[..3].iter().map(|s| s.to_string()).collect(),
    );
    Sandbox::start(seed, 0).unwrap()
}

#[test]
fn a_group_by_name_then_every_member_across_pages() {
    let s = sandbox();
    let c = client(&s, "op");
    let found = c.find_groups(HIRES).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, group_id(HIRES));
    assert_eq!(found[0].display_name, HIRES);
    let members = c.group_members(&found[0].id).unwrap();
    assert_eq!(members.len(), 1201, "every page is read");
    assert_eq!(members[0].user_principal_name, "hire0@contoso.com");
    assert_eq!(members[1199].user_principal_name, "hire1199@contoso.com");
    let guest = members.iter().find(|m| m.id == "u-guest").unwrap();
    assert_eq!(
        guest.user_type.as_deref(),
        Some("Guest"),
        "asked for by $select"
    );
    assert_eq!(guest.account_enabled, Some(true));
    let ids: std::collections::HashSet<_> = members.iter().map(|m| &m.id).collect();
    assert_eq!(ids.len(), 1201, "no member twice across the page boundary");
}

#[test]
fn names_are_matched_whole_and_a_group_is_read_by_id() {
    let s = sandbox();
    let c = client(&s, "op");
    assert!(
        c.find_groups("March").unwrap().is_empty(),
        "no prefix match"
    );
    assert!(
        c.find_groups("O'Brien's team").unwrap().is_empty(),
        "quotes are escaped"
    );
    assert_eq!(c.find_groups("Sales").unwrap().len(), 1);
    let g = c.group(&group_id("Sales ")).unwrap();
    assert_eq!(g.display_name, "Sales ");
    let e = c.group("00000000-0000-0000-0000-000000000000").unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
    let e = c
        .group_members("00000000-0000-0000-0000-000000000000")
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
}

#[test]
fn without_group_member_read_the_call_is_forbidden() {
    let s = sandbox();
    let e = client(&s, "no-groups").find_groups(HIRES).unwrap_err();
    assert_eq!(e.kind, ErrorKind::MissingPermission, "{e}");
}

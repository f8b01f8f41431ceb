//! The users of a batch as an Entra group holds them: the group named by
//! its display name or its object id, and its direct members that are
//! users. Nested groups' members are not included (Graph lists them only
//! with its eventual-consistency queries); the operator names the nested
//! group itself. The list is checked like a CSV's before a batch is made.

use serde::Serialize;

use super::list;
use crate::StationError;
use crate::batch::Listed;
use crate::ports::{Directory, DirectoryFailureKind, GroupMatch};

/// A group's users, ready to start a batch with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupList {
    pub group: GroupMatch,
    pub users: Vec<Listed>,
}

/// Entra object ids are GUIDs: 8-4-4-4-12 hex digits.
fn is_object_id(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_hexdigit()))
}

fn bad(what: String) -> StationError {
    StationError::BadInput(format!("{what}; no batch was made"))
}

/// The one group `named` means, or why there is none to choose.
fn the_group(tenant: &dyn Directory, named: &str) -> Result<GroupMatch, StationError> {
    if is_object_id(named) {
        return tenant.group(named).map_err(|f| match f.kind {
            DirectoryFailureKind::NotFound => bad(format!(
                "there is no group with the id {named} in this tenant: check it in Entra (Groups)"
            )),
            _ => f.into(),
        });
    }
    let mut found = tenant.find_groups(named)?;
    match found.len() {
        0 => Err(bad(format!(
            "there is no group named \"{named}\" in this tenant: check the name in Entra (Groups), or give the group's object id"
        ))),
        1 => Ok(found.remove(0)),
        n => {
            let ids: Vec<&str> = found.iter().map(|g| g.id.as_str()).collect();
            Err(bad(format!(
                "{n} groups are named \"{named}\": give the object id of the one you mean ({})",
                ids.join(", ")
            )))
        }
    }
}

/// The users directly in the group `named` (its name or object id).
pub fn group_users(tenant: &dyn Directory, named: &str) -> Result<GroupList, StationError> {
    let named = named.trim();
    if named.is_empty() {
        return Err(bad("name the Entra group, or give its object id".into()));
    }
    let group = the_group(tenant, named)?;
    let members = tenant.group_members(&group.id)?;
    if members.is_empty() {
        return Err(bad(format!(
            "the group \"{}\" has no users as direct members",
            group.name
        )));
    }
    let numbered = members
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            let user = Listed {
                upn: m.upn,
                display_name: m.display_name,
                serial: None,
                model: None,
            };
            (i + 1, user)
        })
        .collect();
    let users =
        list::checked(numbered).map_err(|why| bad(format!("group \"{}\": {why}", group.name)))?;
    Ok(GroupList { group, users })
}

#[cfg(test)]
mod tests {
    use super::is_object_id;

    #[test]
    fn object_ids_are_told_from_names() {
        assert!(is_object_id("02bd9fd6-8f93-4758-87c3-1fb73740a315"));
        assert!(is_object_id("02BD9FD6-8F93-4758-87C3-1FB73740A315"));
        assert!(!is_object_id("March starters"));
        assert!(!is_object_id("02bd9fd6-8f93-4758-87c3-1fb73740a31"));
        assert!(!is_object_id("02bd9fd6-8f93-4758-87c3-1fb73740a31g"));
        assert!(!is_object_id("02bd9fd68f93475887c31fb73740a315"));
    }
}

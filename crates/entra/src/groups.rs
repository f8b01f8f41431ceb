//! Groups as a source of users (a batch of new hires is often a group in
//! Entra): a group found by its display name or read by its id, and its
//! direct user members, every page. The OData cast
//! `/members/microsoft.graph.user` leaves out devices, contacts and nested
//! groups, and works without Graph's advanced query headers (only the
//! transitive list needs them). Calls need `GroupMember.Read.All`.

use reqwest::Method;
use serde::Serialize;

use crate::answers;
use crate::client::{GraphClient, Idempotence};
use crate::error::{EntraError, ErrorKind};
use crate::oath::{User, enc, quote};

/// A group: what tells it apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    pub id: String,
    pub display_name: String,
}

/// The user properties a batch reads of each member.
const MEMBER_FIELDS: &str = "id,userPrincipalName,displayName,userType,accountEnabled";

impl GraphClient {
    /// Every group whose display name is exactly `name` (Entra does not
    /// keep names unique, so there may be several).
    pub fn find_groups(&self, name: &str) -> Result<Vec<Group>, EntraError> {
        let filter = format!("displayName eq {}", quote(name));
        let path = format!(
            "/v1.0/groups?$filter={}&$select=id,displayName",
            enc(&filter)
        );
        let reply = self.send(Method::GET, &path, None, Idempotence::Safe)?;
        Ok(answers::groups(&reply.body))
    }

    /// The group with object id `id`.
    pub fn group(&self, id: &str) -> Result<Group, EntraError> {
        let path = format!("/v1.0/groups/{}?$select=id,displayName", enc(id));
        let reply = self
            .send(Method::GET, &path, None, Idempotence::Safe)
            .map_err(|e| no_such_group(e, id))?;
        answers::group(&reply.body)
    }

    /// The group's direct members that are users, following
    /// `@odata.nextLink` to the last page.
    pub fn group_members(&self, id: &str) -> Result<Vec<User>, EntraError> {
        let mut next = Some(format!(
            "/v1.0/groups/{}/members/microsoft.graph.user?$select={MEMBER_FIELDS}&$top=999",
            enc(id)
        ));
        let mut all = Vec::new();
        while let Some(path) = next {
            let reply = self
                .send(Method::GET, &path, None, Idempotence::Safe)
                .map_err(|e| no_such_group(e, id))?;
            all.extend(answers::users(&reply.body));
            next = answers::next_link(&reply.body);
        }
        Ok(all)
    }
}

/// Graph's 404 for a group reads like one for a user; say which it is.
fn no_such_group(mut e: EntraError, id: &str) -> EntraError {
    if e.status == Some(404) {
        e.kind = ErrorKind::NotFound;
        e.message = format!(
            "there is no group with the id {id} in this tenant: check the group in Entra (Groups), or give its name"
        );
    }
    e
}

//! Finding the user a token is for, by the start of their sign-in name.

use crate::StationError;
use crate::ports::{Directory, UserMatch};

/// Users whose sign-in name (UPN) starts with `prefix`.
pub fn search_users(tenant: &dyn Directory, prefix: &str) -> Result<Vec<UserMatch>, StationError> {
    match prefix.trim() {
        "" => Err(StationError::BadInput(
            "type the start of the user's sign-in name".into(),
        )),
        prefix => Ok(tenant.search_users(prefix)?),
    }
}

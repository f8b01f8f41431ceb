//! The users of a batch as a CSV lists them: a `upn` column (also
//! `userPrincipalName`), and optionally a display name, the serial of the
//! token meant for each user and its model. Every row is checked before a
//! batch is made: an empty UPN, the same user twice or the same serial
//! twice is refused with its line, so one user never gets two new tokens
//! and one token is never meant for two users.

use std::collections::HashMap;
use std::io::Read;

use crate::StationError;
use crate::batch::Listed;

/// The most users one batch takes: a morning's new hires, with room.
pub const MAX_USERS: usize = 1_000;

fn column(headers: &csv::StringRecord, names: &[&str]) -> Option<usize> {
    headers.iter().position(|h| {
        let h: String = h
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '_')
            .collect();
        names.iter().any(|n| h.eq_ignore_ascii_case(n))
    })
}

/// Reads and checks every row of `csv`.
pub fn read_users(csv: impl Read) -> Result<Vec<Listed>, StationError> {
    let bad = |what: String| StationError::BadInput(format!("{what}; no batch was made"));
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(csv);
    let headers = reader
        .headers()
        .map_err(|e| bad(format!("the CSV cannot be read: {e}")))?
        .clone();
    let upn = column(&headers, &["upn", "userprincipalname"])
        .ok_or_else(|| bad("the CSV has no \"upn\" column".into()))?;
    let name = column(&headers, &["displayname", "name"]);
    let serial = column(&headers, &["serial", "serialnumber"]);
    let model = column(&headers, &["model"]);
    let mut users = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| bad(format!("line {line}: {e}")))?;
        let get = |c: Option<usize>| c.and_then(|c| record.get(c)).filter(|v| !v.is_empty());
        let Some(upn) = get(Some(upn)) else {
            if record.iter().all(str::is_empty) {
                continue;
            }
            return Err(bad(format!("line {line}: the UPN is empty")));
        };
        users.push((
            line,
            Listed {
                upn: upn.to_string(),
                display_name: get(name).map(str::to_string),
                serial: get(serial).map(str::to_string),
                model: get(model).map(str::to_string),
            },
        ));
    }
    checked(users).map_err(bad)
}

/// Refuses an empty list, too long a list, a UPN that is not one, and
/// repeats of a user or a serial.
pub fn checked(users: Vec<(usize, Listed)>) -> Result<Vec<Listed>, String> {
    if users.is_empty() {
        return Err("the list names no user".into());
    }
    if users.len() > MAX_USERS {
        return Err(format!(
            "the list names {} users; one batch takes at most {MAX_USERS}",
            users.len()
        ));
    }
    let mut upns = HashMap::new();
    let mut serials = HashMap::new();
    for (line, u) in &users {
        if !u.upn.contains('@') || u.upn.contains(char::is_whitespace) {
            return Err(format!(
                "line {line}: {:?} is not a UPN (name@domain)",
                u.upn
            ));
        }
        if let Some(first) = upns.insert(u.upn.to_ascii_lowercase(), *line) {
            return Err(format!("line {line}: {} is already on line {first}", u.upn));
        }
        if let Some(s) = &u.serial
            && let Some(first) = serials.insert(s.to_ascii_uppercase(), *line)
        {
            return Err(format!(
                "line {line}: token {s} is already meant for the user on line {first}"
            ));
        }
    }
    Ok(users.into_iter().map(|(_, u)| u).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<Listed>, String> {
        read_users(text.as_bytes()).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_the_columns_it_knows_in_any_order() {
        let users = read(
            "Serial Number,UPN,Display Name,Model\n\
             TK1,jane@contoso.com,Jane Doe,C302-i\n\
             ,joe@contoso.com,,\n\n",
        )
        .unwrap();
        assert_eq!(users.len(), 2);
        assert_eq!(users[0].serial.as_deref(), Some("TK1"));
        assert_eq!(users[0].display_name.as_deref(), Some("Jane Doe"));
        assert_eq!(
            (users[1].serial.as_deref(), users[1].model.as_deref()),
            (None, None)
        );
    }

    #[test]
    fn refuses_what_would_give_a_user_two_tokens_or_a_token_two_users() {
        let cases = [
            (
                "upn\njane@contoso.com\nJANE@contoso.com\n",
                "line 3: JANE@contoso.com is already on line 2",
            ),
            (
                "upn,serial\na@x.com,T1\nb@x.com,t1\n",
                "line 3: token t1 is already meant",
            ),
            ("upn\njane\n", "not a UPN"),
            ("upn,name\n,Jane\n", "line 2: the UPN is empty"),
            ("name\nJane\n", "no \"upn\" column"),
            ("upn\n", "names no user"),
        ];
        for (text, says) in cases {
            let e = read(text).unwrap_err();
            assert!(
                e.contains(says) && e.contains("no batch was made"),
                "{says}: {e}"
            );
        }
    }
}

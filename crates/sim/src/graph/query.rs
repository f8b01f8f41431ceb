//! The OData query options the inventory list takes, parsed as strictly as
//! Graph: `$filter` of `eq` clauses joined by `and`, `$select`, `$top`,
//! `$count`, and the sandbox's own `$skiptoken`. Anything else is a 400,
//! never silently ignored: a client that sends an unsupported query must
//! find out, not get the whole inventory back.

use std::collections::HashMap;

use serde_json::{Map, Value};

/// The properties a `$filter` may test, as Graph documents for the list.
const FILTERABLE: [&str; 2] = ["serialNumber", "status"];

/// The properties of a device a `$select` may name.
const SELECTABLE: [&str; 11] = [
    "id",
    "displayName",
    "serialNumber",
    "manufacturer",
    "model",
    "secretKey",
    "timeIntervalInSeconds",
    "hashFunction",
    "status",
    "assignedTo",
    "lastUsedDateTime",
];

/// The most items one page may hold.
const MAX_TOP: usize = 999;

#[derive(Debug, Default, PartialEq)]
pub struct ListQuery {
    /// (property, value) pairs that must all hold.
    pub filter: Vec<(String, String)>,
    pub select: Option<Vec<String>>,
    pub top: usize,
    pub count: bool,
    pub skip: usize,
}

/// Why a query was refused: Graph's message.
pub type Refused = String;

impl ListQuery {
    pub fn parse(q: &HashMap<String, String>) -> Result<ListQuery, Refused> {
        let mut out = ListQuery {
            top: 100,
            ..ListQuery::default()
        };
        for (key, value) in q {
            match key.as_str() {
                "$filter" => out.filter = filter(value)?,
                "$select" => out.select = Some(select(value)?),
                "$top" => out.top = top(value)?,
                "$count" => out.count = count(value)?,
                "$skiptoken" => {
                    out.skip = value
                        .parse()
                        .map_err(|_| format!("Invalid $skiptoken '{value}'."))?
                }
                other if other.starts_with('$') => {
                    return Err(format!("Query option '{other}' is not supported."));
                }
                _ => {}
            }
        }
        Ok(out)
    }

    /// True when `device` (its Graph JSON) passes every clause.
    pub fn keeps(&self, device: &Value) -> bool {
        self.filter
            .iter()
            .all(|(k, v)| device[k.as_str()].as_str() == Some(v.as_str()))
    }

    /// `device` with only the selected properties.
    pub fn shape(&self, device: Value) -> Value {
        let Some(fields) = &self.select else {
            return device;
        };
        let mut kept = Map::new();
        for f in fields {
            kept.insert(f.clone(), device[f.as_str()].clone());
        }
        Value::Object(kept)
    }
}

/// `a eq 'x' and b eq 'y'` (quotes doubled inside a value).
fn filter(f: &str) -> Result<Vec<(String, String)>, Refused> {
    let invalid = || format!("Invalid filter clause: '{f}'.");
    let mut clauses = Vec::new();
    let mut rest = f.trim();
    loop {
        let (field, after) = rest.split_once(" eq ").ok_or_else(invalid)?;
        let field = field.trim();
        if !FILTERABLE.contains(&field) {
            return Err(format!("Filtering on '{field}' is not supported."));
        }
        let (value, tail) = quoted(after.trim_start()).ok_or_else(invalid)?;
        clauses.push((field.to_string(), value));
        let tail = tail.trim_start();
        if tail.is_empty() {
            return Ok(clauses);
        }
        rest = tail.strip_prefix("and ").ok_or_else(invalid)?;
    }
}

/// A single-quoted OData string at the start of `s`, and what follows it.
fn quoted(s: &str) -> Option<(String, &str)> {
    let body = s.strip_prefix('\'')?;
    let mut value = String::new();
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '\'' {
            value.push(c);
        } else if matches!(chars.peek(), Some((_, '\''))) {
            value.push('\'');
            chars.next();
        } else {
            return Some((value, &body[i + 1..]));
        }
    }
    None
}

fn select(s: &str) -> Result<Vec<String>, Refused> {
    s.split(',')
        .map(str::trim)
        .map(|f| {
            SELECTABLE
                .contains(&f)
                .then(|| f.to_string())
                .ok_or_else(|| format!("Could not find a property named '{f}' to select."))
        })
        .collect()
}

pub(crate) fn top(s: &str) -> Result<usize, Refused> {
    match s.parse::<usize>() {
        Ok(n @ 1..=MAX_TOP) => Ok(n),
        _ => Err(format!(
            "Invalid page size '{s}': $top must be from 1 to {MAX_TOP}."
        )),
    }
}

fn count(s: &str) -> Result<bool, Refused> {
    match s {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!("Invalid $count value '{s}': use true or false.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Result<ListQuery, Refused> {
        ListQuery::parse(
            &pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn clauses_joined_by_and_all_apply() {
        let got = q(&[(
            "$filter",
            "serialNumber eq 'O''Brien 1' and status eq 'available'",
        )])
        .unwrap()
        .filter;
        assert_eq!(
            got,
            [
                ("serialNumber".to_string(), "O'Brien 1".to_string()),
                ("status".to_string(), "available".to_string())
            ]
        );
    }

    #[test]
    fn what_graph_refuses_is_refused() {
        for bad in [
            ("$filter", "model eq 'C302'"),
            ("$filter", "serialNumber ne 'x'"),
            ("$filter", "serialNumber eq 'x' or status eq 'y'"),
            ("$filter", "serialNumber eq 'x"),
            ("$filter", "startswith(serialNumber,'86')"),
            ("$top", "0"),
            ("$top", "1000"),
            ("$top", "ten"),
            ("$select", "id,secret"),
            ("$count", "yes"),
            ("$orderby", "serialNumber"),
        ] {
            assert!(q(&[bad]).is_err(), "{bad:?} was accepted");
        }
    }
}

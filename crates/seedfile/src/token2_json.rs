//! Token2's JSON: an array of Graph `hardwareOathTokenAuthenticationMethodDevice`
//! objects (`serialNumber`, `manufacturer`, `model`, `secretKey`,
//! `timeIntervalInSeconds`, `hashFunction`, optional `displayName` and
//! `assignTo: {id}`), as Graph's create takes them. A `$delta` bulk body
//! (`{"value": [...]}`) reads the same. Graph's own example sends the
//! interval as a string, so `"30"` and `30` are both read.

use oathdesk_otp::{Algorithm, CodeParams};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::fields::{self, Prefer};
use crate::{Place, Record, SeedError};

pub(crate) fn read(bytes: &[u8]) -> Result<Vec<Result<Record, SeedError>>, SeedError> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| {
        SeedError::file(format!(
            "the JSON cannot be read (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    let items = match doc {
        Value::Array(items) => items,
        Value::Object(mut o) => match o.remove("value") {
            Some(Value::Array(items)) => items,
            _ => {
                return Err(SeedError::file(
                    "the JSON is not an array of hardware tokens",
                ));
            }
        },
        _ => {
            return Err(SeedError::file(
                "the JSON is not an array of hardware tokens",
            ));
        }
    };
    Ok(items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let place = Place::Record(i + 1);
            token(item, place).map_err(|m| SeedError::at(place, m))
        })
        .collect())
}

/// A string or number field as text; blank when absent.
fn text(item: &Value, key: &str) -> String {
    match &item[key] {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

fn token(mut item: Value, place: Place) -> Result<Record, String> {
    if !item.is_object() {
        return Err("it is not a JSON object".into());
    }
    let secret_text = match item.get_mut("secretKey") {
        Some(Value::String(s)) => Zeroizing::new(std::mem::take(s)),
        _ => return Err("it has no secretKey".into()),
    };
    let (secret, hex_converted) = fields::secret(&secret_text, Prefer::Base32)?;
    let algorithm = match text(&item, "hashFunction").as_str() {
        "" => Algorithm::Sha1,
        h => fields::algorithm(h)?,
    };
    let interval = text(&item, "timeIntervalInSeconds");
    if interval.is_empty() {
        return Err("it has no timeIntervalInSeconds".into());
    }
    Ok(Record {
        place,
        serial: text(&item, "serialNumber"),
        manufacturer: text(&item, "manufacturer"),
        model: text(&item, "model"),
        secret,
        params: CodeParams {
            algorithm,
            digits: 6,
            period: fields::period(&interval)?,
        },
        user: fields::optional(&text(&item["assignTo"], "id")),
        display_name: fields::optional(&text(&item, "displayName")),
        hex_converted,
        not_totp: None,
    })
}

//! A create request's body, checked as Entra checks it before anything is
//! stored: the five required properties, no unknown ones, a base32 secret
//! as Graph takes it, an interval of 30 or 60 (a JSON number, or a numeric
//! string as the docs' own bulk example sends), a supported hash. A lenient
//! sandbox here would let a client that forgets a field pass every test.

use oathdesk_otp::{Algorithm, CodeParams, Secret, parse_base32};
use serde_json::Value;

use super::tenant::Refusal;

/// The properties a create body may carry (`@contentId` in a bulk item).
const KNOWN: [&str; 10] = [
    "serialNumber",
    "manufacturer",
    "model",
    "secretKey",
    "timeIntervalInSeconds",
    "hashFunction",
    "displayName",
    "assignTo",
    "@contentId",
    "@odata.type",
];

/// Graph's longest secret, in base32 characters.
const MAX_SECRET_CHARS: usize = 128;

pub struct NewDevice {
    pub serial: String,
    pub manufacturer: String,
    pub model: String,
    pub display_name: Option<String>,
    pub secret: Secret,
    pub params: CodeParams,
    /// The user (id or UPN) in `assignTo.id`.
    pub assign_to: Option<String>,
}

fn bad(message: impl Into<String>) -> Refusal {
    (400, "invalidRequest", message.into())
}

impl NewDevice {
    pub fn read(body: &Value) -> Result<NewDevice, Refusal> {
        let fields = body
            .as_object()
            .ok_or_else(|| bad("The request body must be a JSON object."))?;
        if let Some(unknown) = fields.keys().find(|k| !KNOWN.contains(&k.as_str())) {
            return Err(bad(format!(
                "The property '{unknown}' does not exist on type 'microsoft.graph.hardwareOathTokenAuthenticationMethodDevice'."
            )));
        }
        Ok(NewDevice {
            serial: required_text(body, "serialNumber")?,
            manufacturer: required_text(body, "manufacturer")?,
            model: required_text(body, "model")?,
            display_name: optional_text(body, "displayName")?,
            secret: secret(body)?,
            params: CodeParams {
                algorithm: hash(&body["hashFunction"])?.unwrap_or(Algorithm::Sha1),
                digits: 6,
                period: interval(&body["timeIntervalInSeconds"])?
                    .ok_or_else(|| bad("timeIntervalInSeconds is required."))?,
            },
            assign_to: assignee(body)?,
        })
    }
}

fn required_text(body: &Value, key: &str) -> Result<String, Refusal> {
    optional_text(body, key)?
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| bad(format!("{key} is required.")))
}

fn optional_text(body: &Value, key: &str) -> Result<Option<String>, Refusal> {
    match &body[key] {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        _ => Err(bad(format!("{key} must be a string."))),
    }
}

/// Unpadded uppercase RFC 4648 base32, at most 128 characters.
fn secret(body: &Value) -> Result<Secret, Refusal> {
    let text = body["secretKey"]
        .as_str()
        .ok_or_else(|| bad("secretKey is required."))?;
    let alphabet = text
        .bytes()
        .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b));
    if text.is_empty() || text.len() > MAX_SECRET_CHARS || !alphabet {
        return Err(bad(
            "The secret key must be base32 (A-Z, 2-7, no padding), at most 128 characters.",
        ));
    }
    parse_base32(text).map_err(|_| bad("The secret key is not valid base32."))
}

/// 30 or 60, from a JSON integer or a string holding one; `None` if absent.
pub fn interval(v: &Value) -> Result<Option<u64>, Refusal> {
    let seconds = match v {
        Value::Null => return Ok(None),
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    match seconds {
        Some(p @ (30 | 60)) => Ok(Some(p)),
        _ => Err(bad(format!(
            "timeIntervalInSeconds must be 30 or 60, not {v}."
        ))),
    }
}

/// `hmacsha1` or `hmacsha256`; `None` if absent.
pub fn hash(v: &Value) -> Result<Option<Algorithm>, Refusal> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if s == "hmacsha1" => Ok(Some(Algorithm::Sha1)),
        Value::String(s) if s == "hmacsha256" => Ok(Some(Algorithm::Sha256)),
        _ => Err(bad(format!(
            "hashFunction must be hmacsha1 or hmacsha256, not {v}."
        ))),
    }
}

fn assignee(body: &Value) -> Result<Option<String>, Refusal> {
    match &body["assignTo"] {
        Value::Null => Ok(None),
        v => v["id"]
            .as_str()
            .filter(|id| !id.is_empty())
            .map(|id| Some(id.to_string()))
            .ok_or_else(|| bad("assignTo must be an identity with an id.")),
    }
}

//! Graph's answers read without I/O: a body's text in, typed values or a
//! typed error out. Everything Graph (or anything posing as Graph) sends
//! passes through here, so these functions are fuzzed
//! (`fuzz/fuzz_targets/graph_answers.rs`) and never panic.

use serde_json::Value;

use crate::error::{EntraError, ErrorKind};
use crate::groups::Group;
use crate::oath::{DevicePage, HardwareOathDevice, User};

/// A body as JSON; an empty body is `Null`. A body that is not JSON is
/// also `Null`: the status decides what that means (an error keeps its
/// status, a success without the fields asked for is refused by the reader).
pub fn body(text: &str) -> Value {
    if text.trim().is_empty() {
        return Value::Null;
    }
    serde_json::from_str(text).unwrap_or(Value::Null)
}

/// An error answer: Graph's `{"error":{"code","message","innerError"}}`,
/// the request id from the body, else the one from the headers.
pub fn error(status: u16, body: &Value, header_request_id: Option<String>) -> EntraError {
    let err = &body["error"];
    let code = err["code"].as_str().unwrap_or("");
    let message = err["message"]
        .as_str()
        .unwrap_or("Graph refused the request");
    let request_id = err["innerError"]["request-id"]
        .as_str()
        .map(str::to_string)
        .or(header_request_id);
    EntraError::from_graph(status, code, message, request_id)
}

/// One device (GET, create), unwrapping `device` or `value` wrappers.
pub fn device(body: &Value) -> Result<HardwareOathDevice, EntraError> {
    HardwareOathDevice::from_json(body).ok_or_else(|| {
        EntraError::new(
            ErrorKind::Other,
            "Graph returned a token without an id; refresh and try again",
        )
    })
}

/// A page of the inventory: its devices and the link to the next page.
pub fn device_page(body: &Value) -> DevicePage {
    DevicePage {
        items: devices(body),
        next: next_link(body),
    }
}

/// The link to a list's next page; `None` on the last.
pub fn next_link(body: &Value) -> Option<String> {
    body["@odata.nextLink"].as_str().map(str::to_string)
}

/// The groups of a `value` list (items without an id are not groups).
pub fn groups(body: &Value) -> Vec<Group> {
    body["value"]
        .as_array()
        .map(|a| a.iter().filter_map(group_of).collect())
        .unwrap_or_default()
}

/// One group (GET by id).
pub fn group(body: &Value) -> Result<Group, EntraError> {
    group_of(body).ok_or_else(|| {
        EntraError::new(
            ErrorKind::Other,
            "Graph returned a group without an id; check the group in Entra and try again",
        )
    })
}

fn group_of(v: &Value) -> Option<Group> {
    let id = v["id"].as_str().filter(|id| !id.is_empty())?;
    Some(Group {
        id: id.to_string(),
        display_name: v["displayName"].as_str().unwrap_or_default().to_string(),
    })
}

/// The devices of a `value` list (items without an id are not tokens).
pub fn devices(body: &Value) -> Vec<HardwareOathDevice> {
    body["value"]
        .as_array()
        .map(|v| v.iter().filter_map(HardwareOathDevice::from_json).collect())
        .unwrap_or_default()
}

/// The users of a `value` list.
pub fn users(body: &Value) -> Vec<User> {
    body["value"]
        .as_array()
        .map(|a| a.iter().map(User::from_json).collect())
        .unwrap_or_default()
}

/// The devices a bulk create's 201 lists, as (serial, id): items are
/// hardwareOathAuthenticationMethod objects with the device nested (read
/// flat too). The answer carries no `@contentId`, so serials tell which.
pub fn bulk_created(answer: &Value) -> Vec<(String, String)> {
    let items: &[Value] = answer["value"].as_array().map_or(&[], Vec::as_slice);
    items
        .iter()
        .filter_map(|item| {
            let device = if item["device"].is_object() {
                &item["device"]
            } else {
                item
            };
            let serial = device["serialNumber"].as_str()?;
            let id = device["id"].as_str().or(item["id"].as_str())?;
            Some((serial.to_string(), id.to_string()))
        })
        .collect()
}

//! PSKC, RFC 6030: a `KeyContainer` of `KeyPackage`s, each a device
//! (`Manufacturer`, `SerialNo`, `Model`) and a key (algorithm URI,
//! `ResponseFormat`, `TimeInterval`, the secret). Secrets come as
//! `PlainValue` (base64) or `EncryptedValue` (AES-CBC, IV first) under a
//! pre-shared key or one derived by PBKDF2 from a passphrase (§6.2), with
//! a `ValueMAC` that must match: a wrong key or a changed file is an
//! error for the whole file, never a garbage secret.

mod crypto;
mod keys;

use oathdesk_otp::{Algorithm, CodeParams, Secret};
use roxmltree::{Document, Node};

use crate::{Keys, Place, Record, SeedError};
use keys::Unlocked;

pub use keys::pskc_key_from_file;

/// The first child element of `node` whose local name is `name`.
pub(crate) fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

/// The trimmed text of the element at `path` below `node`.
pub(crate) fn text_at<'a>(node: Node<'a, '_>, path: &[&str]) -> Option<&'a str> {
    let mut n = node;
    for name in path {
        n = child(n, name)?;
    }
    n.text().map(str::trim).filter(|t| !t.is_empty())
}

pub(crate) fn read(
    bytes: &[u8],
    keys: &mut Keys<'_>,
) -> Result<Vec<Result<Record, SeedError>>, SeedError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| SeedError::file("the PSKC file is not UTF-8 text"))?;
    let doc = Document::parse(text).map_err(|e| {
        SeedError::file(format!(
            "the PSKC file is not well-formed XML ({})",
            e.pos()
        ))
    })?;
    let root = doc.root_element();
    if root.tag_name().name() != "KeyContainer" {
        return Err(SeedError::file("the XML is not a PSKC KeyContainer"));
    }
    let unlocked = Unlocked::open(root, keys)?;
    let packages: Vec<Node> = root
        .children()
        .filter(|c| c.is_element() && c.tag_name().name() == "KeyPackage")
        .collect();
    let mut out = Vec::new();
    for (i, package) in packages.into_iter().enumerate() {
        let place = Place::Record(i + 1);
        // A MAC mismatch or a wrong key fails the file, not just the record.
        out.push(package_record(package, place, &unlocked)?.map_err(|m| SeedError::at(place, m)));
    }
    Ok(out)
}

/// The record of one `KeyPackage`: `Err(Err)` for the whole file,
/// `Ok(Err)` for this record only.
fn package_record(
    package: Node,
    place: Place,
    unlocked: &Unlocked,
) -> Result<Result<Record, String>, SeedError> {
    let Some(key) = child(package, "Key") else {
        return Ok(Err("the key package holds no Key".into()));
    };
    let Some(secret_node) = child(key, "Data").and_then(|d| child(d, "Secret")) else {
        return Ok(Err("the key has no Secret".into()));
    };
    let secret = match unlocked.secret(secret_node, place)? {
        Ok(s) => s,
        Err(m) => return Ok(Err(m)),
    };
    Ok(describe(package, key, secret, place))
}

fn describe(package: Node, key: Node, secret: Secret, place: Place) -> Result<Record, String> {
    let device = child(package, "DeviceInfo");
    let dev = |name: &str| {
        device
            .and_then(|d| text_at(d, &[name]))
            .unwrap_or("")
            .to_string()
    };
    let serial = Some(dev("SerialNo")).filter(|s| !s.is_empty());
    let algorithm_uri = key.attribute("Algorithm").unwrap_or("");
    let digits = child(key, "AlgorithmParameters")
        .and_then(|p| child(p, "ResponseFormat"))
        .and_then(|f| f.attribute("Length"))
        .map_or(Ok(6), |l| {
            l.trim()
                .parse()
                .map_err(|_| format!("the response length {l:?} is not a number"))
        })?;
    let period = text_at(key, &["Data", "TimeInterval", "PlainValue"])
        .map_or(Ok(30), crate::fields::period)?;
    let user = text_at(key, &["UserId"])
        .or_else(|| device.and_then(|d| text_at(d, &["UserId"])))
        .filter(|u| u.contains('@') && !u.contains('='))
        .map(str::to_string);
    Ok(Record {
        place,
        serial: serial
            .or_else(|| key.attribute("Id").map(str::to_string))
            .unwrap_or_default(),
        manufacturer: dev("Manufacturer"),
        model: dev("Model"),
        secret,
        params: CodeParams {
            algorithm: suite(key)?,
            digits,
            period,
        },
        user,
        display_name: text_at(key, &["FriendlyName"]).map(str::to_string),
        hex_converted: false,
        not_totp: not_totp(algorithm_uri),
    })
}

/// The hash of `AlgorithmParameters/Suite` (SHA-1 when absent).
fn suite(key: Node) -> Result<Algorithm, String> {
    match text_at(key, &["AlgorithmParameters", "Suite"]) {
        None => Ok(Algorithm::Sha1),
        Some(s) => {
            crate::fields::algorithm(s.trim_start_matches("HMAC-").trim_start_matches("hmac-"))
        }
    }
}

/// Why a key of `uri` is not a TOTP key Entra takes, if it is not one.
fn not_totp(uri: &str) -> Option<String> {
    let name = uri.rsplit([':', '#', '/']).next().unwrap_or("");
    (!name.eq_ignore_ascii_case("totp")).then(|| {
        format!(
            "the key is {}, not TOTP: Entra takes time-based tokens only",
            if name.is_empty() {
                "of no stated algorithm"
            } else {
                name
            }
        )
    })
}
